//! Searching off the UI thread. The UI submits each keystroke's query with
//! a new generation number; the worker always runs the newest one, gives up
//! a query as soon as a newer one arrives (it checks the generation as it
//! goes), and the UI only ever accepts results of the generation it asked
//! for last, so a stale answer can never be shown.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::index::{Index, Session};
use super::{Items, Kind, SearchItem};

/// A hit as the palette shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub item: SearchItem,
    pub score: i64,
}

/// The hits of one kind, best first, with how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundGroup {
    pub kind: Kind,
    pub total: usize,
    pub hits: Vec<Found>,
}

/// One query's answer: the best hits of each kind, groups ordered by their
/// best hit.
#[derive(Debug, Clone)]
pub struct Results {
    pub generation: u64,
    pub query: String,
    pub groups: Vec<FoundGroup>,
    /// Hits of every kind, in all.
    pub total: usize,
    /// Time spent computing it on the worker.
    pub elapsed: Duration,
}

/// Runs one query in a session and shapes its answer for the palette; the
/// worker's whole job per keystroke, so benchmarks time exactly this.
/// `None` if `cancelled` said so first.
pub fn run_query<I: std::ops::Deref<Target = Index>>(
    session: &mut Session<I>,
    generation: u64,
    query: &str,
    per_kind: usize,
    cancelled: &dyn Fn() -> bool,
) -> Option<Results> {
    let started = Instant::now();
    let hits = session.search_shared(query, cancelled)?;
    let index = session.index();
    let groups = index
        .top_per_kind(&hits, per_kind)
        .into_iter()
        .map(|g| FoundGroup {
            kind: g.kind,
            total: g.total,
            hits: g
                .hits
                .iter()
                .map(|&h| Found {
                    item: index.item(h).to_item(),
                    score: i64::from(h.score),
                })
                .collect(),
        })
        .collect();
    Some(Results {
        generation,
        query: query.to_string(),
        groups,
        total: hits.len(),
        elapsed: started.elapsed(),
    })
}

/// An answer a [`QueryWorker`] delivers: which query it answers.
pub trait Answer: Send + 'static {
    fn generation(&self) -> u64;
}

impl Answer for Results {
    fn generation(&self) -> u64 {
        self.generation
    }
}

/// The UI's handle on a worker thread that answers queries (the search
/// palette's, and `:`'s ids): the protocol in this module's doc comment.
pub struct QueryWorker<R> {
    requests: Sender<(u64, String)>,
    results: Receiver<R>,
    /// The newest generation submitted; the worker reads it to cancel.
    latest: Arc<AtomicU64>,
    ready: Arc<AtomicBool>,
    submitted: u64,
    delivered: u64,
}

/// The palette's search worker.
pub type Searcher = QueryWorker<Results>;

impl Searcher {
    /// Starts the worker: it builds the index from `items` first, then
    /// answers queries with at most `per_kind` hits of each kind.
    pub fn spawn(items: impl Into<Items>, per_kind: usize) -> Searcher {
        let items: Items = items.into();
        QueryWorker::start(
            "qualm-search",
            move || Session::new(Arc::new(Index::build(items))),
            move |session, generation, query, cancelled| {
                run_query(session, generation, &query, per_kind, cancelled)
            },
        )
    }
}

impl<R: Answer> QueryWorker<R> {
    /// Starts a thread named `name` that makes its state with `build`
    /// (the index: `ready` says when), then answers the newest query with
    /// `answer`, which gives up (None) once `cancelled` says so.
    pub fn start<S>(
        name: &str,
        build: impl FnOnce() -> S + Send + 'static,
        mut answer: impl FnMut(&mut S, u64, String, &dyn Fn() -> bool) -> Option<R> + Send + 'static,
    ) -> QueryWorker<R> {
        let (requests, request_rx) = mpsc::channel::<(u64, String)>();
        let (result_tx, results) = mpsc::channel();
        let latest = Arc::new(AtomicU64::new(0));
        let ready = Arc::new(AtomicBool::new(false));
        let (worker_latest, worker_ready) = (Arc::clone(&latest), Arc::clone(&ready));
        thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let mut state = build();
                worker_ready.store(true, Ordering::Release);
                while let Ok(mut request) = request_rx.recv() {
                    // Only the newest query matters.
                    while let Ok(newer) = request_rx.try_recv() {
                        request = newer;
                    }
                    let (generation, query) = request;
                    let cancelled = || worker_latest.load(Ordering::Acquire) != generation;
                    if cancelled() {
                        continue;
                    }
                    if let Some(results) = answer(&mut state, generation, query, &cancelled) {
                        if result_tx.send(results).is_err() {
                            return;
                        }
                    }
                }
            })
            .expect("cannot start a search thread");
        QueryWorker {
            requests,
            results,
            latest,
            ready,
            submitted: 0,
            delivered: 0,
        }
    }

    /// Asks for `query`; any earlier query still running is abandoned.
    /// Returns its generation.
    pub fn submit(&mut self, query: &str) -> u64 {
        self.submitted += 1;
        self.latest.store(self.submitted, Ordering::Release);
        // A closed channel means the worker died; `pending` then stays true
        // and the palette keeps saying it is searching, which is the truth.
        let _ = self.requests.send((self.submitted, query.to_string()));
        self.submitted
    }

    /// The results of the newest query if they have arrived; older ones
    /// are dropped unseen.
    pub fn poll(&mut self) -> Option<R> {
        let mut newest = None;
        while let Ok(results) = self.results.try_recv() {
            if results.generation() == self.submitted {
                self.delivered = results.generation();
                newest = Some(results);
            }
        }
        newest
    }

    /// Waits up to `timeout` for the newest query's results (for tests,
    /// benchmarks and scripts; the UI polls).
    pub fn wait(&mut self, timeout: Duration) -> Option<R> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.results.recv_timeout(left) {
                Ok(results) if results.generation() == self.submitted => {
                    self.delivered = results.generation();
                    return Some(results);
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Whether the newest query's results are still to come.
    pub fn pending(&self) -> bool {
        self.delivered != self.submitted
    }

    /// Whether the index is built (until then queries wait in line).
    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
}

impl<R> Drop for QueryWorker<R> {
    fn drop(&mut self) {
        // Stop any query in progress; the closed channel ends the thread.
        self.latest.store(u64::MAX, Ordering::Release);
    }
}
