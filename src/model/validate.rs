//! Checks a parsed model: ids unique and well formed, the file named after
//! its policy, every evidence reference resolving, and labels the vocabulary
//! knows (an unknown label is a warning: the policy's wording is kept).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::diagnostic::Diagnostic;
use super::load::Locator;
use super::shared::LabelMap;
use super::types::{Context, Policy};
use super::vocabulary::{Category, Vocabulary};

/// How many errors, and how many warnings, one file may list; the rest are
/// counted and summed up in one line. A hostile file with millions of
/// unknown labels otherwise takes gigabytes and a minute to report.
pub const MAX_LISTED_PER_FILE: usize = 100;

/// Findings of one file, at most [`MAX_LISTED_PER_FILE`] errors and as many
/// warnings kept; the rest only counted.
#[derive(Debug, Default)]
pub struct Findings {
    list: Vec<Finding>,
    errors: usize,
    warnings: usize,
    /// Labels not even looked up once no more warnings would be listed:
    /// looking up millions of labels is itself the cost of a flood.
    unchecked: usize,
}

impl Findings {
    /// Whether a finding of this kind would still be listed: lets a hot
    /// loop skip formatting one that would only be counted.
    pub fn lists(&mut self, is_error: bool) -> bool {
        let count = if is_error {
            &mut self.errors
        } else {
            &mut self.warnings
        };
        *count < MAX_LISTED_PER_FILE || {
            *count += 1;
            false
        }
    }

    /// Whether no more warnings will be listed.
    pub fn warnings_full(&self) -> bool {
        self.warnings >= MAX_LISTED_PER_FILE
    }

    pub fn push(&mut self, finding: Finding) {
        let count = if finding.is_error {
            &mut self.errors
        } else {
            &mut self.warnings
        };
        *count += 1;
        if *count <= MAX_LISTED_PER_FILE {
            self.list.push(finding);
        }
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for finding in findings {
            self.push(finding);
        }
    }

    /// The listed findings, then one per kind saying how many more there
    /// were (an error when errors were left out, so the file still fails).
    pub fn finish(mut self) -> Vec<Finding> {
        for (is_error, count, what) in [
            (true, self.errors, "errors"),
            (false, self.warnings, "warnings"),
        ] {
            if count > MAX_LISTED_PER_FILE {
                let more = count - MAX_LISTED_PER_FILE;
                let summary = format!(
                    "{more} more {what} in this file not listed (qualm lists {MAX_LISTED_PER_FILE} per file)"
                );
                self.list.push(if is_error {
                    Finding::error("", summary)
                } else {
                    Finding::warning("", summary)
                });
            }
        }
        if self.unchecked > 0 {
            self.list.push(Finding::warning(
                "",
                format!(
                    "{} more labels not checked against the vocabulary once {MAX_LISTED_PER_FILE} warnings were listed",
                    self.unchecked
                ),
            ));
        }
        self.list
    }
}

/// A finding before it has a position: the YAML path it is about.
#[derive(Debug)]
pub struct Finding {
    pub is_error: bool,
    pub path: String,
    pub message: String,
    /// Another place the message refers to ("first defined at line N").
    pub first_at: Option<String>,
}

impl Finding {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            is_error: true,
            path: path.into(),
            message: message.into(),
            first_at: None,
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            is_error: false,
            ..Finding::error(path, message)
        }
    }

    pub fn into_diagnostic(self, file: &Path, locator: &Locator) -> Diagnostic {
        let mut message = self.message;
        if let Some((line, _)) = self.first_at.and_then(|p| locator.find(&p)) {
            message.push_str(&format!(" (first defined at line {line})"));
        }
        let d = if self.is_error {
            Diagnostic::error(file, message)
        } else {
            Diagnostic::warning(file, message)
        };
        d.at(locator.find(&self.path))
    }
}

/// Validates one policy, adding to the findings of its file.
pub fn validate_policy(
    file: &Path,
    policy: &Policy,
    vocabulary: &Vocabulary,
    findings: &mut Findings,
) {
    let stem = file
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".yaml").trim_end_matches(".yml"))
        .unwrap_or("");
    check_id(findings, || "policy.id".into(), &policy.id, "policy");
    if !policy.id.is_empty() && policy.id != stem {
        findings.push(Finding::error(
            "policy.id",
            format!(
                "policy id `{}` does not match the file name `{stem}` (rename one of them)",
                policy.id
            ),
        ));
    }
    if policy.effective.is_none() && policy.version.is_none() {
        findings.push(Finding::warning(
            "policy",
            "the policy has neither `effective` nor `version`: its versions cannot be ordered",
        ));
    }

    if let Some(date) = policy.effective.as_deref() {
        if let Err(why) = check_date(date) {
            findings.push(Finding::error(
                "policy.effective",
                format!("`{date}` is not a date: {why} (write YYYY-MM-DD)"),
            ));
        }
    }
    if policy.supersedes.as_deref() == Some(policy.id.as_str()) && !policy.id.is_empty() {
        findings.push(Finding::error(
            "policy.supersedes",
            "the policy supersedes itself; name the earlier version's id",
        ));
    }

    // Paths are formatted only for a finding: a thousand policies have
    // some 150,000 clauses, nearly all of them fine.
    let section_id = |&si: &usize| format!("sections[{si}].id");
    let clause_at = |&(si, ci): &(usize, usize)| format!("sections[{si}].clauses[{ci}]");
    let clause_id = |place: &(usize, usize)| format!("{}.id", clause_at(place));
    let mut sections: HashMap<&str, usize> = HashMap::new();
    let mut clauses: HashMap<&str, (usize, usize)> = HashMap::new();
    // The same few topics recur on every clause; each is looked up once.
    let mut known_topics: LabelMap<&str, bool> = LabelMap::default();
    for (si, section) in policy.sections.iter().enumerate() {
        check_id(findings, || section_id(&si), &section.id, "section");
        unique(
            findings,
            &mut sections,
            &section.id,
            si,
            section_id,
            "section",
        );
        for (ci, clause) in section.clauses.iter().enumerate() {
            let place = (si, ci);
            check_id(findings, || clause_id(&place), &clause.id, "clause");
            unique(
                findings,
                &mut clauses,
                &clause.id,
                place,
                clause_id,
                "clause",
            );
            if clause.text.trim().is_empty() {
                findings.push(Finding::error(
                    format!("{}.text", clause_at(&place)),
                    "clause text is empty",
                ));
            }
            for (ti, topic) in clause.topics.iter().enumerate() {
                let known = *known_topics
                    .entry(topic)
                    .or_insert_with(|| vocabulary.lookup(Category::Topics, topic).is_some());
                if !known && findings.lists(false) {
                    findings.push(Finding::warning(
                        format!("{}.topics[{ti}]", clause_at(&place)),
                        format!("unknown topic `{topic}` (the topics are the ten OPP-115 categories in vocabulary.yaml)"),
                    ));
                }
            }
        }
    }

    let definitions: HashSet<&str> = policy
        .clauses()
        .filter(|(_, c)| c.role.is_some())
        .map(|(_, c)| c.id.as_str())
        .collect();
    let mut check = ContextCheck {
        findings,
        clauses: &clauses,
        definitions: &definitions,
        seen: HashMap::new(),
        flow_ids: HashMap::new(),
        known_labels: LabelMap::default(),
        vocabulary,
    };
    check.contexts(&policy.contexts, "contexts");
}

/// The walk over a policy's contexts, with what it has seen so far.
struct ContextCheck<'a, 'f> {
    findings: &'f mut Findings,
    /// Clause id -> where it is: what evidence may name.
    clauses: &'f HashMap<&'a str, (usize, usize)>,
    /// Clauses marked as definitions or examples: never a practice alone.
    definitions: &'f HashSet<&'a str>,
    /// Context id -> its YAML path, for "first defined at".
    seen: HashMap<&'a str, String>,
    /// Flow id -> its YAML path: flow ids are unique in the policy.
    flow_ids: HashMap<&'a str, String>,
    /// Each distinct label is looked up in the vocabulary once per file.
    known_labels: LabelMap<(Category, &'a str), bool>,
    vocabulary: &'f Vocabulary,
}

impl<'a> ContextCheck<'a, '_> {
    fn contexts(&mut self, list: &'a [Context], prefix: &str) {
        for (i, context) in list.iter().enumerate() {
            let at = format!("{prefix}[{i}]");
            let id_path = |at: &String| format!("{at}.id");
            check_id(self.findings, || id_path(&at), &context.id, "context");
            unique(
                self.findings,
                &mut self.seen,
                &context.id,
                at.clone(),
                id_path,
                "context",
            );
            check_evidence(
                self.findings,
                &context.evidence,
                || format!("{at}.evidence"),
                self.clauses,
            );
            for (fi, flow) in context.flows.iter().enumerate() {
                let flow_at = || format!("{at}.flows[{fi}]");
                if flow.evidence.is_empty() && self.findings.lists(false) {
                    self.findings.push(Finding::warning(
                        flow_at(),
                        "flow has no evidence: name the clauses that say so",
                    ));
                }
                check_evidence(
                    self.findings,
                    &flow.evidence,
                    || format!("{}.evidence", flow_at()),
                    self.clauses,
                );
                if let Some(id) = flow.id.as_deref() {
                    let id_path = |at: &String| format!("{at}.id");
                    check_id(self.findings, || id_path(&flow_at()), id, "flow");
                    unique(
                        self.findings,
                        &mut self.flow_ids,
                        id,
                        flow_at(),
                        id_path,
                        "flow",
                    );
                }
                if let Some(choice) = &flow.choice {
                    check_evidence(
                        self.findings,
                        &choice.evidence,
                        || format!("{}.choice.evidence", flow_at()),
                        self.clauses,
                    );
                }
                if flow.does && (flow.scope.is_some() || flow.qualifier.is_some()) {
                    self.findings.push(Finding::warning(
                        flow_at(),
                        "`scope` and `qualifier` belong to negative statements (`does: false`); this flow is positive",
                    ));
                }
                if !flow.evidence.is_empty()
                    && flow
                        .evidence
                        .iter()
                        .all(|e| self.definitions.contains(&**e))
                {
                    self.findings.push(Finding::warning(
                        format!("{}.evidence", flow_at()),
                        "every clause this flow cites is a definition or example (`role:`); a definition states no practice, so cite the clause that says the data is collected or shared",
                    ));
                }
                for (field, category, labels) in [
                    ("data", Category::Data, &flow.data),
                    ("purposes", Category::Purposes, &flow.purposes),
                    ("basis", Category::Bases, &flow.basis),
                    ("recipients", Category::Recipients, &flow.recipients),
                ] {
                    for (li, label) in labels.iter().enumerate() {
                        if self.findings.warnings_full() {
                            self.findings.unchecked += 1;
                            continue;
                        }
                        let vocabulary = self.vocabulary;
                        let known =
                            *self
                                .known_labels
                                .entry((category, label))
                                .or_insert_with(|| {
                                    // A basis may name a transfer mechanism instead.
                                    vocabulary.lookup(category, label).is_some()
                                        || (category == Category::Bases
                                            && vocabulary
                                                .lookup(Category::Mechanisms, label)
                                                .is_some())
                                });
                        if !known && self.findings.lists(false) {
                            self.findings.push(Finding::warning(
                                format!("{}.{field}[{li}]", flow_at()),
                                format!("`{label}` is not a {} in the vocabulary", category.name()),
                            ));
                        }
                    }
                }
            }
            if !context.contexts.is_empty() {
                self.contexts(&context.contexts, &format!("{at}.contexts"));
            }
        }
    }
}

/// An ISO date, `YYYY-MM-DD`, that exists on the calendar.
fn check_date(date: &str) -> Result<(), &'static str> {
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let [year, month, day] = parts[..] else {
        return Err("not in the form YYYY-MM-DD");
    };
    let (Some(year), Some(month), Some(day)) = (number(year, 4), number(month, 2), number(day, 2))
    else {
        return Err("not in the form YYYY-MM-DD");
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err("there is no such month"),
    };
    if day == 0 || day > days {
        return Err("there is no such day in that month");
    }
    Ok(())
}

fn check_evidence(
    findings: &mut Findings,
    ids: &[Arc<str>],
    at: impl Fn() -> String,
    clauses: &HashMap<&str, (usize, usize)>,
) {
    for (i, id) in ids.iter().enumerate() {
        if !clauses.contains_key(&**id) && findings.lists(true) {
            findings.push(Finding::error(
                format!("{}[{i}]", at()),
                format!("evidence `{id}` names no clause of this policy"),
            ));
        }
    }
}

fn check_id(findings: &mut Findings, path: impl FnOnce() -> String, id: &str, what: &str) {
    if id.is_empty() {
        findings.push(Finding::error(path(), format!("{what} id is empty")));
    } else if let Some(bad) = id.chars().find(|&c| {
        c.is_whitespace()
                || c.is_control()
                // Invisible characters make two ids look alike.
                || crate::escape::is_hazard(c)
                || matches!(c, '#' | ':' | '/' | '\u{00AD}' | '\u{034F}' | '\u{180E}')
    }) {
        findings.push(Finding::error(
            path(),
            format!(
                "{what} id `{}` contains {bad:?}; ids use letters, digits, `.`, `-` and `_`",
                id.escape_debug()
            ),
        ));
    }
}

/// Records where `id` is defined (`place`, made a YAML path by `path`
/// only when a duplicate needs it), or reports the duplicate.
fn unique<'a, P>(
    findings: &mut Findings,
    seen: &mut HashMap<&'a str, P>,
    id: &'a str,
    place: P,
    path: impl Fn(&P) -> String,
    what: &str,
) {
    if let Some(first) = seen.get(id) {
        findings.push(Finding {
            first_at: Some(path(first)),
            ..Finding::error(path(&place), format!("duplicate {what} id `{id}`"))
        });
    } else {
        seen.insert(id, place);
    }
}
