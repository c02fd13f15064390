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

/// Cuts a row that starts with an id (`collect.social-recipients The text
/// of the clause…`) to `max` columns: the id whole if it fits, else cut in
/// the middle so its end still tells it from its neighbours; what follows
/// is cut at its end.
pub fn truncate_lead(text: &str, max: usize) -> String {
    let Some((id, rest)) = text.split_once(' ') else {
        return truncate_middle(text, max);
    };
    if width(id) >= max {
        return truncate_middle(id, max);
    }
    format!("{id} {}", truncate(rest, max - width(id) - 1))
        .trim_end()
        .to_string()
}

/// The length in bytes of the prefix that all of `texts` share, when
/// there are at least two different ones (else 0), cut back to the start
/// of a word (after `-`, `.`, `_`, `/` or a space) so what is left reads.
pub fn shared_prefix<'a>(texts: impl IntoIterator<Item = &'a str>) -> usize {
    let mut texts = texts.into_iter();
    let Some(first) = texts.next() else {
        return 0;
    };
    let mut len = first.len();
    let mut differ = false;
    for text in texts {
        if text != first {
            differ = true;
        }
        len = first
            .char_indices()
            .zip(text.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    if !differ {
        return 0;
    }
    first[..len]
        .rfind(['-', '.', '_', '/', ' '])
        .map_or(0, |i| i + 1)
}

/// `text` in `max` columns when it starts with a prefix (`prefix` bytes)
/// that its neighbours share: whole if it fits, else the prefix gives way
/// to `…` and the rest is cut in its middle.
pub fn truncate_after_prefix(text: &str, prefix: usize, max: usize) -> String {
    if width(text) <= max || prefix == 0 || prefix >= text.len() {
        return truncate_middle(text, max);
    }
    format!(
        "…{}",
        truncate_middle(&text[prefix..], max.saturating_sub(1))
    )
}

/// Cuts a breadcrumb of ids (`policy › context › child`) to `max` columns
/// by dropping whole parts from the middle (`policy › … › child`), so no
/// part is cut mid-word; when the first and last alone are too long, the
/// last stays whole if it can and the first is cut in its middle (else
/// both are). Text whose parts hold spaces is no breadcrumb: it is cut at
/// its end.
pub fn truncate_path(text: &str, separator: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let parts: Vec<&str> = text.split(separator).collect();
    if parts.len() < 2 || parts.iter().any(|p| p.contains(' ')) || max < 20 {
        return truncate(text, max);
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    // Keep the first part and as many of the last ones as fit.
    for keep in (1..parts.len() - 1).rev() {
        let tail = parts[parts.len() - keep..].join(separator);
        let shown = format!("{first}{separator}…{separator}{tail}");
        if width(&shown) <= max {
            return shown;
        }
    }
    let marker = if parts.len() > 2 {
        format!("…{separator}")
    } else {
        String::new()
    };
    let budget = max - width(separator) - width(&marker);
    let first_room = if width(last) + 8 <= budget {
        budget - width(last)
    } else {
        width(first).min(budget / 2)
    };
    format!(
        "{}{separator}{marker}{}",
        truncate_middle(first, first_room),
        truncate_middle(last, budget - first_room)
    )
}

/// `text` with every word wider than `max` columns cut in its middle, so
/// a wrap never breaks a path or an id across rows (`/home/…/quali.yaml:3:1:`
/// keeps its file name and position).
pub fn shorten_long_words(text: &str, max: usize) -> String {
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    if width(word) > max {
                        truncate_middle(word, max)
                    } else {
                        word.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
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
    fn an_id_keeps_its_end_and_a_breadcrumb_drops_whole_parts() {
        // Two ids that share a prefix stay apart.
        let a = truncate_lead("collect.social-recipients-europe The text", 20);
        let b = truncate_lead("collect.social-recipients-americas The text", 20);
        assert_eq!(a, "collect.so…ts-europe");
        assert_eq!(b, "collect.so…-americas");
        assert_eq!(
            truncate_lead("collect.demo The text of it", 20),
            "collect.demo The te…"
        );
        assert_eq!(
            truncate_path("quali-2024 › website › demo-requests", " › ", 30),
            "quali-2024 › … › demo-requests"
        );
        assert_eq!(truncate_path("a › b › c", " › ", 30), "a › b › c");
        assert_eq!(
            truncate_path("qualisystems-2024 › collect.cards-data", " › ", 30),
            "qual…2024 › collect.cards-data"
        );
        assert_eq!(
            truncate_path(
                "qualisystems-2024 › collect.cards-and-payment-data",
                " › ",
                30
            ),
            "qualis…s-2024 › collect…t-data"
        );
        // Not a breadcrumb of ids.
        assert_eq!(
            truncate_path("compare topic retention · quali › notice.1", " › ", 25),
            "compare topic retention …"
        );
        assert_eq!(
            truncate_path("quali-2024 › website › demo › follow-up", " › ", 33),
            "quali-2024 › … › demo › follow-up"
        );
    }

    #[test]
    fn a_long_path_is_cut_in_its_middle_not_broken_over_rows() {
        let text = "/srv/policies/qualisystems-privacy-policy-europe-2024.yaml:12:3: error: bad";
        let lines = wrap(&shorten_long_words(text, 30), 30);
        assert_eq!(lines[0], "/srv/policies/q…024.yaml:12:3:");
        assert_eq!(lines[1], "error: bad");
    }

    #[test]
    fn a_shared_prefix_gives_way() {
        let ids = [
            "qualisystems-policy-europe-2024",
            "qualisystems-policy-americas-2024",
        ];
        let prefix = shared_prefix(ids);
        assert_eq!(&ids[0][..prefix], "qualisystems-policy-");
        assert_eq!(truncate_after_prefix(ids[0], prefix, 12), "…europe-2024");
        assert_eq!(truncate_after_prefix(ids[1], prefix, 12), "…ameri…-2024");
        assert_eq!(shared_prefix(["same", "same"]), 0);
        assert_eq!(truncate_after_prefix("short", 0, 12), "short");
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
