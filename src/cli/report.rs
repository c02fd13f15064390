//! `qualm report`: every note of the folder as a Markdown report an auditor
//! can hand over, as JSON (`{"notes":[...]}`), or as CSV.

use std::path::PathBuf;

use clap::ValueEnum;

use super::emit;
use crate::model;
use crate::review::{report, ReviewSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Json,
    Csv,
}

pub fn run(paths: &[PathBuf], format: ReportFormat) -> i32 {
    let corpus = model::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let reviews = ReviewSet::load(&corpus);
    let mut failed = corpus.error_count() > 0;
    for review in &reviews.reviews {
        if let Some(error) = &review.error {
            eprintln!("{error}");
            failed = true;
        }
    }
    let out = match format {
        ReportFormat::Md => report::markdown(&corpus, &reviews),
        ReportFormat::Json => report::json(&report::rows(&corpus, &reviews)),
        ReportFormat::Csv => report::csv(&report::rows(&corpus, &reviews)),
    };
    emit(&out).max(i32::from(failed))
}
