//! `qualm merge-notes %O %A %B`: git's merge driver for `*.review.yaml`.
//! Writes the merge of base (%O), ours (%A) and theirs (%B) into %A. Exit
//! 0 when clean; 1 when a note was edited on both sides (both versions are
//! kept, the second marked `conflict:`), so git stops for a look; 2 when a
//! side does not parse (then %A is left as it was).

use std::path::Path;

use crate::review::merge::merge;
use crate::review::store::write_atomic;
use crate::review::ReviewFile;

pub fn run(base: &Path, ours: &Path, theirs: &Path) -> i32 {
    let read = |path: &Path| -> Result<ReviewFile, i32> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("qualm: {}: {e}", path.display());
                return Err(2);
            }
        };
        // A side that did not have the file (added on both sides) is empty.
        if text.trim().is_empty() {
            return Ok(ReviewFile::new(""));
        }
        ReviewFile::parse(&text, path).map_err(|d| {
            eprintln!("{d}");
            2
        })
    };
    let (base, mut our_file, mut their_file) = match (read(base), read(ours), read(theirs)) {
        (Ok(b), Ok(o), Ok(t)) => (b, o, t),
        _ => return 2,
    };
    if our_file.policy.is_empty() {
        our_file.policy.clone_from(&their_file.policy);
    }
    if their_file.policy.is_empty() {
        their_file.policy.clone_from(&our_file.policy);
    }
    let merged = merge(&base, &our_file, &their_file);
    if let Err(e) = write_atomic(ours, merged.file.to_yaml().as_bytes()) {
        eprintln!("qualm: {}: {e}", ours.display());
        return 2;
    }
    for id in &merged.conflicts {
        eprintln!("qualm: note {id} was edited on both sides; both versions are kept");
    }
    i32::from(!merged.conflicts.is_empty())
}
