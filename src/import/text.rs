//! Plain text to blocks: paragraphs are separated by blank lines (or are
//! single lines, when the text is unwrapped), lines starting with a bullet
//! or a number are list items, and an ALL-CAPS line is a block of its own
//! (the segmenter decides which blocks are headings).

use super::{Block, ListKind};

pub fn blocks(text: &str) -> Vec<Block> {
    let unwrapped = super::markdown::is_unwrapped(text);
    let mut blocks = Vec::new();
    let mut current: Option<(String, Option<(ListKind, u64)>)> = None;
    let flush = |current: &mut Option<(String, Option<(ListKind, u64)>)>,
                 blocks: &mut Vec<Block>| {
        if let Some((text, item)) = current.take() {
            let text = super::markdown::trim_lines(&text);
            if !text.is_empty() {
                blocks.push(Block::Para {
                    text,
                    strong: false,
                    item,
                });
            }
        }
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut current, &mut blocks);
            continue;
        }
        let (item, rest) = list_marker(line);
        let caps = is_caps_line(line);
        if item.is_some() || caps || unwrapped || current.is_none() {
            flush(&mut current, &mut blocks);
            current = Some((rest.to_string(), item));
            if caps {
                flush(&mut current, &mut blocks);
            }
        } else if let Some((text, _)) = &mut current {
            text.push('\n');
            text.push_str(line);
        }
    }
    flush(&mut current, &mut blocks);
    blocks
}

/// A bullet (`•`, `-`, `*`) or a number (`3.`, `3)`) before the words.
fn list_marker(line: &str) -> (Option<(ListKind, u64)>, &str) {
    for glyph in ['•', '·', '◦', '▪', '-', '*', '–'] {
        if let Some(rest) = line.strip_prefix(glyph) {
            if rest.starts_with(char::is_whitespace) {
                return (Some((ListKind::Bullet, 1)), rest.trim_start());
            }
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(['.', ')']) {
            if rest.starts_with(char::is_whitespace) {
                let n = line[..digits].parse().unwrap_or(1);
                return (Some((ListKind::Ordered, n)), rest.trim_start());
            }
        }
    }
    (None, line)
}

fn is_caps_line(line: &str) -> bool {
    let letters: Vec<char> = line.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 4 && letters.iter().all(|c| c.is_uppercase()) && line.chars().count() <= 120
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_items_and_caps_lines() {
        let blocks = blocks(
            "PRIVACY POLICY\nWe collect data\nabout you.\n\n1. WHAT WE COLLECT\n- Name\n- Email\n\nMore text here.\n",
        );
        let texts: Vec<String> = blocks
            .iter()
            .map(|b| match b {
                Block::Para { text, .. } => text.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "PRIVACY POLICY",
                "We collect data\nabout you.",
                "WHAT WE COLLECT",
                "Name",
                "Email",
                "More text here."
            ]
        );
    }
}
