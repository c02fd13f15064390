//! The search palette's state: the query being typed, the latest results
//! from the search worker, the selected hit, and the hits `n`/`N` step
//! through after it closes. Searching runs on the worker
//! ([`crate::search::Searcher`]); typing only submits, so keys never wait.

use std::time::{Duration, Instant};

use crate::search::{Items, Kind, Results, Searcher, PALETTE_HITS_PER_KIND};

use super::app::App;
use super::tree::NodeKind;

/// What a hit points at, enough to jump there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitRef {
    pub kind: Kind,
    pub policy: String,
    pub id: String,
}

#[derive(Default)]
pub struct Palette {
    pub open: bool,
    pub query: String,
    /// Index of the selected hit among all shown hits (headers not counted).
    pub selected: usize,
    /// The newest results delivered; they may be for an earlier query while
    /// the current one is pending (the view says so).
    pub results: Option<Results>,
    searcher: Option<Searcher>,
    /// The notes changed since the index was built: build it again when
    /// the palette next opens (not at once: at a thousand policies that is
    /// a second of work, wasted if no search follows).
    stale: bool,
    /// The hits of the last search that was jumped from or closed, in the
    /// palette's order, for `n`/`N`.
    pub last_hits: Vec<HitRef>,
    pub last_query: String,
    pub hit_cursor: Option<usize>,
}

impl Palette {
    /// Marks the index out of date, after a note was added or changed, so
    /// the next search finds notes as they are now.
    pub fn reindex(&mut self) {
        self.stale = true;
    }

    /// Every shown hit in display order (group by group).
    pub fn hits(&self) -> Vec<HitRef> {
        self.results
            .iter()
            .flat_map(|r| &r.groups)
            .flat_map(|g| &g.hits)
            .map(|f| HitRef {
                kind: f.item.kind,
                policy: f.item.policy.clone(),
                id: f.item.id.clone(),
            })
            .collect()
    }

    pub fn hit_count(&self) -> usize {
        self.results
            .iter()
            .flat_map(|r| &r.groups)
            .map(|g| g.hits.len())
            .sum()
    }

    /// Whether the shown results are for an earlier query than the one typed.
    pub fn pending(&self) -> bool {
        self.searcher.as_ref().is_some_and(Searcher::pending)
    }

    /// Whether the index is still being built.
    pub fn indexing(&self) -> bool {
        self.searcher.as_ref().is_some_and(|s| !s.ready())
    }

    fn submit(&mut self) {
        if let Some(searcher) = &mut self.searcher {
            searcher.submit(&self.query);
        }
    }

    /// Takes in the newest results, if any; returns whether they changed.
    pub fn collect(&mut self) -> bool {
        let Some(results) = self.searcher.as_mut().and_then(Searcher::poll) else {
            return false;
        };
        self.results = Some(results);
        self.selected = self.selected.min(self.hit_count().saturating_sub(1));
        true
    }

    /// Waits up to `timeout` for the current query's results (for tests and
    /// scripted use; the event loop polls instead).
    pub fn wait(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.pending() && Instant::now() < deadline {
            if let Some(searcher) = &mut self.searcher {
                if let Some(results) = searcher.wait(Duration::from_millis(50)) {
                    self.results = Some(results);
                }
            }
        }
        self.selected = self.selected.min(self.hit_count().saturating_sub(1));
        !self.pending()
    }
}

impl App {
    /// Starts the search worker (it builds the index on its own thread) if
    /// it is not running yet. The event loop calls this after the first
    /// frame, so the index is usually ready by the time `/` is pressed.
    pub fn start_search(&mut self) {
        if self.palette.searcher.is_none() {
            let items = Items::from_corpus_with_notes(&self.corpus, &self.reviews);
            self.palette.searcher = Some(Searcher::spawn(items, PALETTE_HITS_PER_KIND));
        }
    }

    pub(super) fn open_palette(&mut self) {
        if std::mem::take(&mut self.palette.stale) {
            self.palette.searcher = None;
        }
        self.start_search();
        self.palette.open = true;
        self.palette.selected = 0;
        if !self.palette.query.is_empty() {
            self.palette.submit();
        }
    }

    /// A character typed into the palette.
    pub fn palette_type(&mut self, c: char) {
        self.palette.query.push(c);
        self.palette.selected = 0;
        self.palette.submit();
    }

    pub(super) fn apply_palette(&mut self, action: super::action::Action) {
        use super::action::Action;
        let last = self.palette.hit_count().saturating_sub(1);
        let page = usize::from(self.size.1 / 2).max(1);
        let p = &mut self.palette;
        match action {
            Action::Down => p.selected = (p.selected + 1).min(last),
            Action::Up => p.selected = p.selected.saturating_sub(1),
            Action::PageDown => p.selected = (p.selected + page).min(last),
            Action::PageUp => p.selected = p.selected.saturating_sub(page),
            Action::Top => p.selected = 0,
            Action::Bottom => p.selected = last,
            Action::DeleteBack if p.query.pop().is_some() => {
                p.selected = 0;
                p.submit();
            }
            Action::ClearInput => {
                p.query.clear();
                p.selected = 0;
                p.submit();
            }
            Action::Cancel | Action::Back => {
                self.remember_hits(None);
                self.palette.open = false;
            }
            Action::Enter | Action::Submit => {
                let selected = self.palette.selected;
                let hits = self.palette.hits();
                self.remember_hits(Some(selected));
                self.palette.open = false;
                if let Some(hit) = hits.get(selected) {
                    self.show_hit(hit);
                }
            }
            _ => {}
        }
    }

    /// Keeps the shown hits for `n`/`N`.
    fn remember_hits(&mut self, cursor: Option<usize>) {
        let hits = self.palette.hits();
        if !hits.is_empty() {
            self.palette.last_hits = hits;
            self.palette.last_query = self.palette.query.clone();
            self.palette.hit_cursor = cursor;
        }
    }

    /// `n` (`step` 1) and `N` (-1): the next or previous hit of the last
    /// search, wrapping around.
    pub(super) fn step_hit(&mut self, step: isize) {
        let count = self.palette.last_hits.len();
        if count == 0 {
            let key = self
                .keymap
                .hint(self.view(), super::action::Action::Search)
                .unwrap_or_default();
            self.status = Some(format!("no search yet; {key} searches"));
            return;
        }
        let next = match self.palette.hit_cursor {
            Some(i) => (i as isize + step).rem_euclid(count as isize) as usize,
            None if step > 0 => 0,
            None => count - 1,
        };
        self.palette.hit_cursor = Some(next);
        let hit = self.palette.last_hits[next].clone();
        self.show_hit(&hit);
        self.status = Some(format!(
            "hit {} of {} for \"{}\": {} {}",
            next + 1,
            count,
            self.palette.last_query,
            hit.kind.name(),
            hit.id
        ));
    }

    /// Goes to a hit: its node in the tree (a data or recipient label goes
    /// to the context that uses it), or its note.
    fn show_hit(&mut self, hit: &HitRef) {
        let Some(pi) = self
            .corpus
            .policies
            .iter()
            .position(|p| p.policy.id == hit.policy)
        else {
            return;
        };
        let policy = &self.corpus.policies[pi].policy;
        let node = match hit.kind {
            Kind::Note => {
                self.jump_to_note(pi, &hit.id);
                return;
            }
            Kind::Policy => self.tree.find(pi, &NodeKind::Policy),
            Kind::Clause => self.tree.find_clause(&self.corpus, pi, &hit.id),
            Kind::Context | Kind::Data | Kind::Recipient => policy
                .context_path(&hit.id)
                .and_then(|p| self.tree.find_context(pi, &p)),
        };
        if let Some(node) = node {
            self.jump_to_node(node);
        }
    }
}
