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
    let mut in_fence = false;
    let lines: Vec<&str> = text.lines().collect();
    let tab_row = |l: &str| l.trim_matches([' ', '\t', '\r']).contains('\t');
    // Runs of two or more tab-separated lines (blank lines between them
    // do not end a run: exports leave them between rows), each run with
    // its widest row.
    let mut run_width = vec![0usize; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if !tab_row(lines[i]) {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut last_row = i;
        while end < lines.len() && (tab_row(lines[end]) || lines[end].trim().is_empty()) {
            if tab_row(lines[end]) {
                last_row = end;
            }
            end += 1;
        }
        let end = last_row + 1;
        let rows = lines[i..end].iter().filter(|l| tab_row(l)).count();
        if rows >= 2 {
            let width = lines[i..end]
                .iter()
                .map(|l| l.trim_matches([' ', '\t', '\r']).split('\t').count())
                .max()
                .unwrap_or(0);
            run_width[i..end].fill(width);
        }
        i = end;
    }
    let mut view: Vec<Line> = Vec::with_capacity(lines.len());
    for (i, raw) in lines.iter().enumerate() {
        if run_width[i] > 0 && raw.trim().is_empty() {
            continue;
        }
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
        let kind = if line.trim().is_empty() {
            Kind::Blank
        } else if in_fence || line.starts_with("```") || line.starts_with("~~~") {
            Kind::Fenced
        } else if line.starts_with('|') {
            Kind::Table
        } else {
            Kind::Text
        };
        if unwrapped && kind == Kind::Text {
            for piece in deglue(line) {
                view.push(Line::new(bullet_to_dash(piece).into_owned(), kind));
            }
        } else {
            view.push(Line::new(bullet_to_dash(line).into_owned(), kind));
        }
    }
    if unwrapped {
        group_glued_lists(&mut view);
    }
    let mut previous: Option<&Line> = None;
    for line in &view {
        if let Some(prev) = previous {
            let apart = unwrapped
                && line.kind != Kind::Blank
                && prev.kind != Kind::Blank
                && !(line.kind == Kind::Fenced && prev.kind == Kind::Fenced)
                && !(line.kind == Kind::Table && prev.kind == Kind::Table)
                && !(line.group.is_some() && line.group == prev.group);
            if apart {
                out.push('\n');
            }
        }
        out.push_str(&line.text);
        out.push('\n');
        previous = Some(line);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Text,
    Table,
    Fenced,
}

/// A line of the parser's view; lines of one group form one paragraph.
struct Line {
    text: String,
    kind: Kind,
    group: Option<usize>,
}

impl Line {
    fn new(text: String, kind: Kind) -> Line {
        Line {
            text,
            kind,
            group: None,
        }
    }

    /// The words of a list item line without its marker.
    fn item_text(&self) -> Option<&str> {
        if self.kind != Kind::Text {
            return None;
        }
        let t = self.text.as_str();
        if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            return Some(rest.trim_start());
        }
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        if (1..=3).contains(&digits) {
            let rest = &t[digits..];
            if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
                return Some(rest.trim_start());
            }
        }
        None
    }
}

/// A list glued to the text before or after it, with no blank line, is
/// what a flattened table cell looks like: its items are one clause (the
/// cell). Runs of items starting "To ..." (purposes) are a cell of their own.
fn group_glued_lists(view: &mut [Line]) {
    let is_text = |l: &Line| l.kind == Kind::Text && l.item_text().is_none();
    let mut next_group = 0;
    let mut i = 0;
    while i < view.len() {
        if view[i].item_text().is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < view.len() && view[i].item_text().is_some() {
            i += 1;
        }
        let glued =
            (start > 0 && is_text(&view[start - 1])) || (i < view.len() && is_text(&view[i]));
        if !glued || i - start < 2 {
            continue;
        }
        let mut purpose_run = None;
        for line in &mut view[start..i] {
            let text = line.item_text().unwrap_or("").to_string();
            let purpose = text.starts_with("To ");
            if purpose_run != Some(purpose) {
                next_group += 1;
                purpose_run = Some(purpose);
            }
            line.text = escape_line_start(&text);
            line.group = Some(next_group);
        }
    }
}

/// A backslash before what would start a block at the start of a line.
fn escape_line_start(text: &str) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if text.starts_with(['#', '>', '-', '+', '*', '=', '|']) {
        format!("\\{text}")
    } else if digits > 0 && text[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &text[..digits], &text[digits..])
    } else {
        text.to_string()
    }
}

/// Cue words that begin a table cell glued to the one before it
/// ("ConsentUntil we no longer need...").
const CELL_CUES: &[&str] = &[
    "Until ",
    "Cannot ",
    "Consent",
    "Legitimate ",
    "Processing ",
    "Performance ",
];

/// Splits a line where flattening glued two cells together: a lower-case
/// word run straight into a capitalized one ("collectWhy"), a sentence end
/// with no space after it ("laws.Cannot"), or a cell cue word. Brand names
/// (HubSpot, QualiSystems) start with a capital and are left whole.
pub fn deglue(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for k in 1..chars.len().saturating_sub(1) {
        let (at, c) = chars[k];
        let prev = chars[k - 1].1;
        let next = chars[k + 1].1;
        if !(c.is_uppercase() && next.is_lowercase()) {
            continue;
        }
        let word_start = line[start..at]
            .char_indices()
            .rfind(|(_, ch)| ch.is_whitespace())
            .map_or(start, |(w, ch)| start + w + ch.len_utf8());
        let left = &line[word_start..at];
        let lower_word = left.chars().count() >= 3 && left.chars().all(|ch| ch.is_lowercase());
        let sentence_end = (prev == '?'
            || matches!(prev, '.' | '!')
                && left.chars().filter(|ch| ch.is_alphabetic()).count() >= 3)
            && !left.contains("www")
            && !left.contains('/');
        let cue = prev.is_alphabetic() && CELL_CUES.iter().any(|q| line[at..].starts_with(q));
        if lower_word || sentence_end || cue {
            pieces.push(&line[start..at]);
            start = at;
        }
    }
    pieces.push(&line[start..]);
    pieces
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
            Event::SoftBreak | Event::HardBreak => self.line_break(),
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
                    self.line_break();
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

    /// A bold first line ("**Cookies**<br>We use...") is a block of its
    /// own, a heading to the segmenter; other breaks stay in the text.
    fn line_break(&mut self) {
        let letters = self.text.chars().filter(|c| !c.is_whitespace()).count();
        if self.table.is_none()
            && self.heading.is_none()
            && letters > 0
            && self.strong_chars >= letters
            && !self.text.contains('\n')
        {
            self.flush();
        } else {
            self.push("\n");
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
            Tag::Paragraph | Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::HtmlBlock
                if self.table.is_none() =>
            {
                self.flush();
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
            TagEnd::Paragraph | TagEnd::BlockQuote(_) | TagEnd::CodeBlock | TagEnd::HtmlBlock
                if self.table.is_none() =>
            {
                self.flush();
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
        // A bullet glyph typed into the text is decoration, like a list's.
        let (text, item) = match text.strip_prefix(GLYPHS) {
            Some(rest) if rest.starts_with(char::is_whitespace) && self.item.is_none() => {
                (rest.trim_start().to_string(), Some((ListKind::Bullet, 1)))
            }
            _ => (text, self.item),
        };
        let letters = text.chars().filter(|c| !c.is_whitespace()).count();
        self.blocks.push(Block::Para {
            strong: strong_chars > 0 && strong_chars >= letters,
            item,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unglues_flattened_cells_but_not_brand_names() {
        assert_eq!(
            deglue("Data we collectWhy is it?Legal basisThird party"),
            [
                "Data we collect",
                "Why is it?",
                "Legal basis",
                "Third party"
            ]
        );
        assert_eq!(
            deglue("ConsentUntil we no longer need it, per laws.Cannot send"),
            [
                "Consent",
                "Until we no longer need it, per laws.",
                "Cannot send"
            ]
        );
        assert_eq!(
            deglue("QualiSystems uses HubSpot and PostHog."),
            ["QualiSystems uses HubSpot and PostHog."]
        );
    }

    #[test]
    fn a_list_glued_to_text_is_one_paragraph() {
        let long = "x".repeat(120);
        let md = normalize(&format!("{long}\nWhen you visit\n  • Full Name\n  • Email\n  • To reply\n  • To bill\nConsent\n"));
        let blocks: Vec<String> = {
            let mut r = Reader::default();
            for e in Parser::new_ext(&md, Options::ENABLE_TABLES) {
                r.event(e);
            }
            r.flush();
            r.blocks
                .into_iter()
                .map(|b| match b {
                    Block::Para { text, .. } => text,
                    _ => String::new(),
                })
                .collect()
        };
        assert_eq!(
            blocks[1..],
            [
                "When you visit",
                "Full Name\nEmail",
                "To reply\nTo bill",
                "Consent"
            ]
        );
    }
}
