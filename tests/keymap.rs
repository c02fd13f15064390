//! The keymap: the compiled-in defaults bind what the TUI expects, a user
//! file overrides single bindings, and every file in `tests/invalid_keymaps/`
//! is refused with the exact errors in its `.expected` file (a new case is a
//! pair of files, no code).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use qualm::keymap::{Key, Keymap, Press, View};
use qualm::tui::action::Action;

fn key(spec: &str) -> Key {
    Key::parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Presses `specs` in turn in `view`, as the TUI does, and returns each answer.
fn presses(keymap: &Keymap, view: View, specs: &[&str]) -> Vec<Press> {
    let mut pending = Vec::new();
    let mut answers = Vec::new();
    for spec in specs {
        let k = key(spec);
        let answer = keymap.press(view, &pending, k);
        match answer {
            Press::Pending => pending.push(k),
            _ => pending.clear(),
        }
        answers.push(answer);
    }
    answers
}

fn keys_of(keymap: &Keymap, view: View) -> Vec<(String, Action)> {
    keymap
        .bindings(view)
        .into_iter()
        .map(|b| (b.keys_string(), b.action))
        .collect()
}

fn overrides(text: &str) -> Result<Keymap, Vec<String>> {
    Keymap::defaults()
        .with_overrides(text, Path::new("user.toml"))
        .map_err(|ds| ds.iter().map(|d| d.to_string()).collect())
}

#[test]
fn the_defaults_parse_and_bind() {
    let keymap = Keymap::defaults();
    let press = |view, specs: &[&str]| presses(&keymap, view, specs);
    assert_eq!(press(View::Tree, &["j"]), [Press::Action(Action::Down)]);
    assert_eq!(
        press(View::Tree, &["g", "g"]),
        [Press::Pending, Press::Action(Action::Top)]
    );
    assert_eq!(press(View::Tree, &["q"]), [Press::Action(Action::Quit)]);
    assert_eq!(press(View::Help, &["q"]), [Press::Action(Action::Back)]);
    assert_eq!(press(View::Help, &["?"]), [Press::Action(Action::Back)]);
    assert_eq!(press(View::Tree, &["?"]), [Press::Action(Action::Help)]);
    assert_eq!(
        press(View::Tree, &["<S-Tab>"]),
        [Press::Action(Action::PrevPane)]
    );
    assert_eq!(
        press(View::Reader, &["<C-d>", "<Space>", "}"]),
        [
            Press::Action(Action::PageDown),
            Press::Action(Action::PageDown),
            Press::Action(Action::NextClause)
        ]
    );
    // A chord that goes nowhere is unbound; the next key starts afresh.
    assert_eq!(
        press(View::Tree, &["z", "x", "z", "R"]),
        [
            Press::Pending,
            Press::Unbound,
            Press::Pending,
            Press::Action(Action::ExpandAll)
        ]
    );
    assert_eq!(press(View::Tree, &["x"]), [Press::Unbound]);
    // Typing in an input box never fires a global key.
    assert_eq!(press(View::Input, &["q"]), [Press::Unbound]);
    assert_eq!(
        press(View::Input, &["<Enter>"]),
        [Press::Action(Action::Submit)]
    );
    // The recipient card has its own section (not compare's), and falls
    // through to [global]; Ctrl-i walks forward where it is not Tab.
    assert_eq!(
        press(
            View::Card,
            &["<C-d>", "<Enter>", "<Esc>", "t", "q", "<C-i>", "<Tab>"]
        ),
        [
            Press::Action(Action::PageDown),
            Press::Action(Action::Enter),
            Press::Action(Action::Back),
            Press::Unbound,
            Press::Action(Action::Quit),
            Press::Action(Action::JumpForward),
            Press::Action(Action::NextPane),
        ]
    );
    // Every section is there, in file order, with the file's descriptions.
    for view in View::ALL {
        assert!(!keymap.bindings(view).is_empty(), "{}", view.name());
    }
    let tree = keymap.bindings(View::Tree);
    assert_eq!(tree[0].keys_string(), "j");
    assert_eq!(tree[4].keys_string(), "g g");
    assert_eq!(tree[4].desc, "top");
    assert_eq!(keymap.bindings(View::Global)[0].action, Action::Quit);
}

#[test]
fn terminal_events_match_the_names() {
    let keymap = Keymap::defaults();
    let event = |code, modifiers| Key::from_event(&KeyEvent::new(code, modifiers));
    let shift = KeyModifiers::SHIFT;
    assert_eq!(
        keymap.press(View::Tree, &[], event(KeyCode::Char('G'), shift)),
        Press::Action(Action::Bottom)
    );
    assert_eq!(
        keymap.press(View::Tree, &[], event(KeyCode::BackTab, shift)),
        Press::Action(Action::PrevPane)
    );
    assert_eq!(
        keymap.press(
            View::Tree,
            &[],
            event(KeyCode::Char('d'), KeyModifiers::CONTROL)
        ),
        Press::Action(Action::PageDown)
    );
    assert_eq!(event(KeyCode::Char('?'), shift), key("?"));
    assert_eq!(key("<S-Tab>").to_string(), "<S-Tab>");
    assert_eq!(key("<lt>").to_string(), "<lt>");
}

#[test]
fn hints_name_the_first_live_keys() {
    let keymap = Keymap::defaults();
    assert_eq!(keymap.hint(View::Tree, Action::Top).as_deref(), Some("g g"));
    assert_eq!(
        keymap.hint(View::Tree, Action::PageDown).as_deref(),
        Some("<C-d>")
    );
    assert_eq!(keymap.hint(View::Tree, Action::Quit).as_deref(), Some("q"));
    assert_eq!(
        keymap.hint(View::Detail, Action::Help).as_deref(),
        Some("?")
    );
    // In help, `?` and `q` close help: the global keys for them are not live.
    assert_eq!(keymap.hint(View::Help, Action::Help), None);
    assert_eq!(keymap.hint(View::Help, Action::Quit), None);
    assert_eq!(
        keymap.hint(View::Help, Action::Back).as_deref(),
        Some("<Esc>")
    );
    assert_eq!(keymap.hint(View::Tree, Action::NextClause), None);
}

#[test]
fn a_user_file_overrides_single_bindings() {
    let keymap = overrides(
        r#"
[tree]
keymap = [
  { on = "j", run = "up" },
  { on = "G", run = "noop" },
  { on = "x", run = "expand_all", desc = "open everything" },
  { on = "<C-n>", run = "down" },
]
"#,
    )
    .unwrap();
    assert_eq!(
        presses(&keymap, View::Tree, &["j", "G", "x", "<C-n>"]),
        [
            Press::Action(Action::Up),
            Press::Unbound,
            Press::Action(Action::ExpandAll),
            Press::Action(Action::Down),
        ]
    );
    let tree = keys_of(&keymap, View::Tree);
    let defaults = keys_of(&Keymap::defaults(), View::Tree);
    // `j` replaced in place, `G` gone, the new keys at the end.
    assert_eq!(tree[0], ("j".to_string(), Action::Up));
    assert!(!tree.iter().any(|(k, _)| k == "G"));
    assert_eq!(tree.len(), defaults.len() + 1);
    assert_eq!(tree[tree.len() - 2], ("x".to_string(), Action::ExpandAll));
    assert_eq!(tree[tree.len() - 1], ("<C-n>".to_string(), Action::Down));
    let bindings = keymap.bindings(View::Tree);
    assert_eq!(bindings[0].desc, Action::Up.description());
    assert_eq!(bindings[bindings.len() - 2].desc, "open everything");
    // Other sections keep their defaults.
    assert_eq!(
        keys_of(&keymap, View::Detail),
        keys_of(&Keymap::defaults(), View::Detail)
    );
    assert_eq!(keymap.hint(View::Tree, Action::Up).as_deref(), Some("j"));
}

#[test]
fn unbinding_a_chord_frees_its_first_key() {
    let keymap = overrides(
        r#"
[tree]
keymap = [
  { on = ["g", "g"], run = "noop" },
  { on = "g", run = "top" },
]
[global]
keymap = [{ on = ["g", "t"], run = "jump_forward" }]
"#,
    )
    .unwrap();
    assert_eq!(
        presses(&keymap, View::Tree, &["g"]),
        [Press::Action(Action::Top)]
    );
    // Where the view does not bind `g`, the global chord works.
    assert_eq!(
        presses(&keymap, View::Help, &["g", "t"]),
        [Press::Pending, Press::Action(Action::JumpForward)]
    );
    // The tree's own `g` shadows it there.
    assert_eq!(
        keymap.hint(View::Tree, Action::JumpForward).as_deref(),
        Some("L")
    );
    assert_eq!(
        keymap.hint(View::Help, Action::JumpForward).as_deref(),
        Some("L")
    );
}

#[test]
fn a_global_chord_is_reached_through_a_view_prefix() {
    let keymap =
        overrides("[global]\nkeymap = [{ on = [\"g\", \"t\"], run = \"redraw\" }]\n").unwrap();
    assert_eq!(
        presses(&keymap, View::Tree, &["g", "t"]),
        [Press::Pending, Press::Action(Action::Redraw)]
    );
    assert_eq!(
        presses(&keymap, View::Tree, &["g", "g"]),
        [Press::Pending, Press::Action(Action::Top)]
    );
}

#[test]
fn an_empty_user_file_changes_nothing() {
    let keymap = overrides("# nothing here\n").unwrap();
    for view in View::ALL {
        assert_eq!(keys_of(&keymap, view), keys_of(&Keymap::defaults(), view));
    }
}

#[test]
fn each_invalid_keymap_gives_its_exact_errors() {
    let dir = PathBuf::from("tests/invalid_keymaps");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let expected_path = path.with_extension("expected");
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no .expected file", path.display()));
        let expected: Vec<String> = expected.lines().map(str::to_string).collect();
        let actual: Vec<String> = match Keymap::load(Some(path)) {
            Ok(_) => Vec::new(),
            Err(ds) => ds.iter().map(|d| d.to_string()).collect(),
        };
        if actual != expected && std::env::var_os("QUALM_BLESS").is_some() {
            // Accept the new messages (e.g. after adding an action, which
            // changes the list of valid ones); review the diff in git.
            fs::write(&expected_path, actual.join("\n") + "\n").unwrap();
        } else if actual != expected {
            failures.push(format!(
                "{}\n  expected: {expected:#?}\n  actual:   {actual:#?}",
                path.display()
            ));
        }
    }
    assert!(paths.len() >= 12, "only {} invalid keymaps", paths.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_explicit_file_that_does_not_exist_is_an_error() {
    let path = Path::new("tests/invalid_keymaps/no-such-file.toml");
    let errors = Keymap::load(Some(path)).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .starts_with("tests/invalid_keymaps/no-such-file.toml: error: cannot read: "),
        "{}",
        errors[0]
    );
}

fn qualm(args: &[&str], config: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .env("HOME", config)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn has_line(out: &str, words: &[&str]) -> bool {
    out.lines()
        .any(|l| l.starts_with("  ") && l.split_whitespace().eq(words.iter().copied()))
}

#[test]
fn the_user_file_is_found_in_the_config_folder() {
    let config = tempfile::tempdir().unwrap();
    let (code, out, _) = qualm(&["keys"], config.path());
    assert_eq!(code, 0);
    assert!(has_line(&out, &["j", "down", "down"]), "{out}");

    fs::create_dir(config.path().join("qualm")).unwrap();
    let file = config.path().join("qualm/keymap.toml");
    fs::write(&file, "[tree]\nkeymap = [{ on = \"j\", run = \"up\" }]\n").unwrap();
    let (code, out, _) = qualm(&["keys"], config.path());
    assert_eq!(code, 0);
    assert!(has_line(&out, &["j", "up", "move", "up"]), "{out}");
    assert!(has_line(&out, &["k", "up", "up"]), "{out}");

    fs::write(&file, "[tree]\nkeymap = [{ on = \"j\", run = \"upp\" }]\n").unwrap();
    let (code, out, err) = qualm(&["keys"], config.path());
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(
        err.starts_with(&format!(
            "{}:2:29: error: unknown action \"upp\"",
            file.display()
        )),
        "{err}"
    );
}

#[test]
fn keys_prints_json_and_checks_files() {
    let config = tempfile::tempdir().unwrap();
    let (code, out, _) = qualm(&["keys", "--format", "json"], config.path());
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sections = doc["sections"].as_object().unwrap();
    assert_eq!(sections.len(), qualm::keymap::View::ALL.len());
    assert_eq!(
        doc["sections"]["tree"][4],
        serde_json::json!({"on": ["g", "g"], "run": "top", "desc": "top"})
    );
    assert_eq!(
        doc["sections"]["global"][0],
        serde_json::json!({"on": ["q"], "run": "quit", "desc": "close the view (quit on the last)"})
    );

    let good = config.path().join("good.toml");
    fs::write(&good, "[help]\nkeymap = [{ on = \"x\", run = \"back\" }]\n").unwrap();
    let (code, out, _) = qualm(&["keys", "--check", good.to_str().unwrap()], config.path());
    assert_eq!((code, out), (0, format!("{}: ok\n", good.display())));

    let bad = "tests/invalid_keymaps/unknown-section.toml";
    let (code, out, _) = qualm(&["keys", "--check", bad], config.path());
    assert_eq!(code, 1);
    assert_eq!(
        out,
        fs::read_to_string("tests/invalid_keymaps/unknown-section.expected").unwrap()
    );
}
