//! The report's sections, made once from the chosen rounds, the comparison of the first and
//! the last, the trend, the plan and the goals: a document of blocks for the writers.

use chrono::NaiveDate;

use crate::cli::compare::tables::{
    consultant_table, counted_note, dont_know_table, dont_know_total, items_table,
    not_comparable_table, paired_note, paired_table, roles_table, sections_table,
};
use crate::cli::document::{
    Align, Bar, Block, Chart, Table, consensus_cell, legend, quoted, role_name,
};
use crate::domain::compare::{Cell, Options, RoleTable, role_table};
use crate::domain::instrument::Instrument;
use crate::domain::model::{Role, Service};
use crate::domain::needs::Area;
use crate::domain::plan::{GoalStatus, PlanItem, PlanKind, measure_counts};
use crate::domain::requirement::RoundStatus;
use crate::domain::scoring::summarize;
use crate::domain::trend::{TrendRow, scored_counts, trend};
use crate::i18n::plan_names::{
    goal_status_key, goal_status_symbol, level_key, plan_kind_key, stage_key,
};
use crate::i18n::{Lang, tr, trf};
use crate::present::{self, percent, section_name, subdomain_name};
use crate::usecase::comparison::{ComparisonModel, ComparisonRows};
use crate::usecase::rounds::{PlanData, RoundData};

use super::needs::{NeedsSection, RoundNeeds};
use super::positions::PositionsSection;

/// How many of the items that moved most the report lists.
const MOVED_ITEMS: usize = 10;

pub struct Report<'a> {
    pub instrument: &'a Instrument,
    pub lang: Lang,
    pub service: &'a Service,
    pub rounds: &'a [RoundData],
    pub plan: &'a PlanData,
    /// The areas the service weighs, and what each chosen round holds of its needs.
    pub areas: &'a [Area],
    pub needs: &'a [RoundNeeds],
    /// The chosen rounds' positions against the 2031 requirement, in date order.
    pub positions: &'a [RoundStatus],
    pub min_group: usize,
    pub options: Options,
    pub today: NaiveDate,
}

impl Report<'_> {
    pub fn title(&self) -> String {
        trf(
            self.lang,
            "report.title",
            &[("service", &quoted(self.lang, &self.service.name))],
        )
    }

    fn tr(&self, key: &str) -> String {
        tr(self.lang, key).to_string()
    }

    /// The report's sections, in order.
    pub fn blocks(&self) -> Vec<Block> {
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

        // What the service says it needs, and whether it is ready to work on it.
        NeedsSection {
            instrument: self.instrument,
            lang,
            options: self.options,
            areas: self.areas,
            rounds: self.rounds,
            needs: self.needs,
        }
        .blocks(&mut blocks);

        // Where the service's posts stand against the formal requirement of 2031.
        PositionsSection {
            lang,
            rounds: self.rounds,
            statuses: self.positions,
            min_group: self.min_group,
        }
        .blocks(&mut blocks);

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
            let groups = self.role_table(round);
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

    /// Areas down, one column per chosen round across.
    fn by_round_table(&self) -> Table {
        let mut header = vec![tr(self.lang, "summary.area").to_string()];
        header.extend(self.rounds.iter().map(|r| r.title(self.lang)));
        Table::numbers(header)
    }

    fn trend_table(&self, rows: &[TrendRow]) -> Table {
        let lang = self.lang;
        let mut table = self.by_round_table();
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

    /// The roles of a round, and what of them may be shown, by the one rule of the domain.
    fn role_table(&self, round: &RoundData) -> RoleTable {
        role_table(
            self.instrument,
            &round.answered(),
            self.options,
            self.min_group,
        )
    }

    fn spread_table(&self) -> Table {
        let lang = self.lang;
        let mut table = self.by_round_table();
        let per_round: Vec<RoleTable> = self.rounds.iter().map(|r| self.role_table(r)).collect();
        for (index, section) in self.instrument.sections.iter().enumerate() {
            let mut cells = vec![section.name.get(lang).to_string()];
            for roles in &per_round {
                let all = roles.all[index];
                // The range only where no group is hidden, the mean only where no hidden
                // group could be worked out from it.
                let shown = match (all.mean, all.range) {
                    (Some(mean), Some((low, high))) => present::spread(mean, low, high),
                    (Some(mean), None) => percent(Some(mean)),
                    (None, _) if all.n == 0 => percent(None),
                    (None, _) => tr(lang, "report.too_few").to_string(),
                };
                cells.push(format!("n {} · {shown}", all.n));
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

    fn roles_chart(&self, index: usize, round: &RoundData, roles: &RoleTable) -> Chart {
        let lang = self.lang;
        let groups = &roles.groups;
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
                        .map(|g| match &g.cells[s] {
                            Cell::Shown { tally, .. } => score_bar(tally.percent()),
                            Cell::Empty => Bar::NoScore,
                            Cell::TooFew | Cell::Protects => Bar::TooFew,
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
