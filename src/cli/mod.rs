//! The command line: one file per subcommand. Every view of the TUI has a
//! scriptable twin here, with `--format json` for machines.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub mod check;
pub mod export;

#[derive(Debug, Parser)]
#[command(
    name = "qualm",
    version,
    about = "A terminal workbench for auditing privacy policies"
)]
pub struct Cli {
    /// Policy folders or model files to open (default: ./policies).
    #[arg(global = false)]
    pub paths: Vec<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate models (and their coverage of the original text); exit 1 on errors.
    Check {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the loaded, normalized models.
    Export {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Yaml,
}

/// The folders to load: those given, else `./policies`.
pub fn paths_or_default(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        paths.to_vec()
    }
}

/// Runs the command and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::Check { paths, format }) => check::run(&paths_or_default(&paths), format),
        Some(Command::Export { paths, format }) => export::run(&paths_or_default(&paths), format),
        None => summary(&paths_or_default(&cli.paths)),
    }
}

/// Until the TUI lands: what was loaded, in a few lines.
fn summary(paths: &[PathBuf]) -> i32 {
    let corpus = crate::model::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    for p in &corpus.policies {
        println!(
            "{:<14} {:<24} {}",
            p.policy.id,
            p.policy.organization,
            p.policy.date_label()
        );
    }
    i32::from(corpus.error_count() > 0)
}
