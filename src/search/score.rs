//! How text is cut into words and how a query word scores against a
//! dictionary word: skim's fuzzy score (fuzzy-matcher's `SkimMatcherV2`)
//! plus bonuses that rank a whole-word match above a prefix match above a
//! match inside a word above a scattered one. Highlighting uses the same
//! rules, so what is marked is what made the item match.

use std::sync::OnceLock;

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use unicode_normalization::UnicodeNormalization;

/// The query word is the whole dictionary word.
pub const WHOLE_WORD_BONUS: i64 = 200;
/// The dictionary word starts with the query word.
pub const PREFIX_BONUS: i64 = 100;
/// The query word appears unbroken inside the dictionary word.
pub const SUBSTRING_BONUS: i64 = 30;

fn matcher() -> &'static SkimMatcherV2 {
    static MATCHER: OnceLock<SkimMatcherV2> = OnceLock::new();
    MATCHER.get_or_init(|| SkimMatcherV2::default().ignore_case())
}

/// Folds one character for matching: lowercase, and Latin letters without
/// their accents, so "Göteborg" is found by "goteborg". Always one char for
/// one char, so positions in folded text are positions in the original.
pub fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    // Strip accents from Latin letters only; other scripts decompose into
    // parts that are not letters of their own.
    if matches!(u32::from(lower), 0xC0..=0x24F | 0x1E00..=0x1EFF) {
        if let Some(base) = lower.nfd().next().filter(char::is_ascii_alphabetic) {
            return base;
        }
    }
    lower
}

/// The words of a text, folded, each with the char index where it starts:
/// maximal runs of letters and digits.
pub fn words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, c) in text.chars().enumerate() {
        if c.is_alphanumeric() {
            if current.is_empty() {
                start = i;
            }
            current.push(fold(c));
        } else if !current.is_empty() {
            out.push((start, std::mem::take(&mut current)));
        }
    }
    if !current.is_empty() {
        out.push((start, current));
    }
    out
}

/// Calls `each` with every folded word of `text`, reusing one buffer.
pub(crate) fn for_each_word(text: &str, buffer: &mut String, mut each: impl FnMut(&str)) {
    buffer.clear();
    for c in text.chars() {
        if c.is_alphanumeric() {
            buffer.push(fold(c));
        } else if !buffer.is_empty() {
            each(buffer);
            buffer.clear();
        }
    }
    if !buffer.is_empty() {
        each(buffer);
        buffer.clear();
    }
}

/// A 64-bit set of the characters of a word: letters and digits have a bit
/// each, anything else shares the rest. A word can only match a dictionary
/// word whose bag holds all of its bits.
pub(crate) fn bag(word: &str) -> u64 {
    word.chars().fold(0u64, |bag, c| {
        let bit = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            _ => 36 + u32::from(c) % 28,
        };
        bag | (1 << bit)
    })
}

/// How well the query word `word` matches the dictionary word `term` (both
/// folded); `None` when its letters do not appear in `term` in order.
pub fn term_score(term: &str, word: &str) -> Option<i64> {
    let fuzzy = matcher().fuzzy_match(term, word)?;
    let bonus = if term == word {
        WHOLE_WORD_BONUS
    } else if term.starts_with(word) {
        PREFIX_BONUS
    } else if term.contains(word) {
        SUBSTRING_BONUS
    } else {
        0
    };
    Some(fuzzy + bonus)
}

/// The char indices of `text` to mark for `query`: for each query word, the
/// characters it matched in the best-scoring word of the text (the first
/// such word on a tie). Sorted, without duplicates.
pub fn highlight(text: &str, query: &str) -> Vec<usize> {
    let text_words = words(text);
    let mut marked = Vec::new();
    for (_, word) in words(query) {
        let best = text_words
            .iter()
            .filter_map(|(start, term)| term_score(term, &word).map(|s| (s, *start, term)))
            .fold(
                None,
                |best: Option<(i64, usize, &String)>, candidate| match best {
                    Some(b) if b.0 >= candidate.0 => Some(b),
                    _ => Some(candidate),
                },
            );
        if let Some((_, start, term)) = best {
            if let Some((_, indices)) = matcher().fuzzy_indices(term, &word) {
                marked.extend(indices.into_iter().map(|i| start + i));
            }
        }
    }
    marked.sort_unstable();
    marked.dedup();
    marked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_one_char_per_char() {
        assert_eq!(fold('Ö'), 'o');
        assert_eq!(fold('é'), 'e');
        assert_eq!(fold('ß'), 'ß');
        assert_eq!(fold('Ж'), 'ж');
        let text = "Göteborg, Ørsted and İstanbul";
        let folded: String = text.chars().map(fold).collect();
        assert_eq!(folded.chars().count(), text.chars().count());
    }

    #[test]
    fn words_carry_char_offsets() {
        assert_eq!(
            words("Ünï e-mail"),
            [(0, "uni".to_string()), (4, "e".into()), (6, "mail".into())]
        );
    }

    #[test]
    fn whole_words_beat_prefixes_beat_the_rest() {
        let whole = term_score("sale", "sale").unwrap();
        let prefix = term_score("sales", "sale").unwrap();
        let inside = term_score("wholesale", "sale").unwrap();
        let scattered = term_score("specialize", "sale");
        assert!(
            whole > prefix && prefix > inside,
            "{whole} {prefix} {inside}"
        );
        assert!(scattered.is_none_or(|s| s < inside));
    }
}
