//! The needs a cluster's services share: for one round label, how many services rank each
//! area among their top three and their mean gap, so a consultant can shape the next
//! gathering to what most of them need, and which services' priorities no other shares
//! (issue 14, "the cluster overview gains a needs view"). Figures are about services, not
//! people, and every one carries its n.

use std::collections::HashSet;

use super::needs::{Area, Need, gaps};

/// One shipped area across the cluster's mapped services.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedArea {
    pub area_key: String,
    /// The area's place in the shipped list.
    pub order: usize,
    /// Services that rank it among their top three.
    pub top_three: usize,
    /// The mean of importance − mastery over the services that gave both, and how many did.
    pub mean_gap: Option<f64>,
    pub gap_n: usize,
}

/// A service whose top priorities include areas no other mapped service ranks so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlikeTheRest {
    /// The service's place in the list given to `shared_needs`.
    pub service: usize,
    /// Its top-three areas that no other service ranks among its top three, in its own
    /// list order (an area of its own is always among them).
    pub area_keys: Vec<String>,
}

/// The cluster's needs at one round label.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedNeeds {
    /// Services with at least one need recorded in their round: the whole each count is of.
    pub mapped: usize,
    /// The shipped areas that any service ranked or weighed, most often in a top three
    /// first, then by the largest mean gap, then in list order.
    pub areas: Vec<SharedArea>,
    /// Services with priorities unlike the rest, in the order given. Empty with fewer than
    /// two mapped services: there is no rest to differ from.
    pub unlike: Vec<UnlikeTheRest>,
}

/// `services` holds, per service, the areas it weighs (the shipped list then its own) and
/// its needs in the chosen round (empty when it has no round or no needs there). `shipped`
/// is the list every service shares; own areas count only for the service that has them.
pub fn shared_needs(shipped: &[Area], services: &[(Vec<Area>, Vec<Need>)]) -> SharedNeeds {
    let mapped: Vec<usize> = (0..services.len())
        .filter(|&i| services[i].1.iter().any(is_recorded))
        .collect();
    let top_sets: Vec<HashSet<&str>> = services
        .iter()
        .map(|(_, needs)| {
            needs
                .iter()
                .filter(|n| n.top_three)
                .map(|n| n.area_key.as_str())
                .collect()
        })
        .collect();
    let service_gaps: Vec<_> = services
        .iter()
        .map(|(areas, needs)| gaps(areas, needs))
        .collect();

    let mut areas: Vec<SharedArea> = shipped
        .iter()
        .enumerate()
        .filter_map(|(order, area)| {
            let key = area.key.as_str();
            let top_three = mapped
                .iter()
                .filter(|&&i| top_sets[i].contains(key))
                .count();
            let area_gaps: Vec<i8> = mapped
                .iter()
                .filter_map(|&i| service_gaps[i].iter().find(|g| g.area_key == key))
                .map(|g| g.gap)
                .collect();
            if top_three == 0 && area_gaps.is_empty() {
                return None;
            }
            let gap_n = area_gaps.len();
            let mean_gap = (gap_n > 0)
                .then(|| area_gaps.iter().map(|&g| f64::from(g)).sum::<f64>() / gap_n as f64);
            Some(SharedArea {
                area_key: area.key.clone(),
                order,
                top_three,
                mean_gap,
                gap_n,
            })
        })
        .collect();
    areas.sort_by(|a, b| {
        b.top_three
            .cmp(&a.top_three)
            .then_with(|| {
                let gap = |s: &SharedArea| s.mean_gap.unwrap_or(f64::NEG_INFINITY);
                gap(b).total_cmp(&gap(a))
            })
            .then(a.order.cmp(&b.order))
    });

    let unlike = if mapped.len() < 2 {
        Vec::new()
    } else {
        mapped
            .iter()
            .filter_map(|&i| {
                let area_keys: Vec<String> = services[i]
                    .0
                    .iter()
                    .map(|a| a.key.as_str())
                    .filter(|key| top_sets[i].contains(key))
                    .filter(|key| !mapped.iter().any(|&j| j != i && top_sets[j].contains(key)))
                    .map(str::to_string)
                    .collect();
                (!area_keys.is_empty()).then_some(UnlikeTheRest {
                    service: i,
                    area_keys,
                })
            })
            .collect()
    };

    SharedNeeds {
        mapped: mapped.len(),
        areas,
        unlike,
    }
}

/// A need with anything the shared view counts: a rating or a top-three mark.
fn is_recorded(need: &Need) -> bool {
    need.top_three || need.mastery.is_some() || need.importance.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lang::Localized;

    fn area(key: &str) -> Area {
        Area {
            key: key.into(),
            name: Localized::default(),
            help: Localized::default(),
        }
    }

    fn need(key: &str, mastery: u8, importance: u8, top_three: bool) -> Need {
        Need {
            area_key: key.into(),
            mastery: Some(mastery),
            importance: Some(importance),
            top_three,
            ..Need::default()
        }
    }

    fn shipped() -> Vec<Area> {
        ["a", "b", "c", "d", "e"].into_iter().map(area).collect()
    }

    /// Four services by hand:
    /// - S1 (top a, b, c): a 2→5 (gap 3), b 3→4 (1), c 1→5 (4)
    /// - S2 (top a, b, own): a 3→5 (2), b 2→5 (3), own x 1→4
    /// - S3 (top a, d): a 4→4 (0), d 2→3 (1)
    /// - S4: no needs recorded, so not mapped and counted nowhere.
    ///
    /// a: top three in S1, S2, S3 → 3; gaps 3, 2, 0 → mean 5/3, n 3.
    /// b: S1, S2 → 2; gaps 1, 3 → mean 2, n 2.
    /// c: S1 → 1; gap 4, n 1.  d: S3 → 1; gap 1, n 1.  e: nobody → left out.
    /// Order: a (3), b (2), then c and d at 1 by mean gap: c (4) before d (1).
    /// Unlike the rest: S1 has c alone; S2 its own x; S3 d.
    #[test]
    fn counts_top_threes_and_mean_gaps_by_hand() {
        let own = area("x");
        let with_own = {
            let mut all = shipped();
            all.push(own);
            all
        };
        let services = vec![
            (
                shipped(),
                vec![
                    need("a", 2, 5, true),
                    need("b", 3, 4, true),
                    need("c", 1, 5, true),
                ],
            ),
            (
                with_own,
                vec![
                    need("a", 3, 5, true),
                    need("b", 2, 5, true),
                    need("x", 1, 4, true),
                ],
            ),
            (
                shipped(),
                vec![need("a", 4, 4, true), need("d", 2, 3, true)],
            ),
            (shipped(), vec![]),
        ];
        let shared = shared_needs(&shipped(), &services);
        assert_eq!(shared.mapped, 3);
        let summary: Vec<(&str, usize, usize)> = shared
            .areas
            .iter()
            .map(|a| (a.area_key.as_str(), a.top_three, a.gap_n))
            .collect();
        assert_eq!(
            summary,
            [("a", 3, 3), ("b", 2, 2), ("c", 1, 1), ("d", 1, 1)]
        );
        let means: Vec<f64> = shared.areas.iter().filter_map(|a| a.mean_gap).collect();
        assert!((means[0] - 5.0 / 3.0).abs() < 1e-12);
        assert_eq!(&means[1..], [2.0, 4.0, 1.0]);
        let unlike: Vec<(usize, Vec<&str>)> = shared
            .unlike
            .iter()
            .map(|u| (u.service, u.area_keys.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(unlike, [(0, vec!["c"]), (1, vec!["x"]), (2, vec!["d"])]);
    }

    #[test]
    fn an_area_weighed_but_ranked_by_none_still_shows_its_gap() {
        let services = vec![
            (shipped(), vec![need("e", 1, 5, false)]),
            (
                shipped(),
                vec![need("e", 2, 4, false), need("a", 3, 3, true)],
            ),
        ];
        let shared = shared_needs(&shipped(), &services);
        let keys: Vec<&str> = shared.areas.iter().map(|a| a.area_key.as_str()).collect();
        // a is in one top three; e in none, but its mean gap (4 + 2) / 2 = 3 is shown.
        assert_eq!(keys, ["a", "e"]);
        assert_eq!(shared.areas[1].mean_gap, Some(3.0));
        assert_eq!(shared.areas[1].gap_n, 2);
    }

    #[test]
    fn a_lone_service_is_unlike_no_rest() {
        let services = vec![(shipped(), vec![need("a", 1, 5, true)])];
        let shared = shared_needs(&shipped(), &services);
        assert_eq!(shared.mapped, 1);
        assert!(shared.unlike.is_empty());
        assert_eq!(shared.areas[0].top_three, 1);
    }

    #[test]
    fn equal_counts_and_gaps_keep_list_order_and_unknown_gaps_go_last() {
        // b and d are each in one top three; b with no ratings at all (a mark alone),
        // d with gap 0: d has a gap and goes first; c and a tie on everything → list order.
        let mark = |key: &str| Need {
            area_key: key.into(),
            top_three: true,
            ..Need::default()
        };
        let services = vec![
            (shipped(), vec![mark("b"), need("d", 3, 3, true)]),
            (
                shipped(),
                vec![need("c", 2, 3, true), need("a", 2, 3, true)],
            ),
        ];
        let shared = shared_needs(&shipped(), &services);
        let keys: Vec<&str> = shared.areas.iter().map(|a| a.area_key.as_str()).collect();
        assert_eq!(keys, ["a", "c", "d", "b"]);
        assert_eq!(shared.areas[3].mean_gap, None);
    }
}
