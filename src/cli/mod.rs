//! The command line: one file per subcommand. Every view of the TUI has a
//! scriptable twin here, with `--format json` for machines.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub mod check;
pub mod compare;
pub mod export;
pub mod keys;
pub mod matrix;
pub mod merge_notes;
pub mod note;
pub mod report;
pub mod search;

#[derive(Debug, Parser)]
#[command(
    name = "qualm",
    version,
    about = "A terminal workbench for auditing privacy policies",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Policy folders or model files to open (default: ./policies).
    pub paths: Vec<PathBuf>,
    /// Colours: auto honours NO_COLOR and a non-terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// A keymap file over the defaults (else $XDG_CONFIG_HOME/qualm/keymap.toml).
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
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
    /// Print the effective key bindings, or check a keymap file.
    Keys {
        /// Check this keymap file (as an override of the defaults) and exit.
        #[arg(long, value_name = "FILE")]
        check: Option<PathBuf>,
        /// The user keymap to apply (else $XDG_CONFIG_HOME/qualm/keymap.toml).
        #[arg(long, value_name = "FILE")]
        keymap: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Add, list, change or remove review notes.
    #[command(subcommand)]
    Note(note::NoteCommand),
    /// Every note of the folder as a report (md for people, json, csv).
    Report {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = report::ReportFormat::Md)]
        format: report::ReportFormat,
    },
    /// Git merge driver for *.review.yaml: `qualm merge-notes %O %A %B`.
    MergeNotes {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
        /// The file being merged (git's %P), named in messages.
        name: Option<PathBuf>,
    },
    /// Print the loaded, normalized models.
    Export {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Compare two versions clause by clause (`compare A [B]`), or a topic
    /// or vocabulary term across policies (`compare --topic T [PATH...]`).
    Compare {
        /// Two policy ids or model files (one: the version it supersedes);
        /// with --topic, the folders or files to load.
        items: Vec<String>,
        /// An OPP-115 topic or a vocabulary term (data:, recipient:,
        /// purpose:, basis: settle an ambiguity).
        #[arg(long, value_name = "T")]
        topic: Option<String>,
        /// Folders or model files to load (default: ./policies).
        #[arg(long = "in", value_name = "PATH")]
        inputs: Vec<PathBuf>,
        /// With --topic: only these policies, in this order (repeatable).
        #[arg(long = "policy", value_name = "ID")]
        policies: Vec<String>,
        #[arg(long, value_enum, default_value_t = compare::CompareFormat::Text)]
        format: compare::CompareFormat,
    },
    /// Data categories or recipients against policies.
    Matrix {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = matrix::MatrixBy::Data)]
        by: matrix::MatrixBy,
        /// Only these policies, in this order (repeatable).
        #[arg(long = "policy", value_name = "ID")]
        policies: Vec<String>,
        #[arg(long, value_enum, default_value_t = matrix::MatrixFormat::Text)]
        format: matrix::MatrixFormat,
    },
    /// Fuzzy-search policies, contexts, clauses, data and recipient labels;
    /// every hit, best first.
    Search {
        /// Words to look for; each must match (fuzzily) a word of the hit.
        query: String,
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// At most this many hits.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour: `auto` follows NO_COLOR (any non-empty value) and
    /// whether stdout is a terminal.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::IsTerminal::is_terminal(&std::io::stdout())
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Yaml,
}

/// Writes a command's output in one go; a reader that stopped early
/// (`| head`) is no error. Every format goes through [`crate::escape`]:
/// no byte read from a file reaches a terminal as a control sequence.
pub fn emit(out: &str) -> i32 {
    use std::io::Write;
    let out = crate::escape::escape(out);
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("qualm: cannot write output: {e}");
            1
        }
        _ => 0,
    }
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
        Some(Command::Search {
            query,
            paths,
            format,
            limit,
        }) => search::run(&query, &paths_or_default(&paths), format, limit),
        Some(Command::Keys {
            check,
            keymap,
            format,
        }) => keys::run(check.as_deref(), keymap.as_deref(), format),
        Some(Command::Note(command)) => note::run(command),
        Some(Command::Report { paths, format }) => report::run(&paths_or_default(&paths), format),
        Some(Command::MergeNotes {
            base,
            ours,
            theirs,
            name,
        }) => merge_notes::run(&base, &ours, &theirs, name.as_deref()),
        Some(Command::Compare {
            items,
            topic,
            inputs,
            policies,
            format,
        }) => compare::run(&items, topic.as_deref(), &inputs, &policies, format),
        Some(Command::Matrix {
            paths,
            by,
            policies,
            format,
        }) => matrix::run(&paths, by, &policies, format),
        None => open_workbench(&cli),
    }
}

/// `qualm [PATH...]`: the TUI. A bad keymap refuses to start, with its
/// positioned errors, rather than silently falling back to the defaults.
fn open_workbench(cli: &Cli) -> i32 {
    let keymap = match crate::keymap::Keymap::load(cli.keymap.as_deref()) {
        Ok(keymap) => keymap,
        Err(diagnostics) => {
            for d in diagnostics {
                eprintln!("{d}");
            }
            eprintln!(
                "qualm: not starting: fix the keymap above (`qualm keys --check FILE` checks it)"
            );
            return 1;
        }
    };
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return summary(&paths_or_default(&cli.paths));
    }
    let corpus = crate::model::load(&paths_or_default(&cli.paths));
    let theme = crate::tui::theme::Theme::new(cli.color.enabled());
    match crate::tui::run(corpus, keymap, theme) {
        // Stopped by a signal: say so in the exit status (128 + number).
        Ok(()) => match crate::tui::terminal::LAST_SIGNAL.load(std::sync::atomic::Ordering::SeqCst)
        {
            0 => 0,
            signal => 128 + signal as i32,
        },
        Err(e) => {
            eprintln!("qualm: terminal error: {e}");
            1
        }
    }
}

/// When stdout is not a terminal: what was loaded, in a few lines.
fn summary(paths: &[PathBuf]) -> i32 {
    let corpus = crate::model::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let mut out = String::new();
    for p in &corpus.policies {
        out.push_str(&format!(
            "{:<14} {:<24} {}\n",
            p.policy.id,
            p.policy.organization,
            p.policy.date_label()
        ));
    }
    emit(&out).max(i32::from(corpus.error_count() > 0))
}
