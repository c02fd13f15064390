//! What the rules and checklists read off one policy, computed once: its
//! date and the laws that hold it, its flows with their contexts (without
//! the ones that rest only on definitions), and questions about labels that
//! go through the vocabulary ("is this an Art. 6 basis?", "is this
//! recipient only a kind, not a name?").

use std::collections::HashSet;
use std::fmt;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::model::{Action, Category, Context, Flow, Policy, RetentionClass, Vocabulary};

use super::checklist::{Checklists, Field, Law, When};

/// A calendar date, compared as (year, month, day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// `2024-06-02` (a bare `2024-06` or `2024` reads as its first day).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
        let day: u8 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
        ((1..=12).contains(&month) && (1..=31).contains(&day) && year >= 1900).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Today, by the system clock (UTC).
    pub fn today() -> Date {
        let now = crate::review::author::now();
        Date::parse(&now[..10]).expect("the clock gives a date")
    }

    /// The same day a number of months earlier (clamped to the 28th).
    pub fn months_before(self, months: u32) -> Date {
        let total = u32::from(self.year) * 12 + u32::from(self.month) - 1 - months;
        Date {
            year: (total / 12) as u16,
            month: (total % 12) as u8 + 1,
            day: self.day.min(28),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD)")))
    }
}

/// A flow with where it sits: its context, and its place there (from 1),
/// which is how notes name a flow.
#[derive(Debug, Clone, Copy)]
pub struct FlowRef<'a> {
    pub context: &'a Context,
    pub number: usize,
    pub flow: &'a Flow,
    /// Index of the context in depth-first order: negatives reach their
    /// context's subtree, which is a range of this order.
    pub order: usize,
    pub subtree_end: usize,
}

impl FlowRef<'_> {
    pub fn id(&self) -> String {
        self.flow.id.as_deref().map_or_else(
            || format!("{}.{}", self.context.id, self.number),
            str::to_string,
        )
    }

    pub fn is_positive(&self) -> bool {
        self.flow.does
    }
}

/// The Art. 6(1) bases, by vocabulary id; transfer mechanisms and CCPA
/// exceptions are not legal bases.
const ART6_BASES: [&str; 6] = [
    "consent",
    "contract",
    "legal-obligation",
    "vital-interests",
    "public-task",
    "legitimate-interests",
];

/// Recipient terms that name a kind of recipient, not who it is.
const GENERIC_RECIPIENTS: [&str; 7] = [
    "third-parties",
    "service-providers",
    "affiliates",
    "partners",
    "business-partners",
    "advertisers",
    "resellers",
];

/// Sources that are the person themselves (an Art. 13 flow).
fn is_data_subject(source: &str) -> bool {
    let s = crate::model::vocabulary::normalize_label(source);
    s.is_empty()
        || s.starts_with("you")
        || s.contains("data subject")
        || s.contains("directly from you")
        || s == "user"
        || s == "users"
        || s.starts_with("the user")
        || s.starts_with("visitor")
}

/// One policy as the rules see it.
pub struct PolicyFacts<'a> {
    pub policy: &'a Policy,
    pub vocabulary: &'a Vocabulary,
    /// The effective date; an undated policy is judged as of the audit date.
    pub date: Date,
    pub dated: bool,
    pub laws: Vec<&'a Law>,
    /// Flows that state a practice (not those resting only on definitions).
    pub flows: Vec<FlowRef<'a>>,
    /// The checklists evaluated, once (a rule and the grade both read them).
    evaluated: std::cell::OnceCell<Vec<super::checklist::ChecklistResult>>,
}

impl<'a> PolicyFacts<'a> {
    pub fn new(
        policy: &'a Policy,
        vocabulary: &'a Vocabulary,
        checklists: &'a Checklists,
        as_of: Date,
    ) -> PolicyFacts<'a> {
        let effective = policy.effective.as_deref().and_then(Date::parse);
        let date = effective.unwrap_or(as_of);
        let definitions: HashSet<&str> = policy
            .clauses()
            .filter(|(_, c)| c.role.is_some())
            .map(|(_, c)| c.id.as_str())
            .collect();
        let contexts = policy.contexts_flat();
        let mut flows = Vec::new();
        for (order, &(depth, context)) in contexts.iter().enumerate() {
            let subtree_end = contexts[order + 1..]
                .iter()
                .position(|&(d, _)| d <= depth)
                .map_or(contexts.len(), |p| order + 1 + p);
            for (i, flow) in context.flows.iter().enumerate() {
                let only_definitions = !flow.evidence.is_empty()
                    && flow.evidence.iter().all(|e| definitions.contains(&**e));
                if !only_definitions {
                    flows.push(FlowRef {
                        context,
                        number: i + 1,
                        flow,
                        order,
                        subtree_end,
                    });
                }
            }
        }
        PolicyFacts {
            policy,
            vocabulary,
            date,
            dated: effective.is_some(),
            laws: checklists.laws_for(&policy.jurisdictions, date),
            flows,
            evaluated: std::cell::OnceCell::new(),
        }
    }

    /// Every law's checklist for this policy, evaluated once.
    pub fn checklists(&self, checklists: &Checklists) -> &[super::checklist::ChecklistResult] {
        self.evaluated
            .get_or_init(|| super::checklist::evaluate(self, checklists))
    }

    pub fn under(&self, law_prefix: &str) -> bool {
        self.laws.iter().any(|l| l.id.starts_with(law_prefix))
    }

    pub fn under_gdpr(&self) -> bool {
        self.under("gdpr")
    }

    pub fn under_ccpa(&self) -> bool {
        self.under("ccpa")
    }

    pub fn positive(&self) -> impl Iterator<Item = &FlowRef<'a>> {
        self.flows.iter().filter(|f| f.is_positive())
    }

    fn term(&self, category: Category, label: &str) -> Option<&str> {
        self.vocabulary
            .lookup(category, label)
            .map(|t| t.id.as_str())
    }

    /// An Art. 6(1) legal basis (not a transfer mechanism).
    pub fn is_art6_basis(&self, label: &str) -> bool {
        match self.term(Category::Bases, label) {
            Some(id) => ART6_BASES.contains(&id),
            None => {
                let l = label.to_lowercase();
                [
                    "consent",
                    "contract",
                    "legal obligation",
                    "legitimate interest",
                    "vital interest",
                    "public interest",
                ]
                .iter()
                .any(|w| l.contains(w))
            }
        }
    }

    pub fn basis_is(&self, label: &str, id: &str) -> bool {
        self.term(Category::Bases, label) == Some(id)
    }

    /// A recipient named only by its kind ("third parties", "partners").
    pub fn is_generic_recipient(&self, label: &str) -> bool {
        match self.term(Category::Recipients, label) {
            Some(id) => GENERIC_RECIPIENTS.contains(&id),
            None => {
                let l = crate::model::vocabulary::normalize_label(label);
                [
                    "third part",
                    "partner",
                    "affiliate",
                    "service provider",
                    "vendor",
                    "other compan",
                ]
                .iter()
                .any(|w| l.contains(w))
            }
        }
    }

    /// A data label that names no category ("personal information").
    pub fn is_generic_data(&self, label: &str) -> bool {
        self.term(Category::Data, label) == Some("personal-information")
    }

    /// The flow sells personal information (or shares it in the CCPA's
    /// sense, for cross-context advertising).
    pub fn is_sale(&self, flow: &Flow) -> bool {
        flow.action() == Action::Sell
            || flow
                .purposes
                .iter()
                .any(|p| matches!(self.term(Category::Purposes, p), Some("sale" | "sharing")))
    }

    pub fn clauses_matching(&self, regex: &Regex, topics: &[String]) -> Vec<String> {
        self.policy
            .clauses()
            .filter(|(_, c)| {
                topics.is_empty() || c.topics.iter().any(|t| topics.iter().any(|w| **t == **w))
            })
            .filter(|(_, c)| regex.is_match(&c.text))
            .map(|(_, c)| c.id.clone())
            .collect()
    }

    /// Whether an item's condition holds for this policy.
    pub fn holds(&self, when: When, checklists: &Checklists) -> bool {
        match when {
            When::Always => true,
            When::ConsentBasis => self
                .positive()
                .any(|f| f.flow.basis.iter().any(|b| self.basis_is(b, "consent"))),
            When::LegitimateInterests => self.positive().any(|f| {
                f.flow
                    .basis
                    .iter()
                    .any(|b| self.basis_is(b, "legitimate-interests"))
            }),
            When::Transfers => self.transfers(checklists),
            When::ThirdPartySource => self
                .positive()
                .any(|f| f.flow.source.iter().any(|s| !is_data_subject(s))),
            When::Sells => self.positive().any(|f| self.is_sale(f.flow)),
        }
    }

    /// The policy transfers data out of the EEA: a flow names a transfer
    /// mechanism, or a clause says so.
    pub fn transfers(&self, checklists: &Checklists) -> bool {
        self.flows.iter().any(|f| {
            f.flow
                .basis
                .iter()
                .any(|b| checklists.mechanism(b).is_some())
        }) || !self.clauses_matching(transfer_pattern(), &[]).is_empty()
    }

    /// The clauses and the description of a model field that shows an
    /// item, if any flow (or the header) states it.
    pub fn field_evidence(
        &self,
        field: Field,
        checklists: &Checklists,
    ) -> Option<(Vec<String>, String)> {
        let header =
            |present: bool, name: &str| present.then(|| (Vec::new(), format!("policy.{name}")));
        let flows: Vec<&FlowRef> = match field {
            Field::Organization => {
                return header(!self.policy.organization.trim().is_empty(), "organization")
            }
            Field::Effective => return header(self.policy.effective.is_some(), "effective"),
            Field::SaleStatement => self.flows.iter().filter(|f| self.is_sale(f.flow)).collect(),
            Field::Mechanism => {
                let flows: Vec<&FlowRef> = self
                    .flows
                    .iter()
                    .filter(|f| {
                        f.flow
                            .basis
                            .iter()
                            .any(|b| checklists.mechanism(b).is_some())
                    })
                    .collect();
                if flows.is_empty() {
                    let clauses: Vec<String> = self
                        .policy
                        .clauses()
                        .filter(|(_, c)| checklists.mechanism(&c.text).is_some())
                        .map(|(_, c)| c.id.clone())
                        .collect();
                    return (!clauses.is_empty()).then(|| (clauses, "the text".to_string()));
                }
                flows
            }
            Field::Recipients => self
                .flows
                .iter()
                .filter(|f| !f.flow.recipients.is_empty())
                .collect(),
            _ => self
                .positive()
                .filter(|f| match field {
                    Field::Purposes => !f.flow.purposes.is_empty(),
                    Field::Basis => f.flow.basis.iter().any(|b| self.is_art6_basis(b)),
                    Field::Retention => matches!(
                        f.flow.retention_class,
                        Some(RetentionClass::StatedPeriod | RetentionClass::Limited)
                    ),
                    Field::IfWithheld => f.flow.if_withheld.is_some(),
                    Field::Source => !f.flow.source.is_empty(),
                    Field::Data => !f.flow.data.is_empty(),
                    _ => false,
                })
                .collect(),
        };
        if flows.is_empty() {
            return None;
        }
        let name = match field {
            Field::Purposes => "purposes",
            Field::Basis => "basis",
            Field::Recipients => "recipients",
            Field::Retention => "retention",
            Field::IfWithheld => "if_withheld",
            Field::Source => "source",
            Field::Data => "data",
            Field::Mechanism => "basis (transfer mechanism)",
            Field::SaleStatement => "a sale statement",
            Field::Organization | Field::Effective => unreachable!(),
        };
        Some((
            evidence_of(flows.iter().map(|f| f.flow)),
            format!("{name} of {} flow(s)", flows.len()),
        ))
    }
}

/// The clause ids a set of flows cites, each once, in order.
pub fn evidence_of<'f>(flows: impl IntoIterator<Item = &'f Flow>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for flow in flows {
        for id in flow.evidence_ids() {
            if seen.insert(id) {
                out.push(id.to_string());
            }
        }
    }
    out
}

/// "transferred to the United States", "outside the EEA".
pub fn transfer_pattern() -> &'static Regex {
    static PATTERN: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::RegexBuilder::new(&super::rules::ascii_boundaries(
            r"(transfer|transferred|stored|processed|hosted)\b.{0,100}(outside (of )?(the )?(eea|european|eu\b|uk\b|switzerland)|united states|\bu\.?s\.?a?\b|third countr|other countries)",
        ))
        .case_insensitive(true)
        .build()
        .expect("a valid pattern")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_compare_and_step_back() {
        let d = Date::parse("2024-06-02").unwrap();
        assert!(Date::parse("2015-11-09").unwrap() > Date::parse("2015-10-06").unwrap());
        assert_eq!(d.months_before(12).to_string(), "2023-06-02");
        assert_eq!(
            Date::parse("2024-01-31")
                .unwrap()
                .months_before(1)
                .to_string(),
            "2023-12-28"
        );
        assert!(Date::parse("2024-13-45").is_none());
        assert!(Date::parse("soon").is_none());
    }
}
