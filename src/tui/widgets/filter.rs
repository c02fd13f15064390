//! Filtering a list as you type, with the search palette's matching: each
//! query word must match a word of the row, letters in order, accents and
//! case ignored; a whole-word match scores above a prefix, above a match
//! inside a word, above scattered letters. `/` starts typing, `Enter`
//! keeps the filter, `Esc` drops it.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::search::{highlight, term_score, words};
use crate::tui::action::Action;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub query: String,
    /// Keys type into the query (else they move in the list).
    pub editing: bool,
}

/// How well `text` matches `query`; None when some query word matches no
/// word of the text.
pub fn score(text: &str, query: &str) -> Option<i64> {
    let text_words = words(text);
    let mut total = 0;
    for (_, word) in words(query) {
        total += text_words
            .iter()
            .filter_map(|(_, term)| term_score(term, &word))
            .max()?;
    }
    Some(total)
}

impl Filter {
    pub fn active(&self) -> bool {
        !self.query.trim().is_empty()
    }

    /// Whether a row with this text is shown.
    pub fn keeps(&self, text: &str) -> bool {
        !self.active() || score(text, &self.query).is_some()
    }

    /// The indices of `rows` the filter keeps, best matches first (ties in
    /// list order); all of them, in order, without a query.
    pub fn order<'a>(&self, rows: impl Iterator<Item = &'a str>) -> Vec<usize> {
        if !self.active() {
            return rows.enumerate().map(|(i, _)| i).collect();
        }
        let mut kept: Vec<(i64, usize)> = rows
            .enumerate()
            .filter_map(|(i, text)| score(text, &self.query).map(|s| (s, i)))
            .collect();
        kept.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), i));
        kept.into_iter().map(|(_, i)| i).collect()
    }

    /// An action while typing; false when it is not the filter's.
    pub fn handle(&mut self, action: Action) -> bool {
        match action {
            Action::Submit | Action::Enter => self.editing = false,
            Action::Cancel | Action::Back => {
                self.query.clear();
                self.editing = false;
            }
            Action::DeleteBack => {
                self.query.pop();
            }
            Action::ClearInput => self.query.clear(),
            _ => return false,
        }
        true
    }

    pub fn type_text(&mut self, text: &str) {
        self.query.extend(text.chars().filter(|c| !c.is_control()));
    }

    /// What the view shows of the filter: `/query` while typing or kept.
    pub fn prompt(&self) -> Option<String> {
        (self.editing || self.active()).then(|| format!("/{}", self.query))
    }

    /// `text` as spans, the matched letters in `mark`.
    pub fn spans(&self, text: &str, base: Style, mark: Style) -> Vec<Span<'static>> {
        if !self.active() {
            return vec![Span::styled(text.to_string(), base)];
        }
        let marked = highlight(text, &self.query);
        let mut spans: Vec<Span<'static>> = Vec::new();
        for (i, c) in text.chars().enumerate() {
            let style = if marked.binary_search(&i).is_ok() {
                base.patch(mark)
            } else {
                base
            };
            match spans.last_mut() {
                Some(last) if last.style == style => last.content.to_mut().push(c),
                _ => spans.push(Span::styled(c.to_string(), style)),
            }
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_match_like_search_and_best_come_first() {
        let filter = Filter {
            query: String::from("slsfrc"),
            editing: false,
        };
        let rows = [
            "recipient  Salesforce",
            "data  Email address",
            "recipient  Sales",
        ];
        assert_eq!(filter.order(rows.iter().copied()), [0]);
        let filter = Filter {
            query: String::from("sales"),
            editing: false,
        };
        assert_eq!(filter.order(rows.iter().copied()), [2, 0]);
        assert!(Filter::default().keeps("anything"));
    }
}
