//! `kartlegg _write-answers`: a hidden command that the crash and concurrency tests run as
//! a child process. It writes answers through the same calls the screen makes
//! (`Store::create_respondent`, `Store::save_response`) and prints one line as soon as
//! each write is committed, so that a test which kills it knows what must have survived.
//!
//! Why a hidden subcommand rather than an example or a test binary: an integration test
//! can only count on the package's own binary being built (`CARGO_BIN_EXE_kartlegg`,
//! also for `cargo test --test crash`), and the test then exercises the very binary
//! users run, with its pragmas, busy handling and all.

use std::io::Write;
use std::process::ExitCode;

use super::{exit, fail};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Response, Role};
use crate::i18n::Lang;
use crate::store::Answers;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct WriteAnswersArgs {
    /// The round to add respondents to
    #[arg(long)]
    pub round: String,
    /// How many answers to write; a new respondent every time the instrument is done
    #[arg(long)]
    pub count: usize,
    /// Seed for the values
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Prints `respondent ID` after each respondent is committed and `answer ID KEY VALUE`
/// after each answer is, flushing each line.
pub fn run(
    store: &mut Store,
    instrument: &Instrument,
    lang: Lang,
    args: &WriteAnswersArgs,
) -> ExitCode {
    let items = instrument.items();
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut out = std::io::stdout().lock();
    let mut respondent = String::new();
    for n in 0..args.count {
        let now = chrono::Utc::now();
        if n % items.len() == 0 {
            match store.create_respondent(&args.round, Role::Staff, "", now) {
                Ok(r) => respondent = r.id,
                Err(e) => return fail(lang, &e),
            }
            if writeln!(out, "respondent {respondent}")
                .and_then(|()| out.flush())
                .is_err()
            {
                return ExitCode::from(exit::FAILURE);
            }
        }
        let item = items[n % items.len()];
        let value = rng.u8(item.scale.min()..=item.scale.max());
        if let Err(e) = store.save_response(
            &respondent,
            &item.item.key,
            Some(Response::Score(value)),
            now,
        ) {
            return fail(lang, &e);
        }
        if writeln!(out, "answer {respondent} {} {value}", item.item.key)
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::from(exit::FAILURE);
        }
    }
    ExitCode::SUCCESS
}
