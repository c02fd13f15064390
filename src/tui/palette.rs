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
use crate::search::{Items, Kind, Results, Searcher, PALETTE_HITS_PER_KIND};

use super::action::Action;
use super::app::Shared;
use super::component::Component;
use super::effect::Effect;
use super::goto::{go, id_rows, IdTarget};
use super::widgets::filter::Filter;

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
    /// The hits of the last search that was jumped from or closed, in the
    /// palette's order, for `n`/`N`.
    pub last_hits: Vec<HitRef>,
    pub last_query: String,
    pub hit_cursor: Option<usize>,
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

    /// Marks the index out of date, after a note was added or changed, so
    /// the next search finds notes as they are now.
    pub fn reindex(&mut self) {
        self.stale = true;
    }

    /// Drops an out-of-date index, so the next start builds it again.
    pub fn refresh_if_stale(&mut self) {
        if std::mem::take(&mut self.stale) {
            self.searcher = None;
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
    }

    /// Whether the index is still being built.
    pub fn indexing(&self) -> bool {
        self.searcher.as_ref().is_some_and(|s| !s.ready())
    }

    pub fn submit(&mut self, query: &str) {
        if let Some(searcher) = &mut self.searcher {
            searcher.submit(query);
        }
    }

    /// Takes in the newest results, if any; returns whether they changed.
    pub fn collect(&mut self) -> bool {
        let Some(results) = self.searcher.as_mut().and_then(Searcher::poll) else {
            return false;
        };
        self.results = Some(results);
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

/// The palette view: the query being typed, the ids it matches, and the
/// selected row (the ids first, then the search's hits).
#[derive(Debug, Clone, Default)]
pub struct PaletteView {
    pub query: String,
    /// Index of the selected row among the ids and the hits (headers not
    /// counted).
    pub selected: usize,
    /// Every id of the folder, as `:` lists them (built when the palette
    /// opens: ids are matched here, at once, not on the worker).
    ids: Vec<(String, IdTarget)>,
    /// The best ids for the query, best first, as indices into `ids`.
    id_hits: Vec<usize>,
    /// How many ids match in all.
    pub id_total: usize,
}

impl PaletteView {
    /// Opens on the last search's query, so `/` then `Enter` repeats it.
    pub fn new(query: &str, shared: &Shared) -> PaletteView {
        let mut view = PaletteView {
            query: query.to_string(),
            selected: 0,
            ids: id_rows(shared),
            id_hits: Vec::new(),
            id_total: 0,
        };
        view.match_ids();
        view
    }

    fn match_ids(&mut self) {
        let filter = Filter {
            query: self.query.clone(),
            editing: false,
        };
        if !filter.active() {
            self.id_hits.clear();
            self.id_total = 0;
            return;
        }
        let order = filter.order(self.ids.iter().map(|(text, _)| text.as_str()));
        self.id_total = order.len();
        self.id_hits = order.into_iter().take(PALETTE_IDS).collect();
    }

    /// The ids shown for the query, best first.
    pub fn id_hits(&self) -> impl Iterator<Item = &str> {
        self.id_hits.iter().map(|&i| self.ids[i].0.as_str())
    }

    /// The query changed: match ids again and search for it.
    fn query_changed(&mut self) -> Vec<Effect> {
        self.selected = 0;
        self.match_ids();
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
        let ids = self.id_hits.len();
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
                effects.extend(go(&self.ids[self.id_hits[self.selected]].1, shared));
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
