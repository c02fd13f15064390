//! The search index and the per-keystroke search over it.
//!
//! Brute-force fuzzy matching of every clause costs about a second at a
//! thousand policies, so the index keeps a term dictionary instead: each
//! distinct word once, with the items it occurs in (postings) and a
//! character bag for a cheap prefilter; each item keeps its list of terms.
//! A query word is scored against the dictionary words only; items collect
//! the best score of each query word and must match every word.
//!
//! A [`Session`] remembers recent queries: a query that extends an earlier
//! one (each earlier word is a subsequence of a new word) can only match a
//! subset of its items and terms, so it starts from those.

use std::collections::{HashMap, VecDeque};
use std::ops::Deref;

use super::score::{bag, for_each_word, term_score, words};
use super::{Kind, SearchItem};

/// Checks for cancellation every this many steps of a long loop.
const CANCEL_STRIDE: usize = 4096;
/// Queries and query words a session remembers for narrowing.
const RECENT_QUERIES: usize = 16;
const RECENT_WORDS: usize = 64;

pub struct Index {
    items: Vec<SearchItem>,
    /// Distinct folded words.
    terms: Vec<Box<str>>,
    bags: Vec<u64>,
    /// Per item, its text's length in chars: of two equal scores, the
    /// shorter text (a name, a label) is the more pointed match.
    lengths: Vec<u32>,
    /// Per term, the items it occurs in, ascending.
    postings: Vec<Vec<u32>>,
    /// Per item, its distinct terms: `forward[forward_start[i]..forward_start[i + 1]]`.
    forward_start: Vec<u32>,
    forward: Vec<u32>,
}

/// An item that matched, with its score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub item: u32,
    pub score: i64,
}

impl Index {
    pub fn build(items: Vec<SearchItem>) -> Index {
        let mut ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut terms: Vec<Box<str>> = Vec::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut forward_start = Vec::with_capacity(items.len() + 1);
        let mut forward = Vec::new();
        let mut buffer = String::new();
        let mut mine: Vec<u32> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            mine.clear();
            for_each_word(&item.text, &mut buffer, |word| {
                let id = match ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let id = terms.len() as u32;
                        ids.insert(word.into(), id);
                        terms.push(word.into());
                        postings.push(Vec::new());
                        id
                    }
                };
                mine.push(id);
            });
            mine.sort_unstable();
            mine.dedup();
            forward_start.push(forward.len() as u32);
            for &t in &mine {
                postings[t as usize].push(i as u32);
            }
            forward.extend_from_slice(&mine);
        }
        forward_start.push(forward.len() as u32);
        let bags = terms.iter().map(|t| bag(t)).collect();
        let lengths = items
            .iter()
            .map(|i| i.text.chars().count().min(u32::MAX as usize) as u32)
            .collect();
        for p in &mut postings {
            p.shrink_to_fit();
        }
        Index {
            items,
            terms,
            bags,
            lengths,
            postings,
            forward_start,
            forward,
        }
    }

    pub fn items(&self) -> &[SearchItem] {
        &self.items
    }

    pub fn item(&self, hit: Hit) -> &SearchItem {
        &self.items[hit.item as usize]
    }

    /// Distinct words in the dictionary.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    fn terms_of(&self, item: u32) -> &[u32] {
        let i = item as usize;
        &self.forward[self.forward_start[i] as usize..self.forward_start[i + 1] as usize]
    }

    /// Every item matching `query`, in rank order: a one-off search.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let mut session = Session::new(self);
        let hits = session.search(query, &|| false).unwrap_or_default();
        self.rank(hits)
    }

    /// Hits best first; of equal scores the shorter text, then the earlier
    /// item (folder and document order).
    pub fn rank(&self, mut hits: Vec<Hit>) -> Vec<Hit> {
        hits.sort_unstable_by(|a, b| self.order(a, b));
        hits
    }

    fn order(&self, a: &Hit, b: &Hit) -> std::cmp::Ordering {
        b.score
            .cmp(&a.score)
            .then(self.lengths[a.item as usize].cmp(&self.lengths[b.item as usize]))
            .then(a.item.cmp(&b.item))
    }

    /// The best `per_kind` hits of each kind, each group best first, the
    /// groups ordered by their best hit (then names before clauses), with each group's
    /// full count.
    pub fn top_per_kind(&self, hits: &[Hit], per_kind: usize) -> Vec<Group> {
        let mut by_kind: Vec<Vec<Hit>> = vec![Vec::new(); Kind::ALL.len()];
        for &hit in hits {
            by_kind[self.item(hit).kind as usize].push(hit);
        }
        let mut groups: Vec<Group> = Kind::ALL
            .into_iter()
            .zip(by_kind)
            .filter(|(_, hits)| !hits.is_empty())
            .map(|(kind, mut hits)| {
                let total = hits.len();
                if hits.len() > per_kind && per_kind > 0 {
                    hits.select_nth_unstable_by(per_kind - 1, |a, b| self.order(a, b));
                }
                hits.truncate(per_kind);
                hits.sort_unstable_by(|a, b| self.order(a, b));
                Group { kind, total, hits }
            })
            .collect();
        groups.sort_by(|a, b| {
            let best = |g: &Group| g.hits.first().map_or(i64::MIN, |h| h.score);
            best(b)
                .cmp(&best(a))
                .then(a.kind.display_rank().cmp(&b.kind.display_rank()))
        });
        groups
    }
}

/// The hits of one kind, best first.
#[derive(Debug, Clone)]
pub struct Group {
    pub kind: Kind,
    /// How many hits of this kind there are in all.
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// The dictionary words one query word matched, with their scores,
/// ascending by term.
struct WordMatch {
    word: String,
    terms: Vec<(u32, i64)>,
}

/// A finished query: its words and every item it matched (item order).
struct Matches {
    words: Vec<String>,
    hits: Vec<Hit>,
}

/// Searches one index keystroke after keystroke, starting each query from
/// what an earlier query already found when it can.
pub struct Session<I: Deref<Target = Index>> {
    index: I,
    recent: VecDeque<Matches>,
    recent_words: VecDeque<WordMatch>,
    /// Scratch, per term: the score of the current query word (0: none).
    term_scores: Vec<Vec<i64>>,
    /// Scratch, per item: best score so far (0: not reached).
    item_scores: Vec<i64>,
}

/// `short` can be read in `long` in order (so whatever `long` matches,
/// `short` matches too).
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut chars = long.chars();
    short.chars().all(|c| chars.any(|l| l == c))
}

impl<I: Deref<Target = Index>> Session<I> {
    pub fn new(index: I) -> Session<I> {
        let items = index.items.len();
        Session {
            index,
            recent: VecDeque::new(),
            recent_words: VecDeque::new(),
            term_scores: Vec::new(),
            item_scores: vec![0; items],
        }
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Every item matching `query` (unordered), or `None` when `cancelled`
    /// said so before it finished.
    pub fn search(&mut self, query: &str, cancelled: &dyn Fn() -> bool) -> Option<Vec<Hit>> {
        let mut query_words: Vec<String> = Vec::new();
        for (_, w) in words(query) {
            if !query_words.contains(&w) {
                query_words.push(w);
            }
        }
        if query_words.is_empty() {
            return Some(Vec::new());
        }
        if cancelled() {
            return None;
        }
        if let Some(m) = self.recent.iter().find(|m| m.words == query_words) {
            return Some(m.hits.clone());
        }
        // Score the dictionary for each word.
        for word in &query_words {
            self.match_word(word, cancelled)?;
        }
        let word_matches: Vec<&WordMatch> = query_words
            .iter()
            .map(|q| {
                self.recent_words
                    .iter()
                    .find(|w| &w.word == q)
                    .expect("matched just now")
            })
            .collect();
        // Items: from the smallest earlier result this query narrows, or
        // from the postings of its most selective word.
        let base = self
            .recent
            .iter()
            .filter(|m| {
                m.words
                    .iter()
                    .all(|p| query_words.iter().any(|q| is_subsequence(p, q)))
            })
            .min_by_key(|m| m.hits.len());
        let average_terms = self.index.forward.len() / self.index.items.len().max(1) + 1;
        let (cold_word, cold_cost) = word_matches
            .iter()
            .enumerate()
            .map(|(i, wm)| {
                let cost: usize = wm
                    .terms
                    .iter()
                    .map(|&(t, _)| self.index.postings[t as usize].len())
                    .sum();
                (i, cost)
            })
            .min_by_key(|&(_, cost)| cost)
            .expect("at least one word");
        let narrowed = base.filter(|b| b.hits.len() * average_terms <= cold_cost);
        let index: &Index = &self.index;
        let hits = match narrowed {
            Some(base) => {
                let candidates: Vec<u32> = base.hits.iter().map(|h| h.item).collect();
                filter_candidates(
                    index,
                    &candidates,
                    &word_matches,
                    None,
                    &mut self.term_scores,
                    cancelled,
                )?
            }
            None => {
                // Best score of the cold word per item, from its postings.
                let scores = &mut self.item_scores;
                let mut touched: Vec<u32> = Vec::new();
                let mut steps = 0;
                for &(t, s) in &word_matches[cold_word].terms {
                    for &item in &index.postings[t as usize] {
                        let slot = &mut scores[item as usize];
                        if *slot == 0 {
                            touched.push(item);
                        }
                        *slot = (*slot).max(s);
                    }
                    steps += index.postings[t as usize].len();
                    if steps > CANCEL_STRIDE {
                        steps = 0;
                        if cancelled() {
                            for &i in &touched {
                                scores[i as usize] = 0;
                            }
                            return None;
                        }
                    }
                }
                touched.sort_unstable();
                let first: Vec<Hit> = touched
                    .iter()
                    .map(|&item| Hit {
                        item,
                        score: std::mem::take(&mut scores[item as usize]),
                    })
                    .collect();
                if word_matches.len() == 1 {
                    first
                } else {
                    let candidates: Vec<u32> = first.iter().map(|h| h.item).collect();
                    let start: Vec<i64> = first.iter().map(|h| h.score).collect();
                    filter_candidates(
                        index,
                        &candidates,
                        &word_matches,
                        Some((cold_word, &start)),
                        &mut self.term_scores,
                        cancelled,
                    )?
                }
            }
        };
        self.recent.push_front(Matches {
            words: query_words,
            hits: hits.clone(),
        });
        self.recent.truncate(RECENT_QUERIES);
        Some(hits)
    }

    /// Scores the dictionary for one query word (from the narrowest earlier
    /// word it extends, if any) into `recent_words`.
    fn match_word(&mut self, word: &str, cancelled: &dyn Fn() -> bool) -> Option<()> {
        if let Some(i) = self.recent_words.iter().position(|w| w.word == word) {
            // Used again: keep it from being pushed out.
            let found = self.recent_words.remove(i).expect("present");
            self.recent_words.push_front(found);
            return Some(());
        }
        let wanted = bag(word);
        let index: &Index = &self.index;
        let mut terms = Vec::new();
        let mut score = |t: u32| {
            if index.bags[t as usize] & wanted == wanted {
                if let Some(s) = term_score(&index.terms[t as usize], word) {
                    terms.push((t, s.max(1)));
                }
            }
        };
        let base = self
            .recent_words
            .iter()
            .filter(|w| is_subsequence(&w.word, word))
            .min_by_key(|w| w.terms.len());
        match base {
            Some(base) => {
                for (n, &(t, _)) in base.terms.iter().enumerate() {
                    if n.is_multiple_of(CANCEL_STRIDE) && cancelled() {
                        return None;
                    }
                    score(t);
                }
            }
            None => {
                for t in 0..index.terms.len() as u32 {
                    if (t as usize).is_multiple_of(CANCEL_STRIDE) && cancelled() {
                        return None;
                    }
                    score(t);
                }
            }
        }
        // Keep the words of the query in progress at the front, so they are
        // not pushed out while it runs.
        self.recent_words.push_front(WordMatch {
            word: word.to_string(),
            terms,
        });
        self.recent_words.truncate(RECENT_WORDS);
        Some(())
    }
}

/// The candidates that match every query word, each with the sum of its
/// words' best scores. `known` gives one word's scores already computed.
fn filter_candidates(
    index: &Index,
    candidates: &[u32],
    word_matches: &[&WordMatch],
    known: Option<(usize, &[i64])>,
    term_scores: &mut Vec<Vec<i64>>,
    cancelled: &dyn Fn() -> bool,
) -> Option<Vec<Hit>> {
    let n_terms = index.terms.len();
    term_scores.resize_with(word_matches.len().max(term_scores.len()), Vec::new);
    for (w, wm) in word_matches.iter().enumerate() {
        let scores = &mut term_scores[w];
        scores.resize(n_terms, 0);
        for &(t, s) in &wm.terms {
            scores[t as usize] = s;
        }
    }
    let mut hits = Vec::new();
    let mut result = Some(());
    'items: for (n, &item) in candidates.iter().enumerate() {
        if n.is_multiple_of(CANCEL_STRIDE) && cancelled() {
            result = None;
            break;
        }
        let item_terms = index.terms_of(item);
        let mut total = 0;
        for (w, scores) in term_scores.iter().enumerate().take(word_matches.len()) {
            let best = match known {
                Some((k, start)) if k == w => start[n],
                _ => item_terms
                    .iter()
                    .map(|&t| scores[t as usize])
                    .max()
                    .unwrap_or(0),
            };
            if best == 0 {
                continue 'items;
            }
            total += best;
        }
        hits.push(Hit { item, score: total });
    }
    // Leave the scratch all zeros for the next query.
    for (w, wm) in word_matches.iter().enumerate() {
        for &(t, _) in &wm.terms {
            term_scores[w][t as usize] = 0;
        }
    }
    result.map(|()| hits)
}
