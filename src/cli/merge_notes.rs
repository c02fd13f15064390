//! `qualm merge-notes %O %A %B`: git's merge driver for `*.review.yaml`.
//! Writes the merge of base (%O), ours (%A) and theirs (%B) into %A. Exit
//! 0 when clean; 1 when a note was edited on both sides (both versions are
//! kept, the second marked `conflict:`), so git stops for a look; 2 when a
//! side does not parse (then %A is left as it was).

use std::path::Path;

use crate::review::merge::merge;
use crate::review::store::write_atomic;
use crate::review::ReviewFile;

/// `name` is the file being merged (git's `%P`): git's temp files (`%O`,
/// `%A`, `%B`, `.merge_file_XXXX`) mean nothing to the analyst, so
/// messages name it and the side instead.
pub fn run(base: &Path, ours: &Path, theirs: &Path, name: Option<&Path>) -> i32 {
    let shown = |path: &Path, side: &str| -> std::path::PathBuf {
        match name {
            Some(name) => std::path::PathBuf::from(format!("{} ({side})", name.display())),
            None => path.to_path_buf(),
        }
    };
    let read = |path: &Path, side: &str| -> Result<ReviewFile, i32> {
        let shown = shown(path, side);
        let bytes =
            match crate::model::guard::read_bounded(path, crate::model::load::MAX_FILE_BYTES) {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("qualm: {}: {e}", crate::escape::path(&shown));
                    return Err(2);
                }
            };
        let Ok(text) = String::from_utf8(bytes) else {
            eprintln!(
                "qualm: {}: not a text file: invalid UTF-8",
                crate::escape::path(&shown)
            );
            return Err(2);
        };
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        if let Some(at) = crate::model::guard::too_deep(text) {
            eprintln!(
                "{}",
                crate::model::Diagnostic::error(&shown, "nesting too deep; refused").at(Some(at))
            );
            return Err(2);
        }
        if let Some(at) = crate::model::position::alias_bomb(text) {
            eprintln!(
                "{}",
                crate::model::Diagnostic::error(&shown, "YAML aliases expand too far; refused")
                    .at(Some(at))
            );
            return Err(2);
        }
        // A side that did not have the file (added on both sides) is empty.
        if text.trim().is_empty() {
            return Ok(ReviewFile::new(""));
        }
        ReviewFile::parse(text, &shown).map_err(|d| {
            eprintln!("{d}");
            2
        })
    };
    let (base, mut our_file, mut their_file) = match (
        read(base, "base"),
        read(ours, "ours"),
        read(theirs, "theirs"),
    ) {
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
        eprintln!("qualm: {}: {e}", crate::escape::path(&shown(ours, "ours")));
        return 2;
    }
    for id in &merged.conflicts {
        eprintln!(
            "qualm: note {} was edited on both sides; both versions are kept",
            crate::escape::escape(id)
        );
    }
    i32::from(!merged.conflicts.is_empty())
}
