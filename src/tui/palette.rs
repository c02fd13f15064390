//! The search palette's state: the query being typed, the ids it matches
//! (as `:` would: a term's id opens its card), the latest results from the
//! search worker, the selected hit, and the hits `n`/`N` step through
//! after it closes. Searching runs on the worker
//! ([`crate::search::Searcher`]); typing only submits, so keys never wait.

use std::time::{Duration, Instant};

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::any_component;
use crate::keymap::View;
use crate::model::Corpus;
use crate::review::ReviewSet;
use crate::search::{IdResults, IdSearcher, Items, Kind, Results, Searcher, PALETTE_HITS_PER_KIND};

use super::action::Action;
use super::app::Shared;
use super::component::Component;
use super::effect::Effect;
use super::goto::{go, IdRows, IdRowsBuilder, IdTarget};

/// What a hit points at, enough to jump there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitRef {
    pub kind: Kind,
    pub policy: String,
    pub id: String,
}

/// The search worker and what `n`/`N` step through: shared by every view.
#[derive(Default)]
pub struct Search {
    /// The newest results delivered; they may be for an earlier query while
    /// the current one is pending (the palette says so).
    pub results: Option<Results>,
    searcher: Option<Searcher>,
    /// The notes changed since the index was built: build it again when
    /// the palette next opens (not at once: at a thousand policies that is
    /// a second of work, wasted if no search follows).
    stale: bool,
    /// The same for the id rows.
    ids_stale: bool,
    /// The hits of the last search that was jumped from or closed, in the
    /// palette's order, for `n`/`N`.
    pub last_hits: Vec<HitRef>,
    pub last_query: String,
    pub hit_cursor: Option<usize>,
    /// Every id of the folder as `:` lists them, and a second worker that
    /// matches the query against them: at a thousand policies there are a
    /// quarter of a million ids, too many to match on the UI thread.
    id_rows: IdRows,
    id_searcher: Option<IdSearcher>,
    /// The id rows being listed between keystrokes, before `:` or `/`
    /// needs them.
    pub id_builder: Option<IdRowsBuilder>,
    /// The newest id matches delivered.
    pub id_results: Option<IdResults>,
}

impl Search {
    /// Starts the worker (it builds the index on its own thread) if it is
    /// not running yet. The event loop calls this after the first frame, so
    /// the index is usually ready by the time `/` is pressed.
    pub fn start(&mut self, corpus: &Corpus, reviews: &ReviewSet) {
        if self.searcher.is_none() {
            let items = Items::from_corpus_with_notes(corpus, reviews);
            self.searcher = Some(Searcher::spawn(items, PALETTE_HITS_PER_KIND));
        }
    }

    /// Whether the id worker runs (else [`Search::start_ids`] is due).
    pub fn ids_started(&self) -> bool {
        self.id_searcher.is_some()
    }

    /// Starts the id worker over `rows` (from [`super::goto::id_rows`]).
    pub fn start_ids(&mut self, rows: IdRows) {
        self.ids_stale = false;
        self.id_searcher = Some(IdSearcher::spawn(rows.table.clone(), GOTO_IDS));
        self.id_rows = rows;
        self.id_results = None;
    }

    /// The best `limit` ids for `query`, best first (indices into the id
    /// rows), and how many match in all; None until the id worker has
    /// answered this query.
    pub fn id_hits(&self, query: &str, limit: usize) -> Option<(Vec<usize>, usize)> {
        let results = self.id_results.as_ref().filter(|r| r.query == query)?;
        let matches = &results.matches;
        let hits = matches
            .hits
            .iter()
            .take(limit)
            .map(|h| h.row as usize)
            .collect();
        Some((hits, matches.total))
    }

    /// How many ids there are.
    pub fn id_count(&self) -> usize {
        self.id_rows.len()
    }

    /// An id row: its text and where it leads.
    pub fn id_row(&self, row: usize) -> Option<(String, IdTarget)> {
        self.id_rows.get(row)
    }

    /// Marks the index out of date, after a note was added or changed, so
    /// the next search finds notes as they are now.
    pub fn reindex(&mut self) {
        self.stale = true;
        self.ids_stale = true;
        // Rows listed so far name nodes of the tree as it was.
        self.id_builder = None;
    }

    /// Whether the id rows are out of date (listed again between
    /// keystrokes, the old ones answering meanwhile).
    pub fn ids_stale(&self) -> bool {
        self.ids_stale
    }

    /// Drops an out-of-date index, so the next start builds it again.
    pub fn refresh_if_stale(&mut self) {
        if std::mem::take(&mut self.stale) {
            self.searcher = None;
        }
        // Note ids are ids too; rows being listed again are finished by
        // the next start.
        if std::mem::take(&mut self.ids_stale) {
            self.id_searcher = None;
        }
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
            || self.id_searcher.as_ref().is_some_and(IdSearcher::pending)
    }

    /// Whether the index is still being built.
    pub fn indexing(&self) -> bool {
        self.searcher.as_ref().is_some_and(|s| !s.ready())
    }

    pub fn submit(&mut self, query: &str) {
        if let Some(searcher) = &mut self.searcher {
            searcher.submit(query);
        }
        if let Some(searcher) = &mut self.id_searcher {
            searcher.submit(query);
        }
    }

    /// Takes in the newest results, if any; returns whether they changed.
    pub fn collect(&mut self) -> bool {
        let mut changed = false;
        if let Some(results) = self.searcher.as_mut().and_then(Searcher::poll) {
            self.results = Some(results);
            changed = true;
        }
        if let Some(results) = self.id_searcher.as_mut().and_then(IdSearcher::poll) {
            self.id_results = Some(results);
            changed = true;
        }
        changed
    }

    /// Waits up to `timeout` for the current query's results (for tests and
    /// scripted use; the event loop polls instead).
    pub fn wait(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.pending() && Instant::now() < deadline {
            if let Some(searcher) = self.searcher.as_mut().filter(|s| s.pending()) {
                if let Some(results) = searcher.wait(Duration::from_millis(50)) {
                    self.results = Some(results);
                }
            }
            if let Some(searcher) = self.id_searcher.as_mut().filter(|s| s.pending()) {
                if let Some(results) = searcher.wait(Duration::from_millis(50)) {
                    self.id_results = Some(results);
                }
            }
        }
        !self.pending()
    }

    /// Keeps a search's hits for `n`/`N`.
    pub fn remember(&mut self, hits: Vec<HitRef>, query: String, cursor: Option<usize>) {
        if !hits.is_empty() {
            self.last_hits = hits;
            self.last_query = query;
            self.hit_cursor = cursor;
        }
    }
}

/// How many ids the palette lists above the search's hits.
pub const PALETTE_IDS: usize = 5;
/// How many ids `:` lists for a query (the id worker keeps this many).
pub const GOTO_IDS: usize = 50;

/// The palette view: the query being typed and the selected row (the ids
/// the query matches first, then the search's hits).
#[derive(Debug, Clone, Default)]
pub struct PaletteView {
    pub query: String,
    /// Index of the selected row among the ids and the hits (headers not
    /// counted).
    pub selected: usize,
}

impl PaletteView {
    /// Opens on the last search's query, so `/` then `Enter` repeats it.
    pub fn new(query: &str) -> PaletteView {
        PaletteView {
            query: query.to_string(),
            selected: 0,
        }
    }

    /// The ids shown for the query, best first.
    pub fn id_hits(&self, shared: &Shared) -> Vec<String> {
        let search = &shared.search;
        self.id_rows(shared)
            .into_iter()
            .filter_map(|row| search.id_row(row).map(|(text, _)| text))
            .collect()
    }

    /// The ids shown for the query (indices into the id rows), and how
    /// many match in all.
    pub fn id_rows(&self, shared: &Shared) -> Vec<usize> {
        shared
            .search
            .id_hits(&self.query, PALETTE_IDS)
            .map(|(hits, _)| hits)
            .unwrap_or_default()
    }

    /// The query changed: search (ids and text) for it.
    fn query_changed(&mut self) -> Vec<Effect> {
        self.selected = 0;
        vec![Effect::Search(self.query.clone())]
    }

    fn close(&self, shared: &Shared, cursor: Option<usize>) -> Vec<Effect> {
        vec![
            Effect::Pop,
            Effect::RememberHits {
                hits: shared.search.hits(),
                query: self.query.clone(),
                cursor,
            },
        ]
    }
}

impl Component for PaletteView {
    fn keymap(&self) -> View {
        View::Palette
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let id_hits = self.id_rows(shared);
        let ids = id_hits.len();
        let last = (ids + shared.search.hit_count()).saturating_sub(1);
        let page = usize::from(shared.size.1 / 2).max(1);
        self.selected = self.selected.min(last);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::DeleteBack if self.query.pop().is_some() => return self.query_changed(),
            Action::ClearInput => {
                self.query.clear();
                return self.query_changed();
            }
            Action::Cancel | Action::Back => return self.close(shared, None),
            Action::Enter | Action::Submit if self.selected < ids => {
                let mut effects = self.close(shared, None);
                if let Some((_, target)) = shared.search.id_row(id_hits[self.selected]) {
                    effects.extend(go(&target, shared));
                }
                return effects;
            }
            Action::Enter | Action::Submit => {
                let hit = self.selected - ids;
                let hits = shared.search.hits();
                let mut effects = self.close(shared, Some(hit));
                effects.extend(hits.get(hit).cloned().map(Effect::GotoHit));
                return effects;
            }
            _ => {}
        }
        Vec::new()
    }

    /// A typed or pasted line searches as typed; line breaks end it.
    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        for c in text.chars().take_while(|c| *c != '\n' && *c != '\r') {
            if !c.is_control() {
                self.query.push(c);
            }
        }
        Some(self.query_changed())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::palette::render(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[
            (Action::Enter, "jump"),
            (Action::Down, "next"),
            (Action::Cancel, "close"),
        ]
    }

    fn title(&self, _shared: &Shared) -> String {
        format!("search \"{}\"", self.query)
    }

    fn popup(&self) -> bool {
        true
    }

    any_component!();
}
