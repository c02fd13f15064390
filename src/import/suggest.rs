//! Suggested flows from prose. A sentence with a collection or sharing verb
//! and data terms the vocabulary knows gives a draft flow citing its clause:
//! the data as the sentence words it, named vendors (and kinds of
//! recipient) as recipients, a stated period as retention, and a negation
//! cue ("we do not sell") as `does: false`. They are drafts for the analyst
//! to confirm, so they are kept apart from the flows read from tables.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::vocabulary::Category;
use crate::model::{Flow, Section, Vocabulary};

/// A draft flow and the section whose clause it came from.
#[derive(Debug, Clone)]
pub struct Suggested {
    pub section: String,
    pub flow: Flow,
}

const COLLECT_VERBS: &[&str] = &[
    "collect",
    "collects",
    "collected",
    "collecting",
    "gather",
    "gathers",
    "gathered",
    "obtain",
    "obtains",
    "obtained",
    "receive",
    "receives",
    "received",
    "record",
    "records",
    "recorded",
    "store",
    "stores",
    "stored",
    "save",
    "saves",
    "saved",
    "process",
    "processes",
    "processed",
    "log",
    "logs",
    "logged",
    "retain",
    "retains",
    "retained",
    "kept",
    "keep",
    "keeps",
    "capture",
    "captures",
    "use",
    "uses",
];

const SHARE_VERBS: &[&str] = &[
    "share",
    "shares",
    "shared",
    "sharing",
    "disclose",
    "discloses",
    "disclosed",
    "sell",
    "sells",
    "sold",
    "transfer",
    "transfers",
    "transferred",
    "provide",
    "provides",
    "rent",
    "trade",
];

const NEGATIONS: &[&str] = &[
    "do not",
    "does not",
    "don't",
    "doesn't",
    "never",
    "will not",
    "won't",
    "not sell",
    "no longer",
    "neither",
    "we don’t",
    "does not",
    "shall not",
    "is not",
    "are not",
];

/// Words that make a period in a sentence a retention period ("kept for
/// 30 days", not "in the past 12 months").
const RETENTION_CUES: &[&str] = &[
    "keep",
    "keeps",
    "kept",
    "retain",
    "retains",
    "retained",
    "store",
    "stores",
    "stored",
    "save",
    "saves",
    "saved",
    "deleted",
    "delete",
    "erased",
    "retention",
    "period",
    "until",
    "longer",
];

const UNITS: &[&str] = &[
    "day", "days", "week", "weeks", "month", "months", "year", "years",
];

const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "eighteen", "twenty", "thirty", "sixty", "ninety",
];

pub fn suggest(sections: &[Section], vocabulary: &Vocabulary) -> Vec<Suggested> {
    let data_names = names(vocabulary, Category::Data, false);
    let vendor_names = names(vocabulary, Category::Recipients, true);
    let mut out = Vec::new();
    for section in sections {
        for clause in &section.clauses {
            for sentence in sentences(&clause.text) {
                if let Some(mut flow) = flow_of(sentence, &data_names, &vendor_names) {
                    flow.evidence = vec![Arc::from(clause.id.as_str())];
                    out.push(Suggested {
                        section: section.id.clone(),
                        flow,
                    });
                } else if let Some(last) = out
                    .last_mut()
                    .filter(|s| s.flow.evidence.first().is_some_and(|e| **e == *clause.id))
                {
                    // "This includes ... such as FreshDesk, HubSpot": a
                    // sentence naming vendors extends the flow before it.
                    let lower = sentence.to_lowercase();
                    let mut named = labels(sentence, &find_all(&lower, &vendor_names));
                    named.extend(
                        such_as_names(sentence)
                            .iter()
                            .map(|n| Arc::from(n.as_str())),
                    );
                    for name in named {
                        if !last
                            .flow
                            .recipients
                            .iter()
                            .any(|r| r.eq_ignore_ascii_case(&name))
                        {
                            last.flow.recipients.push(name);
                        }
                    }
                }
            }
        }
    }
    out
}

/// Lower-case names of a vocabulary category, longest first; with
/// `named`, only terms with a `kind` (named vendors) and kinds of recipient.
fn names(vocabulary: &Vocabulary, category: Category, named: bool) -> Names {
    let mut names: Vec<String> = vocabulary
        .terms(category)
        .iter()
        .filter(|t| !named || t.kind.is_some() || category == Category::Recipients)
        .flat_map(|t| std::iter::once(&t.label).chain(&t.synonyms))
        .map(|n| n.to_lowercase())
        .filter(|n| n.chars().count() >= 2 && n != "other")
        // The vocabulary keeps names singular and matches plurals by rule;
        // a sentence's own words ("IP addresses") are the label, so the
        // plural is a name here too, and the longer one wins.
        .flat_map(|n| {
            let plural = if n.ends_with(['s', 'x']) || n.ends_with("ch") || n.ends_with("sh") {
                format!("{n}es")
            } else {
                format!("{n}s")
            };
            [n, plural]
        })
        .collect();
    names.sort();
    names.dedup();
    Names::new(names)
}

fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in bytes.iter().enumerate() {
        let next = bytes.get(k + 1).map(|&(_, c)| c);
        if c == '\n' || (matches!(c, '.' | '!' | '?') && next.is_none_or(char::is_whitespace)) {
            let end = i + c.len_utf8();
            let s = text[start..end].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Names by their first word, for finding every name in a sentence in
/// one pass over its words.
pub struct Names {
    by_first_word: HashMap<String, Vec<String>>,
}

impl Names {
    fn new(names: Vec<String>) -> Names {
        let mut by_first_word: HashMap<String, Vec<String>> = HashMap::new();
        for name in names {
            let first: String = name.chars().take_while(|c| c.is_alphanumeric()).collect();
            if !first.is_empty() {
                by_first_word.entry(first).or_default().push(name);
            }
        }
        for list in by_first_word.values_mut() {
            list.sort_by_key(|n| std::cmp::Reverse(n.len()));
        }
        Names { by_first_word }
    }
}

/// Every whole-word occurrence of the names in `lower`, longest names
/// first and never overlapping: (start, end) byte ranges.
fn find_all(lower: &str, names: &Names) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut word_start = None;
    let mut words = Vec::new();
    for (i, c) in lower
        .char_indices()
        .chain(std::iter::once((lower.len(), ' ')))
    {
        match (c.is_alphanumeric(), word_start) {
            (true, None) => word_start = Some(i),
            (false, Some(s)) => {
                words.push((s, i));
                word_start = None;
            }
            _ => {}
        }
    }
    for (start, end) in words {
        let Some(candidates) = names.by_first_word.get(&lower[start..end]) else {
            continue;
        };
        for name in candidates {
            if !lower[start..].starts_with(name.as_str()) {
                continue;
            }
            let stop = start + name.len();
            if !lower[stop..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
            {
                found.push((start, stop));
            }
        }
    }
    found.sort_by_key(|&(s, e)| (std::cmp::Reverse(e - s), s));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for (start, end) in found {
        if !taken.iter().any(|&(s, e)| start < e && s < end) {
            taken.push((start, end));
        }
    }
    taken.sort();
    taken
}

fn has_word(lower: &str, words: &[&str]) -> bool {
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .any(|w| words.contains(&w))
}

fn flow_of(sentence: &str, data_names: &Names, vendor_names: &Names) -> Option<Flow> {
    let lower = sentence.to_lowercase();
    if lower.len() != sentence.len() {
        // Case mapping changed byte offsets; the ranges would not line up.
        return None;
    }
    let collects = has_word(&lower, COLLECT_VERBS);
    let shares = has_word(&lower, SHARE_VERBS);
    if !collects && !shares {
        return None;
    }
    let data: Vec<Arc<str>> = labels(sentence, &find_all(&lower, data_names));
    if data.is_empty() {
        return None;
    }
    let mut recipients = labels(sentence, &find_all(&lower, vendor_names));
    if shares {
        for name in such_as_names(sentence) {
            if !recipients.iter().any(|r| r.eq_ignore_ascii_case(&name)) {
                recipients.push(Arc::from(name.as_str()));
            }
        }
    }
    recipients.retain(|r| !data.contains(r));
    let unhedged = lower
        .replace("not limited to", "")
        .replace("not be limited", "");
    let negated = NEGATIONS.iter().any(|n| unhedged.contains(n));
    let mut flow = super::blank_flow();
    flow.data = data;
    flow.recipients = recipients;
    flow.retention = has_word(&lower, RETENTION_CUES)
        .then(|| period(sentence))
        .flatten()
        .map(|p| Arc::from(p.as_str()));
    flow.does = !negated;
    Some(super::mark_suggested(flow))
}

/// The words of `sentence` at `ranges`, as it words them, once each.
fn labels(sentence: &str, ranges: &[(usize, usize)]) -> Vec<Arc<str>> {
    let mut out: Vec<Arc<str>> = Vec::new();
    for &(s, e) in ranges {
        let label = &sentence[s..e];
        if !out.iter().any(|l| l.eq_ignore_ascii_case(label)) {
            out.push(Arc::from(label));
        }
    }
    out
}

/// Capitalized names listed after "such as" ("such as FreshDesk, HubSpot,
/// SalesForce"): vendors the vocabulary may not know yet.
fn such_as_names(sentence: &str) -> Vec<String> {
    let Some(at) = sentence.find("such as") else {
        return Vec::new();
    };
    let list = &sentence[at + "such as".len()..];
    let list = list.split(['.', ':', '(']).next().unwrap_or("");
    list.split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(|p| p.trim().trim_start_matches("and ").trim())
        .filter(|p| {
            let words: Vec<&str> = p.split_whitespace().collect();
            !words.is_empty()
                && words.len() <= 3
                && words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase))
        })
        .map(String::from)
        .collect()
}

/// A stated period: "12 months", "approximately 3 weeks", "thirty days".
pub fn period(sentence: &str) -> Option<String> {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    for i in 1..words.len() {
        let unit = words[i]
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !UNITS.contains(&unit.as_str()) {
            continue;
        }
        let count = words[i - 1].trim_start_matches('(');
        let numeric = count.chars().all(|c| c.is_ascii_digit()) && !count.is_empty();
        if numeric || NUMBER_WORDS.contains(&count.to_lowercase().as_str()) {
            let unit_word = words[i].trim_end_matches(|c: char| !c.is_alphanumeric());
            return Some(format!("{count} {unit_word}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(texts: &[&str]) -> Section {
        Section {
            id: "s".into(),
            heading: String::new(),
            clauses: texts
                .iter()
                .enumerate()
                .map(|(i, t)| crate::import::new_clause(format!("s.{}", i + 1), t))
                .collect(),
        }
    }

    #[test]
    fn suggests_flows_with_vendors_periods_and_negation() {
        let vocabulary = Vocabulary::builtin();
        let s = section(&[
            "IP addresses are saved for approximately 12 months.",
            "We may share Personal Information with service providers, such as FreshDesk, HubSpot, SalesForce.",
            "We do not sell your email address.",
            "Hello world.",
        ]);
        let flows = suggest(&[s], &vocabulary);
        assert_eq!(flows.len(), 3, "{flows:#?}");
        assert_eq!(flows[0].flow.retention.as_deref(), Some("12 months"));
        assert_eq!(&*flows[0].flow.data[0], "IP addresses");
        let recipients: Vec<&str> = flows[1].flow.recipients.iter().map(|r| &**r).collect();
        for vendor in ["FreshDesk", "HubSpot", "SalesForce"] {
            assert!(recipients.contains(&vendor), "{recipients:?}");
        }
        assert!(!flows[2].flow.does);
        assert_eq!(&*flows[2].flow.evidence[0], "s.3");
    }
}
