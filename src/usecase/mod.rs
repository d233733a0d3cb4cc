//! What both faces do with the store and the domain before they show anything: find a
//! service and its rounds, load a round with its answers, stage and consensus, compare two
//! rounds, and the comparison as every face shows it (names resolved, n, coverage and
//! intervals decided once). Used by the commands now and by the screens next; it imports
//! neither face.

pub mod aggregate;
pub mod cluster;
pub mod cluster_report;
pub mod comparison;
pub mod invites;
pub mod positions;
pub mod rounds;
