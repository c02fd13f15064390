//! Findings as SARIF 2.1.0, for code scanning in CI: the rules in the
//! driver, one result per finding with a level by severity, the model file
//! and line of its target as location, the fingerprint under
//! `partialFingerprints`, and accepted or dismissed findings as
//! suppressions. Written with serde_json values: the subset is small, and
//! a test validates it against the official schema.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::model::position::PositionIndex;
use crate::model::{Corpus, Policy};
use crate::review::{Severity, Status, Target};

use super::rules::RULES;
use super::{Finding, Report};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The YAML path of a finding's target in its model file.
fn yaml_path(policy: &Policy, target: &Target) -> String {
    let Some(context) = &target.context else {
        return "policy".to_string();
    };
    let Some(path) = policy.context_path(context) else {
        return "policy".to_string();
    };
    let mut out = String::from("contexts");
    for (depth, i) in path.iter().enumerate() {
        if depth > 0 {
            out.push_str(".contexts");
        }
        out.push_str(&format!("[{i}]"));
    }
    if let Some(n) = target.flow {
        out.push_str(&format!(".flows[{}]", n.saturating_sub(1)));
    }
    out
}

/// A path relative to the current folder when it is under it, with `/`.
fn uri(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    relative.to_string_lossy().replace('\\', "/")
}

pub fn sarif(report: &Report, corpus: &Corpus) -> String {
    let rule_index: HashMap<&str, usize> =
        RULES.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": format!("{} ({})", r.title, r.reference)},
                "properties": {"tags": [format!("concern:{}", r.kind)], "reference": r.reference},
            })
        })
        .collect();
    let mut positions: HashMap<&str, (String, PositionIndex)> = HashMap::new();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, corpus, &rule_index, &mut positions))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "qualm",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF always serializes");
    out.push('\n');
    out
}

fn result<'c>(
    finding: &Finding,
    corpus: &'c Corpus,
    rule_index: &HashMap<&str, usize>,
    positions: &mut HashMap<&'c str, (String, PositionIndex)>,
) -> Value {
    let mut location = json!({
        "logicalLocations": [{
            "fullyQualifiedName": format!("{}/{}", finding.policy, finding.target.key()),
        }],
    });
    if let Some(loaded) = corpus.policy(&finding.policy) {
        let (file, index) = positions.entry(&loaded.policy.id).or_insert_with(|| {
            let text = std::fs::read_to_string(&loaded.path).unwrap_or_default();
            (uri(&loaded.path), PositionIndex::build(&text))
        });
        let mut physical = json!({"artifactLocation": {"uri": file.clone()}});
        if let Some((line, column)) = index.find(&yaml_path(&loaded.policy, &finding.target)) {
            physical["region"] = json!({"startLine": line, "startColumn": column});
        }
        location["physicalLocation"] = physical;
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": level(finding.severity),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {"qualm/v1": finding.fingerprint},
        "properties": {
            "severity": finding.severity.as_str(),
            "kind": finding.kind,
            "policy": finding.policy,
            "status": finding.status.as_str(),
            "evidence": finding.evidence,
        },
    });
    if !finding.suggested_flows.is_empty() {
        result["properties"]["suggestedFlows"] = json!(finding.suggested_flows);
    }
    if matches!(finding.status, Status::Accepted | Status::Dismissed) {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!(
                "{} in review note {}",
                finding.status.as_str(),
                finding.note.as_deref().unwrap_or("?")
            ),
        }]);
    }
    result
}
