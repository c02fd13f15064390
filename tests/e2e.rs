//! End to end: the real binary in a pseudo-terminal, driven by keys as an
//! analyst would, with the screen read back through a vt100 model.

#[path = "support/pty.rs"]
mod pty;

use std::time::Duration;

use pty::Session;

const QUALM: &str = env!("CARGO_BIN_EXE_qualm");
const WAIT: Duration = Duration::from_secs(10);
/// Leaving the alternate screen: the shell's screen is back.
const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn browse_to_a_quali_context_follow_evidence_open_help_and_quit() {
    let mut s = Session::start(QUALM, &[], &[], 80, 24);
    assert!(
        s.wait_for("quali-2024", WAIT),
        "policies listed:\n{}",
        s.screen()
    );
    for policy in ["qualer-2020", "qualisys", "qualys-2015", "qualys-2020"] {
        assert!(
            s.screen().contains(policy),
            "{policy} listed:\n{}",
            s.screen()
        );
    }
    // Down to quali-2024, open everything, walk down to a context that
    // names Salesforce among its recipients.
    s.send(b"j");
    s.send(b"zR");
    let mut found = false;
    for _ in 0..40 {
        s.press(b"j");
        if s.screen().contains("Salesforce (CRM)") {
            found = true;
            break;
        }
    }
    assert!(
        found,
        "a Quali context card shows Salesforce:\n{}",
        s.screen()
    );
    assert!(s.screen().contains("Recipients"), "{}", s.screen());
    // Into the card, down to an evidence clause, follow it.
    s.send(b"\t");
    s.send(b"\r");
    assert!(
        s.wait_for("Cited by", WAIT),
        "evidence leads to the clause:\n{}",
        s.screen()
    );
    assert!(s.screen().contains("Clause"), "{}", s.screen());
    // Back through the jump list.
    s.send(b"H");
    assert!(s.wait_for("Context", WAIT), "{}", s.screen());
    s.send(b"?");
    assert!(s.wait_for("Help", WAIT), "help opens:\n{}", s.screen());
    assert!(
        s.screen().contains("follow evidence"),
        "help lists the detail keys:\n{}",
        s.screen()
    );
    s.send(b"\x1b");
    s.settle(Duration::from_millis(100));
    s.send(b"q");
    let status = s.wait_exit(WAIT).expect("q quits");
    assert!(status.success());
    assert!(
        contains(&s.raw, LEAVE_ALT_SCREEN),
        "the alternate screen was left"
    );
    assert!(!s.parser.screen().alternate_screen());
}

#[test]
fn sighup_restores_the_terminal_and_exits_promptly() {
    let mut s = Session::start(QUALM, &[], &[], 80, 24);
    assert!(s.wait_for("Policies", WAIT), "{}", s.screen());
    let pid = s.child.process_id().unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(
        s.wait_exit(Duration::from_secs(3)).is_some(),
        "qualm exits within 3 s of SIGHUP"
    );
    s.settle(Duration::from_millis(100));
    assert!(
        contains(&s.raw, LEAVE_ALT_SCREEN),
        "the alternate screen was left"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = Session::start(QUALM, &[], &[], 80, 24);
    assert!(s.wait_for("Policies", WAIT), "{}", s.screen());
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(
        s.wait_exit(Duration::from_secs(3)).is_some(),
        "qualm exits on SIGTERM"
    );
    s.settle(Duration::from_millis(100));
    assert!(contains(&s.raw, LEAVE_ALT_SCREEN));
    assert!(!s.parser.screen().alternate_screen());
}

#[test]
fn a_user_keymap_changes_help_and_behaviour() {
    let dir = tempfile::tempdir().unwrap();
    let keymap = dir.path().join("keymap.toml");
    std::fs::write(
        &keymap,
        "[global]\nkeymap = [ { on = \"x\", run = \"quit\", desc = \"leave qualm now\" }, { on = \"q\", run = \"noop\" } ]\n",
    )
    .unwrap();
    let mut s = Session::start(QUALM, &["--keymap", keymap.to_str().unwrap()], &[], 100, 40);
    assert!(s.wait_for("Policies", WAIT), "{}", s.screen());
    // Help is long: its filter finds the binding.
    s.send(b"?/leave");
    assert!(
        s.wait_for("leave qualm now", WAIT),
        "help shows the user's binding:\n{}",
        s.screen()
    );
    // `Esc` alone (a key after it at once would read as Alt-key): the
    // first drops the filter, the second closes help.
    s.send(b"\x1b");
    assert!(s.wait_gone("/leave", WAIT), "{}", s.screen());
    s.settle(Duration::from_millis(100));
    s.send(b"\x1b");
    // Waited for, not slept on: on a loaded machine a frame can be late.
    assert!(s.wait_gone("Help ·", WAIT), "{}", s.screen());
    s.send(b"q");
    s.settle(Duration::from_millis(200));
    assert!(s.child.try_wait().unwrap().is_none(), "q is unbound");
    // `quit` closes the view on top, and quits on the last one.
    s.send(b"x");
    assert!(s.wait_exit(WAIT).is_some(), "x quits");
}

#[test]
fn a_bad_keymap_refuses_to_start_with_a_positioned_error() {
    let dir = tempfile::tempdir().unwrap();
    let keymap = dir.path().join("keymap.toml");
    std::fs::write(
        &keymap,
        "[tree]\nkeymap = [\n  { on = \"j\", run = \"dwon\" },\n]\n",
    )
    .unwrap();
    let out = std::process::Command::new(QUALM)
        .args(["--keymap", keymap.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("{}:3:21: error: unknown action \"dwon\"", keymap.display());
    assert!(stderr.starts_with(&expected), "{stderr}");
}

/// A copy of the shipped models to annotate, so the repository's own
/// folder stays clean.
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

#[test]
fn annotate_quit_reopen_and_a_hangup_mid_note_keeps_a_draft() {
    let dir = scratch_policies();
    let folder = dir.path().to_str().unwrap();
    let env = [("QUALM_AUTHOR", "e2e")];
    let mut s = Session::start(QUALM, &[folder], &env, 80, 24);
    assert!(s.wait_for("quali-2024", WAIT), "{}", s.screen());
    // The second policy, quali-2024: annotate it.
    s.send(b"j");
    s.settle(Duration::from_millis(150));
    s.send(b"a");
    assert!(
        s.wait_for("New note", WAIT),
        "the popup opens:\n{}",
        s.screen()
    );
    s.send(b"No legal basis is named.");
    s.send(b"\x13"); // Ctrl-s
    assert!(s.wait_for("saved to", WAIT), "{}", s.screen());
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some());
    let review = std::fs::read_to_string(dir.path().join("quali-2024.review.yaml")).unwrap();
    assert!(
        review.contains("body: No legal basis is named."),
        "{review}"
    );

    // Reopened: the note is listed; then a hang-up while typing another.
    let mut s = Session::start(QUALM, &[folder], &env, 80, 24);
    assert!(s.wait_for("quali-2024", WAIT), "{}", s.screen());
    s.send(b"A");
    assert!(
        s.wait_for("No legal basis is named.", WAIT),
        "{}",
        s.screen()
    );
    s.send(b"\x1b");
    s.settle(Duration::from_millis(100));
    s.send(b"ja");
    assert!(s.wait_for("New note · quali-2024", WAIT), "{}", s.screen());
    s.send(b"typed when the line dropped");
    s.settle(Duration::from_millis(150));
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(
        s.wait_exit(Duration::from_secs(3)).is_some(),
        "exits on SIGHUP"
    );
    let review = std::fs::read_to_string(dir.path().join("quali-2024.review.yaml")).unwrap();
    assert!(review.contains("status: draft"), "{review}");
    assert!(
        review.contains("body: typed when the line dropped"),
        "{review}"
    );
}

/// A copy of the shipped policies with two notes on quali-2024.
fn folder_with_notes() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let review = "schema: 1\npolicy: quali-2024\nnotes:\n\
        - id: ctx001\n  target:\n    context: portals\n  kind: vague-language\n  severity: medium\n  status: open\n  author: alice\n  created: 2026-11-20T09:00:00Z\n  updated: 2026-11-20T09:00:00Z\n  body: Which portals?\n\
        - id: cls002\n  target:\n    clause: collect.demo\n  kind: unnamed-recipients\n  severity: low\n  status: open\n  author: bob\n  created: 2026-11-21T10:30:00Z\n  updated: 2026-11-21T10:30:00Z\n  body: Who gets the demo data?\n";
    std::fs::write(dir.path().join("quali-2024.review.yaml"), review).unwrap();
    dir
}

/// Waits until the row holding the `>` cursor (in its first columns)
/// contains `text`.
fn cursor_on(s: &mut Session, text: &str) -> bool {
    let cursor_row = |s: &Session| {
        s.screen()
            .lines()
            .find(|l| l.trim_start_matches('│').starts_with('>'))
            .is_some_and(|l| l.contains(text))
    };
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        if cursor_row(s) {
            return true;
        }
        s.pump(Duration::from_millis(50));
    }
    cursor_row(s)
}

#[test]
fn notes_follow_a_note_ctrl_o_returns_to_the_row_and_q_closes_views_one_by_one() {
    let dir = folder_with_notes();
    let folder = dir.path().to_str().unwrap();
    let mut s = Session::start(QUALM, &[folder], &[], 80, 24);
    assert!(s.wait_for("Policies (5)", WAIT), "{}", s.screen());
    s.press(b"A");
    assert!(s.wait_for("clause:collect.demo", WAIT), "{}", s.screen());
    s.press(b"j");
    assert!(cursor_on(&mut s, "clause:collect.demo"), "{}", s.screen());
    // Follow the note to its clause.
    s.press(b"\r");
    assert!(
        s.wait_for("quali-2024 › collect.demo", WAIT),
        "{}",
        s.screen()
    );
    // Ctrl-o: back on the notes view, on the same row.
    s.press(b"\x0f");
    assert!(s.wait_for("Notes", WAIT), "{}", s.screen());
    assert!(
        cursor_on(&mut s, "clause:collect.demo"),
        "same row:\n{}",
        s.screen()
    );
    // Forward, then q closes the clause, q the notes, q quits.
    s.press(b"L");
    assert!(
        s.wait_for("quali-2024 › collect.demo", WAIT),
        "{}",
        s.screen()
    );
    s.press(b"q");
    assert!(
        cursor_on(&mut s, "clause:collect.demo"),
        "notes again:\n{}",
        s.screen()
    );
    s.press(b"q");
    s.settle(Duration::from_millis(200));
    assert!(s.child.try_wait().unwrap().is_none(), "still running");
    assert!(
        s.wait_for("Policies (5)", WAIT),
        "notes closed:\n{}",
        s.screen()
    );
    assert!(
        !s.screen().contains("clause:collect.demo"),
        "{}",
        s.screen()
    );
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some(), "q on the last view quits");
}

#[test]
fn esc_in_the_editor_with_text_asks_before_anything_is_lost() {
    let dir = folder_with_notes();
    let folder = dir.path().to_str().unwrap();
    let mut s = Session::start(QUALM, &[folder], &[], 80, 24);
    assert!(s.wait_for("Policies (5)", WAIT), "{}", s.screen());
    s.press(b"a");
    assert!(s.wait_for("New note", WAIT), "{}", s.screen());
    s.send(b"Important");
    s.settle(Duration::from_millis(100));
    // Esc alone (a key right after it would read as Alt-key).
    s.send(b"\x1b");
    assert!(
        s.wait_for("unsaved text", WAIT),
        "Esc asks:\n{}",
        s.screen()
    );
    s.press(b"e");
    assert!(s.screen().contains("Important"), "{}", s.screen());
    assert!(!s.screen().contains("unsaved text"), "{}", s.screen());
    s.send(b"\x1b");
    assert!(s.wait_for("unsaved text", WAIT), "{}", s.screen());
    s.press(b"d");
    assert!(s.wait_for("drafted note", WAIT), "{}", s.screen());
    let review = std::fs::read_to_string(dir.path().join("qualer-2020.review.yaml")).unwrap();
    assert!(
        review.contains("Important") && review.contains("status: draft"),
        "{review}"
    );
    s.send(b"q");
    assert!(s.wait_exit(WAIT).is_some());
}
