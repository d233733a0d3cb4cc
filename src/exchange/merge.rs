//! The merge rule, once for every kind of row and every backend: the newer version wins; an
//! exact tie in time is settled by the content, so that both machines settle it the same way;
//! the older version goes into the history (or change log) as the old side of the change
//! that replaced it, dated when the newer was made. Both machines then write the same entry,
//! so after they have exchanged files both ways their histories agree (`docs/exchange.md`).

/// What the rule decides for a row that both this database and the file have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The same content: nothing to write, whatever the times.
    Same,
    /// The file's is newer: it replaces this database's, which goes into the history as the
    /// old side, dated at the file's time.
    Theirs,
    /// This database's is newer: it stays, and the file's goes into the history as the old
    /// side of the change to it, dated at this database's time, unless the history here
    /// already has the file's version at its time (then the file is only out of date).
    Ours,
}

/// Weighs this database's version (`ours`, made at `ours_at`) against the file's. Times are
/// in the one form `timestamp` writes, so that they order as text; content orders by `Ord`
/// (for a removed value, `None` sorts before any value of the same moment).
pub fn weigh<T: Ord + ?Sized>(ours_at: &str, ours: &T, theirs_at: &str, theirs: &T) -> Verdict {
    if ours == theirs {
        Verdict::Same
    } else if (theirs_at, theirs) > (ours_at, ours) {
        Verdict::Theirs
    } else {
        Verdict::Ours
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EARLY: &str = "2026-03-09T10:15:00.000Z";
    const LATE: &str = "2026-03-09T10:16:00.000Z";

    #[test]
    fn the_newer_wins_whatever_its_content() {
        assert_eq!(weigh(EARLY, &4, LATE, &2), Verdict::Theirs);
        assert_eq!(weigh(LATE, &2, EARLY, &4), Verdict::Ours);
    }

    #[test]
    fn a_tie_in_time_picks_the_same_winner_from_both_sides() {
        assert_eq!(weigh(EARLY, &2, EARLY, &4), Verdict::Theirs);
        assert_eq!(weigh(EARLY, &4, EARLY, &2), Verdict::Ours);
    }

    #[test]
    fn the_same_content_is_no_change_whatever_the_times() {
        assert_eq!(weigh(EARLY, "Ja", LATE, "Ja"), Verdict::Same);
        assert_eq!(weigh(LATE, "Ja", EARLY, "Ja"), Verdict::Same);
    }

    #[test]
    fn a_removal_is_older_than_a_value_of_the_same_moment() {
        assert_eq!(weigh(EARLY, &None, EARLY, &Some("x")), Verdict::Theirs);
        assert_eq!(weigh(EARLY, &Some("x"), EARLY, &None), Verdict::Ours);
    }
}
