//! The git merge driver for review files (`qualm merge-notes %O %A %B`):
//! a three-way merge by note id. A note changed on one side only takes that
//! side; a note removed on one side and edited on the other is kept (an
//! edit is never lost to a removal); a note both sides edited differently
//! is kept twice, the second copy under a new id with `conflict:` naming
//! the first, for the analyst to settle.

use std::collections::{HashMap, HashSet};

use super::note::{Note, ReviewFile};

#[derive(Debug)]
pub struct Merged {
    pub file: ReviewFile,
    /// Ids of notes both sides edited differently.
    pub conflicts: Vec<String>,
}

pub fn merge(base: &ReviewFile, ours: &ReviewFile, theirs: &ReviewFile) -> Merged {
    let index = |file: &ReviewFile| -> HashMap<String, Note> {
        file.notes
            .iter()
            .map(|n| (n.id.clone(), n.clone()))
            .collect()
    };
    let (base_notes, our_notes, their_notes) = (index(base), index(ours), index(theirs));
    let mut ids: Vec<&String> = Vec::new();
    let mut seen = HashSet::new();
    for note in ours.notes.iter().chain(&theirs.notes).chain(&base.notes) {
        if seen.insert(&note.id) {
            ids.push(&note.id);
        }
    }
    let mut notes = Vec::new();
    let mut conflicts = Vec::new();
    let mut taken: HashSet<String> = seen.iter().map(|s| s.to_string()).collect();
    for id in ids {
        let (b, o, t) = (base_notes.get(id), our_notes.get(id), their_notes.get(id));
        match (o, t) {
            (Some(o), Some(t)) if o == t => notes.push(o.clone()),
            (Some(o), Some(t)) => {
                if b == Some(o) {
                    notes.push(t.clone());
                } else if b == Some(t) {
                    notes.push(o.clone());
                } else {
                    conflicts.push(id.clone());
                    notes.push(o.clone());
                    let mut second = t.clone();
                    second.id = super::author::new_id(&|candidate| taken.contains(candidate));
                    taken.insert(second.id.clone());
                    second.conflict = Some(id.clone());
                    notes.push(second);
                }
            }
            // Present on one side only: added there, or removed on the
            // other. A removal wins only over a note left unchanged.
            (Some(only), None) | (None, Some(only)) => {
                if b != Some(only) {
                    notes.push(only.clone());
                }
            }
            (None, None) => {}
        }
    }
    let mut file = ReviewFile {
        schema: ours.schema.max(theirs.schema),
        policy: ours.policy.clone(),
        notes,
    };
    file.canonicalize();
    Merged { file, conflicts }
}
