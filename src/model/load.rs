//! Loads a folder of models into a [`Corpus`]: reads each file defensively
//! (size, binary data, empty files, YAML errors with positions), sanitizes
//! its text, validates it, and never lets one broken file stop the others.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use super::diagnostic::Diagnostic;
use super::guard;
use super::position::PositionIndex;
use super::sanitize::SanitizeInPlace;
use super::types::{ModelFile, Policy, RetentionClass, Scope};
use super::validate;
use super::vocabulary::Vocabulary;

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

pub const VOCABULARY_FILE: &str = "vocabulary.yaml";
/// The legal checklists of `qualm lint`, beside the vocabulary.
pub const CHECKLISTS_FILE: &str = "checklists.yaml";

/// A policy as loaded from its file.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    pub path: PathBuf,
    pub policy: Policy,
    /// FNV-1a digest of the file's bytes, recorded by notes so they can tell
    /// the model changed since they were written.
    pub digest: String,
}

impl LoadedPolicy {
    /// The original text file the model names, resolved beside the model.
    pub fn source_path(&self) -> Option<PathBuf> {
        let source = self.policy.source.as_deref()?;
        if source.contains("://") {
            return None;
        }
        Some(self.path.parent().unwrap_or(Path::new(".")).join(source))
    }

    /// [`LoadedPolicy::source_path`], confined to the model's folder: after
    /// resolving `..` and symlinks it must still lie inside that folder, so
    /// a model from an untrusted pull request cannot make `check` print
    /// lines of `/etc/passwd` (or of a runner's secrets) into a CI log.
    pub fn confined_source_path(&self) -> Option<Result<PathBuf, String>> {
        let path = self.source_path()?;
        let folder = self.path.parent().unwrap_or(Path::new("."));
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let inside = fs::canonicalize(folder).and_then(|folder| {
            let real = fs::canonicalize(&path)?;
            Ok(real.starts_with(&folder))
        });
        // The path as the model gives it, so messages read as before.
        Some(match inside {
            Ok(true) => Ok(path),
            Ok(false) => Err(format!(
                "source `{}` lies outside the policies folder (after following `..` and symlinks); it was not read",
                self.policy.source.as_deref().unwrap_or_default()
            )),
            Err(e) => Err(format!("original text {}: cannot read: {e}", path.display())),
        })
    }
}

#[derive(Debug, Default)]
pub struct Corpus {
    pub policies: Vec<LoadedPolicy>,
    pub vocabulary: Vocabulary,
    pub diagnostics: Vec<Diagnostic>,
    /// Model files that failed to load, so views can list them.
    pub failed: Vec<PathBuf>,
}

impl Corpus {
    pub fn policy(&self, id: &str) -> Option<&LoadedPolicy> {
        self.policies.iter().find(|p| p.policy.id == id)
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// Loads every model under `paths` (folders or files).
pub fn load(paths: &[PathBuf]) -> Corpus {
    let (mut corpus, mut loader) = start(paths);
    while !loader.finished() {
        if let Some(batch) = loader.take(None) {
            corpus.absorb(batch);
        }
    }
    finish(&mut corpus);
    corpus
}

/// Starts loading `paths` on background threads: the corpus comes back at
/// once with the vocabulary and the folder's own problems, and the
/// [`Loader`] hands over the policies in batches ([`Corpus::absorb`]),
/// then [`finish`] adds the checks that need the whole folder.
pub fn start(paths: &[PathBuf]) -> (Corpus, Loader) {
    let mut corpus = Corpus::default();
    let mut files = Vec::new();
    let mut vocabulary_file = None;
    for path in paths {
        if path.is_dir() {
            match model_files_and_skipped(path) {
                Ok((found, skipped)) => {
                    files.extend(found);
                    corpus.diagnostics.extend(skipped);
                }
                Err(e) => corpus
                    .diagnostics
                    .push(Diagnostic::error(path, format!("cannot read folder: {e}"))),
            }
            let candidate = path.join(VOCABULARY_FILE);
            if vocabulary_file.is_none() && candidate.is_file() {
                vocabulary_file = Some(candidate);
            } else if fs::symlink_metadata(&candidate).is_ok() && !candidate.is_file() {
                corpus.diagnostics.push(Diagnostic::warning(
                    &candidate,
                    "skipped: not a readable file (using the built-in vocabulary)",
                ));
            }
        } else if path.is_file() {
            files.push(path.clone());
            let candidate = path
                .parent()
                .unwrap_or(Path::new("."))
                .join(VOCABULARY_FILE);
            if vocabulary_file.is_none() && candidate.is_file() {
                vocabulary_file = Some(candidate);
            }
        } else {
            corpus
                .diagnostics
                .push(Diagnostic::error(path, "no such file or folder"));
        }
    }
    corpus.vocabulary = match vocabulary_file {
        Some(path) => load_vocabulary(&path, &mut corpus.diagnostics),
        None => Vocabulary::builtin(),
    };
    let loader = Loader::spawn(files, corpus.vocabulary.clone());
    (corpus, loader)
}

/// Policies, their problems and the files that failed, in file order: what
/// a [`Loader`] hands over at a time.
#[derive(Debug, Default)]
pub struct Batch {
    pub policies: Vec<LoadedPolicy>,
    pub diagnostics: Vec<Diagnostic>,
    pub failed: Vec<PathBuf>,
}

impl Corpus {
    /// Appends a batch from a [`Loader`]: the corpus grows in file order,
    /// so what was loaded before keeps its index.
    pub fn absorb(&mut self, batch: Batch) {
        self.policies.extend(batch.policies);
        self.diagnostics.extend(batch.diagnostics);
        self.failed.extend(batch.failed);
    }
}

/// Model files loading on worker threads (one per core). Files are taken
/// in order and the results handed back strictly in that order, whatever
/// order the workers finish in, so the corpus is the same however it was
/// fed; a policy whose id an earlier file already used is refused here.
pub struct Loader {
    files: Vec<PathBuf>,
    results: mpsc::Receiver<(usize, FileResult)>,
    /// Results that came back ahead of an earlier file's.
    early: BTreeMap<usize, FileResult>,
    /// Files handed over so far.
    next: usize,
    /// The first file of each policy id handed over.
    first_by_id: HashMap<String, PathBuf>,
    cancel: Arc<AtomicBool>,
}

impl Loader {
    fn spawn(files: Vec<PathBuf>, vocabulary: Vocabulary) -> Loader {
        let (sender, results) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let shared = Arc::new((files.clone(), vocabulary, AtomicUsize::new(0)));
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(files.len());
        for _ in 0..workers {
            let (shared, sender, cancel) =
                (Arc::clone(&shared), sender.clone(), Arc::clone(&cancel));
            std::thread::spawn(move || {
                let (files, vocabulary, taken) = &*shared;
                // Files are taken in order by whichever worker is free, so
                // results come back nearly in order and batches are long.
                while !cancel.load(Ordering::Relaxed) {
                    let i = taken.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if sender.send((i, load_file(file, vocabulary))).is_err() {
                        break;
                    }
                }
            });
        }
        Loader {
            files,
            results,
            early: BTreeMap::new(),
            next: 0,
            first_by_id: HashMap::new(),
            cancel,
        }
    }

    /// How many model files there are.
    pub fn total(&self) -> usize {
        self.files.len()
    }

    /// How many have been handed over (loaded or failed).
    pub fn done(&self) -> usize {
        self.next
    }

    pub fn finished(&self) -> bool {
        self.next == self.files.len()
    }

    /// The model files, in the order they are handed over.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Every result ready in file order, as one batch; None when none is.
    /// `wait`: Some(time) waits at most that long for the next file, None
    /// until it comes (or the loading is finished).
    pub fn take(&mut self, wait: Option<Duration>) -> Option<Batch> {
        if self.finished() {
            return None;
        }
        if !self.early.contains_key(&self.next) {
            let first = match wait {
                Some(wait) => self
                    .results
                    .recv_timeout(wait)
                    .map_err(|e| matches!(e, mpsc::RecvTimeoutError::Disconnected)),
                None => self.results.recv().map_err(|_| true),
            };
            match first {
                Ok((i, result)) => {
                    self.early.insert(i, result);
                }
                // Every worker is gone with files left: one panicked (its
                // message is printed); as loudly as a load on this thread.
                Err(true) => panic!("a loader thread panicked"),
                Err(false) => {}
            }
        }
        while let Ok((i, result)) = self.results.try_recv() {
            self.early.insert(i, result);
        }
        let mut batch = Batch::default();
        while let Some(result) = self.early.remove(&self.next) {
            let path = self.files[self.next].clone();
            self.next += 1;
            batch.diagnostics.extend(result.diagnostics);
            let Some(loaded) = result.policy else {
                batch.failed.push(path);
                continue;
            };
            if let Some(first) = self.first_by_id.get(&loaded.policy.id) {
                batch.diagnostics.push(
                    Diagnostic::error(
                        &loaded.path,
                        format!(
                            "policy id `{}` is already used by {}",
                            loaded.policy.id,
                            first.display()
                        ),
                    )
                    .at(locate(&loaded.path, "policy.id")),
                );
                batch.failed.push(path);
                continue;
            }
            self.first_by_id
                .insert(loaded.policy.id.clone(), loaded.path.clone());
            batch.policies.push(loaded);
        }
        let empty =
            batch.policies.is_empty() && batch.diagnostics.is_empty() && batch.failed.is_empty();
        (!empty).then_some(batch)
    }
}

impl Drop for Loader {
    /// A workbench closed before its folder finished loading stops the
    /// workers at their next file.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The checks that need the whole folder, once every batch is absorbed:
/// `supersedes` naming a policy that is not there, or going in a cycle.
pub fn finish(corpus: &mut Corpus) {
    check_folder(corpus);
}

/// Loads one model file on its own (the note commands): like [`load`], but
/// a `supersedes` is not checked against a folder that was not loaded.
pub fn load_single(file: &Path) -> Corpus {
    let mut corpus = load(&[file.to_path_buf()]);
    corpus.diagnostics.retain(|d| {
        !d.message
            .ends_with("but no policy in the folder has that id")
    });
    corpus
}

/// Model files of a folder, sorted: `*.yaml` but not the vocabulary, nor
/// review files and their recovery files (`*.review.yaml`,
/// `*.review.recovery.yaml`).
pub fn model_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    model_files_and_skipped(dir).map(|(files, _)| files)
}

/// [`model_files_in`], with a warning for each `*.yaml` name that is not
/// a file it can read (a dangling or looping symlink, a FIFO, a folder),
/// so nothing is skipped without a word.
pub fn model_files_and_skipped(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<Diagnostic>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(name.ends_with(".yaml") || name.ends_with(".yml"))
            || name == VOCABULARY_FILE
            || name == CHECKLISTS_FILE
            || name.contains(".review.")
            || name.starts_with('.')
        {
            continue;
        }
        match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => files.push(path),
            Ok(meta) => skipped.push(Diagnostic::warning(
                &path,
                format!("skipped: {}, not a model file", guard::kind_of(&meta)),
            )),
            Err(e) => skipped.push(Diagnostic::warning(
                &path,
                format!("skipped: {e} (a dangling or looping symlink?)"),
            )),
        }
    }
    files.sort();
    skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((files, skipped))
}

fn load_vocabulary(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vocabulary {
    let parsed =
        read_yaml(path).and_then(|text| Vocabulary::parse(&text).map_err(|e| yaml_error(path, &e)));
    match parsed {
        Ok(v) => v,
        Err(mut d) => {
            d.message.push_str(" (using the built-in vocabulary)");
            diagnostics.push(d);
            Vocabulary::builtin()
        }
    }
}

struct FileResult {
    policy: Option<LoadedPolicy>,
    diagnostics: Vec<Diagnostic>,
}

/// Loads and validates one model file.
fn load_file(path: &Path, vocabulary: &Vocabulary) -> FileResult {
    let text = match read_yaml(path) {
        Ok(text) => text,
        Err(d) => {
            return FileResult {
                policy: None,
                diagnostics: vec![d],
            }
        }
    };
    load_text(path, &text, vocabulary)
}

/// Checks a model file's text as [`load`] would, without reading the file:
/// the diagnostics (errors and warnings) it would give. Model edits use it
/// to refuse a change that would leave the model invalid.
pub fn check_text(path: &Path, text: &str, vocabulary: &Vocabulary) -> Vec<Diagnostic> {
    if let Some((problem, (line, column))) = guard::prescan(text) {
        return vec![Diagnostic::error(
            path,
            format!("qualm would refuse to read it ({problem:?} at {line}:{column})"),
        )];
    }
    load_text(path, text, vocabulary).diagnostics
}

/// The vocabulary [`load`] would use for a model file: `vocabulary.yaml`
/// beside it, else the built-in one (problems with the file are dropped
/// here; `qualm check` reports them).
pub fn vocabulary_beside(model: &Path) -> Vocabulary {
    let candidate = model
        .parent()
        .unwrap_or(Path::new("."))
        .join(VOCABULARY_FILE);
    if candidate.is_file() {
        load_vocabulary(&candidate, &mut Vec::new())
    } else {
        Vocabulary::builtin()
    }
}

/// Parses and validates a model file's text.
fn load_text(path: &Path, text: &str, vocabulary: &Vocabulary) -> FileResult {
    let mut diagnostics = Vec::new();
    let file: ModelFile = match serde_yaml::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            return FileResult {
                policy: None,
                diagnostics: vec![yaml_error(path, &e)],
            }
        }
    };
    let schema = file.schema;
    let mut policy = Policy::from(file);
    let mut findings = validate::Findings::default();
    if schema != 1 {
        findings.push(validate::Finding::error(
            "schema",
            format!("unsupported schema {schema} (this qualm reads schema 1)"),
        ));
    }
    normalize(&mut policy, &mut findings);
    compact(&mut policy);
    validate::validate_policy(path, &policy, vocabulary, &mut findings);
    let findings = findings.finish();
    // Only the paths findings name are indexed: a file of millions of
    // labels costs a hundred positions, not millions.
    let wanted: Vec<&str> = findings
        .iter()
        .flat_map(|f| [Some(f.path.as_str()), f.first_at.as_deref()])
        .flatten()
        .collect();
    let locator = Locator::for_paths(text, &wanted);
    let has_errors = findings.iter().any(|f| f.is_error);
    diagnostics.extend(
        findings
            .into_iter()
            .map(|f| f.into_diagnostic(path, &locator)),
    );
    let policy = (!has_errors).then(|| LoadedPolicy {
        path: path.to_path_buf(),
        policy,
        digest: fnv1a_hex(text.as_bytes()),
    });
    FileResult {
        policy,
        diagnostics,
    }
}

/// Reads a YAML file (a model, review file or vocabulary): [`read_text`],
/// then nesting deeper than [`guard::MAX_NESTING`] and aliases that expand
/// to more than [`position::MAX_EXPANDED_BYTES`] are refused before the
/// parser sees them.
pub fn read_yaml(path: &Path) -> Result<String, Diagnostic> {
    let text = read_text(path)?;
    match guard::prescan(&text) {
        Some((guard::Problem::TooDeep, at)) => {
            return Err(Diagnostic::error(
                path,
                format!(
                    "nesting deeper than {} levels; the file was refused before parsing",
                    guard::MAX_NESTING
                ),
            )
            .at(Some(at)))
        }
        Some((guard::Problem::TooMany, at)) => {
            return Err(Diagnostic::error(
                path,
                format!(
                    "more than {} values (lines and list items); no model needs so many, and the file was refused before parsing",
                    guard::MAX_VALUES
                ),
            )
            .at(Some(at)))
        }
        Some((guard::Problem::Tag, at)) => {
            return Err(Diagnostic::error(
                path,
                "a YAML tag (`!...`): qualm's files use none, and it would be ignored; remove it or quote the value",
            )
            .at(Some(at)))
        }
        None => {}
    }
    if let Some(at) = super::position::alias_bomb(&text) {
        return Err(Diagnostic::error(
            path,
            format!(
                "YAML aliases here expand to more than {} MiB (an alias bomb?); the file was refused",
                super::position::MAX_EXPANDED_BYTES / (1024 * 1024)
            ),
        )
        .at(Some(at)));
    }
    Ok(text)
}

/// Reads a file as text, refusing what is not a policy model's text: never
/// more than [`MAX_FILE_BYTES`], never a FIFO or device, never binary. A
/// leading UTF-8 byte order mark is dropped.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = guard::read_bounded(path, MAX_FILE_BYTES).map_err(|e| match e {
        guard::ReadError::TooLarge => {
            let limit = MAX_FILE_BYTES / (1024 * 1024);
            // The size the file gives, where it gives one; it was not trusted.
            let message = match fs::metadata(path).map(|m| m.len()) {
                Ok(size) if size > MAX_FILE_BYTES => format!(
                    "file is {:.1} MiB, larger than the {limit} MiB a model may be",
                    size as f64 / (1024.0 * 1024.0)
                ),
                _ => format!(
                    "file is larger than the {limit} MiB a model may be; it was not read further"
                ),
            };
            Diagnostic::error(path, message)
        }
        other => Diagnostic::error(path, other.to_string()),
    })?;
    let mut bytes = bytes;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let position = line_column(&e.as_bytes()[..at]);
            return Err(
                Diagnostic::error(path, "not a text file: invalid UTF-8").at(Some(position))
            );
        }
    };
    let first_control = first_control_char(&text);
    // A NUL is a control character, so it can only be at or after the first.
    let first_nul = first_control.and_then(|at| Some(at + text[at..].find('\0')?));
    if let Some(at) = first_nul {
        return Err(
            Diagnostic::error(path, "not a text file: it contains NUL bytes")
                .at(Some(line_column(&text.as_bytes()[..at]))),
        );
    }
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::error(path, "file is empty"));
    }
    if let Some((at, c)) = first_control.and_then(|at| Some((at, text[at..].chars().next()?))) {
        return Err(Diagnostic::error(
            path,
            format!(
                "raw control character U+{:04X} in the file; remove it (policy text never needs one)",
                u32::from(c)
            ),
        )
        .at(Some(line_column(&text.as_bytes()[..at]))));
    }
    Ok(text)
}

/// Where the first control character other than newline, tab and carriage
/// return is, by bytes: C0 controls and DEL are single bytes, C1 controls
/// (U+0080..U+009F) are `C2 80`..`C2 9F` in UTF-8. One pass over bytes
/// instead of decoding every character of every file.
fn first_control_char(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\n' | b'\t' | b'\r'))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

/// 1-based line and column of the end of `prefix`.
fn line_column(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&prefix[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// A serde_yaml error as a diagnostic, its position moved out of the message.
pub fn yaml_error(path: &Path, error: &serde_yaml::Error) -> Diagnostic {
    let mut message = without_position(&error.to_string());
    if message.contains("repetition limit exceeded") || message.contains("recursion limit exceeded")
    {
        message = format!(
            "{message}: the file nests or repeats too deeply (an alias bomb?) and was refused"
        );
    }
    message = message.replace(
        "expected struct ModelFile",
        "expected a policy model (a mapping with `schema`, `policy`, `sections` and `contexts`)",
    );
    Diagnostic::error(path, message).at(error.location().map(|l| (l.line(), l.column())))
}

/// Removes " at line N column M" from a YAML message: the position is
/// printed in front, once.
fn without_position(message: &str) -> String {
    let Some(start) = message.find(" at line ") else {
        return message.to_string();
    };
    let rest = &message[start + " at line ".len()..];
    let skip_number = |s: &str| {
        s.trim_start_matches(|c: char| c.is_ascii_digit())
            .to_string()
    };
    let rest = skip_number(rest);
    let rest = match rest.strip_prefix(" column ") {
        Some(r) => skip_number(r),
        None => rest,
    };
    format!("{}{}", &message[..start], rest)
}

/// Positions for findings, computed only when a file has any.
pub struct Locator<'a> {
    text: &'a str,
    index: OnceCell<PositionIndex>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str) -> Self {
        Locator {
            text,
            index: OnceCell::new(),
        }
    }

    /// A locator that indexes only `paths` (and their ancestors): for a
    /// file whose findings are all known before any is placed.
    pub fn for_paths(text: &'a str, paths: &[&str]) -> Self {
        let locator = Locator::new(text);
        if !paths.is_empty() {
            let _ = locator.index.set(PositionIndex::build_for(text, paths));
        }
        locator
    }

    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        self.index
            .get_or_init(|| PositionIndex::build(self.text))
            .find(path)
    }
}

/// Sanitizes every text of the policy and fills in retention classes.
fn normalize(policy: &mut Policy, findings: &mut validate::Findings) {
    let mut clean = |text: &mut dyn SanitizeInPlace, path: &dyn Fn() -> String| {
        let removed = text.sanitize_in_place();
        if removed > 0 && findings.lists(false) {
            findings.push(validate::Finding::warning(
                path(),
                format!("removed {removed} control or bidi-override character(s) from this text"),
            ));
        }
    };
    clean(&mut policy.title, &|| "policy.title".into());
    clean(&mut policy.organization, &|| "policy.organization".into());
    for (si, section) in policy.sections.iter_mut().enumerate() {
        clean(&mut section.heading, &|| format!("sections[{si}].heading"));
        for (ci, clause) in section.clauses.iter_mut().enumerate() {
            clean(&mut clause.text, &|| {
                format!("sections[{si}].clauses[{ci}].text")
            });
        }
    }
    /// Sanitizes one text; the path is made only for a warning.
    type Clean<'c> = dyn FnMut(&mut dyn SanitizeInPlace, &dyn Fn() -> String) + 'c;
    fn walk(contexts: &mut [super::types::Context], prefix: &str, clean: &mut Clean) {
        for (i, context) in contexts.iter_mut().enumerate() {
            let here = format!("{prefix}[{i}]");
            clean(&mut context.name, &|| format!("{here}.name"));
            for (fi, flow) in context.flows.iter_mut().enumerate() {
                let at = || format!("{here}.flows[{fi}]");
                for (field, labels) in [
                    ("data", &mut flow.data),
                    ("purposes", &mut flow.purposes),
                    ("basis", &mut flow.basis),
                    ("source", &mut flow.source),
                    ("recipients", &mut flow.recipients),
                ] {
                    for (li, label) in labels.iter_mut().enumerate() {
                        clean(label, &|| format!("{}.{field}[{li}]", at()));
                    }
                }
                if let Some(text) = flow.retention.as_mut() {
                    clean(text, &|| format!("{}.retention", at()));
                }
                if let Some(text) = flow.if_withheld.as_mut() {
                    clean(text, &|| format!("{}.if_withheld", at()));
                }
                if let Some(text) = flow.qualifier.as_mut() {
                    clean(text, &|| format!("{}.qualifier", at()));
                }
                if let Some(text) = flow.choice.as_mut().and_then(|c| c.how.as_mut()) {
                    clean(text, &|| format!("{}.choice.how", at()));
                }
                if let Some(text) = flow.id.as_mut() {
                    clean(text, &|| format!("{}.id", at()));
                }
                if flow.retention_class.is_none() {
                    flow.retention_class = Some(RetentionClass::infer(flow.retention.as_deref()));
                }
                if flow.action.is_none() {
                    flow.action = Some(flow.inferred_action());
                }
                if !flow.does && flow.scope.is_none() {
                    flow.scope = Some(Scope::Context);
                }
            }
            if !context.contexts.is_empty() {
                walk(&mut context.contexts, &format!("{here}.contexts"), clean);
            }
        }
    }
    walk(&mut policy.contexts, "contexts", &mut clean);
    assign_flow_ids_avoiding(&mut policy.contexts, &policy.retired_flow_ids);
}

/// Gives every flow without an id one, `<context>.<n>` (its place in its
/// context, from 1), skipping any id the file already uses. Writers keep
/// these ids, so a flow keeps its id once a model has been written.
/// Never gives out an id in `retired` (the ids of removed flows, which
/// notes may still name).
pub(crate) fn assign_flow_ids_avoiding(contexts: &mut [super::types::Context], retired: &[String]) {
    fn authored<'a>(list: &'a [super::types::Context], out: &mut HashSet<&'a str>) {
        for context in list {
            out.extend(context.flows.iter().filter_map(|f| f.id.as_deref()));
            authored(&context.contexts, out);
        }
    }
    fn assign(list: &mut [super::types::Context], taken: &mut HashSet<String>) {
        for context in list {
            for (i, flow) in context.flows.iter_mut().enumerate() {
                if flow.id.is_some() {
                    continue;
                }
                let mut id = format!("{}.{}", context.id, i + 1);
                while taken.contains(&id) {
                    id.push('x');
                }
                taken.insert(id.clone());
                flow.id = Some(id.into());
            }
            assign(&mut context.contexts, taken);
        }
    }
    let mut seen = HashSet::new();
    authored(contexts, &mut seen);
    if seen.len() == count_flows(contexts) {
        return;
    }
    let mut taken: HashSet<String> = seen.into_iter().map(str::to_string).collect();
    taken.extend(retired.iter().cloned());
    assign(contexts, &mut taken);
}

fn count_flows(contexts: &[super::types::Context]) -> usize {
    contexts
        .iter()
        .map(|c| c.flows.len() + count_flows(&c.contexts))
        .sum()
}

/// Drops the spare capacity serde's lists grew while parsing (up to half
/// of each list): at a thousand policies that is tens of MiB kept for
/// nothing, since a loaded model never grows.
fn compact(policy: &mut Policy) {
    fn contexts(list: &mut Vec<super::types::Context>) {
        list.shrink_to_fit();
        for context in list {
            context.flows.shrink_to_fit();
            context.name.shrink_to_fit();
            contexts(&mut context.contexts);
        }
    }
    policy.sections.shrink_to_fit();
    for section in &mut policy.sections {
        section.clauses.shrink_to_fit();
        for clause in &mut section.clauses {
            clause.id.shrink_to_fit();
        }
    }
    contexts(&mut policy.contexts);
}

/// Checks that need the whole folder: `supersedes` (unique policy ids
/// are checked as the [`Loader`] hands policies over).
fn check_folder(corpus: &mut Corpus) {
    let ids: HashSet<&str> = corpus
        .policies
        .iter()
        .map(|p| p.policy.id.as_str())
        .collect();
    let mut unknown = Vec::new();
    for loaded in &corpus.policies {
        if let Some(earlier) = &loaded.policy.supersedes {
            if !ids.contains(earlier.as_str()) {
                unknown.push(
                    Diagnostic::error(
                        &loaded.path,
                        format!("supersedes `{earlier}`, but no policy in the folder has that id"),
                    )
                    .at(locate(&loaded.path, "policy.supersedes")),
                );
            }
        }
    }
    // A cycle of `supersedes` (a -> b -> a) has no earliest version: each
    // policy on it is named once, at its own `supersedes`.
    let supersedes: HashMap<&str, &str> = corpus
        .policies
        .iter()
        .filter_map(|p| Some((p.policy.id.as_str(), p.policy.supersedes.as_deref()?)))
        .collect();
    let mut cyclic = Vec::new();
    for loaded in &corpus.policies {
        let start = loaded.policy.id.as_str();
        let mut at = start;
        for _ in 0..supersedes.len() {
            match supersedes.get(at) {
                // Superseding itself is reported with the file.
                Some(&next) if next == start && at != start => {
                    cyclic.push(loaded.path.clone());
                    break;
                }
                Some(&next) if next != at => at = next,
                _ => break,
            }
        }
    }
    corpus.diagnostics.extend(unknown);
    for path in cyclic {
        corpus.diagnostics.push(
            Diagnostic::error(
                &path,
                "`supersedes` goes round in a cycle back to this policy; versions must lead to an earliest one",
            )
            .at(locate(&path, "policy.supersedes")),
        );
    }
}

/// Re-reads a file to place a folder-level finding; rare, so not cached.
fn locate(path: &Path, yaml_path: &str) -> Option<(usize, usize)> {
    let text = fs::read_to_string(path).ok()?;
    PositionIndex::build_for(&text, &[yaml_path]).find(yaml_path)
}

pub fn fnv1a_hex(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
