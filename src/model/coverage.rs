//! How much of a policy's original text its clauses hold. The original is
//! split into sentences after its Markdown decoration is removed; each
//! sentence longer than 30 characters must occur in the headings and clause
//! texts read in document order, with white space ignored (tables flattened
//! in the original glue cells together, so cell boundaries cannot matter).

use super::sanitize::sanitize;
use super::types::Policy;

/// Sentences at most this long (headings, list stubs) are not counted.
pub const MIN_SENTENCE_CHARS: usize = 30;

#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub sentences: usize,
    pub covered: usize,
    /// Uncovered sentences with their 1-based line in the original.
    pub missing: Vec<(usize, String)>,
}

impl Coverage {
    pub fn percent(&self) -> f64 {
        if self.sentences == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.sentences as f64
        }
    }
}

pub fn coverage(policy: &Policy, original: &str) -> Coverage {
    let mut modelled = String::new();
    for section in &policy.sections {
        modelled.push_str(&squash(&strip_markdown(&section.heading)));
        for clause in &section.clauses {
            modelled.push_str(&squash(&strip_markdown(&clause.text)));
        }
    }
    let mut result = Coverage {
        sentences: 0,
        covered: 0,
        missing: Vec::new(),
    };
    // Sentences come in document order, so each is looked for after the
    // previous one first: a long policy is then read once, not once per
    // sentence. Moved text is still found by the search of the whole.
    let mut cursor = 0;
    for (line, sentence) in sentences(original) {
        result.sentences += 1;
        let needle = squash(&sentence);
        if let Some(at) = modelled[cursor..].find(&needle) {
            cursor += at + needle.len();
            result.covered += 1;
        } else if modelled.contains(&needle) {
            result.covered += 1;
        } else {
            result.missing.push((line, sentence));
        }
    }
    result
}

/// The sentences of an original text longer than [`MIN_SENTENCE_CHARS`],
/// with their line numbers.
pub fn sentences(original: &str) -> Vec<(usize, String)> {
    let (clean, _) = sanitize(original);
    let mut out = Vec::new();
    for (i, raw) in clean.lines().enumerate() {
        let line = strip_markdown_line(raw);
        let line = line.trim();
        if line
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '|' | ':' | '-'))
        {
            continue;
        }
        for sentence in split_sentences(line) {
            if sentence.chars().count() > MIN_SENTENCE_CHARS {
                out.push((i + 1, sentence.to_string()));
            }
        }
    }
    out
}

/// Splits after `.`, `!` or `?` followed by white space.
fn split_sentences(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_end = false;
    for (i, c) in line.char_indices() {
        if prev_end && c.is_whitespace() {
            out.push(line[start..i].trim());
            start = i;
        }
        prev_end = matches!(c, '.' | '!' | '?');
    }
    out.push(line[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn strip_markdown(text: &str) -> String {
    text.lines()
        .map(strip_markdown_line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes link targets, emphasis marks, table pipes, and leading quote,
/// heading, bullet and list-number marks.
pub fn strip_markdown_line(line: &str) -> String {
    let mut text = strip_html_tags(&strip_links(&strip_escapes(line)));
    // Symmetric on both sides of the comparison, so dropping every `_`
    // (underscore emphasis) cannot make a real difference disappear.
    text.retain(|c| !matches!(c, '*' | '`' | '_'));
    let mut text = text.replace('|', " ");
    loop {
        let trimmed = text.trim_start();
        let rest = if let Some(r) = trimmed.strip_prefix('>') {
            r.strip_prefix(' ').unwrap_or(r)
        } else if trimmed.starts_with('#') {
            let r = trimmed.trim_start_matches('#');
            match r.strip_prefix(' ') {
                Some(r) => r,
                None => break,
            }
        } else if let Some(r) = ["• ", "- ", "+ "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
        {
            r
        } else if let Some(r) = strip_list_number(trimmed) {
            r
        } else {
            break;
        };
        text = rest.to_string();
    }
    text
}

/// `\-`, `\*`, `\|`: a backslash before ASCII punctuation is Markdown's
/// escape, not a character of the text.
fn strip_escapes(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains('\\') {
        return line.into();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Drops `<p>`, `</p>`, `<br/>`-style tags and unwraps `<https://...>` links.
fn strip_html_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        let Some(len) = rest[open..].find('>') else {
            break;
        };
        let inner = &rest[open + 1..open + len];
        out.push_str(&rest[..open]);
        let name = inner.trim_start_matches('/').trim_end_matches('/').trim();
        if inner.contains("://") || inner.contains('@') {
            out.push_str(inner);
        } else if !is_tag_name(name) {
            out.push_str(&rest[open..=open + len]);
        }
        rest = &rest[open + len + 1..];
    }
    out.push_str(rest);
    out
}

fn is_tag_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn strip_list_number(text: &str) -> Option<&str> {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &text[digits..];
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))?;
    rest.strip_prefix(' ')
}

/// `[text](target)` and `![alt](target)` become `text` and `alt`.
fn strip_links(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|c| open + c) else {
            break;
        };
        let Some(target_len) = balanced_paren_len(&rest[close + 1..]) else {
            break;
        };
        let before = &rest[..open];
        out.push_str(before.strip_suffix('!').unwrap_or(before));
        out.push_str(&rest[open + 1..close]);
        rest = &rest[close + 1 + target_len..];
    }
    out.push_str(rest);
    out
}

/// Length of a `( ... )` group at the start of `text`, nested parentheses allowed.
fn balanced_paren_len(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markdown_decoration() {
        assert_eq!(
            strip_markdown_line("  • read the [Privacy Statement](https://x/(y)) **now**"),
            "read the Privacy Statement now"
        );
        assert_eq!(
            strip_markdown_line("#### Websites Covered"),
            "Websites Covered"
        );
        assert_eq!(strip_markdown_line("> *Archived*"), "Archived");
        assert_eq!(strip_markdown_line("[](https://x \"t\")Text"), "Text");
        assert_eq!(strip_markdown_line("1. Right to Know"), "Right to Know");
        assert_eq!(
            strip_markdown_line(r"opt\-out \*not\* bold, a \\ b"),
            r"opt-out not bold, a \ b"
        );
        assert_eq!(
            strip_markdown_line("<p>Cell</p> see <https://a.b/c_d> a < b"),
            "Cell see https://a.b/cd a < b"
        );
    }

    #[test]
    fn splits_sentences_but_keeps_glued_cells_together() {
        let s: Vec<_> = sentences("First sentence is long enough to count. Second one is also long enough.Glued cell\nshort.")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            s,
            [
                "First sentence is long enough to count.",
                "Second one is also long enough.Glued cell"
            ]
        );
    }
}
