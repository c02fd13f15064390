//! Comparing clauses across policies and across versions: a topic or a
//! vocabulary term side by side in every policy (`topic`), two versions
//! aligned clause by clause with word-level changes (`align`) and their
//! flows compared after vocabulary normalization (`practice`), and the
//! data × policy and recipient × policy matrices (`matrix`). Pure functions
//! over the model; the CLI and the TUI only present their results.

pub mod align;
pub mod matrix;
pub mod practice;
pub mod topic;

pub use align::{align_policies, Alignment, Op, Pair, Status, WordChange};
pub use matrix::{matrix, By, Cell, CellValue, Matrix, Negative, Tone};
pub use practice::{practice_diff, PracticeDiff};
pub use topic::{compare_topic, resolve, Column, Subject};

use crate::model::Corpus;

/// The policy `id` names in the corpus, or an error listing the known ids.
pub fn find_policy(corpus: &Corpus, id: &str) -> Result<usize, String> {
    corpus
        .policies
        .iter()
        .position(|p| p.policy.id == id)
        .ok_or_else(|| {
            let known: Vec<&str> = corpus
                .policies
                .iter()
                .map(|p| p.policy.id.as_str())
                .collect();
            format!(
                "no policy \"{id}\"; the policies loaded are: {}",
                if known.is_empty() {
                    String::from("(none)")
                } else {
                    known.join(", ")
                }
            )
        })
}

/// The older version a policy supersedes, when it is loaded too.
pub fn superseded(corpus: &Corpus, index: usize) -> Option<usize> {
    let earlier = corpus.policies[index].policy.supersedes.as_deref()?;
    corpus.policies.iter().position(|p| p.policy.id == earlier)
}

/// A policy that supersedes the given one, when it is loaded.
pub fn superseded_by(corpus: &Corpus, index: usize) -> Option<usize> {
    let id = &corpus.policies[index].policy.id;
    corpus
        .policies
        .iter()
        .position(|p| p.policy.supersedes.as_deref() == Some(id))
}
