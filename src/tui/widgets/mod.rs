//! Reusable pieces of views.

pub mod text_field;
