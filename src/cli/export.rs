//! `qualm export`: the loaded, normalized models as JSON or YAML, for
//! scripts; or one flat table (`--table flows|clauses|notes|findings`) as
//! CSV or JSON Lines, one row per flow, clause, note or finding, so a folder
//! of policies can be analysed in DuckDB, pandas or a spreadsheet.
//! Errors go to stderr and make the exit code 1, but every policy that
//! loaded is still exported.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::emit;
use crate::model::{self, Corpus, Policy};

/// The export document: `{"policies": [...]}`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub policies: Vec<Policy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The whole models (default).
    Json,
    Yaml,
    /// With --table: comma-separated values with a header row.
    Csv,
    /// With --table: one JSON object per line.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Table {
    Flows,
    Clauses,
    Notes,
    Findings,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(hide = true)]
    pub paths: Vec<PathBuf>,
    /// json or yaml for the models; csv or jsonl for a --table.
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// One flat table instead of the models.
    #[arg(long, value_enum)]
    pub table: Option<Table>,
}

pub fn run(paths: &[PathBuf], args: &ExportArgs) -> i32 {
    let format = match (args.table, args.format) {
        (None, None) => ExportFormat::Json,
        (Some(_), None) => ExportFormat::Csv,
        (None, Some(f @ (ExportFormat::Csv | ExportFormat::Jsonl))) => {
            eprintln!(
                "qualm export: --format {} writes a table: add --table flows|clauses|notes|findings",
                if f == ExportFormat::Csv { "csv" } else { "jsonl" }
            );
            return 2;
        }
        (Some(_), Some(f @ (ExportFormat::Json | ExportFormat::Yaml))) => {
            eprintln!(
                "qualm export: a --table is written as csv or jsonl, not {}",
                if f == ExportFormat::Json {
                    "json"
                } else {
                    "yaml"
                }
            );
            return 2;
        }
        (_, Some(f)) => f,
    };
    let corpus = super::output::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let text = match args.table {
        Some(table) => {
            let (columns, rows) = table_rows(&corpus, table);
            match format {
                ExportFormat::Jsonl => jsonl(&rows),
                _ => csv(&columns, &rows),
            }
        }
        None => {
            let export = Export {
                policies: corpus.policies.iter().map(|p| p.policy.clone()).collect(),
            };
            match format {
                ExportFormat::Yaml => serde_yaml::to_string(&export).expect("the model serializes"),
                _ => serde_json::to_string_pretty(&export).expect("the model serializes") + "\n",
            }
        }
    };
    if emit(&text) != 0 {
        return 1;
    }
    i32::from(corpus.diagnostics.iter().any(|d| d.is_error()))
}

fn labels(list: &[std::sync::Arc<str>]) -> Value {
    json!(list.iter().map(|l| &**l).collect::<Vec<_>>())
}

/// The column names and one JSON object per row, in column order.
fn table_rows(corpus: &Corpus, table: Table) -> (Vec<&'static str>, Vec<Value>) {
    let mut rows = Vec::new();
    let columns = match table {
        Table::Flows => {
            for loaded in &corpus.policies {
                let policy = &loaded.policy;
                for (_, context) in policy.contexts_flat() {
                    for flow in &context.flows {
                        rows.push(json!({
                            "policy": policy.id,
                            "context": context.id,
                            "context_name": context.name,
                            "flow": flow.id.as_deref(),
                            "action": flow.action().as_str(),
                            "negative": !flow.does,
                            "scope": flow.scope().map(|s| match s {
                                model::Scope::Context => "context",
                                model::Scope::Policy => "policy",
                            }),
                            "qualifier": flow.qualifier.as_deref(),
                            "data": labels(&flow.data),
                            "purposes": labels(&flow.purposes),
                            "basis": labels(&flow.basis),
                            "source": labels(&flow.source),
                            "recipients": labels(&flow.recipients),
                            "retention": flow.retention.as_deref(),
                            "retention_class": flow.retention_class.map(|c| c.as_str()),
                            "if_withheld": flow.if_withheld.as_deref(),
                            "choice": flow.choice.as_ref().map(|c| c.kind.as_str()),
                            "suggested": flow.suggested,
                            "evidence": json!(flow.evidence_ids().collect::<Vec<_>>()),
                        }));
                    }
                }
            }
            vec![
                "policy",
                "context",
                "context_name",
                "flow",
                "action",
                "negative",
                "scope",
                "qualifier",
                "data",
                "purposes",
                "basis",
                "source",
                "recipients",
                "retention",
                "retention_class",
                "if_withheld",
                "choice",
                "suggested",
                "evidence",
            ]
        }
        Table::Clauses => {
            for loaded in &corpus.policies {
                let policy = &loaded.policy;
                for (section, clause) in policy.clauses() {
                    rows.push(json!({
                        "policy": policy.id,
                        "section": section.id,
                        "heading": section.heading,
                        "clause": clause.id,
                        "topics": labels(&clause.topics),
                        "role": clause.role.map(|r| match r {
                            model::ClauseRole::Definition => "definition",
                            model::ClauseRole::Example => "example",
                        }),
                        "text": &*clause.text,
                    }));
                }
            }
            vec![
                "policy", "section", "heading", "clause", "topics", "role", "text",
            ]
        }
        Table::Notes => {
            let reviews = crate::review::ReviewSet::load(corpus);
            for row in crate::review::report::rows(corpus, &reviews) {
                rows.push(serde_json::to_value(&row).expect("rows serialize"));
            }
            vec![
                "id", "policy", "target", "kind", "severity", "status", "author", "created",
                "updated", "detached", "quote", "body", "replies",
            ]
        }
        Table::Findings => {
            let reviews = crate::review::ReviewSet::load(corpus);
            let checklists = crate::findings::checklist::Checklists::builtin();
            let report = crate::findings::run(
                corpus,
                Some(&reviews),
                &checklists,
                &crate::findings::Options::default(),
            );
            for finding in &report.findings {
                rows.push(serde_json::to_value(finding).expect("findings serialize"));
            }
            vec![
                "policy",
                "rule",
                "kind",
                "severity",
                "status",
                "target",
                "message",
                "evidence",
                "flows",
                "fingerprint",
                "note",
            ]
        }
    };
    (columns, rows)
}

fn jsonl(rows: &[Value]) -> String {
    let mut out = String::new();
    for row in rows {
        out.push_str(&serde_json::to_string(row).expect("rows serialize"));
        out.push('\n');
    }
    out
}

/// A cell as text: lists joined with "; ", replies as "author: body".
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        Value::Object(map) => match (map.get("author"), map.get("body")) {
            (Some(author), Some(body)) => format!("{}: {}", cell(author), cell(body)),
            _ => serde_json::to_string(value).unwrap_or_default(),
        },
    }
}

fn csv(columns: &[&str], rows: &[Value]) -> String {
    let mut out = columns.join(",");
    out.push('\n');
    for row in rows {
        let line: Vec<String> = columns
            .iter()
            .map(|c| crate::review::report::csv_field(&cell(&row[*c])))
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
