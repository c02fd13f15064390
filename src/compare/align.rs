//! Aligns the clauses of two versions of a policy by what they say, not by
//! their ids (which nobody promises to keep across versions), and marks the
//! word-level changes inside each pair.
//!
//! 1. Each clause becomes a bag of words weighted by rarity (tf-idf over
//!    the clauses of both versions), compared by cosine similarity.
//! 2. Candidate pairs come from an inverted index over the words that are
//!    not everywhere, so two 60,000-word policies never cost n² cosines.
//! 3. Pairs are taken greedily, best first, above [`PAIR_MIN`]; a
//!    candidate in its own place (between the nearly identical, in-order
//!    pairs around it) ranks above a distant one, so an edited clause
//!    pairs in place rather than with a copy restated elsewhere.
//! 4. Then, inside sections that correspond (same section id, similar
//!    heading, or already linked by a pair), what is left pairs at the much
//!    lower [`SECTION_PAIR_MIN`]: a clause rewritten in its own place ("how
//!    to contact us") is a rewording, not a removal plus an addition.
//! 5. A pair that is not sure of itself must earn its place: below
//!    [`PAIR_MIN`] it must share real wording, lower still its neighbours
//!    or its place in a like-named section must support it, and out of
//!    document order it must be clearly alike. The levels come from the
//!    evaluation on real version pairs (`tests/compare_eval.rs`).
//! 6. Pairs out of document order (off the longest in-order run) are
//!    marked moved; a leftover clause mostly contained in a paired one is
//!    reported as split from (or merged into) it when the two parts cover
//!    most of the whole and each says something of its own.
//!
//! Word changes diff whole words and always rebuild both texts exactly;
//! a short kept word between two changes joins them (on both sides), but
//! a negation never does.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use similar::{capture_diff_slices_deadline, get_diff_ratio, Algorithm, DiffOp, DiffTag};

use crate::model::Policy;

// The thresholds below come from `tests/compare_eval.rs`, which prints, on
// real version pairs, how often a pair at each level of similarity is right:
// above 0.5 all were, 0.4-0.5 three in four, below 0.4 one in five.

/// Cosine similarity from which two clauses anywhere are a pair.
pub const PAIR_MIN: f64 = 0.45;
/// Cosine similarity from which two clauses of corresponding sections may
/// pair, if they keep their place and share real wording.
pub const SECTION_PAIR_MIN: f64 = 0.12;
/// Below this a pair needs its neighbours paired next to it.
const LOW_MIN: f64 = 0.4;
/// Below this a pair out of document order is dropped.
const MOVED_MIN: f64 = 0.5;
/// From this similarity two clauses that are each other's best and in
/// order anchor the alignment.
const ANCHOR_MIN: f64 = 0.8;
/// Added to the rank of a candidate in its own place, so an edited clause
/// pairs in place rather than with a copy of it elsewhere.
const IN_PLACE_BONUS: f64 = 0.25;
/// Share of a leftover clause's weight found in a paired clause from which
/// it counts as split from (or merged into) that clause.
const SPLIT_MIN: f64 = 0.6;
/// ... when the two parts together hold this share of the whole ...
const SPLIT_COVER: f64 = 0.7;
/// ... the leftover part holding at least this share of words the other
/// does not ...
const SPLIT_OWN: f64 = 0.4;
/// ... and having at least this many words.
const SPLIT_WORDS: usize = 6;
/// Candidates scored exactly per clause, at most.
const CANDIDATES: usize = 24;
/// A word diff inside one pair gives up (and marks the whole clause
/// replaced) after this long: the alignment must never hang.
const DIFF_TIMEOUT: Duration = Duration::from_millis(50);

/// One clause as the aligner sees it.
#[derive(Debug, Clone)]
pub struct ClauseRef {
    pub id: String,
    pub section: String,
    pub heading: String,
    pub text: Arc<str>,
}

/// The clauses of a policy in document order.
pub fn clause_refs(policy: &Policy) -> Vec<ClauseRef> {
    policy
        .clauses()
        .map(|(s, c)| ClauseRef {
            id: c.id.clone(),
            section: s.id.clone(),
            heading: s.heading.clone(),
            text: c.text.clone(),
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Same words (white space aside).
    Unchanged,
    /// Paired, with word changes.
    Reworded,
    /// Only in the right (newer) policy.
    Added,
    /// Only in the left (older) policy.
    Removed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unchanged => "unchanged",
            Status::Reworded => "reworded",
            Status::Added => "added",
            Status::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Equal,
    Delete,
    Insert,
}

/// A run of words inside a pair: kept, deleted from the left, or inserted
/// in the right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordChange {
    pub op: Op,
    pub text: String,
}

/// One row of the alignment: a pair, an added clause or a removed one.
#[derive(Debug, Clone)]
pub struct Pair {
    /// Index into the left clauses, if any.
    pub left: Option<usize>,
    pub right: Option<usize>,
    /// Cosine similarity of the two texts, 0..1 (0 when one side is missing).
    pub similarity: f64,
    pub status: Status,
    /// Paired out of document order.
    pub moved: bool,
    /// For an added clause: the left clause id it was split from.
    pub split_from: Option<String>,
    /// For a removed clause: the right clause id it was merged into.
    pub merged_into: Option<String>,
    /// Word runs, equal ones included, for paired clauses; empty otherwise.
    pub changes: Vec<WordChange>,
}

/// Two clause lists aligned, rows in reading order: the right policy's
/// order, each removed clause shown where it used to be.
#[derive(Debug, Clone)]
pub struct Alignment {
    pub left: Vec<ClauseRef>,
    pub right: Vec<ClauseRef>,
    pub pairs: Vec<Pair>,
}

impl Alignment {
    pub fn count(&self, status: Status) -> usize {
        self.pairs.iter().filter(|p| p.status == status).count()
    }

    pub fn moved(&self) -> usize {
        self.pairs.iter().filter(|p| p.moved).count()
    }

    pub fn left_id(&self, pair: &Pair) -> Option<&str> {
        pair.left.map(|i| self.left[i].id.as_str())
    }

    pub fn right_id(&self, pair: &Pair) -> Option<&str> {
        pair.right.map(|i| self.right[i].id.as_str())
    }
}

/// Aligns the clauses of two policies (left = older, right = newer).
pub fn align_policies(left: &Policy, right: &Policy) -> Alignment {
    align(clause_refs(left), clause_refs(right))
}

/// Aligns two clause lists; see the module comment for how.
pub fn align(left: Vec<ClauseRef>, right: Vec<ClauseRef>) -> Alignment {
    let space = Space::new(&left, &right);
    let mut left_match: Vec<Option<(usize, f64)>> = vec![None; left.len()];
    let mut right_match: Vec<Option<(usize, f64)>> = vec![None; right.len()];

    // Stage 1: confident pairs anywhere, a candidate in its own place
    // (between the anchors around it) before a distant one.
    let edges = space.candidate_edges();
    let anchors = Anchors::new(&edges, left.len(), right.len());
    let mut ranked: Vec<(usize, usize, f64, f64)> = edges
        .iter()
        .map(|&(i, j, s)| {
            let bonus = if anchors.in_place(i, j) {
                IN_PLACE_BONUS
            } else {
                0.0
            };
            (i, j, s + bonus, s)
        })
        .collect();
    take_greedily(&mut ranked, PAIR_MIN, &mut left_match, &mut right_match);

    // Stage 2: what is left, inside corresponding sections.
    let corresponding = corresponding_sections(&left, &right, &left_match);
    let mut by_section: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, c) in right.iter().enumerate() {
        if right_match[j].is_none() {
            by_section.entry(c.section.as_str()).or_default().push(j);
        }
    }
    let mut local = Vec::new();
    for (i, c) in left.iter().enumerate() {
        if left_match[i].is_some() {
            continue;
        }
        for section in corresponding.get(c.section.as_str()).into_iter().flatten() {
            for &j in by_section.get(section.as_str()).into_iter().flatten() {
                let s = space.cosine(i, j);
                local.push((i, j, s, s));
            }
        }
    }
    take_greedily(
        &mut local,
        SECTION_PAIR_MIN,
        &mut left_match,
        &mut right_match,
    );

    // Then every pair that is not sure of itself must earn its place.
    drop_doubtful_pairs(&left, &right, &mut left_match, &mut right_match);

    let moved = moved_pairs(&left_match);
    let mut pairs = Vec::with_capacity(left.len() + right.len());
    let pair_of = |i: usize, j: usize, similarity: f64| {
        let changes = word_changes(&left[i].text, &right[j].text);
        let unchanged = changes.iter().all(|c| c.op == Op::Equal);
        Pair {
            left: Some(i),
            right: Some(j),
            similarity: if unchanged { 1.0 } else { similarity },
            status: if unchanged {
                Status::Unchanged
            } else {
                Status::Reworded
            },
            moved: moved.contains(&i),
            split_from: None,
            merged_into: None,
            changes,
        }
    };
    // Reading order: walk the right policy; before each in-order pair, the
    // removed left clauses that came before it.
    let mut next_left = 0;
    for (j, matched) in right_match.iter().enumerate() {
        match *matched {
            Some((i, similarity)) => {
                if !moved.contains(&i) {
                    while next_left < i {
                        if left_match[next_left].is_none() {
                            pairs.push(removed(&space, next_left, &right_match, &right));
                        }
                        next_left += 1;
                    }
                    next_left = i + 1;
                }
                pairs.push(pair_of(i, j, similarity));
            }
            None => pairs.push(added(&space, j, &left_match, &left)),
        }
    }
    while next_left < left.len() {
        if left_match[next_left].is_none() {
            pairs.push(removed(&space, next_left, &right_match, &right));
        }
        next_left += 1;
    }
    Alignment { left, right, pairs }
}

fn added(space: &Space, j: usize, left_match: &[Option<(usize, f64)>], left: &[ClauseRef]) -> Pair {
    // Split: most of this clause's words are in a left clause already paired
    // with another right clause, and the two right clauses together hold
    // most of that left clause. A few words in common are no split.
    let split_from = space
        .containing_left(j)
        .filter(|&(_, share)| share >= SPLIT_MIN)
        .filter(|_| space.right_words[j] >= SPLIT_WORDS)
        .and_then(|(i, _)| Some((i, left_match[i]?.0)))
        .filter(|&(i, partner)| parts_cover(&space.left[i], &space.right[partner], &space.right[j]))
        .map(|(i, _)| left[i].id.clone());
    Pair {
        left: None,
        right: Some(j),
        similarity: 0.0,
        status: Status::Added,
        moved: false,
        split_from,
        merged_into: None,
        changes: Vec::new(),
    }
}

fn removed(
    space: &Space,
    i: usize,
    right_match: &[Option<(usize, f64)>],
    right: &[ClauseRef],
) -> Pair {
    let merged_into = space
        .containing_right(i)
        .filter(|&(_, share)| share >= SPLIT_MIN)
        .filter(|_| space.left_words[i] >= SPLIT_WORDS)
        .and_then(|(j, _)| Some((j, right_match[j]?.0)))
        .filter(|&(j, partner)| parts_cover(&space.right[j], &space.left[partner], &space.left[i]))
        .map(|(j, _)| right[j].id.clone());
    Pair {
        left: Some(i),
        right: None,
        similarity: 0.0,
        status: Status::Removed,
        moved: false,
        split_from: None,
        merged_into,
        changes: Vec::new(),
    }
}

/// Whether a clause and its leftover part together hold most of the whole,
/// the part saying mostly something the clause does not: a copy of words
/// the clause already holds is a repetition, not a split.
fn parts_cover(whole: &[(u32, f64)], clause: &Vec<(u32, f64)>, part: &Vec<(u32, f64)>) -> bool {
    let together = cover(whole, &[clause, part]);
    let own = 1.0 - cover(part, &[clause]);
    together >= SPLIT_COVER && own >= SPLIT_OWN
}

/// The share of `whole`'s squared weight whose words are in one of `parts`.
fn cover(whole: &[(u32, f64)], parts: &[&Vec<(u32, f64)>]) -> f64 {
    whole
        .iter()
        .filter(|(w, _)| {
            parts
                .iter()
                .any(|p| p.binary_search_by_key(w, |&(k, _)| k).is_ok())
        })
        .map(|(_, x)| x * x)
        .sum()
}

/// Takes edges `(left, right, rank, similarity)` best rank first while
/// both ends are free and the similarity is at least `min`. Ties break by
/// distance in position, then by position, so the result does not depend
/// on hash order.
fn take_greedily(
    edges: &mut [(usize, usize, f64, f64)],
    min: f64,
    left_match: &mut [Option<(usize, f64)>],
    right_match: &mut [Option<(usize, f64)>],
) {
    edges.sort_by(|a, b| {
        b.2.total_cmp(&a.2)
            .then(a.0.abs_diff(a.1).cmp(&b.0.abs_diff(b.1)))
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    for &(i, j, _, s) in edges.iter() {
        if s < min {
            continue;
        }
        if left_match[i].is_none() && right_match[j].is_none() {
            left_match[i] = Some((j, s));
            right_match[j] = Some((i, s));
        }
    }
}

/// The backbone of a pair of versions: clauses that are nearly the same,
/// each other's best, and in document order on both sides. A candidate
/// between the anchors around it is in its own place.
struct Anchors {
    /// (left, right), ascending on both.
    backbone: Vec<(usize, usize)>,
}

impl Anchors {
    fn new(edges: &[(usize, usize, f64)], left: usize, right: usize) -> Anchors {
        let mut best_left: Vec<Option<(usize, f64)>> = vec![None; left];
        let mut best_right: Vec<Option<(usize, f64)>> = vec![None; right];
        for &(i, j, s) in edges {
            if best_left[i].is_none_or(|(_, b)| s > b) {
                best_left[i] = Some((j, s));
            }
            if best_right[j].is_none_or(|(_, b)| s > b) {
                best_right[j] = Some((i, s));
            }
        }
        let mut mutual: Vec<Option<(usize, f64)>> = vec![None; left];
        for (i, best) in best_left.iter().enumerate() {
            if let Some((j, s)) = *best {
                if s >= ANCHOR_MIN && best_right[j].map(|(k, _)| k) == Some(i) {
                    mutual[i] = Some((j, s));
                }
            }
        }
        let off = moved_pairs(&mutual);
        let backbone = mutual
            .iter()
            .enumerate()
            .filter(|(i, _)| !off.contains(i))
            .filter_map(|(i, m)| m.map(|(j, _)| (i, j)))
            .collect();
        Anchors { backbone }
    }

    /// Whether right clause `j` lies between the partners of the anchors
    /// around left clause `i` (or is its anchor partner).
    fn in_place(&self, i: usize, j: usize) -> bool {
        let at = self.backbone.partition_point(|&(a, _)| a < i);
        if let Some(&(a, b)) = self.backbone.get(at) {
            if a == i {
                return b == j;
            }
        }
        let low = at.checked_sub(1).map(|k| self.backbone[k].1);
        let high = self.backbone.get(at).map(|&(_, b)| b);
        low.is_none_or(|l| l < j) && high.is_none_or(|h| j < h)
    }
}

/// Drops the pairs the evaluation on real version pairs found mostly
/// wrong (`tests/compare_eval.rs` prints the figures): a pair out of
/// document order below [`MOVED_MIN`]; a pair below [`PAIR_MIN`] whose
/// texts share no real wording; a pair below [`LOW_MIN`] that its place
/// does not support (see [`supported`]). Repeats while dropping a pair
/// leaves another out of order.
fn drop_doubtful_pairs(
    left: &[ClauseRef],
    right: &[ClauseRef],
    left_match: &mut [Option<(usize, f64)>],
    right_match: &mut [Option<(usize, f64)>],
) {
    let place = Place::new(left, right);
    // Support is judged once, on the pairs as taken: a doubtful neighbour
    // still says where the text was.
    let unsupported: Vec<usize> = (0..left_match.len())
        .filter(|&i| {
            let Some((j, s)) = left_match[i] else {
                return false;
            };
            (s < PAIR_MIN && !shares_wording(&left[i].text, &right[j].text))
                || (s < LOW_MIN && !place.supported(i, j, left_match))
        })
        .collect();
    for i in unsupported {
        if let Some((j, _)) = left_match[i].take() {
            right_match[j] = None;
        }
    }
    loop {
        let moved = moved_pairs(left_match);
        let doubtful: Vec<usize> = moved
            .into_iter()
            .filter(|&i| left_match[i].is_some_and(|(_, s)| s < MOVED_MIN))
            .collect();
        if doubtful.is_empty() {
            return;
        }
        for i in doubtful {
            if let Some((j, _)) = left_match[i].take() {
                right_match[j] = None;
            }
        }
    }
}

/// Where each clause stands in its section, to tell a clause rewritten in
/// its own place from a chance likeness.
struct Place<'a> {
    left: &'a [ClauseRef],
    right: &'a [ClauseRef],
    /// Index of each clause within its section.
    left_at: Vec<usize>,
    right_at: Vec<usize>,
}

impl<'a> Place<'a> {
    fn new(left: &'a [ClauseRef], right: &'a [ClauseRef]) -> Place<'a> {
        let at = |clauses: &[ClauseRef]| {
            let mut out = Vec::with_capacity(clauses.len());
            for (k, c) in clauses.iter().enumerate() {
                let same = k > 0 && clauses[k - 1].section == c.section;
                out.push(if same { out[k - 1] + 1 } else { 0 });
            }
            out
        };
        Place {
            left_at: at(left),
            right_at: at(right),
            left,
            right,
        }
    }

    /// A pair is supported by its place when the clause before or after
    /// it on the left is paired with the one before or after it on the
    /// right, or when both stand at the same index of sections with the
    /// same id or a similar heading.
    fn supported(&self, i: usize, j: usize, left_match: &[Option<(usize, f64)>]) -> bool {
        let paired = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (Some(a), Some(b)) => left_match.get(a).copied().flatten().map(|(k, _)| k) == Some(b),
            _ => false,
        };
        if paired(i.checked_sub(1), j.checked_sub(1)) || paired(Some(i + 1), Some(j + 1)) {
            return true;
        }
        let (l, r) = (&self.left[i], &self.right[j]);
        let same_section = l.section == r.section || similar_headings(&l.heading, &r.heading);
        same_section && self.left_at[i] == self.right_at[j]
    }
}

/// Headings that share two fifths of their meaningful words.
fn similar_headings(a: &str, b: &str) -> bool {
    let (a, b) = (heading_words(a), heading_words(b));
    let shared = a.intersection(&b).count();
    let union = a.union(&b).count();
    union > 0 && shared * 5 >= union * 2
}

/// Whether two texts share real wording: a common run of four words, or a
/// word-level similarity (matched words over all words) of at least 0.25.
pub fn shares_wording(a: &str, b: &str) -> bool {
    let a: Vec<String> = words(a).collect();
    let b: Vec<String> = words(b).collect();
    let runs: HashSet<&[String]> = a.windows(4).collect();
    if b.windows(4).any(|w| runs.contains(w)) {
        return true;
    }
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let deadline = Instant::now() + DIFF_TIMEOUT;
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &a, &b, Some(deadline));
    f64::from(get_diff_ratio(&ops, a.len(), b.len())) >= 0.25
}

/// For each left section id, the right section ids it corresponds to.
fn corresponding_sections(
    left: &[ClauseRef],
    right: &[ClauseRef],
    left_match: &[Option<(usize, f64)>],
) -> HashMap<String, HashSet<String>> {
    let mut map: HashMap<String, HashSet<String>> = HashMap::new();
    let mut headings: Vec<(&str, &str)> = Vec::new();
    for c in right {
        if headings.last().map(|h| h.0) != Some(c.section.as_str()) {
            headings.push((&c.section, &c.heading));
        }
    }
    let mut seen = HashSet::new();
    for c in left {
        if !seen.insert(c.section.as_str()) {
            continue;
        }
        for &(section, heading) in &headings {
            if section == c.section || similar_headings(&c.heading, heading) {
                map.entry(c.section.clone())
                    .or_default()
                    .insert(section.to_string());
            }
        }
    }
    for (i, m) in left_match.iter().enumerate() {
        if let Some((j, _)) = m {
            map.entry(left[i].section.clone())
                .or_default()
                .insert(right[*j].section.clone());
        }
    }
    map
}

/// The words of a heading that say something: no numbering, no little
/// words.
fn heading_words(heading: &str) -> HashSet<String> {
    const LITTLE: &[&str] = &[
        "a", "an", "and", "the", "of", "to", "for", "in", "on", "our", "your", "we", "you", "how",
        "what", "with", "about", "by", "is", "are", "or",
    ];
    words(heading)
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()) && !LITTLE.contains(&w.as_str()))
        .collect()
}

/// Lower-case words: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The pairs that are off the longest run of pairs in document order on
/// both sides: those are the moved ones. Returned as left indices.
fn moved_pairs(left_match: &[Option<(usize, f64)>]) -> HashSet<usize> {
    let seq: Vec<(usize, usize)> = left_match
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.map(|(j, _)| (i, j)))
        .collect();
    // Longest increasing subsequence of the right indices, O(n log n).
    let mut tails: Vec<usize> = Vec::new(); // index into seq
    let mut previous: Vec<Option<usize>> = vec![None; seq.len()];
    for (k, &(_, j)) in seq.iter().enumerate() {
        let at = tails.partition_point(|&t| seq[t].1 < j);
        previous[k] = at.checked_sub(1).map(|p| tails[p]);
        if at == tails.len() {
            tails.push(k);
        } else {
            tails[at] = k;
        }
    }
    let mut in_order = HashSet::new();
    let mut cursor = tails.last().copied();
    while let Some(k) = cursor {
        in_order.insert(seq[k].0);
        cursor = previous[k];
    }
    seq.iter()
        .map(|&(i, _)| i)
        .filter(|i| !in_order.contains(i))
        .collect()
}

/// Word-level changes between two clause texts, white space normalized,
/// as runs: a change group is one deletion then one insertion, so a
/// rewritten phrase reads as ~~old words~~ **new words**, not word by word.
///
/// The runs always rebuild both texts exactly: the equal and deleted runs
/// in turn are the old text with its white space normalized (words joined
/// by single spaces), the equal and inserted runs the new one. The diff
/// works on whole words, so every run boundary falls between two words and
/// the one space there goes to exactly one run of each side.
pub fn word_changes(old: &str, new: &str) -> Vec<WordChange> {
    let old: Vec<&str> = old.split_whitespace().collect();
    let new: Vec<&str> = new.split_whitespace().collect();
    if old == new {
        let text = old.join(" ");
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![WordChange {
                op: Op::Equal,
                text,
            }]
        };
    }
    let deadline = Instant::now() + DIFF_TIMEOUT;
    let ops = capture_diff_slices_deadline(Algorithm::Patience, &old, &new, Some(deadline));
    let segments = absorb_little_words(segments_of(&ops), &old);
    render(&segments, &old, &new)
}

/// A stretch of words: the same on both sides, or changed (either side may
/// be empty). Ranges are word indices into the old and the new text.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Same(Range<usize>),
    Changed(Range<usize>, Range<usize>),
}

/// The diff's operations as alternating same and changed stretches: a
/// deletion next to an insertion is one change. Positions come from the
/// lengths alone, counted from the start: the index an operation reports
/// for its empty side is not always where it sits.
fn segments_of(ops: &[DiffOp]) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    let (mut o, mut n) = (0, 0);
    for op in ops {
        let (tag, old, new) = op.as_tag_tuple();
        let old = o..o + old.len();
        let new = n..n + new.len();
        (o, n) = (old.end, new.end);
        if tag == DiffTag::Equal {
            segments.push(Segment::Same(old));
            continue;
        }
        match segments.last_mut() {
            Some(Segment::Changed(lo, ln)) => {
                lo.end = old.end;
                ln.end = new.end;
            }
            _ => segments.push(Segment::Changed(old, new)),
        }
    }
    segments
}

/// Words that turn a statement around. A kept one is never folded into
/// a change: "We will {+certainly+} not [-sell-]{+rent+}" must keep its
/// "not" in plain sight.
fn is_negation(word: &str) -> bool {
    const NEGATIONS: &[&str] = &[
        "no", "not", "nor", "non", "never", "none", "neither", "nothing", "nobody", "nowhere",
        "without", "cannot", "except", "unless",
    ];
    let bare: String = word
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == '’')
        .flat_map(char::to_lowercase)
        .collect();
    NEGATIONS.contains(&bare.as_str())
        || bare.ends_with("n't")
        || bare.ends_with("n’t")
        || bare.starts_with("non-")
}

/// A lone short word kept between two changes ("to", "of") reads as noise
/// inside a rewritten sentence: it joins the changes on both sides, on
/// both sides of the change, so nothing is lost. Negation words stay out.
fn absorb_little_words(segments: Vec<Segment>, old: &[&str]) -> Vec<Segment> {
    let little = |r: &Range<usize>| {
        r.len() == 1 && old[r.start].chars().count() <= 3 && !is_negation(old[r.start])
    };
    let mut merged: Vec<Segment> = Vec::with_capacity(segments.len());
    let mut iter = segments.into_iter().peekable();
    while let Some(segment) = iter.next() {
        let joins = matches!(&segment, Segment::Same(r) if little(r))
            && matches!(merged.last(), Some(Segment::Changed(..)))
            && matches!(iter.peek(), Some(Segment::Changed(..)));
        if !joins {
            merged.push(segment);
            continue;
        }
        let Some(Segment::Changed(next_o, next_n)) = iter.next() else {
            unreachable!("peeked a change")
        };
        if let Some(Segment::Changed(o, n)) = merged.last_mut() {
            // The ranges are contiguous: change, kept word, change.
            o.end = next_o.end;
            n.end = next_n.end;
        }
    }
    merged
}

/// The segments as runs. The space between two segments goes to the kept
/// text where both sides have it; a change present on one side only
/// carries its own space, so the other side does not get two.
fn render(segments: &[Segment], old: &[&str], new: &[&str]) -> Vec<WordChange> {
    let one_sided =
        |s: &Segment| matches!(s, Segment::Changed(o, n) if o.is_empty() || n.is_empty());
    let mut runs = Vec::with_capacity(segments.len() + 1);
    for (k, segment) in segments.iter().enumerate() {
        let before = k.checked_sub(1).map(|p| &segments[p]);
        let after = segments.get(k + 1);
        match segment {
            Segment::Same(r) => {
                let mut text = String::new();
                if before.is_some_and(|b| !one_sided(b)) {
                    text.push(' ');
                }
                text.push_str(&old[r.clone()].join(" "));
                let space_after = match after {
                    Some(a) if !one_sided(a) => true,
                    // A one-sided change after this: the space is shared
                    // unless the change ends the text.
                    Some(_) => segments.get(k + 2).is_some(),
                    None => false,
                };
                if space_after {
                    text.push(' ');
                }
                runs.push(WordChange {
                    op: Op::Equal,
                    text,
                });
            }
            Segment::Changed(o, n) => {
                let is_one_sided = one_sided(segment);
                for (op, words) in [(Op::Delete, &old[o.clone()]), (Op::Insert, &new[n.clone()])] {
                    if words.is_empty() {
                        continue;
                    }
                    let mut text = String::new();
                    if is_one_sided && after.is_none() && before.is_some() {
                        text.push(' ');
                    }
                    text.push_str(&words.join(" "));
                    if is_one_sided && after.is_some() {
                        text.push(' ');
                    }
                    runs.push(WordChange { op, text });
                }
            }
        }
    }
    runs
}

/// The clauses of both sides as weighted word vectors.
struct Space {
    /// Sorted (word id, weight) per clause, unit length.
    left: Vec<Vec<(u32, f64)>>,
    right: Vec<Vec<(u32, f64)>>,
    /// Word id -> right clauses holding it.
    postings: Vec<Vec<u32>>,
    /// Word id -> left clauses holding it (for merges).
    left_postings: Vec<Vec<u32>>,
    /// Words per clause, counted with repeats.
    left_words: Vec<usize>,
    right_words: Vec<usize>,
}

impl Space {
    fn new(left: &[ClauseRef], right: &[ClauseRef]) -> Space {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut bag = |text: &str| -> Vec<(u32, u32)> {
            let mut counts: HashMap<u32, u32> = HashMap::new();
            for w in words(text) {
                let next = ids.len() as u32;
                let id = *ids.entry(w).or_insert(next);
                *counts.entry(id).or_default() += 1;
            }
            let mut v: Vec<(u32, u32)> = counts.into_iter().collect();
            v.sort_unstable();
            v
        };
        let left_bags: Vec<_> = left.iter().map(|c| bag(&c.text)).collect();
        let right_bags: Vec<_> = right.iter().map(|c| bag(&c.text)).collect();
        let vocabulary = ids.len();
        let mut df = vec![0u32; vocabulary];
        for b in left_bags.iter().chain(&right_bags) {
            for &(w, _) in b {
                df[w as usize] += 1;
            }
        }
        let documents = (left.len() + right.len()).max(1) as f64;
        let weigh = |b: &Vec<(u32, u32)>| -> Vec<(u32, f64)> {
            let mut v: Vec<(u32, f64)> = b
                .iter()
                .map(|&(w, n)| {
                    let idf = (1.0 + documents / f64::from(df[w as usize])).ln();
                    (w, (1.0 + f64::from(n).ln()) * idf)
                })
                .collect();
            let norm = v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, x)| *x /= norm);
            }
            v
        };
        let left: Vec<_> = left_bags.iter().map(weigh).collect();
        let right: Vec<_> = right_bags.iter().map(weigh).collect();
        let mut postings = vec![Vec::new(); vocabulary];
        for (j, v) in right.iter().enumerate() {
            for &(w, _) in v {
                postings[w as usize].push(j as u32);
            }
        }
        let mut left_postings = vec![Vec::new(); vocabulary];
        for (i, v) in left.iter().enumerate() {
            for &(w, _) in v {
                left_postings[w as usize].push(i as u32);
            }
        }
        let count = |b: &Vec<(u32, u32)>| b.iter().map(|&(_, n)| n as usize).sum();
        Space {
            left_words: left_bags.iter().map(count).collect(),
            right_words: right_bags.iter().map(count).collect(),
            left,
            right,
            postings,
            left_postings,
        }
    }

    fn cosine(&self, i: usize, j: usize) -> f64 {
        dot(&self.left[i], &self.right[j]).min(1.0)
    }

    /// For every left clause, its most promising right clauses scored
    /// exactly. Words held by very many clauses (the, we, information) do
    /// not nominate candidates: they cost n² and tell little.
    fn candidate_edges(&self) -> Vec<(usize, usize, f64)> {
        let common = (self.right.len() / 10).max(64);
        let mut edges = Vec::new();
        // Scores in a dense row, reset through the list of touched clauses:
        // a hash map here was most of the alignment's time.
        let mut score = vec![0.0f64; self.right.len()];
        let mut touched: Vec<u32> = Vec::new();
        let add = |list: &[u32], w: u32, x: f64, score: &mut [f64], touched: &mut Vec<u32>| {
            for &j in list {
                let cell = &mut score[j as usize];
                if *cell == 0.0 {
                    touched.push(j);
                }
                *cell += x * weight_of(&self.right[j as usize], w);
            }
        };
        for (i, v) in self.left.iter().enumerate() {
            let mut nominated = false;
            for &(w, x) in v {
                let list = &self.postings[w as usize];
                if list.len() > common {
                    continue;
                }
                nominated |= !list.is_empty();
                add(list, w, x, &mut score, &mut touched);
            }
            if !nominated {
                // Only common words: let its rarest words nominate.
                let mut rare: Vec<&(u32, f64)> = v.iter().collect();
                rare.sort_by_key(|(w, _)| self.postings[*w as usize].len());
                for &&(w, x) in rare.iter().take(3) {
                    add(&self.postings[w as usize], w, x, &mut score, &mut touched);
                }
            }
            let mut best: Vec<(u32, f64)> = touched
                .drain(..)
                .map(|j| (j, std::mem::take(&mut score[j as usize])))
                .collect();
            let keep = CANDIDATES.min(best.len());
            if keep > 0 && keep < best.len() {
                best.select_nth_unstable_by(keep - 1, |a, b| {
                    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
                });
            }
            best.truncate(keep);
            for &(j, _) in &best {
                let j = j as usize;
                edges.push((i, j, self.cosine(i, j)));
            }
        }
        edges
    }

    /// The left clause holding the largest share of right clause `j`'s
    /// weight, with that share.
    fn containing_left(&self, j: usize) -> Option<(usize, f64)> {
        contained_in(&self.right[j], &self.left_postings)
    }

    fn containing_right(&self, i: usize) -> Option<(usize, f64)> {
        contained_in(&self.left[i], &self.postings)
    }
}

/// The similarity the aligner pairs by (tf-idf cosine over the clauses of
/// both sides), for measuring it: the evaluation prints how often pairs
/// at each level of it are right.
pub struct Similarity(Space);

impl Similarity {
    pub fn new(left: &[ClauseRef], right: &[ClauseRef]) -> Similarity {
        Similarity(Space::new(left, right))
    }

    pub fn cosine(&self, left: usize, right: usize) -> f64 {
        self.0.cosine(left, right)
    }
}

/// Which clause of the other side (by its `postings`) holds the largest share of `v`'s squared weight.
fn contained_in(v: &[(u32, f64)], postings: &[Vec<u32>]) -> Option<(usize, f64)> {
    let mut share: HashMap<u32, f64> = HashMap::new();
    for &(w, x) in v {
        let list = &postings[w as usize];
        if list.len() > 256 {
            continue;
        }
        for &k in list {
            *share.entry(k).or_default() += x * x;
        }
    }
    share
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(k, s)| (k as usize, s))
}

fn weight_of(v: &[(u32, f64)], w: u32) -> f64 {
    v.binary_search_by_key(&w, |&(k, _)| k)
        .map(|at| v[at].1)
        .unwrap_or(0.0)
}

fn dot(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_changes_group_a_rewritten_phrase() {
        let runs = word_changes(
            "we keep your data for two years",
            "we keep your data for ten days",
        );
        assert_eq!(
            runs,
            vec![
                WordChange {
                    op: Op::Equal,
                    text: "we keep your data for ".into()
                },
                WordChange {
                    op: Op::Delete,
                    text: "two years".into()
                },
                WordChange {
                    op: Op::Insert,
                    text: "ten days".into()
                },
            ]
        );
    }

    fn run(op: Op, text: &str) -> WordChange {
        WordChange {
            op,
            text: text.into(),
        }
    }

    #[test]
    fn a_kept_not_stays_in_plain_sight_and_both_texts_rebuild() {
        let runs = word_changes(
            "We will not sell your data.",
            "We will certainly not rent your data.",
        );
        assert_eq!(
            runs,
            vec![
                run(Op::Equal, "We will "),
                run(Op::Insert, "certainly "),
                run(Op::Equal, "not "),
                run(Op::Delete, "sell"),
                run(Op::Insert, "rent"),
                run(Op::Equal, " your data."),
            ]
        );
    }

    #[test]
    fn a_little_word_between_changes_joins_both_sides() {
        let runs = word_changes("keep it up to two years", "store it for at most ten days");
        let old: String = runs
            .iter()
            .filter(|r| r.op != Op::Insert)
            .map(|r| r.text.as_str())
            .collect();
        let new: String = runs
            .iter()
            .filter(|r| r.op != Op::Delete)
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(old, "keep it up to two years");
        assert_eq!(new, "store it for at most ten days");
    }
}
