//! The terminal face: app state, key mapping, drawing and the event loop.

pub mod analysis;
pub mod analysis_view;
pub mod app;
pub mod form;
pub mod keys;
pub mod view;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};
use crossterm::execute;

pub use app::App;

/// Restores the terminal however the loop ends: normally, by error or by unwinding.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(std::io::stdout(), event::DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Runs the full-screen program until the user quits or a signal asks it to stop.
pub fn run(mut app: App) -> anyhow::Result<()> {
    // SIGTERM and SIGHUP (a closed terminal) become a clean quit; answers are saved already,
    // and an open comment is saved on the way out.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    // ratatui::init installs a panic hook that restores the terminal before the message.
    let mut terminal = ratatui::init();
    let _guard = TerminalGuard;
    let _ = execute!(std::io::stdout(), event::EnableBracketedPaste);

    while !app.should_quit {
        terminal.draw(|frame| view::view(&app, frame))?;
        if stop.load(Ordering::Relaxed) {
            app.quit();
            // A comment that cannot be saved must not keep a dying terminal alive.
            break;
        }
        if !event::poll(Duration::from_millis(250))? {
            continue;
        }
        let action = match event::read()? {
            Event::Key(key) if key.kind == KeyEventKind::Press => keys::action_for(app.mode(), key),
            Event::Paste(text) => Some(app::Action::Paste(text)),
            _ => None,
        };
        let mut next = action;
        while let Some(action) = next {
            next = app.update(action);
        }
    }
    Ok(())
}
