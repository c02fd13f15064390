//! The policy model: types, loading with validation, the shared vocabulary,
//! text sanitizing, and coverage of the original text.

pub mod coverage;
pub mod diagnostic;
pub mod guard;
pub mod load;
pub mod position;
pub mod sanitize;
pub mod shared;
pub mod types;
pub mod validate;
pub mod vocabulary;

pub use diagnostic::{Diagnostic, Severity};
pub use load::{load, Corpus, LoadedPolicy};
pub use types::{Clause, Context, Flow, Policy, RetentionClass, Section};
pub use vocabulary::{Category, Term, Vocabulary};
