//! An erasure in the user's words, the same for both faces: what is erased (the thing, by
//! its code, label, name or text), what it holds, the question before and the line after.

use crate::domain::cluster::Gathering;
use crate::domain::model::{Respondent, Round, Service};
use crate::domain::plan::{Goal, PlanItem};
use crate::i18n::{Lang, tr, trf};
use crate::present::{count, role_key};
use crate::store::{Erasable, Erasure};

use super::quoted;

/// One thing to erase, named as the user knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasing {
    pub target: Erasable,
    /// "respondenten EF", "runden «Før samling 1»".
    thing: String,
}

impl Erasing {
    /// By their code, or their role when they have none.
    pub fn respondent(lang: Lang, respondent: &Respondent) -> Erasing {
        let who = if respondent.code.is_empty() {
            tr(lang, role_key(respondent.role)).to_string()
        } else {
            respondent.code.clone()
        };
        Erasing {
            target: Erasable::Respondent(respondent.id.clone()),
            thing: trf(lang, "erase.thing_respondent", &[("who", &who)]),
        }
    }

    pub fn round(lang: Lang, round: &Round) -> Erasing {
        Erasing {
            target: Erasable::Round(round.id.clone()),
            thing: trf(
                lang,
                "erase.thing_round",
                &[("round", &quoted(lang, &round.label))],
            ),
        }
    }

    pub fn service(lang: Lang, service: &Service) -> Erasing {
        Erasing {
            target: Erasable::Service(service.id.clone()),
            thing: trf(
                lang,
                "erase.thing_service",
                &[("service", &quoted(lang, &service.name))],
            ),
        }
    }

    pub fn plan_item(lang: Lang, item: &PlanItem) -> Erasing {
        Erasing {
            target: Erasable::PlanItem(item.id.clone()),
            thing: trf(
                lang,
                "erase.thing_plan_item",
                &[("text", &quoted(lang, &crate::present::fit(&item.text, 30)))],
            ),
        }
    }

    pub fn goal(lang: Lang, goal: &Goal) -> Erasing {
        Erasing {
            target: Erasable::Goal(goal.id.clone()),
            thing: trf(
                lang,
                "erase.thing_goal",
                &[("text", &quoted(lang, &crate::present::fit(&goal.text, 30)))],
            ),
        }
    }

    /// By its kind and day: "samlingen for ledere 12.03.2026".
    pub fn gathering(lang: Lang, gathering: &Gathering) -> Erasing {
        Erasing {
            target: Erasable::Gathering(gathering.id.clone()),
            thing: crate::present::gathering_of(lang, gathering),
        }
    }

    /// "Slette respondenten EF og 57 svar? Dette kan ikke angres. j/n"
    pub fn question(&self, lang: Lang, erasure: &Erasure) -> String {
        trf(
            lang,
            "erase.ask",
            &[("thing", &self.thing), ("held", &self.held(lang, erasure))],
        )
    }

    /// "Slettet respondenten EF og 57 svar."
    pub fn done(&self, lang: Lang, erasure: &Erasure) -> String {
        trf(
            lang,
            "erase.done",
            &[("thing", &self.thing), ("held", &self.held(lang, erasure))],
        )
    }

    /// "Ville slettet respondenten EF og 57 svar." (a dry run)
    pub fn would(&self, lang: Lang, erasure: &Erasure) -> String {
        trf(
            lang,
            "erase.would",
            &[("thing", &self.thing), ("held", &self.held(lang, erasure))],
        )
    }

    /// What the thing holds, " og 57 svar", " med 3 runder, 30 respondenter, 900 svar", or
    /// nothing when it holds nothing.
    fn held(&self, lang: Lang, erasure: &Erasure) -> String {
        let parts = match self.target {
            Erasable::Service(_) => held_parts(lang, erasure, 1),
            Erasable::Round(_) => held_parts(lang, erasure, 2),
            Erasable::Respondent(_) => held_parts(lang, erasure, 3),
            Erasable::Gathering(_) => held_parts(lang, erasure, 7),
            Erasable::PlanItem(_) | Erasable::Goal(_) => String::new(),
        };
        match (&self.target, parts.is_empty()) {
            (_, true) => String::new(),
            (Erasable::Respondent(_), false) => trf(lang, "erase.and", &[("what", &parts)]),
            (_, false) => trf(lang, "erase.with", &[("what", &parts)]),
        }
    }
}

/// The counts of `erasure` that are not zero, from the `skip`th on (services, rounds,
/// respondents, answers, plan items, goals, gatherings, attendances), joined.
fn held_parts(lang: Lang, erasure: &Erasure, skip: usize) -> String {
    let all = [
        ("noun.service", erasure.services),
        ("noun.round", erasure.rounds),
        ("noun.respondent", erasure.respondents),
        ("noun.answer", erasure.answers),
        ("noun.plan_item", erasure.plan_items),
        ("noun.goal", erasure.goals),
        ("noun.gathering", erasure.gatherings),
        ("noun.attendance", erasure.attendances),
    ];
    let parts: Vec<String> = all[skip..]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(noun, n)| count(lang, noun, *n))
        .collect();
    parts.join(", ")
}

/// Everything an erasure removed, or would: "2 runder, 24 respondenter, 500 svar".
pub fn erasure_counts(lang: Lang, erasure: &Erasure) -> String {
    let parts = held_parts(lang, erasure, 0);
    if parts.is_empty() {
        tr(lang, "report.none").to_string()
    } else {
        parts
    }
}
