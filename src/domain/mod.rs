//! The instrument, the model and scoring: plain Rust, no terminal, no SQL.

pub mod compare;
pub mod instrument;
pub mod model;
pub mod scoring;
pub mod trend;
