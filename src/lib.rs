//! qualm: a terminal workbench for auditing privacy policies.
//!
//! `model` loads and validates policy models; `review` keeps analysts'
//! notes beside them; `cli` holds one file per subcommand; `tui` is the
//! interactive workbench.

pub mod cli;
pub mod compare;
pub mod escape;
pub mod keymap;
pub mod model;
pub mod review;
pub mod search;
pub mod tui;
