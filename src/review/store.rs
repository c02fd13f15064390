//! Where notes live on disk and how a change reaches it without losing
//! anyone's work: every change takes an advisory lock on a lock file
//! beside the review file, re-reads the file, applies just that change by
//! note id, and replaces the file atomically (temp file, fsync, rename,
//! directory fsync). Two sessions therefore keep each other's notes, and a
//! crash leaves the old file or the new one, never half of one. A review
//! file that does not parse is never overwritten: the change goes to a
//! recovery file beside it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::model::{Corpus, Diagnostic};

use super::note::{Note, Reply, ReviewFile, Severity, Status};

/// One change to a review file, applied by note id to whatever is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Add(Note),
    /// Sets the fields given; `updated` is the time of the edit.
    Edit {
        id: String,
        kind: Option<String>,
        severity: Option<Severity>,
        status: Option<Status>,
        body: Option<String>,
        updated: String,
    },
    Reply {
        id: String,
        reply: Reply,
    },
    Remove {
        id: String,
    },
    /// Puts a removed note back as it was (undo).
    Restore(Note),
}

impl Op {
    pub fn note_id(&self) -> &str {
        match self {
            Op::Add(note) | Op::Restore(note) => &note.id,
            Op::Edit { id, .. } | Op::Reply { id, .. } | Op::Remove { id } => id,
        }
    }

    /// Applies the change; `known` is this session's copy of the note, used
    /// when the note is no longer on disk (another session removed it while
    /// this one edited it: the edit wins, so nothing typed is lost).
    /// Returns the id of the note it changed: an added note without an id,
    /// or whose id another session took meanwhile, gets a fresh one here,
    /// under the lock, so two notes can never share an id. None when the
    /// note to change or remove is not there (and not known): nothing
    /// changed.
    pub fn apply_to(&self, file: &mut ReviewFile, known: Option<&Note>) -> Option<String> {
        let position = file.notes.iter().position(|n| n.id == self.note_id());
        match self {
            Op::Add(note) if note.id.is_empty() || position.is_some() => {
                let mut note = note.clone();
                note.id = super::author::new_id(&|id| file.note(id).is_some());
                let id = note.id.clone();
                file.notes.push(note);
                return Some(id);
            }
            Op::Add(note) | Op::Restore(note) => match position {
                Some(i) => file.notes[i] = note.clone(),
                None => file.notes.push(note.clone()),
            },
            Op::Remove { .. } => {
                file.notes.remove(position?);
            }
            Op::Edit { .. } | Op::Reply { .. } => {
                let i = match position {
                    Some(i) => i,
                    None => {
                        file.notes.push(known?.clone());
                        file.notes.len() - 1
                    }
                };
                self.edit(&mut file.notes[i]);
            }
        }
        Some(self.note_id().to_string())
    }

    fn edit(&self, note: &mut Note) {
        match self {
            Op::Edit {
                kind,
                severity,
                status,
                body,
                updated,
                ..
            } => {
                if let Some(kind) = kind {
                    note.kind = kind.clone();
                }
                if let Some(severity) = severity {
                    note.severity = *severity;
                }
                if let Some(status) = status {
                    note.status = *status;
                }
                if let Some(body) = body {
                    note.body = body.clone();
                }
                note.updated = updated.clone();
            }
            Op::Reply { reply, .. } => {
                note.replies.push(reply.clone());
                note.updated = reply.created.clone();
            }
            _ => {}
        }
    }
}

#[derive(Debug)]
pub enum StoreError {
    /// The review file does not parse; it was left alone and the note was
    /// kept in `recovery` instead.
    Unparsable {
        diagnostic: Diagnostic,
        recovery: PathBuf,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unparsable {
                diagnostic,
                recovery,
            } => write!(
                f,
                "{diagnostic}\nthe review file was left untouched; the note was kept in {}",
                recovery.display()
            ),
            StoreError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |error| StoreError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// `policies/acme.yaml` → `policies/acme.review.yaml`.
pub fn review_path(model_path: &Path, policy_id: &str) -> PathBuf {
    model_path.with_file_name(format!("{policy_id}.review.yaml"))
}

/// `acme.review.yaml` → `acme.review.recovery.yaml`.
pub fn recovery_path(review_path: &Path) -> PathBuf {
    sibling(review_path, "recovery.yaml")
}

fn lock_path(review_path: &Path) -> PathBuf {
    sibling(review_path, "lock")
}

fn sibling(review_path: &Path, suffix: &str) -> PathBuf {
    let name = review_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("notes.review.yaml");
    let stem = name.strip_suffix(".yaml").unwrap_or(name);
    review_path.with_file_name(format!("{stem}.{suffix}"))
}

/// Reads a review file; a missing one is an empty file for the policy.
pub fn read(path: &Path, policy_id: &str) -> Result<ReviewFile, Diagnostic> {
    match fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ReviewFile::new(policy_id)),
        _ => {
            let text = crate::model::load::read_yaml(path)?;
            ReviewFile::parse(&text, path)
        }
    }
}

/// What a change left on disk.
#[derive(Debug)]
pub struct Applied {
    /// The file as now on disk, with every other session's notes in it.
    pub file: ReviewFile,
    /// The id of the note changed (for an add: its new id); None when the
    /// note to change was not there, and nothing was written.
    pub id: Option<String>,
}

/// Applies one change under the lock.
pub fn apply(
    path: &Path,
    policy_id: &str,
    op: &Op,
    known: Option<&Note>,
) -> Result<Applied, StoreError> {
    let _lock = lock(path)?;
    remove_stale_temps(path);
    let mut file = match read(path, policy_id) {
        Ok(file) => file,
        Err(diagnostic) => {
            let recovery = recovery_path(path);
            keep_in_recovery(&recovery, policy_id, op, known)?;
            return Err(StoreError::Unparsable {
                diagnostic,
                recovery,
            });
        }
    };
    let id = op.apply_to(&mut file, known);
    if id.is_some() {
        write_atomic(path, file.to_yaml().as_bytes()).map_err(io_error(path))?;
    }
    file.canonicalize();
    Ok(Applied { file, id })
}

/// Adds the note as this session knows it to the recovery file, itself
/// written under the same lock and atomically.
fn keep_in_recovery(
    recovery: &Path,
    policy_id: &str,
    op: &Op,
    known: Option<&Note>,
) -> Result<(), StoreError> {
    let mut file = read(recovery, policy_id).unwrap_or_else(|_| ReviewFile::new(policy_id));
    let mut scratch = ReviewFile::new(policy_id);
    if let Some(note) = known {
        scratch.notes.push(note.clone());
    }
    op.apply_to(&mut scratch, known);
    for note in scratch.notes {
        let at = file.notes.iter().position(|n| n.id == note.id);
        match at {
            Some(i) => file.notes[i] = note,
            None => file.notes.push(note),
        }
    }
    write_atomic(recovery, file.to_yaml().as_bytes()).map_err(io_error(recovery))
}

/// Holds an exclusive advisory lock until dropped. The lock file is never
/// removed: removing it would let two sessions lock different files.
struct Lock(File);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

fn lock(review_path: &Path) -> Result<Lock, StoreError> {
    let path = lock_path(review_path);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    file.lock().map_err(io_error(&path))?;
    Ok(Lock(file))
}

/// Temp files of a writer that was killed mid-write. Only a lock holder
/// writes them, so under the lock every one is stale.
fn remove_stale_temps(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{name}.");
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if file_name.starts_with(&prefix) && file_name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves either
/// the old file or the new one: write a temp file beside it, fsync it,
/// rename it over, fsync the directory so the rename itself is durable.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The review files of a loaded folder, one per policy, in corpus order.
#[derive(Debug, Default)]
pub struct ReviewSet {
    pub reviews: Vec<PolicyReview>,
}

#[derive(Debug)]
pub struct PolicyReview {
    pub policy: String,
    pub path: PathBuf,
    pub file: ReviewFile,
    /// Set when the file on disk does not parse: the notes shown are the
    /// last good ones (or none) and changes go to the recovery file.
    pub error: Option<Diagnostic>,
    /// A recovery file exists beside it, holding notes to look at.
    pub recovery: Option<PathBuf>,
}

impl ReviewSet {
    pub fn load(corpus: &Corpus) -> ReviewSet {
        let reviews = corpus
            .policies
            .iter()
            .map(|loaded| {
                let id = &loaded.policy.id;
                let path = review_path(&loaded.path, id);
                let recovery = Some(recovery_path(&path)).filter(|p| p.exists());
                match read(&path, id) {
                    Ok(file) => PolicyReview {
                        policy: id.clone(),
                        path,
                        file,
                        error: None,
                        recovery,
                    },
                    Err(error) => PolicyReview {
                        policy: id.clone(),
                        path,
                        file: ReviewFile::new(id),
                        error: Some(error),
                        recovery,
                    },
                }
            })
            .collect();
        ReviewSet { reviews }
    }

    /// Every note with the index of its policy, in corpus then file order.
    pub fn all_notes(&self) -> impl Iterator<Item = (usize, &Note)> {
        self.reviews
            .iter()
            .enumerate()
            .flat_map(|(pi, r)| r.file.notes.iter().map(move |n| (pi, n)))
    }

    /// Applies a change for policy `pi`, takes in the merged file, and
    /// returns the id of the note changed.
    pub fn apply(&mut self, pi: usize, op: &Op) -> Result<String, StoreError> {
        let review = &mut self.reviews[pi];
        let known = review.file.note(op.note_id()).cloned();
        match apply(&review.path, &review.policy, op, known.as_ref()) {
            Ok(applied) => {
                review.file = applied.file;
                review.error = None;
                // A note another session removed first is gone either way.
                Ok(applied.id.unwrap_or_else(|| op.note_id().to_string()))
            }
            Err(error) => {
                // Show the change anyway; it is safe in the recovery file.
                if let StoreError::Unparsable {
                    diagnostic,
                    recovery,
                } = &error
                {
                    review.error = Some(diagnostic.clone());
                    review.recovery = Some(recovery.clone());
                    op.apply_to(&mut review.file, known.as_ref());
                }
                Err(error)
            }
        }
    }
}
