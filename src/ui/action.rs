//! What a key asks for (`Action`) and which key list applies (`Mode`): the messages every
//! screen, the keys and the router share.

use crossterm::event::KeyEvent;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    ToggleHelp,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Left,
    Right,
    Open,
    New,
    Edit,
    Summary,
    Choose(u8),
    Confirm,
    DontKnow,
    NotApplicable,
    Clear,
    Comment,
    NextUnanswered,
    NextField,
    PrevField,
    Submit,
    Type(KeyEvent),
    Paste(String),
    Compare,
    Trend,
    Overview,
    Roles,
    NextTab,
    CycleFrom,
    CycleTo,
    Increase,
    Decrease,
    /// Sent by the event loop when a while passed without a key: a held write is tried
    /// again, and the verdict of the database's check is heard.
    Tick,
    Plan,
    NewBarrier,
    NewStrategy,
    NewMeasure,
    /// A measure started from one of the service's competence needs.
    MeasureFromNeed,
    ToggleDone,
    Goals,
    /// The round's positions against the 2031 competence requirement.
    Positions,
    Stage,
    /// The year of a cluster: its gatherings and services.
    Year,
    /// The round's joint review: its answers without names, and the consensus.
    Review,
    /// A round's competence needs.
    Needs,
    /// The form of a round's expectations of the programme, and of its facts.
    Expectations,
    Facts,
    /// Pool the process leader's answers into the service's scores, or set them apart.
    ToggleConsultant,
    /// Tie the selected round to a gathering of its cluster, or let it go.
    Tie,
    /// Show the services without their names, or with them again.
    Anonymous,
    /// Erase the selected thing, once the status line's question is answered yes.
    Erase,
    /// The terminal has this size now (columns, rows).
    Resize(u16, u16),
}

/// Which key list applies; derived from the state, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Services,
    Rounds,
    Respondents,
    Walk,
    Summary,
    Form,
    Comment,
    Compare,
    Trend,
    /// The trend's second face: positions against 2031 and the facts, round by round.
    TrendRequirement,
    Cluster,
    /// The cluster overview's needs view.
    ClusterNeeds,
    ClusterYear,
    /// One gathering of a cluster and its attendance.
    Gathering,
    Needs,
    Roles,
    Plan,
    Goals,
    Positions,
    Review,
    /// The details of a comparison's row, over the table: any key closes them.
    CompareDetails,
    /// The question, over the first screen, what to do with a comment kept in a recovery
    /// file when kartlegg was last stopped.
    Recover,
    /// The first screen of `kartlegg answer`, where the code is typed.
    Code,
    /// A respondent's own summary, answering alone by code: nothing opens from it.
    OwnSummary,
    /// The walk, answering alone by code: Esc ends the program.
    OwnWalk,
    /// The status line asks whether to erase the selected thing: yes or no.
    ConfirmErase,
    Help,
}
