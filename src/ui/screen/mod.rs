//! One module per screen: each holds the screen's state, what an action does there, and how
//! it is drawn. A screen uses `ui::context` and the leaves (`action`, `status`, `widgets`,
//! `form`), never the router nor another screen.

pub mod cluster;
pub mod cluster_year;
pub mod code;
pub mod compare;
pub mod form;
pub mod gathering;
pub mod goals;
pub mod needs;
pub mod plan;
pub mod positions;
pub mod recover;
pub mod respondents;
pub mod review;
pub mod roles;
pub mod rounds;
pub mod services;
pub mod summary;
pub mod trend;
pub mod walk;
