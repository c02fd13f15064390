//! `qualm check`: validates models and reports how much of each original
//! text the clauses cover, naming every sentence left out by its line.
//! Exit 0 without errors (warnings allowed), 1 with.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;

use super::{emit, TextOrJson};
use crate::model::coverage::{coverage, Coverage};
use crate::model::{self, Diagnostic, LoadedPolicy};

/// One policy's figures, for the summary.
struct PolicyReport<'a> {
    loaded: &'a LoadedPolicy,
    coverage: Option<Coverage>,
}

pub fn run(paths: &[PathBuf], format: TextOrJson) -> i32 {
    let corpus = super::output::load(paths);
    let mut diagnostics = corpus.diagnostics.clone();
    let mut reports = Vec::new();
    for loaded in &corpus.policies {
        let mut report = PolicyReport {
            loaded,
            coverage: None,
        };
        match loaded.confined_source_path() {
            None => {}
            Some(Err(message)) => diagnostics
                .push(Diagnostic::warning(&loaded.path, message).at(source_position(loaded))),
            Some(Ok(source)) => match model::load::read_text(&source) {
                Ok(original) => {
                    let c = coverage(&loaded.policy, &original);
                    for (line, sentence) in &c.missing {
                        diagnostics.push(
                            Diagnostic::warning(
                                &source,
                                format!(
                                    "sentence not found in any clause of {}: \"{}\"",
                                    loaded.policy.id, sentence
                                ),
                            )
                            .at(Some((*line, 1))),
                        );
                    }
                    report.coverage = Some(c);
                }
                Err(d) => diagnostics.push(Diagnostic::warning(
                    &loaded.path,
                    format!("original text {}: {}", source.display(), d.message),
                )),
            },
        }
        reports.push(report);
    }
    diagnostics.extend(crate::review::note::check_folder(&corpus, paths));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match format {
        TextOrJson::Json => print_json(&reports, &diagnostics, errors, warnings),
        TextOrJson::Text => print_text(&reports, &diagnostics, errors, warnings),
    }
    i32::from(errors > 0)
}

/// Flows drafted by `qualm import` from prose, still to be confirmed.
fn suggested_flows(p: &LoadedPolicy) -> usize {
    p.policy
        .contexts_flat()
        .iter()
        .flat_map(|(_, c)| c.flows.iter().map(move |f| (c, f)))
        .filter(|(c, f)| f.suggested || crate::import::is_suggested(c))
        .count()
}

/// Where the model names its source, for a warning about it.
fn source_position(loaded: &LoadedPolicy) -> Option<(usize, usize)> {
    let text = model::load::read_text(&loaded.path).ok()?;
    crate::model::position::PositionIndex::build_for(&text, &["policy.source"])
        .find("policy.source")
}

fn counts(p: &LoadedPolicy) -> (usize, usize, usize, usize) {
    let contexts = p.policy.contexts_flat();
    let flows = contexts.iter().map(|(_, c)| c.flows.len()).sum();
    let clauses = p.policy.clauses().count();
    (p.policy.sections.len(), clauses, contexts.len(), flows)
}

fn print_text(
    reports: &[PolicyReport],
    diagnostics: &[Diagnostic],
    errors: usize,
    warnings: usize,
) {
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(out, "{}", super::output::diagnostic(&d.to_string()));
    }
    for r in reports {
        let (sections, clauses, contexts, flows) = counts(r.loaded);
        let covered = match &r.coverage {
            Some(c) => format!(
                "; original text {:.1}% covered ({}/{} sentences)",
                c.percent(),
                c.covered,
                c.sentences
            ),
            None => String::from("; no original text to compare"),
        };
        let suggested = match suggested_flows(r.loaded) {
            0 => String::new(),
            n => format!(" ({n} suggested)"),
        };
        let _ = writeln!(
            out,
            "{}: {sections} sections, {clauses} clauses, {contexts} contexts, {flows} flows{suggested}{covered}",
            r.loaded.policy.id
        );
    }
    let _ = writeln!(
        out,
        "checked {} {}: {errors} {}, {warnings} {}",
        reports.len(),
        plural(reports.len(), "policy", "policies"),
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
    );
    emit(&out);
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn print_json(
    reports: &[PolicyReport],
    diagnostics: &[Diagnostic],
    errors: usize,
    warnings: usize,
) {
    let policies: Vec<_> = reports
        .iter()
        .map(|r| {
            let (sections, clauses, contexts, flows) = counts(r.loaded);
            json!({
                "id": r.loaded.policy.id,
                "file": r.loaded.path,
                "sections": sections, "clauses": clauses, "contexts": contexts, "flows": flows,
                "suggested_flows": suggested_flows(r.loaded),
                "coverage": r.coverage.as_ref().map(|c| json!({
                    "sentences": c.sentences, "covered": c.covered, "percent": c.percent(),
                })),
            })
        })
        .collect();
    let diagnostics: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            json!({
                "severity": if d.is_error() { "error" } else { "warning" },
                "file": d.file, "line": d.line, "column": d.column, "message": d.message,
            })
        })
        .collect();
    let doc = json!({"policies": policies, "diagnostics": diagnostics, "errors": errors, "warnings": warnings});
    emit(&(serde_json::to_string_pretty(&doc).expect("json") + "\n"));
}
