//! Key bindings: the defaults in keymap.toml (compiled in), a user file that
//! overrides single bindings, and the lookup that turns key presses into
//! [`Action`]s, one section per view with `[global]` behind them.
//!
//! A key sequence is either bound or the start of chords, never both, so a
//! press needs no timing window. A broken user file is an error with
//! positions; there is no silent fallback to the defaults.

mod file;
mod key;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use key::Key;

use crate::model::Diagnostic;
use crate::tui::action::Action;

/// The default bindings, the contract the TUI is built against.
const DEFAULTS: &str = include_str!("../../keymap.toml");
const DEFAULTS_FILE: &str = "keymap.toml";

/// How large a keymap file may be.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A keymap section: where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Global,
    Tree,
    Detail,
    Reader,
    Help,
    Errors,
    Input,
    Notes,
    Editor,
    Select,
    Compare,
    Picker,
    /// The search palette: typed characters go into its query.
    Palette,
    Findings,
    /// Modelling keys (contexts and flows), live in the tree, the detail
    /// pane, the reader and word selection.
    Model,
    /// The recipient (term) card.
    Card,
}

impl View {
    pub const ALL: [View; 16] = [
        View::Global,
        View::Tree,
        View::Detail,
        View::Reader,
        View::Help,
        View::Errors,
        View::Input,
        View::Notes,
        View::Editor,
        View::Select,
        View::Compare,
        View::Picker,
        View::Palette,
        View::Findings,
        View::Model,
        View::Card,
    ];

    /// The section name in keymap.toml.
    pub fn name(self) -> &'static str {
        match self {
            View::Global => "global",
            View::Tree => "tree",
            View::Detail => "detail",
            View::Reader => "reader",
            View::Help => "help",
            View::Errors => "errors",
            View::Input => "input",
            View::Notes => "notes",
            View::Editor => "editor",
            View::Select => "select",
            View::Compare => "compare",
            View::Picker => "picker",
            View::Palette => "palette",
            View::Findings => "findings",
            View::Model => "model",
            View::Card => "card",
        }
    }

    pub fn from_name(name: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The sections a press in this view looks in, in order: the view's own,
    /// then `[global]`. Input, the note editor, the picker and the palette
    /// stand alone, so typing text never fires a global key such as `q`.
    fn chain(self) -> &'static [View] {
        match self {
            View::Global => &[View::Global],
            View::Input => &[View::Input],
            View::Editor => &[View::Editor],
            View::Notes => &[View::Notes, View::Global],
            View::Select => &[View::Select, View::Model, View::Global],
            View::Palette => &[View::Palette],
            View::Tree => &[View::Tree, View::Model, View::Global],
            View::Detail => &[View::Detail, View::Model, View::Global],
            View::Reader => &[View::Reader, View::Model, View::Global],
            View::Help => &[View::Help, View::Global],
            View::Errors => &[View::Errors, View::Global],
            View::Compare => &[View::Compare, View::Global],
            View::Findings => &[View::Findings, View::Global],
            View::Model => &[View::Model, View::Global],
            View::Card => &[View::Card, View::Global],
            // Like input: a picker's keys never fall through to quit.
            View::Picker => &[View::Picker],
        }
    }
}

/// A key sequence as help and messages show it: `g g`, `<C-d>`.
pub fn sequence_string(keys: &[Key]) -> String {
    let keys: Vec<String> = keys.iter().map(Key::to_string).collect();
    keys.join(" ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: String,
}

impl Binding {
    /// Its keys as written in help: `g g`.
    pub fn keys_string(&self) -> String {
        sequence_string(&self.keys)
    }
}

/// What a key press means, given the keys pressed before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Action(Action),
    /// The keys so far start a chord: keep them and wait for the next.
    Pending,
    /// Nothing: the caller clears its pending keys.
    Unbound,
}

#[derive(Debug, Clone, Default)]
struct Section {
    bindings: Vec<Binding>,
    exact: HashMap<Vec<Key>, Action>,
    /// Every proper prefix of a chord.
    prefixes: HashSet<Vec<Key>>,
}

impl Section {
    fn new(bindings: Vec<Binding>) -> Section {
        let mut exact = HashMap::new();
        let mut prefixes = HashSet::new();
        for binding in &bindings {
            exact.insert(binding.keys.clone(), binding.action);
            for end in 1..binding.keys.len() {
                prefixes.insert(binding.keys[..end].to_vec());
            }
        }
        Section {
            bindings,
            exact,
            prefixes,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    /// Indexed like [`View::ALL`].
    sections: [Section; View::ALL.len()],
}

impl Keymap {
    /// The compiled-in keymap.toml.
    pub fn defaults() -> Keymap {
        static DEFAULT: OnceLock<Keymap> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                Keymap {
                    sections: Default::default(),
                }
                .with_overrides(DEFAULTS, Path::new(DEFAULTS_FILE))
                .unwrap_or_else(|errors| {
                    let errors: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
                    panic!(
                        "the built-in keymap.toml is invalid:\n{}",
                        errors.join("\n")
                    )
                })
            })
            .clone()
    }

    /// The defaults, then the user's file: `user_file` if given (it must
    /// exist), else [`Keymap::user_file`] when that exists.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, Vec<Diagnostic>> {
        let path = match user_file {
            Some(path) => path.to_path_buf(),
            None => match Keymap::user_file() {
                Some(path) if path.exists() => path,
                _ => return Ok(Keymap::defaults()),
            },
        };
        let text = read_file(&path).map_err(|d| vec![d])?;
        Keymap::defaults().with_overrides(&text, &path)
    }

    /// Where the user's keymap lives: `$XDG_CONFIG_HOME/qualm/keymap.toml`,
    /// else `~/.config/qualm/keymap.toml`.
    pub fn user_file() -> Option<PathBuf> {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|h| !h.is_empty())
                    .map(|h| PathBuf::from(h).join(".config"))
            })?;
        Some(config.join("qualm").join("keymap.toml"))
    }

    /// This keymap with the bindings of `text` (read from `file`) laid over
    /// it: the same `on` in the same section replaces a binding in place, a
    /// new `on` is added at the end, `run = "noop"` unbinds.
    pub fn with_overrides(&self, text: &str, file: &Path) -> Result<Keymap, Vec<Diagnostic>> {
        let parsed = file::parse(text, file);
        let mut diagnostics = parsed.diagnostics;
        let mut keymap = self.clone();
        for (view, entries) in View::ALL.into_iter().zip(parsed.sections) {
            // Each binding with where the file set it (None: inherited).
            let mut merged: Vec<(Binding, Option<(usize, usize)>)> = self.sections[view as usize]
                .bindings
                .iter()
                .map(|b| (b.clone(), None))
                .collect();
            for entry in entries {
                let existing = merged.iter().position(|(b, _)| b.keys == entry.keys);
                if entry.action == Action::Noop {
                    if let Some(i) = existing {
                        merged.remove(i);
                    }
                    continue;
                }
                let binding = Binding {
                    desc: entry
                        .desc
                        .unwrap_or_else(|| entry.action.description().to_string()),
                    keys: entry.keys,
                    action: entry.action,
                };
                match existing {
                    Some(i) => merged[i] = (binding, Some(entry.at)),
                    None => merged.push((binding, Some(entry.at))),
                }
            }
            diagnostics.extend(conflicts(view, &merged, file));
            keymap.sections[view as usize] =
                Section::new(merged.into_iter().map(|(b, _)| b).collect());
        }
        // Ctrl-C is no way out in a raw-mode terminal: some key must quit
        // from the tree, where qualm starts.
        let quits = View::Tree.chain().iter().any(|&v| {
            keymap.sections[v as usize]
                .bindings
                .iter()
                .any(|b| b.action == Action::Quit)
        });
        if !quits {
            diagnostics.push(Diagnostic::error(
                file,
                "no key is left bound to `quit` in [global] or [tree]: qualm could not be left; bind one",
            ));
        }
        if diagnostics.is_empty() {
            Ok(keymap)
        } else {
            diagnostics.sort_by_key(|d| (d.line, d.column));
            Err(diagnostics)
        }
    }

    /// The bindings of one section (not `[global]` behind it), in file
    /// order.
    pub fn bindings(&self, view: View) -> Vec<&Binding> {
        self.sections[view as usize].bindings.iter().collect()
    }

    /// The bindings that can complete the `pending` keys in `view` (the
    /// view's own first), for the which-key popup.
    pub fn completions(&self, view: View, pending: &[Key]) -> Vec<&Binding> {
        let mut found: Vec<&Binding> = Vec::new();
        for &v in view.chain() {
            for binding in &self.sections[v as usize].bindings {
                let completes = binding.keys.len() > pending.len()
                    && binding.keys.starts_with(pending)
                    && binding.action != Action::Noop;
                if completes && !found.iter().any(|b| b.keys == binding.keys) {
                    found.push(binding);
                }
            }
        }
        found
    }

    /// What `key` does after the `pending` keys: the view's section first,
    /// then `[global]` (so a view binding shadows a global one).
    pub fn press(&self, view: View, pending: &[Key], key: Key) -> Press {
        let mut sequence = Vec::with_capacity(pending.len() + 1);
        sequence.extend_from_slice(pending);
        sequence.push(key);
        for &v in view.chain() {
            let section = &self.sections[v as usize];
            if let Some(&action) = section.exact.get(&sequence) {
                return Press::Action(action);
            }
            if section.prefixes.contains(&sequence) {
                return Press::Pending;
            }
        }
        Press::Unbound
    }

    /// The first keys that run `action` in `view` (its own section, then
    /// the global keys it does not shadow), e.g. `g g`: for the status line.
    pub fn hint(&self, view: View, action: Action) -> Option<String> {
        view.chain()
            .iter()
            .flat_map(|&v| &self.sections[v as usize].bindings)
            .find(|b| b.action == action && self.runs(view, &b.keys, action))
            .map(Binding::keys_string)
    }

    /// Whether pressing `keys` in turn in `view` runs `action`.
    fn runs(&self, view: View, keys: &[Key], action: Action) -> bool {
        for (i, &key) in keys.iter().enumerate() {
            match self.press(view, &keys[..i], key) {
                Press::Action(a) => return i + 1 == keys.len() && a == action,
                Press::Pending => {}
                Press::Unbound => return false,
            }
        }
        false
    }
}

/// A bound sequence that also starts a chord, reported at the binding this
/// file set (the later one when it set both), once per binding.
fn conflicts(
    view: View,
    merged: &[(Binding, Option<(usize, usize)>)],
    file: &Path,
) -> Vec<Diagnostic> {
    let mut reported = HashSet::new();
    let mut diagnostics = Vec::new();
    for (short, short_at) in merged {
        for (long, long_at) in merged {
            if long.keys.len() <= short.keys.len() || !long.keys.starts_with(&short.keys) {
                continue;
            }
            let Some(at) = (*short_at).max(*long_at) else {
                continue;
            };
            if reported.insert(at) {
                diagnostics.push(
                    Diagnostic::error(
                        file,
                        format!(
                            "\"{}\" is bound in [{}] and is also the start of the chord \"{}\"",
                            short.keys_string(),
                            view.name(),
                            long.keys_string()
                        ),
                    )
                    .at(Some(at)),
                );
            }
        }
    }
    diagnostics
}

/// A keymap file's text; a missing, unreadable, huge or binary file is an
/// error.
pub fn read_file(path: &Path) -> Result<String, Diagnostic> {
    let error = |message: String| Diagnostic::error(path, message);
    // Never blocks on a FIFO nor reads a device without end.
    let bytes = crate::model::guard::read_bounded(path, MAX_FILE_BYTES).map_err(|e| match e {
        crate::model::guard::ReadError::TooLarge => error(String::from(
            "file is larger than the 1 MiB a keymap may be",
        )),
        other => error(other.to_string()),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = file::line_column(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        error(String::from("not a text file: invalid UTF-8")).at(Some(at))
    })
}
