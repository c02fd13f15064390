//! Tables become contexts and flows. Header cells are mapped to flow fields
//! by their words (data; purpose or why; legal basis; recipients, shared
//! with or service; retention, period or how long; consequence or not
//! providing); each row is a context with one flow, each cell's items
//! (lines, list items, ";") separate labels, and each cell is a clause the
//! flow cites. CCPA category tables (category | examples | collected?)
//! give one flow per row, negative for "no".

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::segment::{slug, PlacedTable};
use crate::model::{Context, Flow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Context,
    Data,
    Examples,
    Purposes,
    Basis,
    Recipients,
    Retention,
    IfWithheld,
    Source,
    Collected,
    Other,
}

/// The flow field a header cell names, by its words; the order of the
/// tests matters ("Why is the data collected" is about purposes).
pub fn column_of(header: &str) -> Column {
    let h = header.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(&[
        "consequence",
        "not providing",
        "not provide",
        "fail to provide",
        "withh",
    ]) {
        Column::IfWithheld
    } else if has(&["legal basis", "lawful basis", "legal ground", "basis"]) {
        Column::Basis
    } else if has(&[
        "purpose",
        "why",
        "use it",
        "how we use",
        "used for",
        "reason",
    ]) {
        Column::Purposes
    } else if has(&[
        "retention",
        "period",
        "how long",
        "storage",
        "retain",
        "kept",
        "keep",
    ]) {
        Column::Retention
    } else if has(&[
        "recipient",
        "shared with",
        "share",
        "disclosed to",
        "third part",
        "service",
        "vendor",
        "processor",
        "who",
    ]) {
        Column::Recipients
    } else if has(&["source", "obtained from", "where we get"]) {
        Column::Source
    } else if has(&["example"]) {
        Column::Examples
    } else if has(&[
        "collected?",
        "collected (yes",
        "yes/no",
        "do we collect",
        "collected in",
    ]) {
        Column::Collected
    } else if has(&[
        "categor",
        "data",
        "information",
        "personal",
        "what we collect",
        "type",
    ]) {
        Column::Data
    } else if has(&[
        "context",
        "activity",
        "when",
        "situation",
        "processing",
        "scenario",
    ]) {
        Column::Context
    } else {
        Column::Other
    }
}

fn is_yes_no(text: &str) -> Option<bool> {
    match text.trim().trim_end_matches('.').to_lowercase().as_str() {
        "yes" | "y" | "✓" | "✔" | "x" | "collected" => Some(true),
        "no" | "n" | "✗" | "-" | "not collected" => Some(false),
        _ => None,
    }
}

/// The labels of a cell: its lines, list items and `;` parts, without
/// lead-ins ("Third parties being used:") and bullet glyphs.
pub fn items(cell: &str) -> Vec<Arc<str>> {
    cell.split(['\n', ';'])
        .map(|s| {
            s.trim()
                .trim_start_matches(['•', '-', '*', '·', '◦', '▪'])
                .trim()
        })
        .filter(|s| !s.is_empty() && !s.ends_with(':') && s.chars().any(char::is_alphanumeric))
        .filter(|s| !is_none(s))
        .map(|s| Arc::from(s.trim_end_matches(['.', ','])))
        .collect()
}

/// "N/A", "None", "-": the cell says nothing applies.
fn is_none(text: &str) -> bool {
    matches!(
        text.trim().trim_end_matches('.').to_lowercase().as_str(),
        "n/a" | "na" | "none" | "-" | "—" | "not applicable"
    )
}

fn single_line(cell: &str) -> Option<Arc<str>> {
    let text = cell.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty() && !is_none(&text)).then(|| Arc::from(text))
}

/// The contexts of a table, or none when no column holds data.
pub fn contexts(table: &PlacedTable, used_ids: &mut Ids) -> Vec<Context> {
    let mut columns: Vec<Column> = table.header.iter().map(|(h, _)| column_of(h)).collect();
    // A column whose cells are all yes/no says whether a row is collected.
    for (i, column) in columns.iter_mut().enumerate() {
        let cells: Vec<&str> = table
            .rows
            .iter()
            .filter_map(|r| r.get(i).map(|(t, _)| t.as_str()))
            .filter(|t| !t.trim().is_empty())
            .collect();
        if !cells.is_empty() && cells.iter().all(|t| is_yes_no(t).is_some()) {
            *column = Column::Collected;
        }
    }
    if !columns.contains(&Column::Data) {
        // A first column of row labels with no data column: the labels are data.
        if columns.first() == Some(&Column::Context) || columns.first() == Some(&Column::Other) {
            if columns.len() > 1 && columns[1..].iter().any(|c| *c != Column::Other) {
                columns[0] = Column::Data;
            } else {
                return Vec::new();
            }
        } else {
            return Vec::new();
        }
    }
    let mut out = Vec::new();
    for (n, row) in table.rows.iter().enumerate() {
        let mut flow = super::blank_flow();
        let mut name = None;
        let mut context_evidence = Vec::new();
        for (i, (text, clause)) in row.iter().enumerate() {
            let Some(column) = columns.get(i) else {
                continue;
            };
            let cited = match column {
                Column::Context => {
                    name = single_line(text);
                    if let Some(c) = clause {
                        context_evidence.push(Arc::from(c.as_str()));
                    }
                    false
                }
                Column::Data => {
                    flow.data.extend(items(text));
                    true
                }
                Column::Purposes => {
                    flow.purposes.extend(items(text));
                    true
                }
                Column::Basis => {
                    flow.basis.extend(items(text));
                    true
                }
                Column::Recipients => {
                    flow.recipients.extend(items(text));
                    true
                }
                Column::Source => {
                    flow.source.extend(items(text));
                    true
                }
                Column::Retention => {
                    flow.retention = single_line(text);
                    true
                }
                Column::IfWithheld => {
                    flow.if_withheld = single_line(text);
                    true
                }
                Column::Collected => {
                    if is_yes_no(text) == Some(false) {
                        flow.does = false;
                    }
                    true
                }
                Column::Examples => true,
                Column::Other => false,
            };
            if cited {
                if let Some(c) = clause {
                    flow.evidence.push(Arc::from(c.as_str()));
                }
            }
        }
        if flow.data.is_empty() || flow.evidence.is_empty() {
            continue;
        }
        // A CCPA row whose every other cell is "N/A": not collected.
        let others: Vec<&str> = row
            .iter()
            .zip(&columns)
            .filter(|(_, c)| !matches!(c, Column::Data | Column::Context | Column::Other))
            .map(|((t, _), _)| t.as_str())
            .filter(|t| !t.trim().is_empty())
            .collect();
        if !others.is_empty() && others.iter().all(|t| is_none(t)) {
            flow.does = false;
        }
        let name = name.unwrap_or_else(|| {
            let label: String = flow
                .data
                .iter()
                .map(|d| &**d)
                .collect::<Vec<_>>()
                .join(", ");
            let short: String = label.chars().take(60).collect();
            Arc::from(short.as_str())
        });
        let base = format!("{}-{}", table.section, slug(&name));
        let id = used_ids.unique(&base);
        let _ = n;
        out.push(Context {
            id,
            name: name.to_string(),
            evidence: context_evidence,
            flows: vec![flow],
            contexts: vec![],
        });
    }
    out
}

/// Ids handed out so far, so each new one is unique.
#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
    /// The next suffix to try per base, so many ids of one base stay cheap.
    next: HashMap<String, usize>,
}

impl Ids {
    /// `base`, or `base-2`, `base-3`... whichever is not taken yet.
    pub fn unique(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let mut n = self.next.get(base).copied().unwrap_or(2);
        while self.used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.next.insert(base.to_string(), n);
        self.used.insert(id.clone());
        id
    }
}

/// A table flattened into text (cells on their own lines, borders lost, as
/// when a page is copied out of a browser): a run of at least three short
/// clauses naming distinct columns, data among them, is its header; after
/// it, a row label ("When you schedule a demo") opens a context, a label
/// right after another makes the first a group the next rows nest in, and
/// the cells that follow fill one flow column by column, in the header's
/// order; data again after later columns starts the row's next flow.
pub fn flattened(section: &crate::model::Section, used_ids: &mut Ids) -> Vec<Context> {
    let clauses = &section.clauses;
    let Some((header_end, order)) = flattened_header(clauses) else {
        return Vec::new();
    };
    let rank = |c: Column| order.iter().position(|o| *o == c);
    let mut top: Vec<Context> = Vec::new();
    let mut group: Option<usize> = None;
    let mut current: Option<Context> = None;
    let mut flow: Option<(Flow, usize)> = None;
    let mut previous_label = false;
    let mut recipients_next = false;

    fn finish_flow(current: &mut Option<Context>, flow: &mut Option<(Flow, usize)>) {
        if let (Some(context), Some((f, _))) = (current.as_mut(), flow.take()) {
            if !f.data.is_empty() || !f.purposes.is_empty() {
                context.flows.push(f);
            }
        }
    }
    let place = |top: &mut Vec<Context>, group: Option<usize>, context: Context| match group {
        Some(g) => top[g].contexts.push(context),
        None => top.push(context),
    };

    for clause in &clauses[header_end..] {
        let text = clause.text.trim();
        let id: Arc<str> = Arc::from(clause.id.as_str());
        if is_row_label(text) {
            finish_flow(&mut current, &mut flow);
            if let Some(done) = current.take() {
                if previous_label && done.flows.is_empty() {
                    // Two labels in a row: the first is a group.
                    top.push(done);
                    group = Some(top.len() - 1);
                } else {
                    place(&mut top, group, done);
                }
            }
            let base = format!("{}-{}", section.id, slug(text));
            current = Some(Context {
                id: used_ids.unique(&base),
                name: text.to_string(),
                evidence: vec![id],
                flows: vec![],
                contexts: vec![],
            });
            previous_label = true;
            recipients_next = false;
            continue;
        }
        previous_label = false;
        if current.is_none() {
            continue;
        }
        let lead_in = text.ends_with(':');
        let guess = if recipients_next {
            Column::Recipients
        } else {
            cell_column(text)
        };
        recipients_next = lead_in && guess == Column::Recipients;
        let at = flow.as_ref().map(|(_, r)| *r).unwrap_or(0);
        let mut column = match rank(guess) {
            Some(r) if r >= at => guess,
            _ => order.get(at).copied().unwrap_or(Column::Other),
        };
        // Data again after later columns: the row's next flow.
        let new_flow = guess == Column::Data
            && flow
                .as_ref()
                .is_some_and(|(f, r)| *r > 1 && !f.data.is_empty() && text.contains('\n'));
        if new_flow || flow.is_none() {
            finish_flow(&mut current, &mut flow);
            flow = Some((empty_flow(), 0));
            if new_flow || guess == Column::Data {
                column = Column::Data;
            }
        }
        let (f, r) = flow.as_mut().expect("a flow");
        *r = rank(column).unwrap_or(*r).max(*r);
        f.evidence.push(id);
        if lead_in {
            continue;
        }
        match column {
            Column::Data => f.data.extend(items(text)),
            Column::Purposes => f.purposes.extend(items(text)),
            Column::Basis => f.basis.extend(items(text)),
            Column::Recipients => f.recipients.extend(items(text)),
            Column::Retention => append(&mut f.retention, text),
            Column::IfWithheld => append(&mut f.if_withheld, text),
            _ => {}
        }
    }
    finish_flow(&mut current, &mut flow);
    if let Some(done) = current.take() {
        place(&mut top, group, done);
    }
    top
}

fn append(field: &mut Option<Arc<str>>, text: &str) {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    *field = Some(match field.take() {
        Some(old) => Arc::from(format!("{old} {text}")),
        None => Arc::from(text),
    });
}

fn empty_flow() -> Flow {
    super::blank_flow()
}

/// The end of a flattened table's header and its columns in order.
fn flattened_header(clauses: &[crate::model::Clause]) -> Option<(usize, Vec<Column>)> {
    for start in 0..clauses.len() {
        let mut order = Vec::new();
        let mut end = start;
        while let Some(c) = clauses.get(end) {
            let text = c.text.trim();
            let column = column_of(text);
            if text.contains('\n')
                || text.chars().count() > 70
                || text.ends_with('.')
                || matches!(column, Column::Other | Column::Context)
                || order.contains(&column)
            {
                break;
            }
            order.push(column);
            end += 1;
        }
        if order.len() >= 3 && order.contains(&Column::Data) {
            return Some((end, order));
        }
    }
    None
}

/// A row label: "When you ...", a short line that is no sentence.
fn is_row_label(text: &str) -> bool {
    !text.contains('\n')
        && text.chars().count() <= 120
        && (text.starts_with("When you") || text.starts_with("If you"))
        && !text.ends_with('.')
}

/// The column a cell's words point to.
fn cell_column(text: &str) -> Column {
    let lower = text.to_lowercase();
    let starts = |words: &[&str]| words.iter().any(|w| lower.starts_with(w));
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if starts(&["to ", "in order to", "for the purpose"]) {
        Column::Purposes
    } else if starts(&[
        "consent",
        "legitimate interest",
        "processing is necessary",
        "performance of a contract",
        "compliance with",
        "legal obligation",
        "vital interest",
    ]) {
        Column::Basis
    } else if starts(&[
        "cannot",
        "we will not be able",
        "we cannot",
        "unable",
        "you will not be able",
    ]) || has(&["cannot be personalized", "cannot provide", "cannot send"])
    {
        Column::IfWithheld
    } else if has(&[
        "third part",
        "3rd party",
        "being used",
        "such as:",
        "services such as",
        "shared with",
    ]) {
        Column::Recipients
    } else if has(&[
        "retain",
        "kept for",
        "kept ",
        "until we no longer",
        "period of",
        "depends on",
        " days",
        " months",
        " years",
    ]) {
        Column::Retention
    } else {
        Column::Data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_header_words_to_fields() {
        assert_eq!(column_of("Data we collect"), Column::Data);
        assert_eq!(
            column_of("Why is the data collected and for what purposes?"),
            Column::Purposes
        );
        assert_eq!(column_of("Legal basis"), Column::Basis);
        assert_eq!(
            column_of("Third party Services we are using with your data"),
            Column::Recipients
        );
        assert_eq!(column_of("Period of storage"), Column::Retention);
        assert_eq!(
            column_of("Consequences of not providing the data"),
            Column::IfWithheld
        );
        assert_eq!(column_of("Category"), Column::Data);
        assert_eq!(column_of("Examples"), Column::Examples);
    }

    #[test]
    fn a_ccpa_table_gives_negative_flows_for_no() {
        let cell = |t: &str, id: &str| (t.to_string(), Some(id.to_string()));
        let table = PlacedTable {
            section: "ccpa".into(),
            header: vec![
                cell("Category", "h1"),
                cell("Examples", "h2"),
                cell("Collected", "h3"),
            ],
            rows: vec![
                vec![
                    cell("Identifiers", "a1"),
                    cell("Name; email", "a2"),
                    cell("YES", "a3"),
                ],
                vec![
                    cell("Biometric information", "b1"),
                    cell("Fingerprints", "b2"),
                    cell("NO", "b3"),
                ],
            ],
        };
        let contexts = contexts(&table, &mut Ids::default());
        assert_eq!(contexts.len(), 2);
        assert!(contexts[0].flows[0].does);
        assert!(!contexts[1].flows[0].does);
        assert_eq!(&*contexts[1].flows[0].data[0], "Biometric information");
        assert_eq!(contexts[1].flows[0].evidence.len(), 3);
    }
}
