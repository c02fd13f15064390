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

pub fn validate_policy(file: &Path, policy: &Policy, vocabulary: &Vocabulary) -> Vec<Finding> {
    let mut findings = Vec::new();
    let stem = file
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".yaml").trim_end_matches(".yml"))
        .unwrap_or("");
    check_id(&mut findings, || "policy.id".into(), &policy.id, "policy");
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
        check_id(&mut findings, || section_id(&si), &section.id, "section");
        unique(
            &mut findings,
            &mut sections,
            &section.id,
            si,
            section_id,
            "section",
        );
        for (ci, clause) in section.clauses.iter().enumerate() {
            let place = (si, ci);
            check_id(&mut findings, || clause_id(&place), &clause.id, "clause");
            unique(
                &mut findings,
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
                if !known {
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
        findings: &mut findings,
        clauses: &clauses,
        definitions: &definitions,
        seen: HashMap::new(),
        flow_ids: HashMap::new(),
        known_labels: LabelMap::default(),
        vocabulary,
    };
    check.contexts(&policy.contexts, "contexts");
    findings
}

/// The walk over a policy's contexts, with what it has seen so far.
struct ContextCheck<'a, 'f> {
    findings: &'f mut Vec<Finding>,
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
                if flow.evidence.is_empty() {
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
                        if !known {
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

fn check_evidence(
    findings: &mut Vec<Finding>,
    ids: &[Arc<str>],
    at: impl Fn() -> String,
    clauses: &HashMap<&str, (usize, usize)>,
) {
    for (i, id) in ids.iter().enumerate() {
        if !clauses.contains_key(&**id) {
            findings.push(Finding::error(
                format!("{}[{i}]", at()),
                format!("evidence `{id}` names no clause of this policy"),
            ));
        }
    }
}

fn check_id(findings: &mut Vec<Finding>, path: impl FnOnce() -> String, id: &str, what: &str) {
    if id.is_empty() {
        findings.push(Finding::error(path(), format!("{what} id is empty")));
    } else if let Some(bad) = id
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '#' | ':' | '/'))
    {
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
    findings: &mut Vec<Finding>,
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
