//! The compare views' state and what keys do in them: a topic or term
//! across policies in columns, two versions aligned clause by clause (the
//! alignment runs on a background thread so input never waits), and the
//! data / recipient matrix with the evidence of a cell. The line layouts
//! live here too, so scrolling (here) and drawing (`view::compare`) agree.

use std::sync::mpsc::{self, Receiver, TryRecvError};

use crate::compare::{self, Alignment, By, Column, Matrix, Op, PracticeDiff, Status, Subject};
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::any_component;
use crate::keymap::View;
use crate::model::{Category, Policy};

use super::action::Action;
use super::app::Shared;
use super::component::{Component, Here};
use super::effect::Effect;
use super::text::{truncate, width, wrap};
use super::widgets::filter::Filter;

/// Below this many columns per policy, topic columns stack.
pub const MIN_COLUMN: usize = 28;
/// From this width the version view shows the practice diff beside the
/// clauses, and from `SIDE_BY_SIDE` old and new text side by side.
pub const PRACTICES_BESIDE: usize = 150;
pub const SIDE_BY_SIDE: usize = 100;

pub struct CompareState {
    pub mode: Mode,
    pub picker: Option<Picker>,
}

pub enum Mode {
    Topic(TopicView),
    Versions(VersionView),
    Matrix(MatrixView),
}

pub struct TopicView {
    pub subject: Subject,
    /// Corpus indices of the policies shown, one column each.
    pub policies: Vec<usize>,
    pub columns: Vec<Column>,
    /// The focused column and the selected item (clause) in it.
    pub column: usize,
    pub selected: usize,
    /// First line shown; columns scroll together.
    pub scroll: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
    Practices,
}

pub struct VersionView {
    pub left: usize,
    pub right: usize,
    /// None while the alignment runs.
    pub result: Option<Box<(Alignment, PracticeDiff)>>,
    pending: Option<Receiver<Box<(Alignment, PracticeDiff)>>>,
    /// The selected pair.
    pub selected: usize,
    pub side: Side,
    pub scroll: usize,
    pub practice_scroll: usize,
    /// Show only the pairs that changed (section headings stay).
    pub hide_unchanged: bool,
}

impl VersionView {
    /// No policies chosen yet.
    fn empty() -> VersionView {
        VersionView {
            left: 0,
            right: 0,
            result: None,
            pending: None,
            selected: 0,
            side: Side::Right,
            scroll: 0,
            practice_scroll: 0,
            hide_unchanged: false,
        }
    }

    /// Whether the alignment is under way.
    pub fn aligning(&self) -> bool {
        self.pending.is_some()
    }
}

pub struct MatrixView {
    pub by: By,
    pub policies: Vec<usize>,
    pub matrix: Matrix,
    pub row: usize,
    pub col: usize,
    pub scroll: usize,
    /// The evidence of the selected cell is open, this clause selected.
    pub evidence: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerPurpose {
    Topic,
    Policies,
    TwoVersions,
}

pub struct PickerItem {
    pub key: String,
    pub label: String,
    pub marked: bool,
}

pub struct Picker {
    pub purpose: PickerPurpose,
    pub title: String,
    pub items: Vec<PickerItem>,
    pub selected: usize,
    /// Typed with `/`: only matching items are shown, best first.
    pub filter: Filter,
}

impl Picker {
    /// The items shown, in the order shown (indices into `items`).
    pub fn shown(&self) -> Vec<usize> {
        self.filter
            .order(self.items.iter().map(|i| i.label.as_str()))
    }

    /// Moves the cursor `by` rows among the shown items.
    fn step(&mut self, by: isize) {
        let shown = self.shown();
        let at = shown.iter().position(|&i| i == self.selected);
        let next = match at {
            Some(at) => (at as isize + by).clamp(0, shown.len() as isize - 1) as usize,
            None => 0,
        };
        if let Some(&item) = shown.get(next) {
            self.selected = item;
        }
    }
}

/// A run of text in a compare layout and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Plain,
    Heading,
    Id,
    Deleted,
    Inserted,
    Silent,
    Negative,
    Dim,
}

/// One laid-out line: its runs, and the item (clause, pair) it belongs to.
#[derive(Debug, Clone)]
pub struct CLine {
    pub runs: Vec<(String, Mark)>,
    pub item: Option<usize>,
}

impl CLine {
    fn new(text: impl Into<String>, mark: Mark, item: Option<usize>) -> CLine {
        CLine {
            runs: vec![(text.into(), mark)],
            item,
        }
    }

    fn blank() -> CLine {
        CLine {
            runs: Vec::new(),
            item: None,
        }
    }
}

/// Word-wraps marked runs to `max` columns, keeping each word's mark.
pub fn wrap_runs(runs: &[(String, Mark)], max: usize, item: Option<usize>) -> Vec<CLine> {
    let max = max.max(4);
    let mut lines = vec![CLine {
        runs: Vec::new(),
        item,
    }];
    let mut used = 0;
    for (text, mark) in runs {
        let starts_with_space = text.starts_with(char::is_whitespace);
        for (k, word) in text.split_whitespace().enumerate() {
            let w = width(word);
            let spaced = used > 0 && (k > 0 || starts_with_space || needs_space(&lines));
            if used > 0 && used + usize::from(spaced) + w > max {
                lines.push(CLine {
                    runs: Vec::new(),
                    item,
                });
                used = 0;
            }
            let line = lines.last_mut().expect("one line");
            let piece = if used > 0 && spaced {
                format!(" {word}")
            } else {
                word.to_string()
            };
            used += width(&piece);
            let piece = if width(&piece) > max {
                truncate(&piece, max)
            } else {
                piece
            };
            match line.runs.last_mut() {
                Some((t, m)) if m == mark => t.push_str(&piece),
                _ => line.runs.push((piece, *mark)),
            }
        }
    }
    lines
}

/// Whether the previous run ended with a space (so the next word needs one).
fn needs_space(lines: &[CLine]) -> bool {
    lines
        .last()
        .and_then(|l| l.runs.last())
        .is_some_and(|(t, _)| !t.is_empty())
}

impl CompareState {
    pub fn busy(&self) -> bool {
        matches!(&self.mode, Mode::Versions(v) if v.pending.is_some())
    }

    /// The clause an annotation from this view would be about: the policy
    /// (index into the corpus) and clause id under the cursor. Topic: the
    /// selected clause of the focused column. Versions: the selected pair's
    /// clause on the focused side (the other side's when that one is
    /// missing). Matrix: the selected evidence clause when the evidence is
    /// open, else the cell's first evidence clause.
    pub fn clause_under_cursor(&self) -> Option<(usize, String)> {
        match &self.mode {
            Mode::Topic(t) => {
                let column = t.columns.get(t.column)?;
                let id = column.clauses.get(t.selected)?;
                Some((t.policies[column.policy], id.clone()))
            }
            Mode::Versions(v) => {
                let result = v.result.as_ref()?;
                let (a, _) = &**result;
                let pair = a.pairs.get(v.selected)?;
                let left = a.left_id(pair).map(|id| (v.left, id.to_string()));
                let right = a.right_id(pair).map(|id| (v.right, id.to_string()));
                match v.side {
                    Side::Left => left.or(right),
                    Side::Right | Side::Practices => right.or(left),
                }
            }
            Mode::Matrix(m) => {
                let cell = m.matrix.rows.get(m.row)?.cells.get(m.col)?;
                let id = cell.evidence.get(m.evidence.unwrap_or(0))?;
                Some((m.policies[m.col], id.to_string()))
            }
        }
    }
}

/// Geometry of the topic view: stacked or not, each column's text width,
/// and the lines of text that fit.
pub fn topic_geometry(size: (u16, u16), columns: usize) -> (bool, usize, usize) {
    let w = usize::from(size.0);
    let h = usize::from(size.1).saturating_sub(1 + 3);
    let per = w / columns.max(1);
    if per < MIN_COLUMN {
        (true, w.saturating_sub(4), h.max(1))
    } else {
        // Border and gutter, and one for the rounding of column widths.
        (false, per.saturating_sub(4), h.max(1))
    }
}

/// The lines of one topic column (or, stacked, of all of them in turn).
/// Items number the clauses across columns: column * 100_000 + clause.
pub fn topic_lines(
    app: &Shared,
    t: &TopicView,
    columns: &[usize],
    text_width: usize,
    stacked: bool,
) -> Vec<CLine> {
    let mut out = Vec::new();
    for &ci in columns {
        let column = &t.columns[ci];
        let policy = &app.corpus.policies[t.policies[column.policy]].policy;
        if stacked {
            out.push(CLine::new(
                truncate(
                    &format!("── {} · {} ", policy.id, policy.date_label()),
                    text_width,
                ),
                Mark::Heading,
                None,
            ));
        }
        if column.is_silent() {
            out.push(CLine::new("not addressed", Mark::Silent, None));
            out.push(CLine::blank());
            continue;
        }
        for flow in &column.flows {
            let mark = if flow.does {
                Mark::Plain
            } else {
                Mark::Negative
            };
            let text = format!(
                "{} {}: {}",
                flow.label(),
                flow.context,
                flow.matched.join(", ")
            );
            out.extend(wrap_runs(&[(text, mark)], text_width, None));
        }
        if !column.flows.is_empty() {
            out.push(CLine::blank());
        }
        for (k, id) in column.clauses.iter().enumerate() {
            let item = Some(ci * 100_000 + k);
            out.push(CLine::new(id.clone(), Mark::Id, item));
            let text = policy.clause(id).map(|c| &*c.text).unwrap_or("");
            for line in wrap(text, text_width) {
                out.push(CLine::new(line, Mark::Plain, item));
            }
            out.push(CLine::blank());
        }
    }
    out
}

/// Geometry of the version view: (practices beside, side by side, clause
/// text width per side, practices width, text height).
pub fn version_geometry(size: (u16, u16)) -> (bool, bool, usize, usize, usize) {
    let w = usize::from(size.0);
    let h = usize::from(size.1).saturating_sub(1 + 2).max(1);
    let beside = w >= PRACTICES_BESIDE;
    let practices = if beside { w / 3 } else { w };
    let clauses = if beside { w - practices } else { w };
    let side_by_side = clauses >= SIDE_BY_SIDE;
    // Each pane: two borders and a one-column gutter.
    let text = if side_by_side {
        clauses.saturating_sub(7) / 2
    } else {
        clauses.saturating_sub(3)
    };
    (beside, side_by_side, text, practices.saturating_sub(3), h)
}

/// The header of a pair: what happened to it.
pub fn pair_header(a: &Alignment, k: usize) -> (String, Mark) {
    let p = &a.pairs[k];
    let moved = if p.moved { " · moved" } else { "" };
    match p.status {
        Status::Unchanged => (
            format!(
                "= {} → {} · unchanged{moved}",
                a.left_id(p).unwrap_or(""),
                a.right_id(p).unwrap_or("")
            ),
            Mark::Dim,
        ),
        Status::Reworded => (
            format!(
                "~ {} → {} · reworded, {:.0}% similar{moved}",
                a.left_id(p).unwrap_or(""),
                a.right_id(p).unwrap_or(""),
                p.similarity * 100.0
            ),
            Mark::Id,
        ),
        Status::Added => (
            format!(
                "+ {} · added{}",
                a.right_id(p).unwrap_or(""),
                p.split_from
                    .as_ref()
                    .map(|s| format!(", split from {s}"))
                    .unwrap_or_default()
            ),
            Mark::Inserted,
        ),
        Status::Removed => (
            format!(
                "- {} · removed{}",
                a.left_id(p).unwrap_or(""),
                p.merged_into
                    .as_ref()
                    .map(|s| format!(", merged into {s}"))
                    .unwrap_or_default()
            ),
            Mark::Deleted,
        ),
    }
}

/// The runs of one side of a pair (Left: kept and deleted words; Right:
/// kept and inserted; None: both, inline). Changes carry `[-…-]` and
/// `{+…+}` so they show without colour too.
pub fn pair_runs(a: &Alignment, k: usize, side: Option<Side>) -> Vec<(String, Mark)> {
    let p = &a.pairs[k];
    match p.status {
        Status::Added => {
            if side == Some(Side::Left) {
                return vec![(String::from("(not in this version)"), Mark::Silent)];
            }
            let text = &a.right[p.right.unwrap_or(0)].text;
            vec![(text.to_string(), Mark::Plain)]
        }
        Status::Removed => {
            if side == Some(Side::Right) {
                return vec![(String::from("(not in this version)"), Mark::Silent)];
            }
            let text = &a.left[p.left.unwrap_or(0)].text;
            vec![(text.to_string(), Mark::Plain)]
        }
        Status::Unchanged | Status::Reworded => p
            .changes
            .iter()
            .filter_map(|c| match (c.op, side) {
                (Op::Equal, _) => Some((c.text.clone(), Mark::Plain)),
                (Op::Delete, Some(Side::Right)) | (Op::Insert, Some(Side::Left)) => None,
                (Op::Delete, _) => Some((format!("[-{}-]", c.text.trim()), Mark::Deleted)),
                (Op::Insert, _) => Some((format!("{{+{}+}}", c.text.trim()), Mark::Inserted)),
            })
            .map(|(t, m)| {
                if m == Mark::Plain {
                    (t, m)
                } else {
                    (format!(" {t} "), m)
                }
            })
            .collect(),
    }
}

/// The clause lines of the version view: (left or unified lines, right
/// lines when side by side), the same height per pair.
/// Whether a pair is shown: with `hide_unchanged`, only those that
/// changed (a clause moved unchanged still counts as a change).
pub fn pair_shown(a: &Alignment, k: usize, hide_unchanged: bool) -> bool {
    let p = &a.pairs[k];
    !hide_unchanged || p.status != Status::Unchanged || p.moved
}

/// The section a pair sits in: its new clause's, else its old one's.
fn pair_section(a: &Alignment, k: usize) -> &str {
    let p = &a.pairs[k];
    p.right
        .map(|r| a.right[r].heading.as_str())
        .or_else(|| p.left.map(|l| a.left[l].heading.as_str()))
        .unwrap_or("")
}

/// "§ 3. Sharing · 2 reworded, 1 added": the heading over a run of pairs
/// of one section, with what changed in it.
fn section_heading(a: &Alignment, start: usize) -> String {
    let heading = pair_section(a, start);
    let run = (start..a.pairs.len()).take_while(|&k| pair_section(a, k) == heading);
    let mut counts = [0usize; 4];
    for k in run {
        let i = match a.pairs[k].status {
            Status::Unchanged => 0,
            Status::Reworded => 1,
            Status::Added => 2,
            Status::Removed => 3,
        };
        counts[i] += 1;
    }
    let parts: Vec<String> = [
        (counts[1], "reworded"),
        (counts[2], "added"),
        (counts[3], "removed"),
        (counts[0], "unchanged"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    let heading = if heading.is_empty() {
        "(no heading)"
    } else {
        heading
    };
    format!("§ {heading} · {}", parts.join(", "))
}

pub fn version_lines(
    a: &Alignment,
    size: (u16, u16),
    hide_unchanged: bool,
) -> (Vec<CLine>, Vec<CLine>) {
    let (_, side_by_side, text, _, _) = version_geometry(size);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let mut section: Option<&str> = None;
    for k in 0..a.pairs.len() {
        // A section's heading and summary open its run, shown or not, so
        // hiding unchanged clauses still says what each section holds.
        if section != Some(pair_section(a, k)) {
            section = Some(pair_section(a, k));
            let heading = wrap_runs(&[(section_heading(a, k), Mark::Heading)], text, None);
            if side_by_side {
                right.extend(heading.iter().cloned());
            }
            left.extend(heading);
        }
        if !pair_shown(a, k, hide_unchanged) {
            continue;
        }
        // The header (ids, similarity, "moved") is wrapped to one pane and
        // drawn whole in each, so neither cuts it off.
        let (header, mark) = pair_header(a, k);
        let head = wrap_runs(&[(header, mark)], text, Some(k));
        if side_by_side {
            let l = wrap_runs(&pair_runs(a, k, Some(Side::Left)), text, Some(k));
            let r = wrap_runs(&pair_runs(a, k, Some(Side::Right)), text, Some(k));
            let height = l.len().max(r.len());
            for (side, mut lines) in [(&mut left, l), (&mut right, r)] {
                side.extend(head.iter().cloned());
                while lines.len() < height {
                    lines.push(CLine {
                        runs: Vec::new(),
                        item: Some(k),
                    });
                }
                side.extend(lines);
                side.push(CLine::blank());
            }
        } else {
            left.extend(head);
            left.extend(wrap_runs(&pair_runs(a, k, None), text, Some(k)));
            left.push(CLine::blank());
        }
    }
    (left, right)
}

/// The practice diff as lines.
pub fn practice_lines(d: &PracticeDiff, text_width: usize) -> Vec<CLine> {
    let mut out = Vec::new();
    let summary = format!("Practices after vocabulary normalization: {}", d.counts());
    out.extend(wrap_runs(&[(summary, Mark::Heading)], text_width, None));
    out.push(CLine::blank());
    for f in &d.added {
        let text = format!("+ {}", crate::cli::compare::describe_flow(f));
        out.extend(wrap_runs(&[(text, Mark::Inserted)], text_width, None));
    }
    for f in &d.removed {
        let text = format!("- {}", crate::cli::compare::describe_flow(f));
        out.extend(wrap_runs(&[(text, Mark::Deleted)], text_width, None));
    }
    for c in &d.changed {
        let facets: Vec<String> = c
            .changes
            .iter()
            .map(|(facet, ch)| {
                let mut parts = Vec::new();
                parts.extend(ch.added.iter().map(|x| format!("+{x}")));
                parts.extend(ch.removed.iter().map(|x| format!("-{x}")));
                format!("{facet} {}", parts.join(" "))
            })
            .collect();
        let text = format!(
            "~ {} → {}: {}",
            c.left.context,
            c.right.context,
            facets.join("; ")
        );
        out.extend(wrap_runs(&[(text, Mark::Id)], text_width, None));
    }
    for name in &d.contexts_added {
        out.extend(wrap_runs(
            &[(format!("+ context \"{name}\""), Mark::Inserted)],
            text_width,
            None,
        ));
    }
    for name in &d.contexts_removed {
        out.extend(wrap_runs(
            &[(format!("- context \"{name}\""), Mark::Deleted)],
            text_width,
            None,
        ));
    }
    out
}

/// Matrix geometry: (label width, cell width, policy columns that fit,
/// rows that fit).
pub fn matrix_geometry(size: (u16, u16), policies: usize) -> (usize, usize, usize, usize) {
    let w = usize::from(size.0).saturating_sub(2);
    let label = (w / 3).clamp(14, 32);
    let cell = 14;
    let fit = ((w.saturating_sub(label)) / (cell + 1)).clamp(1, policies.max(1));
    let rows = usize::from(size.1).saturating_sub(1 + 3).max(1);
    (label, cell, fit, rows)
}

/// Keeps lines `start..=end` in a window of `height` from `*scroll`, moving
/// as little as shows it whole (its top when it is taller than the window).
fn keep_in_view(scroll: &mut usize, start: usize, end: usize, height: usize) {
    if start < *scroll {
        *scroll = start;
    } else if end >= *scroll + height {
        *scroll = if end - start + 1 > height {
            start
        } else {
            end + 1 - height
        };
    }
}

fn all_policies(shared: &Shared) -> Vec<usize> {
    (0..shared.corpus.policies.len()).collect()
}

/// `C`: the topic of the selected clause (else retention) across every
/// policy.
pub fn open_topic(shared: &Shared, here: Option<Here>) -> Vec<Effect> {
    let topic = here
        .and_then(|h| {
            let (si, ci) = h.clause?;
            let p = &shared.corpus.policies[h.policy].policy;
            p.sections[si].clauses[ci]
                .topics
                .first()
                .map(|t| t.to_string())
        })
        .unwrap_or_else(|| String::from("data-retention"));
    let subject =
        compare::resolve(&shared.corpus.vocabulary, &topic).unwrap_or(Subject::Topic(topic));
    let view = CompareState::topic(shared, subject, all_policies(shared));
    vec![Effect::Push(Box::new(view))]
}

/// `V`: the selected policy against its other version, or a picker to
/// choose two.
pub fn open_versions(shared: &Shared, here: Option<Here>) -> Vec<Effect> {
    let pair = here.map(|h| h.policy).and_then(|p| {
        compare::superseded(&shared.corpus, p)
            .map(|older| (older, p))
            .or_else(|| compare::superseded_by(&shared.corpus, p).map(|newer| (p, newer)))
    });
    match pair {
        Some((left, right)) => vec![Effect::Push(Box::new(CompareState::versions(
            shared, left, right,
        )))],
        None => {
            // No version pair: an empty version view waits behind the
            // picker ("choose two policies").
            let mut view = CompareState {
                mode: Mode::Versions(VersionView::empty()),
                picker: None,
            };
            view.open_picker(shared, PickerPurpose::TwoVersions);
            vec![
                Effect::Push(Box::new(view)),
                Effect::Status(String::from(
                    "this policy supersedes no other: mark two policies to compare",
                )),
            ]
        }
    }
}

/// `M`: data categories against every policy.
pub fn open_matrix(shared: &Shared) -> Vec<Effect> {
    let view = CompareState {
        mode: Mode::Matrix(build_matrix(shared, By::Data, all_policies(shared))),
        picker: None,
    };
    vec![Effect::Push(Box::new(view))]
}

/// The matrix of `policies` by data or recipients.
pub fn build_matrix(shared: &Shared, by: By, policies: Vec<usize>) -> MatrixView {
    let list: Vec<&Policy> = policies
        .iter()
        .map(|&i| &shared.corpus.policies[i].policy)
        .collect();
    let matrix = compare::matrix(&list, &shared.corpus.vocabulary, by);
    MatrixView {
        by,
        policies,
        matrix,
        row: 0,
        col: 0,
        scroll: 0,
        evidence: None,
    }
}

impl CompareState {
    /// The topic view for `subject` over `policies`.
    pub fn topic(shared: &Shared, subject: Subject, policies: Vec<usize>) -> CompareState {
        let list: Vec<&Policy> = policies
            .iter()
            .map(|&i| &shared.corpus.policies[i].policy)
            .collect();
        let columns = compare::compare_topic(&list, &shared.corpus.vocabulary, &subject);
        let column = columns
            .iter()
            .position(|c| !c.clauses.is_empty())
            .unwrap_or(0);
        CompareState {
            mode: Mode::Topic(TopicView {
                subject,
                policies,
                columns,
                column,
                selected: 0,
                scroll: 0,
            }),
            picker: None,
        }
    }

    /// Two versions, aligned on a background thread.
    pub fn versions(shared: &Shared, left: usize, right: usize) -> CompareState {
        let (tx, rx) = mpsc::channel();
        let l = shared.corpus.policies[left].policy.clone();
        let r = shared.corpus.policies[right].policy.clone();
        let vocabulary = shared.corpus.vocabulary.clone();
        std::thread::spawn(move || {
            let alignment = compare::align_policies(&l, &r);
            let practices = compare::practice_diff(&l, &r, &vocabulary);
            let _ = tx.send(Box::new((alignment, practices)));
        });
        CompareState {
            mode: Mode::Versions(VersionView {
                left,
                right,
                result: None,
                pending: Some(rx),
                selected: 0,
                side: Side::Right,
                scroll: 0,
                practice_scroll: 0,
                hide_unchanged: false,
            }),
            picker: None,
        }
    }

    fn open_picker(&mut self, shared: &Shared, purpose: PickerPurpose) {
        let shown: Vec<usize> = match &self.mode {
            Mode::Topic(t) => t.policies.clone(),
            Mode::Matrix(m) => m.policies.clone(),
            Mode::Versions(v) => vec![v.left, v.right],
        };
        let (title, items) = match purpose {
            PickerPurpose::Topic => {
                let current = match &self.mode {
                    Mode::Topic(t) => t.subject.key(),
                    _ => String::new(),
                };
                let mut items = Vec::new();
                for (category, kind) in [
                    (Category::Topics, "topic"),
                    (Category::Data, "data"),
                    (Category::Recipients, "recipient"),
                    (Category::Purposes, "purpose"),
                ] {
                    for term in shared.corpus.vocabulary.terms(category) {
                        let key = format!("{kind}:{}", term.id);
                        items.push(PickerItem {
                            marked: key == current,
                            label: format!("{kind:<10} {}", term.label),
                            key,
                        });
                    }
                }
                (String::from("Choose a topic or term"), items)
            }
            PickerPurpose::Policies | PickerPurpose::TwoVersions => {
                let items = shared
                    .corpus
                    .policies
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PickerItem {
                        key: i.to_string(),
                        label: format!(
                            "{:<14} {} · {}",
                            p.policy.id,
                            p.policy.organization,
                            p.policy.date_label()
                        ),
                        marked: shown.contains(&i),
                    })
                    .collect();
                let title = if purpose == PickerPurpose::TwoVersions {
                    "Mark two policies to compare (older first)"
                } else {
                    "Mark the policies to include"
                };
                (String::from(title), items)
            }
        };
        let selected = items.iter().position(|i| i.marked).unwrap_or(0);
        self.picker = Some(Picker {
            purpose,
            title,
            items,
            selected,
            filter: Filter::default(),
        });
    }

    fn apply_picker(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let Some(picker) = &mut self.picker else {
            return Vec::new();
        };
        let page = (usize::from(shared.size.1) / 2).max(1) as isize;
        if picker.filter.editing {
            picker.filter.handle(action);
            picker.step(0);
            return Vec::new();
        }
        match action {
            Action::Filter => picker.filter.editing = true,
            Action::Down => picker.step(1),
            Action::Up => picker.step(-1),
            Action::PageDown => picker.step(page),
            Action::PageUp => picker.step(-page),
            Action::ToggleMark => {
                if picker.purpose == PickerPurpose::Topic {
                    for item in &mut picker.items {
                        item.marked = false;
                    }
                }
                if let Some(item) = picker.items.get_mut(picker.selected) {
                    item.marked = !item.marked;
                }
            }
            Action::Cancel | Action::Back if picker.filter.active() => {
                picker.filter = Filter::default()
            }
            Action::Cancel | Action::Back => self.picker = None,
            Action::Submit | Action::Enter => return self.accept_picker(shared),
            _ => {}
        }
        Vec::new()
    }

    fn accept_picker(&mut self, shared: &Shared) -> Vec<Effect> {
        let Some(picker) = self.picker.take() else {
            return Vec::new();
        };
        let marked: Vec<&PickerItem> = picker.items.iter().filter(|i| i.marked).collect();
        match picker.purpose {
            PickerPurpose::Topic => {
                let key = picker
                    .items
                    .get(picker.selected)
                    .map(|i| i.key.clone())
                    .unwrap_or_default();
                let Ok(subject) = compare::resolve(&shared.corpus.vocabulary, &key) else {
                    return Vec::new();
                };
                let policies = match &self.mode {
                    Mode::Topic(t) => t.policies.clone(),
                    Mode::Matrix(m) => m.policies.clone(),
                    _ => all_policies(shared),
                };
                *self = CompareState::topic(shared, subject, policies);
            }
            PickerPurpose::Policies => {
                let chosen: Vec<usize> = marked.iter().filter_map(|i| i.key.parse().ok()).collect();
                if chosen.is_empty() {
                    self.picker = Some(picker);
                    return vec![Effect::Status(String::from("mark at least one policy"))];
                }
                match &self.mode {
                    Mode::Topic(t) => {
                        let subject = t.subject.clone();
                        *self = CompareState::topic(shared, subject, chosen);
                    }
                    Mode::Matrix(m) => {
                        let by = m.by;
                        self.mode = Mode::Matrix(build_matrix(shared, by, chosen));
                    }
                    _ => {}
                }
            }
            PickerPurpose::TwoVersions => {
                let mut chosen: Vec<usize> =
                    marked.iter().filter_map(|i| i.key.parse().ok()).collect();
                if chosen.len() != 2 {
                    let message = format!("mark exactly two policies ({} marked)", chosen.len());
                    self.picker = Some(picker);
                    return vec![Effect::Status(message)];
                }
                // Older on the left: by date label, ISO dates sort.
                chosen.sort_by_key(|&i| shared.corpus.policies[i].policy.date_label().to_string());
                *self = CompareState::versions(shared, chosen[0], chosen[1]);
            }
        }
        Vec::new()
    }

    fn move_topic(&mut self, action: Action, shared: &Shared) {
        let Mode::Topic(t) = &mut self.mode else {
            return;
        };
        let n = t.columns.len();
        let (stacked, text_width, height) = topic_geometry(shared.size, n);
        let count = |c: usize| t.columns.get(c).map_or(0, |c| c.clauses.len());
        let (mut column, mut selected) = (t.column, t.selected);
        let half = (height / 2).max(1);
        match action {
            Action::Down if selected + 1 < count(column) => selected += 1,
            Action::Down if stacked => {
                if let Some(next) = (column + 1..n).find(|&c| count(c) > 0) {
                    column = next;
                    selected = 0;
                }
            }
            Action::Up if selected > 0 => selected -= 1,
            Action::Up if stacked => {
                if let Some(prev) = (0..column).rev().find(|&c| count(c) > 0) {
                    column = prev;
                    selected = count(prev) - 1;
                }
            }
            Action::Top => selected = 0,
            Action::Bottom => selected = count(column).saturating_sub(1),
            Action::PageDown => {
                selected = (selected + half / 4 + 1).min(count(column).saturating_sub(1))
            }
            Action::PageUp => selected = selected.saturating_sub(half / 4 + 1),
            Action::NextColumn => {
                column = (column + 1) % n.max(1);
                selected = selected.min(count(column).saturating_sub(1));
            }
            Action::PrevColumn => {
                column = (column + n.max(1) - 1) % n.max(1);
                selected = selected.min(count(column).saturating_sub(1));
            }
            _ => return,
        }
        let shown: Vec<usize> = if stacked {
            (0..n).collect()
        } else {
            vec![column]
        };
        let lines = topic_lines(shared, t, &shown, text_width, stacked);
        let item = column * 100_000 + selected;
        let start = lines.iter().position(|l| l.item == Some(item));
        let end = lines.iter().rposition(|l| l.item == Some(item));
        let mut scroll = t.scroll;
        if let (Some(start), Some(end)) = (start, end) {
            keep_in_view(&mut scroll, start, end, height);
        }
        t.column = column;
        t.selected = selected;
        t.scroll = scroll;
    }
}

impl Component for CompareState {
    fn keymap(&self) -> View {
        if self.picker.as_ref().is_some_and(|p| p.filter.editing) {
            View::Input
        } else if self.picker.is_some() {
            View::Picker
        } else {
            View::Compare
        }
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        if self.picker.is_some() {
            return self.apply_picker(action, shared);
        }
        let size = shared.size;
        let is_versions = matches!(self.mode, Mode::Versions(_));
        match action {
            Action::ChooseTopic => {
                self.open_picker(shared, PickerPurpose::Topic);
                return Vec::new();
            }
            Action::ChoosePolicies if is_versions => {
                self.open_picker(shared, PickerPurpose::TwoVersions);
                return Vec::new();
            }
            Action::ChoosePolicies => {
                self.open_picker(shared, PickerPurpose::Policies);
                return Vec::new();
            }
            _ => {}
        }
        let under_cursor = self.clause_under_cursor();
        let mut show = None;
        match &mut self.mode {
            Mode::Topic(_) => match action {
                Action::Back | Action::Cancel => return vec![Effect::Pop],
                Action::Enter => show = under_cursor,
                _ => self.move_topic(action, shared),
            },
            Mode::Versions(v) => match action {
                Action::Back | Action::Cancel => return vec![Effect::Pop],
                Action::Enter => show = under_cursor,
                _ => move_versions(v, action, size),
            },
            Mode::Matrix(m) => match action {
                Action::Back | Action::Cancel if m.evidence.is_some() => m.evidence = None,
                Action::Back | Action::Cancel => return vec![Effect::Pop],
                Action::Enter if m.evidence.is_some() => show = under_cursor,
                Action::Enter => {
                    let cell = m.matrix.rows.get(m.row).and_then(|r| r.cells.get(m.col));
                    if cell.is_some_and(|c| !c.evidence.is_empty()) {
                        m.evidence = Some(0);
                    } else {
                        return vec![Effect::Status(String::from(
                            "no evidence: the policy is silent here",
                        ))];
                    }
                }
                Action::TermCard => {
                    let Some(row) = m.matrix.rows.get(m.row) else {
                        return Vec::new();
                    };
                    let category = match m.by {
                        By::Data => Category::Data,
                        By::Recipients => Category::Recipients,
                    };
                    let card = super::card::TermCard::new(shared, category, &row.term);
                    return vec![Effect::Push(Box::new(card))];
                }
                Action::ToggleBy => {
                    let by = match m.by {
                        By::Data => By::Recipients,
                        By::Recipients => By::Data,
                    };
                    let policies = m.policies.clone();
                    self.mode = Mode::Matrix(build_matrix(shared, by, policies));
                }
                _ => move_matrix(m, action, size),
            },
        }
        // Evidence opens in a browse view over this one: `Ctrl-o` or `q`
        // comes back here, where it was.
        show.and_then(|(policy, id)| shared.tree.find_clause(&shared.corpus, policy, &id))
            .map(|node| vec![Effect::Goto(node)])
            .unwrap_or_default()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        super::view::compare::render(frame, shared, self, area);
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        if self.picker.as_ref().is_some_and(|p| p.filter.editing) {
            return &[(Action::Submit, "keep filter"), (Action::Cancel, "drop it")];
        }
        if self.picker.is_some() {
            return &[
                (Action::Filter, "filter"),
                (Action::ToggleMark, "mark"),
                (Action::Submit, "accept"),
                (Action::Cancel, "cancel"),
            ];
        }
        super::view::compare::hints(self)
    }

    fn title(&self, shared: &Shared) -> String {
        super::view::compare::location(shared, self)
    }

    fn here(&self, shared: &Shared) -> Option<Here> {
        let (policy, id) = self.clause_under_cursor()?;
        let clause = shared.corpus.policies[policy].policy.clause_position(&id);
        Some(Here { policy, clause })
    }

    fn annotation(&self, _shared: &Shared) -> Option<(usize, Vec<crate::review::Target>, usize)> {
        let (policy, clause) = self.clause_under_cursor()?;
        Some((policy, vec![crate::review::Target::clause(&clause)], 0))
    }

    fn copy_text(&self, shared: &Shared) -> Option<(String, String)> {
        let (policy, id) = self.clause_under_cursor()?;
        let p = &shared.corpus.policies[policy].policy;
        let (si, ci) = p.clause_position(&id)?;
        Some((
            p.sections[si].clauses[ci].text.to_string(),
            format!("{} {id}", p.id),
        ))
    }

    fn type_text(&mut self, text: &str, _shared: &Shared) -> Option<Vec<Effect>> {
        let picker = self.picker.as_mut().filter(|p| p.filter.editing)?;
        picker.filter.type_text(text);
        // The best match is under the cursor.
        if let Some(&first) = picker.shown().first() {
            picker.selected = first;
        }
        Some(Vec::new())
    }

    fn collect(&mut self, _shared: &Shared) -> (bool, Vec<Effect>) {
        let Mode::Versions(v) = &mut self.mode else {
            return (false, Vec::new());
        };
        let Some(rx) = &v.pending else {
            return (false, Vec::new());
        };
        match rx.try_recv() {
            Ok(result) => {
                v.result = Some(result);
                v.pending = None;
                (true, Vec::new())
            }
            Err(TryRecvError::Empty) => (false, Vec::new()),
            Err(TryRecvError::Disconnected) => {
                v.pending = None;
                (
                    true,
                    vec![Effect::Status(String::from("the alignment failed"))],
                )
            }
        }
    }

    fn busy(&self) -> bool {
        CompareState::busy(self)
    }

    any_component!();
}

fn move_versions(v: &mut VersionView, action: Action, size: (u16, u16)) {
    let Some(result) = &v.result else {
        return;
    };
    let (a, d) = &**result;
    let (beside, _, _, practice_width, height) = version_geometry(size);
    let half = (height / 2).max(1);
    let last = a.pairs.len().saturating_sub(1);
    if v.side == Side::Practices {
        let total = practice_lines(d, practice_width).len();
        let max = total.saturating_sub(height);
        match action {
            Action::Down => v.practice_scroll = (v.practice_scroll + 1).min(max),
            Action::Up => v.practice_scroll = v.practice_scroll.saturating_sub(1),
            Action::Top => v.practice_scroll = 0,
            Action::Bottom => v.practice_scroll = max,
            Action::PageDown => v.practice_scroll = (v.practice_scroll + half).min(max),
            Action::PageUp => v.practice_scroll = v.practice_scroll.saturating_sub(half),
            _ => {}
        }
    }
    match action {
        Action::NextColumn => {
            v.side = match v.side {
                Side::Left => Side::Right,
                Side::Right => Side::Practices,
                Side::Practices => Side::Left,
            }
        }
        Action::PrevColumn => {
            v.side = match v.side {
                Side::Left => Side::Practices,
                Side::Right => Side::Left,
                Side::Practices => Side::Right,
            }
        }
        _ if v.side == Side::Practices => {}
        Action::ToggleUnchanged => v.hide_unchanged = !v.hide_unchanged,
        _ => {}
    }
    let hide = v.hide_unchanged;
    let shown = |k: usize| pair_shown(a, k, hide);
    let changed = |k: usize| a.pairs[k].status != Status::Unchanged || a.pairs[k].moved;
    let next = |from: usize, want: &dyn Fn(usize) -> bool| (from + 1..=last).find(|&k| want(k));
    let prev = |from: usize, want: &dyn Fn(usize) -> bool| (0..from).rev().find(|&k| want(k));
    let step = |from: usize, n: usize, down: bool| {
        let mut at = from;
        for _ in 0..n {
            let found = if down {
                next(at, &shown)
            } else {
                prev(at, &shown)
            };
            match found {
                Some(k) => at = k,
                None => break,
            }
        }
        at
    };
    if v.side != Side::Practices {
        v.selected = match action {
            Action::Down => step(v.selected, 1, true),
            Action::Up => step(v.selected, 1, false),
            Action::Top => (0..=last).find(|&k| shown(k)).unwrap_or(0),
            Action::Bottom => (0..=last).rev().find(|&k| shown(k)).unwrap_or(last),
            Action::PageDown => step(v.selected, half / 4 + 1, true),
            Action::PageUp => step(v.selected, half / 4 + 1, false),
            Action::NextChange => next(v.selected, &changed).unwrap_or(v.selected),
            Action::PrevChange => prev(v.selected, &changed).unwrap_or(v.selected),
            _ => v.selected,
        };
        // Hiding what the cursor is on moves it to the next change.
        if !shown(v.selected) {
            v.selected = next(v.selected, &shown)
                .or_else(|| prev(v.selected, &shown))
                .unwrap_or(v.selected);
        }
    }
    let _ = beside;
    let (lines, _) = version_lines(a, size, hide);
    // The section heading right above the pair scrolls into view with it.
    let start = lines
        .iter()
        .position(|l| l.item == Some(v.selected))
        .map(|at| {
            let heading = lines[..at]
                .iter()
                .rev()
                .take_while(|l| l.item.is_none() && !l.runs.is_empty())
                .count();
            at - heading
        });
    let end = lines.iter().rposition(|l| l.item == Some(v.selected));
    if let (Some(start), Some(end)) = (start, end) {
        keep_in_view(&mut v.scroll, start, end, height);
    }
}

fn move_matrix(m: &mut MatrixView, action: Action, size: (u16, u16)) {
    let rows = m.matrix.rows.len();
    let cols = m.policies.len();
    let (_, _, _, height) = matrix_geometry(size, cols);
    let half = (height / 2).max(1);
    if let Some(selected) = &mut m.evidence {
        let count = m
            .matrix
            .rows
            .get(m.row)
            .and_then(|r| r.cells.get(m.col))
            .map_or(0, |c| c.evidence.len());
        match action {
            Action::Down => *selected = (*selected + 1).min(count.saturating_sub(1)),
            Action::Up => *selected = selected.saturating_sub(1),
            Action::Top => *selected = 0,
            Action::Bottom => *selected = count.saturating_sub(1),
            _ => {}
        }
        return;
    }
    let last = rows.saturating_sub(1);
    match action {
        Action::Down => m.row = (m.row + 1).min(last),
        Action::Up => m.row = m.row.saturating_sub(1),
        Action::Top => m.row = 0,
        Action::Bottom => m.row = last,
        Action::PageDown => m.row = (m.row + half).min(last),
        Action::PageUp => m.row = m.row.saturating_sub(half),
        Action::NextColumn => m.col = (m.col + 1).min(cols.saturating_sub(1)),
        Action::PrevColumn => m.col = m.col.saturating_sub(1),
        _ => {}
    }
    keep_in_view(&mut m.scroll, m.row, m.row, height);
}
