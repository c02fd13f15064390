//! `qualm report`: the notes of the folder for a client: Markdown, a
//! self-contained HTML page (readable on screen, printed to PDF), JSON
//! (`{"notes":[...]}`) or CSV with replies. Drafts and dismissed notes are
//! left out unless asked for; filters pick policies, kinds, severities,
//! statuses and authors.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::emit;
use crate::findings::checklist::Checklists;
use crate::review::report::{self, ReportMeta};
use crate::review::{ReviewSet, Severity, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(hide = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Only notes with this status (repeatable; default: all but draft and dismissed).
    #[arg(long, value_name = "S")]
    pub status: Vec<Status>,
    /// Only notes at or above this severity.
    #[arg(long, value_name = "S")]
    pub min_severity: Option<Severity>,
    /// Only notes of this concern kind (repeatable).
    #[arg(long, value_name = "K")]
    pub kind: Vec<String>,
    /// Only notes on this policy (repeatable).
    #[arg(long, value_name = "ID")]
    pub policy: Vec<String>,
    /// Only notes by this author (repeatable).
    #[arg(long, value_name = "A")]
    pub author: Vec<String>,
    /// The report's title.
    #[arg(long, default_value = "Privacy policy review")]
    pub title: String,
    /// Judge findings' dates as of this day (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

pub fn run(paths: &[PathBuf], args: &ReportArgs) -> i32 {
    let corpus = super::output::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    if let Some(unknown) = args.policy.iter().find(|id| corpus.policy(id).is_none()) {
        eprintln!(
            "qualm report: no policy `{}` in the folder",
            crate::escape::escape(unknown)
        );
        return 2;
    }
    let as_of = match args.as_of.as_deref() {
        None => None,
        Some(text) => match crate::findings::facts::Date::parse(text) {
            Some(date) => Some(date),
            None => {
                eprintln!("qualm report: `{text}` is not a date (YYYY-MM-DD)");
                return 2;
            }
        },
    };
    let mut reviews = ReviewSet::load(&corpus);
    let mut failed = corpus.error_count() > 0;
    for review in &reviews.reviews {
        if let Some(error) = &review.error {
            eprintln!("{error}");
            failed = true;
        }
    }
    let statuses: Vec<Status> = if args.status.is_empty() {
        Status::ALL
            .iter()
            .copied()
            .filter(|s| !matches!(s, Status::Draft | Status::Dismissed))
            .collect()
    } else {
        args.status.clone()
    };
    for review in &mut reviews.reviews {
        let policy_kept = args.policy.is_empty() || args.policy.contains(&review.policy);
        review.file.notes.retain(|n| {
            policy_kept
                && statuses.contains(&n.status)
                && args.min_severity.is_none_or(|s| n.severity >= s)
                && (args.kind.is_empty() || args.kind.contains(&n.kind))
                && (args.author.is_empty() || args.author.contains(&n.author))
        });
    }
    let folder = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let meta = ReportMeta {
        title: args.title.clone(),
        date: crate::review::author::now()[..10].to_string(),
        folder,
        policies: args.policy.clone(),
    };
    let out = match args.format {
        ReportFormat::Md => report::markdown(&corpus, &reviews, &meta),
        ReportFormat::Html => {
            let checklists = Checklists::builtin();
            let options = crate::findings::Options {
                as_of,
                ..Default::default()
            };
            let findings = crate::findings::run(&corpus, Some(&reviews), &checklists, &options);
            crate::review::html::report(&corpus, &reviews, &findings, &meta)
        }
        ReportFormat::Json => report::json(&report::rows(&corpus, &reviews)),
        ReportFormat::Csv => report::csv(&report::rows(&corpus, &reviews)),
    };
    emit(&out).max(i32::from(failed))
}
