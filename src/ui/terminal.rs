//! The terminal: taking it and giving it back, the signals that stop the program, the event
//! loop (keys become actions, the router updates, the frame is drawn), and the last step of
//! every frame.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use crossterm::execute;

use super::action::Action;
use super::app::{App, Stopped};
use super::{keys, view};
use crate::domain::model::neutralise_bidi;

/// The signals that stop the program from outside. Each gives the terminal back and keeps the
/// comment being written (`App::stop`). SIGHUP is a closed terminal; in raw mode Ctrl-C and
/// Ctrl-\ are keys, so SIGINT and SIGQUIT come from another program (`kill -INT`), as SIGTERM
/// and SIGUSR1 do.
const STOP_SIGNALS: [std::ffi::c_int; 5] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
    signal_hook::consts::SIGUSR1,
];

/// Restores the terminal however the loop ends: normally, by error or by unwinding.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Gives the terminal back. Never panics and never prints: when the terminal is gone (a
/// closed window), writing an error about it would itself fail and abort the process.
fn restore_terminal() {
    let _ = execute!(std::io::stdout(), event::DisableBracketedPaste);
    let _ = ratatui::try_restore();
}

/// Like `ratatui::init`, with a panic hook that restores first, then chains the previous
/// hook, and that cannot fail itself.
fn init_terminal() -> std::io::Result<ratatui::DefaultTerminal> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        event::EnableBracketedPaste
    )?;
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
}

/// Draws the whole screen. Its last step before the terminal: no cell keeps a direction
/// control, whatever text it came from (a comment, a name stored before they were refused),
/// so that nothing on the screen can turn the text after it around. ratatui puts such a
/// zero-width character into the cell before it, so a cell's symbol is where it hides.
pub fn draw(app: &App, frame: &mut ratatui::Frame) {
    view::view(app, frame);
    for cell in &mut frame.buffer_mut().content {
        if let std::borrow::Cow::Owned(kept) = neutralise_bidi(cell.symbol()) {
            cell.set_symbol(if kept.is_empty() { " " } else { &kept });
        }
    }
}

/// Runs the full-screen program until the user quits or a signal asks it to stop; says what
/// became of a comment open then. The terminal is given back before it returns.
pub fn run(mut app: App) -> anyhow::Result<Stopped> {
    // A signal becomes a clean quit: answers are saved already, and an open comment is saved
    // on the way out, or kept for the next start.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in STOP_SIGNALS {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let _guard = TerminalGuard;
    let mut terminal = init_terminal()?;

    // Keys are read on their own thread: when the terminal goes away, crossterm's reader can
    // spin on end-of-input without returning, and the loop below must still see the signal.
    let (keys, events) = mpsc::channel();
    thread::spawn(move || {
        while let Ok(event) = event::read() {
            if keys.send(event).is_err() {
                break;
            }
        }
    });

    let outcome = event_loop(&mut app, &mut terminal, &stop, &events);
    if terminal.show_cursor().is_err() {
        // The terminal is gone. ratatui's Drop would report that on the closed stderr, and a
        // failed report panics; there is nothing left to restore, so let it go quietly.
        std::mem::forget(terminal);
    }
    outcome
}

fn event_loop(
    app: &mut App,
    terminal: &mut ratatui::DefaultTerminal,
    stop: &AtomicBool,
    events: &mpsc::Receiver<Event>,
) -> anyhow::Result<Stopped> {
    // Stopped from outside: the screen says it if the comment must wait for the database.
    let stopped = |app: &mut App, terminal: &mut ratatui::DefaultTerminal| {
        app.stop(|app| {
            let _ = terminal.draw(|frame| draw(app, frame));
        })
    };
    while !app.should_quit {
        if stop.load(Ordering::Relaxed) {
            return Ok(stopped(app, terminal));
        }
        match terminal.draw(|frame| draw(app, frame)) {
            Ok(shown) => app.shown(shown.area.width, shown.area.height),
            Err(e) => {
                // The terminal is gone: keep what was typed, then report.
                return match app.stop(|_| {}) {
                    Stopped::Clean => Err(e.into()),
                    kept => Ok(kept),
                };
            }
        }
        let event = match events.recv_timeout(Duration::from_millis(250)) {
            Ok(event) => Some(event),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            // The reader ended: no more input will come.
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(stopped(app, terminal)),
        };
        if stop.load(Ordering::Relaxed) {
            return Ok(stopped(app, terminal));
        }
        // The size is asked of the terminal before each event is handled, never taken from a
        // resize event: crossterm can lose the signal of a resize that comes together with
        // keys, and then no event would ever say that the window grew back.
        if let Ok(size) = terminal.size() {
            app.update(Action::Resize(size.width, size.height));
        }
        let action = match event {
            Some(Event::Key(key)) if key.kind == KeyEventKind::Press => {
                keys::action_for(app.mode(), key)
            }
            Some(Event::Paste(text)) => Some(Action::Paste(text)),
            None => Some(Action::Tick),
            _ => None,
        };
        let mut next = action;
        while let Some(action) = next {
            next = app.update(action);
        }
    }
    Ok(match app.farewell.take() {
        Some(text) => Stopped::Ended(text),
        None => Stopped::Clean,
    })
}
