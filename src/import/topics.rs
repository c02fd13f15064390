//! OPP-115 topics per clause, without machine learning: the clause's own
//! heading words first (a lead-in before ":" or the section heading when
//! the clause is that short), then phrase lists per topic over its text,
//! else the topic of its section's heading, else `other`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::Section;

/// Phrases that point to a topic, most specific topics first. Matched on
/// lower-case text with spaces around, so ` share ` is a whole word.
const PHRASES: &[(&str, &[&str])] = &[
    (
        "do-not-track",
        &["do not track", "do-not-track", " dnt ", "track signals"],
    ),
    (
        "policy-change",
        &[
            "changes to this",
            "change this privacy",
            "update this privacy",
            "updated from time to time",
            "last updated",
            "last modified",
            "last revised",
            "effective date",
            "revising the",
            "changes to our",
            "change our privacy",
            "modify this",
            "amend this",
            "may be updated",
            "reserve the right to change",
            "version ",
            " effective ",
        ],
    ),
    (
        "data-security",
        &[
            "security",
            "secure",
            "encrypt",
            "safeguard",
            "protect your",
            "protect the",
            "unauthorized access",
            "firewall",
            " ssl",
            " tls",
            "breach",
            "access controls",
        ],
    ),
    (
        "data-retention",
        &[
            "retain",
            "retention",
            "kept for",
            "keep your",
            "stored for",
            "saved for",
            "store your",
            "period of storage",
            "as long as",
            "no longer need",
            "delete it after",
            " days",
            " months",
            " years",
            "how long",
        ],
    ),
    (
        "access-edit-deletion",
        &[
            "right to access",
            "right of access",
            "access your",
            "correct",
            "rectif",
            "update your",
            "delete your",
            "deletion",
            "erasure",
            "right to know",
            "request a copy",
            "portability",
            "your rights",
            "data subject access",
            "right to request",
        ],
    ),
    (
        "user-choice",
        &[
            "opt out",
            "opt-out",
            "opt in",
            "opt-in",
            "unsubscribe",
            "withdraw",
            "consent",
            "you may choose",
            "you can choose",
            "choose not to",
            "browser settings",
            "disable",
            "preferences",
            "object to",
            "you may control",
            "if you do not provide",
            "not providing",
            "cannot provide",
            "you can control",
            "settings",
        ],
    ),
    (
        "third-party-sharing",
        &[
            "share",
            "sharing",
            "disclose",
            "disclosure",
            "third part",
            "third-part",
            "service provider",
            "vendors",
            "partners",
            "affiliates",
            "sell ",
            " sold",
            " sale ",
            "transfer",
            "recipients",
            "processors",
            "advertis",
            "analytics provider",
            "google",
            "salesforce",
            "hubspot",
        ],
    ),
    (
        "first-party-collection",
        &[
            "collect",
            "we use",
            "we may use",
            "we process",
            "processing",
            "information you provide",
            "we obtain",
            "we receive",
            "cookies",
            "log files",
            "purposes",
            "purpose of",
            "to provide",
            "personal data",
            "personal information",
            "information about you",
            "legal basis",
            "legitimate interest",
            "perform",
            "name",
            "email",
            "e-mail",
            "ip address",
        ],
    ),
    (
        "specific-audiences",
        &[
            "children",
            " child ",
            " minors",
            "under the age",
            "under 13",
            "under 16",
            "california",
            "european economic area",
            " eea ",
            " eu ",
            "united kingdom",
            " uk ",
            "switzerland",
            "residents of",
            "nevada",
            "brazil",
            "canada",
            "international transfer",
            "transfer of data",
            "transfers of personal",
            "outside the",
            "standard contractual clauses",
            "data privacy framework",
            "privacy shield",
            "safe harbor",
            "adequacy",
        ],
    ),
];

/// Topics named by a heading's words (first match wins).
const HEADING_WORDS: &[(&str, &[&str])] = &[
    ("do-not-track", &["do not track"]),
    (
        "policy-change",
        &["change", "update", "revision", "amendment"],
    ),
    (
        "specific-audiences",
        &[
            "children",
            "california",
            "international",
            "transfer",
            "eea",
            "europe",
            "jurisdiction",
            "nevada",
        ],
    ),
    ("data-security", &["security", "protect", "safeguard"]),
    (
        "data-retention",
        &["retention", "retain", "how long", "storage", "store"],
    ),
    (
        "access-edit-deletion",
        &["rights", "access", "delete", "deletion", "correct"],
    ),
    (
        "user-choice",
        &[
            "choice",
            "opt",
            "control",
            "cookies",
            "marketing",
            "preferences",
        ],
    ),
    (
        "third-party-sharing",
        &[
            "share",
            "sharing",
            "disclos",
            "third part",
            "third-part",
            "recipient",
            "sell",
            "sale",
        ],
    ),
    (
        "first-party-collection",
        &[
            "collect",
            "use",
            "process",
            "information we",
            "data we",
            "sources",
            "purpose",
            "legal basis",
        ],
    ),
    (
        "other",
        &[
            "contact",
            "introduction",
            "overview",
            "definitions",
            "about",
            "links",
        ],
    ),
];

/// At most this many topics per clause: the strongest signals.
const MAX_TOPICS: usize = 2;

/// `column_headers`: a table cell's clause id with its column's header.
pub fn assign(sections: &mut [Section], column_headers: &HashMap<String, String>) {
    for section in sections {
        let section_topic = heading_topic(&section.heading);
        for clause in &mut section.clauses {
            let mut topics = clause_topics(&clause.text, section_topic);
            let column = column_headers
                .get(&clause.id)
                .and_then(|h| heading_topic(h));
            if let Some(column) = column {
                // A cell is about what its column is about.
                topics.retain(|t| *t != column && *t != "other");
                topics.insert(0, column);
                topics.truncate(MAX_TOPICS);
            }
            clause.topics = topics.into_iter().map(Arc::from).collect();
        }
    }
}

/// The topic a heading's words name, if any.
pub fn heading_topic(heading: &str) -> Option<&'static str> {
    let lower = heading.to_lowercase();
    HEADING_WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(topic, _)| *topic)
}

fn clause_topics(text: &str, section_topic: Option<&'static str>) -> Vec<&'static str> {
    let mut topics = Vec::new();
    // The clause's own heading words: a short lead-in such as "Retention:".
    if let Some((lead, _)) = text.split_once(':') {
        if lead.split_whitespace().count() <= 4 {
            if let Some(t) = heading_topic(lead).filter(|t| *t != "other") {
                topics.push(t);
            }
        }
    }
    let lower = format!(" {} ", text.to_lowercase().replace(['\n', ','], " "));
    let mut scored: Vec<(usize, usize, &'static str)> = PHRASES
        .iter()
        .enumerate()
        .map(|(rank, (topic, phrases))| {
            let hits = phrases.iter().filter(|p| lower.contains(*p)).count();
            (hits, rank, *topic)
        })
        .filter(|(hits, _, _)| *hits > 0)
        .collect();
    // More distinct phrases first; on a tie the more specific topic.
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    if let Some(section) = section_topic.filter(|t| *t != "other") {
        // The section's topic counts when the text also points to it.
        if scored.iter().any(|(_, _, t)| *t == section) && !topics.contains(&section) {
            topics.push(section);
        }
    }
    for (_, _, topic) in scored {
        if topics.len() >= MAX_TOPICS {
            break;
        }
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    if topics.is_empty() {
        topics.push(section_topic.unwrap_or("other"));
    }
    topics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_then_section_then_other() {
        assert_eq!(
            clause_topics("IP addresses are saved for approximately 12 months.", None)[0],
            "data-retention"
        );
        assert_eq!(
            clause_topics("Consult our page.", Some("data-security")),
            ["data-security"]
        );
        assert_eq!(clause_topics("Hello there.", None), ["other"]);
        assert_eq!(
            clause_topics(
                "We may share your data with Salesforce.",
                Some("third-party-sharing")
            )[0],
            "third-party-sharing"
        );
    }
}
