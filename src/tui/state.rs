//! Where the analyst was, kept between sessions: reopening the same folder
//! restores the selection, the open rows, the tree's filter, and the view
//! that was on top (notes, a topic compare, versions, the matrix,
//! findings, a card) with its selection, scroll and filters. Kept under
//! `$XDG_STATE_HOME/qualm` (else `~/.local/state/qualm`), one file per
//! folder. Nodes and policies are kept by id, so a changed model restores
//! what still exists and skips the rest (a view whose policies are gone is
//! not reopened); a missing or broken file restores nothing.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::compare::By;
use crate::review::Severity;

use super::app::{App, Shared};
use super::browse::Browse;
use super::card::TermCard;
use super::compare::{build_matrix, CompareState, Mode};
use super::component::Component;
use super::findings::FindingsView;
use super::goto::CARD_CATEGORIES;
use super::notes::NotesView;
use super::tree::NodeKind;
use super::widgets::filter::Filter;

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Saved {
    /// The selected node, as `policy kind:id`.
    pub selected: Option<String>,
    /// Open nodes, the same way.
    pub expanded: Vec<String>,
    pub tree_filter: String,
    /// Set when the notes view was open: its row and typed filter.
    pub notes: Option<SavedNotes>,
    /// The other view that was on top, if one was (popups are skipped).
    #[serde(default)]
    pub top: Option<SavedView>,
}

/// A view on top of the browse view, by ids, with where it was.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum SavedView {
    Topic {
        /// As `resolve` takes it: `topic:data-retention`, `data:email`.
        subject: String,
        policies: Vec<String>,
        column: usize,
        selected: usize,
        scroll: usize,
    },
    Versions {
        left: String,
        right: String,
        selected: usize,
        scroll: usize,
        hide_unchanged: bool,
    },
    Matrix {
        /// `data` or `recipients`.
        by: String,
        policies: Vec<String>,
        row: usize,
        col: usize,
        scroll: usize,
    },
    Findings {
        /// Set when the view listed one policy's findings.
        policy: Option<String>,
        selected: usize,
        min_severity: Severity,
    },
    Card {
        /// `recipient`, `data`, `purpose` or `basis`.
        category: String,
        term: String,
        selected: usize,
    },
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedNotes {
    pub selected: usize,
    pub filter: String,
}

/// The state file for the folder the corpus was loaded from.
pub fn path_for(shared: &Shared) -> Option<PathBuf> {
    file_for(shared.corpus.policies.iter().map(|p| p.path.as_path()))
}

/// The state file for the folder of these model files, known before they
/// are loaded: the same file [`path_for`] names once they are.
pub fn path_for_files(files: &[PathBuf]) -> Option<PathBuf> {
    file_for(files.iter().map(PathBuf::as_path))
}

fn file_for<'a>(models: impl Iterator<Item = &'a Path>) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    // Each folder resolved once (thousands of models share one).
    let parents: std::collections::BTreeSet<&Path> = models.filter_map(Path::parent).collect();
    let mut folders: Vec<PathBuf> = parents
        .into_iter()
        .map(|d| d.canonicalize().unwrap_or(d.to_path_buf()))
        .collect();
    folders.sort();
    folders.dedup();
    let mut hasher = DefaultHasher::new();
    folders.hash(&mut hasher);
    Some(
        base.join("qualm")
            .join(format!("{:016x}.json", hasher.finish())),
    )
}

/// A node as `policy kind:id`, stable across sessions.
fn node_key(shared: &Shared, node: usize) -> Option<String> {
    let n = &shared.tree.nodes[node];
    let policy = &shared.corpus.policies[n.policy].policy;
    let what = match &n.kind {
        NodeKind::Policy => String::from("policy"),
        NodeKind::ContextGroup => String::from("contexts"),
        NodeKind::SectionGroup => String::from("sections"),
        NodeKind::Section(si) => format!("section:{}", policy.sections[*si].id),
        NodeKind::Clause(si, ci) => format!("clause:{}", policy.sections[*si].clauses[*ci].id),
        NodeKind::Context(path) => format!("context:{}", policy.context_at(path).id),
    };
    Some(format!("{} {what}", policy.id))
}

fn node_of(shared: &Shared, key: &str) -> Option<usize> {
    (0..shared.tree.nodes.len()).find(|&n| node_key(shared, n).as_deref() == Some(key))
}

/// What to keep of the app as it is now.
pub fn capture(app: &App) -> Saved {
    let shared = &app.shared;
    let browse = app.stack[0]
        .as_any()
        .downcast_ref::<Browse>()
        .unwrap_or_else(|| app.browse());
    Saved {
        selected: browse.selected_node().and_then(|n| node_key(shared, n)),
        expanded: browse
            .expanded
            .iter()
            .enumerate()
            .filter(|(_, open)| **open)
            .filter_map(|(n, _)| node_key(shared, n))
            .collect(),
        tree_filter: browse.filter.query.clone(),
        notes: top_view(app)
            .and_then(|v| v.as_any().downcast_ref::<NotesView>())
            .map(|v| SavedNotes {
                selected: v.selected,
                filter: v.typed.query.clone(),
            }),
        top: top_view(app).and_then(|v| capture_view(shared, v)),
    }
}

/// The view on top, below any popups (help, the palette, `:`), unless it
/// is the browse view at the bottom.
fn top_view(app: &App) -> Option<&dyn Component> {
    app.stack
        .iter()
        .skip(1)
        .rev()
        .find(|v| !v.popup())
        .map(|v| v.as_ref())
}

fn policy_id(shared: &Shared, pi: usize) -> String {
    shared.corpus.policies[pi].policy.id.clone()
}

fn capture_view(shared: &Shared, view: &dyn Component) -> Option<SavedView> {
    let ids = |list: &[usize]| list.iter().map(|&pi| policy_id(shared, pi)).collect();
    if let Some(compare) = view.as_any().downcast_ref::<CompareState>() {
        return Some(match &compare.mode {
            Mode::Topic(t) => SavedView::Topic {
                subject: t.subject.key(),
                policies: ids(&t.policies),
                column: t.column,
                selected: t.selected,
                scroll: t.scroll,
            },
            Mode::Versions(v) if v.left == v.right => return None,
            Mode::Versions(v) => SavedView::Versions {
                left: policy_id(shared, v.left),
                right: policy_id(shared, v.right),
                selected: v.selected,
                scroll: v.scroll,
                hide_unchanged: v.hide_unchanged,
            },
            Mode::Matrix(m) => SavedView::Matrix {
                by: m.by.name().to_string(),
                policies: ids(&m.policies),
                row: m.row,
                col: m.col,
                scroll: m.scroll,
            },
        });
    }
    if let Some(findings) = view.as_any().downcast_ref::<FindingsView>() {
        return Some(SavedView::Findings {
            policy: findings.policy.map(|pi| policy_id(shared, pi)),
            selected: findings.selected,
            min_severity: findings.min_severity,
        });
    }
    if let Some(card) = view.as_any().downcast_ref::<TermCard>() {
        let (_, word) = CARD_CATEGORIES
            .into_iter()
            .find(|(c, _)| *c == card.category)?;
        return Some(SavedView::Card {
            category: word.to_string(),
            term: card.term.clone(),
            selected: card.selected,
        });
    }
    None
}

/// The view `saved` describes, if its policies still exist.
fn reopen(shared: &Shared, saved: &SavedView) -> Option<Box<dyn Component>> {
    let index = |id: &str| {
        shared
            .corpus
            .policies
            .iter()
            .position(|p| p.policy.id == id)
    };
    // Policies that are gone are left out; none left, nothing to reopen.
    let indices = |ids: &[String]| {
        let list: Vec<usize> = ids.iter().filter_map(|id| index(id)).collect();
        (!list.is_empty()).then_some(list)
    };
    Some(match saved {
        SavedView::Topic {
            subject,
            policies,
            column,
            selected,
            scroll,
        } => {
            let subject = crate::compare::resolve(&shared.corpus.vocabulary, subject).ok()?;
            let mut view = CompareState::topic(shared, subject, indices(policies)?);
            if let Mode::Topic(t) = &mut view.mode {
                t.column = (*column).min(t.columns.len().saturating_sub(1));
                if let Some(c) = t.columns.get(t.column) {
                    t.selected = (*selected).min(c.clauses.len().saturating_sub(1));
                }
                t.scroll = *scroll;
            }
            Box::new(view)
        }
        SavedView::Versions {
            left,
            right,
            selected,
            scroll,
            hide_unchanged,
        } => {
            let mut view = CompareState::versions(shared, index(left)?, index(right)?);
            if let Mode::Versions(v) = &mut view.mode {
                v.selected = *selected;
                v.scroll = *scroll;
                v.hide_unchanged = *hide_unchanged;
            }
            Box::new(view)
        }
        SavedView::Matrix {
            by,
            policies,
            row,
            col,
            scroll,
        } => {
            let by = [By::Data, By::Recipients]
                .into_iter()
                .find(|b| b.name() == by)?;
            let mut matrix = build_matrix(shared, by, indices(policies)?);
            matrix.row = (*row).min(matrix.matrix.rows.len().saturating_sub(1));
            matrix.col = (*col).min(matrix.policies.len().saturating_sub(1));
            matrix.scroll = (*scroll).min(matrix.row);
            Box::new(CompareState {
                mode: Mode::Matrix(matrix),
                picker: None,
            })
        }
        SavedView::Findings {
            policy,
            selected,
            min_severity,
        } => {
            let policy = match policy {
                Some(id) => Some(index(id)?),
                None => None,
            };
            let mut view = FindingsView::open(shared, policy);
            view.min_severity = *min_severity;
            view.selected = (*selected).min(view.listed().len().saturating_sub(1));
            Box::new(view)
        }
        SavedView::Card {
            category,
            term,
            selected,
        } => {
            let (category, _) = CARD_CATEGORIES
                .into_iter()
                .find(|(_, word)| word == category)?;
            shared.corpus.vocabulary.term(category, term)?;
            let mut card = TermCard::new(shared, category, term);
            card.selected = (*selected).min(card.link_count().saturating_sub(1));
            Box::new(card)
        }
    })
}

/// Puts the app back where `saved` says, as far as the nodes still exist.
pub fn apply(app: &mut App, saved: &Saved) {
    let keys: std::collections::HashSet<&str> = saved.expanded.iter().map(String::as_str).collect();
    let opened: Vec<usize> = (0..app.shared.tree.nodes.len())
        .filter(|&n| node_key(&app.shared, n).is_some_and(|k| keys.contains(k.as_str())))
        .collect();
    let selected = saved
        .selected
        .as_deref()
        .and_then(|k| node_of(&app.shared, k));
    let App { shared, stack, .. } = app;
    if let Some(browse) = stack[0].as_any_mut().downcast_mut::<Browse>() {
        for node in opened {
            browse.expanded[node] = true;
        }
        browse.filter = Filter {
            query: saved.tree_filter.clone(),
            editing: false,
        };
        match selected {
            Some(node) => browse.select_node(shared, node),
            None => {
                let first = browse.selected_node().unwrap_or(0);
                browse.select_node(shared, first);
            }
        }
        browse.resize(shared);
    }
    if let Some(notes) = &saved.notes {
        let mut view = NotesView::default();
        view.typed.query = notes.filter.clone();
        view.selected = notes
            .selected
            .min(view.listed_notes(&app.shared).len().saturating_sub(1));
        app.stack.push(Box::new(view));
    }
    if let Some(mut view) = saved.top.as_ref().and_then(|v| reopen(&app.shared, v)) {
        view.resize(&app.shared);
        app.stack.push(view);
    }
}

pub fn save_to(app: &App, path: &Path) -> std::io::Result<()> {
    write(path, &capture(app))
}

/// The state saved in `path`, if there is one that reads.
pub fn read(path: &Path) -> Option<Saved> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// While a folder loads: the tree's filter at once (it applies to
/// policies as they come).
pub fn apply_at_start(app: &mut App, saved: &Saved) {
    if let Some(browse) = app.stack[0].as_any_mut().downcast_mut::<Browse>() {
        browse.filter = Filter {
            query: saved.tree_filter.clone(),
            editing: false,
        };
    }
}

/// While a folder loads: what `saved` says about the policies from
/// `from` on, just loaded: their open rows, and the selection if it is on
/// one of them and `select` (the analyst has not moved yet). Whether the
/// selection was restored. Only the policies `saved` names are looked at.
pub fn apply_loaded(app: &mut App, saved: &Saved, from: usize, select: bool) -> bool {
    let named: std::collections::HashSet<&str> = saved
        .expanded
        .iter()
        .chain(&saved.selected)
        .filter_map(|k| k.split(' ').next())
        .collect();
    let keys: std::collections::HashSet<&str> = saved.expanded.iter().map(String::as_str).collect();
    let shared = &app.shared;
    let (mut opened, mut selected) = (Vec::new(), None);
    for &root in shared.tree.roots.iter().skip(from) {
        let policy = shared.tree.nodes[root].policy;
        if !named.contains(shared.corpus.policies[policy].policy.id.as_str()) {
            continue;
        }
        for node in root..shared.tree.nodes[root].end {
            let Some(key) = node_key(shared, node) else {
                continue;
            };
            if keys.contains(key.as_str()) {
                opened.push(node);
            }
            if select && saved.selected.as_deref() == Some(key.as_str()) {
                selected = Some(node);
            }
        }
    }
    let App { shared, stack, .. } = app;
    let Some(browse) = stack[0].as_any_mut().downcast_mut::<Browse>() else {
        return false;
    };
    browse.expanded.resize(shared.tree.nodes.len(), false);
    for node in opened {
        browse.expanded[node] = true;
    }
    browse.tree_grew(shared);
    if let Some(node) = selected {
        browse.select_node(shared, node);
        browse.resize(shared);
    }
    selected.is_some()
}

/// Once the folder is loaded: the notes view, if it was open and the
/// analyst has not started elsewhere.
pub fn apply_at_end(app: &mut App, saved: &Saved) {
    if let Some(notes) = &saved.notes {
        let mut view = NotesView::default();
        view.typed.query = notes.filter.clone();
        view.selected = notes
            .selected
            .min(view.listed_notes(&app.shared).len().saturating_sub(1));
        app.stack.push(Box::new(view));
    }
}

/// [`save_to`] for a session that ended before its folder finished
/// loading: what `earlier` kept for policies not loaded yet stays, and so
/// does its selection if `keep_selection` (it was never restored).
pub fn save_partial(
    app: &App,
    path: &Path,
    earlier: &Saved,
    keep_selection: bool,
) -> std::io::Result<()> {
    let mut saved = capture(app);
    let loaded: std::collections::HashSet<&str> = app
        .shared
        .corpus
        .policies
        .iter()
        .map(|p| p.policy.id.as_str())
        .collect();
    let unloaded = |key: &&String| !loaded.contains(key.split(' ').next().unwrap_or(""));
    saved
        .expanded
        .extend(earlier.expanded.iter().filter(unloaded).cloned());
    if keep_selection {
        saved.selected.clone_from(&earlier.selected);
    }
    saved.notes = saved.notes.or_else(|| {
        earlier.notes.as_ref().map(|n| SavedNotes {
            selected: n.selected,
            filter: n.filter.clone(),
        })
    });
    write(path, &saved)
}

fn write(path: &Path, saved: &Saved) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_string_pretty(saved).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}

/// Restores from `path`; whether a state was found and applied.
pub fn restore_from(app: &mut App, path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match serde_json::from_str::<Saved>(&text) {
        Ok(saved) => {
            apply(app, &saved);
            true
        }
        Err(_) => false,
    }
}
