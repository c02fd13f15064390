//! Markdown (CommonMark with tables, through pulldown-cmark) to blocks.
//!
//! Saved policies are "Markdown-ish": text exports indent bullets for
//! display and use `•` glyphs, and many put one paragraph on each line with
//! no blank line between. So the parser reads a normalized view: lines are
//! dedented (indentation is never code in a policy), bullet glyphs become
//! `- `, and when the text is unwrapped (long lines, one paragraph each)
//! every line is its own block. The clause texts come from the parser's
//! text events, so link targets, emphasis marks, escapes and entities are
//! gone and the words are as published.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{Block, ListKind, Table};

/// Bullet glyphs of text exports that CommonMark does not know.
const GLYPHS: &[char] = &['•', '·', '◦', '▪', '‣', '∙', '○', '●', '■', '□', '–'];

/// `text` is the input as read: tab-separated rows are found before the
/// text is sanitized (which expands tabs).
pub fn blocks(text: &str) -> Vec<Block> {
    let (normalized, _) = crate::model::sanitize::sanitize(&normalize(text));
    let mut reader = Reader::default();
    let parser = Parser::new_ext(&normalized, Options::ENABLE_TABLES);
    for event in parser {
        reader.event(event);
    }
    reader.flush();
    reader.blocks
}

/// The view of the text the parser reads (the source itself is kept as is).
pub fn normalize(text: &str) -> String {
    let unwrapped = is_unwrapped(text);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut previous_blank = true;
    let mut previous_table = false;
    let mut in_fence = false;
    let lines: Vec<&str> = text.lines().collect();
    let tab_row = |l: &str| l.trim_matches([' ', '\t', '\r']).contains('\t');
    // Runs of two or more tab-separated lines, each with its widest row.
    let mut run_width = vec![0usize; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let mut end = i;
        while end < lines.len() && tab_row(lines[end]) {
            end += 1;
        }
        if end - i >= 2 {
            let width = lines[i..end]
                .iter()
                .map(|l| l.trim_matches([' ', '\t', '\r']).split('\t').count())
                .max()
                .unwrap_or(0);
            run_width[i..end].fill(width);
        }
        i = end.max(i + 1);
    }
    for (i, raw) in lines.iter().enumerate() {
        let converted;
        let raw = if run_width[i] > 0 && !in_fence {
            let first = i == 0 || run_width[i - 1] == 0;
            converted = tsv_to_pipes(raw, first, run_width[i]);
            converted.as_str()
        } else {
            raw
        };
        let line = raw.trim_start_matches([' ', '\t']);
        let line = line.trim_end_matches('\r');
        if line.starts_with("```") || line.starts_with("~~~") {
            in_fence = !in_fence;
        }
        let blank = line.trim().is_empty();
        let table = line.starts_with('|');
        let line = bullet_to_dash(line);
        if unwrapped && !in_fence && !blank && !previous_blank && !(table && previous_table) {
            out.push('\n');
        }
        out.push_str(&line);
        out.push('\n');
        previous_blank = blank;
        previous_table = table;
    }
    out
}

/// A tab-separated row as a pipe-table row (and the header's rule after
/// the first row).
fn tsv_to_pipes(line: &str, first: bool, width: usize) -> String {
    let mut cells: Vec<String> = line
        .trim_matches([' ', '\t', '\r'])
        .split('\t')
        .map(|c| c.trim().replace('|', "\\|"))
        .collect();
    cells.resize(width.max(cells.len()), String::new());
    let mut out = format!("| {} |", cells.join(" | "));
    if first {
        out.push_str(&format!("\n|{}", " --- |".repeat(cells.len())));
    }
    out
}

fn bullet_to_dash(line: &str) -> std::borrow::Cow<'_, str> {
    let mut chars = line.chars();
    if let (Some(c), Some(next)) = (chars.next(), chars.next()) {
        if GLYPHS.contains(&c) && next.is_whitespace() {
            return format!("- {}", line[c.len_utf8()..].trim_start()).into();
        }
    }
    line.into()
}

/// One paragraph per line: many long lines, as when text is copied out of
/// a browser. Hard-wrapped Markdown keeps its lines under ~100 columns.
pub fn is_unwrapped(text: &str) -> bool {
    let (mut long, mut counted) = (0, 0);
    for line in text.lines().map(str::trim) {
        if line.chars().count() >= 30 && !line.starts_with('|') {
            counted += 1;
            if line.chars().count() > 100 {
                long += 1;
            }
        }
    }
    counted > 0 && long * 5 >= counted
}

#[derive(Default)]
struct Reader {
    blocks: Vec<Block>,
    text: String,
    /// Characters of `text` that were inside `**`/`__`; all of them means a
    /// bold-only line (a heading in many pages).
    strong_chars: usize,
    strong_depth: usize,
    heading: Option<u8>,
    lists: Vec<(ListKind, u64)>,
    item: Option<(ListKind, u64)>,
    table: Option<Table>,
    row: Vec<String>,
    in_head: bool,
    /// Inside an image: its alt text is the words to keep.
    image_depth: usize,
}

impl Reader {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) | Event::Code(t) => self.push(&t),
            Event::SoftBreak | Event::HardBreak => self.push("\n"),
            Event::Html(html) => {
                let text = strip_tags(&html);
                if !text.trim().is_empty() {
                    self.push(text.trim_end_matches('\n'));
                    self.push("\n");
                }
            }
            Event::InlineHtml(html) => {
                let tag = html.trim().to_ascii_lowercase();
                if tag.starts_with("<br") {
                    self.push("\n");
                } else if !tag.starts_with('<') {
                    self.push(&html);
                } else if self.table.is_none() && tag.starts_with("<p") {
                    self.flush();
                }
            }
            Event::FootnoteReference(t) => self.push(&t),
            Event::TaskListMarker(_) | Event::Rule => self.flush(),
            _ => {}
        }
    }

    fn push(&mut self, text: &str) {
        if self.strong_depth > 0 {
            self.strong_chars += text.trim().chars().count();
        }
        self.text.push_str(text);
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush();
                self.heading = Some(level as u8);
            }
            Tag::Paragraph | Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::HtmlBlock => {
                if self.table.is_none() {
                    self.flush();
                }
            }
            Tag::List(start) => {
                self.flush();
                let kind = if start.is_some() {
                    ListKind::Ordered
                } else {
                    ListKind::Bullet
                };
                self.lists.push((kind, start.unwrap_or(1)));
            }
            Tag::Item => {
                self.flush();
                if let Some((kind, next)) = self.lists.last_mut() {
                    self.item = Some((*kind, *next));
                    *next += 1;
                }
            }
            Tag::Table(_) => {
                self.flush();
                self.table = Some(Table::default());
            }
            Tag::TableHead => self.in_head = true,
            Tag::TableRow => self.row.clear(),
            Tag::TableCell => self.text.clear(),
            Tag::Strong => self.strong_depth += 1,
            Tag::Image { .. } => self.image_depth += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                let text = std::mem::take(&mut self.text);
                let level = self.heading.take().unwrap_or(1);
                let text = text.trim().to_string();
                if !text.is_empty() {
                    self.blocks.push(Block::Heading { level, text });
                }
                self.strong_chars = 0;
            }
            TagEnd::Paragraph | TagEnd::BlockQuote(_) | TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                if self.table.is_none() {
                    self.flush();
                }
            }
            TagEnd::Item => {
                self.flush();
                self.item = None;
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.text);
                self.row.push(cell.trim().to_string());
                self.strong_chars = 0;
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.header = std::mem::take(&mut self.row);
                }
                self.in_head = false;
            }
            TagEnd::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(std::mem::take(&mut self.row));
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.blocks.push(Block::Table(table));
                }
            }
            TagEnd::Strong => self.strong_depth = self.strong_depth.saturating_sub(1),
            TagEnd::Image => self.image_depth = self.image_depth.saturating_sub(1),
            _ => {}
        }
    }

    /// Ends the running paragraph or list item text as a block.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.text);
        let strong_chars = std::mem::take(&mut self.strong_chars);
        let text = trim_lines(&text);
        if text.is_empty() || self.table.is_some() {
            return;
        }
        let letters = text.chars().filter(|c| !c.is_whitespace()).count();
        self.blocks.push(Block::Para {
            strong: strong_chars > 0 && strong_chars >= letters,
            item: self.item,
            text,
        });
    }
}

/// The text of raw HTML lines, their tags removed.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Trims every line and drops empty ones, so a clause never starts or ends
/// with white space.
pub fn trim_lines(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
