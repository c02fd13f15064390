//! The findings view (`F`): what `qualm lint` finds, across the folder or
//! for the policy it was opened on, most severe first, each with its rule,
//! message and the clauses it rests on. `Enter` opens the first clause,
//! `a` records the finding as a note (once), `d` dismisses it (a dismissed
//! finding stays listed, marked, and never counts against the grade again);
//! `f v` steps the lowest severity shown. Statuses come from the review
//! files as they are now, so a note changed elsewhere shows at once.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::any_component;
use crate::findings::{self, Finding};
use crate::keymap::View;
use crate::review::author::now;
use crate::review::{Note, Op, Severity, Status};

use super::action::Action;
use super::app::Shared;
use super::component::{Component, Here};
use super::effect::Effect;
use super::text::{truncate, wrap};
use super::tree::NodeKind;

pub struct FindingsView {
    /// Every finding of the folder (or of one policy), most severe first.
    findings: Vec<Finding>,
    /// Only this policy's, when opened on one.
    pub policy: Option<usize>,
    pub selected: usize,
    /// The lowest severity listed.
    pub min_severity: Severity,
}

impl FindingsView {
    /// The findings of the loaded folder as they are now; `policy` limits
    /// them to one policy.
    pub fn open(shared: &Shared, policy: Option<usize>) -> FindingsView {
        let report = shared.findings();
        let mut findings: Vec<Finding> = report
            .findings
            .iter()
            .filter(|f| policy.is_none_or(|pi| shared.corpus.policies[pi].policy.id == f.policy))
            .cloned()
            .collect();
        // Most severe first across the folder; a sort that keeps the
        // folder's order within a severity.
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        FindingsView {
            findings,
            policy,
            selected: 0,
            min_severity: Severity::Info,
        }
    }

    pub fn listed(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity >= self.min_severity)
            .collect()
    }

    /// The note recording a finding, as the review files hold it now.
    fn recorded<'s>(shared: &'s Shared, finding: &Finding) -> Option<(usize, &'s Note)> {
        let pi = policy_index(shared, &finding.policy)?;
        let note = shared.reviews.reviews[pi]
            .file
            .notes
            .iter()
            .find(|n| n.fingerprint.as_deref() == Some(finding.fingerprint.as_str()))?;
        Some((pi, note))
    }

    fn selected_finding(&self) -> Option<&Finding> {
        self.listed().get(self.selected).copied()
    }

    /// Records the finding as a note with `status` (or moves its note to it).
    fn record(&self, shared: &Shared, status: Status) -> Vec<Effect> {
        let Some(finding) = self.selected_finding() else {
            return Vec::new();
        };
        let Some(policy) = policy_index(shared, &finding.policy) else {
            return Vec::new();
        };
        if let Some((_, note)) = Self::recorded(shared, finding) {
            if note.status == status {
                return vec![Effect::Status(format!(
                    "already {status} in note {}",
                    note.id
                ))];
            }
            return vec![Effect::Store {
                policy,
                op: Op::edit_from(note, None, None, Some(status), None, now()),
                done: String::from(if status == Status::Dismissed {
                    "dismissed finding in"
                } else {
                    "reopened"
                }),
                close_editor: false,
            }];
        }
        let note = finding.to_note(&shared.corpus.policies[policy].digest, status);
        vec![Effect::Store {
            policy,
            op: Op::Add(note),
            done: String::from(if status == Status::Dismissed {
                "dismissed finding as"
            } else {
                "recorded finding as"
            }),
            close_editor: false,
        }]
    }
}

fn policy_index(shared: &Shared, id: &str) -> Option<usize> {
    shared
        .corpus
        .policies
        .iter()
        .position(|p| p.policy.id == id)
}

impl Component for FindingsView {
    fn keymap(&self) -> View {
        View::Findings
    }

    fn handle(&mut self, action: Action, shared: &Shared) -> Vec<Effect> {
        let last = self.listed().len().saturating_sub(1);
        let half = (usize::from(shared.size.1) / 4).max(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::PageDown => self.selected = (self.selected + half).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(half),
            Action::FilterSeverity => {
                self.min_severity = match self.min_severity {
                    Severity::Critical => Severity::Info,
                    other => other.next(),
                };
                self.selected = 0;
            }
            Action::Back | Action::Cancel | Action::ShowFindings => return vec![Effect::Pop],
            Action::RecordFinding => return self.record(shared, Status::Open),
            Action::DismissFinding => return self.record(shared, Status::Dismissed),
            Action::Enter => {
                let Some(finding) = self.selected_finding() else {
                    return Vec::new();
                };
                let Some(pi) = policy_index(shared, &finding.policy) else {
                    return Vec::new();
                };
                let node = match finding.evidence.first() {
                    Some(clause) => shared.tree.find_clause(&shared.corpus, pi, clause),
                    None => shared.tree.find(pi, &NodeKind::Policy),
                };
                return match node {
                    Some(node) => vec![Effect::Goto(node)],
                    None => vec![Effect::Status(String::from("no clause to show"))],
                };
            }
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, shared: &Shared) {
        let theme = shared.theme;
        let listed = self.listed();
        let scope = match self.policy {
            Some(pi) => shared.corpus.policies[pi].policy.id.clone(),
            None => String::from("all policies"),
        };
        let title = format!(
            " Findings · {scope} · {} of {} · {} and above ",
            listed.len(),
            self.findings.len(),
            self.min_severity
        );
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [list_area, detail_area] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(inner);
        let width = usize::from(list_area.width);
        let rows = usize::from(list_area.height);
        let offset = self.selected.saturating_sub(rows.saturating_sub(1));
        let mut lines = Vec::new();
        for (i, f) in listed.iter().enumerate().skip(offset).take(rows) {
            let status = match Self::recorded(shared, f) {
                Some((_, note)) if note.status != Status::Open => format!("[{}] ", note.status),
                Some(_) => String::from("[noted] "),
                None => String::new(),
            };
            let cursor = if i == self.selected { ">" } else { " " };
            let (mark, style) = theme.severity_mark(f.severity);
            let text = format!("{:<11} {:<26} {status}{}", f.policy, f.rule, f.message);
            let text = truncate(&text, width.saturating_sub(4));
            let row_style = if i == self.selected {
                theme.selected()
            } else {
                theme.base()
            };
            lines.push(Line::from(vec![
                Span::styled(cursor.to_string(), row_style),
                Span::styled(mark.to_string(), style),
                Span::raw(" "),
                Span::styled(text, row_style),
            ]));
        }
        if listed.is_empty() {
            lines.push(Line::styled("No findings at this severity.", theme.dim()));
        }
        frame.render_widget(Paragraph::new(lines), list_area);
        if let Some(f) = listed.get(self.selected) {
            let rule = findings::rules::RULES.iter().find(|r| r.id == f.rule);
            let mut detail = vec![Line::styled(
                format!("{} · {} · {}", f.severity, f.rule, f.kind),
                theme.heading(),
            )];
            for line in wrap(&f.message, usize::from(detail_area.width).max(10)) {
                detail.push(Line::styled(line, theme.base()));
            }
            if let Some(rule) = rule {
                detail.push(Line::styled(rule.reference.to_string(), theme.dim()));
            }
            if !f.evidence.is_empty() {
                let ids = f.evidence.join(", ");
                for line in wrap(
                    &format!("Clauses: {ids}"),
                    usize::from(detail_area.width).max(10),
                ) {
                    detail.push(Line::styled(line, theme.label()));
                }
            }
            if !f.suggested_flows.is_empty() {
                let ids = f.suggested_flows.join(", ");
                for line in wrap(
                    &format!("Rests on suggested flows not yet confirmed: {ids}"),
                    usize::from(detail_area.width).max(10),
                ) {
                    detail.push(Line::styled(line, theme.dim()));
                }
            }
            frame.render_widget(Paragraph::new(detail), detail_area);
        }
    }

    fn commands(&self) -> &'static [(Action, &'static str)] {
        &[
            (Action::Enter, "evidence"),
            (Action::RecordFinding, "record"),
            (Action::DismissFinding, "dismiss"),
            (Action::Help, "help"),
        ]
    }

    fn title(&self, shared: &Shared) -> String {
        match self.policy {
            Some(pi) => format!("findings of {}", shared.corpus.policies[pi].policy.id),
            None => String::from("findings"),
        }
    }

    fn here(&self, shared: &Shared) -> Option<Here> {
        let finding = self.selected_finding()?;
        let policy = policy_index(shared, &finding.policy)?;
        let clause = finding
            .evidence
            .first()
            .and_then(|id| shared.corpus.policies[policy].policy.clause_position(id));
        Some(Here { policy, clause })
    }

    any_component!();
}
