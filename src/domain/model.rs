//! The things kartlegg records: services, rounds, respondents and their answers.

use chrono::NaiveDate;

/// A stable identifier (a UUID as text), so data from two machines can be merged.
pub type Id = String;

pub fn new_id() -> Id {
    uuid::Uuid::new_v4().to_string()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: Id,
    pub name: String,
    /// Four-digit municipality numbers; an inter-municipal service has several.
    pub municipalities: Vec<String>,
    pub cluster: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundKind {
    Before,
    Between,
    After,
}

impl RoundKind {
    pub const ALL: [RoundKind; 3] = [RoundKind::Before, RoundKind::Between, RoundKind::After];

    pub fn code(self) -> &'static str {
        match self {
            RoundKind::Before => "before",
            RoundKind::Between => "between",
            RoundKind::After => "after",
        }
    }

    pub fn from_code(code: &str) -> Option<RoundKind> {
        RoundKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: Id,
    pub service_id: Id,
    pub label: String,
    pub held_on: NaiveDate,
    pub kind: RoundKind,
    pub instrument_key: String,
    pub instrument_version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Leader,
    KeyPerson,
    Staff,
    Consultant,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Leader, Role::KeyPerson, Role::Staff, Role::Consultant];

    pub fn code(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::KeyPerson => "key_person",
            Role::Staff => "staff",
            Role::Consultant => "consultant",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respondent {
    pub id: Id,
    pub round_id: Id,
    pub role: Role,
    /// Optional initials or a code; never required, never a full name by design.
    pub code: String,
}

/// What a respondent chose for an item. "Don't know" and "not applicable" are answers,
/// but never scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Response {
    Score(u8),
    DontKnow,
    NotApplicable,
}

/// One respondent's answer to one item; a comment may come before the response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    pub response: Option<Response>,
    pub comment: String,
}

impl Answer {
    pub fn is_answered(&self) -> bool {
        self.response.is_some()
    }
}

/// What a text field may hold, in the forms and in an imported file. Its limits are far past
/// what a person writes, and keep a hostile file (or a runaway paste) from filling memory or
/// every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A name, label, code or id: one line, no direction controls, 200 characters.
    Name,
    /// A plan item's or goal's text: one line, 2,000 characters.
    Plan,
    /// A comment: line breaks and tabs too, 256 KiB (of UTF-8).
    Comment,
}

impl TextKind {
    pub const NAME_CHARS: usize = 200;
    pub const PLAN_CHARS: usize = 2_000;
    pub const COMMENT_BYTES: usize = 256 * 1024;

    pub fn too_long(self, text: &str) -> bool {
        // A character is at least one byte: most texts need no count.
        let chars = |most: usize| text.len() > most && text.chars().count() > most;
        match self {
            TextKind::Name => chars(Self::NAME_CHARS),
            TextKind::Plan => chars(Self::PLAN_CHARS),
            TextKind::Comment => text.len() > Self::COMMENT_BYTES,
        }
    }
}

/// The controls that turn the direction text is read in (embeddings, overrides and isolates,
/// U+202A–U+202E and U+2066–U+2069): in a name they can make one name read as another
/// ("Trojan source"), so names, labels and codes refuse them, and every face removes them
/// from what it shows or writes (`neutralise_bidi`).
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text as every face shows or writes it (the screen, messages, CSV, Markdown, HTML):
/// without direction controls, so that free text (a comment may hold them) and text stored
/// before they were refused cannot turn what follows it around. Here, in the leaf, so that
/// the store's CSV and the faces share it.
pub fn neutralise_bidi(text: &str) -> std::borrow::Cow<'_, str> {
    // Each of them is three bytes in UTF-8, the first 0xE2: a look for that byte settles most
    // text (the screen asks this of every cell of every frame).
    if text.as_bytes().contains(&0xE2) && text.contains(is_direction_control) {
        std::borrow::Cow::Owned(text.chars().filter(|&c| !is_direction_control(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A name, label or code as typed: tidied to one line, and refused with a direction control
/// or past its limit (`TextKind::Name`).
pub fn validate_name(field: NameField, text: &str) -> Result<String, InputError> {
    if text.contains(is_direction_control) {
        return Err(InputError::DirectionControl(field));
    }
    let text = single_line(text);
    if TextKind::Name.too_long(&text) {
        return Err(InputError::TooLong(field, TextKind::Name));
    }
    Ok(text)
}

/// A comment as written: refused past its limit (`TextKind::Comment`), never changed.
pub fn validate_comment(text: &str) -> Result<(), InputError> {
    if TextKind::Comment.too_long(text) {
        return Err(InputError::TooLong(NameField::Comment, TextKind::Comment));
    }
    Ok(())
}

/// Checks and tidies the fields of a service as a user typed them.
pub fn validate_service(
    name: &str,
    municipalities: &str,
    cluster: &str,
) -> Result<(String, Vec<String>, String), InputError> {
    let name = validate_name(NameField::Name, name)?;
    if name.is_empty() {
        return Err(InputError::EmptyName);
    }
    let cluster = validate_name(NameField::Cluster, cluster)?;
    let numbers: Vec<String> = municipalities
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(bad) = numbers
        .iter()
        .find(|n| n.len() != 4 || !n.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(InputError::MunicipalityNumber(bad.clone()));
    }
    Ok((name, numbers, cluster))
}

/// Checks a round's label and date as typed (`YYYY-MM-DD`, or `DD.MM.YYYY` as Norwegians write it).
pub fn validate_round(label: &str, date: &str) -> Result<(String, NaiveDate), InputError> {
    let label = validate_name(NameField::Label, label)?;
    if label.is_empty() {
        return Err(InputError::EmptyLabel);
    }
    Ok((label, parse_date(date)?))
}

pub fn parse_date(text: &str) -> Result<NaiveDate, InputError> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .map_err(|_| InputError::Date(text.to_string()))
}

/// Trims and folds any line breaks or control characters a paste may bring.
pub fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .filter(|part| !part.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which one-line field of a form a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameField {
    Name,
    Cluster,
    Label,
    Code,
    Owner,
    /// A plan item's text.
    Text,
    /// The comment editor's text.
    Comment,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("a direction control character in the {0:?}")]
    DirectionControl(NameField),
    #[error("the {0:?} is longer than its limit")]
    TooLong(NameField, TextKind),
    #[error("the name is empty")]
    EmptyName,
    #[error("the label is empty")]
    EmptyLabel,
    #[error("the text is empty")]
    EmptyText,
    #[error("not a four-digit municipality number: {0}")]
    MunicipalityNumber(String),
    #[error("not a date (YYYY-MM-DD): {0}")]
    Date(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_held_to_their_limits_counted_in_characters_or_bytes() {
        let name = "ø".repeat(TextKind::NAME_CHARS);
        assert_eq!(validate_name(NameField::Code, &name), Ok(name.clone()));
        assert_eq!(
            validate_name(NameField::Code, &format!("{name}x")),
            Err(InputError::TooLong(NameField::Code, TextKind::Name))
        );
        let comment = "x".repeat(TextKind::COMMENT_BYTES);
        assert_eq!(validate_comment(&comment), Ok(()));
        assert!(validate_comment(&format!("{comment}y")).is_err());
        let plan = "å".repeat(TextKind::PLAN_CHARS);
        assert_eq!(
            crate::domain::plan::validate_plan_text(&plan),
            Ok(plan.clone())
        );
        assert!(crate::domain::plan::validate_plan_text(&format!("{plan}.")).is_err());
    }

    #[test]
    fn service_input_is_tidied_and_checked() {
        let (name, numbers, cluster) =
            validate_service("  Fjellbygd\nbarnevern ", "3401, 3403 3405", " Innlandet ").unwrap();
        assert_eq!(name, "Fjellbygd barnevern");
        assert_eq!(numbers, ["3401", "3403", "3405"]);
        assert_eq!(cluster, "Innlandet");
        assert_eq!(validate_service("   ", "", ""), Err(InputError::EmptyName));
        assert_eq!(
            validate_service("A", "34o1", ""),
            Err(InputError::MunicipalityNumber("34o1".into()))
        );
        assert!(validate_service("A", "", "").unwrap().1.is_empty());
    }

    #[test]
    fn names_labels_and_codes_refuse_direction_controls() {
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}'] {
            let name = format!("Fjell{c}bygd");
            assert_eq!(
                validate_service(&name, "", ""),
                Err(InputError::DirectionControl(NameField::Name))
            );
        }
        for c in ['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
            let text = format!("A{c}B");
            assert_eq!(
                validate_service("A", "", &text),
                Err(InputError::DirectionControl(NameField::Cluster))
            );
            assert_eq!(
                validate_round(&text, "2026-03-09"),
                Err(InputError::DirectionControl(NameField::Label))
            );
            assert_eq!(
                validate_name(NameField::Code, &text),
                Err(InputError::DirectionControl(NameField::Code))
            );
            assert_eq!(neutralise_bidi(&text), "AB");
        }
        // Right-to-left letters are text, not controls; nor is the right-to-left mark.
        assert_eq!(
            validate_name(NameField::Name, "שלום\u{200F}").unwrap(),
            "שלום\u{200F}"
        );
        assert_eq!(neutralise_bidi("شكرا"), "شكرا");
    }

    #[test]
    fn dates_in_both_common_forms() {
        let expected = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(parse_date("2026-03-09"), Ok(expected));
        assert_eq!(parse_date("09.03.2026"), Ok(expected));
        assert_eq!(
            parse_date("2026-02-30"),
            Err(InputError::Date("2026-02-30".into()))
        );
        assert!(validate_round("", "2026-03-09").is_err());
    }

    #[test]
    fn codes_round_trip() {
        for kind in RoundKind::ALL {
            assert_eq!(RoundKind::from_code(kind.code()), Some(kind));
        }
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("chief"), None);
    }
}
