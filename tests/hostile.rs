//! Hostile and broken input, as it arrives from other people through git:
//! every case of issue 19, each ending within seconds, with a clear error,
//! no byte of a terminal escape on stdout or stderr, and no note lost.
//! Large hostile files are generated here, never checked in.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use qualm::model;
use qualm::review::store::{self, Op};
use qualm::review::{Note, ReviewFile, ReviewSet, Severity, Status, Target};

fn qualm() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qualm"));
    command
        .env("QUALM_AUTHOR", "tester")
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent-qualm-test-config")
        .stdin(Stdio::null());
    command
}

/// Runs qualm, killing it if it takes longer than `limit`: a hang is a
/// failure, not a stuck test run.
fn run_within(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qualm starts");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "qualm did not finish within {limit:?}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_within(qualm().args(args), Duration::from_secs(30))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A small valid model, `id` with one clause, with `extra` lines added
/// under `policy:`.
fn model(id: &str, extra: &str) -> String {
    format!(
        "schema: 1\npolicy:\n  id: {id}\n  organization: Example Ltd.\n  title: Privacy Policy\n  effective: 2024-01-01\n{extra}sections:\n  - id: intro\n    heading: Introduction\n    clauses:\n      - id: intro.1\n        topics: [other]\n        text: We collect your email address to send you news.\ncontexts:\n  - id: news\n    name: When you subscribe\n    flows:\n      - data: [Email address]\n        purposes: [Marketing]\n        evidence: [intro.1]\n"
    )
}

/// A folder with one model `acme` (and the shipped vocabulary).
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        "policies/vocabulary.yaml",
        dir.path().join("vocabulary.yaml"),
    )
    .unwrap();
    fs::write(dir.path().join("acme.yaml"), model("acme", "")).unwrap();
    dir
}

fn review_path(dir: &Path) -> PathBuf {
    dir.join("acme.review.yaml")
}

fn note(id: &str, body: &str) -> Note {
    Note {
        id: id.to_string(),
        target: Target::policy("acme"),
        kind: "other".into(),
        severity: Severity::Medium,
        status: Status::Open,
        author: "tester".into(),
        created: "2026-11-29T10:00:00Z".into(),
        updated: "2026-11-29T10:00:00Z".into(),
        digest: None,
        body: body.into(),
        replies: Vec::new(),
        conflict: None,
        rule: None,
        fingerprint: None,
    }
}

fn write_notes(dir: &Path, notes: Vec<Note>) {
    let mut file = ReviewFile::new("acme");
    file.notes = notes;
    fs::write(review_path(dir), file.to_yaml()).unwrap();
}

fn read_notes(dir: &Path) -> ReviewFile {
    store::read(&review_path(dir), "acme").unwrap_or_else(|d| panic!("{d}"))
}

fn errors_of(corpus: &model::Corpus) -> Vec<String> {
    corpus
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect()
}

/// No byte that a terminal would act on: C0 controls but newline and tab
/// (ESC, BEL, CR), DEL, C1 controls (UTF-8 `C2 80`..`C2 9F`) and the bidi
/// override U+202E (`E2 80 AE`).
fn assert_no_escapes(what: &str, bytes: &[u8]) {
    for (i, &b) in bytes.iter().enumerate() {
        let bad = (b < 0x20 && b != b'\n' && b != b'\t')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
            || bytes[i..].starts_with("\u{202E}".as_bytes());
        assert!(
            !bad,
            "{what}: a raw control byte {b:#04x} at {i}: {:?}",
            text(&bytes[i.saturating_sub(20)..(i + 20).min(bytes.len())])
        );
    }
}

/// Every escape the red team used: OSC 52 (clipboard), OSC 0 (title),
/// CSI 2J, C1 CSI, BEL, CR and a bidi override.
const PAYLOAD: &str = "x\u{1b}]52;c;aGk=\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}2J\r\u{202E}gnp.exe";

// ---- High 1: aliases are counted in bytes ----

#[test]
fn a_big_string_aliased_many_times_is_refused_by_its_expanded_bytes() {
    let dir = folder();
    let big = "a".repeat(1024 * 1024);
    let aliases = vec!["*big"; 1000].join(", ");
    fs::write(
        dir.path().join("bomb.yaml"),
        format!(
            "schema: 1\npolicy:\n  id: bomb\n  title: &big {big}\n  jurisdictions: [{aliases}]\n"
        ),
    )
    .unwrap();
    let corpus = model::load(&[dir.path().join("bomb.yaml")]);
    let errors = errors_of(&corpus);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains(":5:") && errors[0].contains("expand to more than 16 MiB"),
        "{errors:?}"
    );
}

// ---- High 2: bounded reads, no devices, no FIFOs, no blocking ----

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn a_review_file_that_is_a_fifo_or_a_device_is_refused_without_hanging() {
    let dir = folder();
    mkfifo(&review_path(dir.path()));
    let out = run_within(
        qualm().arg("check").arg(dir.path()),
        Duration::from_secs(20),
    );
    let err = text(&out.stdout);
    assert!(
        err.contains("acme.review.yaml: error: not a regular file (a FIFO)"),
        "{err}"
    );
    fs::remove_file(review_path(dir.path())).unwrap();
    std::os::unix::fs::symlink("/dev/zero", review_path(dir.path())).unwrap();
    let out = run_within(
        qualm().args(["note", "list", "--in"]).arg(dir.path()),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not a regular file (a device)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_model_or_source_that_is_a_fifo_or_device_is_refused_and_named() {
    let dir = folder();
    mkfifo(&dir.path().join("pipe.yaml"));
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).unwrap();
    fs::create_dir(dir.path().join("sources")).unwrap();
    mkfifo(&dir.path().join("sources/acme.txt"));
    let with_source = model("acme", "  source: sources/acme.txt\n");
    fs::write(dir.path().join("acme.yaml"), with_source).unwrap();
    let out = run_within(
        qualm().arg("check").arg(dir.path()),
        Duration::from_secs(20),
    );
    let report = text(&out.stdout);
    assert!(
        report.contains("pipe.yaml: warning: skipped: a FIFO"),
        "{report}"
    );
    assert!(
        report.contains("zero.yaml: warning: skipped: a device"),
        "{report}"
    );
    assert!(
        report.contains("original text") && report.contains("not a regular file (a FIFO)"),
        "{report}"
    );
}

#[test]
fn a_file_whose_size_lies_is_read_no_further_than_the_limit() {
    // procfs files say they are empty; a bounded read must not trust that.
    let bytes = model::guard::read_bounded(Path::new("/proc/self/maps"), 10);
    assert!(matches!(bytes, Err(model::guard::ReadError::TooLarge)));
}

// ---- High 3: no escape reaches a terminal through the command line ----

#[test]
fn file_text_reaches_no_terminal_raw_through_any_command() {
    let dir = folder();
    let mut hostile = note("aaaaaa", &format!("body {PAYLOAD}\nsecond line"));
    hostile.author = format!("author {PAYLOAD}");
    hostile.replies.push(qualm::review::Reply {
        author: PAYLOAD.into(),
        created: "2026-11-29T10:00:01Z".into(),
        body: format!("reply {PAYLOAD}"),
    });
    write_notes(dir.path(), vec![hostile]);
    // A second model whose id and keys carry escapes: check and export
    // echo them in their errors. (YAML escapes so the file itself is text.)
    fs::write(
        dir.path().join("evil.yaml"),
        "schema: 1\npolicy:\n  id: \"ev\\e]52;c;aGk=\\ail\\u202E\"\n  organization: \"\\e[2J\"\n  title: t\n  effective: 2024-01-01\n\"\\e]0;k\\a\": 1\nsections: []\n",
    )
    .unwrap();
    let folder = dir.path().to_str().unwrap();
    let keymap = dir.path().join("keymap.toml");
    fs::write(
        &keymap,
        "[tree]\nkeymap = [ { on = \"x\", run = \"down\", desc = \"d\\u001b]52;c;aGk=\\u0007\\u009b2J\\u202e\" } ]\n",
    )
    .unwrap();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("note list", vec!["note", "list", "--in", folder]),
        (
            "note list json",
            vec!["note", "list", "--in", folder, "--format", "json"],
        ),
        ("report md", vec!["report", folder, "--format", "md"]),
        ("report csv", vec!["report", folder, "--format", "csv"]),
        ("report json", vec!["report", folder, "--format", "json"]),
        ("search", vec!["search", "body", folder]),
        (
            "search json",
            vec!["search", "body", folder, "--format", "json"],
        ),
        ("check", vec!["check", folder]),
        ("export", vec!["export", folder]),
        ("keys", vec!["keys", "--keymap", keymap.to_str().unwrap()]),
    ];
    for (what, args) in runs {
        let out = run(&args);
        assert_no_escapes(&format!("{what} stdout"), &out.stdout);
        assert_no_escapes(&format!("{what} stderr"), &out.stderr);
        let all = text(&out.stdout) + &text(&out.stderr);
        assert!(
            all.contains("\\u001B") || all.contains("\\u001b"),
            "{what}: the escape is shown, escaped:\n{all}"
        );
    }
    // JSON stays JSON, with the same text in it.
    let out = run(&["report", folder, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.to_string().contains("\\u001b]52;c;aGk="), "{doc}");
}

// ---- High 4: field-level edits, both kept on conflict, outside changes seen ----

#[test]
fn an_edit_from_a_stale_copy_does_not_revert_a_concurrent_change() {
    let dir = folder();
    write_notes(dir.path(), vec![note("aaaaaa", "first words")]);
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let mut reviews = ReviewSet::load(&corpus);
    let seen = reviews.reviews[0].file.notes[0].clone();
    assert!(reviews.changed_on_disk().is_empty());
    // Another analyst resolves it meanwhile.
    let out = run(&[
        "note",
        "set",
        "acme",
        "aaaaaa",
        "--status",
        "resolved",
        "--in",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(reviews.changed_on_disk(), vec![0]);
    // This session, from its stale copy, edits the body only.
    let edit = Op::edit_from(
        &seen,
        Some(seen.kind.clone()),
        Some(seen.severity),
        None,
        Some("better words".into()),
        "2026-11-29T11:00:00Z".into(),
    );
    reviews.apply(0, &edit).unwrap();
    let on_disk = read_notes(dir.path());
    assert_eq!(on_disk.notes.len(), 1);
    assert_eq!(on_disk.notes[0].status, Status::Resolved);
    assert_eq!(on_disk.notes[0].body, "better words");
    assert!(reviews.changed_on_disk().is_empty());
}

#[test]
fn two_edits_of_the_same_field_keep_both_versions() {
    let dir = folder();
    write_notes(dir.path(), vec![note("aaaaaa", "first words")]);
    let seen = read_notes(dir.path()).notes[0].clone();
    let out = run(&[
        "note",
        "set",
        "acme",
        "aaaaaa",
        "--body",
        "their words",
        "--in",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let edit = Op::edit_from(
        &seen,
        None,
        None,
        None,
        Some("our words".into()),
        "t".into(),
    );
    let applied = store::apply(&review_path(dir.path()), "acme", &edit, Some(&seen)).unwrap();
    let file = read_notes(dir.path());
    assert_eq!(file.notes.len(), 2);
    assert_eq!(file.notes[0].body, "their words");
    assert_eq!(file.notes[1].body, "our words");
    assert_eq!(file.notes[1].conflict.as_deref(), Some("aaaaaa"));
    assert_eq!(applied.id.as_deref(), Some(file.notes[1].id.as_str()));
}

#[test]
fn a_reload_takes_in_what_changed_on_disk() {
    let dir = folder();
    write_notes(dir.path(), vec![note("aaaaaa", "one")]);
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let mut reviews = ReviewSet::load(&corpus);
    write_notes(
        dir.path(),
        vec![note("aaaaaa", "one"), note("bbbbbb", "two")],
    );
    assert_eq!(reviews.changed_on_disk(), vec![0]);
    reviews.reload(0);
    assert_eq!(reviews.reviews[0].file.notes.len(), 2);
    assert!(reviews.changed_on_disk().is_empty());
    // A model changing under the TUI is seen the same way.
    let stamp = store::Stamp::of(&dir.path().join("acme.yaml"));
    fs::write(
        dir.path().join("acme.yaml"),
        model("acme", "  version: \"2\"\n"),
    )
    .unwrap();
    assert_ne!(store::Stamp::of(&dir.path().join("acme.yaml")), stamp);
}

// ---- High 5: a recovery file that does not parse is never replaced ----

#[test]
fn a_recovery_file_that_does_not_parse_is_kept_and_a_new_one_is_used() {
    let dir = folder();
    fs::write(review_path(dir.path()), "notes: [unclosed\n").unwrap();
    let recovery = dir.path().join("acme.review.recovery.yaml");
    let broken = "notes: {half written\n  - id: precious\n";
    fs::write(&recovery, broken).unwrap();
    let out = run(&[
        "note",
        "add",
        "acme",
        "--target",
        "policy",
        "--kind",
        "other",
        "--body",
        "new note",
        "--in",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read_to_string(&recovery).unwrap(), broken);
    let second = dir.path().join("acme.review.recovery-2.yaml");
    let kept = store::read(&second, "acme").unwrap();
    assert_eq!(kept.notes[0].body, "new note");
    assert!(text(&out.stderr).contains("acme.review.recovery-2.yaml"));
    // check names both, so neither is forgotten.
    let check = text(&run(&["check", dir.path().to_str().unwrap()]).stdout);
    assert!(
        check.contains("acme.review.recovery.yaml: warning"),
        "{check}"
    );
    assert!(
        check.contains("acme.review.recovery-2.yaml: warning"),
        "{check}"
    );
}

// ---- Medium 6: deep nesting refused before the parser ----

#[test]
fn deep_nesting_is_refused_before_the_parser_sees_it() {
    let dir = folder();
    let path = dir.path().join("deep.yaml");
    fs::write(&path, format!("x: {}\n", "[".repeat(1024 * 1024))).unwrap();
    let errors = errors_of(&model::load(std::slice::from_ref(&path)));
    assert_eq!(
        errors,
        [format!(
            "{}:1:104: error: nesting deeper than 100 levels; the file was refused before parsing",
            path.display()
        )]
    );
    let block = dir.path().join("block.yaml");
    fs::write(&block, format!("{}x\n", "- ".repeat(5000))).unwrap();
    assert!(errors_of(&model::load(&[block]))[0].contains("nesting deeper"));
}

// ---- Medium 7: diagnostics capped and summed up per file ----

#[test]
fn a_flood_of_warnings_is_capped_per_file() {
    let dir = folder();
    let labels: Vec<String> = (0..20_000).map(|i| format!("u{i}")).collect();
    let flood = model("acme", "").replace(
        "data: [Email address]",
        &format!("data: [{}]", labels.join(", ")),
    );
    fs::write(dir.path().join("acme.yaml"), flood).unwrap();
    let corpus = model::load(&[dir.path().join("acme.yaml")]);
    assert_eq!(corpus.policies.len(), 1, "warnings do not refuse the file");
    let said: Vec<String> = corpus.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(said.len(), 101, "{said:#?}");
    assert!(
        said[100].ends_with(
            "acme.yaml:1:7: warning: 19901 more labels not checked against the vocabulary once 100 warnings were listed"
        ),
        "{said:#?}"
    );
}

#[test]
fn millions_of_values_are_refused_before_the_parser() {
    let dir = folder();
    let flood = model("acme", "").replace(
        "data: [Email address]",
        &format!("data: [{}]", "q,".repeat(2_000_001)),
    );
    fs::write(dir.path().join("acme.yaml"), flood).unwrap();
    let errors = errors_of(&model::load(&[dir.path().join("acme.yaml")]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("acme.yaml:18:") && errors[0].contains("more than 2000000 values"),
        "{errors:?}"
    );
}

// ---- Medium 8 and 9: a held lock, drafts that need no lock ----

fn hold_lock(dir: &Path) -> fs::File {
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("acme.review.lock"))
        .unwrap();
    lock.lock().unwrap();
    lock
}

#[test]
fn a_held_lock_makes_the_cli_wait_with_a_message_then_keep_the_note() {
    let dir = folder();
    let lock = hold_lock(dir.path());
    let out = run_within(
        qualm()
            .env("QUALM_LOCK_TIMEOUT_MS", "400")
            .args([
                "note", "add", "acme", "--target", "policy", "--kind", "other",
            ])
            .args(["--body", "kept while locked", "--in"])
            .arg(dir.path()),
        Duration::from_secs(20),
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("qualm: waiting for"), "{err}");
    assert!(
        err.contains("acme.review.lock is held by another process"),
        "{err}"
    );
    assert!(err.contains("the change was kept in"), "{err}");
    drop(lock);
    let check = text(&run(&["check", dir.path().to_str().unwrap()]).stdout);
    assert!(
        check.contains(".draft-") && check.contains("the next write takes them in"),
        "{check}"
    );
    // The next write, by anyone, takes the draft in.
    let out = run(&[
        "note",
        "add",
        "acme",
        "--target",
        "policy",
        "--kind",
        "other",
        "--body",
        "after",
        "--in",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bodies: Vec<String> = read_notes(dir.path())
        .notes
        .into_iter()
        .map(|n| n.body)
        .collect();
    assert!(
        bodies.contains(&"kept while locked".to_string()),
        "{bodies:?}"
    );
    assert!(bodies.contains(&"after".to_string()), "{bodies:?}");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".draft-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_hang_up_while_the_lock_is_held_keeps_the_draft() {
    let dir = folder();
    let lock = hold_lock(dir.path());
    let draft = qualm::tui::notes::Draft {
        policy: 0,
        policy_id: "acme".into(),
        path: review_path(dir.path()),
        note: Note {
            status: Status::Draft,
            ..note("dddddd", "half a thought")
        },
    };
    let start = Instant::now();
    draft.save();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "no waiting on a hang-up"
    );
    let draft_file = store::draft_path(&review_path(dir.path()));
    assert_eq!(
        store::read(&draft_file, "acme").unwrap().notes[0].body,
        "half a thought"
    );
    drop(lock);
    // Picked up on next start.
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let reviews = ReviewSet::load(&corpus);
    assert_eq!(reviews.reviews[0].file.notes[0].body, "half a thought");
    assert!(!draft_file.exists());
}

// ---- Medium 11: changes to a corrupt review file ----

#[test]
fn set_reply_and_rm_on_a_corrupt_review_file_say_what_was_kept() {
    let dir = folder();
    fs::write(review_path(dir.path()), "notes: [unclosed\n").unwrap();
    let folder = dir.path().to_str().unwrap();
    let reply = run(&[
        "note",
        "reply",
        "acme",
        "aaaaaa",
        "--body",
        "my answer",
        "--in",
        folder,
    ]);
    assert_eq!(reply.status.code(), Some(1));
    let recovery = dir.path().join("acme.review.recovery.yaml");
    let kept = store::read(&recovery, "acme").unwrap();
    assert!(kept.notes[0].body.contains("my answer"), "{kept:?}");
    assert!(text(&reply.stderr).contains("the change was kept in"));
    for args in [
        vec![
            "note", "set", "acme", "aaaaaa", "--status", "resolved", "--in", folder,
        ],
        vec!["note", "rm", "acme", "aaaaaa", "--in", folder],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(err.contains("nothing was written"), "{err}");
        assert!(!err.contains("kept in"), "{err}");
    }
    assert_eq!(store::read(&recovery, "acme").unwrap().notes.len(), 1);
}

// ---- Medium 12: nothing written that cannot be read back ----

#[test]
fn a_note_too_large_to_read_back_is_refused_and_nothing_disappears() {
    let dir = folder();
    write_notes(dir.path(), vec![note("aaaaaa", "keep me")]);
    let before = fs::read(review_path(dir.path())).unwrap();
    let mut child = qualm()
        .args([
            "note", "add", "acme", "--target", "policy", "--kind", "other",
        ])
        .args(["--body", "-", "--in"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let big = "b".repeat(17 * 1024 * 1024);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(big.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("over the 16 MiB qualm reads"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read(review_path(dir.path())).unwrap(), before);
    let list = run(&["note", "list", "--in", dir.path().to_str().unwrap()]);
    assert!(list.status.success());
    assert!(text(&list.stdout).contains("keep me"));
}

#[test]
fn note_list_on_a_corrupt_review_file_warns_and_fails() {
    let dir = folder();
    fs::write(review_path(dir.path()), "notes: [unclosed\n").unwrap();
    let out = run(&["note", "list", "--in", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the notes of acme cannot be read"));
}

// ---- Medium 13: sources confined to the policies folder ----

#[test]
fn a_source_outside_the_folder_is_not_read() {
    let dir = folder();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "root:x:0:0:SECRET\n").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("link.txt"),
    )
    .unwrap();
    for source in [
        "../../../../../../../../etc/passwd".to_string(),
        "/etc/passwd".to_string(),
        "link.txt".to_string(),
        format!("{}/secret.txt", outside.path().display()),
    ] {
        fs::write(
            dir.path().join("acme.yaml"),
            model("acme", &format!("  source: \"{source}\"\n")),
        )
        .unwrap();
        let out = run(&["check", dir.path().to_str().unwrap()]);
        let report = text(&out.stdout);
        assert!(
            report.contains("lies outside the policies folder"),
            "{source}: {report}"
        );
        assert!(!report.contains("root:"), "{source}: {report}");
        assert!(!report.contains("SECRET"), "{source}: {report}");
    }
}

// ---- Low ----

#[test]
fn a_byte_order_mark_is_ignored() {
    let dir = folder();
    fs::write(
        dir.path().join("acme.yaml"),
        format!("\u{FEFF}{}", model("acme", "")),
    )
    .unwrap();
    let corpus = model::load(&[dir.path().join("acme.yaml")]);
    assert!(errors_of(&corpus).is_empty(), "{:?}", errors_of(&corpus));
    assert_eq!(corpus.policies.len(), 1);
}

#[test]
fn unreadable_yaml_names_in_a_folder_are_skipped_with_a_word() {
    let dir = folder();
    std::os::unix::fs::symlink("missing.yaml", dir.path().join("dangling.yaml")).unwrap();
    std::os::unix::fs::symlink("loop.yaml", dir.path().join("loop.yaml")).unwrap();
    fs::create_dir(dir.path().join("folder.yaml")).unwrap();
    fs::remove_file(dir.path().join("vocabulary.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("vocabulary.yaml")).unwrap();
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let said: Vec<String> = corpus.diagnostics.iter().map(|d| d.to_string()).collect();
    let said = said.join("\n");
    assert!(said.contains("dangling.yaml: warning: skipped:"), "{said}");
    assert!(said.contains("loop.yaml: warning: skipped:"), "{said}");
    assert!(
        said.contains("folder.yaml: warning: skipped: a folder"),
        "{said}"
    );
    assert_eq!(corpus.policies.len(), 1);
}

#[test]
fn invalid_dates_and_supersedes_cycles_are_errors() {
    let dir = folder();
    fs::write(
        dir.path().join("acme.yaml"),
        model("acme", "").replace("2024-01-01", "2024-13-45"),
    )
    .unwrap();
    let errors = errors_of(&model::load(&[dir.path().join("acme.yaml")]));
    assert!(
        errors[0].ends_with("acme.yaml:6:14: error: `2024-13-45` is not a date: there is no such month (write YYYY-MM-DD)"),
        "{errors:?}"
    );
    fs::write(
        dir.path().join("acme.yaml"),
        model("acme", "  supersedes: acme\n"),
    )
    .unwrap();
    let errors = errors_of(&model::load(&[dir.path().join("acme.yaml")]));
    assert!(errors[0].contains("supersedes itself"), "{errors:?}");
    fs::write(
        dir.path().join("acme.yaml"),
        model("acme", "  supersedes: beta\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("beta.yaml"),
        model("beta", "  supersedes: acme\n"),
    )
    .unwrap();
    let errors = errors_of(&model::load(&[dir.path().to_path_buf()]));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().all(|e| e.contains("goes round in a cycle")),
        "{errors:?}"
    );
}

#[test]
fn yaml_tags_are_refused() {
    let dir = folder();
    fs::write(
        dir.path().join("acme.yaml"),
        model("acme", "").replace("title: Privacy Policy", "title: !!binary UHJpdmFjeQ=="),
    )
    .unwrap();
    let errors = errors_of(&model::load(&[dir.path().join("acme.yaml")]));
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("acme.yaml:5:10: error: a YAML tag"),
        "{errors:?}"
    );
}

#[test]
fn invisible_characters_in_ids_are_errors() {
    let dir = folder();
    fs::write(
        dir.path().join("acme.yaml"),
        model("acme", "").replace("id: intro.1", "id: \"intro\u{200B}.1\""),
    )
    .unwrap();
    let errors = errors_of(&model::load(&[dir.path().join("acme.yaml")]));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("clause id `intro\\u{200b}.1` contains")),
        "{errors:?}"
    );
}

#[test]
fn a_write_keeps_the_review_files_mode_and_its_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder();
    let real = dir.path().join("shared-notes.yaml");
    let mut file = ReviewFile::new("acme");
    file.notes.push(note("aaaaaa", "one"));
    fs::write(&real, file.to_yaml()).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("shared-notes.yaml", review_path(dir.path())).unwrap();
    let out = run(&[
        "note",
        "add",
        "acme",
        "--target",
        "policy",
        "--kind",
        "other",
        "--body",
        "two",
        "--in",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let link = fs::symlink_metadata(review_path(dir.path())).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(store::read(&real, "acme").unwrap().notes.len(), 2);
}

#[test]
fn the_editor_temp_file_is_private_and_unpredictable() {
    use std::os::unix::fs::PermissionsExt;
    let a = qualm::review::author::private_temp_file("qualm-test-", ".md", "x").unwrap();
    let b = qualm::review::author::private_temp_file("qualm-test-", ".md", "x").unwrap();
    assert_ne!(a, b);
    assert_eq!(
        fs::metadata(&a).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let _ = fs::remove_file(a);
    let _ = fs::remove_file(b);
}

#[test]
fn unbinding_every_way_out_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let keymap = dir.path().join("keymap.toml");
    fs::write(
        &keymap,
        "[global]\nkeymap = [ { on = \"q\", run = \"noop\" } ]\n",
    )
    .unwrap();
    let out = run(&["keys", "--check", keymap.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("no key is left bound to `quit`"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_note_on_a_policy_that_supersedes_another_gives_no_false_error() {
    let out = run(&["note", "list", "qualys-2020"]);
    assert!(!text(&out.stderr).contains("supersedes"));
    let dir = tempfile::tempdir().unwrap();
    for file in ["qualys-2015.yaml", "qualys-2020.yaml", "vocabulary.yaml"] {
        fs::copy(Path::new("policies").join(file), dir.path().join(file)).unwrap();
    }
    let out = run(&[
        "note",
        "add",
        "qualys-2020",
        "--target",
        "policy",
        "--kind",
        "other",
        "--body",
        "b",
        "--in",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
}

#[test]
fn merge_driver_errors_name_the_file_not_gits_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let (base, ours, theirs) = (
        dir.path().join(".merge_file_base"),
        dir.path().join(".merge_file_ours"),
        dir.path().join(".merge_file_theirs"),
    );
    fs::write(&base, "").unwrap();
    fs::write(&ours, "notes: [unclosed\n").unwrap();
    fs::write(&theirs, "").unwrap();
    let out = run(&[
        "merge-notes",
        base.to_str().unwrap(),
        ours.to_str().unwrap(),
        theirs.to_str().unwrap(),
        "policies/acme.review.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("policies/acme.review.yaml (ours):"),
        "{err}"
    );
    assert!(!err.contains(".merge_file"), "{err}");
}

#[test]
fn a_signal_gives_a_signal_exit_status() {
    #[path = "support/pty.rs"]
    mod pty;
    let mut session = pty::Session::start(env!("CARGO_BIN_EXE_qualm"), &[], &[], 80, 24);
    assert!(session.wait_for("quali-2024", Duration::from_secs(20)));
    let pid = session.pid().unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = session
        .wait_exit(Duration::from_secs(10))
        .expect("qualm exits");
    assert_eq!(exit.exit_code(), 128 + 15);
}
