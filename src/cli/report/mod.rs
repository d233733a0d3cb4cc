//! `kartlegg report`: a report to bring to a gathering, as Markdown or as one
//! self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched), readable in
//! a browser and on paper. Every chart has a text alternative and its numbers in a table.
//! The report's sections are made once (`model`); `markdown` and `html` (with `svg`) only
//! write them.

pub mod cluster;
pub mod html;
pub mod markdown;
pub mod markup;
pub mod model;
pub mod needs;
pub mod positions;
pub mod svg;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;

use super::document;
use super::files::{is_database_file, write_failed, write_private};
use crate::domain::compare::{MIN_GROUP, Options};
use crate::domain::instrument::Instrument;
use crate::domain::model::Round;
use crate::i18n::{Lang, trf};
use crate::messages::quoted;
use crate::store::Admin;
use crate::store::{Store, StoreError};
use crate::usecase::cluster_report::ClusterReport;
use crate::usecase::positions::positions_by_round;
use crate::usecase::rounds::find_rounds;
use model::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    /// One self-contained file for a browser and for print
    Html,
}

#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("whose").required(true).args(["service", "cluster"])))]
pub struct ReportArgs {
    /// The service: its id, or its name in any case
    #[arg(long, value_name = "NAME_OR_ID")]
    pub service: Option<String>,

    /// The cluster, by the name its services carry: its services side by side, for the
    /// consultant to bring to the next gathering
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// A round to include, by label in any case or id; repeat it, or give several
    /// [default: every round of the service]
    #[arg(long = "round", value_name = "ROUND", num_args = 1.., conflicts_with = "cluster")]
    pub rounds: Vec<String>,

    /// The programme owner's view of a cluster: services as A, B, C (given by id, never by
    /// name or score), no service names, no notes
    #[arg(long, conflicts_with = "service")]
    pub anonymous: bool,

    #[arg(long, value_enum)]
    pub format: Format,

    /// The file to write (created readable by its owner alone; an old report is replaced)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Role groups with fewer respondents show their n only, no scores (3 or more)
    #[arg(long, value_name = "N", default_value_t = MIN_GROUP, value_parser = super::compare::parse_min_group)]
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
    if let Some(refused) = super::compare::below_floor(lang, request.min_group) {
        return refused;
    }
    if is_database_file(&request.out, store.path()) {
        super::complain(&trf(
            lang,
            "report.out_is_database",
            &[("path", &request.out.display())],
        ));
        return ExitCode::from(super::exit::FAILURE);
    }
    let Some(service) = &request.service else {
        let cluster = request.cluster.as_deref().unwrap_or_default();
        return run_cluster(store, instrument, lang, request, cluster, today);
    };
    let (service, rounds, plan) = match find_rounds(store, service, &request.rounds) {
        Ok(found) => found,
        Err(e) => return super::lookup_failed(lang, &e),
    };
    if rounds.is_empty() {
        super::complain(&trf(
            lang,
            "report.no_rounds",
            &[("service", &quoted(lang, &service.name))],
        ));
        return ExitCode::from(super::exit::FAILURE);
    }
    let (areas, round_needs) = match needs::load(store, &service.id, &rounds) {
        Ok(found) => found,
        Err(e) => return super::lookup_failed(lang, &e.into()),
    };
    let chosen: Vec<Round> = rounds.iter().map(|r| r.round.clone()).collect();
    let positions = match positions_by_round(store, &chosen, request.min_group) {
        Ok(found) => found,
        Err(e) => return super::lookup_failed(lang, &e.into()),
    };
    let report = Report {
        instrument,
        lang,
        service: &service,
        rounds: &rounds,
        plan: &plan,
        areas: &areas,
        needs: &round_needs,
        positions: &positions,
        min_group: request.min_group,
        options: Options {
            with_consultant: request.with_consultant,
        },
        today,
    };
    // The report is made once; each format only writes it.
    let (title, blocks) = (report.title(), report.blocks());
    write_report(lang, request, &title, &blocks)
}

/// The cluster's report: loaded once, turned into the document, written.
fn run_cluster(
    store: &Store,
    instrument: &Instrument,
    lang: Lang,
    request: &ReportArgs,
    name: &str,
    today: NaiveDate,
) -> ExitCode {
    let options = Options {
        with_consultant: request.with_consultant,
    };
    let report =
        match ClusterReport::load(store, instrument, name, request.min_group, options, today) {
            Ok(report) => report,
            Err(StoreError::NotFound("cluster")) => {
                super::complain(&trf(
                    lang,
                    "cluster_report.unknown_cluster",
                    &[("cluster", &quoted(lang, name))],
                ));
                return ExitCode::from(super::exit::FAILURE);
            }
            Err(e) => return super::lookup_failed(lang, &e.into()),
        };
    let face = cluster::ClusterFace {
        instrument,
        lang,
        report: &report,
        anonymous: request.anonymous,
        today,
    };
    write_report(lang, request, &face.title(), &face.blocks())
}

/// The document in the chosen format, to the file readable by its owner alone.
fn write_report(
    lang: Lang,
    request: &ReportArgs,
    title: &str,
    blocks: &[document::Block],
) -> ExitCode {
    let text = match request.format {
        Format::Markdown => markdown::write(title, blocks),
        Format::Html => html::write(lang, title, blocks),
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
