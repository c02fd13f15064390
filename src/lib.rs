//! qualm: a terminal workbench for auditing privacy policies.
//!
//! `model` loads and validates policy models; `cli` holds one file per
//! subcommand; `tui` is the interactive workbench.

pub mod cli;
pub mod keymap;
pub mod model;
pub mod search;
pub mod tui;
