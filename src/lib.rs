//! kartlegg: a child welfare service maps its readiness for change, programme fit and
//! implementation drivers, round by round, and sees whether a programme moved anything.

pub mod cli;
pub mod domain;
pub mod exchange;
pub mod i18n;
pub mod messages;
pub mod pause;
pub mod present;
pub mod start;
pub mod store;
pub mod ui;
pub mod usecase;
