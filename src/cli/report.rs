//! `kartlegg report`: a report to bring to a gathering, as Markdown or as one
//! self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched), readable in
//! a browser and on paper. Every chart has a text alternative and its numbers in a table.

use std::fmt::Write as _;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::compare::tables::{
    consultant_table, counted_note, dont_know_table, dont_know_total, items_table,
    not_comparable_table, paired_note, paired_table, roles_table, sections_table,
};
use super::files::{is_database_file, write_failed, write_private};
use super::report_model::{
    Align, Bar, Block, Chart, Table, consensus_cell, escape_html, legend, quoted, role_name,
};
use crate::domain::compare::{DEFAULT_MIN_GROUP, Options, RoleGroup, by_role, spreads};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Role, Service};
use crate::domain::plan::{GoalStatus, PlanItem, PlanKind, measure_counts};
use crate::domain::scoring::summarize;
use crate::domain::trend::{TrendRow, scored_counts, trend};
use crate::i18n::plan_names::{
    goal_status_key, goal_status_symbol, level_key, plan_kind_key, stage_key,
};
use crate::i18n::{Lang, tr, trf};
use crate::present::{self, percent, section_name, subdomain_name};
use crate::store::{Store, StoreError};
use crate::usecase::comparison::{ComparisonModel, ComparisonRows};
use crate::usecase::rounds::{PlanData, RoundData, find_rounds};

/// How many of the items that moved most the report lists.
const MOVED_ITEMS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    /// One self-contained file for a browser and for print
    Html,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The service: its id, or its name in any case
    #[arg(long, value_name = "NAME_OR_ID")]
    pub service: String,

    /// A round to include, by label in any case or id; repeat it, or give several
    /// [default: every round of the service]
    #[arg(long = "round", value_name = "ROUND", num_args = 1..)]
    pub rounds: Vec<String>,

    #[arg(long, value_enum)]
    pub format: Format,

    /// The file to write (created readable by its owner alone; an old report is replaced)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Role groups with fewer respondents show their n only, no scores
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_GROUP, value_parser = super::compare::parse_min_group)]
    pub min_group: usize,

    /// Pool the process leader's (consultant's) answers into the service's scores; by
    /// default they are shown apart
    #[arg(long)]
    pub with_consultant: bool,
}

pub fn run(
    store: &Store,
    instrument: &Instrument,
    lang: Lang,
    request: &ReportArgs,
    today: NaiveDate,
) -> ExitCode {
    let (service, rounds, plan) = match find_rounds(store, &request.service, &request.rounds) {
        Ok(found) => found,
        Err(e) => return super::report_model::lookup_failed(lang, &e),
    };
    if rounds.is_empty() {
        super::complain(&trf(
            lang,
            "report.no_rounds",
            &[("service", &quoted(lang, &service.name))],
        ));
        return ExitCode::from(super::exit::FAILURE);
    }
    if is_database_file(&request.out, store.path()) {
        super::complain(&trf(
            lang,
            "report.out_is_database",
            &[("path", &request.out.display())],
        ));
        return ExitCode::from(super::exit::FAILURE);
    }
    let report = Report {
        instrument,
        lang,
        service: &service,
        rounds: &rounds,
        plan: &plan,
        min_group: request.min_group,
        options: Options {
            with_consultant: request.with_consultant,
        },
        today,
    };
    let blocks = report.blocks();
    let text = match request.format {
        Format::Markdown => super::compare::markdown::document(&report.title(), &blocks),
        Format::Html => html(lang, &report.title(), &blocks),
    };
    let written = write_private(&request.out, |out, path| {
        out.write_all(text.as_bytes())
            .map_err(|source| StoreError::Io {
                path: path.to_path_buf(),
                source,
            })
    });
    match written {
        Ok(()) => {
            println!(
                "{}",
                trf(lang, "report.written", &[("path", &request.out.display())])
            );
            ExitCode::SUCCESS
        }
        Err(e) => write_failed(lang, &e),
    }
}

struct Report<'a> {
    instrument: &'a Instrument,
    lang: Lang,
    service: &'a Service,
    rounds: &'a [RoundData],
    plan: &'a PlanData,
    min_group: usize,
    options: Options,
    today: NaiveDate,
}

impl Report<'_> {
    fn title(&self) -> String {
        trf(
            self.lang,
            "report.title",
            &[("service", &quoted(self.lang, &self.service.name))],
        )
    }

    fn tr(&self, key: &str) -> String {
        tr(self.lang, key).to_string()
    }

    fn blocks(&self) -> Vec<Block> {
        let lang = self.lang;
        let mut blocks = vec![Block::Paragraph(self.meta())];
        blocks.push(Block::Table(self.rounds_table(), "rounds"));
        blocks.push(Block::Note(present::rules_note(lang)));
        blocks.push(Block::Note(self.tr("report.bands_note")));
        blocks.push(Block::Note(legend(lang)));

        let first = &self.rounds[0];
        let last = &self.rounds[self.rounds.len() - 1];
        let comparison = (self.rounds.len() > 1).then(|| {
            let model =
                ComparisonModel::new(self.instrument, self.service, first, last, self.options);
            ComparisonRows::new(self.instrument, lang, &model, self.min_group)
        });

        // The comparison of the first and the last round.
        match &comparison {
            Some(model) => {
                blocks.push(Block::Heading(
                    trf(
                        lang,
                        "report.compare_heading",
                        &[("from", &first.round.label), ("to", &last.round.label)],
                    ),
                    "comparison",
                ));
                if let Some(note) = counted_note(lang, model) {
                    blocks.push(Block::Paragraph(note));
                }
                blocks.push(Block::Note(present::change_legend(lang)));
                blocks.push(Block::Chart(self.comparison_chart(model)));
                blocks.push(Block::Table(sections_table(lang, model), "scores"));
                if model.has_consensus {
                    blocks.push(Block::Note(self.tr("report.consensus_note")));
                }
                blocks.push(Block::Subheading(self.tr("report.paired_heading")));
                blocks.push(Block::Paragraph(paired_note(lang, model)));
                if let Some(table) = paired_table(lang, model) {
                    blocks.push(Block::Table(table, "paired"));
                }
                if let Some(table) = consultant_table(lang, model) {
                    blocks.push(Block::Subheading(self.tr("report.consultant_heading")));
                    blocks.push(Block::Table(table, "consultant"));
                }
                blocks.push(Block::Subheading(self.tr("report.not_comparable_heading")));
                blocks.push(Block::table_or(
                    not_comparable_table(lang, model),
                    "not-comparable",
                    self.tr("report.not_comparable_none"),
                ));
            }
            None => {
                blocks.push(Block::Heading(
                    trf(
                        lang,
                        "report.round_heading",
                        &[("round", &first.round.label)],
                    ),
                    "comparison",
                ));
                blocks.push(Block::Paragraph(self.tr("report.compare_needs_two")));
                blocks.push(Block::Table(self.round_table(first), "scores"));
                if !first.consensus.is_empty() {
                    blocks.push(Block::Note(self.tr("report.consensus_note")));
                }
            }
        }

        // The trend: every chosen round in date order.
        let rows = trend(
            self.instrument,
            &self
                .rounds
                .iter()
                .map(|r| r.counted_sets(self.options))
                .collect::<Vec<_>>(),
        );
        blocks.push(Block::Heading(self.tr("report.trend_heading"), "trend"));
        // With two rounds the chart would repeat the comparison's.
        if self.rounds.len() > 2 {
            blocks.push(Block::Chart(self.trend_chart(&rows)));
        }
        blocks.push(Block::Table(self.trend_table(&rows), "trend"));

        // What the service will do about it, and whether its goals were reached.
        self.plan_blocks(&mut blocks);
        self.goal_blocks(&mut blocks);

        // Roles side by side, in the first and the last round.
        blocks.push(Block::Heading(self.tr("report.roles_heading"), "roles"));
        blocks.push(Block::Paragraph(trf(
            lang,
            "report.roles_note",
            &[("min", &self.min_group)],
        )));
        let ends: Vec<&RoundData> = if comparison.is_some() {
            vec![first, last]
        } else {
            vec![first]
        };
        for (index, round) in ends.iter().enumerate() {
            let groups = by_role(self.instrument, &round.roles(), self.min_group);
            blocks.push(Block::Subheading(round.title(lang)));
            blocks.push(Block::Chart(self.roles_chart(index, round, &groups)));
            blocks.push(Block::Table(
                roles_table(lang, &self.section_names(), &groups),
                "roles",
            ));
        }

        // n, mean and spread.
        blocks.push(Block::Heading(self.tr("report.spread_heading"), "spread"));
        blocks.push(Block::Paragraph(trf(
            lang,
            "report.spread_note",
            &[("min", &self.min_group)],
        )));
        blocks.push(Block::Table(self.spread_table(), "spread"));

        // The items that moved most, and "vet ikke".
        blocks.push(Block::Heading(self.tr("report.moved_heading"), "moved"));
        match &comparison {
            Some(model) => {
                let table = items_table(lang, model, Some(MOVED_ITEMS));
                blocks.push(Block::Paragraph(self.tr("report.items_scale_note")));
                if table.rows.is_empty() {
                    blocks.push(Block::Paragraph(self.tr("report.moved_none")));
                } else {
                    blocks.push(Block::Table(table, "items"));
                }
            }
            None => blocks.push(Block::Paragraph(self.tr("report.compare_needs_two"))),
        }
        blocks.push(Block::Heading(
            self.tr("report.dont_know_heading"),
            "dont-know",
        ));
        blocks.push(Block::Paragraph(trf(
            lang,
            "report.dont_know_note",
            &[("min", &crate::domain::scoring::DONT_KNOW_MIN_ANSWERS)],
        )));
        match &comparison {
            Some(model) => {
                blocks.push(Block::Paragraph(dont_know_total(lang, model)));
                blocks.push(Block::table_or(
                    dont_know_table(lang, model),
                    "dont-know",
                    self.tr("report.dont_know_none"),
                ));
            }
            None => blocks.push(Block::table_or(
                self.flagged_table(first),
                "dont-know",
                self.tr("report.dont_know_none"),
            )),
        }

        blocks.push(Block::Heading(self.tr("report.legend_heading"), "about"));
        // The scoring, bands included (the note on the bands stands at the top).
        blocks.push(Block::Paragraph(self.tr("help.scoring")));
        blocks.push(Block::Paragraph(self.tr("report.privacy_note")));
        blocks
    }

    fn meta(&self) -> String {
        let lang = self.lang;
        let mut parts = Vec::new();
        if !self.service.cluster.is_empty() {
            parts.push(format!(
                "{}: {}",
                tr(lang, "services.cluster"),
                self.service.cluster
            ));
        }
        if !self.service.municipalities.is_empty() {
            parts.push(format!(
                "{}: {}",
                tr(lang, "services.municipalities"),
                self.service.municipalities.join(", ")
            ));
        }
        parts.push(trf(
            lang,
            "report.made",
            &[
                ("date", &present::date(lang, self.today)),
                ("version", &env!("CARGO_PKG_VERSION")),
                ("instrument", &self.instrument.version),
            ],
        ));
        parts.join(" · ")
    }

    fn rounds_table(&self) -> Table {
        let lang = self.lang;
        let mut table = Table::new(
            vec![
                tr(lang, "rounds.label").to_string(),
                tr(lang, "rounds.date").to_string(),
                tr(lang, "rounds.kind").to_string(),
                tr(lang, "rounds.respondents").to_string(),
                tr(lang, "rounds.version").to_string(),
            ],
            vec![
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Left,
            ],
        );
        let stages = self.has_stages();
        if stages {
            table.header.push(tr(lang, "report.col_stage").to_string());
            table.align.push(Align::Left);
        }
        for round in self.rounds {
            let mut cells = vec![
                round.round.label.clone(),
                present::date(lang, round.round.held_on),
                tr(lang, crate::present::kind_key(round.round.kind)).to_string(),
                round.respondents.len().to_string(),
                round.round.instrument_version.clone(),
            ];
            if stages {
                cells.push(self.stage_name(round));
            }
            table.row(cells);
        }
        table
    }

    /// Whether any chosen round has its implementation stage recorded.
    fn has_stages(&self) -> bool {
        self.rounds.iter().any(|r| r.stage.is_some())
    }

    fn stage_name(&self, round: &RoundData) -> String {
        round
            .stage
            .map_or("–", |stage| tr(self.lang, stage_key(stage)))
            .to_string()
    }

    /// One round alone: score, n and "vet ikke" per section and subdomain.
    fn round_table(&self, round: &RoundData) -> Table {
        let lang = self.lang;
        let sets = round.counted_sets(self.options);
        let scores = summarize(self.instrument, &sets);
        let counts = scored_counts(self.instrument, &sets);
        let mut table = Table::new(
            vec![
                tr(lang, "summary.area").to_string(),
                tr(lang, "summary.score").to_string(),
                "n".to_string(),
                tr(lang, "summary.dont_know").to_string(),
            ],
            vec![Align::Left, Align::Right, Align::Right, Align::Right],
        );
        let consensus = !round.consensus.is_empty();
        if consensus {
            table
                .header
                .push(tr(lang, "report.col_consensus").to_string());
            table.align.push(Align::Right);
        }
        let flag = |t: &crate::domain::scoring::Tally| {
            format!(
                "{}{}",
                t.dont_know,
                if t.dont_know_flagged() { " ⚑" } else { "" }
            )
        };
        for (section, count) in scores.iter().zip(&counts) {
            let mut cells = vec![
                section_name(self.instrument, lang, &section.key).to_string(),
                present::score(&section.tally),
                count.n.to_string(),
                flag(&section.tally),
            ];
            if consensus {
                cells.push(String::new());
            }
            table.row(cells);
            for (subdomain, (key, n)) in section.subdomains.iter().zip(&count.subdomains) {
                let mut cells = vec![
                    subdomain_name(self.instrument, lang, key).to_string(),
                    present::score(&subdomain.tally),
                    n.to_string(),
                    flag(&subdomain.tally),
                ];
                if consensus {
                    cells.push(consensus_cell(round.consensus_on(self.instrument, key)));
                }
                table.sub_row(cells);
            }
        }
        table
    }

    /// Subdomains of one round flagged for "vet ikke".
    fn flagged_table(&self, round: &RoundData) -> Option<Table> {
        let lang = self.lang;
        let mut table = Table::new(
            vec![
                tr(lang, "report.col_subdomain").to_string(),
                round.round.label.clone(),
            ],
            vec![Align::Left, Align::Right],
        );
        for section in summarize(self.instrument, &round.counted_sets(self.options)) {
            for subdomain in &section.subdomains {
                if subdomain.tally.dont_know_flagged() {
                    let key = format!("{}.{}", section.key, subdomain.key);
                    table.row(vec![
                        format!(
                            "{} – {}",
                            section_name(self.instrument, lang, &section.key),
                            subdomain_name(self.instrument, lang, &key)
                        ),
                        format!("{} ⚑", subdomain.tally.dont_know),
                    ]);
                }
            }
        }
        (!table.rows.is_empty()).then_some(table)
    }

    fn trend_table(&self, rows: &[TrendRow]) -> Table {
        let lang = self.lang;
        let mut header = vec![tr(lang, "summary.area").to_string()];
        header.extend(self.rounds.iter().map(|r| r.title(self.lang)));
        let mut align = vec![Align::Left];
        align.extend(self.rounds.iter().map(|_| Align::Right));
        let mut table = Table::new(header, align);
        if self.has_stages() {
            let mut cells = vec![tr(lang, "report.col_stage").to_string()];
            cells.extend(self.rounds.iter().map(|round| self.stage_name(round)));
            table.row(cells);
        }
        for row in rows {
            let mut cells = vec![section_name(self.instrument, lang, &row.key).to_string()];
            cells.extend(
                row.points
                    .iter()
                    .map(|p| format!("{} · n {}", present::score(&p.tally), p.n)),
            );
            table.row(cells);
        }
        table
    }

    fn spread_table(&self) -> Table {
        let lang = self.lang;
        let mut header = vec![tr(lang, "summary.area").to_string()];
        header.extend(self.rounds.iter().map(|r| r.title(self.lang)));
        let mut align = vec![Align::Left];
        align.extend(self.rounds.iter().map(|_| Align::Right));
        let mut table = Table::new(header, align);
        let per_round: Vec<_> = self
            .rounds
            .iter()
            .map(|round| spreads(self.instrument, &round.counted_sets(self.options)))
            .collect();
        for (index, section) in self.instrument.sections.iter().enumerate() {
            let mut cells = vec![section.name.get(lang).to_string()];
            for spreads in &per_round {
                let cell = match spreads.get(index).and_then(|(_, s)| *s) {
                    None => format!("n 0 · {}", percent(None)),
                    // A range over fewer respondents than a group may have would show a
                    // single person's score.
                    Some(s) if s.n < self.min_group => {
                        format!("n {} · {}", s.n, percent(Some(s.mean)))
                    }
                    Some(s) => format!("n {} · {}", s.n, present::spread(s.mean, s.min, s.max)),
                };
                cells.push(cell);
            }
            table.row(cells);
        }
        table
    }

    /// Per subdomain with a plan: its score and consensus in the last round, then its
    /// barriers with their level, its strategies, and its measures with owner, due date and
    /// whether each is done, open or overdue on the day the report is made.
    fn plan_blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        let groups = self.plan.by_subdomain(self.instrument);
        if groups.is_empty() {
            return;
        }
        blocks.push(Block::Heading(self.tr("report.plan_heading"), "plan"));
        let (open, overdue) = measure_counts(&self.plan.items, self.today);
        blocks.push(Block::Paragraph(trf(
            lang,
            "report.plan_measures",
            &[
                ("open", &open),
                ("overdue", &overdue),
                ("date", &present::date(lang, self.today)),
            ],
        )));
        let last = &self.rounds[self.rounds.len() - 1];
        let scores = summarize(self.instrument, &last.counted_sets(self.options));
        for (key, items) in groups {
            let section = key.split('.').next().unwrap_or_default();
            blocks.push(Block::Subheading(format!(
                "{} – {}",
                section_name(self.instrument, lang, section),
                subdomain_name(self.instrument, lang, key)
            )));
            let score = scores
                .iter()
                .flat_map(|s| s.subdomains.iter().map(move |d| (s, d)))
                .find(|(s, d)| format!("{}.{}", s.key, d.key) == key)
                .map_or_else(|| percent(None), |(_, d)| present::score(&d.tally));
            let mut line = trf(
                lang,
                "report.plan_score",
                &[("round", &last.round.label), ("score", &score)],
            );
            if let Some(consensus) = last.consensus_on(self.instrument, key) {
                line.push_str(" · ");
                line.push_str(&trf(
                    lang,
                    "report.plan_consensus",
                    &[("value", &consensus_cell(Some(consensus)))],
                ));
            }
            blocks.push(Block::Note(line));
            let of_kind = |kind: PlanKind| items.iter().filter(move |i| i.kind == kind);
            let mut barriers = Table::new(
                vec![
                    self.tr(plan_kind_key(PlanKind::Barrier)),
                    self.tr("report.col_level"),
                ],
                vec![Align::Left, Align::Left],
            );
            for item in of_kind(PlanKind::Barrier) {
                barriers.row(vec![
                    item.text.clone(),
                    item.level
                        .map_or("–", |level| tr(lang, level_key(level)))
                        .to_string(),
                ]);
            }
            let mut strategies = Table::new(
                vec![self.tr(plan_kind_key(PlanKind::Strategy))],
                vec![Align::Left],
            );
            for item in of_kind(PlanKind::Strategy) {
                strategies.row(vec![item.text.clone()]);
            }
            let mut measures = Table::new(
                vec![
                    self.tr(plan_kind_key(PlanKind::Measure)),
                    self.tr("report.col_owner"),
                    self.tr("report.col_due"),
                    self.tr("report.col_status"),
                ],
                vec![Align::Left, Align::Left, Align::Left, Align::Left],
            );
            for item in of_kind(PlanKind::Measure) {
                measures.row(vec![
                    item.text.clone(),
                    if item.owner.is_empty() {
                        "–".to_string()
                    } else {
                        item.owner.clone()
                    },
                    item.due_on.map_or_else(
                        || present::NONE.to_string(),
                        |d| present::date(self.lang, d),
                    ),
                    self.measure_status(item),
                ]);
            }
            for (table, class) in [
                (barriers, "plan-barriers"),
                (strategies, "plan-strategies"),
                (measures, "plan-measures"),
            ] {
                if !table.rows.is_empty() {
                    blocks.push(Block::Table(table, class));
                }
            }
        }
    }

    /// "✓ done 2026-03-30", "⚠ overdue" or "☐ open": a word beside the symbol.
    fn measure_status(&self, item: &PlanItem) -> String {
        let lang = self.lang;
        if item.done {
            match item.done_on {
                Some(date) => trf(
                    lang,
                    "report.measure_done_on",
                    &[("date", &present::date(lang, date))],
                ),
                None => self.tr("report.measure_done"),
            }
        } else if item.is_overdue(self.today) {
            self.tr("report.measure_overdue")
        } else {
            self.tr("report.measure_open")
        }
    }

    /// Goals × rounds: each goal's status in each chosen round, as a symbol and a word.
    fn goal_blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        if self.plan.goals.is_empty() {
            return;
        }
        blocks.push(Block::Heading(self.tr("report.goals_heading"), "goals"));
        let mut legend: Vec<String> = GoalStatus::ALL
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    goal_status_symbol(*s),
                    tr(lang, goal_status_key(*s))
                )
            })
            .collect();
        legend.push(format!("– {}", tr(lang, "report.goal_not_rated")));
        blocks.push(Block::Note(legend.join(" · ")));
        let mut header = vec![self.tr("report.col_goal"), self.tr("report.col_concerns")];
        header.extend(self.rounds.iter().map(|r| r.title(self.lang)));
        let mut align = vec![Align::Left, Align::Left];
        align.extend(self.rounds.iter().map(|_| Align::Left));
        let mut table = Table::new(header, align);
        for goal in &self.plan.goals {
            let concerns: Vec<&str> = goal
                .subdomain_keys
                .iter()
                .map(|key| subdomain_name(self.instrument, lang, key))
                .collect();
            let mut cells = vec![
                goal.text.clone(),
                if concerns.is_empty() {
                    "–".to_string()
                } else {
                    concerns.join(", ")
                },
            ];
            cells.extend(self.rounds.iter().map(|round| {
                self.plan.status(goal, &round.round).map_or_else(
                    || "–".to_string(),
                    |s| format!("{} {}", goal_status_symbol(s), tr(lang, goal_status_key(s))),
                )
            }));
            table.row(cells);
        }
        blocks.push(Block::Table(table, "goals"));
    }

    fn section_names(&self) -> Vec<String> {
        self.instrument
            .sections
            .iter()
            .map(|s| s.name.get(self.lang).to_string())
            .collect()
    }

    fn comparison_chart(&self, model: &ComparisonRows) -> Chart {
        Chart {
            id: "chart-comparison".into(),
            title: trf(
                self.lang,
                "report.chart_compare_title",
                &[
                    ("from", &model.from.round.label),
                    ("to", &model.to.round.label),
                ],
            ),
            series: vec![model.from.title.clone(), model.to.title.clone()],
            colours: vec![0, 1],
            groups: self
                .section_names()
                .into_iter()
                .zip(&model.sections)
                .map(|(name, s)| {
                    (
                        name,
                        vec![
                            score_bar(s.area.change.change.from.percent()),
                            score_bar(s.area.change.change.to.percent()),
                        ],
                    )
                })
                .collect(),
        }
    }

    fn trend_chart(&self, rows: &[TrendRow]) -> Chart {
        Chart {
            id: "chart-trend".into(),
            title: self.tr("report.chart_trend_title"),
            series: self.rounds.iter().map(|r| r.title(self.lang)).collect(),
            // The first and the last round in the comparison's colours.
            colours: (0..self.rounds.len())
                .map(|i| match i {
                    0 => 0,
                    i if i + 1 == self.rounds.len() => 1,
                    i => i + 1,
                })
                .collect(),
            groups: self
                .section_names()
                .into_iter()
                .zip(rows)
                .map(|(name, row)| {
                    (
                        name,
                        row.points
                            .iter()
                            .map(|p| score_bar(p.tally.percent()))
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    fn roles_chart(&self, index: usize, round: &RoundData, groups: &[RoleGroup]) -> Chart {
        let lang = self.lang;
        Chart {
            id: format!("chart-roles-{index}"),
            title: trf(
                lang,
                "report.chart_roles_title",
                &[("round", &round.round.label)],
            ),
            series: groups
                .iter()
                .map(|g| {
                    trf(
                        lang,
                        "report.role_n",
                        &[("role", &role_name(lang, g.role)), ("n", &g.n)],
                    )
                })
                .collect(),
            colours: groups
                .iter()
                .map(|g| Role::ALL.iter().position(|r| *r == g.role).unwrap_or(0))
                .collect(),
            groups: self
                .section_names()
                .into_iter()
                .enumerate()
                .map(|(s, name)| {
                    let bars = groups
                        .iter()
                        .map(|g| match &g.scores {
                            Some(scores) => {
                                score_bar(scores.get(s).and_then(|x| x.tally.percent()))
                            }
                            None => Bar::TooFew,
                        })
                        .collect();
                    (name, bars)
                })
                .collect(),
        }
    }
}

fn score_bar(percent: Option<f64>) -> Bar {
    percent.map_or(Bar::NoScore, Bar::Score)
}

// ---- HTML ----

const STYLE: &str = r#"
:root { --ink: #1b1b1b; --muted: #4a4a4a; --rule: #c8c8c8; --accent: #0b4f6c; --shade: #eef3f6; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.75rem; margin: 0 0 .3rem; line-height: 1.2; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p { margin: .4rem 0 .8rem; max-width: 48rem; }
.meta, .note, figcaption { color: var(--muted); }
.note { font-size: .92rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem; font-size: .92rem; }
th, td { padding: .28rem .55rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; vertical-align: bottom; }
tbody th { font-weight: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th.num { white-space: normal; }
.nobr { white-space: nowrap; }
tr.main th, tr.main td { font-weight: 600; background: var(--shade); }
tr.sub th { padding-left: 1.6rem; }
tbody th[scope="row"] { min-width: 13em; }
table.plan-barriers, table.plan-strategies, table.plan-measures { table-layout: fixed; }
table.plan-barriers thead th:first-child, table.plan-measures thead th:first-child { width: 50%; }
table.plan-measures td:last-child { white-space: nowrap; }
.scroll { overflow-x: auto; margin: .5rem 0 1.2rem;
  /* A shadow at each edge with more table beyond it: white covers that travel with the
     table hide the shadow once its end is in view. */
  background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)) left / 2rem 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) right / 2rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.2), rgba(0,0,0,0)) left / .8rem 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.2), rgba(0,0,0,0)) right / .8rem 100% no-repeat scroll; }
.scroll > table { margin: 0; }
.scroll:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
@media (max-width: 30rem) {
  main { padding: 1rem .75rem 2rem; }
  tbody th[scope="row"] { min-width: 8em; }
  /* The table scrolls sideways: a row keeps to one line but for its header. */
  td { white-space: nowrap; }
  table.plan-barriers, table.plan-strategies, table.plan-measures { table-layout: auto; }
}
@media not print { .print-only { display: none; } }
figure { margin: 1rem 0 .4rem; }
figcaption { font-size: .88rem; margin-top: .2rem; }
svg { display: block; width: 100%; max-width: 760px; height: auto; font-family: inherit; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; margin-top: 1.2rem; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  svg { max-width: 100%; }
  .screen-only { display: none; }
  .scroll { overflow: visible; background: none; }
  .print-only table { break-inside: avoid; }
  table { font-size: 9pt; }
  th, td { padding: .15em .45em; }
  tr.sub th { padding-left: 1.6em; }
}
"#;

/// What a printed table has room for, in ems of its 9 pt type: A4 less the `@page`
/// margins, 186 mm. The constants below follow the print rules of `STYLE`.
const PRINT_WIDTH_EM: f64 = 186.0 / 25.4 * 72.0 / 9.0;
/// The padding either side of a printed cell, .45em.
const PRINT_PADDING_EM: f64 = 0.9;
/// A subdomain's row header is indented by 1.6em rather than .45em.
const PRINT_SUB_INDENT_EM: f64 = 1.15;
/// `tbody th[scope="row"] { min-width: 13em; }`
const ROW_HEADER_MIN_EM: f64 = 13.0;
/// A column of words is given this much before it wraps, so that it wraps by phrases, not
/// word by word.
const TEXT_COLUMN_EM: f64 = 8.0;
/// Bold type (headers, section rows) is about this much wider.
const BOLD: f64 = 1.12;

/// Okabe–Ito colours, told apart by people with colour vision deficiency; every bar is
/// also labelled in words, so colour never carries meaning alone.
const SERIES_COLOURS: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F",
];

fn html(lang: Lang, title: &str, blocks: &[Block]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"kartlegg {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<main>\n<h1>{}</h1>\n",
        lang.code(),
        env!("CARGO_PKG_VERSION"),
        escape_html(title),
        escape_html(title),
    );
    let mut labels = table_labels(title, blocks).into_iter();
    let mut open = false;
    for block in blocks {
        match block {
            Block::Heading(text, id) => {
                if open {
                    out.push_str("</section>\n");
                }
                open = true;
                let _ = writeln!(
                    out,
                    "<section id=\"{id}\" aria-labelledby=\"{id}-heading\">\n<h2 id=\"{id}-heading\">{}</h2>",
                    escape_html(text)
                );
            }
            Block::Subheading(text) => {
                let _ = writeln!(out, "<h3>{}</h3>", escape_html(text));
            }
            Block::Paragraph(text) => {
                let class = if open { "" } else { " class=\"meta\"" };
                let _ = writeln!(out, "<p{class}>{}</p>", escape_html(text));
            }
            Block::Note(text) => {
                let _ = writeln!(out, "<p class=\"note\">{}</p>", escape_html(text));
            }
            Block::Table(table, class) => {
                let label = labels.next().unwrap_or_default();
                out.push_str(&table_html(table, class, &label));
            }
            Block::Chart(chart) => out.push_str(&svg_chart(lang, chart)),
        }
    }
    if open {
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The name of each table's scroll region, in order: the heading the table stands under,
/// and where a heading holds several tables, the table's first column header too.
fn table_labels(title: &str, blocks: &[Block]) -> Vec<String> {
    let mut heading = (0, title);
    let mut tables = Vec::new();
    for block in blocks {
        match block {
            Block::Heading(text, _) | Block::Subheading(text) => heading = (heading.0 + 1, text),
            Block::Table(table, _) => tables.push((heading, table)),
            _ => {}
        }
    }
    tables
        .iter()
        .map(|&((n, text), table)| {
            let shared = tables.iter().filter(|((m, _), _)| *m == n).count() > 1;
            match table.header.first() {
                Some(first) if shared => format!("{text}: {first}"),
                _ => text.to_string(),
            }
        })
        .collect()
}

/// A table in a focusable, named box that scrolls sideways when the screen is narrower than
/// the table; a group, not a region, so that the landmarks stay the report's sections.
/// Paper does not scroll: a table wider than the printed page is printed in parts instead,
/// each with the row headers and as many of the other columns as fit.
fn table_html(table: &Table, class: &str, label: &str) -> String {
    let parts = print_parts(table);
    let split = parts.len() > 1;
    let mut out = format!(
        "<div class=\"scroll{}\" role=\"group\" tabindex=\"0\" aria-label=\"{}\">\n{}</div>\n",
        if split { " screen-only" } else { "" },
        escape_html(label),
        table.html(class)
    );
    if split {
        out.push_str("<div class=\"print-only\">\n");
        for part in &parts {
            out.push_str(&table.columns(part).html(class));
        }
        out.push_str("</div>\n");
    }
    out
}

/// The columns of each printed part of a table: the first column (the row headers) and then
/// as many others, in order, as the page holds, the parts about even; one part when the
/// whole table fits.
fn print_parts(table: &Table) -> Vec<Vec<usize>> {
    let widths: Vec<f64> = (0..table.header.len())
        .map(|i| print_column_em(table, i))
        .collect();
    let all: Vec<usize> = (0..widths.len()).collect();
    if widths.len() < 3 || widths.iter().sum::<f64>() <= PRINT_WIDTH_EM {
        return vec![all];
    }
    let room = PRINT_WIDTH_EM - widths[0];
    // As many parts as filling each in turn needs ...
    let mut greedy: Vec<(Vec<usize>, f64)> = Vec::new();
    for (i, &width) in widths.iter().enumerate().skip(1) {
        match greedy.last_mut() {
            Some((part, used)) if *used + width <= room => {
                part.push(i);
                *used += width;
            }
            _ => greedy.push((vec![i], width)),
        }
    }
    // ... then the columns spread evenly over them, where that fits too.
    let fits = |columns: &[usize]| columns.iter().map(|&i| widths[i]).sum::<f64>() <= room;
    let (count, others) = (greedy.len(), widths.len() - 1);
    let mut even = Vec::with_capacity(count);
    let mut next = 1;
    for part in 0..count {
        let size = others / count + usize::from(part < others % count);
        even.push((next..next + size).collect::<Vec<_>>());
        next += size;
    }
    let parts = if even.iter().all(|part| fits(part)) {
        even
    } else {
        greedy.into_iter().map(|(part, _)| part).collect()
    };
    parts
        .into_iter()
        .map(|part| std::iter::once(0).chain(part).collect())
        .collect()
}

/// The width a column needs on paper, in ems: numbers and symbols never wrap; headers and
/// words wrap between words.
fn print_column_em(table: &Table, column: usize) -> f64 {
    let has_sub = table.rows.iter().any(|row| row.sub);
    let header = table
        .header
        .get(column)
        .map_or(0.0, |h| longest_word_em(h) * BOLD);
    let right = table.align.get(column) == Some(&Align::Right);
    let cells = table.rows.iter().map(|row| {
        let text = row.cells.get(column).map_or("", String::as_str);
        let width = if right {
            text_em(text)
        } else {
            longest_word_em(text).max(text_em(text).min(TEXT_COLUMN_EM))
        };
        let weight = if has_sub && !row.sub { BOLD } else { 1.0 };
        let indent = if column == 0 && row.sub {
            PRINT_SUB_INDENT_EM
        } else {
            0.0
        };
        width * weight + indent
    });
    let least = if column == 0 { ROW_HEADER_MIN_EM } else { 0.0 };
    cells.fold(header.max(least), f64::max) + PRINT_PADDING_EM
}

fn longest_word_em(text: &str) -> f64 {
    text.split(' ').map(text_em).fold(0.0, f64::max)
}

/// A text's width in ems, on the wide side: after DejaVu Sans, the widest of the common
/// sans-serif faces and what a bare Linux machine prints with, so that what fits by this
/// measure fits in any of the faces `STYLE` names.
fn text_em(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'i' | 'j' | 'l' | 'I' | '·' => 0.32,
            'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' | '"' => 0.45,
            'w' => 0.82,
            'm' | 'M' | 'W' | 'æ' | 'Æ' | '%' => 1.0,
            c if c.is_ascii_digit() => 0.64,
            c if c.is_uppercase() => 0.75,
            c if c.is_alphabetic() => 0.62,
            // Symbols: ◐ ● ○ ⚑ ★ → − –
            _ => 1.0,
        })
        .sum()
}

/// A chart as inline SVG: `role="img"`, a `<title>` and a `<desc>` that says every number
/// the bars show; the table after it has the same numbers.
fn svg_chart(lang: Lang, chart: &Chart) -> String {
    const WIDTH: f64 = 760.0;
    const LABEL: f64 = 230.0;
    const PLOT: f64 = 430.0;
    const TOP: f64 = 26.0;
    const GROUP_LABEL: f64 = 22.0;
    const BAR: f64 = 15.0;
    const BAR_GAP: f64 = 4.0;
    const GROUP_GAP: f64 = 12.0;
    let x = |percent: f64| LABEL + PLOT * percent.clamp(0.0, 100.0) / 100.0;
    let group_height = GROUP_LABEL + chart.series.len() as f64 * (BAR + BAR_GAP) + GROUP_GAP;
    let plot_bottom = TOP + chart.groups.len() as f64 * group_height;
    let height = plot_bottom + 24.0;

    let value_text = |bar: Bar| match bar {
        Bar::Score(p) => percent(Some(p)),
        Bar::NoScore => tr(lang, "band.none").to_string(),
        Bar::TooFew => tr(lang, "report.too_few").to_string(),
    };
    let desc = chart
        .groups
        .iter()
        .map(|(name, bars)| {
            let values: Vec<String> = chart
                .series
                .iter()
                .zip(bars)
                .map(|(series, bar)| format!("{series} {}", value_text(*bar)))
                .collect();
            format!("{name}: {}", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(". ");

    let id = &chart.id;
    let mut svg = format!(
        "<figure>\n<svg role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         viewBox=\"0 0 {WIDTH} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\n\
         <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        escape_html(&chart.title),
        escape_html(&desc)
    );
    // Band zones behind the bars, named at the top.
    for (from, to, fill, key) in [
        (0.0, 50.0, "#fbeaea", "band.priority"),
        (50.0, 80.0, "#fdf6e3", "band.partly"),
        (80.0, 100.0, "#e8f4ec", "band.in_place"),
    ] {
        let _ = writeln!(
            svg,
            "<rect x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#4a4a4a\" text-anchor=\"middle\">{}</text>",
            x(from),
            x(to) - x(from),
            plot_bottom - TOP,
            (x(from) + x(to)) / 2.0,
            TOP - 8.0,
            escape_html(tr(lang, key))
        );
    }
    for tick in [0.0, 50.0, 80.0, 100.0] {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{TOP}\" y2=\"{plot_bottom:.1}\" stroke=\"#9a9a9a\" stroke-width=\"1\"/>\
             <text x=\"{0:.1}\" y=\"{1:.1}\" font-size=\"11\" fill=\"#4a4a4a\" text-anchor=\"middle\">{2} %</text>",
            x(tick),
            plot_bottom + 16.0,
            tick
        );
    }
    for (g, (name, bars)) in chart.groups.iter().enumerate() {
        let top = TOP + g as f64 * group_height;
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"13\" font-weight=\"600\" fill=\"#1b1b1b\">{}</text>",
            top + 16.0,
            escape_html(name)
        );
        for (s, (series, bar)) in chart.series.iter().zip(bars).enumerate() {
            let y = top + GROUP_LABEL + s as f64 * (BAR + BAR_GAP);
            let _ = write!(
                svg,
                "<text x=\"8\" y=\"{:.1}\" font-size=\"11.5\" fill=\"#1b1b1b\">{}</text>",
                y + BAR - 3.5,
                escape_html(&shorten(series, 34))
            );
            match bar {
                Bar::Score(p) => {
                    let _ = writeln!(
                        svg,
                        "<rect x=\"{LABEL}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"{}\"/>\
                         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" font-weight=\"600\" fill=\"#1b1b1b\">{}</text>",
                        (x(*p) - LABEL).max(1.0),
                        SERIES_COLOURS
                            [chart.colours.get(s).copied().unwrap_or(s) % SERIES_COLOURS.len()],
                        x(*p) + 5.0,
                        y + BAR - 3.5,
                        escape_html(&percent(Some(*p)))
                    );
                }
                Bar::NoScore | Bar::TooFew => {
                    let _ = writeln!(
                        svg,
                        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" font-style=\"italic\" fill=\"#4a4a4a\">{}</text>",
                        LABEL + 5.0,
                        y + BAR - 3.5,
                        escape_html(&value_text(*bar))
                    );
                }
            }
        }
    }
    svg.push_str("</svg>\n");
    let _ = writeln!(
        svg,
        "<figcaption>{}</figcaption>\n</figure>",
        escape_html(tr(lang, "report.chart_note"))
    );
    svg
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table like the trend: areas down, one column per round across.
    fn by_round(rounds: usize, cell: &str) -> Table {
        let mut header = vec!["Area".to_string()];
        header.extend((1..=rounds).map(|r| format!("Etter fellessamling {r} (2026-10-13)")));
        let mut align = vec![Align::Left];
        align.extend((0..rounds).map(|_| Align::Right));
        let mut table = Table::new(header, align);
        for area in ["Readiness for change", "Organisation drivers"] {
            let mut cells = vec![area.to_string()];
            cells.extend((0..rounds).map(|_| cell.to_string()));
            table.row(cells);
        }
        table
    }

    fn width(table: &Table, part: &[usize]) -> f64 {
        part.iter().map(|&i| print_column_em(table, i)).sum()
    }

    #[test]
    fn a_table_the_page_holds_prints_whole() {
        let table = by_round(2, "76 % ◐ · n 12");
        assert_eq!(print_parts(&table), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_wide_table_prints_in_even_parts_that_each_fit_the_page() {
        // Today's cells, and wider ones with more in them, up to ten rounds and beyond.
        for cell in [
            "76 % ◐ · n 12",
            "n 12 · 76 % (50–100 %)",
            "n 12 · 76 % ◐ (61–88 %) · paired 10: +12 ★",
        ] {
            for rounds in 3..=14 {
                let table = by_round(rounds, cell);
                let parts = print_parts(&table);
                let label = format!("{rounds} rounds of {cell:?}: {parts:?}");
                for part in &parts {
                    assert_eq!(part[0], 0, "the row headers in every part: {label}");
                    assert!(width(&table, part) <= PRINT_WIDTH_EM, "{label}");
                }
                let rest: Vec<usize> = parts.iter().flat_map(|p| p[1..].to_vec()).collect();
                assert_eq!(rest, (1..=rounds).collect::<Vec<_>>(), "{label}");
                let sizes: Vec<usize> = parts.iter().map(Vec::len).collect();
                let (least, most) = (sizes.iter().min(), sizes.iter().max());
                assert!(most.unwrap() - least.unwrap() <= 1, "{label}");
                let whole = width(&table, &(0..=rounds).collect::<Vec<_>>());
                assert_eq!(parts.len() > 1, whole > PRINT_WIDTH_EM, "{label}");
            }
        }
    }
}
