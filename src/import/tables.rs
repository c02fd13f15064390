//! Tables become contexts and flows. Header cells are mapped to flow fields
//! by their words (data; purpose or why; legal basis; recipients, shared
//! with or service; retention, period or how long; consequence or not
//! providing); each row is a context with one flow, each cell's items
//! (lines, list items, ";") separate labels, and each cell is a clause the
//! flow cites. CCPA category tables (category | examples | collected?)
//! give one flow per row, negative for "no".

use std::collections::HashSet;
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
pub fn contexts(table: &PlacedTable, used_ids: &mut HashSet<String>) -> Vec<Context> {
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
        let mut flow = Flow {
            data: vec![],
            purposes: vec![],
            basis: vec![],
            source: vec![],
            recipients: vec![],
            retention: None,
            retention_class: None,
            if_withheld: None,
            does: true,
            evidence: vec![],
        };
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
        let id = unique(&base, used_ids);
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

/// `base`, or `base-2`, `base-3`... whichever is not taken yet.
pub fn unique(base: &str, used: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
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
        let contexts = contexts(&table, &mut HashSet::new());
        assert_eq!(contexts.len(), 2);
        assert!(contexts[0].flows[0].does);
        assert!(!contexts[1].flows[0].does);
        assert_eq!(&*contexts[1].flows[0].data[0], "Biometric information");
        assert_eq!(contexts[1].flows[0].evidence.len(), 3);
    }
}
