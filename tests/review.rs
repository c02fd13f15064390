//! Review notes as an analyst relies on them: nothing lost to a second
//! session, a crash, a merge or a changed model.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use qualm::model;
use qualm::review::{self, Anchor, ReviewFile, Target};

fn qualm() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qualm"));
    command.env("QUALM_AUTHOR", "tester").env("NO_COLOR", "1");
    command
}

fn run(args: &[&str]) -> Output {
    qualm().args(args).output().expect("qualm runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A folder with the two Qualys models (small and fast to load).
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["qualys-2015.yaml", "vocabulary.yaml"] {
        std::fs::copy(Path::new("policies").join(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn review_file(dir: &Path) -> PathBuf {
    dir.join("qualys-2015.review.yaml")
}

fn parse(path: &Path) -> ReviewFile {
    let text = std::fs::read_to_string(path).unwrap();
    ReviewFile::parse(&text, path).unwrap_or_else(|d| panic!("{d}\n{text}"))
}

fn add(dir: &Path, body: &str) -> Output {
    qualm()
        .args(["note", "add", "qualys-2015", "--in"])
        .arg(dir)
        .args(["--target", "policy", "--kind", "other", "--body", body])
        .output()
        .unwrap()
}

#[test]
fn two_concurrent_loops_of_100_adds_keep_all_200_notes() {
    let dir = folder();
    let loops: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                for i in 0..100 {
                    let out = add(&dir, &format!("{who}{i}"));
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for l in loops {
        l.join().unwrap();
    }
    let file = parse(&review_file(dir.path()));
    assert_eq!(file.notes.len(), 200);
    let mut ids: Vec<&str> = file.notes.iter().map(|n| n.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200, "ids are unique");
    for who in ["a", "b"] {
        let bodies: Vec<&str> = file
            .notes
            .iter()
            .map(|n| n.body.as_str())
            .filter(|b| b.starts_with(who))
            .collect();
        let expected: Vec<String> = (0..100).map(|i| format!("{who}{i}")).collect();
        assert_eq!(
            bodies, expected,
            "each loop's notes in the order it added them"
        );
    }
}

#[test]
fn sigkill_at_random_moments_never_breaks_the_file_or_loses_a_returned_note() {
    let dir = folder();
    let path = review_file(dir.path());
    let mut returned: Vec<String> = Vec::new();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut killed = 0;
    // Kill at random moments within about twice the time an add takes on
    // this machine now, so both outcomes happen however loaded it is.
    let started = std::time::Instant::now();
    assert!(add(dir.path(), "timing").status.success());
    returned.push(parse(&path).notes[0].id.clone());
    let window_us = (started.elapsed().as_micros() as u64 * 2).max(1_000);
    let mut round = 0;
    while round < 300 && (round < 40 || killed < 10 || returned.len() < 10) {
        round += 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = qualm()
            .args(["note", "add", "qualys-2015", "--in"])
            .arg(dir.path())
            .args(["--target", "policy", "--kind", "other", "--body"])
            .arg(format!("round {round}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(seed % window_us));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            returned.push(stdout(&out).trim().to_string());
        } else {
            killed += 1;
        }
        if path.exists() {
            let file = parse(&path);
            for id in &returned {
                assert!(file.note(id).is_some(), "round {round}: note {id} was lost");
            }
        }
    }
    println!(
        "{killed} of {round} writers killed, {} returned",
        returned.len()
    );
    assert!(killed > 0, "the kills landed too late to test anything");
    assert!(
        !returned.is_empty(),
        "the kills landed too early to test anything"
    );
}

#[test]
fn an_unparsable_review_file_is_left_alone_and_the_note_is_recovered() {
    let dir = folder();
    let path = review_file(dir.path());
    let broken = "schema: 1\npolicy: qualys-2015\nnotes: [\n";
    std::fs::write(&path, broken).unwrap();
    let out = add(dir.path(), "kept somewhere");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("qualys-2015.review.yaml:4:1: error:"), "{err}");
    assert!(err.contains("qualys-2015.review.recovery.yaml"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    let recovered = parse(&dir.path().join("qualys-2015.review.recovery.yaml"));
    assert_eq!(recovered.notes[0].body, "kept somewhere");
    // check names the broken file and reminds of the recovery file.
    let check = stdout(&run(&["check", dir.path().to_str().unwrap()]));
    assert!(
        check.contains("qualys-2015.review.yaml:4:1: error:"),
        "{check}"
    );
    assert!(
        check.contains("review.recovery.yaml: warning: notes kept here"),
        "{check}"
    );
}

#[test]
fn the_layout_is_stable_and_notes_keep_creation_order() {
    let dir = folder();
    for body in ["first", "second", "third"] {
        assert!(add(dir.path(), body).status.success());
    }
    let path = review_file(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    let file = parse(&path);
    assert_eq!(file.to_yaml(), text, "same notes, same bytes");
    let bodies: Vec<&str> = file.notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies, ["first", "second", "third"]);
    // A change to one note touches only its lines.
    let id = &file.notes[1].id;
    let out = run(&[
        "note",
        "set",
        "qualys-2015",
        "--in",
        dir.path().to_str().unwrap(),
        id,
        "--status",
        "resolved",
    ]);
    assert!(out.status.success());
    let after = std::fs::read_to_string(&path).unwrap();
    // (Besides its `updated:` time, when the clock ticked over meanwhile.)
    let changed: Vec<_> = text
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b && !a.starts_with("  updated:"))
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].1.trim(), "status: resolved");
}

#[test]
fn cli_targets_are_checked_and_quotes_keep_their_surroundings() {
    let dir = folder();
    let d = dir.path().to_str().unwrap();
    let policy = &model::load(&[dir.path().join("qualys-2015.yaml")]).policies[0].policy;
    let clause = policy.sections[1].clauses[0].clone();
    let words: Vec<&str> = clause.text.split_whitespace().collect();
    let quote = words[2..5].join(" ");
    let out = run(&[
        "note",
        "add",
        "qualys-2015",
        "--in",
        d,
        "--target",
        &format!("clause:{}", clause.id),
        "--quote",
        &quote,
        "--kind",
        "vague-language",
        "--severity",
        "high",
        "--body",
        "Which?",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let note = &parse(&review_file(dir.path())).notes[0];
    assert_eq!(note.target.quote.as_deref(), Some(quote.as_str()));
    assert!(clause.text.contains(&format!(
        "{}{}",
        note.target.before.as_deref().unwrap(),
        quote
    )));
    assert!(note.digest.is_some());
    for (target, expected) in [
        ("clause:nope", "clause `nope` is not in the policy"),
        ("flow:nope#1", "context `nope` is not in the policy"),
        ("galaxy:x", "unknown target"),
    ] {
        let out = run(&[
            "note",
            "add",
            "qualys-2015",
            "--in",
            d,
            "--target",
            target,
            "--kind",
            "other",
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expected),
            "{target}"
        );
    }
}

// --- anchoring -------------------------------------------------------------

const MODEL: &str = "schema: 1
policy: { id: tiny, organization: Tiny Ltd., title: Privacy, effective: 2024-01-01 }
sections:
  - id: keep
    heading: Retention
    clauses:
      - id: keep.1
        text: We keep your data until we no longer need it for our purposes.
      - id: keep.2
        text: Backups are kept for a while.
contexts: []
";

fn tiny(model: &str) -> qualm::model::Policy {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.yaml");
    std::fs::write(&path, model).unwrap();
    let mut corpus = model::load(&[path]);
    assert_eq!(corpus.error_count(), 0, "{:?}", corpus.diagnostics);
    corpus.policies.remove(0).policy
}

fn span_note() -> Target {
    let text = "We keep your data until we no longer need it for our purposes.";
    let start = text.find("until we no longer need").unwrap();
    Target::span(
        "keep.1",
        text,
        start..start + "until we no longer need".len(),
    )
}

#[test]
fn a_span_stays_anchored_when_its_clause_is_reworded_around_it() {
    let policy = tiny(&MODEL.replace(
        "We keep your data until",
        "We may store your personal data until",
    ));
    match review::resolve(&policy, &span_note()) {
        Anchor::Clause {
            position,
            span: Some(span),
            moved,
        } => {
            assert_eq!(position, (0, 0));
            assert!(!moved);
            assert_eq!(
                &policy.sections[0].clauses[0].text[span],
                "until we no longer need"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_span_follows_its_quote_to_another_clause() {
    let moved = MODEL
        .replace(
            "until we no longer need it for our purposes",
            "for five years",
        )
        .replace(
            "Backups are kept for a while.",
            "Backups are kept until we no longer need them.",
        );
    let policy = tiny(&moved);
    match review::resolve(&policy, &span_note()) {
        Anchor::Clause {
            position, moved, ..
        } => {
            assert_eq!(position, (0, 1));
            assert!(moved);
        }
        other => panic!("{other:?}"),
    }
    // Also when its own clause was removed from the model.
    let policy = tiny(&moved.replace(
        "      - id: keep.1\n        text: We keep your data for five years.\n",
        "",
    ));
    assert!(matches!(
        review::resolve(&policy, &span_note()),
        Anchor::Clause {
            position: (0, 0),
            moved: true,
            ..
        }
    ));
}

#[test]
fn a_span_whose_quote_is_gone_is_detached_and_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.yaml"), MODEL).unwrap();
    let d = dir.path().to_str().unwrap();
    let out = run(&[
        "note",
        "add",
        "tiny",
        "--in",
        d,
        "--target",
        "clause:keep.1",
        "--quote",
        "until we no longer need",
        "--kind",
        "retention-unspecified",
        "--body",
        "No period.",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        dir.path().join("tiny.yaml"),
        MODEL.replace(
            "until we no longer need it for our purposes",
            "for five years",
        ),
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["report", d, "--format", "json"]).stdout).unwrap();
    let note = &json["notes"][0];
    assert_eq!(note["detached"], true);
    assert_eq!(note["body"], "No period.");
    let md = stdout(&run(&["report", d, "--format", "md"]));
    assert!(md.contains("**Detached**"), "{md}");
    assert!(md.contains("> until we no longer need"), "{md}");
    let check = stdout(&run(&["check", d]));
    assert!(
        check.contains("warning: note") && check.contains("is detached"),
        "{check}"
    );
}

// --- the git merge driver --------------------------------------------------

fn note_yaml(id: &str, created: &str, status: &str, body: &str) -> String {
    format!(
        "- id: {id}\n  target:\n    policy: p\n  kind: other\n  severity: low\n  status: {status}\n  author: a\n  created: {created}\n  updated: {created}\n  body: {body}\n"
    )
}

fn review(notes: &[String]) -> String {
    format!("schema: 1\npolicy: p\nnotes:\n{}", notes.concat())
}

fn merge_driver(base: &str, ours: &str, theirs: &str) -> (i32, ReviewFile) {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = ["o", "a", "b"].iter().map(|n| dir.path().join(n)).collect();
    for (path, text) in paths.iter().zip([base, ours, theirs]) {
        std::fs::write(path, text).unwrap();
    }
    let out = qualm().arg("merge-notes").args(&paths).output().unwrap();
    let code = out.status.code().unwrap();
    (code, parse(&paths[1]))
}

#[test]
fn merge_driver_keeps_notes_added_on_both_sides_in_creation_order() {
    let n1 = note_yaml("aaaaaa", "2026-01-01T00:00:00Z", "open", "one");
    let n2 = note_yaml("bbbbbb", "2026-01-02T00:00:00Z", "open", "two");
    let n3 = note_yaml("cccccc", "2026-01-03T00:00:00Z", "open", "three");
    let (code, merged) = merge_driver(
        &review(std::slice::from_ref(&n1)),
        &review(&[n1.clone(), n3.clone()]),
        &review(&[n1, n2]),
    );
    assert_eq!(code, 0);
    let ids: Vec<&str> = merged.notes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["aaaaaa", "bbbbbb", "cccccc"]);
}

#[test]
fn merge_driver_takes_one_sided_edits_and_removals() {
    let n1 = note_yaml("aaaaaa", "2026-01-01T00:00:00Z", "open", "one");
    let n2 = note_yaml("bbbbbb", "2026-01-02T00:00:00Z", "open", "two");
    let n1_resolved = note_yaml("aaaaaa", "2026-01-01T00:00:00Z", "resolved", "one");
    // Ours resolves n1; theirs removes n2.
    let (code, merged) = merge_driver(
        &review(&[n1.clone(), n2.clone()]),
        &review(&[n1_resolved, n2.clone()]),
        &review(std::slice::from_ref(&n1)),
    );
    assert_eq!(code, 0);
    assert_eq!(merged.notes.len(), 1);
    assert_eq!(merged.notes[0].status.as_str(), "resolved");
    // A removal never wins over an edit.
    let n2_edited = note_yaml("bbbbbb", "2026-01-02T00:00:00Z", "open", "two, reworded");
    let (code, merged) = merge_driver(
        &review(&[n1.clone(), n2]),
        &review(&[n1.clone(), n2_edited]),
        &review(&[n1]),
    );
    assert_eq!(code, 0);
    assert_eq!(merged.notes[1].body, "two, reworded");
}

#[test]
fn merge_driver_keeps_both_versions_of_a_note_edited_on_both_sides() {
    let base = note_yaml("aaaaaa", "2026-01-01T00:00:00Z", "open", "one");
    let ours = note_yaml("aaaaaa", "2026-01-01T00:00:00Z", "resolved", "one");
    let theirs = note_yaml("aaaaaa", "2026-01-01T00:00:00Z", "dismissed", "one");
    let (code, merged) = merge_driver(&review(&[base]), &review(&[ours]), &review(&[theirs]));
    assert_eq!(code, 1, "git is told to stop for a look");
    assert_eq!(merged.notes.len(), 2);
    assert_eq!(merged.notes[0].status.as_str(), "resolved");
    assert_eq!(merged.notes[1].status.as_str(), "dismissed");
    assert_eq!(merged.notes[1].conflict.as_deref(), Some("aaaaaa"));
}

#[test]
fn merge_driver_leaves_ours_alone_when_a_side_does_not_parse() {
    let n1 = note_yaml("aaaaaa", "2026-01-01T00:00:00Z", "open", "one");
    let dir = tempfile::tempdir().unwrap();
    let (o, a, b) = (
        dir.path().join("o"),
        dir.path().join("a"),
        dir.path().join("b"),
    );
    std::fs::write(&o, review(std::slice::from_ref(&n1))).unwrap();
    std::fs::write(&a, review(&[n1])).unwrap();
    std::fs::write(&b, "notes: [\n").unwrap();
    let out = qualm()
        .arg("merge-notes")
        .args([&o, &a, &b])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":2:1: error:"));
    assert_eq!(
        std::fs::read_to_string(&a).unwrap(),
        std::fs::read_to_string(&o).unwrap()
    );
}
