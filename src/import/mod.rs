//! `qualm import`: a published policy (a saved HTML page, Markdown or plain
//! text) becomes a draft model. The stages, one module each: `html` turns a
//! page into Markdown (the text the clauses quote); `markdown` and `text`
//! read that into blocks; `segment` cuts blocks into sections and clauses;
//! `metadata` picks out dates, organization and jurisdictions; `topics`
//! tags clauses; `tables` turns tables into contexts and flows; `suggest`
//! drafts flows from prose. Nothing here touches the disk.

pub mod html;
pub mod markdown;
pub mod metadata;
pub mod segment;
pub mod suggest;
pub mod tables;
pub mod text;
pub mod topics;

use crate::model::coverage::{coverage, Coverage};
use crate::model::{Clause, Context, Flow, Policy, Vocabulary};

/// The largest input an import reads: a saved policy page with its markup
/// is well under a megabyte; anything this big is not one.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Bullet,
    Ordered,
}

/// A piece of the document, before sections are cut.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A real heading (`#`, `<h2>`).
    Heading {
        level: u8,
        text: String,
    },
    /// A paragraph or a list item (with its list and number); `strong` when
    /// all of it is bold.
    Para {
        text: String,
        strong: bool,
        item: Option<(ListKind, u64)>,
    },
    Table(Table),
}

/// A table's cells as text; a cell's items are on separate lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceFormat {
    Html,
    Markdown,
    Text,
}

impl SourceFormat {
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Html => "html",
            SourceFormat::Markdown => "markdown",
            SourceFormat::Text => "text",
        }
    }
}

/// What the analyst said about the policy on the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub id: Option<String>,
    pub organization: Option<String>,
    pub effective: Option<String>,
    pub supersedes: Option<String>,
    /// The input's file name without extension: the id of last resort.
    pub name_hint: String,
    /// HTML: keep only the page's main content element.
    pub readability: bool,
}

/// A draft model and the texts to write beside it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub policy: Policy,
    /// The text the clauses quote, as Markdown (`sources/<id>.txt`).
    pub source: String,
    pub format: SourceFormat,
    pub coverage: Coverage,
    /// How many flows are suggestions drafted from prose.
    pub suggested_flows: usize,
}

/// Ids of contexts holding suggested flows start with this, until flows
/// carry a `suggested` mark of their own.
pub const SUGGESTED_PREFIX: &str = "suggested-";

/// A flow with every field at its default, built through serde so that
/// fields the model types gain are filled in without this file naming them.
pub fn blank_flow() -> Flow {
    serde_yaml::from_str("{}").expect("every flow field has a default")
}

/// A clause with no topics yet, built through serde like [`blank_flow`].
pub fn new_clause(id: String, text: &str) -> Clause {
    let mut map = serde_yaml::Mapping::new();
    map.insert("id".into(), id.into());
    map.insert("text".into(), text.into());
    serde_yaml::from_value(serde_yaml::Value::Mapping(map)).expect("a clause from id and text")
}

/// Marks a flow drafted from prose `suggested: true` where the model types
/// have that field (the views show such flows apart and `qualm check`
/// counts them); with types that do not, the flow is returned as it was
/// and only its `suggested-` context says it is a draft.
pub fn mark_suggested(flow: Flow) -> Flow {
    let Ok(serde_yaml::Value::Mapping(mut map)) = serde_yaml::to_value(&flow) else {
        return flow;
    };
    map.insert("suggested".into(), true.into());
    serde_yaml::from_value(serde_yaml::Value::Mapping(map)).unwrap_or(flow)
}

/// Whether a context holds flows drafted from prose (until flows carry a
/// `suggested` mark of their own, the one place that decides).
pub fn is_suggested(context: &Context) -> bool {
    context.id.starts_with(SUGGESTED_PREFIX)
}

/// The input as text, or why it is not a policy text. `html_hint` lets a
/// page that declares a Latin-1 charset be read as one.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(format!(
            "is {:.1} MiB, more than the {} MiB an import reads",
            bytes.len() as f64 / (1024.0 * 1024.0),
            MAX_INPUT_BYTES / (1024 * 1024)
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("is empty".into());
    }
    if bytes.contains(&0) {
        return Err("is binary (it contains NUL bytes), not a saved page or text".into());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_lowercase();
            if head.contains("charset=iso-8859-1")
                || head.contains("charset=\"iso-8859-1\"")
                || head.contains("charset=windows-1252")
                || head.contains("charset=\"windows-1252\"")
                || head.contains("charset=latin1")
            {
                return Ok(latin1(bytes));
            }
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let column = at
                - bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            Err(format!(
                "is not UTF-8 text (invalid byte at line {line}, column {column}); save it as UTF-8"
            ))
        }
    }
}

/// Windows-1252 as most "ISO-8859-1" pages really are.
fn latin1(bytes: &[u8]) -> String {
    const CP1252: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => CP1252[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// The format of an input, by its name, else by its first bytes.
pub fn detect(name: &str, text: &str) -> SourceFormat {
    let lower = name.to_lowercase();
    if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".xhtml") {
        return SourceFormat::Html;
    }
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        return SourceFormat::Markdown;
    }
    let head: String = text.chars().take(2048).collect::<String>().to_lowercase();
    let head = head.trim_start();
    if head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || head.contains("<p>")
        || head.contains("<div")
    {
        return SourceFormat::Html;
    }
    if lower.ends_with(".txt") {
        return SourceFormat::Text;
    }
    if text
        .lines()
        .any(|l| l.starts_with("# ") || l.starts_with("## "))
        || text.contains("](")
    {
        SourceFormat::Markdown
    } else {
        SourceFormat::Text
    }
}

/// Builds the draft model from the input text.
pub fn import(
    input: &str,
    format: SourceFormat,
    options: &Options,
    vocabulary: &Vocabulary,
) -> Result<Imported, String> {
    let (clean, _) = crate::model::sanitize::sanitize(input);
    let (source, blocks) = match format {
        SourceFormat::Html => {
            let markdown = html::to_markdown(&clean, options.readability);
            let blocks = markdown::blocks(&markdown);
            (markdown, blocks)
        }
        SourceFormat::Markdown => (clean.clone(), markdown::blocks(input)),
        SourceFormat::Text => (clean.clone(), text::blocks(&clean)),
    };
    let segmented = segment::segment(&blocks);
    let mut sections = segmented.sections;
    let letters: usize = sections
        .iter()
        .flat_map(|s| &s.clauses)
        .map(|c| c.text.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    if letters == 0 {
        return Err("has no readable text (no paragraph with words in it)".into());
    }
    topics::assign(&mut sections, &segmented.column_headers);
    let texts = sections.iter().flat_map(|s| {
        std::iter::once(s.heading.as_str()).chain(s.clauses.iter().map(|c| &*c.text))
    });
    let meta = metadata::extract(texts);
    let title = sections
        .iter()
        .find(|s| !s.heading.is_empty())
        .map(|s| s.heading.clone())
        .unwrap_or_else(|| "Privacy Policy".into());
    let organization = options
        .organization
        .clone()
        .or(meta.organization)
        .or_else(|| organization_from_title(&title))
        .unwrap_or_else(|| "Unknown organization".into());
    let effective = options.effective.clone().or(meta.effective);
    let id = options
        .id
        .clone()
        .unwrap_or_else(|| default_id(&organization, effective.as_deref(), &options.name_hint));

    let mut used_ids = tables::Ids::default();
    let mut contexts: Vec<Context> = Vec::new();
    for table in &segmented.tables {
        contexts.extend(tables::contexts(table, &mut used_ids));
    }
    for section in &sections {
        contexts.extend(tables::flattened(section, &mut used_ids));
    }
    let suggestions = suggest::suggest(&sections, vocabulary);
    let suggested_flows = suggestions.len();
    contexts.extend(group_suggestions(suggestions, &sections, &mut used_ids));

    let policy = Policy {
        id: id.clone(),
        organization,
        title,
        effective,
        version: meta.version,
        supersedes: options.supersedes.clone(),
        source: Some(format!("sources/{id}.txt")),
        url: None,
        jurisdictions: meta.jurisdictions,
        retired_flow_ids: Vec::new(),
        sections,
        contexts,
    };
    let coverage = coverage(&policy, &source);
    Ok(Imported {
        policy,
        source,
        format,
        coverage,
        suggested_flows,
    })
}

/// One context per section for the flows drafted from its prose, named so
/// the analyst sees they are drafts.
fn group_suggestions(
    suggestions: Vec<suggest::Suggested>,
    sections: &[crate::model::Section],
    used_ids: &mut tables::Ids,
) -> Vec<Context> {
    let mut out: Vec<Context> = Vec::new();
    let mut last_section: Option<String> = None;
    for s in suggestions {
        if last_section.as_deref() != Some(s.section.as_str()) {
            let heading = sections
                .iter()
                .find(|x| x.id == s.section)
                .map(|x| x.heading.as_str())
                .filter(|h| !h.is_empty())
                .unwrap_or(&s.section);
            let id = used_ids.unique(&format!("{SUGGESTED_PREFIX}{}", s.section));
            out.push(Context {
                id,
                name: format!("Suggested from prose (drafts): {heading}"),
                evidence: vec![],
                flows: vec![],
                contexts: vec![],
            });
            last_section = Some(s.section.clone());
        }
        out.last_mut().expect("a context").flows.push(s.flow);
    }
    out
}

/// "Harbor Tutors Privacy Notice": the words before "Privacy".
fn organization_from_title(title: &str) -> Option<String> {
    let at = title.find(" Privacy")?;
    let name = title[..at]
        .trim()
        .trim_end_matches([':', '-', '–', '|', '·'])
        .trim();
    (!name.is_empty() && name.chars().count() <= 40 && name.chars().next()?.is_uppercase())
        .then(|| name.to_string())
}

/// `<organization's first word>-<year>`, else the file name, as an id.
pub fn default_id(organization: &str, effective: Option<&str>, name_hint: &str) -> String {
    let org = segment::slug(organization);
    match effective.and_then(|e| e.get(..4)) {
        Some(year) if org != "section" && !organization.starts_with("Unknown") => {
            let first = org.split('-').next().unwrap_or(&org);
            format!("{first}-{year}")
        }
        _ => {
            let hint = segment::slug(name_hint);
            if hint == "section" {
                "imported".into()
            } else {
                hint
            }
        }
    }
}

/// Whether an id can name a model file: lower-case letters, digits, `-`,
/// `_` and `.`, starting with a letter or digit.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}
