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
        match Self::build_in_parts(text, &keep) {
            Some(index) => index,
            None => Self::build_with(text, Some(keep)),
        }
    }

    /// [`PositionIndex::build_for`] parsing only the top-level entries the
    /// wanted paths lie in (a policy's warnings are mostly about its
    /// contexts, a third of the file), each on its own with its lines
    /// counted from where it starts. None when the file is not a plain
    /// block mapping at column 0, or a part does not parse alone (an
    /// alias of an anchor in another part): the whole file is parsed then.
    fn build_in_parts(
        text: &str,
        keep: &std::collections::HashSet<String>,
    ) -> Option<PositionIndex> {
        // The document itself starts where the first part does only by
        // chance: asked for, it takes the whole file.
        if keep.contains("") {
            return None;
        }
        let parts = top_level_parts(text)?;
        let wanted: std::collections::HashSet<&str> = keep
            .iter()
            .map(|p| &p[..p.find(['.', '[']).unwrap_or(p.len())])
            .collect();
        let mut positions = HashMap::new();
        let mut receiver = Receiver {
            keep: Some(keep.clone()),
            ..Receiver::default()
        };
        for part in parts.iter().filter(|p| wanted.contains(p.key)) {
            if let Some(found) = Self::items_of_part(text, part, keep) {
                positions.extend(found);
                continue;
            }
            positions.extend(receiver.parse(&text[part.start..part.end], part.lines_before)?);
        }
        Some(PositionIndex { positions })
    }

    /// For a part that is a block list (a policy's `contexts`, `sections`):
    /// only the wanted items parsed, each alone (as a list of one, its
    /// paths renamed from `[0]` to `key[i]`). None when the part is not a
    /// plain block list or an item does not parse alone.
    fn items_of_part(
        text: &str,
        part: &Part,
        keep: &std::collections::HashSet<String>,
    ) -> Option<HashMap<String, (usize, usize)>> {
        let items = list_items(text, part)?;
        let mut positions = HashMap::new();
        if keep.contains(part.key) {
            // A list's position is its key's: at the start of its line.
            positions.insert(part.key.to_string(), (part.lines_before + 1, 1));
        }
        // Wanted paths by item: `key[i]rest` as `[0]rest`.
        let mut by_item: HashMap<usize, std::collections::HashSet<String>> = HashMap::new();
        for path in keep {
            let Some(rest) = path
                .strip_prefix(part.key)
                .and_then(|r| r.strip_prefix('['))
            else {
                continue;
            };
            let close = rest.find(']')?;
            let index: usize = rest[..close].parse().ok()?;
            by_item
                .entry(index)
                .or_default()
                .insert(format!("[0]{}", &rest[close + 1..]));
        }
        for (index, wanted) in by_item {
            // An item past the end is not in the file: nothing to place.
            let Some(item) = items.get(index) else {
                continue;
            };
            let mut receiver = Receiver {
                keep: Some(wanted),
                ..Receiver::default()
            };
            let found = receiver.parse(&text[item.start..item.end], item.lines_before)?;
            for (path, at) in found {
                let rest = path.strip_prefix("[0]")?;
                positions.insert(format!("{}[{index}]{rest}", part.key), at);
            }
        }
        Some(positions)
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

/// One top-level entry of a file: its key, its bytes (from the start of
/// the key's line to the next key's) and how many lines come before it.
struct Part<'a> {
    key: &'a str,
    start: usize,
    end: usize,
    lines_before: usize,
}

/// A file's top-level entries, if it is a plain block mapping whose keys
/// (letters, digits, `_`) start lines at column 0, each once; every other
/// line at column 0 is a comment or a list item of the entry above. None
/// for anything else (flow style, quoted keys, documents, directives),
/// which [`PositionIndex`] then parses whole.
fn top_level_parts(text: &str) -> Option<Vec<Part<'_>>> {
    let mut parts: Vec<Part> = Vec::new();
    let (mut at, mut line) = (0, 0);
    for row in text.split_inclusive('\n') {
        let first = row.as_bytes()[0];
        let content = !row.trim().is_empty();
        match first {
            _ if !content => {}
            b' ' | b'#' => {}
            b'-' if !parts.is_empty() && !row.starts_with("---") => {}
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let key_end = row
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(row.len());
                let rest = &row[key_end..];
                let after_colon = rest.strip_prefix(':')?;
                if !(after_colon.is_empty() || after_colon.starts_with([' ', '\r', '\n'])) {
                    return None;
                }
                let key = &row[..key_end];
                if parts.iter().any(|p| p.key == key) {
                    return None;
                }
                if let Some(last) = parts.last_mut() {
                    last.end = at;
                }
                parts.push(Part {
                    key,
                    start: at,
                    end: text.len(),
                    lines_before: line,
                });
            }
            _ => return None,
        }
        at += row.len();
        line += 1;
    }
    Some(parts)
}

/// The items of a top-level entry that is a block list, each from its
/// `- ` line to the next item's; None if the entry is anything else (a
/// value on the key's line, a mapping, tabs, a line less indented).
fn list_items(text: &str, part: &Part) -> Option<Vec<Part<'static>>> {
    let body = &text[part.start..part.end];
    let mut rows = body.split_inclusive('\n');
    let key_line = rows.next()?;
    if !key_line[part.key.len() + 1..].trim().is_empty() {
        return None;
    }
    let mut at = part.start + key_line.len();
    let mut indent = None;
    let mut items: Vec<Part<'static>> = Vec::new();
    for (line, row) in (part.lines_before + 1..).zip(rows) {
        let spaces = row.len() - row.trim_start_matches(' ').len();
        let rest = &row[spaces..];
        let blank = rest.trim().is_empty() || rest.starts_with('#');
        if !blank {
            if rest.starts_with('\t') {
                return None;
            }
            let item = rest.starts_with("- ") || rest.trim_end() == "-";
            match indent {
                None if item => indent = Some(spaces),
                None => return None,
                Some(n) if spaces < n || (spaces == n && !item) => return None,
                Some(_) => {}
            }
            if item && Some(spaces) == indent {
                if let Some(last) = items.last_mut() {
                    last.end = at;
                }
                items.push(Part {
                    key: "",
                    start: at,
                    end: part.end,
                    lines_before: line,
                });
            }
        }
        at += row.len();
    }
    Some(items)
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
    /// The wanted positions in `text`, a piece of a file that parses on
    /// its own and starts after `lines_before` lines; the document (path
    /// "") is left out. None if it does not parse.
    fn parse(
        &mut self,
        text: &str,
        lines_before: usize,
    ) -> Option<HashMap<String, (usize, usize)>> {
        self.stack.clear();
        self.path.clear();
        self.starts.clear();
        Parser::new_from_str(text).load(self, false).ok()?;
        self.positions.remove("");
        Some(
            self.positions
                .drain()
                .map(|(path, (line, column))| (path, (line + lines_before, column)))
                .collect(),
        )
    }

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

    /// Parsing only the wanted top-level entries places every path where
    /// parsing the whole file does, for every path of the shipped models
    /// and of the invalid ones that parse.
    #[test]
    fn positions_from_parts_are_those_of_the_whole_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["policies", "tests/invalid_models"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "yaml") {
                    files.push(path);
                }
            }
        }
        let mut compared = 0;
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let whole = PositionIndex::build(&text);
            let mut paths: Vec<&String> = whole.positions.keys().collect();
            paths.sort();
            // Some 40 places through each file, each with its next path.
            for pair in paths.chunks((paths.len() / 40).max(2)) {
                let wanted: Vec<&str> = pair.iter().take(2).map(|p| p.as_str()).collect();
                let parts = PositionIndex::build_for(&text, &wanted);
                for path in &wanted {
                    assert_eq!(
                        parts.find(path),
                        whole.find(path),
                        "{path} in {}",
                        file.display()
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    #[test]
    fn files_that_are_not_plain_block_mappings_are_parsed_whole() {
        assert!(top_level_parts("a: 1\nb:\n- x\n").is_some());
        assert!(top_level_parts("---\na: 1\n").is_none());
        assert!(top_level_parts("\"a\": 1\n").is_none());
        assert!(top_level_parts("{a: 1}\n").is_none());
        assert!(top_level_parts("a: 1\na: 2\n").is_none());
        assert!(top_level_parts("- a\n").is_none());
        // An alias of an anchor in another entry: the part alone fails.
        let text = "a: &x 1\nb:\n  c: *x\n";
        let index = PositionIndex::build_for(text, &["b.c"]);
        assert_eq!(index.find("b.c"), Some((3, 6)));
    }

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
