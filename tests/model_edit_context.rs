//! `qualm model context edit` with `$EDITOR` set to scripts that play the
//! analyst, driving the real binary: a good edit lands with flow ids kept,
//! a bad one reopens with its errors on top at the right line and column
//! above the analyst's text, an unchanged or emptied file changes nothing,
//! and a flow another process adds during the session is kept. The policy
//! always checks clean afterwards. In the workbench, the same session runs
//! from a key on a selected context, and the status line says what changed.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/workbench.rs"]
mod workbench;
#[path = "support/workspace.rs"]
mod workspace;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const POLICY: &str = "quali-2024";
const CLAUSE: &str = "intro.updated";

fn qualm(dir: &Path, args: &[&str], editor: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qualm"));
    command
        .args(args)
        .env("QUALM_AUTHOR", "tester")
        .env("NO_COLOR", "1")
        .env("QUALM", env!("CARGO_BIN_EXE_qualm"))
        .env_remove("VISUAL")
        .current_dir(dir);
    match editor {
        Some(script) => command.env("EDITOR", script),
        None => command.env("EDITOR", "false"),
    };
    command.output().unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = qualm(dir, args, None);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn model_path(dir: &Path) -> PathBuf {
    dir.join("policies").join(format!("{POLICY}.yaml"))
}

fn model(dir: &Path) -> String {
    fs::read_to_string(model_path(dir)).unwrap()
}

/// A workspace whose policy has a context `news` with three flows:
/// news.1 (email), news.2 (name), news.3 (phone).
fn workspace() -> tempfile::TempDir {
    let ws = workspace::copy_policies();
    let dir = ws.path();
    ok(
        dir,
        &[
            "model",
            "context",
            "add",
            POLICY,
            "--id",
            "news",
            "--name",
            "Newsletter",
        ],
    );
    for data in ["email", "name", "phone"] {
        ok(
            dir,
            &[
                "model",
                "flow",
                "add",
                POLICY,
                "--context",
                "news",
                "--evidence",
                CLAUSE,
                "--data",
                data,
            ],
        );
    }
    ws
}

/// An editor script: round `n` (counted in `dir/rounds`) first copies the
/// file it was given to `dir/seen<n>`, then runs `rounds[n - 1]` with the
/// file as `$1` (a round past the list leaves the file as it is).
fn editor(dir: &Path, rounds: &[&str]) -> PathBuf {
    let mut script = String::from(
        "#!/bin/sh\nset -e\nd=\"$(dirname \"$0\")\"\nn=$(cat \"$d/rounds\" 2>/dev/null || echo 0)\n\
         n=$((n + 1))\necho $n > \"$d/rounds\"\ncp \"$1\" \"$d/seen$n\"\ncase $n in\n",
    );
    for (i, round) in rounds.iter().enumerate() {
        script.push_str(&format!("{}) {round} ;;\n", i + 1));
    }
    script.push_str("esac\n");
    let path = dir.join("editor.sh");
    fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

fn edit(dir: &Path, script: &Path) -> Output {
    qualm(
        dir,
        &["model", "context", "edit", POLICY, "news"],
        Some(script),
    )
}

/// The flows of `news` in the model file: (id, data line).
fn flows(dir: &Path) -> Vec<(String, String)> {
    let text = model(dir);
    let start = text.find("  - id: news\n").expect("the context is there");
    let mut out = Vec::new();
    let mut id = None;
    for line in text[start..].lines().skip(1) {
        if line.starts_with("  - ") {
            break;
        }
        let line = line.trim_start_matches([' ', '-']);
        if let Some(rest) = line.strip_prefix("id: ") {
            id = Some(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("data: ") {
            out.push((id.take().unwrap_or_default(), rest.to_string()));
        }
    }
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn checks_clean(dir: &Path) {
    ok(dir, &["check"]);
    ok(dir, &["fmt", "--check"]);
}

#[test]
fn a_good_edit_lands_with_flow_ids_kept_and_new_ones_fresh() {
    let ws = workspace();
    let dir = ws.path();
    let script = editor(
        dir,
        &[r#"sed -i -e 's/^name: Newsletter$/name: The newsletter/' \
               -e 's/data: \[name\]/data: [full name]/' \
               -e '/id: news.3/,+2d' "$1"
             printf '  - data: [postcode]\n    evidence: [intro.updated]\n' >> "$1""#],
    );
    let out = edit(dir, &script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What the editor was shown: comments on top, then the context alone.
    let seen = fs::read_to_string(dir.join("seen1")).unwrap();
    assert!(seen.starts_with("# qualm: context `news` of quali-2024"));
    assert!(seen.contains("\nid: news\nname: Newsletter\nflows:\n  - id: news.1\n"));
    // The removed flow's id is retired, so the new flow does not take it.
    assert_eq!(
        flows(dir),
        pairs(&[
            ("news.1", "[email]"),
            ("news.2", "[full name]"),
            ("news.4", "[postcode]")
        ])
    );
    assert!(model(dir).contains("name: The newsletter\n"));
    assert!(model(dir).contains("retired_flow_ids: [news.3]"));
    assert_eq!(
        stdout.trim(),
        "context news: its name or evidence changed, 1 flow added (news.4), \
         1 flow changed (news.2), 1 flow removed (news.3)"
    );
    checks_clean(dir);
}

/// The text of `line` (1-based) of `text` from `column` (1-based) on.
fn at(text: &str, line: usize, column: usize) -> String {
    text.lines()
        .nth(line - 1)
        .unwrap_or_default()
        .chars()
        .skip(column - 1)
        .collect()
}

/// The first error comment's line and column in a reopened file.
fn first_error(text: &str) -> (usize, usize) {
    let line = text
        .lines()
        .find(|l| l.starts_with("#   line "))
        .unwrap_or_else(|| panic!("no error on top:\n{text}"));
    let rest = &line["#   line ".len()..];
    let (n, rest) = rest.split_once(", column ").unwrap();
    let (c, _) = rest.split_once(':').unwrap();
    (n.parse().unwrap(), c.parse().unwrap())
}

#[test]
fn a_bad_edit_reopens_with_the_error_at_its_place_above_the_analysts_text() {
    let ws = workspace();
    let dir = ws.path();
    let before = model(dir);
    let script = editor(
        dir,
        &[
            // A typo in a field name (a YAML-level error), and a change of
            // the analyst's own that must survive every round.
            r#"sed -i -e 's/^name: Newsletter$/name: Newsletter MARKER/' \
                      -e '0,/data: \[email\]/s//dta: [email]/' "$1""#,
            // The typo fixed, evidence naming no clause (a model-level error).
            r#"sed -i -e 's/dta: \[email\]/data: [email]/' \
                      -e '0,/evidence: \[intro.updated\]/s//evidence: [no.such-clause]/' "$1""#,
            r#"sed -i -e 's/no.such-clause/intro.updated/' "$1""#,
        ],
    );
    let out = edit(dir, &script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fs::read_to_string(dir.join("rounds")).unwrap().trim(),
        "3",
        "reopened twice"
    );
    let second = fs::read_to_string(dir.join("seen2")).unwrap();
    assert!(second.contains("# NOT APPLIED"), "{second}");
    assert!(second.contains("unknown field `dta`"), "{second}");
    let (line, column) = first_error(&second);
    assert!(
        at(&second, line, column).starts_with("dta"),
        "line {line}, column {column} of:\n{second}"
    );
    assert!(second.contains("name: Newsletter MARKER\n"), "{second}");
    let third = fs::read_to_string(dir.join("seen3")).unwrap();
    assert!(third.contains("no.such-clause"), "{third}");
    assert!(
        !third.contains("unknown field"),
        "only the new errors: {third}"
    );
    let (line, column) = first_error(&third);
    assert!(
        at(&third, line, column).starts_with("no.such-clause"),
        "line {line}, column {column} of:\n{third}"
    );
    assert!(third.contains("name: Newsletter MARKER\n"), "{third}");
    // Nothing was written while the edit was bad; the fixed edit landed.
    assert_ne!(model(dir), before);
    assert!(model(dir).contains("name: Newsletter MARKER\n"));
    assert_eq!(
        flows(dir),
        pairs(&[
            ("news.1", "[email]"),
            ("news.2", "[name]"),
            ("news.3", "[phone]")
        ])
    );
    checks_clean(dir);
}

#[test]
fn leaving_a_reopened_edit_keeps_the_text_and_writes_nothing() {
    let ws = workspace();
    let dir = ws.path();
    let before = model(dir);
    let script = editor(dir, &[r#"sed -i 's/data: \[email\]/dta: [email]/' "$1""#]);
    let out = edit(dir, &script);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let kept = err
        .split("kept in ")
        .nth(1)
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("{err}"));
    let kept = fs::read_to_string(kept).unwrap();
    assert!(kept.contains("dta: [email]") && kept.contains("# NOT APPLIED"));
    assert_eq!(model(dir), before);
    checks_clean(dir);
}

#[test]
fn an_unchanged_or_emptied_file_or_a_failed_editor_changes_nothing() {
    let ws = workspace();
    let dir = ws.path();
    let before = model(dir);
    for (round, (action, code, says)) in [
        ("true", 0, "no change"),
        // Saved, but the same context: nothing to write either.
        (r#"sed -i 's/^# qualm/# edited/' "$1""#, 0, "no change"),
        (r#": > "$1""#, 0, "emptied"),
        (r#"printf '# only a comment\n' > "$1""#, 0, "emptied"),
        (
            r#"sed -i 's/email/mail/' "$1"; exit 3"#,
            1,
            "exited with an error",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let _ = fs::remove_file(dir.join("rounds"));
        let script = editor(dir, &[action]);
        let out = edit(dir, &script);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "round {round}: {err}");
        assert!(err.contains(says), "round {round}: {err}");
        assert_eq!(model(dir), before, "round {round}");
    }
    // An unknown context is said, before any editor runs.
    let out = qualm(
        dir,
        &["model", "context", "edit", POLICY, "nowhere"],
        Some(&editor(dir, &[])),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no context `nowhere`"));
    checks_clean(dir);
}

#[test]
fn what_another_writer_did_during_the_session_is_kept() {
    let ws = workspace();
    let dir = ws.path();
    // While the analyst edits news.2, another process adds a flow to the
    // context and changes news.1, which the analyst leaves alone, and
    // news.2 (the analyst's version wins, and that is said).
    let script = editor(
        dir,
        &[
            r#""$QUALM" model flow add quali-2024 --context news --evidence intro.updated --data fax >/dev/null
             "$QUALM" model flow set quali-2024 news.1 --data "e-mail address"
             "$QUALM" model flow set quali-2024 news.2 --data "their name"
             sed -i 's/data: \[name\]/data: [full name]/' "$1""#,
        ],
    );
    let out = edit(dir, &script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        flows(dir),
        pairs(&[
            ("news.1", "[e-mail address]"),
            ("news.2", "[full name]"),
            ("news.3", "[phone]"),
            ("news.4", "[fax]"),
        ])
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "context news: 1 flow changed (news.2); your version replaced a change made \
         meanwhile to news.2; kept 1 added meanwhile (news.4)"
    );
    checks_clean(dir);
}

#[test]
fn in_the_workbench_a_key_on_a_context_runs_the_same_session() {
    use qualm::tui::tree::NodeKind;
    let ws = workspace();
    let dir = ws.path();
    let mut app = workbench::open(&dir.join("policies"), false);
    // On a clause there is no context to edit: said, and nothing asked of
    // the event loop.
    workbench::select(&mut app, POLICY, |_, kind| {
        matches!(kind, NodeKind::Clause(..))
    });
    workbench::press(&mut app, "<C-x> <C-e>");
    assert!(app.context_edit.is_none());
    assert_eq!(
        app.status.as_deref(),
        Some("select a context to edit it in $EDITOR")
    );
    workbench::select(&mut app, POLICY, |policy, kind| match kind {
        NodeKind::Context(path) => policy.context_at(path).id == "news",
        _ => false,
    });
    workbench::press(&mut app, "<C-x> <C-e>");
    assert!(app.context_edit.is_some(), "{:?}", app.status);
    // The analyst first saves a typo, then sees it on top and fixes it.
    let mut rounds = Vec::new();
    app.run_context_edit(&mut |file: &Path| {
        let text = fs::read_to_string(file)?;
        rounds.push(text.clone());
        let text = if rounds.len() == 1 {
            text.replace("data: [phone]", "dta: [phone]")
        } else {
            text.replace("dta: [phone]", "data: [mobile phone]")
        };
        fs::write(file, text)?;
        Ok(true)
    });
    assert_eq!(rounds.len(), 2);
    assert!(rounds[1].contains("unknown field `dta`"), "{}", rounds[1]);
    assert_eq!(
        app.status.as_deref(),
        Some("context news: 1 flow changed (news.3) · saved to quali-2024.yaml")
    );
    assert_eq!(flows(dir)[2], ("news.3".into(), "[mobile phone]".into()));
    assert!(app.context_edit.is_none());
    checks_clean(dir);
}

/// Waits for `text` on the screen, answering the cursor position queries
/// (`ESC [ 6 n`) a real terminal answers and the vt100 model does not: the
/// workbench clears the screen when it takes the terminal back, and
/// ratatui asks where the cursor is first.
fn wait_answering_cursor_queries(
    s: &mut pty::Session,
    text: &str,
    timeout: std::time::Duration,
) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    let mut answered = 0;
    while std::time::Instant::now() < deadline {
        s.pump(std::time::Duration::from_millis(50));
        let asked = s.raw.windows(4).filter(|w| w == b"\x1b[6n").count();
        for _ in answered..asked {
            s.send(b"\x1b[1;1R");
        }
        answered = asked;
        if s.screen().contains(text) {
            return true;
        }
    }
    false
}

#[test]
fn the_real_workbench_hands_the_terminal_to_the_editor_and_takes_it_back() {
    use std::time::Duration;
    let ws = workspace::copy_policies();
    let dir = ws.path();
    let folder = dir.join("policies");
    let script = editor(
        dir,
        &[r#"sed -i 's/^name: .*/name: Browsing, as edited in the editor/' "$1""#],
    );
    let env = [
        ("EDITOR", script.to_str().unwrap()),
        ("VISUAL", script.to_str().unwrap()),
    ];
    let wait = Duration::from_secs(10);
    let mut s = pty::Session::start(
        env!("CARGO_BIN_EXE_qualm"),
        &[folder.to_str().unwrap()],
        &env,
        100,
        30,
    );
    assert!(s.wait_for("quali-2024", wait), "{}", s.screen());
    s.send(b":");
    s.settle(Duration::from_millis(150));
    s.send(b"website-browse");
    s.settle(Duration::from_millis(300));
    s.send(b"\t");
    s.settle(Duration::from_millis(150));
    s.send(b"\r");
    assert!(
        s.wait_for("When you browse or visit our Website", wait),
        "{}",
        s.screen()
    );
    s.send(b"\x18\x05"); // Ctrl-x Ctrl-e
    assert!(
        wait_answering_cursor_queries(
            &mut s,
            "context website-browse: its name or evidence changed",
            wait
        ),
        "the status says what changed:\n{}",
        s.screen()
    );
    assert!(
        s.parser.screen().alternate_screen(),
        "the workbench is back"
    );
    s.send(b"q");
    assert!(s.wait_exit(wait).is_some());
    let text = fs::read_to_string(folder.join(format!("{POLICY}.yaml"))).unwrap();
    assert!(text.contains("name: Browsing, as edited in the editor\n"));
    ok(dir, &["check"]);
}
