//! The workbench on a large folder opens at once and fills in while the
//! folder loads (keys work, whole-folder views say what they wait for), and
//! a terminal that goes away ends it promptly with the note being written
//! kept. Drives the real binary in a pseudo-terminal.

#[path = "support/pty.rs"]
mod pty;

use std::path::Path;
use std::time::{Duration, Instant};

use pty::Session;

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");
const WAIT: Duration = Duration::from_secs(20);

/// The shipped policies, and `copies` copies of each under new ids (file
/// names after theirs, so the originals load first).
fn large_folder(copies: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        std::fs::copy(&path, dir.path().join(&name)).unwrap();
        let Some(id) = name.strip_suffix(".yaml") else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains(&format!("\n  id: {id}\n")) {
            continue; // the vocabulary and checklists
        }
        for n in 0..copies {
            let copy = text.replacen(
                &format!("\n  id: {id}\n"),
                &format!("\n  id: zz-{n:03}-{id}\n"),
                1,
            );
            std::fs::write(dir.path().join(format!("zz-{n:03}-{id}.yaml")), copy).unwrap();
        }
    }
    dir
}

/// Waits until `text` is no longer on screen.
fn wait_gone(s: &mut Session, text: &str, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if !s.screen().contains(text) {
            return true;
        }
        s.pump(Duration::from_millis(50));
    }
    !s.screen().contains(text)
}

#[test]
fn a_large_folder_opens_at_once_and_fills_in_while_keys_work() {
    let dir = large_folder(60);
    let folder = dir.path().to_str().unwrap();
    let mut s = Session::start(QUALM, &[folder], &[], 80, 24);
    // The first policy is on screen while the rest are loading.
    assert!(s.wait_for("qualer-2020", WAIT), "{}", s.screen());
    // The rest of that frame.
    s.settle(Duration::from_millis(30));
    let screen = s.screen();
    assert!(
        screen.contains("loading ") && screen.contains(" / 305 policies"),
        "a progress line while loading:\n{screen}"
    );
    // Keys work meanwhile: open the first policy.
    s.send(b"l");
    assert!(s.wait_for("Sections", WAIT), "{}", s.screen());
    // Search needs the whole folder, and says so rather than search part.
    s.send(b"/");
    assert!(
        s.wait_for("search waits for the whole folder", WAIT),
        "{}",
        s.screen()
    );
    // Up, on the first row: clears the message, the selection stays.
    s.send(b"k");
    assert!(
        s.wait_for("Policies (305)", Duration::from_secs(120)),
        "every policy joins the tree:\n{}",
        s.screen()
    );
    assert!(
        wait_gone(&mut s, "loading ", WAIT),
        "the progress line goes:\n{}",
        s.screen()
    );
    // Still on the policy it opened, with the whole folder below it.
    assert!(s.screen().contains(">▾ qualer-2020"), "{}", s.screen());
    s.send(b"G");
    assert!(s.wait_for("zz-059-qualys-2020", WAIT), "{}", s.screen());
    s.send(b"/");
    assert!(s.wait_for("Search", WAIT), "{}", s.screen());
    assert!(!s.screen().contains("waits for"), "{}", s.screen());
    s.send(b"\x1b");
    s.settle(Duration::from_millis(150));
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some(), "quits");
}

fn scratch_policies() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// CPU time (user + system) of a process so far, from /proc.
fn cpu_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 1000.0 / 100.0)
}

#[test]
fn a_dropped_terminal_ends_the_workbench_at_once_keeping_the_note() {
    let dir = scratch_policies();
    let folder = dir.path().to_str().unwrap();
    let mut s = Session::start(QUALM, &[folder], &[("QUALM_AUTHOR", "e2e")], 80, 24);
    assert!(s.wait_for("quali-2024", WAIT), "{}", s.screen());
    s.send(b"j");
    s.settle(Duration::from_millis(150));
    s.send(b"a");
    assert!(s.wait_for("New note · quali-2024", WAIT), "{}", s.screen());
    s.send(b"typed when the connection dropped");
    s.settle(Duration::from_millis(150));
    let pid = s.pid().unwrap();
    let cpu_before = cpu_ms(pid);
    let dropped = Instant::now();
    s.hang_up();
    let cpu_at_exit = {
        // Sampled until the process is gone: what it burnt on the way out.
        let mut last = cpu_before;
        while dropped.elapsed() < Duration::from_secs(5) {
            match cpu_ms(pid) {
                Some(ms) => last = Some(ms),
                None => break,
            }
            if let Ok(Some(_)) = s.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        last
    };
    let status = s.wait_exit(Duration::from_secs(5));
    let took = dropped.elapsed();
    assert!(status.is_some(), "qualm exits when its terminal goes away");
    // Before, a watchdog ended it after 0.5 s of spinning: the CPU bound
    // below tells the two apart even on a busy machine, so this one is
    // loose.
    assert!(
        took < Duration::from_secs(1),
        "exits within a second of the hang-up, took {took:?}"
    );
    if let (Some(before), Some(after)) = (cpu_before, cpu_at_exit) {
        assert!(
            after - before < 150.0,
            "no spinning on the closed terminal: {:.0} ms of CPU after the hang-up",
            after - before
        );
    }
    // In the review file, or (when the watchdog ended the process while
    // it moved the draft there, on a loaded machine) in this process's
    // lock-free draft file, which the next start picks up.
    let review = std::fs::read_dir(folder)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("quali-2024.review"))
        })
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .find(|text| text.contains("typed when"))
        .expect("the draft is written");
    assert!(review.contains("status: draft"), "{review}");
    assert!(
        review.contains("body: typed when the connection dropped"),
        "{review}"
    );
}

#[test]
fn the_selection_comes_back_when_its_policy_has_loaded() {
    let dir = large_folder(20);
    let state = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    let env = [("XDG_STATE_HOME", state.path().to_str().unwrap())];
    let mut s = Session::start(QUALM, &[folder], &env, 80, 24);
    assert!(s.wait_for("Policies (105)", WAIT), "{}", s.screen());
    // The last policy, the last to load.
    s.send(b"G");
    assert!(s.wait_for(">▸ zz-019-qualys-2020", WAIT), "{}", s.screen());
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some(), "quits");

    let mut s = Session::start(QUALM, &[folder], &env, 80, 24);
    assert!(
        s.wait_for(">▸ zz-019-qualys-2020", WAIT),
        "selected again once loaded:\n{}",
        s.screen()
    );
    assert!(s.screen().contains("Policies (105)"), "{}", s.screen());
}

/// The model forms keep what was typed when the connection drops, as the
/// note editor does: here a context form, saved as named.
#[test]
fn a_model_form_open_when_the_terminal_drops_is_saved() {
    let dir = scratch_policies();
    let folder = dir.path().to_str().unwrap();
    let mut s = Session::start(QUALM, &[folder], &[("QUALM_AUTHOR", "e2e")], 80, 24);
    assert!(s.wait_for("quali-2024", WAIT), "{}", s.screen());
    s.send(b"j");
    s.settle(Duration::from_millis(150));
    s.send(b"mc");
    assert!(s.wait_for("New context", WAIT), "{}", s.screen());
    s.send(b"Typed before the drop");
    s.settle(Duration::from_millis(150));
    s.hang_up();
    assert!(
        s.wait_exit(Duration::from_secs(10)).is_some(),
        "qualm exits when its terminal goes away"
    );
    let model = std::fs::read_to_string(Path::new(folder).join("quali-2024.yaml")).unwrap();
    assert!(model.contains("name: Typed before the drop"), "{model}");
}
