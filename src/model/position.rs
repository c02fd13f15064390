//! Finds where a value sits in a YAML file, so a validation error can name
//! its line and column. serde does not keep positions, so this runs a second,
//! event-level parse, but only for files that have something to report.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Positions (1-based line, column) by path such as `sections[2].clauses[0].id`.
/// A scalar maps to its value; a mapping or sequence to its key.
#[derive(Debug, Default)]
pub struct PositionIndex {
    positions: HashMap<String, (usize, usize)>,
}

impl PositionIndex {
    pub fn build(text: &str) -> PositionIndex {
        Self::build_with(text, None)
    }

    /// Only the positions of `wanted` paths (and their ancestors, which
    /// [`PositionIndex::find`] falls back to): a file with millions of list
    /// items but a hundred findings then costs one pass and a hundred
    /// entries, not millions of path strings.
    pub fn build_for(text: &str, wanted: &[&str]) -> PositionIndex {
        let mut keep = std::collections::HashSet::new();
        for path in wanted {
            let mut path = *path;
            keep.insert(path.to_string());
            while let Some(cut) = path.rfind(['.', '[']) {
                path = &path[..cut];
                keep.insert(path.to_string());
            }
        }
        Self::build_with(text, Some(keep))
    }

    fn build_with(text: &str, keep: Option<std::collections::HashSet<String>>) -> PositionIndex {
        let mut receiver = Receiver {
            keep,
            ..Receiver::default()
        };
        // A file that does not parse has no positions; serde reports why.
        let _ = Parser::new_from_str(text).load(&mut receiver, false);
        PositionIndex {
            positions: receiver.positions,
        }
    }

    /// The path whose value (or key) sits at `at`, the most specific one
    /// when several start there: the reverse of [`PositionIndex::find`].
    pub fn path_at(&self, at: (usize, usize)) -> Option<&str> {
        self.positions
            .iter()
            .filter(|(_, &p)| p == at)
            .map(|(path, _)| path.as_str())
            .max_by_key(|path| (path.len(), *path))
    }

    /// The position of `path`, else of its nearest ancestor that has one.
    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        let mut path = path;
        loop {
            if let Some(&p) = self.positions.get(path) {
                return Some(p);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

/// How many bytes aliases may add to a file when expanded: as much again
/// as the largest file. Counted in bytes, not values: one 4 MB string
/// aliased 3,000 times is few values and 12 GB.
pub const MAX_EXPANDED_BYTES: usize = 16 * 1024 * 1024;

/// Where aliases make the document expand past [`MAX_EXPANDED_BYTES`]
/// (a "billion laughs" file, or one big string aliased many times), if
/// they do. Each node counts its scalar bytes plus one, a collection the
/// sum of its items; an alias adds what its anchor expands to. Cheap for
/// files without aliases.
pub fn alias_bomb(text: &str) -> Option<(usize, usize)> {
    if !text.contains('*') || !text.contains('&') {
        return None;
    }
    #[derive(Default)]
    struct Sizes {
        open: Vec<(usize, usize)>, // (anchor id, expanded size so far)
        anchors: HashMap<usize, usize>,
        total: usize,
        exceeded_at: Option<(usize, usize)>,
    }
    impl MarkedEventReceiver for Sizes {
        fn on_event(&mut self, event: Event, mark: Marker) {
            let size = match event {
                Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                    self.open.push((anchor, 1));
                    return;
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    let Some((anchor, size)) = self.open.pop() else {
                        return;
                    };
                    if anchor > 0 {
                        self.anchors.insert(anchor, size);
                    }
                    size
                }
                Event::Scalar(value, _, anchor, _) => {
                    let size = value.len() + 1;
                    if anchor > 0 {
                        self.anchors.insert(anchor, size);
                    }
                    size
                }
                Event::Alias(anchor) => {
                    let size = self.anchors.get(&anchor).copied().unwrap_or(1);
                    self.total = self.total.saturating_add(size);
                    if self.total > MAX_EXPANDED_BYTES && self.exceeded_at.is_none() {
                        self.exceeded_at = Some((mark.line(), mark.col() + 1));
                    }
                    size
                }
                _ => return,
            };
            if let Some((_, parent)) = self.open.last_mut() {
                *parent = parent.saturating_add(size);
            }
        }
    }
    let mut sizes = Sizes::default();
    let _ = Parser::new_from_str(text).load(&mut sizes, false);
    sizes.exceeded_at
}

enum Frame {
    Map { key: Option<(String, Marker)> },
    Seq { next: usize },
}

/// Walks the events keeping the current path in one buffer: a segment is
/// appended on the way in and cut off on the way out, so an event costs no
/// allocation unless its position is kept.
#[derive(Default)]
struct Receiver {
    stack: Vec<Frame>,
    /// The current path, and where each segment of it starts.
    path: String,
    starts: Vec<usize>,
    positions: HashMap<String, (usize, usize)>,
    /// Only these paths are kept (None: all).
    keep: Option<std::collections::HashSet<String>>,
}

impl Receiver {
    fn push_segment(&mut self, segment: Segment) {
        use std::fmt::Write as _;
        self.starts.push(self.path.len());
        match segment {
            Segment::Index(i) => {
                let _ = write!(self.path, "[{i}]");
            }
            Segment::Key(name) => {
                if !self.path.is_empty() {
                    self.path.push('.');
                }
                self.path.push_str(&name);
            }
            Segment::Root => {}
        }
    }

    fn pop_segment(&mut self) {
        if let Some(start) = self.starts.pop() {
            self.path.truncate(start);
        }
    }

    fn record(&mut self, at: (usize, usize)) {
        if self
            .keep
            .as_ref()
            .is_some_and(|keep| !keep.contains(&self.path))
        {
            return;
        }
        if !self.positions.contains_key(&self.path) {
            self.positions.insert(self.path.clone(), at);
        }
    }
}

enum Segment {
    Index(usize),
    Key(String),
    Root,
}

impl MarkedEventReceiver for Receiver {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let is_collection = matches!(event, Event::MappingStart(..) | Event::SequenceStart(..));
        match event {
            Event::Scalar(..)
            | Event::Alias(..)
            | Event::MappingStart(..)
            | Event::SequenceStart(..) => {
                let (segment, at) = match self.stack.last_mut() {
                    Some(Frame::Map { key }) => match key.take() {
                        None => {
                            if let Event::Scalar(name, ..) = event {
                                *key = Some((name, mark));
                            } else {
                                // A complex key: give it a name nobody asks for.
                                *key = Some((String::from("?"), mark));
                                self.stack.push(if is_collection {
                                    Frame::Seq { next: 0 }
                                } else {
                                    return;
                                });
                                self.push_segment(Segment::Key(String::from("?")));
                            }
                            return;
                        }
                        Some((name, key_mark)) => (
                            Segment::Key(name),
                            if is_collection { key_mark } else { mark },
                        ),
                    },
                    Some(Frame::Seq { next }) => {
                        let i = *next;
                        *next += 1;
                        (Segment::Index(i), mark)
                    }
                    None => (Segment::Root, mark),
                };
                self.push_segment(segment);
                self.record((at.line(), at.col() + 1));
                match event {
                    Event::MappingStart(..) => self.stack.push(Frame::Map { key: None }),
                    Event::SequenceStart(..) => self.stack.push(Frame::Seq { next: 0 }),
                    _ => self.pop_segment(),
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.pop_segment();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_keys() {
        let text = "policy:\n  id: a\nsections:\n  - id: s\n    clauses:\n      - id: s.1\n        evidence: [x, y]\n";
        let index = PositionIndex::build(text);
        assert_eq!(index.find("policy.id"), Some((2, 7)));
        assert_eq!(index.find("sections[0].clauses[0].id"), Some((6, 13)));
        assert_eq!(
            index.find("sections[0].clauses[0].evidence[1]"),
            Some((7, 23))
        );
        assert_eq!(index.find("sections[0].clauses"), Some((5, 5)));
        assert_eq!(
            index.find("sections[0].clauses[0].missing").map(|p| p.0),
            Some(6)
        );
        let only = PositionIndex::build_for(text, &["sections[0].clauses[0].evidence[1]"]);
        assert_eq!(
            only.find("sections[0].clauses[0].evidence[1]"),
            Some((7, 23))
        );
        assert_eq!(only.find("policy.id"), None);
        assert_eq!(only.positions.len(), 6);
        assert_eq!(
            index.path_at((7, 23)),
            Some("sections[0].clauses[0].evidence[1]")
        );
        assert_eq!(index.path_at((6, 13)), Some("sections[0].clauses[0].id"));
        assert_eq!(index.path_at((1, 1)), Some("policy"));
    }
}
