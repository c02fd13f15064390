//! The shared terms (`policies/vocabulary.yaml`): topics, data categories,
//! purposes, legal bases, recipients, retention classes and concern kinds,
//! each with synonyms, so labels worded differently by each policy compare
//! as one thing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The vocabulary shipped with qualm, used when a folder has none.
pub const DEFAULT_VOCABULARY: &str = include_str!("../../policies/vocabulary.yaml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Topics,
    Data,
    Purposes,
    Bases,
    Recipients,
    Retention,
    Concerns,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Topics,
        Category::Data,
        Category::Purposes,
        Category::Bases,
        Category::Recipients,
        Category::Retention,
        Category::Concerns,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Topics => "topic",
            Category::Data => "data category",
            Category::Purposes => "purpose",
            Category::Bases => "legal basis",
            Category::Recipients => "recipient",
            Category::Retention => "retention class",
            Category::Concerns => "concern kind",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub label: String,
    /// For named recipients: the kind of service (crm, analytics, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    schema: u32,
    topics: Vec<Term>,
    data: Vec<Term>,
    purposes: Vec<Term>,
    bases: Vec<Term>,
    recipients: Vec<Term>,
    retention: Vec<Term>,
    concerns: Vec<Term>,
}

#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    terms: HashMap<CategoryKey, Vec<Term>>,
    index: HashMap<(CategoryKey, String), usize>,
    /// Per category, every name as ` words ` with its term, longest first,
    /// for labels that contain a known name ("Send promotional emails").
    phrases: HashMap<CategoryKey, Vec<(String, usize)>>,
}

type CategoryKey = u8;

fn key(category: Category) -> CategoryKey {
    category as u8
}

impl Vocabulary {
    pub fn parse(text: &str) -> Result<Vocabulary, serde_yaml::Error> {
        let file: VocabularyFile = serde_yaml::from_str(text)?;
        let _ = file.schema;
        let mut vocabulary = Vocabulary::default();
        for (category, terms) in [
            (Category::Topics, file.topics),
            (Category::Data, file.data),
            (Category::Purposes, file.purposes),
            (Category::Bases, file.bases),
            (Category::Recipients, file.recipients),
            (Category::Retention, file.retention),
            (Category::Concerns, file.concerns),
        ] {
            for (i, term) in terms.iter().enumerate() {
                let names = [&term.id, &term.label].into_iter().chain(&term.synonyms);
                for name in names {
                    for k in match_keys(name) {
                        let phrases = vocabulary.phrases.entry(key(category)).or_default();
                        phrases.push((format!(" {k} "), i));
                        vocabulary.index.entry((key(category), k)).or_insert(i);
                    }
                }
            }
            if let Some(phrases) = vocabulary.phrases.get_mut(&key(category)) {
                phrases.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
            }
            vocabulary.terms.insert(key(category), terms);
        }
        Ok(vocabulary)
    }

    pub fn builtin() -> Vocabulary {
        Vocabulary::parse(DEFAULT_VOCABULARY).expect("the shipped vocabulary parses")
    }

    pub fn terms(&self, category: Category) -> &[Term] {
        self.terms
            .get(&key(category))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The term a label stands for, if the vocabulary knows it: a name of
    /// the term exactly, else the longest name the label contains as words.
    pub fn lookup(&self, category: Category, label: &str) -> Option<&Term> {
        let keys = match_keys(label);
        let exact = keys
            .iter()
            .find_map(|k| self.index.get(&(key(category), k.clone())));
        let index = exact.copied().or_else(|| {
            let padded = format!(" {} ", keys[0]);
            self.phrases
                .get(&key(category))?
                .iter()
                .find(|(phrase, _)| padded.contains(phrase.as_str()))
                .map(|&(_, i)| i)
        })?;
        Some(&self.terms(category)[index])
    }

    /// The term id of a label, or the label itself when unknown, so unknown
    /// labels still compare with themselves.
    pub fn normalize(&self, category: Category, label: &str) -> String {
        self.lookup(category, label)
            .map(|t| t.id.clone())
            .unwrap_or_else(|| normalize_label(label))
    }
}

/// Lower case, NFKC, punctuation folded to single spaces.
pub fn normalize_label(label: &str) -> String {
    // NFKC leaves ASCII as it is, and most labels are ASCII: at a thousand
    // policies this saves a sixth of the loading time.
    let folded: String = if label.is_ascii() {
        label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    ' '
                }
            })
            .collect()
    } else {
        label
            .nfkc()
            .flat_map(char::to_lowercase)
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect()
    };
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The keys a label is matched by: the label itself, and the label without a
/// trailing parenthetical ("Salesforce (CRM)" also matches "Salesforce").
fn match_keys(label: &str) -> Vec<String> {
    let mut keys = vec![normalize_label(label)];
    let trimmed = label.trim_end();
    if trimmed.ends_with(')') {
        if let Some(open) = trimmed.rfind('(') {
            let head = normalize_label(&trimmed[..open]);
            if !head.is_empty() && !keys.contains(&head) {
                keys.push(head);
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_and_parentheticals_match() {
        let v = Vocabulary::builtin();
        assert_eq!(v.lookup(Category::Data, "Full Name").unwrap().id, "name");
        assert_eq!(
            v.lookup(Category::Recipients, "Salesforce (CRM)")
                .unwrap()
                .id,
            "salesforce"
        );
        assert_eq!(
            v.lookup(Category::Recipients, "SALESFORCE").unwrap().id,
            "salesforce"
        );
        assert!(v.lookup(Category::Data, "favourite colour").is_none());
        assert_eq!(
            v.lookup(Category::Data, "Your e-mail address").unwrap().id,
            "email"
        );
        assert_eq!(v.terms(Category::Topics).len(), 10);
    }
}
