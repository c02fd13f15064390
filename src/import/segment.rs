//! Blocks to sections and clauses, the way a careful analyst cuts a policy:
//! headings (real ones, bold-only lines, numbered or ALL CAPS lines, short
//! title lines before a paragraph, and the entries of the policy's own
//! table of contents) open sections; every paragraph, list item and table
//! cell is a clause with id `<section>.<n>`; a lead-in ending in ":" stays
//! a clause of its own.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{Block, ListKind, Table};
use crate::model::Section;

/// A table with the clause id of each of its cells.
#[derive(Debug, Clone)]
pub struct PlacedTable {
    pub section: String,
    pub header: Vec<(String, Option<String>)>,
    pub rows: Vec<Vec<(String, Option<String>)>>,
}

pub struct Segmented {
    pub sections: Vec<Section>,
    pub tables: Vec<PlacedTable>,
    /// Each table cell's clause id with its column's header, whose words
    /// name the cell's topic.
    pub column_headers: HashMap<String, String>,
}

/// Headings longer than this are sentences in bold, not headings.
const MAX_HEADING_CHARS: usize = 150;

pub fn segment(blocks: &[Block]) -> Segmented {
    let toc = toc_entries(blocks);
    let mut builder = Builder::default();
    let mut open_sentence = false;
    for (i, block) in blocks.iter().enumerate() {
        let was_open = std::mem::take(&mut open_sentence);
        match block {
            Block::Heading { text, .. } => builder.section(text),
            Block::Para { text, item, .. } => {
                let previous = i.checked_sub(1).and_then(|p| blocks.get(p));
                if let Some(heading) = as_heading(block, previous, blocks.get(i + 1), &toc)
                    .or_else(|| (i == 0).then(|| title(block)).flatten())
                {
                    builder.section(&heading);
                } else if was_open && item.is_none() {
                    // A clause does not end inside a sentence: paragraphs
                    // ending in ";" ("a;", "b; and", "c.") are one list.
                    builder.extend_last(text);
                    open_sentence = continues(text);
                } else {
                    builder.clause(text);
                    open_sentence = item.is_none() && continues(text);
                }
            }
            Block::Table(table) => builder.table(table),
        }
    }
    builder.finish()
}

#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
    ids: super::tables::Ids,
    tables: Vec<PlacedTable>,
    column_headers: HashMap<String, String>,
}

impl Builder {
    fn section(&mut self, heading: &str) {
        let heading = super::markdown::trim_lines(heading).replace('\n', " ");
        let id = self.ids.unique(&slug(&heading));
        self.sections.push(Section {
            id,
            heading,
            clauses: Vec::new(),
        });
    }

    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            let id = self.ids.unique("intro");
            self.sections.push(Section {
                id,
                heading: String::new(),
                clauses: Vec::new(),
            });
        }
        self.sections.last_mut().expect("a section")
    }

    /// Adds a clause and returns its id; text without a letter or digit
    /// (a lone glyph, a blank table cell) is no clause.
    fn clause(&mut self, text: &str) -> Option<String> {
        if !text.chars().any(char::is_alphanumeric) {
            return None;
        }
        let section = self.current();
        let id = format!("{}.{}", section.id, section.clauses.len() + 1);
        section.clauses.push(super::new_clause(id.clone(), text));
        Some(id)
    }

    fn extend_last(&mut self, text: &str) {
        let section = self.current();
        match section.clauses.last_mut() {
            Some(last) => last.text = Arc::from(format!("{}\n{text}", last.text)),
            None => {
                self.clause(text);
            }
        }
    }

    fn table(&mut self, table: &Table) {
        let header = table
            .header
            .iter()
            .map(|cell| (cell.clone(), self.clause(cell)))
            .collect();
        let rows: Vec<Vec<(String, Option<String>)>> = table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| (cell.clone(), self.clause(cell)))
                    .collect()
            })
            .collect();
        let section = self.current().id.clone();
        for row in &rows {
            for (c, (_, id)) in row.iter().enumerate() {
                if let (Some(id), Some(header)) = (id, table.header.get(c)) {
                    self.column_headers.insert(id.clone(), header.clone());
                }
            }
        }
        self.tables.push(PlacedTable {
            section,
            header,
            rows,
        });
    }

    fn finish(self) -> Segmented {
        Segmented {
            sections: self.sections,
            tables: self.tables,
            column_headers: self.column_headers,
        }
    }
}

/// The heading a paragraph stands for, if it is one.
fn as_heading(
    block: &Block,
    previous: Option<&Block>,
    next: Option<&Block>,
    toc: &HashSet<String>,
) -> Option<String> {
    let Block::Para { text, strong, item } = block else {
        return None;
    };
    if text.contains('\n') || text.chars().count() > MAX_HEADING_CHARS {
        return None;
    }
    let numbered = match item {
        Some((ListKind::Ordered, n)) => format!("{n}. {text}"),
        _ => text.clone(),
    };
    let key = toc_key(text);
    let after_toc = toc.contains(&key) && !key.is_empty();
    let heading = if after_toc {
        true
    } else if *strong {
        !ends_sentence(text) && text.chars().count() <= 100
    } else if all_caps(text) {
        true
    } else if matches!(item, Some((ListKind::Ordered, _))) {
        title_like(text) && word_count(text) >= 2
    } else if item.is_none() {
        let lower = text.to_lowercase();
        let dated = super::metadata::find_date(&lower).is_some() || lower.contains("version");
        // A title line follows a finished paragraph, not a list's label.
        let after_paragraph = match previous {
            Some(Block::Para { text, .. }) => {
                ends_sentence(text) || text.trim_end().ends_with(['?', ':'])
            }
            _ => true,
        };
        !dated
            && after_paragraph
            && title_like(text)
            && text.chars().count() <= 70
            && !ends_sentence(text)
            && !text.ends_with([':', ',', ';'])
            && next.is_some_and(|n| is_body(n, text))
    } else {
        false
    };
    heading.then_some(numbered)
}

/// Whether a paragraph stops mid-list: it ends with ";" or "; and".
fn continues(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with(';') || t.ends_with("; and") || t.ends_with("; or")
}

/// The document's first line is its title when it is short and no sentence.
fn title(block: &Block) -> Option<String> {
    let Block::Para {
        text, item: None, ..
    } = block
    else {
        return None;
    };
    (!text.contains('\n')
        && text.chars().count() <= 80
        && !ends_sentence(text)
        && !text.ends_with(':'))
    .then(|| text.clone())
}

/// Whether the block after a candidate title reads as the text under it.
fn is_body(next: &Block, title: &str) -> bool {
    match next {
        Block::Para { text, .. } => {
            text.chars().count() > title.chars().count() + 20
                && (ends_sentence(text) || text.trim_end().ends_with(':'))
        }
        Block::Table(_) => true,
        Block::Heading { .. } => false,
    }
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['.', '!', ';'])
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

fn all_caps(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 4 && letters.iter().all(|c| !c.is_lowercase()) && word_count(text) <= 20
}

/// A title: most longer words capitalized, or a question-word start
/// ("How we use your information").
fn title_like(text: &str) -> bool {
    let first = text.chars().next().unwrap_or(' ');
    if !(first.is_uppercase() || first.is_ascii_digit()) {
        return false;
    }
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    if words.len() == 1 {
        return words[0].chars().count() >= 4;
    }
    if matches!(
        words[0].to_lowercase().as_str(),
        "how" | "what" | "why" | "who" | "where" | "which" | "your" | "our"
    ) {
        return true;
    }
    let long: Vec<&&str> = words.iter().filter(|w| w.chars().count() >= 4).collect();
    let capitalized = long
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    !long.is_empty() && capitalized * 3 > long.len() * 2
}

/// The entries of a table of contents ("Contents", "Table of contents",
/// "In this policy"): the list items right after such a line, and runs of
/// in-page links an HTML page marked as such.
fn toc_entries(blocks: &[Block]) -> HashSet<String> {
    let mut entries = HashSet::new();
    let mut in_toc = false;
    for block in blocks {
        match block {
            Block::Heading { text, .. }
            | Block::Para {
                text, item: None, ..
            } => {
                let lower = text.to_lowercase();
                let lower = lower.trim().trim_end_matches(':');
                in_toc = matches!(
                    lower,
                    "contents" | "table of contents" | "in this policy" | "index" | "summary"
                );
            }
            Block::Para {
                text,
                item: Some(_),
                ..
            } if in_toc => {
                entries.insert(toc_key(text));
            }
            _ => in_toc = false,
        }
    }
    entries.remove("");
    entries
}

/// Letters and digits only, lower case, without a leading number.
fn toc_key(text: &str) -> String {
    let text = text.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

const STOP_WORDS: &[&str] = &[
    "the", "a", "an", "of", "and", "or", "to", "we", "our", "your", "you", "how", "what", "is",
    "for", "in", "on", "with", "do", "does", "about", "this", "that", "which", "who", "why",
    "where", "it", "us", "are", "may", "be", "by", "from", "its",
];

/// A short id from a heading's first meaningful words.
pub fn slug(heading: &str) -> String {
    let words: Vec<String> = heading
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .filter(|w| w.is_ascii())
        .take(2)
        .collect();
    if words.is_empty() {
        "section".into()
    } else {
        words.join("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(text: &str) -> Block {
        Block::Para {
            text: text.into(),
            strong: false,
            item: None,
        }
    }

    #[test]
    fn finds_headings_of_several_kinds() {
        let blocks = vec![
            para("Privacy Policy"),
            para("We care about privacy and this sentence says so at length."),
            para("HOW WE SHARE YOUR PERSONAL DATA"),
            para("Third parties being used:"),
            Block::Para {
                text: "Salesforce (CRM)".into(),
                strong: false,
                item: Some((ListKind::Bullet, 1)),
            },
            Block::Para {
                text: "Cookies".into(),
                strong: true,
                item: None,
            },
            para("Read more on our Cookie notice"),
            para("We use cookies and this sentence is the text of the section."),
        ];
        let s = segment(&blocks).sections;
        let headings: Vec<&str> = s.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            headings,
            [
                "Privacy Policy",
                "HOW WE SHARE YOUR PERSONAL DATA",
                "Cookies"
            ]
        );
        assert_eq!(s[1].clauses[0].text.as_ref(), "Third parties being used:");
        assert_eq!(s[1].clauses[1].id, "share-personal.2");
        assert_eq!(s[2].clauses.len(), 2);
    }
}
