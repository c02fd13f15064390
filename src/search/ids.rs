//! The ids `:` and the palette match (a policy, section, clause, context,
//! flow, note or vocabulary term), stored and matched compactly.
//!
//! At a thousand policies there are a quarter of a million ids, but few
//! distinct pieces: every row is "kind policy rest" (or "kind rest"), the
//! kind is one of a handful of words, the policy one of the folder's ids,
//! and the rest (a clause id such as `s.3.1`, a context id such as
//! `collect.2`) repeats from policy to policy. So a row is three indices
//! into one table of distinct pieces ([`IdTable`]), and a query scores the
//! pieces' words once, then each row as the sum over query words of the
//! best of its three pieces: no text and no postings per row. The matching
//! runs on a worker thread of its own ([`IdSearcher`]).

use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::score::{bag, for_each_word, term_score, words};

/// A row without a policy (a vocabulary term's card).
const NO_PIECE: u32 = u32::MAX;
/// Checks for cancellation every this many rows.
const CANCEL_STRIDE: usize = 4096;

/// Every id row as indices into its distinct pieces, filled by
/// [`IdTable::push`]; row `i` is the `i`-th pushed.
#[derive(Debug, Default)]
pub struct IdTable {
    /// Distinct pieces, end to end; `piece_ends[p]` is where piece `p` ends.
    pieces: String,
    piece_ends: Vec<u32>,
    /// Per row, its kind, policy (or [`NO_PIECE`]) and rest pieces.
    rows: Vec<[u32; 3]>,
    /// While filling: each piece's index, dropped by [`IdTable::finish`].
    interned: HashMap<Box<str>, u32>,
}

fn offset(len: usize) -> u32 {
    u32::try_from(len).expect("id texts stay under 4 GiB")
}

impl IdTable {
    pub fn new() -> IdTable {
        IdTable::default()
    }

    fn intern(&mut self, piece: &str) -> u32 {
        if let Some(&p) = self.interned.get(piece) {
            return p;
        }
        let p = offset(self.piece_ends.len());
        self.pieces.push_str(piece);
        self.piece_ends.push(offset(self.pieces.len()));
        self.interned.insert(piece.into(), p);
        p
    }

    /// Adds the row "kind policy rest" ("kind rest" without a policy).
    pub fn push(&mut self, kind: &str, policy: Option<&str>, rest: &str) {
        let kind = self.intern(kind);
        let policy = policy.map_or(NO_PIECE, |p| self.intern(p));
        let rest = self.intern(rest);
        self.rows.push([kind, policy, rest]);
    }

    /// Drops what only filling needed.
    pub fn finish(&mut self) {
        self.interned = HashMap::new();
        self.pieces.shrink_to_fit();
        self.piece_ends.shrink_to_fit();
        self.rows.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn piece(&self, p: u32) -> &str {
        let p = p as usize;
        let start = if p == 0 {
            0
        } else {
            self.piece_ends[p - 1] as usize
        };
        &self.pieces[start..self.piece_ends[p] as usize]
    }

    /// Row `row`'s text as shown and matched, e.g. "clause acme s.3.1".
    pub fn text(&self, row: usize) -> Option<String> {
        let pieces = self.rows.get(row)?;
        let mut text = String::new();
        for &p in pieces.iter().filter(|&&p| p != NO_PIECE) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(self.piece(p));
        }
        Some(text)
    }
}

/// A matched row with its score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdHit {
    pub row: u32,
    pub score: i32,
}

/// One query's best rows, best first (then in row order), and how many
/// rows match in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMatches {
    pub hits: Vec<IdHit>,
    pub total: usize,
}

/// Matches queries against an [`IdTable`]: the distinct words of its
/// pieces, and each piece's words.
pub struct IdMatcher {
    table: Arc<IdTable>,
    terms: Vec<Box<str>>,
    bags: Vec<u64>,
    /// Per piece, its distinct terms: `piece_terms[piece_start[p]..piece_start[p + 1]]`.
    piece_start: Vec<u32>,
    piece_terms: Vec<u32>,
    /// Scratch, per query word and piece: the piece's best term score.
    piece_scores: Vec<Vec<i32>>,
}

/// A term score as a hit keeps it: at least 1 (0 means no match), and far
/// inside 32 bits even summed over a query's words.
fn score_i32(score: i64) -> i32 {
    score.clamp(1, i64::from(i32::MAX / 64)) as i32
}

impl IdMatcher {
    /// Builds the dictionary of the table's pieces (on the worker: at a
    /// thousand policies that is some tens of thousands of pieces).
    pub fn new(table: Arc<IdTable>) -> IdMatcher {
        let mut ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut terms: Vec<Box<str>> = Vec::new();
        let pieces = table.piece_ends.len();
        let mut piece_start = Vec::with_capacity(pieces + 1);
        let mut piece_terms = Vec::new();
        let mut buffer = String::new();
        let mut mine = Vec::new();
        for p in 0..pieces {
            mine.clear();
            for_each_word(table.piece(offset(p)), &mut buffer, |word| {
                let id = *ids.entry(word.into()).or_insert_with(|| {
                    terms.push(word.into());
                    offset(terms.len() - 1)
                });
                mine.push(id);
            });
            mine.sort_unstable();
            mine.dedup();
            piece_start.push(offset(piece_terms.len()));
            piece_terms.extend_from_slice(&mine);
        }
        piece_start.push(offset(piece_terms.len()));
        piece_terms.shrink_to_fit();
        let bags = terms.iter().map(|t| bag(t)).collect();
        IdMatcher {
            table,
            terms,
            bags,
            piece_start,
            piece_terms,
            piece_scores: Vec::new(),
        }
    }

    /// The best `limit` rows matching every word of `query`, or `None` when
    /// `cancelled` said so before it finished.
    pub fn search(
        &mut self,
        query: &str,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<IdMatches> {
        let mut query_words: Vec<String> = Vec::new();
        for (_, w) in words(query) {
            if !query_words.contains(&w) {
                query_words.push(w);
            }
        }
        if query_words.is_empty() {
            return Some(IdMatches::default());
        }
        let pieces = self.piece_start.len() - 1;
        self.piece_scores
            .resize_with(query_words.len().max(self.piece_scores.len()), Vec::new);
        let mut term_scores = vec![0i32; self.terms.len()];
        for (w, word) in query_words.iter().enumerate() {
            if cancelled() {
                return None;
            }
            let wanted = bag(word);
            for (t, term) in self.terms.iter().enumerate() {
                term_scores[t] = if self.bags[t] & wanted == wanted {
                    term_score(term, word).map_or(0, score_i32)
                } else {
                    0
                };
            }
            let scores = &mut self.piece_scores[w];
            scores.clear();
            scores.extend((0..pieces).map(|p| {
                let terms = &self.piece_terms
                    [self.piece_start[p] as usize..self.piece_start[p + 1] as usize];
                terms
                    .iter()
                    .map(|&t| term_scores[t as usize])
                    .max()
                    .unwrap_or(0)
            }));
            // A row without a policy reads its score from one slot past the
            // pieces: never a match.
            scores.push(0);
        }
        let scores = &self.piece_scores[..query_words.len()];
        let none = offset(pieces);
        // The best `limit` so far with the worst on top.
        let mut best: BinaryHeap<(std::cmp::Reverse<i32>, u32)> = BinaryHeap::new();
        let mut total = 0;
        'rows: for (row, &[kind, policy, rest]) in self.table.rows.iter().enumerate() {
            if row.is_multiple_of(CANCEL_STRIDE) && cancelled() {
                return None;
            }
            let policy = if policy == NO_PIECE { none } else { policy };
            let mut sum = 0;
            for word in scores {
                let s = word[kind as usize]
                    .max(word[policy as usize])
                    .max(word[rest as usize]);
                if s == 0 {
                    continue 'rows;
                }
                sum += s;
            }
            total += 1;
            let key = (std::cmp::Reverse(sum), offset(row));
            if best.len() < limit {
                best.push(key);
            } else if best.peek().is_some_and(|worst| key < *worst) {
                best.pop();
                best.push(key);
            }
        }
        let hits = best
            .into_sorted_vec()
            .into_iter()
            .map(|(std::cmp::Reverse(score), row)| IdHit { row, score })
            .collect();
        Some(IdMatches { hits, total })
    }
}

/// One query's answer from the id worker.
#[derive(Debug, Clone)]
pub struct IdResults {
    pub generation: u64,
    pub query: String,
    pub matches: IdMatches,
    /// Time spent computing it on the worker.
    pub elapsed: Duration,
}

impl super::worker::Answer for IdResults {
    fn generation(&self) -> u64 {
        self.generation
    }
}

/// The UI's handle on the id worker thread, with [`super::Searcher`]'s
/// protocol: a newer query cancels an older one, and only the newest
/// query's answer is accepted.
pub type IdSearcher = super::worker::QueryWorker<IdResults>;

impl IdSearcher {
    /// Starts the worker: it builds the dictionary first, then answers
    /// queries with their best `limit` rows.
    pub fn spawn(table: Arc<IdTable>, limit: usize) -> IdSearcher {
        IdSearcher::start(
            "qualm-ids",
            move || IdMatcher::new(table),
            move |matcher, generation, query, cancelled| {
                let started = Instant::now();
                let matches = matcher.search(&query, limit, &cancelled)?;
                Some(IdResults {
                    generation,
                    query,
                    matches,
                    elapsed: started.elapsed(),
                })
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Arc<IdTable> {
        let mut t = IdTable::new();
        t.push("policy", None, "acme-2024");
        t.push("clause", Some("acme-2024"), "s.3.1");
        t.push("clause", Some("beta-2023"), "s.3.1");
        t.push("context", Some("beta-2023"), "collect.demo");
        t.push("recipient", None, "ads Ad networks");
        t.finish();
        Arc::new(t)
    }

    #[test]
    fn rows_read_back_as_their_text() {
        let t = table();
        assert_eq!(t.text(0).as_deref(), Some("policy acme-2024"));
        assert_eq!(t.text(1).as_deref(), Some("clause acme-2024 s.3.1"));
        assert_eq!(t.text(4).as_deref(), Some("recipient ads Ad networks"));
        assert_eq!(t.text(5), None);
        // "clause", "acme-2024", "s.3.1" and "beta-2023" are stored once.
        assert_eq!(t.piece_ends.len(), 9);
    }

    #[test]
    fn every_word_must_match_one_of_the_row_pieces() {
        let mut m = IdMatcher::new(table());
        let found = |m: &mut IdMatcher, q: &str| {
            let r = m.search(q, 10, &|| false).unwrap();
            (r.hits.iter().map(|h| h.row).collect::<Vec<_>>(), r.total)
        };
        assert_eq!(found(&mut m, "beta 3.1"), (vec![2], 1));
        assert_eq!(found(&mut m, "clause s.3.1").1, 2);
        assert_eq!(found(&mut m, "networks").0, vec![4]);
        assert_eq!(found(&mut m, "zzz"), (vec![], 0));
        // The whole word ranks first.
        assert_eq!(found(&mut m, "collect").0.first(), Some(&3));
        let limited = m.search("s", 2, &|| false).unwrap();
        assert_eq!(limited.hits.len(), 2);
        assert!(limited.total > 2);
    }
}
