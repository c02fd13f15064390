//! `qualm import FILE`: a saved policy page, Markdown export or pasted text
//! becomes a draft model, `DIR/<id>.yaml`, with the text its clauses quote
//! as `DIR/sources/<id>.txt` (and an HTML original kept as
//! `DIR/sources/<id>.html`). Bad input is an error naming the file and
//! nothing is written; an existing model is never replaced without
//! `--force`. qualm never goes to the network: the analyst saves the page.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::emit;
use crate::import::{self, Imported, Options, SourceFormat};
use crate::model::sanitize::sanitize;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The saved page or text (`-`: standard input, with --from).
    pub file: PathBuf,
    /// The model id (default: organization and effective year, else the file name).
    #[arg(long)]
    pub id: Option<String>,
    /// The policies folder to write into.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The input's format (default: by file name, else by content).
    #[arg(long, value_enum)]
    pub from: Option<SourceFormat>,
    #[arg(long, value_name = "ORG")]
    pub organization: Option<String>,
    /// The effective date, YYYY-MM-DD (default: read from the text).
    #[arg(long, value_name = "DATE")]
    pub effective: Option<String>,
    /// The id of the earlier version of this policy (a model in DIR).
    #[arg(long, value_name = "ID")]
    pub supersedes: Option<String>,
    /// HTML: keep only the page's main content (`<main>`, the article, or
    /// the densest block of paragraphs).
    #[arg(long)]
    pub readability: bool,
    /// Replace an existing model of the same id.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
    pub format: ImportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    Text,
    Json,
}

impl ImportArgs {
    /// Where the model goes: `--out`, else the policies folder.
    fn out_dir(&self) -> &Path {
        self.out.as_deref().unwrap_or(Path::new("policies"))
    }
}

pub fn run(args: &ImportArgs) -> i32 {
    match import_file(args) {
        Ok(out) => emit(&out),
        Err(message) => {
            eprintln!("{}", sanitize(&message).0);
            1
        }
    }
}

fn import_file(args: &ImportArgs) -> Result<String, String> {
    let stdin = args.file.as_os_str() == "-";
    let shown = if stdin {
        "<stdin>".to_string()
    } else {
        args.file.display().to_string()
    };
    let bytes = if stdin {
        if args.from.is_none() {
            return Err(
                "qualm import: reading standard input needs --from html|markdown|text".into(),
            );
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(import::MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("<stdin>: error: cannot read: {e}"))?;
        bytes
    } else {
        read_bounded(&args.file).map_err(|e| format!("{shown}: error: {e}"))?
    };
    let text = import::decode(&bytes).map_err(|e| format!("{shown}: error: the file {e}"))?;
    let format = args.from.unwrap_or_else(|| import::detect(&shown, &text));
    if let Some(date) = &args.effective {
        if import::metadata::find_date(date).as_deref() != Some(date.as_str()) {
            return Err(format!(
                "qualm import: --effective {date}: expected a date as YYYY-MM-DD"
            ));
        }
    }
    if let Some(id) = &args.id {
        if !import::valid_id(id) {
            return Err(format!(
                "qualm import: --id {id}: use lower-case letters, digits, '-', '_' or '.'"
            ));
        }
    }
    if let Some(old) = &args.supersedes {
        if !args.out_dir().join(format!("{old}.yaml")).is_file() {
            return Err(format!(
                "qualm import: --supersedes {old}: no model {old}.yaml in {}",
                args.out_dir().display()
            ));
        }
    }
    let options = Options {
        id: args.id.clone(),
        organization: args.organization.clone(),
        effective: args.effective.clone(),
        supersedes: args.supersedes.clone(),
        name_hint: args
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        readability: args.readability,
    };
    let vocabulary = load_vocabulary(args.out_dir());
    let imported = import::import(&text, format, &options, &vocabulary)
        .map_err(|e| format!("{shown}: error: the file {e}"))?;
    let written = write(args, &imported, format == SourceFormat::Html, &text)?;
    Ok(report(&shown, &imported, &written, args.format))
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if meta.is_dir() {
        return Err("is a folder, not a saved page or text".into());
    }
    if meta.len() > import::MAX_INPUT_BYTES as u64 {
        return import::decode(&vec![b' '; import::MAX_INPUT_BYTES + 1])
            .map(|_| Vec::new())
            .map_err(|e| format!("the file {e}"));
    }
    std::fs::read(path).map_err(|e| format!("cannot read: {e}"))
}

/// The folder's vocabulary (for data terms and vendors), else the shipped one.
fn load_vocabulary(dir: &Path) -> crate::model::Vocabulary {
    std::fs::read_to_string(dir.join("vocabulary.yaml"))
        .ok()
        .and_then(|t| crate::model::Vocabulary::parse(&t).ok())
        .unwrap_or_else(crate::model::Vocabulary::builtin)
}

/// Writes the model and its texts, all or nothing.
fn write(
    args: &ImportArgs,
    imported: &Imported,
    keep_html: bool,
    html: &str,
) -> Result<Vec<PathBuf>, String> {
    let id = &imported.policy.id;
    let model = args.out_dir().join(format!("{id}.yaml"));
    let sources = args.out_dir().join("sources");
    let mut files = vec![
        (
            model.clone(),
            crate::model::write::to_yaml(&imported.policy),
        ),
        (sources.join(format!("{id}.txt")), imported.source.clone()),
    ];
    if keep_html {
        files.push((sources.join(format!("{id}.html")), html.to_string()));
    }
    if !args.force {
        if let Some((existing, _)) = files.iter().find(|(p, _)| p.exists()) {
            return Err(format!(
                "{}: error: already exists; nothing was written (--force replaces it, or choose another --id)",
                existing.display()
            ));
        }
    }
    std::fs::create_dir_all(&sources)
        .map_err(|e| format!("{}: error: cannot create: {e}", sources.display()))?;
    // Each file goes to a temporary name first, then all are renamed, so a
    // failed write leaves nothing half-done behind.
    let mut staged = Vec::new();
    for (path, text) in &files {
        let mut tmp = path.clone().into_os_string();
        tmp.push(".import-tmp");
        let tmp = PathBuf::from(tmp);
        if let Err(e) = std::fs::write(&tmp, text) {
            for t in &staged {
                let _ = std::fs::remove_file(t);
            }
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("{}: error: cannot write: {e}", path.display()));
        }
        staged.push(tmp);
    }
    for ((path, _), tmp) in files.iter().zip(&staged) {
        std::fs::rename(tmp, path)
            .map_err(|e| format!("{}: error: cannot write: {e}", path.display()))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

fn report(shown: &str, imported: &Imported, written: &[PathBuf], format: ImportFormat) -> String {
    let p = &imported.policy;
    let contexts = p.contexts_flat();
    let flows: usize = contexts.iter().map(|(_, c)| c.flows.len()).sum();
    let clauses = p.clauses().count();
    let c = &imported.coverage;
    match format {
        ImportFormat::Json => {
            let doc = json!({
                "id": p.id, "input": shown, "format": imported.format.name(),
                "organization": p.organization, "effective": p.effective, "version": p.version,
                "jurisdictions": p.jurisdictions,
                "sections": p.sections.len(), "clauses": clauses, "contexts": contexts.len(),
                "flows": flows, "suggested_flows": imported.suggested_flows,
                "coverage": {"sentences": c.sentences, "covered": c.covered, "percent": c.percent()},
                "written": written,
            });
            serde_json::to_string_pretty(&doc).expect("json") + "\n"
        }
        ImportFormat::Text => {
            let mut out = format!(
                "{}: {} sections, {} clauses, {} contexts, {} flows ({} suggested from prose); original text {:.1}% covered ({}/{} sentences)\n",
                p.id,
                p.sections.len(),
                clauses,
                contexts.len(),
                flows,
                imported.suggested_flows,
                c.percent(),
                c.covered,
                c.sentences
            );
            out.push_str(&format!(
                "  read {shown} as {}; organization: {}; effective: {}; jurisdictions: {}\n",
                imported.format.name(),
                p.organization,
                p.effective.as_deref().unwrap_or("not found"),
                if p.jurisdictions.is_empty() {
                    "none found".to_string()
                } else {
                    p.jurisdictions.join(", ")
                }
            ));
            for path in written {
                out.push_str(&format!("  wrote {}\n", path.display()));
            }
            sanitize(&out).0
        }
    }
}
