//! The terminal face: a router (`app`) over one module per screen (`screen/`), the leaves
//! they share (`action`, `status`, `widgets`, `form`, `context`), the keys, the frame around
//! the screens (`view`), the event loop (`terminal`), and starting and ending (`launch`).

pub mod action;
pub mod app;
pub mod context;
pub mod form;
pub mod keys;
pub mod launch;
pub mod screen;
pub mod status;
pub mod terminal;
pub mod view;
pub mod widgets;

pub use app::{App, Stopped};
pub use launch::{answer, launch};
pub use terminal::{draw, run};
