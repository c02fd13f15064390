//! Reusable pieces of views.

pub mod filter;
pub mod text_field;
