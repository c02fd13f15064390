//! The policy model: types, loading with validation, the shared vocabulary,
//! text sanitizing, and coverage of the original text.

pub mod context_edit;
pub mod coverage;
pub mod diagnostic;
pub mod edit;
pub mod guard;
pub mod load;
pub mod position;
pub mod sanitize;
pub mod shared;
pub mod types;
pub mod validate;
pub mod vocabulary;
pub mod write;

pub use diagnostic::{Diagnostic, Severity};
pub use load::{load, Corpus, LoadedPolicy};
pub use types::{
    Action, Choice, ChoiceKind, Clause, ClauseRole, Context, Flow, Policy, RetentionClass, Scope,
    Section,
};
pub use vocabulary::{Category, Term, Vocabulary};
