//! Finding a service, a round, a respondent and a gathering the way a user names them on
//! the command line: by id, or by name, label or code (case-insensitive, exact), a gathering
//! by its cluster and day. An unknown or ambiguous name lists the candidates, so the user
//! can pick one by name or id.

use chrono::NaiveDate;

use crate::domain::cluster::{Cluster, Gathering, GatheringKind};
use crate::domain::model::{Respondent, Round, Service};

use super::{Answers, Clusters, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no service {query:?}")]
    UnknownService {
        query: String,
        candidates: Vec<Service>,
    },
    #[error("more than one service is called {query:?}")]
    AmbiguousService {
        query: String,
        candidates: Vec<Service>,
    },
    #[error("no round {query:?} in {service}")]
    UnknownRound {
        query: String,
        service: String,
        candidates: Vec<Round>,
    },
    #[error("more than one round of {service} is called {query:?}")]
    AmbiguousRound {
        query: String,
        service: String,
        candidates: Vec<Round>,
    },
    #[error("no respondent {query:?} in {round}")]
    UnknownRespondent {
        query: String,
        round: String,
        candidates: Vec<Respondent>,
    },
    #[error("more than one respondent of {round} has the code {query:?}")]
    AmbiguousRespondent {
        query: String,
        round: String,
        candidates: Vec<Respondent>,
    },
    #[error("no cluster {query:?}")]
    UnknownCluster {
        query: String,
        candidates: Vec<Cluster>,
    },
    /// No gathering of `cluster` on `day` (of the kind asked for); `candidates` are all of
    /// the cluster's gatherings.
    #[error("no gathering on {day} in {cluster}")]
    UnknownGathering {
        cluster: String,
        day: NaiveDate,
        candidates: Vec<Gathering>,
    },
    #[error("more than one gathering on {day} in {cluster}")]
    AmbiguousGathering {
        cluster: String,
        day: NaiveDate,
        candidates: Vec<Gathering>,
    },
    #[error("no gathering with the id {id:?}")]
    UnknownGatheringId { id: String },
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The service with this id, or else the one service with this name (ignoring case).
pub(super) fn find_service<S: Answers + ?Sized>(
    store: &S,
    name_or_id: &str,
) -> Result<Service, LookupError> {
    let query = name_or_id.trim();
    match store.service(query) {
        Err(StoreError::NotFound(_)) => {}
        found => return Ok(found?),
    }
    // Most often one name matches: only the names are read to find it.
    let ids = store.service_ids_named(|name| same_name(name, query))?;
    if let [id] = ids.as_slice() {
        return Ok(store.service(id)?);
    }
    let services = store.service_list()?;
    let mut named: Vec<Service> = services
        .iter()
        .filter(|s| same_name(&s.name, query))
        .cloned()
        .collect();
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(LookupError::UnknownService {
            query: query.to_string(),
            candidates: services,
        }),
        _ => Err(LookupError::AmbiguousService {
            query: query.to_string(),
            candidates: named,
        }),
    }
}

/// The round of `service` with this id, or else the one round with this label (ignoring
/// case). A round of another service is never found.
pub(super) fn find_round<S: Answers + ?Sized>(
    store: &S,
    service: &Service,
    label_or_id: &str,
) -> Result<Round, LookupError> {
    let rounds: Vec<Round> = store
        .rounds(&service.id)?
        .into_iter()
        .map(|r| r.round)
        .collect();
    let query = label_or_id.trim();
    if let Some(round) = rounds.iter().find(|r| r.id == query) {
        return Ok(round.clone());
    }
    let mut labelled: Vec<Round> = rounds
        .iter()
        .filter(|r| same_name(&r.label, query))
        .cloned()
        .collect();
    match labelled.len() {
        1 => Ok(labelled.remove(0)),
        0 => Err(LookupError::UnknownRound {
            query: query.to_string(),
            service: service.name.clone(),
            candidates: rounds,
        }),
        _ => Err(LookupError::AmbiguousRound {
            query: query.to_string(),
            service: service.name.clone(),
            candidates: labelled,
        }),
    }
}

/// The respondent of `round` with this id, or else the one with this code (ignoring case).
/// A respondent of another round is never found.
pub(super) fn find_respondent<S: Answers + ?Sized>(
    store: &S,
    round: &Round,
    code_or_id: &str,
) -> Result<Respondent, LookupError> {
    let respondents: Vec<Respondent> = store
        .respondents(&round.id)?
        .into_iter()
        .map(|r| r.respondent)
        .collect();
    let query = code_or_id.trim();
    if let Some(respondent) = respondents.iter().find(|r| r.id == query) {
        return Ok(respondent.clone());
    }
    let mut coded: Vec<Respondent> = respondents
        .iter()
        .filter(|r| !query.is_empty() && same_name(&r.code, query))
        .cloned()
        .collect();
    match coded.len() {
        1 => Ok(coded.remove(0)),
        0 => Err(LookupError::UnknownRespondent {
            query: query.to_string(),
            round: round.label.clone(),
            candidates: respondents,
        }),
        _ => Err(LookupError::AmbiguousRespondent {
            query: query.to_string(),
            round: round.label.clone(),
            candidates: coded,
        }),
    }
}

/// The gathering with this id.
pub(super) fn find_gathering_by_id<S: Clusters + ?Sized>(
    store: &S,
    id: &str,
) -> Result<Gathering, LookupError> {
    let id = id.trim();
    match store.gathering(id) {
        Err(StoreError::NotFound(_)) => Err(LookupError::UnknownGatheringId { id: id.into() }),
        found => Ok(found?),
    }
}

/// The one gathering of the cluster named `cluster` (ignoring case) on `day`, of `kind`
/// where given: two on one day need the kind, or the id.
pub(super) fn find_gathering<S: Clusters + ?Sized>(
    store: &S,
    cluster: &str,
    day: NaiveDate,
    kind: Option<GatheringKind>,
) -> Result<Gathering, LookupError> {
    let query = cluster.trim();
    let clusters: Vec<Cluster> = store.clusters()?.into_iter().map(|c| c.cluster).collect();
    let Some(found) = clusters.iter().find(|c| same_name(&c.name, query)) else {
        return Err(LookupError::UnknownCluster {
            query: query.to_string(),
            candidates: clusters,
        });
    };
    let gatherings = store.gatherings(&found.id)?;
    let mut on_day: Vec<Gathering> = gatherings
        .iter()
        .filter(|g| g.held_on == day && kind.is_none_or(|k| g.kind == k))
        .cloned()
        .collect();
    match on_day.len() {
        1 => Ok(on_day.remove(0)),
        0 => Err(LookupError::UnknownGathering {
            cluster: found.name.clone(),
            day,
            candidates: gatherings,
        }),
        _ => Err(LookupError::AmbiguousGathering {
            cluster: found.name.clone(),
            day,
            candidates: on_day,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::instrument::Instrument;
    use crate::domain::model::RoundKind;
    use crate::i18n::Lang;
    use crate::store::Store;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn services_by_id_or_name_ignoring_case() {
        let (_dir, mut store) = store();
        let now = Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap();
        let a = store
            .create_service("Fjellbygd barnevern", &[], "Innlandet", now)
            .unwrap();
        let b = store.create_service("Sjøbyen", &[], "Vest", now).unwrap();
        let c = store.create_service("SJØBYEN", &[], "Øst", now).unwrap();
        assert_eq!(store.find_service("fjellbygd BARNEVERN ").unwrap(), a);
        assert_eq!(store.find_service(&b.id).unwrap(), b);
        match store.find_service("sjøbyen").unwrap_err() {
            LookupError::AmbiguousService { candidates, .. } => {
                assert_eq!(candidates.len(), 2);
                let message = LookupError::AmbiguousService {
                    query: "sjøbyen".into(),
                    candidates,
                }
                .message(Lang::En);
                assert!(
                    message.contains(&b.id) && message.contains(&c.id),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        let unknown = store.find_service("Fjell").unwrap_err();
        let message = unknown.message(Lang::Nb);
        assert!(!message.contains('\n'));
        assert!(message.contains("Fjellbygd barnevern"), "{message}");
    }

    #[test]
    fn rounds_within_their_service_only() {
        let (_dir, mut store) = store();
        let now = Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let instrument = Instrument::standard();
        let a = store.create_service("A", &[], "", now).unwrap();
        let b = store.create_service("B", &[], "", now).unwrap();
        let round = store
            .create_round(
                &a.id,
                "Før samling 1",
                date,
                RoundKind::Before,
                instrument,
                now,
            )
            .unwrap();
        let other = store
            .create_round(
                &b.id,
                "Før samling 1",
                date,
                RoundKind::Before,
                instrument,
                now,
            )
            .unwrap();
        assert_eq!(store.find_round(&a, "før SAMLING 1").unwrap(), round);
        assert_eq!(store.find_round(&a, &round.id).unwrap(), round);
        assert!(matches!(
            store.find_round(&a, &other.id),
            Err(LookupError::UnknownRound { .. })
        ));
        store
            .create_round(
                &a.id,
                "før samling 1",
                date,
                RoundKind::Before,
                instrument,
                now,
            )
            .unwrap();
        assert!(matches!(
            store.find_round(&a, "Før samling 1"),
            Err(LookupError::AmbiguousRound { .. })
        ));
    }
}
