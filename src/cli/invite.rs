//! `kartlegg invite`: one-time codes with which staff answer alone (`kartlegg answer`),
//! printed once and, with `--sheet`, as a page of slips to cut out for the gathering;
//! `--withdraw`, a code that is no longer to be used; or `--close`, every open code of a
//! round at once, after which the answers by code count. Only the codes' hashes are stored.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::document::quoted;
use super::files::{is_database_file, write_failed, write_private};
use crate::domain::compare::{MIN_GROUP, codes_counted};
use crate::domain::invite::{self, CODE_LEN};
use crate::domain::model::{Role, Round, Service};
use crate::i18n::{Lang, tr, trf};
use crate::present::{count, role_key};
use crate::store::{Admin, Answers, Invites, Store, StoreError};

/// The most codes one command makes: a large service's staff, with room to spare.
const MOST: usize = 500;

#[derive(Debug, Clone, clap::Args)]
pub struct InviteArgs {
    /// The service: its id, or its name in any case
    #[arg(long, value_name = "NAME_OR_ID", required_unless_present = "withdraw")]
    pub service: Option<String>,

    /// The round the codes answer: its label in any case, or its id
    #[arg(long, value_name = "ROUND", required_unless_present = "withdraw")]
    pub round: Option<String>,

    /// How many codes, one per respondent (at most 500)
    #[arg(long, value_name = "N", required_unless_present_any = ["withdraw", "close"],
          value_parser = clap::value_parser!(u16).range(1..=MOST as i64))]
    pub count: Option<u16>,

    /// The role of the respondents who answer with these codes: leader, key_person, staff
    /// or consultant
    #[arg(long, value_name = "ROLE", default_value = "staff", value_parser = parse_role)]
    pub role: Role,

    /// Also write the codes as a page of slips to cut out, one per code, saying how to
    /// answer (plain text that reads as Markdown; readable by its owner alone)
    #[arg(long, value_name = "FILE")]
    pub sheet: Option<PathBuf>,

    /// How staff reach the program, as the slips say it, e.g. "ssh svar@kartlegg.kommune.no"
    #[arg(long, value_name = "TEXT", requires = "sheet")]
    pub login: Option<String>,

    /// Withdraw this code: it can no longer be used (the answers given with it stay)
    #[arg(long, value_name = "CODE",
          conflicts_with_all = ["service", "round", "count", "sheet", "close"])]
    pub withdraw: Option<String>,

    /// Close answering alone for the round: withdraw every code still open, after which the
    /// answers given by code count in the round's figures
    #[arg(long, conflicts_with_all = ["count", "sheet"])]
    pub close: bool,
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::from_code(&value.replace('-', "_")).ok_or_else(|| {
        format!("unknown role '{value}' (use leader, key_person, staff or consultant)")
    })
}

/// From how many codes `invite` says that it is making them: about a second's work.
const SAY_HASHING_FROM: usize = 50;

pub fn run(store: &mut Store, lang: Lang, args: &InviteArgs, now: DateTime<Utc>) -> ExitCode {
    if let Some(code) = &args.withdraw {
        return withdraw(store, lang, code, now);
    }
    let (Some(service), Some(round)) = (&args.service, &args.round) else {
        // clap asks for both when there is nothing to withdraw.
        return ExitCode::from(super::exit::USAGE);
    };
    let (service, round) = match store
        .find_service(service)
        .and_then(|service| Ok((store.find_round(&service, round)?, service)))
    {
        Ok((round, service)) => (service, round),
        Err(e) => return super::lookup_failed(lang, &e),
    };
    let place = Place {
        round: quoted(lang, &round.label),
        service: quoted(lang, &service.name),
    };
    if args.close {
        return close(store, lang, &round, &place, now);
    }
    let Some(wanted) = args.count else {
        return ExitCode::from(super::exit::USAGE);
    };
    // New codes would open a closed round again: its figures would then move with each one
    // who answers, and who arrived could be read from two moments. The store refuses them
    // (`StoreError::AnsweringClosed`); asked first, so that no one waits for the hashing.
    match store.answering_closed(&round.id) {
        Ok(false) => {}
        Ok(true) => {
            super::complain(&trf(lang, "invite.round_closed", &place.args()));
            return ExitCode::from(super::exit::FAILURE);
        }
        Err(e) => return super::fail(lang, &e),
    }
    if let Some(sheet) = &args.sheet
        && is_database_file(sheet, store.path())
    {
        super::complain(&trf(
            lang,
            "invite.sheet_is_database",
            &[("path", &sheet.display())],
        ));
        return ExitCode::from(super::exit::FAILURE);
    }
    let codes = match new_codes(usize::from(wanted)) {
        Ok(codes) => codes,
        Err(e) => {
            super::complain(&trf(lang, "invite.no_random", &[("reason", &e)]));
            return ExitCode::from(super::exit::FAILURE);
        }
    };
    let key = match store.invite_key() {
        Ok(key) => key,
        Err(e) => return write_failed(lang, &e),
    };
    // Each code is hashed slowly on purpose (~40 ms): many take seconds, said first.
    if codes.len() >= SAY_HASHING_FROM {
        super::complain(&trf(lang, "invite.hashing", &[("n", &codes.len())]));
    }
    let hashes = hash_all(&codes, &key);
    // The sheet is written inside the transaction: a sheet that cannot be written leaves no
    // codes behind that no one could hand out.
    let written = store.in_transaction(|store| {
        store.add_invites(&round.id, args.role, &hashes, now)?;
        if let Some(sheet) = &args.sheet {
            let text = sheet_text(lang, &service, &round, &codes, args.login.as_deref());
            write_private(sheet, |out, path| {
                out.write_all(text.as_bytes())
                    .map_err(|source| StoreError::Io {
                        path: path.to_path_buf(),
                        source,
                    })
            })?;
        }
        Ok(())
    });
    match written {
        Ok(()) => {}
        // Closed between the early answer above and the write.
        Err(StoreError::AnsweringClosed) => {
            super::complain(&trf(lang, "invite.round_closed", &place.args()));
            return ExitCode::from(super::exit::FAILURE);
        }
        Err(e) => return write_failed(lang, &e),
    }
    super::complain(&trf(
        lang,
        "invite.made",
        &[
            ("codes", &count(lang, "noun.code", codes.len())),
            ("round", &quoted(lang, &round.label)),
            ("service", &quoted(lang, &service.name)),
            ("role", &tr(lang, role_key(args.role))),
        ],
    ));
    if let Some(sheet) = &args.sheet {
        super::complain(&trf(
            lang,
            "invite.sheet_written",
            &[("path", &sheet.display())],
        ));
    }
    let lines: Vec<String> = codes.iter().map(|code| invite::grouped(code)).collect();
    super::print(&format!("{}\n", lines.join("\n")))
}

/// The codes' hashes, on every core: each costs ~40 ms, so 500 would take 20 s on one.
fn hash_all(codes: &[String], key: &[u8; invite::KEY_LEN]) -> Vec<String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = codes.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = codes
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|c| invite::hash(c, key))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().expect("hashing a code does not panic"))
            .collect()
    })
}

/// `wanted` codes from the OS's random source, none twice.
fn new_codes(wanted: usize) -> Result<Vec<String>, String> {
    let mut seen = HashSet::new();
    let mut codes = Vec::with_capacity(wanted);
    while codes.len() < wanted {
        let mut random = [0u8; CODE_LEN];
        getrandom::fill(&mut random).map_err(|e| e.to_string())?;
        let code = invite::code_from(&random);
        if seen.insert(code.clone()) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// Withdraws every open code of the round, and says how many and whether the answers by
/// code now count (from `MIN_GROUP` of them, rule A).
fn close(
    store: &mut Store,
    lang: Lang,
    round: &Round,
    place: &Place,
    now: DateTime<Utc>,
) -> ExitCode {
    let closed = store.answering_closed(&round.id).and_then(|before| {
        let withdrawn = if before {
            None
        } else {
            Some(store.close_invites(&round.id, now)?)
        };
        Ok((withdrawn, store.code_respondents(&round.id)?.len()))
    });
    let (withdrawn, answered) = match closed {
        Ok(closed) => closed,
        Err(e) => return super::fail(lang, &e),
    };
    let key = match withdrawn {
        // No code was open and none withdrawn before: the round never had any.
        Some(0) => {
            super::complain(&trf(lang, "invite.close_no_codes", &place.args()));
            return ExitCode::from(super::exit::FAILURE);
        }
        Some(_) => "invite.closed",
        None => "invite.closed_already",
    };
    let codes = count(lang, "noun.code", withdrawn.unwrap_or(0));
    let mut args = place.args();
    args.push(("codes", &codes));
    let mut text = trf(lang, key, &args);
    let counted = if codes_counted(answered) {
        trf(lang, "invite.closed_counted", &[("n", &answered)])
    } else {
        trf(
            lang,
            "invite.closed_too_few",
            &[("n", &answered), ("min", &MIN_GROUP)],
        )
    };
    text.push(' ');
    text.push_str(&counted);
    println!("{text}");
    ExitCode::SUCCESS
}

/// The round and service as the messages name them.
struct Place {
    round: String,
    service: String,
}

impl Place {
    fn args(&self) -> Vec<(&str, &dyn std::fmt::Display)> {
        vec![("round", &self.round), ("service", &self.service)]
    }
}

fn withdraw(store: &mut Store, lang: Lang, typed: &str, now: DateTime<Utc>) -> ExitCode {
    let shown =
        invite::read(typed).map_or_else(|| typed.trim().to_string(), |c| invite::grouped(&c));
    let withdrawn = match invite::read(typed) {
        Some(code) => store
            .invite_key()
            .and_then(|key| store.withdraw_invite(&invite::hashes(&code, &key), now)),
        None => Ok(false),
    };
    match withdrawn {
        Ok(true) => {
            println!("{}", trf(lang, "invite.withdrawn", &[("code", &shown)]));
            ExitCode::SUCCESS
        }
        // Unknown and withdrawn already are said alike: no answer tells which codes exist.
        Ok(false) => {
            super::complain(&trf(lang, "invite.no_such_code", &[("code", &shown)]));
            ExitCode::from(super::exit::FAILURE)
        }
        Err(e) => super::fail(lang, &e),
    }
}

/// The page of slips: a heading and how to use it, then one slip per code between cut lines.
fn sheet_text(
    lang: Lang,
    service: &Service,
    round: &Round,
    codes: &[String],
    login: Option<&str>,
) -> String {
    let place = trf(
        lang,
        "invite.sheet_place",
        &[("round", &round.label), ("service", &service.name)],
    );
    let how = match login {
        Some(login) => trf(lang, "invite.slip_how_login", &[("login", &login)]),
        None => tr(lang, "invite.slip_how").to_string(),
    };
    let cut = "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - ✂";
    let mut text = format!(
        "# {}\n\n{}\n\n",
        trf(lang, "invite.sheet_title", &[("place", &place)]),
        tr(lang, "invite.sheet_intro")
    );
    for code in codes {
        text.push_str(&format!(
            "{cut}\n\n**kartlegg: {place}**\n\n{}\n\n{how}\n\n{}\n\n",
            trf(
                lang,
                "invite.slip_code",
                &[("code", &invite::grouped(code))]
            ),
            tr(lang, "invite.slip_alone"),
        ));
    }
    text.push_str(cut);
    text.push('\n');
    text
}
