//! Review notes: an analyst's concerns about a policy, kept in
//! `<id>.review.yaml` beside the model. `note` is the file format, `store`
//! the read-merge-write that never loses a note, `anchor` finds a note's
//! target again after the model changed, `merge` is the git merge driver,
//! `report` renders notes for people and machines.

pub mod anchor;
pub mod author;
pub mod html;
pub mod merge;
pub mod note;
pub mod report;
pub mod store;

pub use anchor::{resolve, Anchor};
pub use note::{Note, NoteFilter, Reply, ReviewFile, Severity, Status, Target};
pub use store::{Op, ReviewSet, StoreError};
