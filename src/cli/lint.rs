//! `qualm lint`: the findings of the rules, the legal checklists and a
//! grade per policy, as text, JSON or SARIF; `--record` turns findings into
//! review notes (once), and `--fail-on` lets CI gate a policy change.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use crate::findings::checklist::{ChecklistResult, Checklists, ItemState};
use crate::findings::facts::Date;
use crate::findings::{self, Options, Report};
use crate::model::Corpus;
use crate::review::store::{self, review_path, Op, ReviewSet};
use crate::review::{Severity, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    #[arg(hide = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Judge dates (a CCPA policy's age) as of this day, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only this rule (repeatable); `qualm lint --rule list` lists them.
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Leave out findings below this severity.
    #[arg(long, value_name = "S")]
    pub min_severity: Option<Severity>,
    /// Exit 1 when an open finding is at or above this severity.
    #[arg(long, value_name = "S")]
    pub fail_on: Option<Severity>,
    /// Record each open finding as a review note (once: a finding already
    /// recorded is left alone).
    #[arg(long)]
    pub record: bool,
}

fn usage(message: impl std::fmt::Display) -> i32 {
    eprintln!("qualm lint: {message}");
    2
}

pub fn run(args: LintArgs, paths: &[PathBuf]) -> i32 {
    if args.rules.iter().any(|r| r == "list") {
        let mut out = String::new();
        for rule in findings::rules::RULES {
            out.push_str(&format!(
                "{:<28} {:<22} {}\n",
                rule.id, rule.kind, rule.title
            ));
        }
        return super::emit(&out);
    }
    if let Some(unknown) = args.rules.iter().find(|r| {
        !findings::rules::RULES
            .iter()
            .any(|rule| rule.id == r.as_str())
    }) {
        return usage(format!(
            "unknown rule `{unknown}` (`qualm lint --rule list` lists them)"
        ));
    }
    let as_of = match args.as_of.as_deref().map(|d| (d, Date::parse(d))) {
        None => None,
        Some((_, Some(date))) => Some(date),
        Some((text, None)) => return usage(format!("`{text}` is not a date (YYYY-MM-DD)")),
    };
    let corpus = super::output::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    if corpus.policies.is_empty() && corpus.error_count() > 0 {
        return 2;
    }
    let folder = paths.iter().find(|p| p.is_dir()).map(PathBuf::as_path);
    let checklists = match Checklists::for_folder(folder) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            return 1;
        }
    };
    let options = Options {
        as_of,
        rules: args.rules.clone(),
        min_severity: args.min_severity,
    };
    let mut reviews = ReviewSet::load(&corpus);
    let mut report = findings::run(&corpus, Some(&reviews), &checklists, &options);
    if args.record {
        match record(&corpus, &report) {
            Ok(0) => eprintln!("qualm lint: nothing new to record"),
            Ok(n) => {
                eprintln!("qualm lint: recorded {n} finding(s) as notes");
                reviews = ReviewSet::load(&corpus);
                report = findings::run(&corpus, Some(&reviews), &checklists, &options);
            }
            Err(message) => {
                eprintln!("qualm lint: {message}");
                return 2;
            }
        }
    }
    let out = match args.format {
        LintFormat::Text => text(&report),
        LintFormat::Json => json_report(&report),
        LintFormat::Sarif => findings::sarif::sarif(&report, &corpus),
    };
    let written = super::emit(&out);
    if written != 0 {
        return written;
    }
    let failing = args.fail_on.is_some_and(|threshold| {
        report
            .findings
            .iter()
            .any(|f| f.status == Status::Open && f.severity >= threshold)
    });
    i32::from(failing || corpus.error_count() > 0)
}

/// Adds a note for each open finding no note records yet.
fn record(corpus: &Corpus, report: &Report) -> Result<usize, String> {
    let mut added = 0;
    for finding in report.findings.iter().filter(|f| f.note.is_none()) {
        let Some(loaded) = corpus.policy(&finding.policy) else {
            continue;
        };
        let path = review_path(&loaded.path, &loaded.policy.id);
        let note = finding.to_note(&loaded.digest, Status::Open);
        store::apply(&path, &loaded.policy.id, &Op::Add(note), None)
            .map_err(|e| format!("{}: cannot record: {e}", path.display()))?;
        added += 1;
    }
    Ok(added)
}

fn checklist_json(list: &ChecklistResult) -> Value {
    let items = |state: fn(&ItemState) -> bool| -> Vec<Value> {
        list.items
            .iter()
            .filter(|i| state(&i.state))
            .map(|i| {
                let mut v = json!({"id": i.id, "ref": i.reference, "title": i.title});
                if let ItemState::Present { evidence, shown_by } = &i.state {
                    v["evidence"] = json!(evidence);
                    v["shown_by"] = json!(shown_by);
                }
                if let ItemState::NotStated { condition } = &i.state {
                    v["condition"] = json!(condition);
                }
                v
            })
            .collect()
    };
    let (present, applicable) = list.completeness();
    json!({
        "name": list.name,
        "present": items(|s| matches!(s, ItemState::Present { .. })),
        "missing": items(|s| matches!(s, ItemState::Missing)),
        "not_stated": items(|s| matches!(s, ItemState::NotStated { .. })),
        "not_applicable": items(|s| matches!(s, ItemState::NotApplicable)),
        "completeness": {"present": present, "applicable": applicable},
    })
}

fn json_report(report: &Report) -> String {
    let policies: Vec<Value> = report
        .policies
        .iter()
        .map(|p| {
            let checklists: serde_json::Map<String, Value> = p
                .checklists
                .iter()
                .map(|c| (c.law.clone(), checklist_json(c)))
                .collect();
            json!({
                "id": p.id,
                "grade": p.grade,
                "points": p.points,
                "checklists": checklists,
            })
        })
        .collect();
    let value = json!({"findings": report.findings, "policies": policies});
    let mut out = serde_json::to_string_pretty(&value).expect("findings always serialize");
    out.push('\n');
    out
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    for policy in &report.policies {
        let (good, bad, blocker) = findings::grade::tally(&policy.points);
        out.push_str(&format!(
            "{}  grade {}  ({good} good, {bad} bad, {blocker} blocker)",
            super::output::Paint::Bold.paint(&policy.id),
            policy.grade
        ));
        for list in &policy.checklists {
            let (present, applicable) = list.completeness();
            out.push_str(&format!("  {} {present}/{applicable}", list.name));
        }
        out.push('\n');
        for f in report.findings.iter().filter(|f| f.policy == policy.id) {
            let status = if f.status == Status::Open {
                String::new()
            } else {
                format!(" [{}]", f.status)
            };
            out.push_str(&format!(
                "  {} {:<26} {}{status}\n",
                super::output::severity(f.severity.as_str())
                    .paint(&format!("{:<8}", f.severity.as_str())),
                f.rule,
                f.message
            ));
            if !f.evidence.is_empty() {
                let shown: Vec<&str> = f.evidence.iter().take(8).map(String::as_str).collect();
                let more = f.evidence.len().saturating_sub(shown.len());
                out.push_str(&format!(
                    "           at {}{}\n",
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
            if !f.suggested_flows.is_empty() {
                out.push_str(&format!(
                    "           rests on suggested flows not yet confirmed: {}\n",
                    f.suggested_flows.join(", ")
                ));
            }
        }
        for list in &policy.checklists {
            let missing: Vec<&str> = list.missing().map(|i| i.title.as_str()).collect();
            if !missing.is_empty() {
                out.push_str(&format!(
                    "  {} missing: {}\n",
                    list.name,
                    missing.join("; ")
                ));
            }
        }
    }
    let open = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Open)
        .count();
    out.push_str(&format!(
        "{} finding(s), {open} open, in {} policies\n",
        report.findings.len(),
        report.policies.len()
    ));
    out
}
