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
use std::time::{Duration, Instant};

use crate::model::{Corpus, Diagnostic};

use super::note::{Note, Reply, ReviewFile, Severity, Status};

/// One change to a review file, applied by note id to whatever is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Add(Note),
    /// Sets the fields given; `updated` is the time of the edit. `base` is
    /// the note as the editor saw it: a field someone else changed on disk
    /// meanwhile to another value is a conflict, and then both versions are
    /// kept (as the merge driver does) instead of one silently reverting
    /// the other.
    Edit {
        id: String,
        kind: Option<String>,
        severity: Option<Severity>,
        status: Option<Status>,
        body: Option<String>,
        updated: String,
        base: Option<Box<Note>>,
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
    /// A field-level edit of `seen` (the note as this session shows it):
    /// only the fields that differ from it are set, so an edit never writes
    /// back a stale copy of a field it did not change.
    pub fn edit_from(
        seen: &Note,
        kind: Option<String>,
        severity: Option<Severity>,
        status: Option<Status>,
        body: Option<String>,
        updated: String,
    ) -> Op {
        Op::Edit {
            id: seen.id.clone(),
            kind: kind.filter(|k| *k != seen.kind),
            severity: severity.filter(|s| *s != seen.severity),
            status: status.filter(|s| *s != seen.status),
            body: body.filter(|b| *b != seen.body),
            updated,
            base: Some(Box::new(seen.clone())),
        }
    }

    /// True when this edit changes a field that, on disk, someone else set
    /// to a third value since `base` was read.
    fn conflicts_with(&self, on_disk: &Note) -> bool {
        let Op::Edit {
            kind,
            severity,
            status,
            body,
            base: Some(base),
            ..
        } = self
        else {
            return false;
        };
        fn clash<T: PartialEq>(ours: &Option<T>, base: &T, disk: &T) -> bool {
            ours.as_ref().is_some_and(|o| disk != base && disk != o)
        }
        clash(kind, &base.kind, &on_disk.kind)
            || clash(severity, &base.severity, &on_disk.severity)
            || clash(status, &base.status, &on_disk.status)
            || clash(body, &base.body, &on_disk.body)
    }

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
            Op::Edit { .. } if position.is_some_and(|i| self.conflicts_with(&file.notes[i])) => {
                // Both versions kept: the one on disk, and ours beside it
                // under a new id marked `conflict:`, for the analyst to settle.
                let i = position?;
                let mut ours = file.notes[i].clone();
                self.edit(&mut ours);
                ours.id = super::author::new_id(&|id| file.note(id).is_some());
                ours.conflict = Some(file.notes[i].id.clone());
                let id = ours.id.clone();
                file.notes.push(ours);
                return Some(id);
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
    /// The review file does not parse; it was left alone. The change was
    /// kept in `recovery` where it could be (None: nothing was written,
    /// e.g. a status change of a note this process never saw).
    Unparsable {
        diagnostic: Diagnostic,
        recovery: Option<PathBuf>,
    },
    /// Another process held the lock for longer than the timeout. The
    /// change waits in `draft` (a file of this process that needs no lock),
    /// applied by the next write or start; None when there was nothing to
    /// keep (a removal, or a change to a note this process never saw).
    Locked {
        lock: PathBuf,
        waited: Duration,
        draft: Option<PathBuf>,
    },
    /// What would be written could not be read back (too large, or it
    /// does not parse): the file on disk was left as it was.
    Unreadable {
        path: PathBuf,
        why: String,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |p: &Path| crate::escape::path(p);
        match self {
            StoreError::Unparsable {
                diagnostic,
                recovery: Some(recovery),
            } => write!(
                f,
                "{diagnostic}\nthe review file was left untouched; the change was kept in {}",
                show(recovery)
            ),
            StoreError::Unparsable {
                diagnostic,
                recovery: None,
            } => write!(
                f,
                "{diagnostic}\nthe review file was left untouched and nothing was written: fix it first (`qualm check`)"
            ),
            StoreError::Locked {
                lock,
                waited,
                draft,
            } => {
                write!(
                    f,
                    "{} is held by another process (waited {:.1} s)",
                    show(lock),
                    waited.as_secs_f64()
                )?;
                match draft {
                    Some(draft) => write!(
                        f,
                        "; the change was kept in {} and is applied by the next write",
                        show(draft)
                    ),
                    None => write!(f, "; nothing was written"),
                }
            }
            StoreError::Unreadable { path, why } => write!(
                f,
                "{}: not written: {why}; the file was left as it was",
                show(path)
            ),
            StoreError::Io { path, error } => write!(f, "{}: {error}", show(path)),
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

/// The recovery files beside a review file, in the order they were made:
/// `acme.review.recovery.yaml`, then `acme.review.recovery-2.yaml` and on
/// (as [`writable_recovery`] makes them, each only when the one before
/// exists and does not parse).
pub fn recovery_paths(review_path: &Path) -> Vec<PathBuf> {
    (1..)
        .map(|n| numbered_recovery(review_path, n))
        .take_while(|p| fs::symlink_metadata(p).is_ok())
        .collect()
}

fn numbered_recovery(review_path: &Path, n: usize) -> PathBuf {
    if n == 1 {
        recovery_path(review_path)
    } else {
        sibling(review_path, &format!("recovery-{n}.yaml"))
    }
}

/// The recovery file a change may go to: the first that is missing or
/// parses. One that does not parse is never replaced: it holds notes.
fn writable_recovery(review_path: &Path, policy_id: &str) -> (PathBuf, ReviewFile) {
    for n in 1.. {
        let path = numbered_recovery(review_path, n);
        if fs::symlink_metadata(&path).is_err() {
            return (path, ReviewFile::new(policy_id));
        }
        if let Ok(file) = read(&path, policy_id) {
            return (path, file);
        }
    }
    unreachable!("some recovery name is free")
}

fn lock_path(review_path: &Path) -> PathBuf {
    sibling(review_path, "lock")
}

/// This process's draft file: changes that could not take the lock wait
/// here. Only this process writes it, so it needs no lock.
pub fn draft_path(review_path: &Path) -> PathBuf {
    sibling(review_path, &format!("draft-{}.yaml", std::process::id()))
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
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(ReviewFile::new(policy_id)),
        _ => {
            let text = crate::model::load::read_yaml(path)?;
            ReviewFile::parse(&text, path)
        }
    }
}

pub use crate::model::guard::Stamp;

/// What a change left on disk.
#[derive(Debug)]
pub struct Applied {
    /// The file as now on disk, with every other session's notes in it.
    pub file: ReviewFile,
    /// The id of the note changed (for an add: its new id; for an edit
    /// that conflicted: the id of the copy kept beside the other version);
    /// None when the note to change was not there, and nothing was written.
    pub id: Option<String>,
}

/// How long a write waits for another process's lock before it gives up
/// (and keeps the change in this process's draft file): `QUALM_LOCK_TIMEOUT_MS`,
/// else 10 seconds.
pub fn lock_timeout() -> Duration {
    std::env::var("QUALM_LOCK_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis)
}

/// Applies one change under the lock.
pub fn apply(
    path: &Path,
    policy_id: &str,
    op: &Op,
    known: Option<&Note>,
) -> Result<Applied, StoreError> {
    apply_waiting(path, policy_id, op, known, &|_| {})
}

/// [`apply`], calling `waiting` once when the lock is not free at once (so
/// the command line can say why it waits).
pub fn apply_waiting(
    path: &Path,
    policy_id: &str,
    op: &Op,
    known: Option<&Note>,
    waiting: &dyn Fn(&Path),
) -> Result<Applied, StoreError> {
    let _lock = match lock(path, lock_timeout(), waiting) {
        Ok(lock) => lock,
        Err(LockError::Io(e)) => return Err(e),
        Err(LockError::TimedOut { lock, waited }) => {
            let draft = keep_in_draft(path, policy_id, op, known)?;
            return Err(StoreError::Locked {
                lock,
                waited,
                draft,
            });
        }
    };
    remove_stale_temps(path);
    let mut file = match read(path, policy_id) {
        Ok(file) => file,
        Err(diagnostic) => {
            let recovery = keep_in_recovery(path, policy_id, op, known)?;
            return Err(StoreError::Unparsable {
                diagnostic,
                recovery,
            });
        }
    };
    let drafts = pick_up_drafts(path, &mut file);
    let id = op.apply_to(&mut file, known);
    if id.is_some() || !drafts.is_empty() {
        write_checked(path, &file)?;
        for draft in drafts {
            let _ = fs::remove_file(draft);
        }
    }
    file.canonicalize();
    Ok(Applied { file, id })
}

/// Migrates the review file's notes that target a flow by its place to
/// the flow's id ([`super::anchor::migrate_flow_targets`]), under the lock;
/// the number of notes changed. A missing file has nothing to migrate.
pub fn migrate_flow_targets(
    path: &Path,
    policy: &crate::model::Policy,
    timeout: Duration,
) -> Result<usize, StoreError> {
    // Looked at first without the lock: nearly always there is nothing to
    // migrate, and opening a folder then creates no lock file.
    let Ok(mut peek) = read(path, &policy.id) else {
        return Ok(0);
    };
    if !path.exists() || super::anchor::migrate_flow_targets(&mut peek, policy) == 0 {
        return Ok(0);
    }
    let _lock = match lock(path, timeout, &|_| {}) {
        Ok(lock) => lock,
        Err(LockError::Io(e)) => return Err(e),
        Err(LockError::TimedOut { lock, waited }) => {
            return Err(StoreError::Locked {
                lock,
                waited,
                draft: None,
            })
        }
    };
    let mut file = read(path, &policy.id).map_err(|diagnostic| StoreError::Unparsable {
        diagnostic,
        recovery: None,
    })?;
    let changed = super::anchor::migrate_flow_targets(&mut file, policy);
    if changed > 0 {
        write_checked(path, &file)?;
    }
    Ok(changed)
}

/// Takes orphan draft files into the review file, if the lock is free
/// within a moment; the number of drafts taken in.
pub fn pick_up(path: &Path, policy_id: &str) -> Result<usize, StoreError> {
    let _lock = match lock(path, Duration::from_millis(200), &|_| {}) {
        Ok(lock) => lock,
        Err(LockError::Io(e)) => return Err(e),
        Err(LockError::TimedOut { lock, waited }) => {
            return Err(StoreError::Locked {
                lock,
                waited,
                draft: None,
            })
        }
    };
    let mut file = read(path, policy_id).map_err(|diagnostic| StoreError::Unparsable {
        diagnostic,
        recovery: None,
    })?;
    let drafts = pick_up_drafts(path, &mut file);
    if !drafts.is_empty() {
        write_checked(path, &file)?;
        for draft in &drafts {
            let _ = fs::remove_file(draft);
        }
    }
    Ok(drafts.len())
}

/// Writes a review file only if what is written reads back as the same
/// notes: a file qualm would then refuse to read (over the size limit, or
/// not parsing) would hide every note of the policy.
fn write_checked(path: &Path, file: &ReviewFile) -> Result<(), StoreError> {
    let text = file.to_yaml();
    let unreadable = |why: String| StoreError::Unreadable {
        path: path.to_path_buf(),
        why,
    };
    if text.len() as u64 > crate::model::load::MAX_FILE_BYTES {
        return Err(unreadable(format!(
            "it would be {:.1} MiB, over the {} MiB qualm reads",
            text.len() as f64 / (1024.0 * 1024.0),
            crate::model::load::MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    if let Some((problem, (line, column))) = crate::model::guard::prescan(&text) {
        return Err(unreadable(format!(
            "qualm would refuse to read it ({problem:?} at {line}:{column})"
        )));
    }
    let mut expected = file.clone();
    expected.canonicalize();
    match ReviewFile::parse(&text, path) {
        Ok(back) if back == expected => {}
        Ok(_) => return Err(unreadable("it would not read back the same".into())),
        Err(d) => return Err(unreadable(format!("it would not parse: {}", d.message))),
    }
    write_atomic(path, text.as_bytes()).map_err(io_error(path))
}

/// The notes a change would leave, as far as this process knows them: what
/// a recovery or draft file keeps. A change to a note this process never
/// saw keeps its text (an edit's body, a reply) as a draft note, so typed
/// words are never lost; a change with no text keeps nothing.
fn notes_to_keep(policy_id: &str, op: &Op, known: Option<&Note>) -> Vec<Note> {
    let mut scratch = ReviewFile::new(policy_id);
    if let Some(note) = known {
        scratch.notes.push(note.clone());
    }
    if op.apply_to(&mut scratch, known).is_some() {
        return scratch.notes;
    }
    let (what, body, author, time) = match op {
        Op::Edit {
            body: Some(body),
            updated,
            ..
        } => ("edit of", body, super::author::author(None), updated),
        Op::Reply { reply, .. } => (
            "reply to",
            &reply.body,
            reply.author.clone(),
            &reply.created,
        ),
        _ => return Vec::new(),
    };
    vec![Note {
        id: super::author::new_id(&|_| false),
        target: super::Target::policy(policy_id),
        kind: String::from("other"),
        severity: Severity::Medium,
        status: Status::Draft,
        author,
        created: time.clone(),
        updated: time.clone(),
        digest: None,
        body: format!("(unsaved {what} note {})\n{body}", op.note_id()),
        replies: Vec::new(),
        conflict: None,
        rule: None,
        fingerprint: None,
    }]
}

/// Upserts `notes` by id into `file`.
fn upsert(file: &mut ReviewFile, notes: Vec<Note>) {
    for note in notes {
        match file.notes.iter().position(|n| n.id == note.id) {
            Some(i) => file.notes[i] = note,
            None => file.notes.push(note),
        }
    }
}

/// Keeps the change in a recovery file that parses (or a new one), written
/// under the same lock and atomically. Returns where, or None when there
/// was nothing to keep.
fn keep_in_recovery(
    review_path: &Path,
    policy_id: &str,
    op: &Op,
    known: Option<&Note>,
) -> Result<Option<PathBuf>, StoreError> {
    let notes = notes_to_keep(policy_id, op, known);
    if notes.is_empty() {
        return Ok(None);
    }
    let (recovery, mut file) = writable_recovery(review_path, policy_id);
    upsert(&mut file, notes);
    write_checked(&recovery, &file)?;
    Ok(Some(recovery))
}

/// Keeps the change in this process's draft file, without any lock.
fn keep_in_draft(
    review_path: &Path,
    policy_id: &str,
    op: &Op,
    known: Option<&Note>,
) -> Result<Option<PathBuf>, StoreError> {
    let notes = notes_to_keep(policy_id, op, known);
    if notes.is_empty() {
        return Ok(None);
    }
    Ok(Some(save_draft_notes(review_path, policy_id, notes)?))
}

/// Adds notes to this process's draft file (`<id>.review.draft-<pid>.yaml`),
/// which needs no lock: what a hang-up or a held lock must not lose. The
/// next write to the review file, by any process, takes them in.
pub fn save_draft_notes(
    review_path: &Path,
    policy_id: &str,
    notes: Vec<Note>,
) -> Result<PathBuf, StoreError> {
    let draft = draft_path(review_path);
    let mut file = read(&draft, policy_id).unwrap_or_else(|_| ReviewFile::new(policy_id));
    upsert(&mut file, notes);
    write_checked(&draft, &file)?;
    Ok(draft)
}

/// Draft files of processes that are gone, beside `review_path`.
pub fn orphan_drafts(review_path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(stem)) = (
        review_path.parent(),
        review_path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".yaml")),
    ) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{stem}.draft-");
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix(&prefix))
                .and_then(|n| n.strip_suffix(".yaml"))
                .and_then(|n| n.parse::<u32>().ok())
            else {
                return false;
            };
            pid == std::process::id() || !process_alive(pid)
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks the process exists; EPERM means it does.
        // SAFETY: kill with signal 0 sends nothing.
        let result = unsafe { libc::kill(pid, 0) };
        result == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Takes the notes of orphan draft files into `file` (under the lock): a
/// note absent from the file is added; one whose id is there with other
/// content is kept beside it as a conflict copy. Returns the draft files
/// taken in (to remove once the file is written); one that does not parse
/// is left alone.
fn pick_up_drafts(review_path: &Path, file: &mut ReviewFile) -> Vec<PathBuf> {
    let mut taken = Vec::new();
    for draft in orphan_drafts(review_path) {
        let Ok(notes) = read(&draft, &file.policy) else {
            continue;
        };
        for mut note in notes.notes {
            match file.note(&note.id) {
                Some(existing) if *existing == note => {}
                Some(_) => {
                    note.conflict = Some(note.id.clone());
                    note.id = super::author::new_id(&|id| file.note(id).is_some());
                    file.notes.push(note);
                }
                None => file.notes.push(note),
            }
        }
        taken.push(draft);
    }
    taken
}

/// Holds an exclusive advisory lock until dropped. The lock file is never
/// removed: removing it would let two sessions lock different files.
pub(crate) struct Lock(File);

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

pub(crate) enum LockError {
    Io(StoreError),
    TimedOut { lock: PathBuf, waited: Duration },
}

/// Takes the lock, trying again every 20 ms up to `timeout`: a lock held by
/// a stuck process never freezes a command or the TUI for good.
fn lock(review_path: &Path, timeout: Duration, waiting: &dyn Fn(&Path)) -> Result<Lock, LockError> {
    lock_file(&lock_path(review_path), timeout, waiting)
}

/// [`lock`] on a lock file named directly (model edits lock `<id>.yaml.lock`).
pub(crate) fn lock_file(
    path: &Path,
    timeout: Duration,
    waiting: &dyn Fn(&Path),
) -> Result<Lock, LockError> {
    let path = path.to_path_buf();
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| LockError::Io(io_error(&path)(e)))?;
    let start = Instant::now();
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Lock(file)),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => return Err(LockError::Io(io_error(&path)(e))),
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(LockError::TimedOut { lock: path, waited });
        }
        if !said {
            waiting(&path);
            said = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Temp files of a writer that was killed mid-write. Only a lock holder
/// writes them, so under the lock every one is stale.
pub(crate) fn remove_stale_temps(path: &Path) {
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
/// A symlink is followed (the file it names is replaced, the link kept),
/// and the file keeps its permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let resolved;
    let path = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            resolved = fs::canonicalize(path)?;
            resolved.as_path()
        }
        _ => path,
    };
    let permissions = fs::metadata(path).ok().map(|m| m.permissions());
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
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
    /// The file on disk as last read or written here: see
    /// [`ReviewSet::changed_on_disk`].
    pub stamp: Option<Stamp>,
}

impl ReviewSet {
    pub fn load(corpus: &Corpus) -> ReviewSet {
        // Whether a folder holds any draft file, listed once per folder:
        // looking for each policy's drafts read the folder once per policy
        // (16 million names at 4,000 policies).
        let mut has_drafts: std::collections::HashMap<PathBuf, bool> = Default::default();
        let reviews = corpus
            .policies
            .iter()
            .map(|loaded| {
                let id = &loaded.policy.id;
                let path = review_path(&loaded.path, id);
                let recovery = recovery_paths(&path).pop();
                let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
                let drafts_here = *has_drafts.entry(folder).or_insert_with_key(|folder| {
                    let folder = if folder.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        folder
                    };
                    fs::read_dir(folder).map_or(true, |entries| {
                        entries
                            .flatten()
                            .any(|e| e.file_name().to_string_lossy().contains(".draft-"))
                    })
                });
                if drafts_here && !orphan_drafts(&path).is_empty() {
                    // Drafts a killed session left: taken in now if the
                    // lock is free, else by the next write.
                    let _ = pick_up(&path, id);
                }
                // Taken before reading: a change made meanwhile shows later.
                let stamp = Stamp::of(&path);
                match read(&path, id) {
                    Ok(mut file) => {
                        // Notes on flows by place are shown by flow id from
                        // the start; the file itself is migrated by the
                        // first model edit, before any flow moves.
                        super::anchor::migrate_flow_targets(&mut file, &loaded.policy);
                        PolicyReview {
                            policy: id.clone(),
                            path,
                            file,
                            error: None,
                            recovery,
                            stamp,
                        }
                    }
                    Err(error) => PolicyReview {
                        policy: id.clone(),
                        path,
                        file: ReviewFile::new(id),
                        error: Some(error),
                        recovery,
                        stamp,
                    },
                }
            })
            .collect();
        ReviewSet { reviews }
    }

    /// Policies whose review file changed on disk since this set last read
    /// or wrote it (another analyst on the same server, a `git pull`): one
    /// `stat` per file, cheap enough to call every few hundred ms.
    pub fn changed_on_disk(&self) -> Vec<usize> {
        self.reviews
            .iter()
            .enumerate()
            .filter(|(_, r)| Stamp::of(&r.path) != r.stamp)
            .map(|(pi, _)| pi)
            .collect()
    }

    /// Reads policy `pi`'s review file again. One that no longer parses
    /// keeps the notes last read (and says why in `error`).
    pub fn reload(&mut self, pi: usize) {
        let review = &mut self.reviews[pi];
        review.stamp = Stamp::of(&review.path);
        review.recovery = recovery_paths(&review.path).pop();
        match read(&review.path, &review.policy) {
            Ok(file) => {
                review.file = file;
                review.error = None;
            }
            Err(error) => review.error = Some(error),
        }
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
                // What is on disk now is what this set holds.
                review.stamp = Stamp::of(&review.path);
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
                    review.recovery = recovery.clone().or(review.recovery.take());
                    op.apply_to(&mut review.file, known.as_ref());
                }
                Err(error)
            }
        }
    }
}
