//! The command line: one file per subcommand. Every view of the TUI has a
//! scriptable twin here, with `--format json` for machines.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod check;
pub mod compare;
pub mod completions;
pub mod export;
pub mod fmt;
pub mod import;
pub mod keys;
pub mod lint;
pub mod matrix;
pub mod merge_notes;
pub mod model;
pub mod note;
pub mod output;
pub mod report;
pub mod schema;
pub mod search;
pub mod vocab;

#[derive(Debug, Parser)]
#[command(
    name = "qualm",
    version,
    about = "A terminal workbench for auditing privacy policies",
    after_help = "The policies folder is named the same way everywhere: `--policies PATH` (or `-p`), \
before or after the subcommand, repeatable, default ./policies.\n\
Exit codes: 0 ok; 1 errors or (with --fail-on) findings in the data; 2 usage or I/O error.",
    subcommand_negates_reqs = true
)]
pub struct Cli {
    /// Folders or model files to open (the same as --policies).
    #[arg(hide = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand takes, before or after its name.
#[derive(Debug, Args)]
pub struct Global {
    /// The policies folder, or model files (repeatable; default ./policies).
    #[arg(
        short = 'p',
        long = "policies",
        value_name = "PATH",
        global = true,
        alias = "in"
    )]
    pub policies: Vec<PathBuf>,
    /// Colours: auto honours NO_COLOR and a non-terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// A keymap file over the defaults (else $XDG_CONFIG_HOME/qualm/keymap.toml).
    #[arg(long, value_name = "FILE", global = true)]
    pub keymap: Option<PathBuf>,
}

/// `text` or `json`: for commands whose output is a report for people or
/// the same data for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate models (and their coverage of the original text); exit 1 on errors.
    Check {
        #[arg(hide = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Print the effective key bindings, or check a keymap file.
    Keys {
        /// Check this keymap file (as an override of the defaults) and exit.
        #[arg(long, value_name = "FILE")]
        check: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = keys::KeysFormat::Text)]
        format: keys::KeysFormat,
    },
    /// Add, list, change or remove review notes.
    #[command(subcommand)]
    Note(note::NoteCommand),
    /// Add, change or remove contexts and flows of a policy's model.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// The notes of the folder as a report (md or html for a client, json, csv).
    Report(report::ReportArgs),
    /// Git merge driver for *.review.yaml: `qualm merge-notes %O %A %B`.
    MergeNotes {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
        /// The file being merged (git's %P), named in messages.
        name: Option<PathBuf>,
    },
    /// Print the loaded, normalized models, or one flat table of them.
    Export(export::ExportArgs),
    /// Compare two versions clause by clause (`compare A [B]`), or a topic
    /// or vocabulary term across policies (`compare --topic T`).
    Compare {
        /// Two policy ids or model files (one: the version it supersedes).
        items: Vec<String>,
        /// An OPP-115 topic or a vocabulary term (data:, recipient:,
        /// purpose:, basis: settle an ambiguity).
        #[arg(long, value_name = "T")]
        topic: Option<String>,
        /// With --topic: only these policies, in this order (repeatable).
        #[arg(long = "policy", value_name = "ID")]
        only: Vec<String>,
        #[arg(long, value_enum, default_value_t = compare::CompareFormat::Text)]
        format: compare::CompareFormat,
    },
    /// Data categories or recipients against policies.
    Matrix {
        #[arg(hide = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = matrix::MatrixBy::Data)]
        by: matrix::MatrixBy,
        /// Only these policies, in this order (repeatable).
        #[arg(long = "policy", value_name = "ID")]
        only: Vec<String>,
        #[arg(long, value_enum, default_value_t = matrix::MatrixFormat::Text)]
        format: matrix::MatrixFormat,
    },
    /// Findings of the rules, legal checklists and a grade per policy.
    Lint(lint::LintArgs),
    /// Rewrite model files in the canonical layout (--check: only list them).
    Fmt {
        #[arg(hide = true)]
        paths: Vec<PathBuf>,
        /// Write nothing; exit 1 when a file is not in the canonical layout.
        #[arg(long)]
        check: bool,
    },
    /// Turn a saved policy (HTML, Markdown or text) into a draft model.
    Import(import::ImportArgs),
    /// Fuzzy-search policies, contexts, clauses, data and recipient labels;
    /// every hit, best first.
    Search {
        /// Words to look for; each must match (fuzzily) a word of the hit.
        query: String,
        #[arg(hide = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// At most this many hits.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Shell completions: `qualm completions bash > ~/.local/share/bash-completion/completions/qualm`.
    Completions { shell: completions::Shell },
    /// The manual page (roff): `qualm man > ~/.local/share/man/man1/qualm.1`.
    Man,
    /// JSON Schema of a file qualm reads, for editors and CI.
    Schema { what: schema::SchemaKind },
    /// How each label of the models maps to the vocabulary, and which labels
    /// map to nothing.
    Vocab {
        #[arg(hide = true)]
        paths: Vec<PathBuf>,
        /// Only the labels that map to no term.
        #[arg(long)]
        unmapped: bool,
        #[arg(long, value_enum, default_value_t = vocab::VocabFormat::Text)]
        format: vocab::VocabFormat,
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

/// Writes a command's output in one go (through the pager at a terminal,
/// when it is longer than the screen); a reader that stopped early
/// (`| head`) is no error. Every format goes through [`crate::escape`]:
/// no byte read from a file reaches a terminal as a control sequence, and
/// only qualm's own colour (see [`output::render`]) does.
pub fn emit(out: &str) -> i32 {
    write_out(&output::render(out))
}

fn write_out(out: &str) -> i32 {
    match output::write(out) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("qualm: cannot write output: {e}");
            1
        }
        _ => 0,
    }
}

/// The folders and files to load: `--policies` and any given the old way
/// (positional paths, `--in`), else `./policies`. A path that does not
/// exist is a usage error, not an empty folder.
pub fn folders(global: &Global, positional: &[PathBuf]) -> Result<Vec<PathBuf>, i32> {
    let mut paths: Vec<PathBuf> = global.policies.clone();
    paths.extend(positional.iter().cloned());
    if paths.is_empty() {
        paths.push(PathBuf::from("policies"));
    }
    for path in &paths {
        if !path.exists() {
            eprintln!(
                "qualm: no such file or folder: {} (name the policies folder with --policies PATH)",
                crate::escape::path(path)
            );
            return Err(2);
        }
    }
    Ok(paths)
}

/// The one folder a command writes into (notes): the first named.
pub fn folder(global: &Global) -> Result<PathBuf, i32> {
    folders(global, &[]).map(|mut paths| paths.swap_remove(0))
}

/// Runs the command and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let global = &cli.global;
    output::set_colour(global.color.enabled());
    let load = |positional: &[PathBuf]| folders(global, positional);
    match cli.command {
        Some(Command::Check { paths, format }) => match load(&paths) {
            Ok(paths) => check::run(&paths, format),
            Err(code) => code,
        },
        Some(Command::Export(args)) => match load(&args.paths) {
            Ok(paths) => export::run(&paths, &args),
            Err(code) => code,
        },
        Some(Command::Search {
            query,
            paths,
            format,
            limit,
        }) => match load(&paths) {
            Ok(paths) => search::run(&query, &paths, format, limit),
            Err(code) => code,
        },
        Some(Command::Keys { check, format }) => {
            keys::run(check.as_deref(), global.keymap.as_deref(), format)
        }
        Some(Command::Note(command)) => match folder(global) {
            Ok(folder) => note::run(command, &folder),
            Err(code) => code,
        },
        Some(Command::Model(command)) => match folder(global) {
            Ok(folder) => model::run(command, &folder),
            Err(code) => code,
        },
        Some(Command::Report(args)) => match load(&args.paths) {
            Ok(paths) => report::run(&paths, &args),
            Err(code) => code,
        },
        Some(Command::MergeNotes {
            base,
            ours,
            theirs,
            name,
        }) => merge_notes::run(&base, &ours, &theirs, name.as_deref()),
        Some(Command::Compare {
            items,
            topic,
            only,
            format,
        }) => match global.policies.is_empty() || load(&[]).is_ok() {
            true => compare::run(&items, topic.as_deref(), &global.policies, &only, format),
            false => 2,
        },
        Some(Command::Matrix {
            paths,
            by,
            only,
            format,
        }) => match load(&paths) {
            Ok(paths) => matrix::run(&paths, by, &only, format),
            Err(code) => code,
        },
        Some(Command::Lint(args)) => match load(&args.paths) {
            Ok(paths) => lint::run(args, &paths),
            Err(code) => code,
        },
        Some(Command::Completions { shell }) => completions::run(shell),
        Some(Command::Man) => completions::man(),
        Some(Command::Schema { what }) => schema::run(what),
        Some(Command::Vocab {
            paths,
            unmapped,
            format,
        }) => match load(&paths) {
            Ok(paths) => vocab::run(&paths, unmapped, format),
            Err(code) => code,
        },
        Some(Command::Fmt { paths, check }) => match load(&paths) {
            Ok(paths) => fmt::run(&paths, check),
            Err(code) => code,
        },
        Some(Command::Import(mut args)) => {
            // Written into the policies folder unless --out names another.
            if args.out.is_none() {
                match folder(global) {
                    Ok(folder) => args.out = Some(folder),
                    Err(code) => return code,
                }
            }
            import::run(&args)
        }
        None => open_workbench(&cli),
    }
}

/// `qualm [PATH...]`: the TUI. A bad keymap refuses to start, with its
/// positioned errors, rather than silently falling back to the defaults.
fn open_workbench(cli: &Cli) -> i32 {
    if let Some(code) = mistyped_subcommand(&cli.paths) {
        return code;
    }
    let paths = match folders(&cli.global, &cli.paths) {
        Ok(paths) => paths,
        Err(code) => return code,
    };
    let keymap = match crate::keymap::Keymap::load(cli.global.keymap.as_deref()) {
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
        return summary(&paths);
    }
    // The workbench opens at once; the folder loads behind it.
    let (corpus, loader) = crate::model::load::start(&paths);
    let theme = crate::tui::theme::Theme::new(cli.global.color.enabled());
    match crate::tui::run_loading(corpus, Some(loader), keymap, theme) {
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

/// `qualm chek`: a first word that is no path but close to a subcommand
/// gets "did you mean", the way git and cargo answer.
fn mistyped_subcommand(paths: &[PathBuf]) -> Option<i32> {
    let first = paths.first()?.to_str()?;
    if Path::new(first).exists() || first.contains(['/', '.']) {
        return None;
    }
    let command = <Cli as clap::CommandFactory>::command();
    let names: Vec<String> = command
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    let closest = names
        .iter()
        .map(|n| (edit_distance(first, n), n))
        .min()
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .map(|(_, n)| n.clone());
    let first = crate::escape::escape(first);
    match closest {
        Some(name) => eprintln!(
            "qualm: `{first}` is not a subcommand or a folder\n\n  did you mean `{name}`?\n\nSee `qualm --help`."
        ),
        None => eprintln!(
            "qualm: `{first}` is not a subcommand or a folder (subcommands: {})",
            names.join(", ")
        ),
    }
    Some(2)
}

/// Levenshtein distance, for suggestions among a dozen short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
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
