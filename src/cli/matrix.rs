//! `qualm matrix`: data categories × policies (`--by data`, the default) or
//! recipients × policies (`--by recipients`). Every format shows each cell's
//! label as the TUI does ("▲ shared ↑", "● collected · ✗ not sold",
//! "✗ not collected (knowingly)"); JSON adds its parts (`value` is one of
//! sold, shared, used, collected, not-sold, not-shared, not-used,
//! not-collected, unspecified) and the clauses that say so.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use serde_json::{json, Value};

use super::compare::emit;
use crate::compare::{self, By, Matrix};
use crate::model::Policy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixBy {
    Data,
    Recipients,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Text,
    Md,
    Json,
    Csv,
}

pub fn run(paths: &[PathBuf], by: MatrixBy, only: &[String], format: MatrixFormat) -> i32 {
    let corpus = super::output::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let mut chosen = Vec::new();
    for id in only {
        match compare::find_policy(&corpus, id) {
            Ok(i) => chosen.push(i),
            Err(e) => {
                eprintln!("qualm matrix: {e}");
                return 2;
            }
        }
    }
    if chosen.is_empty() {
        chosen = (0..corpus.policies.len()).collect();
    }
    let policies: Vec<&Policy> = chosen.iter().map(|&i| &corpus.policies[i].policy).collect();
    let by = match by {
        MatrixBy::Data => By::Data,
        MatrixBy::Recipients => By::Recipients,
    };
    let m = compare::matrix(&policies, &corpus.vocabulary, by);
    let text = match format {
        MatrixFormat::Json => {
            serde_json::to_string_pretty(&matrix_json(&policies, &m)).expect("json") + "\n"
        }
        MatrixFormat::Csv => csv(&policies, &m),
        MatrixFormat::Text => table(&policies, &m, false),
        MatrixFormat::Md => table(&policies, &m, true),
    };
    emit(&text);
    i32::from(corpus.error_count() > 0)
}

pub fn matrix_json(policies: &[&Policy], m: &Matrix) -> Value {
    json!({
        "by": m.by.name(),
        "policies": policies.iter().map(|p| &p.id).collect::<Vec<_>>(),
        "rows": m.rows.iter().map(|row| {
            let mut cells = serde_json::Map::new();
            for (p, cell) in policies.iter().zip(&row.cells) {
                let negative = cell.value.negative.as_ref().map(|n| json!({
                    "value": n.cell.as_str(),
                    "qualifier": n.qualifier,
                    "scope": match n.scope {
                        crate::model::Scope::Policy => "policy",
                        crate::model::Scope::Context => "context",
                    },
                    "context": n.context,
                }));
                cells.insert(p.id.clone(), json!({
                    "value": cell.value.cell.as_str(),
                    "label": cell.value.label(),
                    "rolled_up": cell.value.rolled_up,
                    "negative": negative,
                    "labels": cell.labels,
                    "evidence": cell.evidence,
                }));
            }
            json!({"term": row.term, "label": row.label, "known": row.known, "cells": cells})
        }).collect::<Vec<_>>(),
    })
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(policies: &[&Policy], m: &Matrix) -> String {
    let mut out = String::from("term,label");
    for p in policies {
        out.push(',');
        out.push_str(&csv_field(&p.id));
    }
    out.push('\n');
    for row in &m.rows {
        let _ = write!(out, "{},{}", csv_field(&row.term), csv_field(&row.label));
        for cell in &row.cells {
            let _ = write!(out, ",{}", csv_field(&cell.value.label()));
        }
        out.push('\n');
    }
    out
}

fn table(policies: &[&Policy], m: &Matrix, md: bool) -> String {
    let mut out = String::new();
    let first = m
        .rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    let widths: Vec<usize> = policies
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            m.rows
                .iter()
                .map(|r| r.cells[pi].value.label().chars().count())
                .chain([p.id.chars().count(), 13])
                .max()
                .unwrap_or(13)
        })
        .collect();
    let label = |r: &str| crate::tui::text::truncate(r, first);
    if md {
        let _ = write!(out, "| {} |", m.by.name());
        for p in policies {
            let _ = write!(out, " {} |", p.id);
        }
        out.push_str("\n| --- |");
        for _ in policies {
            out.push_str(" --- |");
        }
        out.push('\n');
        for row in &m.rows {
            let _ = write!(out, "| {} |", row.label.replace('|', "\\|"));
            for cell in &row.cells {
                let _ = write!(out, " {} |", cell.value.label().replace('|', "\\|"));
            }
            out.push('\n');
        }
        return out;
    }
    let _ = write!(out, "{:<first$}", m.by.name());
    for (p, w) in policies.iter().zip(&widths) {
        let _ = write!(out, "  {:<w$}", p.id);
    }
    out.push('\n');
    for row in &m.rows {
        let _ = write!(out, "{:<first$}", label(&row.label));
        for (cell, w) in row.cells.iter().zip(&widths) {
            let _ = write!(out, "  {:<w$}", cell.value.label());
        }
        out.push('\n');
    }
    out
}
