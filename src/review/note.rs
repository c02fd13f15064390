//! The review file format: `schema`, `policy`, and its notes in creation
//! order with a fixed field order, so the same notes always make the same
//! bytes and git diffs stay small.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::load::{read_yaml, yaml_error, Locator};
use crate::model::{Diagnostic, Policy, Vocabulary};

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewFile {
    pub schema: u32,
    pub policy: String,
    #[serde(default)]
    pub notes: Vec<Note>,
}

impl ReviewFile {
    pub fn new(policy: &str) -> ReviewFile {
        ReviewFile {
            schema: SCHEMA,
            policy: policy.to_string(),
            notes: Vec::new(),
        }
    }

    pub fn note(&self, id: &str) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }

    /// The canonical text: notes in creation order (a stable sort by time,
    /// so notes made within one second keep the order they were added in).
    pub fn to_yaml(&self) -> String {
        let mut file = self.clone();
        file.canonicalize();
        let body = serde_yaml::to_string(&file).expect("review notes always serialize");
        format!(
            "# Review notes on {}: written by qualm; safe to edit by hand.\n{body}",
            self.policy
        )
    }

    pub fn canonicalize(&mut self) {
        self.notes.sort_by(|a, b| a.created.cmp(&b.created));
    }

    pub fn parse(text: &str, path: &Path) -> Result<ReviewFile, Diagnostic> {
        serde_yaml::from_str(text).map_err(|e| yaml_error(path, &e))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Six characters of `[a-z0-9]`, unique in its file, never reused.
    pub id: String,
    pub target: Target,
    /// A concern id from the vocabulary (`vague-language`, `legal-basis`...).
    pub kind: String,
    pub severity: Severity,
    pub status: Status,
    pub author: String,
    pub created: String,
    #[serde(default)]
    pub updated: String,
    /// The model file's digest when the note was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<Reply>,
    /// Set by the merge driver on the second version of a note both sides
    /// edited: the id of the note it conflicts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// For a note that records a finding of `qualm lint`: the rule...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// ...and the finding's fingerprint, so it is recorded once and its
    /// status (dismissed, accepted) follows the finding from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub author: String,
    pub created: String,
    pub body: String,
}

/// What a note is about: exactly one of policy, section, clause or
/// context; a flow is a context plus its 1-based index; a span is a clause
/// plus a quote of its text, with a little context either side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<usize>,
    /// A flow of `context` by its id, which survives flows being added,
    /// removed or moved (targets by position are migrated to it on load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl Target {
    pub fn policy(id: &str) -> Target {
        Target {
            policy: Some(id.to_string()),
            ..Target::default()
        }
    }

    pub fn section(id: &str) -> Target {
        Target {
            section: Some(id.to_string()),
            ..Target::default()
        }
    }

    pub fn clause(id: &str) -> Target {
        Target {
            clause: Some(id.to_string()),
            ..Target::default()
        }
    }

    pub fn context(id: &str) -> Target {
        Target {
            context: Some(id.to_string()),
            ..Target::default()
        }
    }

    pub fn flow(context: &str, number: usize) -> Target {
        Target {
            flow: Some(number),
            ..Target::context(context)
        }
    }

    /// A flow by its id (`context` is the context it is in now).
    pub fn flow_by_id(context: &str, id: &str) -> Target {
        Target {
            flow_id: Some(id.to_string()),
            ..Target::context(context)
        }
    }

    /// A span of a clause's text, remembered with up to [`QUOTE_CONTEXT`]
    /// characters either side so it can be found again if it recurs.
    pub fn span(clause_id: &str, text: &str, range: std::ops::Range<usize>) -> Target {
        let before: String = text[..range.start]
            .chars()
            .rev()
            .take(QUOTE_CONTEXT)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after: String = text[range.end..].chars().take(QUOTE_CONTEXT).collect();
        Target {
            quote: Some(text[range].to_string()),
            before: (!before.is_empty()).then_some(before),
            after: (!after.is_empty()).then_some(after),
            ..Target::clause(clause_id)
        }
    }

    /// Parses the command line form: `policy`, `section:ID`, `clause:ID`,
    /// `context:ID`, `flow:CONTEXT#N`, `flow:ID` (a flow id: the caller
    /// fills in the context it is in).
    pub fn parse_cli(text: &str, policy_id: &str) -> Result<Target, String> {
        let (kind, id) = text.split_once(':').unwrap_or((text, ""));
        let need_id = |what: &str| {
            if id.is_empty() {
                Err(format!("`{what}:` needs an id, as in `{what}:ID`"))
            } else {
                Ok(())
            }
        };
        match kind {
            "policy" => Ok(Target::policy(policy_id)),
            "section" => need_id("section").map(|_| Target::section(id)),
            "clause" => need_id("clause").map(|_| Target::clause(id)),
            "context" => need_id("context").map(|_| Target::context(id)),
            "flow" => {
                need_id("flow")?;
                let Some((context, number)) = id.split_once('#') else {
                    return Ok(Target {
                        flow_id: Some(id.to_string()),
                        ..Target::default()
                    });
                };
                match number.parse::<usize>() {
                    Ok(n) if n >= 1 => Ok(Target::flow(context, n)),
                    _ => Err(format!("`{number}` is not a flow number (1, 2, ...)")),
                }
            }
            _ => Err(format!(
                "unknown target `{text}`: use policy, section:ID, clause:ID, context:ID, flow:ID or flow:CONTEXT#N"
            )),
        }
    }

    /// What the target is, in one line: `clause:collect.4 "until we…"`.
    pub fn label(&self) -> String {
        let base = self.key();
        match &self.quote {
            Some(quote) => format!("{base} \"{quote}\""),
            None => base,
        }
    }

    /// The command line form without the quote: `flow:demo#2`.
    pub fn key(&self) -> String {
        if let (Some(context), Some(n)) = (&self.context, self.flow) {
            return format!("flow:{context}#{n}");
        }
        if let Some(id) = &self.flow_id {
            return format!("flow:{id}");
        }
        for (name, value) in [
            ("section", &self.section),
            ("clause", &self.clause),
            ("context", &self.context),
        ] {
            if let Some(id) = value {
                return format!("{name}:{id}");
            }
        }
        "policy".to_string()
    }

    /// The shape rules serde cannot express, as messages.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut problems = Vec::new();
        let named = [&self.policy, &self.section, &self.clause, &self.context]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if named != 1 {
            problems.push("a target names exactly one of policy, section, clause or context");
        }
        if self.flow.is_some() && self.context.is_none() {
            problems.push("`flow` needs the `context` it belongs to");
        }
        if self.flow_id.is_some() && self.context.is_none() {
            problems.push("`flow_id` needs the `context` it belongs to");
        }
        if self.flow_id.is_some() && self.flow.is_some() {
            problems.push("a target names a flow by `flow` or by `flow_id`, not both");
        }
        if self.flow == Some(0) {
            problems.push("flows count from 1");
        }
        if self.quote.is_some() && self.clause.is_none() {
            problems.push("a `quote` belongs to a `clause` target");
        }
        if self.quote.as_deref() == Some("") {
            problems.push("a `quote` cannot be empty");
        }
        problems
    }
}

/// Which notes to show: every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteFilter {
    pub kind: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<Status>,
    pub author: Option<String>,
}

impl NoteFilter {
    pub fn keeps(&self, note: &Note) -> bool {
        self.kind.as_ref().is_none_or(|k| *k == note.kind)
            && self.severity.is_none_or(|s| s == note.severity)
            && self.status.is_none_or(|s| s == note.status)
            && self.author.as_ref().is_none_or(|a| *a == note.author)
    }
}

/// Characters of text kept before and after a quoted span.
pub const QUOTE_CONTEXT: usize = 24;

macro_rules! word_enum {
    ($name:ident { $($variant:ident = $word:literal,)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)*
                }
            }

            /// The next value, wrapping; for keys that cycle through them.
            pub fn next(self) -> $name {
                let i = Self::ALL.iter().position(|v| *v == self).unwrap_or(0);
                Self::ALL[(i + 1) % Self::ALL.len()]
            }

            pub fn prev(self) -> $name {
                let i = Self::ALL.iter().position(|v| *v == self).unwrap_or(0);
                Self::ALL[(i + Self::ALL.len() - 1) % Self::ALL.len()]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == text)
                    .ok_or_else(|| {
                        let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        format!("`{text}` is not one of {}", all.join(", "))
                    })
            }
        }
    };
}

word_enum!(Severity {
    Info = "info",
    Low = "low",
    Medium = "medium",
    High = "high",
    Critical = "critical",
});

word_enum!(Status {
    Open = "open",
    Resolved = "resolved",
    Accepted = "accepted",
    Dismissed = "dismissed",
    Draft = "draft",
});

/// Reads and validates a review file against its policy: parse errors and
/// shape errors are errors with positions; a target that no longer
/// resolves is a warning (the note is detached, never dropped).
pub fn check_file(
    path: &Path,
    policy: Option<&Policy>,
    vocabulary: &Vocabulary,
) -> (Option<ReviewFile>, Vec<Diagnostic>) {
    let text = match read_yaml(path) {
        Ok(text) => text,
        Err(d) => return (None, vec![d]),
    };
    let file = match ReviewFile::parse(&text, path) {
        Ok(file) => file,
        Err(d) => return (None, vec![d]),
    };
    let locator = Locator::new(&text);
    let mut out = Vec::new();
    let at = |yaml_path: &str| locator.find(yaml_path);
    if file.schema != SCHEMA {
        out.push(
            Diagnostic::error(
                path,
                format!(
                    "schema {} is not supported (expected {SCHEMA})",
                    file.schema
                ),
            )
            .at(at("schema")),
        );
    }
    let expected = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".review.yaml"))
        .unwrap_or_default();
    if file.policy != expected {
        out.push(
            Diagnostic::error(
                path,
                format!(
                    "`policy: {}` does not match the file name (expected `{expected}`)",
                    file.policy
                ),
            )
            .at(at("policy")),
        );
    }
    if policy.is_none() {
        out.push(Diagnostic::error(
            path,
            format!("no model `{expected}.yaml` beside this review file"),
        ));
    }
    let mut seen = std::collections::HashMap::new();
    for (i, note) in file.notes.iter().enumerate() {
        let here = format!("notes[{i}]");
        if let Some(first) = seen.insert(note.id.as_str(), i) {
            out.push(
                Diagnostic::error(
                    path,
                    format!(
                        "note id `{}` is used twice (first at notes[{first}])",
                        note.id
                    ),
                )
                .at(at(&format!("{here}.id"))),
            );
        }
        if !is_concern(vocabulary, &note.kind) {
            out.push(
                Diagnostic::error(path, format!("unknown concern kind `{}`", note.kind))
                    .at(at(&format!("{here}.kind"))),
            );
        }
        for problem in note.target.problems() {
            out.push(Diagnostic::error(path, problem).at(at(&format!("{here}.target"))));
        }
        if let Some(policy) = policy {
            if let super::Anchor::Detached { reason } = super::resolve(policy, &note.target) {
                out.push(
                    Diagnostic::warning(path, format!("note {} is detached: {reason}", note.id))
                        .at(at(&format!("{here}.target"))),
                );
            }
        }
    }
    let out = crate::model::diagnostic::cap_per_file(
        out,
        path,
        crate::model::validate::MAX_LISTED_PER_FILE,
    );
    (Some(file), out)
}

/// Whether `kind` is the id of a concern kind in the vocabulary.
pub fn is_concern(vocabulary: &Vocabulary, kind: &str) -> bool {
    vocabulary
        .terms(crate::model::Category::Concerns)
        .iter()
        .any(|t| t.id == kind)
}

/// Checks every review file of the loaded folders: those beside a model
/// against it, and any without a model as an error. A recovery file left
/// by a session is a warning, so it is not forgotten.
pub fn check_folder(
    corpus: &crate::model::Corpus,
    paths: &[std::path::PathBuf],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for loaded in &corpus.policies {
        let path = super::store::review_path(&loaded.path, &loaded.policy.id);
        seen.insert(path.clone());
        if path.exists() {
            out.extend(check_file(&path, Some(&loaded.policy), &corpus.vocabulary).1);
        }
        for draft in super::store::orphan_drafts(&path) {
            out.push(Diagnostic::warning(
                &draft,
                "notes of a session that could not take the lock wait here; the next write takes them in",
            ));
        }
        for recovery in super::store::recovery_paths(&path) {
            out.push(Diagnostic::warning(
                &recovery,
                format!(
                    "notes kept here because {} did not parse: copy them back once it is fixed",
                    path.display()
                ),
            ));
        }
    }
    for dir in paths.iter().filter(|p| p.is_dir()) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut orphans: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".review.yaml"))
                    && !seen.contains(p)
            })
            .collect();
        orphans.sort();
        for path in orphans {
            // A model that failed to load already has its own error; its
            // notes are checked once it loads.
            let model = path.with_file_name(
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .replace(".review.yaml", ".yaml"),
            );
            if !corpus.failed.contains(&model) {
                out.extend(check_file(&path, None, &corpus.vocabulary).1);
            }
        }
    }
    out
}
