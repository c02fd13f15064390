//! Checks a parsed model: ids unique and well formed, the file named after
//! its policy, every evidence reference resolving, and labels the vocabulary
//! knows (an unknown label is a warning: the policy's wording is kept).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::diagnostic::Diagnostic;
use super::load::Locator;
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
    check_id(&mut findings, "policy.id", &policy.id, "policy");
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

    let mut sections: HashMap<&str, String> = HashMap::new();
    let mut clauses: HashMap<&str, String> = HashMap::new();
    for (si, section) in policy.sections.iter().enumerate() {
        let path = format!("sections[{si}].id");
        check_id(&mut findings, &path, &section.id, "section");
        unique(&mut findings, &mut sections, &section.id, path, "section");
        for (ci, clause) in section.clauses.iter().enumerate() {
            let at = format!("sections[{si}].clauses[{ci}]");
            check_id(&mut findings, &format!("{at}.id"), &clause.id, "clause");
            unique(
                &mut findings,
                &mut clauses,
                &clause.id,
                format!("{at}.id"),
                "clause",
            );
            if clause.text.trim().is_empty() {
                findings.push(Finding::error(format!("{at}.text"), "clause text is empty"));
            }
            for (ti, topic) in clause.topics.iter().enumerate() {
                if vocabulary.lookup(Category::Topics, topic).is_none() {
                    findings.push(Finding::warning(
                        format!("{at}.topics[{ti}]"),
                        format!("unknown topic `{topic}` (the topics are the ten OPP-115 categories in vocabulary.yaml)"),
                    ));
                }
            }
        }
    }

    let clause_ids: HashSet<&str> = clauses.keys().copied().collect();
    let mut contexts: HashMap<&str, String> = HashMap::new();
    check_contexts(
        &mut findings,
        &policy.contexts,
        "contexts",
        &clause_ids,
        &mut contexts,
        vocabulary,
    );
    findings
}

fn check_contexts<'a>(
    findings: &mut Vec<Finding>,
    list: &'a [Context],
    prefix: &str,
    clause_ids: &HashSet<&str>,
    seen: &mut HashMap<&'a str, String>,
    vocabulary: &Vocabulary,
) {
    for (i, context) in list.iter().enumerate() {
        let at = format!("{prefix}[{i}]");
        check_id(findings, &format!("{at}.id"), &context.id, "context");
        unique(findings, seen, &context.id, format!("{at}.id"), "context");
        check_evidence(
            findings,
            &context.evidence,
            &format!("{at}.evidence"),
            clause_ids,
        );
        for (fi, flow) in context.flows.iter().enumerate() {
            let flow_at = format!("{at}.flows[{fi}]");
            if flow.evidence.is_empty() {
                findings.push(Finding::warning(
                    flow_at.clone(),
                    "flow has no evidence: name the clauses that say so",
                ));
            }
            check_evidence(
                findings,
                &flow.evidence,
                &format!("{flow_at}.evidence"),
                clause_ids,
            );
            for (field, category, labels) in [
                ("data", Category::Data, &flow.data),
                ("purposes", Category::Purposes, &flow.purposes),
                ("basis", Category::Bases, &flow.basis),
                ("recipients", Category::Recipients, &flow.recipients),
            ] {
                for (li, label) in labels.iter().enumerate() {
                    if vocabulary.lookup(category, label).is_none() {
                        findings.push(Finding::warning(
                            format!("{flow_at}.{field}[{li}]"),
                            format!("`{label}` is not a {} in the vocabulary", category.name()),
                        ));
                    }
                }
            }
        }
        check_contexts(
            findings,
            &context.contexts,
            &format!("{at}.contexts"),
            clause_ids,
            seen,
            vocabulary,
        );
    }
}

fn check_evidence(
    findings: &mut Vec<Finding>,
    ids: &[Arc<str>],
    at: &str,
    clause_ids: &HashSet<&str>,
) {
    for (i, id) in ids.iter().enumerate() {
        if !clause_ids.contains(&**id) {
            findings.push(Finding::error(
                format!("{at}[{i}]"),
                format!("evidence `{id}` names no clause of this policy"),
            ));
        }
    }
}

fn check_id(findings: &mut Vec<Finding>, path: &str, id: &str, what: &str) {
    if id.is_empty() {
        findings.push(Finding::error(path, format!("{what} id is empty")));
    } else if let Some(bad) = id
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '#' | ':' | '/'))
    {
        findings.push(Finding::error(
            path,
            format!(
                "{what} id `{}` contains {bad:?}; ids use letters, digits, `.`, `-` and `_`",
                id.escape_debug()
            ),
        ));
    }
}

fn unique<'a>(
    findings: &mut Vec<Finding>,
    seen: &mut HashMap<&'a str, String>,
    id: &'a str,
    path: String,
    what: &str,
) {
    if let Some(first) = seen.get(id) {
        findings.push(Finding {
            first_at: Some(first.clone()),
            ..Finding::error(path, format!("duplicate {what} id `{id}`"))
        });
    } else {
        seen.insert(id, path);
    }
}
