//! qualm at the scale of a thousand policies: how long a folder takes to
//! reach the first frame, against a bare serde parse of the same files;
//! how long each keystroke's search takes while queries are typed letter by
//! letter; how long linting the folder takes; how long `qualm import`
//! takes on a 1 MB page; `fzf --filter` over the same clause lines; peak
//! memory against
//! the corpus size. Prints a table, then one JSON object as its last line.
//!
//! Run `scripts/bench` (it builds, and generates `target/bench-corpus`
//! when missing), or `cargo bench --bench scale -- DIR`.

#[path = "../tests/support/pty.rs"]
mod pty;

/// The 1 MB page `benches/import.rs` times stage by stage.
#[path = "import.rs"]
#[allow(dead_code)]
mod import_page;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use qualm::keymap::Keymap;
use qualm::model;
use qualm::search::{run_query, Index, Items, Session, PALETTE_HITS_PER_KIND};
use qualm::tui::app::App;
use qualm::tui::theme::Theme;
use qualm::tui::view;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// What analysts type: vendors, data types, half-remembered phrases.
const QUERIES: &[&str] = &[
    "salesforce",
    "retention period",
    "third parties",
    "email address",
    "cookies",
    "children under",
    "legal basis",
    "hubspot",
    "international transfer",
    "delete your data",
    "sell personal information",
    "ip adress",
];

/// What analysts type into `:` or the palette to reach an id.
const ID_QUERIES: &[&str] = &[
    "collect.contact",
    "clause arbor-cloud collect.usage",
    "flow arbor 0313",
    "recipient aws",
];

/// Counts live heap bytes, so the bench can say where the memory goes
/// (corpus, app, search index), not only the process's peak.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Off while the load is timed. Bytes freed then that were counted before
/// are not subtracted either, so figures taken across it stay right.
static COUNTING: AtomicBool = AtomicBool::new(true);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(new_size as isize, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0)
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// CPU time of this thread: on a busy machine, wall-clock time per
/// keystroke counts the time other processes held the core.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Process start to the first frame with the policy tree on screen: the
/// real binary in an 80x24 pseudo-terminal, opened on `dir`, until
/// `first_policy` (the first policy's id, as the tree lists it) shows in
/// the tree pane: an empty tree with a progress line does not count. Then
/// on to the end of the background load, when the tree's title counts
/// `policies` and the status line's "loading N / M policies" is gone: the
/// second figure.
fn first_frame_ms(dir: &Path, first_policy: &str, policies: usize) -> Option<(f64, Option<f64>)> {
    let all_in = format!("Policies ({policies})");
    let binary = env!("CARGO_BIN_EXE_qualm");
    let dir = dir.canonicalize().ok()?;
    let started = Instant::now();
    let mut session = pty::Session::start(binary, &[dir.to_str()?], &[], 80, 24);
    // Polled every few milliseconds, so the figures are that coarse.
    let mut first = None;
    while started.elapsed() < Duration::from_secs(600) {
        session.pump(Duration::from_millis(2));
        let screen = session.screen();
        match first {
            None if screen.contains(first_policy) => first = Some(ms(started.elapsed())),
            Some(first) if screen.contains(&all_in) && !screen.contains("loading ") => {
                return Some((first, Some(ms(started.elapsed()))))
            }
            _ => {}
        }
    }
    first.map(|f| (f, None))
}

/// Wall-clock time of `qualm import` (the release binary, a process of its
/// own) on the 1 MB page of `benches/import.rs`, generated here, with the
/// model written to a scratch folder; the best of three.
fn import_ms() -> Option<f64> {
    let scratch = std::env::temp_dir().join(format!("qualm-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).ok()?;
    let page = scratch.join("page.html");
    std::fs::write(&page, import_page::page()).ok()?;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let out = scratch.join("out");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).ok()?;
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_qualm"))
            .args([
                "import",
                "--id",
                "bench-2024",
                "--organization",
                "Bench",
                "--out",
            ])
            .arg(&out)
            .arg(&page)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        best = best.min(ms(started.elapsed()));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Some(best)
}

/// CPU time of the whole process (every thread), user and system.
fn process_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn folder_mb(dir: &Path) -> f64 {
    let bytes: u64 = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/bench-corpus"));
    assert!(
        dir.is_dir(),
        "no corpus at {} (scripts/bench generates it)",
        dir.display()
    );
    let files = model::load::model_files_in(&dir).expect("corpus folder");
    // `--search-only`: skip the bare parse, lint and fzf while profiling.
    let search_only = std::env::args().any(|a| a == "--search-only");
    // `--load-only`: the bare parse and the load, nothing else.
    let load_only = std::env::args().any(|a| a == "--load-only");

    // Start to first frame in the real binary, before this process holds
    // the corpus in memory. The tree lists policies by id: the first in
    // order, cut to what an 80-column tree shows whole.
    let first_policy = files
        .iter()
        .filter_map(|f| Some(f.file_stem()?.to_str()?.to_string()))
        .min()
        .unwrap_or_default();
    let first_policy: String = first_policy.chars().take(16).collect();
    let first_frame = if search_only || load_only {
        None
    } else {
        first_frame_ms(&dir, &first_policy, files.len())
    };

    // `--first-frame-only`: that figure, three times, and nothing else.
    if std::env::args().any(|a| a == "--first-frame-only") {
        for _ in 0..3 {
            println!(
                "first frame {:?}",
                first_frame_ms(&dir, &first_policy, files.len())
            );
        }
        return;
    }
    let import = if search_only || load_only {
        None
    } else {
        import_ms()
    };

    // The baseline: every model file read and parsed into a generic YAML
    // value by serde, on one thread.
    let started = Instant::now();
    let cpu = process_cpu();
    for file in files.iter().filter(|_| !search_only) {
        let text = std::fs::read_to_string(file).expect("readable");
        let value: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
        std::hint::black_box(value);
    }
    let bare_parse = started.elapsed();
    let bare_parse_cpu = process_cpu() - cpu;

    // Folder to first frame: load (validated, sanitized, on all cores),
    // build the app, draw one 80x24 frame. Allocations are not counted
    // meanwhile: one counter bumped by both loader threads would make them
    // take turns.
    COUNTING.store(false, Ordering::SeqCst);
    let started = Instant::now();
    let cpu = process_cpu();
    let corpus = model::load(std::slice::from_ref(&dir));
    let model_load = started.elapsed();
    let mut app = App::new(corpus, Keymap::defaults(), Theme::new(true));
    app.resize(80, 24);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
    terminal
        .draw(|f| view::render(f, &app))
        .expect("first frame");
    let load = started.elapsed();
    let load_cpu = process_cpu() - cpu;
    drop(app);
    // The peak resident memory is that of the second load below: freed
    // memory goes back to the system and the kernel's peak is reset
    // (`clear_refs` 5), so two loads do not count as one larger one.
    // SAFETY: malloc_trim only returns free memory to the system.
    unsafe { libc::malloc_trim(0) };
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    // Again, counted, for where the memory goes (not timed).
    COUNTING.store(true, Ordering::SeqCst);
    let live_before = live_mb();
    let corpus = model::load(std::slice::from_ref(&dir));
    let live_corpus = live_mb() - live_before;
    let mut app = App::new(corpus, Keymap::defaults(), Theme::new(true));
    let live_app = live_mb() - live_before - live_corpus;
    app.resize(80, 24);
    if load_only {
        println!(
            "bare parse {:.1} ms (cpu {:.1}), load {:.1} ms (cpu {:.1}; model::load {:.1} ms)",
            ms(bare_parse),
            ms(bare_parse_cpu),
            ms(load),
            ms(load_cpu),
            ms(model_load)
        );
        return;
    }
    let policies = app.shared.corpus.policies.len();
    let errors = app.shared.corpus.error_count();
    let clauses: usize = app
        .shared
        .corpus
        .policies
        .iter()
        .map(|p| p.policy.clauses().count())
        .sum();

    // The index, as the TUI builds it after the first frame.
    let started = Instant::now();
    let items = Items::from_corpus_with_notes(&app.shared.corpus, &app.shared.reviews);
    let item_count = items.len();
    let index = Index::build(items);
    let live_index = live_mb() - live_before - live_corpus - live_app;
    let index_time = started.elapsed();
    let terms = index.term_count();
    let rss = peak_rss_mb();

    // Keystrokes: each prefix of each query, through the worker's own code
    // path (narrowing from the previous keystroke, top hits per kind).
    let mut session = Session::new(&index);
    let mut per_key = Vec::new();
    let mut per_key_cpu = Vec::new();
    let mut heaviest = Vec::new();
    let mut generation = 0;
    for query in QUERIES {
        for end in query.char_indices().map(|(i, c)| i + c.len_utf8()) {
            generation += 1;
            let cpu = thread_cpu();
            let started = Instant::now();
            let results = run_query(
                &mut session,
                generation,
                &query[..end],
                PALETTE_HITS_PER_KIND,
                &|| false,
            )
            .expect("not cancelled");
            per_key.push(ms(started.elapsed()));
            let cpu = ms(thread_cpu() - cpu);
            per_key_cpu.push(cpu);
            heaviest.push((cpu, &query[..end], session.stats()));
            std::hint::black_box(results);
        }
    }
    per_key.sort_by(f64::total_cmp);
    per_key_cpu.sort_by(f64::total_cmp);
    heaviest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (p50, p95, worst) = (
        percentile(&per_key, 50.0),
        percentile(&per_key, 95.0),
        *per_key.last().unwrap(),
    );
    // The same queries typed afresh (no narrowing): whole-query cost.
    let mut fresh = Vec::new();
    for query in QUERIES {
        let started = Instant::now();
        std::hint::black_box(index.search(query));
        fresh.push(ms(started.elapsed()));
    }
    fresh.sort_by(f64::total_cmp);

    // Ids for the palette and `:`: the rows are built on the UI thread
    // once (when `:` or `/` is first pressed), their dictionary on a second
    // worker; then each keystroke of ids. The heap figure is both.
    let live_before_ids = live_mb();
    let started = Instant::now();
    let id_rows = qualm::tui::goto::id_rows(&app.shared);
    let id_rows_time = started.elapsed();
    let started = Instant::now();
    let mut id_matcher = qualm::search::IdMatcher::new(id_rows.table.clone());
    let id_index_time = started.elapsed();
    let live_ids = live_mb() - live_before_ids;
    let mut id_per_key = Vec::new();
    for query in ID_QUERIES.iter().chain(QUERIES) {
        for end in query.char_indices().map(|(i, c)| i + c.len_utf8()) {
            let started = Instant::now();
            let results = id_matcher
                .search(&query[..end], qualm::tui::palette::GOTO_IDS, &|| false)
                .expect("not cancelled");
            id_per_key.push(ms(started.elapsed()));
            std::hint::black_box(results);
        }
    }
    id_per_key.sort_by(f64::total_cmp);

    // Linting the whole folder (every rule and checklist), after loading.
    let started = Instant::now();
    let checklists = qualm::findings::checklist::Checklists::builtin();
    let report = if search_only {
        Default::default()
    } else {
        qualm::findings::run(
            &app.shared.corpus,
            None,
            &checklists,
            &qualm::findings::Options::default(),
        )
    };
    let lint = started.elapsed();
    let finding_count = report.findings.len();

    // fzf over the same clause texts, one per line.
    let fzf = if search_only {
        None
    } else {
        fzf_filter_ms(&app)
    };

    let corpus_mb = folder_mb(&dir);
    println!("corpus      {} ({policies} policies, {clauses} clauses, {errors} errors, {corpus_mb:.1} MiB)", dir.display());
    println!(
        "bare parse  {:>9.1} ms  (serde_yaml::Value, one thread)",
        ms(bare_parse)
    );
    println!(
        "  cpu time  {:>9.1} ms  (so a busy machine shows what the parse costs)",
        ms(bare_parse_cpu)
    );
    println!(
        "load        {:>9.1} ms  (model::load + App::new + first 80x24 frame)",
        ms(load)
    );
    println!(
        "  cpu time  {:>9.1} ms  (all threads; ≤ 2x the bare parse's keeps up with it on 2 free cores)",
        ms(load_cpu)
    );
    match first_frame {
        Some((f, loaded)) => {
            println!(
                "first frame {f:>9.1} ms  (the qualm binary in a pty, start to tree on screen)"
            );
            if let Some(loaded) = loaded {
                println!("tui loaded  {loaded:>9.1} ms  (the same, start to the whole folder in the tree)");
            }
        }
        None => println!("first frame not measured"),
    }
    match import {
        Some(i) => {
            println!("import      {i:>9.1} ms  (qualm import of a 1 MB HTML page, best of 3)")
        }
        None => println!("import      not measured"),
    }
    println!("index       {:>9.1} ms  ({item_count} items, {terms} distinct words; built off the UI thread)", ms(index_time));
    println!(
        "keystroke   {p50:>9.2} ms p50, {p95:.2} ms p95, {worst:.2} ms worst ({} keystrokes)",
        per_key.len()
    );
    println!(
        "  cpu time  {:>9.2} ms p50, {:.2} ms p95 (this thread only)",
        percentile(&per_key_cpu, 50.0),
        percentile(&per_key_cpu, 95.0)
    );
    println!(
        "  heaviest keystrokes (cpu ms, query, how, words scored, postings, candidates, hits):"
    );
    for (cpu, query, stats) in heaviest.iter().take(8) {
        println!(
            "  {cpu:>9.2} ms  {query:<24} {:<9} {:>6} {:>9} {:>9} {:>9}",
            stats.path,
            stats.terms_scored,
            stats.postings_visited,
            stats.candidates_checked,
            stats.hits
        );
    }
    println!(
        "ids         {:>9.1} ms rows (UI thread, once), {:.1} ms dictionary (worker), {} ids, {live_ids:.1} MiB",
        ms(id_rows_time),
        ms(id_index_time),
        id_rows.len()
    );
    println!(
        "  keystroke {:>9.2} ms p50, {:.2} ms p95, {:.2} ms worst ({} keystrokes)",
        percentile(&id_per_key, 50.0),
        percentile(&id_per_key, 95.0),
        id_per_key.last().copied().unwrap_or_default(),
        id_per_key.len()
    );
    println!(
        "fresh query {:>9.2} ms median (whole query, no narrowing)",
        percentile(&fresh, 50.0)
    );
    println!(
        "lint        {:>9.1} ms  ({finding_count} findings; every rule and checklist)",
        ms(lint)
    );
    match fzf {
        Some(f) => println!("fzf filter  {f:>9.1} ms median over the queries"),
        None => println!("fzf filter  not installed"),
    }
    if let Some(rss) = rss {
        println!("peak rss    {rss:>9.1} MiB");
    }
    println!(
        "live heap   {:>9.1} MiB  (model {live_corpus:.1}, app {live_app:.1}, search index {live_index:.1})",
        live_corpus + live_app + live_index
    );
    let json = serde_json::json!({
        "load_ms": ms(load),
        "first_frame_ms": first_frame.map(|f| f.0),
        "tui_loaded_ms": first_frame.and_then(|f| f.1),
        "import_ms": import,
        "bare_parse_ms": ms(bare_parse),
        "bare_parse_cpu_ms": ms(bare_parse_cpu),
        "load_cpu_ms": ms(load_cpu),
        "lint_ms": ms(lint),
        "search_p50_ms": p50,
        "ids_rows_ms": ms(id_rows_time),
        "ids_index_ms": ms(id_index_time),
        "ids_p95_ms": percentile(&id_per_key, 95.0),
        "search_p95_ms": p95,
        "search_max_ms": worst,
        "search_cpu_p95_ms": percentile(&per_key_cpu, 95.0),
        "fzf_filter_ms": fzf,
        "rss_mb": rss.map(|r| (r * 10.0).round() / 10.0),
        "corpus_mb": (corpus_mb * 10.0).round() / 10.0,
        "index_ms": ms(index_time),
        "heap_model_mb": (live_corpus * 10.0).round() / 10.0,
        "heap_app_mb": (live_app * 10.0).round() / 10.0,
        "heap_index_mb": (live_index * 10.0).round() / 10.0,
        "policies": policies,
        "clauses": clauses,
        "items": item_count,
        "keystrokes": per_key.len(),
    });
    println!("{json}");
}

/// Median time of `fzf --filter QUERY` over every clause's text as a line.
fn fzf_filter_ms(app: &App) -> Option<f64> {
    let found = Command::new("sh")
        .args(["-c", "command -v fzf"])
        .stdout(Stdio::null())
        .status()
        .ok()?
        .success();
    if !found {
        return None;
    }
    let lines: String = app
        .shared
        .corpus
        .policies
        .iter()
        .flat_map(|p| {
            p.policy
                .clauses()
                .map(|(_, c)| c.text.replace('\n', " ") + "\n")
        })
        .collect();
    let path = std::env::temp_dir().join(format!("qualm-bench-clauses-{}.txt", std::process::id()));
    std::fs::write(&path, lines).ok()?;
    let mut times = Vec::new();
    for query in QUERIES {
        let input = std::fs::File::open(&path).ok()?;
        let started = Instant::now();
        let status = Command::new("fzf")
            .args(["--filter", query])
            .stdin(input)
            .stdout(Stdio::null())
            .status()
            .ok()?;
        // fzf exits 1 when nothing matched; that is still a full pass.
        if status.code().is_none_or(|c| c > 1) {
            return None;
        }
        times.push(ms(started.elapsed()));
    }
    let _ = std::fs::remove_file(&path);
    times.sort_by(f64::total_cmp);
    Some(percentile(&times, 50.0))
}
