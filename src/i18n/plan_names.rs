//! The text keys of the plan vocabulary, in one place for the screens and the reports.

use crate::domain::plan::{GoalStatus, Level, PlanKind, Stage};

pub fn stage_key(stage: Stage) -> &'static str {
    match stage {
        Stage::Agenda => "stage.agenda",
        Stage::FindMeasures => "stage.find_measures",
        Stage::Adapt => "stage.adapt",
        Stage::Decide => "stage.decide",
        Stage::Prepare => "stage.prepare",
        Stage::Routines => "stage.routines",
    }
}

pub fn level_key(level: Level) -> &'static str {
    match level {
        Level::System => "level.system",
        Level::Organisation => "level.organisation",
        Level::Team => "level.team",
        Level::Individual => "level.individual",
    }
}

pub fn goal_status_key(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Not => "goal_status.not",
        GoalStatus::Partly => "goal_status.partly",
        GoalStatus::Achieved => "goal_status.achieved",
    }
}

/// The status in one word, for the goal matrix's narrow columns.
pub fn goal_status_short_key(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Not => "goal_status_short.not",
        GoalStatus::Partly => "goal_status_short.partly",
        GoalStatus::Achieved => "goal_status_short.achieved",
    }
}

/// A symbol per status, so the matrix reads without colour: ○ not, ◐ partly, ● achieved.
pub fn goal_status_symbol(status: GoalStatus) -> &'static str {
    match status {
        GoalStatus::Not => "○",
        GoalStatus::Partly => "◐",
        GoalStatus::Achieved => "●",
    }
}

pub fn plan_kind_key(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::Barrier => "plan_kind.barrier",
        PlanKind::Strategy => "plan_kind.strategy",
        PlanKind::Measure => "plan_kind.measure",
    }
}
