//! What an export discloses of its respondents (`docs/exchange.md`, "What a file
//! discloses"). A file for analysis is pseudonymous by default: the respondents' ids and
//! codes are replaced by codes drawn for that file alone, times are cut to the day, the
//! history is left out and so are the comments unless asked for. A file to move data to
//! another machine is identified: everything as stored, and only such a file imports.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{AnswerRow, RespondentRow};

/// What the person exporting chose to disclose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure {
    /// Ids, codes, times, the history and the comments as stored: for `kartlegg import`.
    pub identified: bool,
    /// The comments (always with `identified`).
    pub comments: bool,
    /// Draws this file's codes. Never written: with it the codes could be drawn again.
    pub seed: u64,
}

impl Disclosure {
    /// Everything as stored, to merge on another machine.
    pub fn identified() -> Disclosure {
        Disclosure {
            identified: true,
            comments: true,
            seed: 0,
        }
    }

    /// Codes drawn from `seed` in place of the respondents, without comments.
    pub fn pseudonymous(seed: u64) -> Disclosure {
        Disclosure {
            identified: false,
            comments: false,
            seed,
        }
    }

    pub fn with_comments(self) -> Disclosure {
        Disclosure {
            comments: true,
            ..self
        }
    }

    /// What a file written so holds, for its first lines.
    pub fn contents(&self, database: &Path, service: Option<&str>) -> Contents {
        Contents {
            respondents: if self.identified {
                Respondents::Identified
            } else {
                Respondents::Pseudonymous
            },
            comments: self.comments,
            // Only the file's name: its folder often names the person whose machine it is.
            database: database
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            service: service.map(str::to_string),
        }
    }

    /// Hides the respondents as chosen; `None` when they are written as stored.
    pub fn pseudonyms(&self) -> Option<Pseudonyms> {
        (!self.identified).then(|| Pseudonyms::new(self.seed, self.comments))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Respondents {
    Identified,
    Pseudonymous,
}

/// The export's word on itself: the `contents` field of the JSON header (beside
/// `exported_at`), and the CSV's companion file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contents {
    pub respondents: Respondents,
    pub comments: bool,
    /// The database's file name.
    pub database: String,
    /// The one service exported, by name; `None` for every service.
    pub service: Option<String>,
}

impl Contents {
    /// Whether `kartlegg import` can merge the file: only one with the respondents and
    /// comments as stored (a pseudonymous file's respondents would be new at every import).
    pub fn importable(&self) -> bool {
        self.respondents == Respondents::Identified && self.comments
    }
}

/// The codes of one pseudonymous export: one per respondent and one per code a leader
/// typed (initials), the same all through the file, drawn anew for every file, and drawn
/// at random, so that nothing in them leads back to the database.
pub struct Pseudonyms {
    rng: fastrand::Rng,
    comments: bool,
    respondents: HashMap<String, String>,
    /// By service and the code as the paired change compares it (no case, no spaces
    /// around): the same person in two rounds keeps one code in the file.
    codes: HashMap<(String, String), String>,
    taken: HashSet<(String, String)>,
}

/// The letters of a drawn code: no 0/O, 1/I/L, which are misread.
const CODE_LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

impl Pseudonyms {
    fn new(seed: u64, comments: bool) -> Pseudonyms {
        Pseudonyms {
            rng: fastrand::Rng::with_seed(seed),
            comments,
            respondents: HashMap::new(),
            codes: HashMap::new(),
            taken: HashSet::new(),
        }
    }

    /// A new id in the form of the database's own (a random UUID).
    pub fn fresh_id(&mut self) -> String {
        let bytes: [u8; 16] = std::array::from_fn(|_| self.rng.u8(..));
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// The file's code for the respondent with database id `id`.
    pub fn respondent_id(&mut self, id: &str) -> String {
        if let Some(code) = self.respondents.get(id) {
            return code.clone();
        }
        let code = self.fresh_id();
        self.respondents.insert(id.to_string(), code.clone());
        code
    }

    /// The file's code for the code `code` typed in service `service_id`; none stays none.
    pub fn code(&mut self, service_id: &str, code: &str) -> String {
        let key = (service_id.to_string(), code.trim().to_lowercase());
        if key.1.is_empty() {
            return String::new();
        }
        if let Some(drawn) = self.codes.get(&key) {
            return drawn.clone();
        }
        let drawn = loop {
            let drawn: String = (0..6)
                .map(|_| CODE_LETTERS[self.rng.usize(..CODE_LETTERS.len())] as char)
                .collect();
            // Two people in one service never share a code, or they would be paired.
            if self.taken.insert((service_id.to_string(), drawn.clone())) {
                break drawn;
            }
        };
        self.codes.insert(key, drawn.clone());
        drawn
    }

    /// A respondent of service `service_id` as this file shows them.
    pub fn respondent(&mut self, row: RespondentRow, service_id: &str) -> RespondentRow {
        RespondentRow {
            id: self.respondent_id(&row.id),
            code: self.code(service_id, &row.code),
            created_at: day(&row.created_at),
            ..row
        }
    }

    /// An answer as this file shows it; `None` for one that holds only a comment, when
    /// comments are left out.
    pub fn answer(&mut self, row: AnswerRow) -> Option<AnswerRow> {
        if !self.comments && row.value.is_none() && row.missing.is_none() {
            return None;
        }
        Some(AnswerRow {
            id: self.fresh_id(),
            respondent_id: self.respondent_id(&row.respondent_id),
            comment: if self.comments {
                row.comment
            } else {
                String::new()
            },
            updated_at: day(&row.updated_at),
            ..row
        })
    }

    /// Whether the comments are written.
    pub fn comments(&self) -> bool {
        self.comments
    }
}

/// A stored time (`2026-03-09T10:15:00.000Z`) cut to its day (`2026-03-09T00:00:00.000Z`):
/// the minute someone answered can tell who sat at the machine.
pub fn day(time: &str) -> String {
    match time.get(..10) {
        Some(date) => format!("{date}T00:00:00.000Z"),
        None => time.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn respondent(id: &str, code: &str) -> RespondentRow {
        RespondentRow {
            id: id.into(),
            round_id: "r".into(),
            role: "staff".into(),
            code: code.into(),
            created_at: "2026-03-09T10:15:42.123Z".into(),
            by_code: false,
        }
    }

    #[test]
    fn a_respondent_keeps_one_code_in_a_file_and_gets_another_in_the_next() {
        let mut first = Disclosure::pseudonymous(1).pseudonyms().unwrap();
        let a = first.respondent(respondent("id-1", "EF"), "s");
        assert_ne!(a.id, "id-1");
        assert_ne!(a.code, "EF");
        assert_eq!(a.created_at, "2026-03-09T00:00:00.000Z");
        // The same code in another round of the service, written otherwise, is one code.
        let b = first.respondent(respondent("id-2", " ef "), "s");
        assert_eq!(a.code, b.code);
        assert_eq!(first.respondent_id("id-1"), a.id);
        // Another service, another person.
        assert_ne!(first.respondent(respondent("id-3", "EF"), "t").code, a.code);
        assert_eq!(first.respondent(respondent("id-4", ""), "s").code, "");

        let mut second = Disclosure::pseudonymous(2).pseudonyms().unwrap();
        let again = second.respondent(respondent("id-1", "EF"), "s");
        assert_ne!(again.id, a.id);
        assert_ne!(again.code, a.code);
    }

    #[test]
    fn only_an_identified_file_with_its_comments_imports() {
        let db = Path::new("/home/kari/kartlegg.db");
        let identified = Disclosure::identified().contents(db, None);
        assert!(identified.importable());
        assert_eq!(identified.database, "kartlegg.db");
        let pseudonymous = Disclosure::pseudonymous(1).with_comments();
        assert!(!pseudonymous.contents(db, Some("Fjellbygd")).importable());
    }
}
