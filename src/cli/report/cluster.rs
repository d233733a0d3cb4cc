//! `kartlegg report --cluster NAME`: the cluster's figures for the consultant to bring to
//! the next gathering, or with `--anonymous` for the programme owner and the county
//! governor. The model is loaded once (`usecase::cluster_report`); this only turns it into
//! the document the report's writers write.
//!
//! Without names, services are the letters `anonymous_letters` gives them (by id, so they
//! reveal no ranking), free text (notes, topics) is left out, and any other text the file
//! shows has every service's name replaced by its letter.

use chrono::NaiveDate;

use crate::cli::document::{Align, Block, Stacked, Table, legend, quoted};
use crate::domain::cluster::planned;
use crate::domain::cluster_figures::{AreaKey, Spread, Standing, WEAK_BANDS};
use crate::domain::instrument::Instrument;
use crate::domain::needs::READINESS_SECTION;
use crate::domain::scoring::Band;
use crate::i18n::{Lang, tr, trf};
use crate::present;
use crate::usecase::cluster::Point;
use crate::usecase::cluster_report::ClusterReport;

pub struct ClusterFace<'a> {
    pub instrument: &'a Instrument,
    pub lang: Lang,
    pub report: &'a ClusterReport,
    pub anonymous: bool,
    pub today: NaiveDate,
}

impl ClusterFace<'_> {
    fn tr(&self, key: &str) -> String {
        tr(self.lang, key).to_string()
    }

    /// Each service as the file names it: its name, or its letter without names.
    fn service_names(&self) -> Vec<String> {
        let line_up = &self.report.line_up;
        if self.anonymous {
            line_up.letters()
        } else {
            line_up.services.iter().map(|s| s.name.clone()).collect()
        }
    }

    /// The order services are listed in: by name, or without names by letter, since the
    /// order of the names would tell which letter is which.
    fn order(&self) -> Vec<usize> {
        let names = self.service_names();
        let mut order: Vec<usize> = (0..names.len()).collect();
        if self.anonymous {
            order.sort_by_key(|&i| (names[i].len(), names[i].clone()));
        }
        order
    }

    /// A text from the data as the file shows it: without names, every service's name in
    /// it is replaced by its letter, longest names first so that no part of one is left.
    fn shown(&self, text: &str) -> String {
        if self.anonymous {
            self.report.line_up.without_names(text)
        } else {
            text.to_string()
        }
    }

    pub fn title(&self) -> String {
        let cluster = quoted(self.lang, &self.shown(&self.report.line_up.cluster.name));
        let key = if self.anonymous {
            "cluster_report.title_anonymous"
        } else {
            "cluster_report.title"
        };
        trf(self.lang, key, &[("cluster", &cluster)])
    }

    fn point_name(&self, point: &Point) -> String {
        match point {
            Point::Gathering(gathering) => present::gathering_of(self.lang, gathering),
            Point::Label(label) => trf(
                self.lang,
                "cluster_report.point_label",
                &[("label", &quoted(self.lang, &self.shown(label)))],
            ),
        }
    }

    fn area_name(&self, area: &AreaKey) -> String {
        match &area.subdomain {
            None => present::section_name(self.instrument, self.lang, &area.section).to_string(),
            Some(sub) => present::subdomain_name(
                self.instrument,
                self.lang,
                &format!("{}.{sub}", area.section),
            )
            .to_string(),
        }
    }

    pub fn blocks(&self) -> Vec<Block> {
        let lang = self.lang;
        let report = self.report;
        let cluster = &report.line_up.cluster;
        let mut blocks = vec![Block::Paragraph(trf(
            lang,
            "cluster_report.meta",
            &[
                ("county", &self.shown(&or_none(&cluster.county))),
                ("centre", &self.shown(&or_none(&cluster.centre))),
                ("services", &report.line_up.services.len()),
                ("gatherings", &report.line_up.gatherings.len()),
                ("date", &present::date(lang, self.today)),
                ("version", &env!("CARGO_PKG_VERSION")),
            ],
        ))];

        // What this is, and the rule for small groups.
        blocks.push(Block::Heading(
            self.tr("cluster_report.about_heading"),
            "about",
        ));
        blocks.push(Block::Paragraph(self.tr(if self.anonymous {
            "cluster_report.about_anonymous"
        } else {
            "cluster_report.about"
        })));
        blocks.push(Block::Paragraph(trf(
            lang,
            "cluster_report.small_groups",
            &[("min", &report.min_group)],
        )));
        blocks.push(Block::Note(self.tr("report.bands_note")));
        blocks.push(Block::Note(legend(lang)));

        self.spread_blocks(&mut blocks);
        self.movement_blocks(&mut blocks);
        self.weak_blocks(&mut blocks);
        self.needs_blocks(&mut blocks);
        self.attendance_blocks(&mut blocks);
        self.service_blocks(&mut blocks);
        blocks
    }

    fn band_parts(&self) -> Vec<String> {
        let mut parts: Vec<String> = Band::ALL
            .iter()
            .map(|&b| present::band_label(self.lang, b))
            .collect();
        parts.push(self.tr("band.none"));
        parts.push(self.tr("report.too_few"));
        parts
    }

    fn spread_blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        let Some((point, spreads)) = &self.report.last else {
            blocks.push(Block::Heading(
                self.tr("cluster_report.spread_heading_none"),
                "spread",
            ));
            blocks.push(Block::Paragraph(self.tr("cluster_report.no_rounds")));
            return;
        };
        let at = self.point_name(point);
        blocks.push(Block::Heading(
            trf(lang, "cluster_report.spread_heading", &[("point", &at)]),
            "spread",
        ));
        blocks.push(Block::Paragraph(self.tr("cluster_report.spread_note")));
        let counts = |s: &Spread| vec![s.in_place, s.partly, s.priority, s.no_score, s.too_few];
        blocks.push(Block::Stacked(Stacked {
            id: "spread-chart".into(),
            title: trf(lang, "cluster_report.spread_chart", &[("point", &at)]),
            parts: self.band_parts(),
            marks: Band::ALL.map(present::band_symbol).to_vec(),
            rows: spreads
                .iter()
                .map(|s| {
                    (
                        self.area_name(&s.area),
                        s.area.subdomain.is_some(),
                        counts(s),
                    )
                })
                .collect(),
        }));
        let mut header = vec![self.tr("cluster_report.col_area")];
        header.extend(self.band_parts());
        header.push("n".into());
        let mut table = Table::numbers(header);
        for spread in spreads {
            let mut cells = vec![self.area_name(&spread.area)];
            cells.extend(counts(spread).iter().map(usize::to_string));
            cells.push(spread.n.to_string());
            push_row(&mut table, &spread.area, cells);
        }
        blocks.push(Block::Table(table, "spread"));
    }

    fn movement_blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        let (Some((before, movements)), Some((last, _))) =
            (&self.report.movement, &self.report.last)
        else {
            blocks.push(Block::Heading(
                self.tr("cluster_report.movement_heading_none"),
                "movement",
            ));
            blocks.push(Block::Paragraph(
                self.tr("cluster_report.movement_needs_two"),
            ));
            return;
        };
        blocks.push(Block::Heading(
            trf(
                lang,
                "cluster_report.movement_heading",
                &[
                    ("from", &self.point_name(before)),
                    ("to", &self.point_name(last)),
                ],
            ),
            "movement",
        ));
        blocks.push(Block::Paragraph(self.tr("cluster_report.movement_note")));
        let mut table = Table::numbers(vec![
            self.tr("cluster_report.col_area"),
            self.tr("cluster_report.col_up"),
            self.tr("cluster_report.col_stayed"),
            self.tr("cluster_report.col_down"),
            self.tr("cluster_report.col_not_comparable"),
            "n".into(),
        ]);
        for m in movements {
            let cells = vec![
                self.area_name(&m.area),
                m.up.to_string(),
                m.stayed.to_string(),
                m.down.to_string(),
                m.not_comparable.to_string(),
                m.n.to_string(),
            ];
            push_row(&mut table, &m.area, cells);
        }
        blocks.push(Block::Table(table, "movement"));
    }

    fn weak_blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        blocks.push(Block::Heading(
            self.tr("cluster_report.weak_heading"),
            "weak",
        ));
        let bands: Vec<String> = WEAK_BANDS
            .iter()
            .map(|&b| present::band_label(self.lang, b))
            .collect();
        blocks.push(Block::Paragraph(trf(
            lang,
            "cluster_report.weak_rule",
            &[("bands", &bands.join(", "))],
        )));
        let weak: Vec<&Spread> = self
            .report
            .last
            .as_ref()
            .map(|(_, spreads)| crate::domain::cluster_figures::shared_weak(spreads))
            .unwrap_or_default();
        let table = (!weak.is_empty()).then(|| {
            let mut table = Table::numbers(vec![
                self.tr("cluster_report.col_subdomain"),
                self.tr("cluster_report.col_weak"),
            ]);
            for spread in &weak {
                let count: usize = WEAK_BANDS.iter().map(|&b| spread.count(b)).sum();
                table.row(vec![
                    self.area_name(&spread.area),
                    trf(
                        lang,
                        "cluster_report.weak_of",
                        &[("weak", &count), ("scored", &spread.scored())],
                    ),
                ]);
            }
            table
        });
        blocks.push(Block::table_or(
            table,
            "weak",
            self.tr("cluster_report.weak_none"),
        ));
    }

    fn needs_blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        let report = self.report;
        let shared = &report.needs;
        blocks.push(Block::Heading(
            self.tr("cluster_report.needs_heading"),
            "needs",
        ));
        if shared.mapped == 0 {
            blocks.push(Block::Paragraph(self.tr("cluster_report.needs_none")));
            return;
        }
        blocks.push(Block::Paragraph(trf(
            lang,
            "cluster_report.needs_mapped",
            &[
                ("mapped", &shared.mapped),
                ("services", &report.line_up.services.len()),
            ],
        )));
        let shipped = &crate::domain::needs::CompetenceAreas::standard().areas;
        let mut table = Table::numbers(vec![
            self.tr("cluster.needs_area"),
            self.tr("cluster.needs_top_three"),
            self.tr("cluster.needs_mean_gap"),
        ]);
        for area in &shared.areas {
            let gap = area.mean_gap.map_or_else(
                || present::NONE.to_string(),
                |g| present::mean_gap(lang, g, area.gap_n),
            );
            table.row(vec![
                present::competence_area_name(shipped, lang, &area.area_key),
                trf(
                    lang,
                    "cluster_report.of_mapped",
                    &[("n", &area.top_three), ("mapped", &shared.mapped)],
                ),
                gap,
            ]);
        }
        blocks.push(Block::Table(table, "needs"));
        if !shared.unlike.is_empty() {
            blocks.push(Block::Subheading(self.tr("cluster.needs_unlike")));
            let names = self.service_names();
            let mut unlike = Table::new(
                vec![
                    self.tr("cluster_report.col_service"),
                    self.tr("cluster.needs_area"),
                ],
                vec![Align::Left, Align::Left],
            );
            for u in &shared.unlike {
                let areas = &report.weighed[u.service];
                let area_names: Vec<String> = u
                    .area_keys
                    .iter()
                    .map(|key| {
                        let own = !shipped.iter().any(|a| &a.key == key);
                        if own && self.anonymous {
                            // An own area's name is the service's free text.
                            self.tr("cluster_report.own_area")
                        } else {
                            present::competence_area_name(areas, lang, key)
                        }
                    })
                    .collect();
                unlike.row(vec![names[u.service].clone(), area_names.join(", ")]);
            }
            blocks.push(Block::Table(unlike, "unlike"));
        }
    }

    fn attendance_blocks(&self, blocks: &mut Vec<Block>) {
        let report = self.report;
        blocks.push(Block::Heading(
            self.tr("cluster_report.attendance_heading"),
            "attendance",
        ));
        if report.line_up.gatherings.is_empty() {
            blocks.push(Block::Paragraph(self.tr("cluster_report.no_gatherings")));
            return;
        }
        blocks.push(Block::Paragraph(self.tr(if self.anonymous {
            "cluster_report.attendance_note_anonymous"
        } else {
            "cluster_report.attendance_note"
        })));
        let names = self.service_names();
        let answer = |a| present::answer(self.lang, a);
        for (gathering, attended) in report.line_up.gatherings.iter().zip(&report.attendance) {
            let name = trf(
                self.lang,
                "cluster_report.gathering_heading",
                &[
                    ("date", &present::date(self.lang, gathering.held_on)),
                    (
                        "kind",
                        &tr(self.lang, present::gathering_kind_key(gathering.kind)),
                    ),
                ],
            );
            let heading = if self.anonymous || gathering.topics.trim().is_empty() {
                name
            } else {
                format!("{name}: {}", present::fit(gathering.topics.trim(), 120))
            };
            blocks.push(Block::Subheading(heading));
            // A gathering ahead has no attendance yet: a row per service would only say so.
            let recorded = attended.iter().flatten().count();
            if planned(gathering.held_on, self.today, recorded) {
                blocks.push(Block::Paragraph(self.tr("cluster_report.planned")));
                continue;
            }
            let mut header = vec![
                self.tr("cluster_report.col_service"),
                self.tr("cluster_report.col_leaders"),
                self.tr("cluster_report.col_key_persons"),
                self.tr("cluster_report.col_staff"),
                self.tr("cluster_report.col_pre_work"),
                self.tr("cluster_report.col_between_work"),
            ];
            if !self.anonymous {
                header.push(self.tr("cluster_report.col_note"));
            }
            let mut align = vec![Align::Left, Align::Right, Align::Right, Align::Right];
            align.resize(header.len(), Align::Left);
            let mut table = Table::new(header, align);
            for index in self.order() {
                let attendance = &attended[index];
                let mut cells = vec![names[index].clone()];
                match attendance {
                    Some(a) => {
                        cells.extend([a.leaders, a.key_persons, a.staff].map(|n| n.to_string()));
                        cells.push(answer(a.pre_work));
                        cells.push(answer(a.between_work));
                        if !self.anonymous {
                            cells.push(a.note.clone());
                        }
                    }
                    None => {
                        cells.push(self.tr("cluster_report.not_recorded"));
                        cells.extend(std::iter::repeat_n(
                            String::new(),
                            if self.anonymous { 4 } else { 5 },
                        ));
                    }
                }
                table.row(cells);
            }
            blocks.push(Block::Table(table, "attendance"));
        }
    }

    fn service_blocks(&self, blocks: &mut Vec<Block>) {
        let lang = self.lang;
        let report = self.report;
        blocks.push(Block::Heading(
            self.tr("cluster_report.services_heading"),
            "services",
        ));
        let between = report.last_gathering.as_ref().map_or_else(
            || self.tr("cluster_report.col_between_work"),
            |g| {
                trf(
                    lang,
                    "cluster_report.col_between_work_at",
                    &[("date", &present::date(lang, g.held_on))],
                )
            },
        );
        let mut table = Table::new(
            vec![
                self.tr("cluster_report.col_service"),
                self.tr("cluster_report.col_latest"),
                self.tr("cluster_report.col_stage"),
                trf(
                    lang,
                    "cluster_report.col_readiness",
                    &[(
                        "section",
                        &present::section_name(self.instrument, lang, READINESS_SECTION),
                    )],
                ),
                between,
            ],
            vec![
                Align::Left,
                Align::Left,
                Align::Left,
                Align::Right,
                Align::Left,
            ],
        );
        let readiness = AreaKey {
            section: READINESS_SECTION.into(),
            subdomain: None,
        };
        let names = self.service_names();
        for index in self.order() {
            let (name, line) = (&names[index], &report.lines[index]);
            let latest = match &line.latest {
                // Without names the label (free text) and the day (a service's own schedule
                // tells which letter it is) are left out: the kind and the gathering the round
                // belongs to, shared by the cluster, say which round it is.
                Some(r) if self.anonymous => {
                    let kind = tr(lang, present::kind_key(r.round.kind));
                    match report.line_up.gathering_of(&r.round) {
                        Some(g) => format!("{kind} ({})", present::date(lang, g.held_on)),
                        None => kind.to_string(),
                    }
                }
                Some(r) => format!(
                    "{} ({})",
                    quoted(lang, &r.round.label),
                    present::date(lang, r.round.held_on)
                ),
                None => self.tr("cluster_report.no_round"),
            };
            let stage = line.latest.as_ref().and_then(|r| r.stage).map_or_else(
                || present::NONE.to_string(),
                |s| present::numbered_stage(lang, s),
            );
            let score = match &line.standing {
                Standing::NoRound => present::NONE.to_string(),
                Standing::Round { respondents, .. } if line.standing.is_hidden(&readiness) => {
                    trf(lang, "cluster_report.too_few_n", &[("n", respondents)])
                }
                Standing::Round { respondents, .. } => trf(
                    lang,
                    "cluster_report.score_n",
                    &[
                        (
                            "score",
                            &line
                                .standing
                                .tally(&readiness)
                                .map_or_else(|| present::NONE.to_string(), present::score),
                        ),
                        ("n", respondents),
                    ],
                ),
            };
            let between = present::answer(lang, line.between_work);
            table.row(vec![name.clone(), latest, stage, score, between]);
        }
        blocks.push(Block::Table(table, "services"));
    }
}

/// A section's row in bold, a subdomain's under it.
fn push_row(table: &mut Table, area: &AreaKey, cells: Vec<String>) {
    if area.subdomain.is_some() {
        table.sub_row(cells);
    } else {
        table.row(cells);
    }
}

fn or_none(text: &str) -> String {
    if text.trim().is_empty() {
        present::NONE.to_string()
    } else {
        text.to_string()
    }
}
