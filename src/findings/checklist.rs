//! The legal checklists and transfer mechanisms of `checklists.yaml`, and
//! their evaluation against one policy: which laws hold it (by its
//! jurisdictions and effective date), and for each item in force whether
//! the model or the text shows it, with the clauses or fields that do.

use std::path::Path;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::model::load::{read_text, yaml_error};
use crate::model::Diagnostic;

use super::facts::{Date, PolicyFacts};

/// The checklists shipped with qualm, used when a folder has none.
pub const DEFAULT_CHECKLISTS: &str = include_str!("../../policies/checklists.yaml");
pub use crate::model::load::CHECKLISTS_FILE;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistFile {
    schema: u32,
    mechanisms: Vec<MechanismSpec>,
    laws: Vec<Law>,
    items: Vec<ItemSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MechanismSpec {
    id: String,
    label: String,
    patterns: Vec<String>,
    #[serde(default)]
    valid_from: Option<Date>,
    #[serde(default)]
    invalid_from: Option<Date>,
    #[serde(default)]
    severity: Option<crate::review::Severity>,
    #[serde(default)]
    why: Option<String>,
}

/// A transfer mechanism and the dates between which it could be relied on.
#[derive(Debug)]
pub struct Mechanism {
    pub id: String,
    pub label: String,
    patterns: Vec<Regex>,
    pub valid_from: Option<Date>,
    pub invalid_from: Option<Date>,
    /// How grave relying on it after `invalid_from` is.
    pub severity: crate::review::Severity,
    pub why: String,
}

impl Mechanism {
    pub fn matches(&self, text: &str) -> bool {
        self.patterns.iter().any(|p| p.is_match(text))
    }
}

/// A law a policy can be held to, and when it was in force.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    pub id: String,
    pub name: String,
    /// `jurisdictions` words of a policy that put it under this law.
    pub jurisdictions: Vec<String>,
    pub from: Date,
    #[serde(default)]
    pub until: Option<Date>,
}

impl Law {
    pub fn in_force(&self, on: Date) -> bool {
        self.from <= on && self.until.is_none_or(|until| on <= until)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemSpec {
    id: String,
    law: String,
    #[serde(rename = "ref")]
    reference: String,
    title: String,
    #[serde(default)]
    when: When,
    #[serde(default)]
    conditional: Option<String>,
    #[serde(default)]
    from: Option<Date>,
    any: Vec<CheckSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSpec {
    #[serde(default)]
    field: Option<Field>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
}

/// When an item applies at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    #[default]
    Always,
    ConsentBasis,
    LegitimateInterests,
    Transfers,
    ThirdPartySource,
    Sells,
}

/// A fact of the model an item can rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Purposes,
    Basis,
    Recipients,
    Retention,
    #[serde(rename = "if_withheld")]
    IfWithheld,
    Source,
    Data,
    Organization,
    Effective,
    Mechanism,
    SaleStatement,
}

#[derive(Debug)]
pub enum Check {
    Field(Field),
    Pattern { regex: Regex, topics: Vec<String> },
}

#[derive(Debug)]
pub struct Item {
    pub id: String,
    pub law: String,
    pub reference: String,
    pub title: String,
    pub when: When,
    pub conditional: Option<String>,
    pub from: Option<Date>,
    pub checks: Vec<Check>,
}

/// The parsed checklists file.
#[derive(Debug)]
pub struct Checklists {
    pub mechanisms: Vec<Mechanism>,
    pub laws: Vec<Law>,
    pub items: Vec<Item>,
}

fn regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(&super::rules::ascii_boundaries(pattern))
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("bad pattern `{pattern}`: {e}"))
}

impl Checklists {
    pub fn parse(text: &str, path: &Path) -> Result<Checklists, Diagnostic> {
        // The file shares items between laws through YAML merge keys.
        let mut value: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| yaml_error(path, &e))?;
        value.apply_merge().map_err(|e| yaml_error(path, &e))?;
        let file: ChecklistFile =
            serde_yaml::from_value(value).map_err(|e| yaml_error(path, &e))?;
        let bad = |message: String| Diagnostic::error(path, message);
        if file.schema != 1 {
            return Err(bad(format!(
                "unsupported schema {} (this qualm reads schema 1)",
                file.schema
            )));
        }
        let mut mechanisms = Vec::new();
        for m in file.mechanisms {
            let patterns = m
                .patterns
                .iter()
                .map(|p| regex(p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(format!("mechanism `{}`: {e}", m.id)))?;
            mechanisms.push(Mechanism {
                severity: m.severity.unwrap_or(crate::review::Severity::High),
                why: m.why.unwrap_or_default(),
                id: m.id,
                label: m.label,
                patterns,
                valid_from: m.valid_from,
                invalid_from: m.invalid_from,
            });
        }
        let mut items = Vec::new();
        for spec in file.items {
            if !file.laws.iter().any(|l| l.id == spec.law) {
                return Err(bad(format!(
                    "item `{}` names law `{}`, which `laws` does not define",
                    spec.id, spec.law
                )));
            }
            let mut checks = Vec::new();
            for check in spec.any {
                match (check.field, check.pattern) {
                    (Some(field), None) => checks.push(Check::Field(field)),
                    (None, Some(pattern)) => checks.push(Check::Pattern {
                        regex: regex(&pattern)
                            .map_err(|e| bad(format!("item `{}`: {e}", spec.id)))?,
                        topics: check.topics,
                    }),
                    _ => {
                        return Err(bad(format!(
                            "item `{}`: each check is either `field:` or `pattern:`",
                            spec.id
                        )))
                    }
                }
            }
            items.push(Item {
                id: spec.id,
                law: spec.law,
                reference: spec.reference,
                title: spec.title,
                when: spec.when,
                conditional: spec.conditional,
                from: spec.from,
                checks,
            });
        }
        Ok(Checklists {
            mechanisms,
            laws: file.laws,
            items,
        })
    }

    pub fn builtin() -> Checklists {
        Checklists::parse(DEFAULT_CHECKLISTS, Path::new(CHECKLISTS_FILE))
            .expect("the shipped checklists parse")
    }

    /// A folder's own `checklists.yaml`, else the built-in one; a file that
    /// does not parse is an error, never silently replaced.
    pub fn for_folder(folder: Option<&Path>) -> Result<Checklists, Diagnostic> {
        let Some(path) = folder
            .map(|f| f.join(CHECKLISTS_FILE))
            .filter(|p| p.is_file())
        else {
            return Ok(Checklists::builtin());
        };
        let text = read_text(&path)?;
        Checklists::parse(&text, &path)
    }

    /// The mechanism a label or text names, narrowest first.
    pub fn mechanism(&self, text: &str) -> Option<&Mechanism> {
        self.mechanisms.iter().find(|m| m.matches(text))
    }

    /// The laws that hold a policy with these jurisdictions on this date.
    pub fn laws_for(&self, jurisdictions: &[String], on: Date) -> Vec<&Law> {
        let words: Vec<String> = jurisdictions
            .iter()
            .map(|j| crate::model::vocabulary::normalize_label(j))
            .collect();
        self.laws
            .iter()
            .filter(|law| {
                law.in_force(on)
                    && law.jurisdictions.iter().any(|j| {
                        let j = crate::model::vocabulary::normalize_label(j);
                        words.contains(&j)
                    })
            })
            .collect()
    }
}

/// How one checklist item stands for one policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemState {
    /// Shown by these clauses (and, for a field, which one).
    Present {
        evidence: Vec<String>,
        shown_by: String,
    },
    Missing,
    /// Required only in a case the text cannot show, and not found.
    NotStated {
        condition: String,
    },
    /// Its condition (consent used, transfers made...) does not hold.
    NotApplicable,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    pub id: String,
    pub reference: String,
    pub title: String,
    #[serde(flatten)]
    pub state: ItemState,
}

/// One law's checklist for one policy.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistResult {
    pub law: String,
    pub name: String,
    pub items: Vec<ItemResult>,
}

impl ChecklistResult {
    pub fn present(&self) -> impl Iterator<Item = &ItemResult> {
        self.items
            .iter()
            .filter(|i| matches!(i.state, ItemState::Present { .. }))
    }

    pub fn missing(&self) -> impl Iterator<Item = &ItemResult> {
        self.items
            .iter()
            .filter(|i| matches!(i.state, ItemState::Missing))
    }

    /// Present items over the items that apply (conditional ones not
    /// found are left out of both).
    pub fn completeness(&self) -> (usize, usize) {
        let present = self.present().count();
        (present, present + self.missing().count())
    }
}

/// Evaluates every law that holds the policy.
pub fn evaluate(facts: &PolicyFacts, checklists: &Checklists) -> Vec<ChecklistResult> {
    facts
        .laws
        .iter()
        .map(|law| ChecklistResult {
            law: law.id.clone(),
            name: law.name.clone(),
            items: checklists
                .items
                .iter()
                .filter(|item| item.law == law.id)
                .filter(|item| item.from.is_none_or(|from| from <= facts.date))
                .map(|item| ItemResult {
                    id: item.id.clone(),
                    reference: item.reference.clone(),
                    title: item.title.clone(),
                    state: item_state(facts, checklists, item),
                })
                .collect(),
        })
        .collect()
}

fn item_state(facts: &PolicyFacts, checklists: &Checklists, item: &Item) -> ItemState {
    if !facts.holds(item.when, checklists) {
        return ItemState::NotApplicable;
    }
    for check in &item.checks {
        let found = match check {
            Check::Field(field) => facts.field_evidence(*field, checklists),
            Check::Pattern { regex, topics } => {
                let clauses = facts.clauses_matching(regex, topics);
                (!clauses.is_empty()).then(|| (clauses, "the text".to_string()))
            }
        };
        if let Some((evidence, shown_by)) = found {
            return ItemState::Present { evidence, shown_by };
        }
    }
    match &item.conditional {
        Some(condition) => ItemState::NotStated {
            condition: condition.clone(),
        },
        None => ItemState::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_checklists_parse_and_share_items_through_merge_keys() {
        let c = Checklists::builtin();
        let cpra: Vec<&Item> = c.items.iter().filter(|i| i.law == "ccpa-cpra").collect();
        assert!(cpra.iter().any(|i| i.id == "cpra.right-know"));
        let know = cpra.iter().find(|i| i.id == "cpra.right-know").unwrap();
        assert_eq!(know.title, "Right to know");
    }

    #[test]
    fn mechanisms_match_narrowest_first() {
        let c = Checklists::builtin();
        let id = |t: &str| c.mechanism(t).map(|m| m.id.as_str());
        assert_eq!(
            id("Swiss-US Privacy Shield"),
            Some("swiss-us-privacy-shield")
        );
        assert_eq!(
            id("EU-U.S. Privacy Shield Framework"),
            Some("eu-us-privacy-shield")
        );
        assert_eq!(id("EU Safe Harbor Privacy Principles"), Some("safe-harbor"));
        assert_eq!(id("Model Contracts (when requested)"), Some("old-sccs"));
        assert_eq!(id("EU-U.S. Data Privacy Framework (DPF)"), Some("dpf"));
        assert_eq!(id("Consent"), None);
    }
}
