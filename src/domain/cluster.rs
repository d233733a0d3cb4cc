//! A cluster (a county's services in the programme together) as a record, its gatherings
//! (samlinger) and who from each service attended them: plain types and their checks.
//! Services name their cluster by its name (`Service::cluster`); the store keeps a record
//! for every name a service carries.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{Id, TextKind, is_direction_control, single_line};
use super::needs::YesPartlyNo;
use super::plan::codes;

/// A cluster's record. `name` is the text its services carry in `Service::cluster`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: Id,
    pub name: String,
    pub county: String,
    /// The regional centre that runs the programme, e.g. "RBUP Øst og Sør".
    pub centre: String,
    /// Roles or initials, never required and never meant for full names.
    pub process_leaders: String,
    /// The programme period; either end may be unknown, `from` never after `to`.
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
}

codes! {
    /// What kind of gathering: for the leaders, for everyone, or held online.
    GatheringKind { Leaders = "leaders", Joint = "joint", Digital = "digital" }
}

/// A gathering (samling) of a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gathering {
    pub id: Id,
    pub cluster_id: Id,
    pub held_on: NaiveDate,
    pub kind: GatheringKind,
    /// What it was about (a comment's limits).
    pub topics: String,
}

/// Who from one service attended one gathering, as numbers (never names), and whether the
/// work before and after it was done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub gathering_id: Id,
    pub service_id: Id,
    pub leaders: u16,
    pub key_persons: u16,
    pub staff: u16,
    /// The pre-work (forarbeid) before the gathering.
    pub pre_work: Option<YesPartlyNo>,
    /// The between-work (mellomarbeid) after it.
    pub between_work: Option<YesPartlyNo>,
    /// A comment's limits; never about children or families.
    pub note: String,
}

/// The most people of one role a service can send to one gathering: past it a number is a
/// typing error.
pub const ATTENDANCE_MAX: u16 = 1000;

impl Attendance {
    /// Nothing recorded: the store keeps no such row.
    pub fn is_empty(&self) -> bool {
        self.leaders == 0
            && self.key_persons == 0
            && self.staff == 0
            && self.pre_work.is_none()
            && self.between_work.is_none()
            && self.note.is_empty()
    }

    /// Everyone who attended from the service.
    pub fn people(&self) -> u32 {
        u32::from(self.leaders) + u32::from(self.key_persons) + u32::from(self.staff)
    }
}

/// One change to an attendance: what `Clusters::set_attendance` writes part by part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttendanceField {
    Leaders(u16),
    KeyPersons(u16),
    Staff(u16),
    PreWork(Option<YesPartlyNo>),
    BetweenWork(Option<YesPartlyNo>),
    Note(String),
}

impl AttendanceField {
    pub fn apply(&self, attendance: &mut Attendance) {
        match self {
            AttendanceField::Leaders(n) => attendance.leaders = *n,
            AttendanceField::KeyPersons(n) => attendance.key_persons = *n,
            AttendanceField::Staff(n) => attendance.staff = *n,
            AttendanceField::PreWork(v) => attendance.pre_work = *v,
            AttendanceField::BetweenWork(v) => attendance.between_work = *v,
            AttendanceField::Note(text) => attendance.note = text.clone(),
        }
    }
}

/// Which field of a cluster, gathering or attendance a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterField {
    Name,
    County,
    Centre,
    ProcessLeaders,
    PeriodTo,
    Topics,
    Leaders,
    KeyPersons,
    Staff,
    Note,
}

/// What is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterProblem {
    /// A name that is empty.
    Empty,
    /// Past its limit (`TextKind`).
    TooLong,
    /// A direction control in a one-line text (see `is_direction_control`).
    DirectionControl,
    /// A count past `ATTENDANCE_MAX`.
    TooMany,
    /// The programme period ends before it starts.
    EndsBeforeStart,
    /// A count typed that is not a whole number.
    NotACount,
}

pub type Checked<T> = Result<T, (ClusterField, ClusterProblem)>;

/// A one-line text of the record, tidied (`single_line`) and held to a name's limits.
fn line(field: ClusterField, text: &str) -> Checked<String> {
    if text.contains(is_direction_control) {
        return Err((field, ClusterProblem::DirectionControl));
    }
    let text = single_line(text);
    if TextKind::Name.too_long(&text) {
        return Err((field, ClusterProblem::TooLong));
    }
    Ok(text)
}

fn comment(field: ClusterField, text: &str) -> Checked<()> {
    if TextKind::Comment.too_long(text) {
        return Err((field, ClusterProblem::TooLong));
    }
    Ok(())
}

/// A cluster's record as it may be saved: its one-line texts tidied, a name, and a period
/// that does not end before it starts.
pub fn check_cluster(cluster: &Cluster) -> Checked<Cluster> {
    let name = line(ClusterField::Name, &cluster.name)?;
    if name.is_empty() {
        return Err((ClusterField::Name, ClusterProblem::Empty));
    }
    if let (Some(from), Some(to)) = (cluster.period_from, cluster.period_to)
        && to < from
    {
        return Err((ClusterField::PeriodTo, ClusterProblem::EndsBeforeStart));
    }
    Ok(Cluster {
        id: cluster.id.clone(),
        name,
        county: line(ClusterField::County, &cluster.county)?,
        centre: line(ClusterField::Centre, &cluster.centre)?,
        process_leaders: line(ClusterField::ProcessLeaders, &cluster.process_leaders)?,
        period_from: cluster.period_from,
        period_to: cluster.period_to,
    })
}

/// A gathering's topics within a comment's limits.
pub fn check_topics(topics: &str) -> Checked<()> {
    comment(ClusterField::Topics, topics)
}

/// An attendance's counts within 0–`ATTENDANCE_MAX` and its note within a comment's limits.
pub fn check_attendance(attendance: &Attendance) -> Checked<()> {
    for (field, count) in [
        (ClusterField::Leaders, attendance.leaders),
        (ClusterField::KeyPersons, attendance.key_persons),
        (ClusterField::Staff, attendance.staff),
    ] {
        if count > ATTENDANCE_MAX {
            return Err((field, ClusterProblem::TooMany));
        }
    }
    comment(ClusterField::Note, &attendance.note)
}

/// A count of people as typed: empty is none, else a whole number up to `ATTENDANCE_MAX`.
pub fn parse_count(field: ClusterField, text: &str) -> Checked<u16> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    match text.parse::<u64>() {
        Ok(n) if n <= u64::from(ATTENDANCE_MAX) => Ok(n as u16),
        Ok(_) => Err((field, ClusterProblem::TooMany)),
        // Digits past what u64 holds are a count too many all the same.
        Err(_) if text.chars().all(|c| c.is_ascii_digit()) => Err((field, ClusterProblem::TooMany)),
        Err(_) => Err((field, ClusterProblem::NotACount)),
    }
}

/// What a gathering's attendance adds up to over the services of its cluster: people per
/// role, how many services sent anyone, and how many did the between-work (wholly, partly).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Turnout {
    pub leaders: u32,
    pub key_persons: u32,
    pub staff: u32,
    /// Services that sent at least one person.
    pub present: usize,
    /// Services with an attendance recorded, whatever it says.
    pub recorded: usize,
    pub between_done: usize,
    pub between_partly: usize,
    /// The services of the cluster, the whole the counts are out of.
    pub services: usize,
}

impl Turnout {
    /// Over the attendances of `service_ids` only: a service that has left the cluster since
    /// is not one of the whole it is counted out of.
    pub fn of(attendances: &[Attendance], service_ids: &[&str]) -> Turnout {
        let mut turnout = Turnout {
            services: service_ids.len(),
            ..Turnout::default()
        };
        for a in attendances
            .iter()
            .filter(|a| service_ids.contains(&a.service_id.as_str()))
        {
            turnout.leaders += u32::from(a.leaders);
            turnout.key_persons += u32::from(a.key_persons);
            turnout.staff += u32::from(a.staff);
            turnout.present += usize::from(a.people() > 0);
            turnout.recorded += 1;
            match a.between_work {
                Some(YesPartlyNo::Yes) => turnout.between_done += 1,
                Some(YesPartlyNo::Partly) => turnout.between_partly += 1,
                _ => {}
            }
        }
        turnout
    }

    pub fn people(&self) -> u32 {
        self.leaders + self.key_persons + self.staff
    }

    /// A gathering after `today` with nothing recorded for it yet (`planned`).
    pub fn planned(&self, held_on: NaiveDate, today: NaiveDate) -> bool {
        planned(held_on, today, self.recorded)
    }
}

/// A gathering after `today` with no attendance of its services recorded (`recorded`) yet:
/// its zeros are not known yet, they are not counted. The screens and the cluster report
/// decide by this one rule.
pub fn planned(held_on: NaiveDate, today: NaiveDate, recorded: usize) -> bool {
    held_on > today && recorded == 0
}

/// The letters services are shown by without their names (A, B, …, Z, AA, AB, …), for the
/// programme owner's view: given out in the order of the services' ids, which are random, so
/// the order says nothing of score, size or name, and one service has one letter on every
/// face of its cluster. Gives each of `ids` its letter, in the order given.
pub fn anonymous_letters(ids: &[&str]) -> Vec<String> {
    let mut sorted: Vec<&str> = ids.to_vec();
    sorted.sort_unstable();
    ids.iter()
        .map(|id| letter(sorted.binary_search(id).unwrap_or_default()))
        .collect()
}

/// 0 → A, 25 → Z, 26 → AA, as spreadsheets name their columns.
fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_letters_follow_the_ids_not_the_order_given() {
        let letters = anonymous_letters(&["c9", "0a", "7f"]);
        assert_eq!(letters, ["C", "A", "B"]);
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn record() -> Cluster {
        Cluster {
            id: "c".into(),
            name: " Innlandet\nsør ".into(),
            county: "Innlandet".into(),
            centre: "RBUP Øst og Sør".into(),
            process_leaders: "KL, MB".into(),
            period_from: Some(day("2026-01-01")),
            period_to: Some(day("2027-06-30")),
        }
    }

    #[test]
    fn a_record_is_tidied_and_its_period_may_not_end_before_it_starts() {
        let checked = check_cluster(&record()).unwrap();
        assert_eq!(checked.name, "Innlandet sør");
        assert_eq!(checked.centre, "RBUP Øst og Sør");

        let one_day = Cluster {
            period_to: Some(day("2026-01-01")),
            ..record()
        };
        assert!(check_cluster(&one_day).is_ok(), "from = to is a period");
        let open = Cluster {
            period_from: None,
            ..record()
        };
        assert!(check_cluster(&open).is_ok(), "either end may be unknown");

        let reversed = Cluster {
            period_to: Some(day("2025-12-31")),
            ..record()
        };
        assert_eq!(
            check_cluster(&reversed),
            Err((ClusterField::PeriodTo, ClusterProblem::EndsBeforeStart))
        );
        let nameless = Cluster {
            name: " \n ".into(),
            ..record()
        };
        assert_eq!(
            check_cluster(&nameless),
            Err((ClusterField::Name, ClusterProblem::Empty))
        );
        let long = Cluster {
            county: "x".repeat(TextKind::NAME_CHARS + 1),
            ..record()
        };
        assert_eq!(
            check_cluster(&long),
            Err((ClusterField::County, ClusterProblem::TooLong))
        );
        let turned = Cluster {
            process_leaders: "KL\u{202E}".into(),
            ..record()
        };
        assert_eq!(
            check_cluster(&turned),
            Err((
                ClusterField::ProcessLeaders,
                ClusterProblem::DirectionControl
            ))
        );
    }

    #[test]
    fn counts_are_held_to_0_through_1000_and_notes_to_a_comments_limit() {
        let mut attendance = Attendance {
            leaders: ATTENDANCE_MAX,
            key_persons: 2,
            staff: 14,
            ..Attendance::default()
        };
        assert_eq!(check_attendance(&attendance), Ok(()));
        assert_eq!(attendance.people(), 1016);
        attendance.key_persons = ATTENDANCE_MAX + 1;
        assert_eq!(
            check_attendance(&attendance),
            Err((ClusterField::KeyPersons, ClusterProblem::TooMany))
        );
        attendance.key_persons = 0;
        attendance.note = "x".repeat(TextKind::COMMENT_BYTES + 1);
        assert_eq!(
            check_attendance(&attendance),
            Err((ClusterField::Note, ClusterProblem::TooLong))
        );
        assert_eq!(
            check_topics(&"x".repeat(TextKind::COMMENT_BYTES + 1)),
            Err((ClusterField::Topics, ClusterProblem::TooLong))
        );
    }

    #[test]
    fn an_attendance_is_changed_part_by_part_and_empty_when_nothing_is_set() {
        let mut attendance = Attendance::default();
        assert!(attendance.is_empty());
        AttendanceField::BetweenWork(Some(YesPartlyNo::Partly)).apply(&mut attendance);
        assert!(!attendance.is_empty());
        AttendanceField::Staff(3).apply(&mut attendance);
        assert_eq!(attendance.staff, 3);
        AttendanceField::BetweenWork(None).apply(&mut attendance);
        AttendanceField::Staff(0).apply(&mut attendance);
        assert!(attendance.is_empty());
    }

    #[test]
    fn counts_are_typed_as_whole_numbers_up_to_the_most() {
        let field = ClusterField::Staff;
        assert_eq!(parse_count(field, " "), Ok(0));
        assert_eq!(parse_count(field, " 12 "), Ok(12));
        assert_eq!(parse_count(field, "1000"), Ok(1000));
        assert_eq!(
            parse_count(field, "1001"),
            Err((field, ClusterProblem::TooMany))
        );
        assert_eq!(
            parse_count(field, "99999999999999999999999"),
            Err((field, ClusterProblem::TooMany))
        );
        assert_eq!(
            parse_count(field, "3,5"),
            Err((field, ClusterProblem::NotACount))
        );
        assert_eq!(
            parse_count(field, "-1"),
            Err((field, ClusterProblem::NotACount))
        );
    }

    #[test]
    fn turnout_adds_up_the_services_of_the_cluster_only() {
        let at = |service: &str, leaders, staff, between| Attendance {
            service_id: service.into(),
            leaders,
            staff,
            between_work: between,
            ..Attendance::default()
        };
        let attendances = [
            at("a", 1, 4, Some(YesPartlyNo::Yes)),
            at("b", 2, 0, Some(YesPartlyNo::Partly)),
            // Nothing but the between-work: no one present from c.
            at("c", 0, 0, Some(YesPartlyNo::Yes)),
            at("gone", 5, 5, Some(YesPartlyNo::Yes)),
        ];
        let turnout = Turnout::of(&attendances, &["a", "b", "c", "d"]);
        assert_eq!(
            turnout,
            Turnout {
                leaders: 3,
                key_persons: 0,
                staff: 4,
                present: 2,
                recorded: 3,
                between_done: 2,
                between_partly: 1,
                services: 4,
            }
        );
        assert_eq!(turnout.people(), 7);
        // Ahead of today it is planned only while nothing is recorded.
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        assert!(!turnout.planned(day(10), day(9)));
        let none = Turnout::of(&attendances, &["d"]);
        assert!(none.planned(day(10), day(9)));
        assert!(!none.planned(day(9), day(9)), "today's is held");
        assert!(!none.planned(day(8), day(9)));
    }

    #[test]
    fn gathering_kinds_have_their_codes() {
        let codes: Vec<_> = GatheringKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, ["leaders", "joint", "digital"]);
        assert_eq!(
            GatheringKind::from_code("digital"),
            Some(GatheringKind::Digital)
        );
        assert_eq!(GatheringKind::from_code("other"), None);
    }
}
