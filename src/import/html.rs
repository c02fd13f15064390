//! A saved HTML page to Markdown, through html5ever (scraper's parser).
//!
//! Scripts, styles, inline SVG, forms, navigation, and page headers and
//! footers (outside the `<main>`/`<article>` holding the policy) are
//! dropped, as is anything hidden. Real pages are messy, so: layout tables
//! (nested tables, one column, `role=presentation`) are read as the blocks
//! they hold; `<br><br>` ends a paragraph; bold-only paragraphs become
//! `**bold**` lines the segmenter reads as headings; data tables become
//! pipe tables whose cells keep their items apart with `<br>`. Text is
//! escaped so that the Markdown reads back as the page's words.
//! Readability mode keeps only the page's main content element.

use ego_tree::NodeRef;
use scraper::{Html, Node};

/// Elements whose content is never policy text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "head", "title", "iframe", "object",
    "embed", "canvas", "form", "button", "select", "input", "textarea", "nav", "menu", "dialog",
    "audio", "video", "picture", "img", "map", "link", "meta",
];

/// Ids and classes of page chrome (navigation, footers, banners) outside
/// the `<main>`/`<article>` holding the policy.
const CHROME: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "main-menu",
    "site-nav",
    "topnav",
    "footer",
    "site-footer",
    "page-footer",
    "site-header",
    "masthead",
    "breadcrumb",
    "breadcrumbs",
    "sidebar",
    "skip-link",
    "cookie-banner",
    "cookie-consent",
    "cookie-notice",
];

/// Elements that start and end a block.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "blockquote",
    "dl",
    "dt",
    "dd",
    "pre",
    "address",
    "figure",
    "figcaption",
    "center",
    "fieldset",
    "details",
    "summary",
    "hgroup",
    "body",
    "html",
    "ul",
    "ol",
    "header",
    "footer",
    "tbody",
    "thead",
    "tfoot",
    "caption",
];

pub fn to_markdown(html: &str, readability: bool) -> String {
    let document = Html::parse_document(html);
    let root = document.tree.root();
    let start = if readability {
        main_content(root).unwrap_or(root)
    } else {
        root
    };
    let mut writer = Writer::default();
    writer.node(start, false);
    writer.end_block();
    writer.out.trim_end().to_string() + "\n"
}

#[derive(Default)]
struct Writer {
    out: String,
    /// The running paragraph's inline text.
    line: String,
    /// The prefix of the running block (`- `, `3. `, `# `).
    prefix: String,
    /// Open lists: ordered, next number.
    lists: Vec<(bool, u64)>,
    /// Inside a `<pre>`: white space is kept.
    pre: usize,
    /// `<br>` seen right before: a second one ends the paragraph.
    after_br: bool,
}

fn element_name<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    match node.value() {
        Node::Element(e) => Some(e.name()),
        _ => None,
    }
}

fn hidden(node: &NodeRef<Node>) -> bool {
    let Node::Element(e) = node.value() else {
        return false;
    };
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if matches!(
        e.attr("role"),
        Some("navigation" | "banner" | "contentinfo" | "search")
    ) {
        return true;
    }
    let chrome = |value: Option<&str>| {
        value
            .unwrap_or("")
            .split_whitespace()
            .any(|token| CHROME.contains(&token.to_ascii_lowercase().as_str()))
    };
    if chrome(e.attr("id")) || chrome(e.attr("class")) {
        return !inside_content(node);
    }
    let style = e
        .attr("style")
        .unwrap_or("")
        .to_lowercase()
        .replace(' ', "");
    style.contains("display:none") || style.contains("visibility:hidden")
}

/// Whether a node sits inside the element holding the policy.
fn inside_content(node: &NodeRef<Node>) -> bool {
    node.ancestors()
        .any(|a| matches!(element_name(&a), Some("main" | "article")))
}

impl Writer {
    fn node(&mut self, node: NodeRef<Node>, in_content: bool) {
        match node.value() {
            Node::Text(text) => self.text(text),
            Node::Element(e) => {
                let name = e.name();
                if DROPPED.contains(&name) || hidden(&node) {
                    return;
                }
                if matches!(name, "header" | "footer") && !in_content && !inside_content(&node) {
                    return;
                }
                let in_content = in_content || matches!(name, "main" | "article");
                self.element(node, name, in_content);
            }
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.node(child, in_content);
                }
            }
            _ => {}
        }
    }

    fn children(&mut self, node: NodeRef<Node>, in_content: bool) {
        for child in node.children() {
            self.node(child, in_content);
        }
    }

    fn element(&mut self, node: NodeRef<Node>, name: &str, in_content: bool) {
        match name {
            "br" => {
                if self.after_br {
                    self.end_block();
                } else {
                    self.line.push('\n');
                    self.after_br = true;
                }
            }
            "hr" => self.end_block(),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.end_block();
                let level = name[1..].parse::<usize>().unwrap_or(1);
                self.prefix = format!("{} ", "#".repeat(level));
                self.children(node, in_content);
                // A heading is one line.
                self.line = self.line.replace('\n', " ");
                self.end_block();
            }
            "li" => {
                self.end_block();
                let marker = match self.lists.last_mut() {
                    Some((true, n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "- ".to_string(),
                };
                self.prefix = marker;
                self.children(node, in_content);
                self.end_block();
            }
            "ul" | "ol" => {
                self.end_block();
                let start = element_attr(&node, "start")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1);
                self.lists.push((name == "ol", start));
                self.children(node, in_content);
                self.lists.pop();
                self.end_block();
            }
            "table" => {
                self.end_block();
                if is_layout_table(node) {
                    self.children(node, in_content);
                } else {
                    self.table(node);
                }
                self.end_block();
            }
            "tr" | "td" | "th" => {
                // Only reached inside a layout table: cells are blocks.
                self.end_block();
                self.children(node, in_content);
                self.end_block();
            }
            "b" | "strong" => self.emphasis(node, "**", in_content),
            "i" | "em" => self.emphasis(node, "*", in_content),
            "pre" => {
                self.end_block();
                self.pre += 1;
                self.children(node, in_content);
                self.pre -= 1;
                self.end_block();
            }
            _ if BLOCKS.contains(&name) => {
                self.end_block();
                self.children(node, in_content);
                self.end_block();
            }
            _ => self.children(node, in_content),
        }
    }

    /// `**text**` around an inline run that has words; white space stays
    /// outside the marks, where CommonMark needs it.
    fn emphasis(&mut self, node: NodeRef<Node>, mark: &str, in_content: bool) {
        let mut inner = Writer {
            pre: self.pre,
            ..Writer::default()
        };
        inner.children(node, in_content);
        if !inner.out.is_empty() {
            // Blocks inside bold: write them as they are.
            inner.end_block();
            self.end_block();
            self.out.push_str(&inner.out);
            return;
        }
        let text = inner.line;
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.contains('\n') {
            self.push_inline(&text);
            return;
        }
        let lead = &text[..text.len() - text.trim_start().len()];
        let tail = &text[text.trim_end().len()..];
        self.push_inline(lead);
        self.push_inline(&format!("{mark}{trimmed}{mark}"));
        self.push_inline(tail);
    }

    fn push_inline(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.after_br = false;
        }
        if text.starts_with(' ') && (self.line.is_empty() || self.line.ends_with([' ', '\n'])) {
            self.line.push_str(text.trim_start());
        } else {
            self.line.push_str(text);
        }
    }

    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            self.line.push_str(&escape(text));
            return;
        }
        let mut collapsed = String::with_capacity(text.len());
        let mut space = false;
        for c in text.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space {
                    collapsed.push(' ');
                }
                space = false;
                collapsed.push(c);
            }
        }
        if space {
            collapsed.push(' ');
        }
        if collapsed.trim().is_empty() {
            if !collapsed.is_empty() && !self.line.is_empty() && !self.line.ends_with([' ', '\n']) {
                self.line.push(' ');
            }
            return;
        }
        self.push_inline(&escape(&collapsed));
    }

    /// Ends the running block: its lines trimmed, a blank line after.
    fn end_block(&mut self) {
        self.after_br = false;
        let text = std::mem::take(&mut self.line);
        let prefix = std::mem::take(&mut self.prefix);
        let lines: Vec<&str> = text
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() || !lines.iter().any(|l| l.chars().any(char::is_alphanumeric)) {
            return;
        }
        self.out.push_str(&prefix);
        // A line break inside a block stays one (a hard break).
        self.out.push_str(&lines.join("<br>\n"));
        self.out.push_str("\n\n");
    }

    /// A data table as a pipe table: the first row is the header.
    fn table(&mut self, table: NodeRef<Node>) {
        let rows: Vec<Vec<String>> = rows_of(table)
            .into_iter()
            .map(|row| {
                cells_of(row)
                    .into_iter()
                    .map(|cell| {
                        let mut inner = Writer::default();
                        inner.children(cell, true);
                        inner.end_block();
                        cell_text(&inner.out)
                    })
                    .collect()
            })
            .filter(|row: &Vec<String>| row.iter().any(|c| !c.is_empty()))
            .collect();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        if rows.is_empty() || width == 0 {
            return;
        }
        for (i, row) in rows.iter().enumerate() {
            let mut line = String::from("|");
            for c in 0..width {
                line.push(' ');
                line.push_str(row.get(c).map(String::as_str).unwrap_or(""));
                line.push_str(" |");
            }
            self.out.push_str(&line);
            self.out.push('\n');
            if i == 0 {
                self.out.push('|');
                self.out.push_str(&" --- |".repeat(width));
                self.out.push('\n');
            }
        }
        self.out.push('\n');
    }
}

/// A cell's blocks on one line, items apart with `<br>`, pipes escaped.
fn cell_text(markdown: &str) -> String {
    markdown
        .split('\n')
        .map(|l| l.trim().trim_end_matches("<br>").trim())
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix("- ").unwrap_or(l))
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join("<br>")
        .replace('|', "\\|")
}

fn element_attr<'a>(node: &NodeRef<'a, Node>, attr: &str) -> Option<&'a str> {
    match node.value() {
        Node::Element(e) => e.attr(attr),
        _ => None,
    }
}

/// The `<tr>`s of a table (through thead/tbody/tfoot, not nested tables).
fn rows_of(table: NodeRef<Node>) -> Vec<NodeRef<Node>> {
    let mut rows = Vec::new();
    for child in table.children() {
        match element_name(&child) {
            Some("tr") => rows.push(child),
            Some("thead" | "tbody" | "tfoot") => {
                rows.extend(child.children().filter(|c| element_name(c) == Some("tr")))
            }
            _ => {}
        }
    }
    rows
}

fn cells_of(row: NodeRef<Node>) -> Vec<NodeRef<Node>> {
    row.children()
        .filter(|c| matches!(element_name(c), Some("td" | "th")))
        .collect()
}

/// A table used for page layout rather than data: it holds another table
/// or headings, has a single column, or says so.
fn is_layout_table(table: NodeRef<Node>) -> bool {
    if matches!(element_attr(&table, "role"), Some("presentation" | "none")) {
        return true;
    }
    let rows = rows_of(table);
    let width = rows.iter().map(|r| cells_of(*r).len()).max().unwrap_or(0);
    if width <= 1 || rows.len() <= 1 {
        return true;
    }
    table.descendants().skip(1).any(|d| {
        matches!(
            element_name(&d),
            Some("table" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
        )
    })
}

/// Readability: the `<main>`, else the only `<article>`, else the element
/// with the most paragraph text directly under it.
fn main_content(root: NodeRef<Node>) -> Option<NodeRef<Node>> {
    let elements: Vec<NodeRef<Node>> = root
        .descendants()
        .filter(|d| element_name(d).is_some())
        .collect();
    if let Some(main) = elements.iter().find(|e| element_name(e) == Some("main")) {
        return Some(*main);
    }
    let articles: Vec<_> = elements
        .iter()
        .filter(|e| element_name(e) == Some("article"))
        .collect();
    if articles.len() == 1 {
        return Some(*articles[0]);
    }
    elements
        .iter()
        .filter(|e| !matches!(element_name(e), Some("p" | "body" | "html")))
        .max_by_key(|e| {
            e.children()
                .filter(|c| matches!(element_name(c), Some("p" | "ul" | "ol" | "h2" | "h3")))
                .map(|c| {
                    c.descendants()
                        .filter_map(|d| d.value().as_text().map(|t| t.len()))
                        .sum::<usize>()
                })
                .sum::<usize>()
        })
        .copied()
}

/// Backslash-escapes what Markdown would read as markup, so the text reads
/// back as the page's words.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // A line that starts like a list item or a heading would be one.
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && out[digits..].starts_with(['.', ')']) {
        out.insert(digits, '\\');
    } else if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_chrome_and_keeps_the_words() {
        let html = r#"<html><head><title>T</title><style>p{}</style></head><body>
            <header><nav><a href="/">Home</a></nav></header>
            <script>alert(1)</script>
            <p><b>Privacy Policy</b></p>
            <div>Last updated: <i>June 2, 2024</i><br><br>We collect your *name* &amp; email.</div>
            <svg><text>icon</text></svg>
            <ul><li>First item</li><li>Second item</li></ul>
            <table><tr><th>Data</th><th>Purpose</th></tr>
              <tr><td>Name<br>Email</td><td><ul><li>To reply</li><li>To bill</li></ul></td></tr></table>
            <footer>© Footer</footer></body></html>"#;
        let md = to_markdown(html, false);
        assert!(
            !md.contains("alert")
                && !md.contains("icon")
                && !md.contains("Home")
                && !md.contains("Footer"),
            "{md}"
        );
        assert!(md.contains("**Privacy Policy**\n\n"), "{md}");
        assert!(
            md.contains("Last updated: *June 2, 2024*\n\nWe collect your \\*name\\* \\& email."),
            "{md}"
        );
        assert!(md.contains("- First item\n\n- Second item"), "{md}");
        assert!(
            md.contains(
                "| Data | Purpose |\n| --- | --- |\n| Name<br>Email | To reply<br>To bill |"
            ),
            "{md}"
        );
    }
}
