//! Measuring, wrapping and truncating text by display width, so wide
//! characters and accents never break the layout.

use std::ops::Range;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to `max` columns, ending with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Cuts `text` to `max` columns in the middle, keeping its start and its
/// end (`sources/qu…ys-2020.txt`): for paths, URLs and ids, whose end is
/// what tells two of them apart and which must not break over rows.
pub fn truncate_middle(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max < 5 {
        return truncate(text, max);
    }
    let tail_room = (max - 1) / 2;
    let head_room = max - 1 - tail_room;
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > tail_room {
            break;
        }
        tail.push(c);
        used += w;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > head_room {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out.extend(tail.into_iter().rev());
    out
}

/// Greedy word wrap to `max` columns; each `\n` starts a new line and words
/// longer than a line are broken.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    wrap_ranges(text, max)
        .into_iter()
        .map(|line| {
            let words: Vec<&str> = line.into_iter().map(|r| &text[r]).collect();
            words.join(" ")
        })
        .collect()
}

/// The same wrap as byte ranges of `text`: each line is its words, to be
/// drawn one space apart. Lets a view style parts of the text (a
/// highlighted quote) by where they are in the original.
pub fn wrap_ranges(text: &str, max: usize) -> Vec<Vec<Range<usize>>> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut offset = 0;
    for paragraph in text.split('\n') {
        let mut line: Vec<Range<usize>> = Vec::new();
        let mut used = 0;
        for (start, word) in words_with_offsets(paragraph) {
            let start = offset + start;
            let w = width(word);
            if used > 0 && used + 1 + w > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if w > max {
                let mut piece = start;
                for (i, c) in word.char_indices() {
                    let cw = c.width().unwrap_or(0);
                    if used + cw > max {
                        line.push(piece..start + i);
                        lines.push(std::mem::take(&mut line));
                        piece = start + i;
                        used = 0;
                    }
                    used += cw;
                }
                line.push(piece..start + word.len());
                continue;
            }
            if used > 0 {
                used += 1;
            }
            line.push(start..start + word.len());
            used += w;
        }
        lines.push(line);
        offset += paragraph.len() + 1;
    }
    lines
}

fn words_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |word| (word.as_ptr() as usize - text.as_ptr() as usize, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_middle_ellipsis_keeps_both_ends() {
        assert_eq!(
            truncate_middle("sources/qualer-2020.txt", 15),
            "sources…020.txt"
        );
        assert_eq!(width(&truncate_middle("sources/qualer-2020.txt", 15)), 15);
        assert_eq!(truncate_middle("short", 15), "short");
    }

    #[test]
    fn wraps_by_display_width() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("Göteborg Göteborg", 8), ["Göteborg", "Göteborg"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
    }

    #[test]
    fn wrapped_ranges_point_into_the_original() {
        let text = "ab  cd\nefghij";
        assert_eq!(
            wrap_ranges(text, 5),
            vec![vec![0..2, 4..6], vec![7..12], vec![12..13]]
        );
    }

    #[test]
    fn truncates_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
