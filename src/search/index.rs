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
use std::sync::Arc;

use super::items::{ItemRef, Items};
use super::score::{bag, for_each_word, term_score, words};
use super::Kind;

/// Checks for cancellation every this many steps of a long loop.
const CANCEL_STRIDE: usize = 4096;
/// Where an item's kind sits in `Index::kind_len`, above its text length.
const KIND_SHIFT: u32 = 29;
const LEN_MASK: u32 = (1 << KIND_SHIFT) - 1;
/// Queries and query words a session remembers for narrowing.
const RECENT_QUERIES: usize = 16;
const RECENT_WORDS: usize = 64;

pub struct Index {
    items: Items,
    /// Distinct folded words.
    terms: Vec<Box<str>>,
    bags: Vec<u64>,
    /// Per item, the bag of all its words' characters and of their first
    /// characters: a one-character query is answered from these alone.
    item_chars: Vec<u64>,
    item_initials: Vec<u64>,
    /// Per term, the items it occurs in, ascending.
    postings: Vec<Vec<u32>>,
    /// Per item, its kind (top 3 bits) and text length (the rest): what
    /// ranking a million hits reads, in 4 bytes instead of 17 in two places.
    kind_len: Vec<u32>,
    /// Per item, its distinct terms: `forward[forward_start[i]..forward_start[i + 1]]`.
    forward_start: Vec<u32>,
    forward: Vec<u32>,
}

/// An item that matched, with its score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub item: u32,
    /// 32 bits: a keystroke can match a million items, and a smaller hit
    /// is less memory to fill, keep and rank.
    pub score: i32,
}

impl Index {
    /// Indexes `items` (a `Vec<SearchItem>` or an [`Items`]).
    pub fn build(items: impl Into<Items>) -> Index {
        let mut items: Items = items.into();
        items.shrink_to_fit();
        let mut ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut terms: Vec<Box<str>> = Vec::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut forward_start = Vec::with_capacity(items.len() + 1);
        let mut forward = Vec::new();
        let mut item_chars = Vec::with_capacity(items.len());
        let mut item_initials = Vec::with_capacity(items.len());
        let mut buffer = String::new();
        let mut mine: Vec<u32> = Vec::new();
        for i in 0..items.len() {
            mine.clear();
            let (mut chars, mut initials) = (0u64, 0u64);
            for_each_word(items.text(i), &mut buffer, |word| {
                chars |= bag(word);
                initials |= bag(&word[..word.chars().next().map_or(0, char::len_utf8)]);
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
            item_chars.push(chars);
            item_initials.push(initials);
            mine.sort_unstable();
            mine.dedup();
            forward_start.push(forward.len() as u32);
            for &t in &mine {
                postings[t as usize].push(i as u32);
            }
            forward.extend_from_slice(&mine);
        }
        forward_start.push(forward.len() as u32);
        // Grown by doubling; as much as half of it would be slack.
        forward.shrink_to_fit();
        let bags = terms.iter().map(|t| bag(t)).collect();
        let kind_len = (0..items.len())
            .map(|i| (items.kind(i) as u32) << KIND_SHIFT | items.text_len(i).min(LEN_MASK))
            .collect();
        for p in &mut postings {
            p.shrink_to_fit();
        }
        Index {
            items,
            terms,
            bags,
            item_chars,
            item_initials,
            postings,
            kind_len,
            forward_start,
            forward,
        }
    }

    /// How many items are indexed.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn item(&self, hit: Hit) -> ItemRef<'_> {
        self.items.get(hit.item as usize)
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
            .then(
                self.items
                    .text_len(a.item as usize)
                    .cmp(&self.items.text_len(b.item as usize)),
            )
            .then(a.item.cmp(&b.item))
    }

    /// The best `per_kind` hits of each kind, each group best first, the
    /// groups ordered by their best hit (then names before clauses), with each group's
    /// full count.
    pub fn top_per_kind(&self, hits: &[Hit], per_kind: usize) -> Vec<Group> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        // Per kind, a heap of the best `per_kind` so far with the worst on
        // top: most hits lose to it on score alone, without a text lookup.
        type Worst = (Reverse<i32>, u32, u32);
        let mut heaps: Vec<BinaryHeap<Worst>> = vec![BinaryHeap::new(); Kind::ALL.len()];
        let mut totals = vec![0usize; Kind::ALL.len()];
        for &hit in hits {
            let kind_len = self.kind_len[hit.item as usize];
            let kind = (kind_len >> KIND_SHIFT) as usize;
            totals[kind] += 1;
            let heap = &mut heaps[kind];
            if heap.len() == per_kind {
                let Some(&(Reverse(worst), _, _)) = heap.peek() else {
                    continue;
                };
                if hit.score < worst {
                    continue;
                }
            }
            let key = (Reverse(hit.score), kind_len & LEN_MASK, hit.item);
            if heap.len() < per_kind {
                heap.push(key);
            } else if heap.peek().is_some_and(|top| key < *top) {
                heap.pop();
                heap.push(key);
            }
        }
        let mut groups: Vec<Group> = Kind::ALL
            .into_iter()
            .zip(heaps.into_iter().zip(totals))
            .filter(|(_, (_, total))| *total > 0)
            .map(|(kind, (heap, total))| Group {
                kind,
                total,
                hits: heap
                    .into_sorted_vec()
                    .into_iter()
                    .map(|(Reverse(score), _, item)| Hit { item, score })
                    .collect(),
            })
            .collect();
        groups.sort_by(|a, b| {
            let best = |g: &Group| g.hits.first().map_or(i32::MIN, |h| h.score);
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
    terms: Vec<(u32, i32)>,
}

/// A finished query: its words and every item it matched (item order).
struct Matches {
    words: Vec<String>,
    /// Shared with the caller: at a million hits a copy per keystroke
    /// costs more than ranking them.
    hits: Arc<Vec<Hit>>,
}

/// Searches one index keystroke after keystroke, starting each query from
/// what an earlier query already found when it can.
pub struct Session<I: Deref<Target = Index>> {
    index: I,
    recent: VecDeque<Matches>,
    recent_words: VecDeque<WordMatch>,
    /// Scratch, per term: the score of the current query word (0: none).
    term_scores: Vec<Vec<i32>>,
    /// Scratch, per item: best score so far (0: not reached).
    item_scores: Vec<i32>,
    /// Scratch, a bit per item: reached. Walking its set bits lists the
    /// reached items in order without sorting them or sweeping every
    /// item's score (a million items are 18,000 words).
    item_reached: Vec<u64>,
    stats: Stats,
}

/// What the last query of a [`Session`] did, counted rather than timed so
/// a profile on a busy machine is still repeatable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// How the items were found: `repeat` (an earlier answer), `one-char`
    /// (character bags), `narrowed` (an earlier query's hits), `cold`
    /// (postings of the most selective word).
    pub path: &'static str,
    /// Dictionary words scored with the fuzzy scorer.
    pub terms_scored: usize,
    /// Posting entries read.
    pub postings_visited: usize,
    /// Candidate items checked against every query word.
    pub candidates_checked: usize,
    /// Items matched.
    pub hits: usize,
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
            item_reached: vec![0; items.div_ceil(64)],
            stats: Stats::default(),
        }
    }

    /// What the last query did.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Every item matching `query` (unordered), or `None` when `cancelled`
    /// said so before it finished.
    pub fn search(&mut self, query: &str, cancelled: &dyn Fn() -> bool) -> Option<Vec<Hit>> {
        self.search_shared(query, cancelled)
            .map(Arc::unwrap_or_clone)
    }

    /// [`Session::search`], its hits shared with the session's memory of
    /// recent queries instead of copied.
    pub fn search_shared(
        &mut self,
        query: &str,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Arc<Vec<Hit>>> {
        self.stats = Stats::default();
        let mut query_words: Vec<String> = Vec::new();
        for (_, w) in words(query) {
            if !query_words.contains(&w) {
                query_words.push(w);
            }
        }
        if query_words.is_empty() {
            return Some(Arc::default());
        }
        if cancelled() {
            return None;
        }
        if let Some(m) = self.recent.iter().find(|m| m.words == query_words) {
            self.stats.path = "repeat";
            self.stats.hits = m.hits.len();
            return Some(Arc::clone(&m.hits));
        }
        if let [word] = query_words.as_slice() {
            if let Some(hits) = self.index.single_character(word) {
                self.stats.path = "one-char";
                self.stats.candidates_checked = self.index.len();
                self.stats.hits = hits.len();
                return Some(self.remember(query_words, hits));
            }
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
                self.stats.path = "narrowed";
                self.stats.candidates_checked = base.hits.len();
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
                self.stats.path = "cold";
                self.stats.postings_visited = cold_cost;
                let first = cold_postings(
                    index,
                    &word_matches[cold_word].terms,
                    cold_cost,
                    &mut self.item_scores,
                    &mut self.item_reached,
                    cancelled,
                )?;
                if word_matches.len() == 1 {
                    first
                } else {
                    self.stats.candidates_checked = first.len();
                    let candidates: Vec<u32> = first.iter().map(|h| h.item).collect();
                    let start: Vec<i32> = first.iter().map(|h| h.score).collect();
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
        self.stats.hits = hits.len();
        Some(self.remember(query_words, hits))
    }

    fn remember(&mut self, words: Vec<String>, hits: Vec<Hit>) -> Arc<Vec<Hit>> {
        let hits = Arc::new(hits);
        self.recent.push_front(Matches {
            words,
            hits: Arc::clone(&hits),
        });
        self.recent.truncate(RECENT_QUERIES);
        hits
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
        let mut scored = 0;
        let mut score = |t: u32| {
            if index.bags[t as usize] & wanted == wanted {
                scored += 1;
                if let Some(s) = term_score(&index.terms[t as usize], word) {
                    terms.push((t, score_i32(s)));
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
        self.stats.terms_scored += scored;
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

/// Every item reached by the postings of `terms`, with the best score of
/// its terms, in item order. `visits` is the number of postings. Leaves
/// `scores` and `reached` all zeros.
fn cold_postings(
    index: &Index,
    terms: &[(u32, i32)],
    visits: usize,
    scores: &mut [i32],
    reached: &mut [u64],
    cancelled: &dyn Fn() -> bool,
) -> Option<Vec<Hit>> {
    let mut steps = 0;
    let mut result = Some(());
    for &(t, s) in terms {
        let list = &index.postings[t as usize];
        for &item in list {
            let slot = &mut scores[item as usize];
            *slot = (*slot).max(s);
            reached[item as usize / 64] |= 1 << (item % 64);
        }
        steps += list.len();
        if steps > CANCEL_STRIDE {
            steps = 0;
            if cancelled() {
                result = None;
                break;
            }
        }
    }
    let mut hits = Vec::with_capacity(if result.is_some() {
        visits.min(scores.len())
    } else {
        0
    });
    for (w, word) in reached.iter_mut().enumerate() {
        let mut bits = std::mem::take(word);
        while bits != 0 {
            let item = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let score = std::mem::take(&mut scores[item]);
            if result.is_some() {
                hits.push(Hit {
                    item: item as u32,
                    score,
                });
            }
        }
    }
    hits.shrink_to_fit();
    result.map(|()| hits)
}

impl Index {
    /// A query of one letter or digit: every item with a word holding it,
    /// words starting with it ranked first. Answered from the items'
    /// character bags in one sweep, since such a query touches most items.
    fn single_character(&self, word: &str) -> Option<Vec<Hit>> {
        let mut chars = word.chars();
        let c = chars.next()?;
        if chars.next().is_some() || !(c.is_ascii_lowercase() || c.is_ascii_digit()) {
            return None;
        }
        let bit = bag(word);
        // Scores as the general path gives them to a word starting with
        // the character and to one holding it further in.
        let filler = if c == 'x' { 'y' } else { 'x' };
        let initial = score_i32(term_score(&format!("{c}{filler}"), word)?);
        let inside = score_i32(term_score(&format!("{filler}{c}"), word)?);
        // Most items hold any given letter: room for all of them at once
        // beats growing a list of a million by doubling.
        let mut hits = Vec::with_capacity(self.item_chars.len());
        hits.extend(
            self.item_chars
                .iter()
                .zip(&self.item_initials)
                .enumerate()
                .filter(|(_, (chars, _))| *chars & bit != 0)
                .map(|(item, (_, initials))| Hit {
                    item: item as u32,
                    score: if initials & bit != 0 { initial } else { inside },
                }),
        );
        Some(hits)
    }
}

/// A term score as a hit keeps it: at least 1 (0 means no match), and far
/// inside 32 bits (skim scores a word in the hundreds).
fn score_i32(score: i64) -> i32 {
    score.clamp(1, i64::from(i32::MAX / 64)) as i32
}

/// The candidates that match every query word, each with the sum of its
/// words' best scores. `known` gives one word's scores already computed.
fn filter_candidates(
    index: &Index,
    candidates: &[u32],
    word_matches: &[&WordMatch],
    known: Option<(usize, &[i32])>,
    term_scores: &mut Vec<Vec<i32>>,
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
