//! Lays out a policy's whole text in document order for the reader, and
//! remembers where each clause starts so the reader can highlight it and
//! jump between clauses.

use crate::model::Policy;

use super::text::{wrap, wrap_ranges};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Heading,
    Text,
    Blank,
}

#[derive(Debug, Clone)]
pub struct ReaderLine {
    pub text: String,
    pub kind: LineKind,
    pub clause: Option<(usize, usize)>,
    /// For a clause's line: its words as byte ranges of the clause text,
    /// so annotated spans can be marked where they are.
    pub words: Vec<std::ops::Range<usize>>,
}

#[derive(Debug, Default)]
pub struct ReaderLayout {
    pub lines: Vec<ReaderLine>,
    /// (clause, first line, last line), in document order.
    spans: Vec<((usize, usize), usize, usize)>,
}

impl ReaderLayout {
    pub fn clause_start(&self, clause: (usize, usize)) -> Option<usize> {
        self.spans.iter().find(|s| s.0 == clause).map(|s| s.1)
    }

    pub fn clause_end(&self, clause: (usize, usize)) -> Option<usize> {
        self.spans.iter().find(|s| s.0 == clause).map(|s| s.2)
    }

    pub fn clause_order(&self) -> Vec<(usize, usize)> {
        self.spans.iter().map(|s| s.0).collect()
    }
}

pub fn layout(policy: &Policy, width: usize) -> ReaderLayout {
    let mut out = ReaderLayout::default();
    let blank = |out: &mut ReaderLayout| {
        out.lines.push(ReaderLine {
            text: String::new(),
            kind: LineKind::Blank,
            clause: None,
            words: Vec::new(),
        })
    };
    for (si, section) in policy.sections.iter().enumerate() {
        if !section.heading.is_empty() {
            for text in wrap(&section.heading, width) {
                out.lines.push(ReaderLine {
                    text,
                    kind: LineKind::Heading,
                    clause: None,
                    words: Vec::new(),
                });
            }
            blank(&mut out);
        }
        for (ci, clause) in section.clauses.iter().enumerate() {
            let start = out.lines.len();
            for words in wrap_ranges(&clause.text, width) {
                let text: Vec<&str> = words.iter().map(|w| &clause.text[w.clone()]).collect();
                out.lines.push(ReaderLine {
                    text: text.join(" "),
                    kind: LineKind::Text,
                    clause: Some((si, ci)),
                    words,
                });
            }
            out.spans.push(((si, ci), start, out.lines.len() - 1));
            blank(&mut out);
        }
    }
    out
}
