//! Which keys each screen understands. The footer, the `?` help and the key dispatch all
//! read the same lists, so hints and behaviour cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Mode};

pub struct Command {
    pub keys: &'static [KeyCode],
    /// How the key is written in the footer and the help.
    pub label: &'static str,
    /// Key of the text that says what it does.
    pub text: &'static str,
    /// Key of a shorter text, for a footer without room for the whole one.
    pub short: Option<&'static str>,
    pub footer: bool,
    pub action: fn(KeyCode) -> Action,
    /// Whether the key writes to the database, or opens a form or an editor whose end does:
    /// on a database opened for reading only it says it cannot (`writes`).
    pub writes: bool,
}

impl Command {
    const fn short(self, text: &'static str) -> Command {
        Command {
            short: Some(text),
            ..self
        }
    }

    const fn writes(self) -> Command {
        Command {
            writes: true,
            ..self
        }
    }
}

const fn cmd(
    keys: &'static [KeyCode],
    label: &'static str,
    text: &'static str,
    footer: bool,
    action: fn(KeyCode) -> Action,
) -> Command {
    Command {
        keys,
        label,
        text,
        short: None,
        footer,
        action,
        writes: false,
    }
}

use KeyCode::{
    BackTab, Backspace, Char, Delete, Down, End, Enter, Esc, F, Home, Left, PageDown, PageUp,
    Right, Tab, Up,
};

const DIGITS: &[KeyCode] = &[
    Char('0'),
    Char('1'),
    Char('2'),
    Char('3'),
    Char('4'),
    Char('5'),
    Char('6'),
    Char('7'),
    Char('8'),
    Char('9'),
];
/// The digits of a 1–5 scale, and 0 that clears.
const SCALE_DIGITS: &[KeyCode] = DIGITS.split_at(6).0;

/// A digit typed: the value it chooses.
fn digit(key: KeyCode) -> Action {
    match key {
        Char(c) => Action::Choose(c.to_digit(10).unwrap_or(0) as u8),
        _ => Action::Choose(0),
    }
}

/// ← or h, → or l.
fn horizontal(key: KeyCode) -> Action {
    match key {
        Left | Char('h') => Action::Left,
        _ => Action::Right,
    }
}

/// Where a screen has a row of rounds to choose among.
const CHOOSE_ROUND: Command = cmd(&[Left, Right], "←→", "key.choose_round", true, horizontal);
// The cluster's year steps through gatherings, and labels of rounds not tied to one yet.
const CHOOSE_POINT: Command =
    cmd(&[Left, Right], "←→", "key.choose_point", true, horizontal).short("key.choose_point_short");

fn vertical(key: KeyCode) -> Action {
    match key {
        Up | Char('k') => Action::Up,
        PageUp => Action::PageUp,
        PageDown => Action::PageDown,
        Home => Action::Home,
        End => Action::End,
        _ => Action::Down,
    }
}

const HELP: Command = cmd(&[Char('?'), F(1)], "? F1", "key.help", true, |_| {
    Action::ToggleHelp
});
/// Where text is typed, `?` is a letter: F1 is the way to the help there.
const HELP_TYPING: Command = cmd(&[F(1)], "F1", "key.help", true, |_| Action::ToggleHelp);
const QUIT: Command = cmd(&[Char('q')], "q", "key.quit", true, |_| Action::Quit);
const BACK: Command = cmd(&[Esc], "Esc", "key.back", true, |_| Action::Back);
/// Esc where nothing lies beneath: answering alone, it ends the program.
const END: Command = cmd(&[Esc], "Esc", "key.end", true, |_| Action::Back);
const MOVE: Command = cmd(
    &[Up, Down, Char('k'), Char('j'), Home, End],
    "↑↓",
    "key.move",
    false,
    vertical,
);

// A round's summary, roles and joint review: the same keys on its row of the rounds list as on
// its respondents list.
const ROUND_SUMMARY: Command = cmd(&[Char('s')], "s", "key.summary_round", true, |_| {
    Action::Summary
})
.short("key.summary_own");
const ROUND_ROLES: Command =
    cmd(&[Char('r')], "r", "key.roles", true, |_| Action::Roles).short("key.roles_short");
const ROUND_REVIEW: Command =
    cmd(&[Char('k')], "k", "key.review", true, |_| Action::Review).short("key.review_short");
const ROUND_NEEDS: Command =
    cmd(&[Char('b')], "b", "key.needs", true, |_| Action::Needs).short("key.needs_short");
// The round's positions against the 2031 competence requirement, from both lists too.
const ROUND_POSITIONS: Command = cmd(&[Char('w')], "w", "key.positions", true, |_| {
    Action::Positions
})
.short("key.positions_short");

// On every list whose rows can be erased; the status line then asks first (`CONFIRM_ERASE`).
const ERASE: Command = cmd(&[Delete, Backspace], "Del", "key.erase", true, |_| {
    Action::Erase
})
.writes();

// The cluster's year, from the services list and from the cluster overview.
const YEAR: Command = cmd(&[Char('a')], "a", "key.cluster_year", true, |_| {
    Action::Year
})
.short("key.cluster_year_short");

const SERVICES: &[Command] = &[
    cmd(&[Enter], "Enter", "key.open", true, |_| Action::Open),
    cmd(&[Char('n')], "n", "key.new_service", true, |_| Action::New).writes(),
    cmd(&[Char('e')], "e", "key.edit", true, |_| Action::Edit).writes(),
    cmd(&[Char('o')], "o", "key.overview", true, |_| {
        Action::Overview
    }),
    YEAR,
    ERASE,
    MOVE,
    QUIT,
    HELP,
];

// Most important first: the footer shows as many as fit, from the top.
const ROUNDS: &[Command] = &[
    cmd(&[Enter], "Enter", "key.open", true, |_| Action::Open),
    cmd(&[Char('n')], "n", "key.new_round", true, |_| Action::New).writes(),
    ROUND_SUMMARY,
    cmd(&[Char('c')], "c", "key.compare", true, |_| Action::Compare),
    BACK,
    cmd(&[Char('t')], "t", "key.trend", true, |_| Action::Trend),
    cmd(&[Char('g')], "g", "key.goals", true, |_| Action::Goals),
    cmd(&[Char('f')], "f", "key.stage", true, |_| Action::Stage).writes(),
    // The round's roles and joint review, as on its respondents list; before MOVE, which
    // would take `k` as up.
    ROUND_ROLES,
    ROUND_REVIEW,
    ROUND_NEEDS,
    ROUND_POSITIONS,
    // The gathering of its cluster the round is tied to.
    cmd(&[Char('m')], "m", "key.tie_round", true, |_| Action::Tie)
        .short("key.tie_round_short")
        .writes(),
    ERASE,
    MOVE,
    QUIT,
    HELP,
];

const RESPONDENTS: &[Command] = &[
    cmd(&[Enter], "Enter", "key.continue_walk", true, |_| {
        Action::Open
    })
    .short("key.continue_short"),
    cmd(&[Char('n')], "n", "key.new_respondent", true, |_| {
        Action::New
    })
    .writes(),
    ROUND_SUMMARY,
    BACK,
    ROUND_ROLES,
    ROUND_REVIEW,
    ROUND_NEEDS,
    ROUND_POSITIONS,
    ERASE,
    MOVE,
    QUIT,
    HELP,
];

/// The walk's keys, with `back` for Esc: back to the list, or, answering alone, the end.
const fn walk(back: Command) -> [Command; 14] {
    [
        cmd(DIGITS, "0–5", "key.answer_digit", true, digit).writes(),
        cmd(
            &[Left, Right, Char('h'), Char('l')],
            "←→",
            "key.choose",
            false,
            horizontal,
        ),
        cmd(&[Enter], "Enter", "key.save_choice", false, |_| {
            Action::Confirm
        })
        .writes(),
        cmd(&[Char('v')], "v", "key.dont_know", true, |_| {
            Action::DontKnow
        })
        .writes(),
        cmd(&[Char('i')], "i", "key.not_applicable", true, |_| {
            Action::NotApplicable
        })
        .writes(),
        cmd(&[Char('c')], "c", "key.comment", true, |_| Action::Comment).writes(),
        back,
        cmd(&[Char('u')], "u", "key.next_unanswered", true, |_| {
            Action::NextUnanswered
        }),
        cmd(&[Char('s')], "s", "key.summary_own", true, |_| {
            Action::Summary
        }),
        cmd(
            &[Up, Down, Char('k'), Char('j')],
            "↑↓",
            "key.prev_next_item",
            false,
            vertical,
        ),
        cmd(
            &[PageUp, PageDown],
            "PgUp PgDn",
            "key.prev_next_section",
            false,
            vertical,
        ),
        cmd(
            &[Delete, Backspace],
            "Del",
            "key.clear_answer",
            false,
            |_| Action::Clear,
        )
        .writes(),
        QUIT,
        HELP,
    ]
}

const WALK: &[Command] = &walk(BACK);
/// Answering alone by code: there is nothing to go back to, so Esc ends.
const OWN_WALK: &[Command] = &walk(END);

/// Scrolling a summary's table.
const SCROLL: Command = cmd(
    &[Up, Down, Char('k'), Char('j'), Home, End, PageUp, PageDown],
    "↑↓",
    "key.scroll",
    true,
    vertical,
);

const SUMMARY: &[Command] = &[
    cmd(&[Char('p')], "p", "key.plan", true, |_| Action::Plan).short("key.plan_short"),
    cmd(&[Char('a')], "a", "key.toggle_consultant", false, |_| {
        Action::ToggleConsultant
    }),
    SCROLL,
    BACK,
    ROUND_NEEDS,
    ROUND_POSITIONS,
    QUIT,
    HELP,
];

const COMPARE: &[Command] = &[
    cmd(&[Tab], "Tab", "key.next_view", true, |_| Action::NextTab),
    cmd(&[Enter], "Enter", "key.details", true, |_| Action::Open),
    cmd(&[Char('p')], "p", "key.plan", true, |_| Action::Plan).short("key.plan_short"),
    BACK,
    cmd(&[Char('f')], "f", "key.cycle_from", true, |_| {
        Action::CycleFrom
    }),
    cmd(&[Char('t')], "t", "key.cycle_to", true, |_| Action::CycleTo),
    cmd(&[Char('a')], "a", "key.toggle_consultant", true, |_| {
        Action::ToggleConsultant
    }),
    cmd(
        &[Up, Down, Char('k'), Char('j'), Home, End, PageUp, PageDown],
        "↑↓",
        "key.scroll",
        false,
        vertical,
    ),
    QUIT,
    HELP,
];

const TREND: &[Command] = &[
    cmd(&[Tab], "Tab", "key.trend_requirement", true, |_| {
        Action::NextTab
    })
    .short("key.trend_requirement_short"),
    BACK,
    QUIT,
    HELP,
];

const TREND_REQUIREMENT: &[Command] = &[
    cmd(&[Tab], "Tab", "key.trend_scores", true, |_| Action::NextTab).short("key.scores_short"),
    BACK,
    SCROLL,
    QUIT,
    HELP,
];

const PLAN: &[Command] = &[
    cmd(&[Char('b')], "b", "key.new_barrier", true, |_| {
        Action::NewBarrier
    })
    .writes(),
    cmd(&[Char('s')], "s", "key.new_strategy", true, |_| {
        Action::NewStrategy
    })
    .writes(),
    cmd(&[Char('m')], "m", "key.new_measure", true, |_| {
        Action::NewMeasure
    })
    .writes(),
    cmd(&[Char('d')], "d", "key.toggle_done", true, |_| {
        Action::ToggleDone
    })
    .writes(),
    cmd(&[Char('n')], "n", "key.measure_from_need", true, |_| {
        Action::MeasureFromNeed
    })
    .short("key.measure_from_need_short")
    .writes(),
    cmd(&[Char('e')], "e", "key.edit", true, |_| Action::Edit).writes(),
    BACK,
    ERASE,
    MOVE,
    QUIT,
    HELP,
];

const GOALS: &[Command] = &[
    cmd(&[Char('n')], "n", "key.new_goal", true, |_| Action::New).writes(),
    cmd(&[Enter], "Enter", "key.cycle_status", true, |_| {
        Action::Confirm
    })
    .short("key.cycle_status_short")
    .writes(),
    CHOOSE_ROUND,
    BACK,
    ERASE,
    MOVE,
    QUIT,
    HELP,
];

const POSITIONS: &[Command] = &[
    cmd(&[Char('n')], "n", "key.new_position", true, |_| Action::New)
        .short("key.new_short")
        .writes(),
    cmd(&[Enter], "Enter", "key.edit_position", true, |_| {
        Action::Edit
    })
    .short("key.edit")
    .writes(),
    BACK,
    cmd(
        &[Delete, Backspace],
        "Del",
        "key.remove_position",
        true,
        |_| Action::Erase,
    )
    .short("key.remove_short")
    .writes(),
    MOVE,
    QUIT,
    HELP,
];

const REVIEW: &[Command] = &[
    cmd(DIGITS, "0–5", "key.set_consensus", true, digit)
        .short("key.set_consensus_short")
        .writes(),
    cmd(
        &[Delete, Backspace],
        "Del",
        "key.clear_consensus",
        true,
        |_| Action::Clear,
    )
    .short("key.clear_consensus_short")
    .writes(),
    BACK,
    MOVE,
    QUIT,
    HELP,
];

// The cluster overview and its needs view without the services' names, for the programme
// owner and the county governor.
const ANONYMOUS: Command = cmd(&[Char('p')], "p", "key.anonymous", true, |_| {
    Action::Anonymous
})
.short("key.anonymous_short");

const CLUSTER: &[Command] = &[
    cmd(&[Enter], "Enter", "key.open_comparison", true, |_| {
        Action::Open
    })
    .short("key.compare"),
    CHOOSE_POINT,
    cmd(&[Tab], "Tab", "key.cluster_needs", true, |_| {
        Action::NextTab
    })
    .short("key.needs_short"),
    BACK,
    YEAR,
    cmd(DIGITS, "1–6 0", "key.sort", true, digit).short("key.sort_short"),
    ANONYMOUS,
    MOVE,
    QUIT,
    HELP,
];

const CLUSTER_YEAR: &[Command] = &[
    cmd(&[Enter], "Enter", "key.open_gathering", true, |_| {
        Action::Open
    })
    .short("key.open_gathering_short"),
    cmd(&[Char('n')], "n", "key.new_gathering", true, |_| {
        Action::New
    })
    .short("key.new_gathering_short")
    .writes(),
    cmd(&[Char('e')], "e", "key.edit_cluster", true, |_| {
        Action::Edit
    })
    .short("key.edit_cluster_short")
    .writes(),
    BACK,
    ERASE,
    MOVE,
    QUIT,
    HELP,
];

const GATHERING: &[Command] = &[
    cmd(&[Enter], "Enter", "key.attendance", true, |_| Action::Open)
        .short("key.attendance_short")
        .writes(),
    cmd(&[Char('e')], "e", "key.edit_gathering", true, |_| {
        Action::Edit
    })
    .short("key.edit")
    .writes(),
    BACK,
    MOVE,
    QUIT,
    HELP,
];

const NEEDS: &[Command] = &[
    cmd(SCALE_DIGITS, "1–5 0", "key.need_value", true, digit)
        .short("key.need_value_short")
        .writes(),
    cmd(&[Left, Right], "←→", "key.need_column", true, horizontal).short("key.need_column_short"),
    // Esc before the rest, so that a narrow footer still shows the way back.
    BACK,
    cmd(&[Char('t')], "t", "key.top_three", true, |_| {
        Action::ToggleDone
    })
    .short("key.top_three_short")
    .writes(),
    cmd(&[Char('w')], "w", "key.need_who", true, |_| Action::CycleTo)
        .short("key.need_who_short")
        .writes(),
    cmd(&[Enter], "Enter", "key.need_missing", true, |_| {
        Action::Open
    })
    .short("key.need_missing_short")
    .writes(),
    cmd(&[Char('n')], "n", "key.own_area", true, |_| Action::New).writes(),
    cmd(&[Char('x')], "x", "key.expectations", true, |_| {
        Action::Expectations
    })
    .writes(),
    cmd(&[Char('f')], "f", "key.facts", true, |_| Action::Facts).writes(),
    cmd(&[Char('g')], "g", "key.need_sort", true, |_| {
        Action::NextTab
    })
    .short("key.need_sort_short"),
    MOVE,
    QUIT,
    HELP,
];

const CLUSTER_NEEDS: &[Command] = &[
    cmd(&[Tab], "Tab", "key.cluster_scores", true, |_| {
        Action::NextTab
    })
    .short("key.scores_short"),
    CHOOSE_POINT,
    BACK,
    ANONYMOUS,
    MOVE,
    QUIT,
    HELP,
];

const ROLES: &[Command] = &[
    cmd(&[Char('+')], "+", "key.min_group_up", true, |_| {
        Action::Increase
    })
    .short("key.min_group_up_short"),
    cmd(&[Char('-')], "-", "key.min_group_down", true, |_| {
        Action::Decrease
    })
    .short("key.min_group_down_short"),
    BACK,
    QUIT,
    HELP,
];

const FORM: &[Command] = &[
    cmd(&[Enter], "Enter", "key.save", true, |_| Action::Submit).writes(),
    cmd(&[Tab], "Tab", "key.next_field", true, |_| Action::NextField),
    cmd(&[Esc], "Esc", "key.cancel", true, |_| Action::Back),
    cmd(&[Left, Right], "←→", "key.choose_option", true, horizontal),
    cmd(&[BackTab], "Shift-Tab", "key.prev_field", false, |_| {
        Action::PrevField
    }),
    cmd(&[Up, Down], "↑↓", "key.form_vertical", false, vertical),
    HELP_TYPING,
];

const COMMENT: &[Command] = &[
    cmd(&[Esc], "Esc", "key.save_close", true, |_| Action::Back),
    cmd(&[], "Ctrl-S", "key.save_close", false, |_| Action::Back),
    cmd(&[Enter], "Enter", "key.new_line", true, |key| {
        Action::Type(KeyEvent::from(key))
    }),
    HELP_TYPING,
];

const HELP_OPEN: &[Command] = &[
    cmd(
        &[Esc, Char('?'), Char('q'), F(1)],
        "Esc",
        "key.close_help",
        true,
        |_| Action::ToggleHelp,
    ),
    cmd(
        &[Up, Down, Char('k'), Char('j'), Home, End, PageUp, PageDown],
        "↑↓",
        "key.scroll",
        true,
        vertical,
    ),
];

/// The question about a comment kept when kartlegg was stopped: Esc never gives it up.
const RECOVER: &[Command] = &[
    cmd(&[Enter], "Enter", "wip.key_restore", true, |_| {
        Action::Confirm
    })
    .writes(),
    cmd(&[Delete, Backspace], "Del", "wip.key_discard", true, |_| {
        Action::Clear
    })
    .writes(),
    cmd(&[Esc], "Esc", "wip.key_later", true, |_| Action::Back),
    QUIT,
    HELP,
];

const OWN_SUMMARY: &[Command] = &[SCROLL, BACK, QUIT, HELP];

/// Where the code is typed (`kartlegg answer`): every letter is the code's, Esc ends.
const CODE: &[Command] = &[
    cmd(&[Enter], "Enter", "key.log_in", true, |_| Action::Submit),
    END,
    HELP_TYPING,
];

/// The question whether to erase: j (ja) or y (yes) erases, n or Esc keeps; other keys wait.
const CONFIRM_ERASE: &[Command] = &[
    cmd(
        &[Char('j'), Char('y')],
        "j/y",
        "key.erase_yes",
        true,
        |_| Action::Confirm,
    ),
    cmd(&[Char('n'), Esc], "n/Esc", "key.erase_no", true, |_| {
        Action::Back
    }),
    QUIT,
    HELP,
];

/// Any key closes the details; Esc is the one the footer names.
const DETAILS: &[Command] = &[cmd(&[Esc, Enter], "Esc", "key.close", true, |_| {
    Action::Back
})];

pub fn commands(mode: Mode) -> &'static [Command] {
    match mode {
        Mode::Services => SERVICES,
        Mode::Rounds => ROUNDS,
        Mode::Respondents => RESPONDENTS,
        Mode::Walk => WALK,
        Mode::Summary => SUMMARY,
        Mode::Form => FORM,
        Mode::Comment => COMMENT,
        Mode::Compare => COMPARE,
        Mode::Trend => TREND,
        Mode::TrendRequirement => TREND_REQUIREMENT,
        Mode::Cluster => CLUSTER,
        Mode::ClusterNeeds => CLUSTER_NEEDS,
        Mode::ClusterYear => CLUSTER_YEAR,
        Mode::Gathering => GATHERING,
        Mode::Needs => NEEDS,
        Mode::Roles => ROLES,
        Mode::Plan => PLAN,
        Mode::Goals => GOALS,
        Mode::Positions => POSITIONS,
        Mode::Review => REVIEW,
        Mode::CompareDetails => DETAILS,
        Mode::Recover => RECOVER,
        Mode::Code => CODE,
        Mode::OwnSummary => OWN_SUMMARY,
        Mode::OwnWalk => OWN_WALK,
        Mode::ConfirmErase => CONFIRM_ERASE,
        Mode::Help => HELP_OPEN,
    }
}

/// Whether `action` in `mode` writes, or opens what writes: the one place that decides it for
/// a database opened for reading only. The typing of a form or the editor never gets there.
pub fn writes(mode: Mode, action: &Action) -> bool {
    commands(mode)
        .iter()
        .filter(|c| c.writes)
        .any(|c| c.keys.iter().any(|&key| (c.action)(key) == *action))
}

/// The action a key press asks for in `mode`. Where text is typed, a key no command
/// claims is typing, and `?` or `q` are letters like any other.
pub fn action_for(mode: Mode, key: KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == Char('c') {
        return Some(Action::Quit);
    }
    if mode == Mode::CompareDetails {
        return Some(Action::Back);
    }
    let typing = matches!(mode, Mode::Form | Mode::Comment | Mode::Code);
    if typing && ctrl && key.code == Char('s') {
        return Some(if mode == Mode::Comment {
            Action::Back
        } else {
            Action::Submit
        });
    }
    let plain = !ctrl && !key.modifiers.contains(KeyModifiers::ALT);
    let command = commands(mode)
        .iter()
        .filter(|c| plain && !(typing && matches!(c.keys, [Char(_), ..])))
        .find(|c| c.keys.contains(&key.code));
    match command {
        Some(command) => Some((command.action)(key.code)),
        None if typing => Some(Action::Type(key)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::from(code)
    }

    #[test]
    fn digits_answer_in_the_walk() {
        assert_eq!(
            action_for(Mode::Walk, press(Char('4'))),
            Some(Action::Choose(4))
        );
        assert_eq!(
            action_for(Mode::Walk, press(Char('v'))),
            Some(Action::DontKnow)
        );
        assert_eq!(action_for(Mode::Walk, press(Up)), Some(Action::Up));
        assert_eq!(
            action_for(Mode::Walk, press(PageDown)),
            Some(Action::PageDown)
        );
        assert_eq!(action_for(Mode::Walk, press(Char('z'))), None);
    }

    #[test]
    fn roles_and_review_on_the_rounds_list_as_on_the_respondents_list() {
        for mode in [Mode::Rounds, Mode::Respondents] {
            assert_eq!(action_for(mode, press(Char('r'))), Some(Action::Roles));
            assert_eq!(action_for(mode, press(Char('k'))), Some(Action::Review));
            assert_eq!(action_for(mode, press(Char('w'))), Some(Action::Positions));
        }
    }

    #[test]
    fn letters_are_typing_in_forms() {
        assert!(matches!(
            action_for(Mode::Form, press(Char('q'))),
            Some(Action::Type(_))
        ));
        assert!(matches!(
            action_for(Mode::Comment, press(Char('?'))),
            Some(Action::Type(_))
        ));
        assert!(matches!(
            action_for(Mode::Comment, press(Enter)),
            Some(Action::Type(_))
        ));
        assert_eq!(action_for(Mode::Form, press(Enter)), Some(Action::Submit));
        assert_eq!(action_for(Mode::Comment, press(Esc)), Some(Action::Back));
    }

    const EVERY_MODE: [Mode; 26] = [
        Mode::Services,
        Mode::Rounds,
        Mode::Respondents,
        Mode::Walk,
        Mode::Summary,
        Mode::Form,
        Mode::Comment,
        Mode::Compare,
        Mode::Trend,
        Mode::TrendRequirement,
        Mode::Cluster,
        Mode::ClusterNeeds,
        Mode::ClusterYear,
        Mode::Gathering,
        Mode::Needs,
        Mode::Roles,
        Mode::Plan,
        Mode::Goals,
        Mode::Positions,
        Mode::Review,
        Mode::Recover,
        Mode::Code,
        Mode::OwnSummary,
        Mode::OwnWalk,
        Mode::ConfirmErase,
        Mode::Help,
    ];

    #[test]
    fn f1_opens_and_closes_the_help_everywhere_also_where_text_is_typed() {
        for mode in EVERY_MODE {
            assert_eq!(
                action_for(mode, press(F(1))),
                Some(Action::ToggleHelp),
                "{mode:?}"
            );
            // And the footer and help say so (the open help says how it closes).
            assert!(
                mode == Mode::Help
                    || commands(mode)
                        .iter()
                        .any(|c| c.keys.contains(&F(1)) && c.label.contains("F1")),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn the_keys_that_write_are_known_and_those_that_only_read_are_not_among_them() {
        let writes_in =
            |mode, code| action_for(mode, press(code)).is_some_and(|a| writes(mode, &a));
        for code in [Char('4'), Char('v'), Char('i'), Char('c'), Enter, Delete] {
            assert!(writes_in(Mode::Walk, code), "{code:?}");
        }
        for (mode, code) in [
            (Mode::Services, Char('n')),
            (Mode::Services, Char('e')),
            (Mode::Rounds, Char('n')),
            (Mode::Rounds, Char('f')),
            (Mode::Respondents, Char('n')),
            (Mode::Plan, Char('b')),
            (Mode::Plan, Char('d')),
            (Mode::Plan, Char('n')),
            (Mode::Goals, Enter),
            (Mode::Positions, Char('n')),
            (Mode::Positions, Enter),
            (Mode::Positions, Delete),
            (Mode::Review, Char('3')),
            (Mode::Review, Delete),
            (Mode::ClusterYear, Char('n')),
            (Mode::ClusterYear, Char('e')),
            (Mode::Gathering, Enter),
            (Mode::Form, Enter),
            (Mode::Recover, Enter),
        ] {
            assert!(writes_in(mode, code), "{mode:?} {code:?}");
        }
        for (mode, code) in [
            (Mode::Walk, Up),
            (Mode::Walk, PageDown),
            (Mode::Walk, Char('s')),
            (Mode::Walk, Char('u')),
            (Mode::Services, Enter),
            (Mode::Rounds, Enter),
            (Mode::Rounds, Char('c')),
            (Mode::Respondents, Enter),
            (Mode::Summary, Char('p')),
            (Mode::Compare, Char('f')),
            (Mode::Goals, Right),
            (Mode::Cluster, Char('3')),
            (Mode::Roles, Char('+')),
            (Mode::Rounds, Char('w')),
            (Mode::Positions, Down),
            (Mode::Services, Char('a')),
            (Mode::Cluster, Char('a')),
            (Mode::ClusterYear, Enter),
        ] {
            assert!(!writes_in(mode, code), "{mode:?} {code:?}");
        }
    }

    #[test]
    fn ctrl_c_quits_everywhere() {
        let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        for mode in [
            Mode::Services,
            Mode::Form,
            Mode::Comment,
            Mode::Walk,
            Mode::Code,
            Mode::Help,
        ] {
            assert_eq!(action_for(mode, ctrl_c), Some(Action::Quit));
        }
    }

    #[test]
    fn every_footer_has_help_or_a_way_out() {
        for mode in EVERY_MODE {
            let list = commands(mode);
            assert!(
                list.iter()
                    .any(|c| c.footer && c.keys.contains(&Esc) || c.keys.contains(&Char('?'))),
                "{mode:?}"
            );
        }
    }
}
