//! The rules. Each reads one policy's facts and reports what is missing or
//! wrong, in the analyst's words, with the clauses it rests on; and awards
//! good points for what a policy does well, since a grade built from
//! concerns alone can only go down. Rules that would fire once per flow
//! report once per policy with a count ("65 of 74 flows state no legal
//! basis"), so findings are grouped, not flooded.

use std::collections::HashSet;

use regex::{Regex, RegexBuilder};

use crate::model::{Action, Category, ChoiceKind, RetentionClass};
use crate::review::{Severity, Target};

use super::checklist::{Checklists, ItemState};
use super::facts::{evidence_of, transfer_pattern, FlowRef, PolicyFacts};
use super::{Draft, PointKind, Sink};

/// What a rule is, for `--rule`, SARIF's driver and the README.
pub struct Rule {
    pub id: &'static str,
    /// A concern kind of the vocabulary.
    pub kind: &'static str,
    pub title: &'static str,
    pub reference: &'static str,
    pub check: fn(&PolicyFacts, &Checklists, &mut Sink),
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "retention-unspecified",
        kind: "retention-unspecified",
        title: "A flow states no retention period",
        reference: "GDPR Art. 13(2)(a); Cal. Civ. Code §1798.100(a)(3)",
        check: retention_unspecified,
    },
    Rule {
        id: "retention-vague",
        kind: "retention-unspecified",
        title: "Retention is only \"as long as necessary\"",
        reference: "GDPR Art. 13(2)(a); WP260 rev.01 (transparency guidelines)",
        check: retention_vague,
    },
    Rule {
        id: "retention-indefinite",
        kind: "retention-unspecified",
        title: "Data is kept indefinitely",
        reference: "GDPR Art. 5(1)(e)",
        check: retention_indefinite,
    },
    Rule {
        id: "legal-basis-missing",
        kind: "legal-basis",
        title: "A flow of a GDPR policy states no legal basis",
        reference: "GDPR Art. 13(1)(c), 6(1)",
        check: legal_basis_missing,
    },
    Rule {
        id: "consent-without-withdrawal",
        kind: "rights-gap",
        title: "Consent is relied on, but withdrawing it is not explained",
        reference: "GDPR Art. 13(2)(c), 7(3)",
        check: consent_without_withdrawal,
    },
    Rule {
        id: "generic-recipients",
        kind: "unnamed-recipients",
        title: "Data goes only to recipients named by kind",
        reference: "GDPR Art. 13(1)(e); WP260 rev.01",
        check: generic_recipients,
    },
    Rule {
        id: "sale-without-opt-out",
        kind: "sale-or-sharing",
        title: "Personal information is sold or shared, and no opt-out is described",
        reference: "Cal. Civ. Code §1798.120, §1798.135",
        check: sale_without_opt_out,
    },
    Rule {
        id: "no-sale-statement",
        kind: "sale-or-sharing",
        title: "A CCPA policy says neither that it sells nor that it does not",
        reference: "Cal. Civ. Code §1798.130(a)(5)(C)",
        check: no_sale_statement,
    },
    Rule {
        id: "outdated-mechanism",
        kind: "outdated-mechanism",
        title: "A transfer relies on a mechanism that was not valid at the policy's date",
        reference: "CJEU C-362/14 (Schrems I), C-311/18 (Schrems II); Decision (EU) 2021/914",
        check: outdated_mechanism,
    },
    Rule {
        id: "transfer-without-mechanism",
        kind: "international-transfer",
        title: "Data leaves the EEA and no transfer mechanism is named",
        reference: "GDPR Art. 13(1)(f), 44-49",
        check: transfer_without_mechanism,
    },
    Rule {
        id: "rights-missing",
        kind: "rights-gap",
        title: "Rights the law requires the notice to describe are missing",
        reference: "GDPR Art. 13(2)(b)-(d); Cal. Civ. Code §1798.130(a)(5)(A)",
        check: rights_missing,
    },
    Rule {
        id: "contradiction",
        kind: "contradiction",
        title: "A positive statement contradicts a negative one within its scope",
        reference: "PolicyLint (Andow et al., 2019), filtered as PoliGraph (Cui et al., 2023)",
        check: contradiction,
    },
    Rule {
        id: "open-ended-data",
        kind: "over-collection",
        title: "Data labels without an end (\"any other information\")",
        reference: "GDPR Art. 5(1)(c); 11 CCR §7002(d)",
        check: open_ended_data,
    },
    Rule {
        id: "vague-wording",
        kind: "vague-language",
        title: "Clauses about collection and sharing lean on hedge words",
        reference: "Bhatia et al., vagueness in privacy policies",
        check: vague_wording,
    },
    Rule {
        id: "change-without-notice",
        kind: "other",
        title: "The policy may change without notice to the person",
        reference: "GDPR Art. 13(3); CalOPPA §22575(b)(3)",
        check: change_without_notice,
    },
    Rule {
        id: "stale-ccpa",
        kind: "other",
        title: "A CCPA policy not updated in the last 12 months",
        reference: "Cal. Civ. Code §1798.130(a)(5)",
        check: stale_ccpa,
    },
    Rule {
        id: "no-do-not-track",
        kind: "other",
        title: "A California policy says nothing about Do Not Track",
        reference: "CalOPPA §22575(b)(5)",
        check: no_do_not_track,
    },
    Rule {
        id: "children",
        kind: "children",
        title: "Children: collected from, or not addressed",
        reference: "COPPA; Cal. Civ. Code §1798.120(c); GDPR Art. 8",
        check: children,
    },
];

/// `\b` as an ASCII word boundary: the Unicode one makes the regex crate
/// leave its fast DFA for a slow NFA on every clause, and the rules' words
/// are English.
pub fn ascii_boundaries(pattern: &str) -> String {
    pattern.replace("\\b", "(?-u:\\b)")
}

/// A rule's pattern, compiled once per process: rules run per policy, and
/// compiling their patterns each time made linting a folder slower than
/// loading it.
fn pattern(text: &'static str) -> Regex {
    static COMPILED: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<&'static str, Regex>>,
    > = std::sync::OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    compiled
        .entry(text)
        .or_insert_with(|| {
            RegexBuilder::new(&ascii_boundaries(text))
                .case_insensitive(true)
                .build()
                .expect("the rules' own patterns are valid")
        })
        .clone()
}

/// "12 of 40 flows": how many of how many, so a count is never read as all.
fn of(count: usize, total: usize, what: &str) -> String {
    format!("{count} of {total} {what}s")
}

/// "one flow says it may", "3 flows say they may".
fn count_flows(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("one flow {one}")
    } else {
        format!("{count} flows {many}")
    }
}

fn flow_targets<'a>(flows: &[&FlowRef<'a>]) -> Vec<String> {
    flows.iter().map(|f| f.id()).collect()
}

/// Positive flows that state a practice on some data (not a mere notice).
fn practice_flows<'a, 'f>(facts: &'f PolicyFacts<'a>) -> Vec<&'f FlowRef<'a>> {
    facts
        .positive()
        .filter(|f| !f.flow.data.is_empty())
        .collect()
}

fn retention_unspecified(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let flows = practice_flows(facts);
    let silent: Vec<&FlowRef> = flows
        .iter()
        .copied()
        .filter(|f| f.flow.retention_class == Some(RetentionClass::Unspecified))
        .collect();
    if flows.is_empty() {
        return;
    }
    if silent.is_empty() {
        let stated = flows
            .iter()
            .filter(|f| f.flow.retention_class == Some(RetentionClass::StatedPeriod))
            .count();
        if stated == flows.len() {
            sink.point(
                PointKind::Good,
                "every flow states how long its data is kept",
            );
        }
        return;
    }
    let strict = facts.under_gdpr() || facts.under("ccpa-cpra");
    sink.finding(Draft {
        severity: if strict { Severity::High } else { Severity::Medium },
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} state no retention period or criteria: the person cannot tell how long their data is kept",
            of(silent.len(), flows.len(), "flow")
        ),
        evidence: evidence_of(silent.iter().map(|f| f.flow)),
        flows: flow_targets(&silent),
        facts: Vec::new(),
    });
}

fn retention_vague(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let flows = practice_flows(facts);
    let vague: Vec<&FlowRef> = flows
        .iter()
        .copied()
        .filter(|f| f.flow.retention_class == Some(RetentionClass::Limited))
        .collect();
    if vague.is_empty() {
        return;
    }
    sink.finding(Draft {
        severity: Severity::Medium,
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} keep data only \"as long as necessary\" (or the like), with no period or criteria to check it by",
            of(vague.len(), flows.len(), "flow")
        ),
        evidence: evidence_of(vague.iter().map(|f| f.flow)),
        flows: flow_targets(&vague),
        facts: Vec::new(),
    });
}

fn retention_indefinite(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let forever: Vec<&FlowRef> = practice_flows(facts)
        .into_iter()
        .filter(|f| f.flow.retention_class == Some(RetentionClass::Indefinitely))
        .collect();
    if forever.is_empty() {
        return;
    }
    sink.finding(Draft {
        severity: Severity::High,
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} keep data indefinitely",
            count_flows(forever.len(), "says it may", "say they may")
        ),
        evidence: evidence_of(forever.iter().map(|f| f.flow)),
        flows: flow_targets(&forever),
        facts: Vec::new(),
    });
}

fn legal_basis_missing(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    if !facts.under_gdpr() {
        return;
    }
    let flows = practice_flows(facts);
    let missing: Vec<&FlowRef> = flows
        .iter()
        .copied()
        .filter(|f| !f.flow.basis.iter().any(|b| facts.is_art6_basis(b)))
        .collect();
    if flows.is_empty() {
        return;
    }
    if missing.is_empty() {
        sink.point(PointKind::Good, "every flow states its legal basis");
        return;
    }
    sink.finding(Draft {
        severity: Severity::High,
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} state no legal basis under Art. 6(1) (a transfer mechanism is not one)",
            of(missing.len(), flows.len(), "flow")
        ),
        evidence: evidence_of(missing.iter().map(|f| f.flow)),
        flows: flow_targets(&missing),
        facts: Vec::new(),
    });
}

fn consent_without_withdrawal(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let consent: Vec<&FlowRef> = facts
        .positive()
        .filter(|f| f.flow.basis.iter().any(|b| facts.basis_is(b, "consent")))
        .collect();
    if consent.is_empty() {
        return;
    }
    let withdraw = pattern(r"(withdraw|revoke)\w*( your)? consent|consent.{0,60}(withdraw|revok)");
    let stated = !facts.clauses_matching(&withdraw, &[]).is_empty()
        || consent.iter().any(|f| {
            f.flow
                .choice
                .as_ref()
                .is_some_and(|c| c.kind == ChoiceKind::OptOut)
        });
    if stated {
        return;
    }
    sink.finding(Draft {
        severity: Severity::Medium,
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} on consent, but no clause says consent can be withdrawn, or how",
            count_flows(consent.len(), "rests", "rest")
        ),
        evidence: evidence_of(consent.iter().map(|f| f.flow)),
        flows: flow_targets(&consent),
        facts: Vec::new(),
    });
}

fn generic_recipients(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let sharing: Vec<&FlowRef> = facts
        .positive()
        .filter(|f| !f.flow.recipients.is_empty())
        .collect();
    if sharing.is_empty() {
        return;
    }
    let generic: Vec<&FlowRef> = sharing
        .iter()
        .copied()
        .filter(|f| {
            f.flow
                .recipients
                .iter()
                .all(|r| facts.is_generic_recipient(r))
        })
        .collect();
    if generic.is_empty() {
        sink.point(
            PointKind::Good,
            "every disclosure names who receives the data",
        );
        return;
    }
    let with_generic_data = generic
        .iter()
        .filter(|f| !f.flow.data.is_empty() && f.flow.data.iter().all(|d| facts.is_generic_data(d)))
        .count();
    let labels: Vec<&str> = {
        let mut seen = HashSet::new();
        generic
            .iter()
            .flat_map(|f| f.flow.recipients.iter().map(|r| &**r))
            .filter(|r| seen.insert(r.to_lowercase()))
            .take(4)
            .collect()
    };
    let mut message = format!(
        "{} name their recipients only by kind ({})",
        of(generic.len(), sharing.len(), "disclosing flow"),
        labels.join(", ")
    );
    if with_generic_data > 0 {
        message.push_str(&format!(
            "; {with_generic_data} of them also say only \"personal information\" for the data"
        ));
    }
    sink.finding(Draft {
        severity: if with_generic_data > 0 {
            Severity::High
        } else {
            Severity::Medium
        },
        target: Target::policy(&facts.policy.id),
        message,
        evidence: evidence_of(generic.iter().map(|f| f.flow)),
        flows: flow_targets(&generic),
        facts: Vec::new(),
    });
}

/// "Do Not Sell", "opt out of the sale", Global Privacy Control.
fn opt_out_pattern() -> Regex {
    pattern(
        r"do not (sell|share)|opt[- ]out of (the )?(sale|sell|shar)|global privacy control|opt[- ]out preference signal",
    )
}

fn sale_without_opt_out(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    if !facts.under_ccpa() {
        return;
    }
    let sales: Vec<&FlowRef> = facts.positive().filter(|f| facts.is_sale(f.flow)).collect();
    if sales.is_empty() {
        return;
    }
    let choice = sales.iter().any(|f| {
        f.flow
            .choice
            .as_ref()
            .is_some_and(|c| c.kind == ChoiceKind::OptOut)
    });
    if choice || !facts.clauses_matching(&opt_out_pattern(), &[]).is_empty() {
        return;
    }
    sink.finding(Draft {
        severity: Severity::High,
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} sell or share personal information, and no clause offers a way to opt out (a \"Do Not Sell or Share\" link or an opt-out preference signal)",
            count_flows(sales.len(), "says it may", "say they may")
        ),
        evidence: evidence_of(sales.iter().map(|f| f.flow)),
        flows: flow_targets(&sales),
        facts: Vec::new(),
    });
}

fn no_sale_statement(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    if !facts.under_ccpa() {
        return;
    }
    let negatives: Vec<&FlowRef> = facts
        .flows
        .iter()
        .filter(|f| !f.is_positive() && facts.is_sale(f.flow))
        .collect();
    if !negatives.is_empty() && !facts.positive().any(|f| facts.is_sale(f.flow)) {
        sink.point_with(
            PointKind::Good,
            "states that it does not sell personal information",
            evidence_of(negatives.iter().map(|f| f.flow)),
        );
        return;
    }
    let any_sale_flow = facts.flows.iter().any(|f| facts.is_sale(f.flow));
    let sell_words = pattern(r"\b(sell|sold|sale)\b");
    if any_sale_flow || !facts.clauses_matching(&sell_words, &[]).is_empty() {
        return;
    }
    sink.finding(Draft {
        severity: Severity::Medium,
        target: Target::policy(&facts.policy.id),
        message: "the policy is held to the CCPA but says neither that it sells personal information nor that it does not".into(),
        evidence: Vec::new(),
        flows: Vec::new(),
        facts: Vec::new(),
    });
}

fn outdated_mechanism(facts: &PolicyFacts, checklists: &Checklists, sink: &mut Sink) {
    let mut reported = HashSet::new();
    for mechanism in &checklists.mechanisms {
        let relying: Vec<&FlowRef> = facts
            .positive()
            .filter(|f| {
                f.flow.basis.iter().any(|b| {
                    checklists
                        .mechanism(b)
                        .is_some_and(|m| m.id == mechanism.id)
                })
            })
            .collect();
        if relying.is_empty() || !reported.insert(mechanism.id.as_str()) {
            continue;
        }
        let evidence = evidence_of(relying.iter().map(|f| f.flow));
        let ids = flow_targets(&relying);
        if !facts.dated {
            if mechanism.invalid_from.is_some() || mechanism.valid_from.is_some() {
                sink.finding(Draft {
                    severity: Severity::Info,
                    target: Target::policy(&facts.policy.id),
                    message: format!(
                        "transfers rely on {}, whose validity depends on the date, and the policy has no effective date",
                        mechanism.label
                    ),
                    evidence,
                    flows: ids,
                    facts: vec![mechanism.id.clone()],
                });
            }
            continue;
        }
        let date = facts.date;
        if let Some(invalid) = mechanism.invalid_from.filter(|&d| date >= d) {
            sink.finding(Draft {
                severity: mechanism.severity,
                target: Target::policy(&facts.policy.id),
                message: format!(
                    "transfers rely on {}, which was not a valid basis from {invalid} ({}); the policy took effect {date}",
                    mechanism.label, mechanism.why
                ),
                evidence,
                flows: ids,
                facts: vec![mechanism.id.clone()],
            });
        } else if let Some(from) = mechanism.valid_from.filter(|&d| date < d) {
            sink.finding(Draft {
                severity: Severity::Medium,
                target: Target::policy(&facts.policy.id),
                message: format!(
                    "transfers rely on {}, which did not exist before {from}; the policy took effect {date} (a wrong date or a wrong label in the model?)",
                    mechanism.label
                ),
                evidence,
                flows: ids,
                facts: vec![mechanism.id.clone()],
            });
        } else if mechanism.invalid_from.is_some() || mechanism.valid_from.is_some() {
            sink.point_with(
                PointKind::Good,
                &format!(
                    "names {} for transfers, valid at the policy's date",
                    mechanism.label
                ),
                evidence,
            );
        }
    }
}

fn transfer_without_mechanism(facts: &PolicyFacts, checklists: &Checklists, sink: &mut Sink) {
    if !facts.under_gdpr() {
        return;
    }
    let transfer_clauses = facts.clauses_matching(transfer_pattern(), &[]);
    if transfer_clauses.is_empty() {
        return;
    }
    let named = facts.flows.iter().any(|f| {
        f.flow
            .basis
            .iter()
            .any(|b| checklists.mechanism(b).is_some())
    }) || facts
        .policy
        .clauses()
        .any(|(_, c)| checklists.mechanism(&c.text).is_some());
    let safeguards =
        pattern(r"appropriate safeguards|suitable safeguards|adequate (level of )?protection");
    if named || !facts.clauses_matching(&safeguards, &[]).is_empty() {
        return;
    }
    sink.finding(Draft {
        severity: Severity::High,
        target: Target::policy(&facts.policy.id),
        message: "the text says data leaves the EEA, and names no adequacy decision, contractual clauses or other safeguard for it".into(),
        evidence: transfer_clauses,
        flows: Vec::new(),
        facts: Vec::new(),
    });
}

fn rights_missing(facts: &PolicyFacts, checklists: &Checklists, sink: &mut Sink) {
    for result in facts.checklists(checklists) {
        let rights: Vec<_> = result
            .items
            .iter()
            .filter(|i| {
                i.id.contains(".right-")
                    || i.id.ends_with(".complaint")
                    || i.id.ends_with(".non-discrimination")
                    || i.id.ends_with(".withdraw-consent")
            })
            .collect();
        let missing: Vec<&str> = rights
            .iter()
            .filter(|i| i.state == ItemState::Missing)
            .map(|i| i.title.as_str())
            .collect();
        if rights.is_empty() {
            continue;
        }
        if missing.is_empty() {
            sink.point(
                PointKind::Good,
                &format!("describes every right the {} requires", result.name),
            );
            continue;
        }
        sink.finding(Draft {
            severity: Severity::Medium,
            target: Target::policy(&facts.policy.id),
            message: format!(
                "under the {}, the notice must describe rights it does not mention: {}",
                result.name,
                missing.join("; ")
            ),
            evidence: Vec::new(),
            flows: Vec::new(),
            facts: vec![result.law.clone()],
        });
    }
}

/// Whether the positive action is at least the negative one: selling is a
/// kind of sharing, sharing and using need collecting.
fn action_covers(positive: Action, negative: Action) -> bool {
    let rank = |a: Action| match a {
        Action::Collect => 0,
        Action::Use => 1,
        Action::Share => 2,
        Action::Sell => 3,
    };
    match (positive, negative) {
        // "We do not sell" is not contradicted by sharing.
        (Action::Share, Action::Sell) => false,
        // Using and sharing are different acts on collected data.
        (Action::Use, Action::Share) | (Action::Share, Action::Use) => false,
        _ => rank(positive) >= rank(negative),
    }
}

/// The vocabulary term of a label, else the label itself, normalized.
fn terms(
    facts: &PolicyFacts,
    category: Category,
    labels: &[std::sync::Arc<str>],
) -> HashSet<String> {
    labels
        .iter()
        .map(|l| facts.vocabulary.normalize(category, l))
        .collect()
}

fn contradiction(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    for negative in facts.flows.iter().filter(|f| !f.is_positive()) {
        let n = negative.flow;
        let neg_data = terms(facts, Category::Data, &n.data);
        // Statements about root terms ("personal information") are left
        // out, as PolicyLint does: they pair with everything.
        if neg_data.is_empty() || neg_data.iter().all(|d| d == "personal-information") {
            continue;
        }
        let neg_recipients = terms(facts, Category::Recipients, &n.recipients);
        let neg_purposes = terms(facts, Category::Purposes, &n.purposes);
        let neg_sources = terms(facts, Category::Data, &n.source);
        let policy_wide = n.scope() == Some(crate::model::Scope::Policy);
        let conflicting: Vec<&FlowRef> = facts
            .positive()
            .filter(|p| {
                let f = p.flow;
                (policy_wide || (negative.order..negative.subtree_end).contains(&p.order))
                    && action_covers(f.action(), n.action())
                    && terms(facts, Category::Data, &f.data)
                        .iter()
                        .any(|d| neg_data.contains(d))
                    && (neg_recipients.is_empty()
                        || terms(facts, Category::Recipients, &f.recipients)
                            .iter()
                            .any(|r| neg_recipients.contains(r)))
                    // PoliGraph's filters: other purposes or another
                    // source are not the same statement.
                    && (neg_purposes.is_empty()
                        || f.purposes.is_empty()
                        || terms(facts, Category::Purposes, &f.purposes)
                            .iter()
                            .any(|x| neg_purposes.contains(x)))
                    && (neg_sources.is_empty()
                        || f.source.is_empty()
                        || terms(facts, Category::Data, &f.source)
                            .iter()
                            .any(|s| neg_sources.contains(s)))
            })
            .collect();
        if conflicting.is_empty() {
            continue;
        }
        let qualified = n.qualifier.is_some();
        let mut evidence = evidence_of([n]);
        for id in evidence_of(conflicting.iter().map(|f| f.flow)) {
            if !evidence.contains(&id) {
                evidence.push(id);
            }
        }
        let mut ids = vec![negative.id()];
        ids.extend(flow_targets(&conflicting));
        sink.finding(Draft {
            severity: if qualified {
                Severity::Medium
            } else {
                Severity::High
            },
            target: Target::flow(&negative.context.id, negative.number),
            message: format!(
                "flow {} says the data is not {}{}, but {} the same data is {}",
                negative.id(),
                n.action().done(),
                n.qualifier
                    .as_deref()
                    .map(|q| format!(" ({q})"))
                    .unwrap_or_default(),
                if conflicting.len() == 1 {
                    format!("flow {} says", conflicting[0].id())
                } else {
                    format!(
                        "{} flows ({}) say",
                        conflicting.len(),
                        flow_targets(&conflicting).join(", ")
                    )
                },
                conflicting[0].flow.action().done(),
            ),
            evidence,
            flows: ids.clone(),
            facts: ids,
        });
    }
}

fn open_ended_data(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let open = pattern(
        r"\bany other\b|\bother (personal )?(information|data)\b|\betc\b|\band so on\b|including,? but not limited to|\bsuch as\b|\bmay include\b",
    );
    let flows: Vec<&FlowRef> = facts
        .positive()
        .filter(|f| f.flow.data.iter().any(|d| open.is_match(d)))
        .collect();
    if flows.is_empty() {
        return;
    }
    let mut seen = HashSet::new();
    let labels: Vec<String> = flows
        .iter()
        .flat_map(|f| f.flow.data.iter())
        .filter(|d| open.is_match(d) && seen.insert(d.to_lowercase()))
        .take(3)
        .map(|d| format!("\"{d}\""))
        .collect();
    sink.finding(Draft {
        severity: Severity::Low,
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} data named without an end ({}), so what is collected has no limit",
            count_flows(flows.len(), "collects", "collect"),
            labels.join(", ")
        ),
        evidence: evidence_of(flows.iter().map(|f| f.flow)),
        flows: flow_targets(&flows),
        facts: Vec::new(),
    });
}

/// Hedge words (Bhatia et al.: conditionality, generality, modality,
/// numeric quantifiers), counted per clause: "may" alone is everywhere,
/// so only a dense clause counts.
fn vague_wording(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let hedges = pattern(
        r"\b(may|might|could|possibly|generally|typically|usually|certain|some|various|as (needed|necessary|appropriate)|from time to time|such as|including,? but not limited to|among other things|depending on)\b",
    );
    let topics = [
        "first-party-collection",
        "third-party-sharing",
        "data-retention",
    ];
    let mut scored: Vec<(f64, &str)> = facts
        .policy
        .clauses()
        .filter(|(_, c)| c.topics.iter().any(|t| topics.contains(&&**t)))
        .filter_map(|(_, c)| {
            let words = c.text.split_whitespace().count();
            let count = hedges.find_iter(&c.text).count();
            let density = count as f64 * 100.0 / words.max(1) as f64;
            (count >= 3 && density >= 5.0).then_some((density, c.id.as_str()))
        })
        .collect();
    let considered = facts
        .policy
        .clauses()
        .filter(|(_, c)| c.topics.iter().any(|t| topics.contains(&&**t)))
        .count();
    if scored.is_empty() {
        return;
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    sink.finding(Draft {
        severity: Severity::Low,
        target: Target::policy(&facts.policy.id),
        message: format!(
            "{} about collection, sharing or retention lean on hedge words (may, such as, from time to time...) at least once every 20 words",
            of(scored.len(), considered, "clause")
        ),
        evidence: scored.iter().take(10).map(|(_, id)| id.to_string()).collect(),
        flows: Vec::new(),
        facts: Vec::new(),
    });
}

fn change_without_notice(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let change = pattern(
        r"(change|update|modify|amend|revise)\w* (to )?(this|our|the) (privacy )?(policy|statement|notice)|(this|our) (privacy )?(policy|statement|notice) (may|might|will|can) (be )?(change|update|modif|amend|revise)",
    );
    let changes: Vec<String> = facts
        .policy
        .clauses()
        .filter(|(_, c)| change.is_match(&c.text))
        .map(|(_, c)| c.id.clone())
        .collect();
    if changes.is_empty() {
        return;
    }
    let notice = pattern(
        r"notif|(we will|we.ll) (let you know|inform|tell|email|e-mail)|prior notice|advance notice|by e-?mail|notice (on|of|to)|prominent",
    );
    let noticed = facts
        .policy
        .clauses()
        .filter(|(_, c)| changes.contains(&c.id))
        .any(|(_, c)| notice.is_match(&c.text));
    if noticed {
        return;
    }
    sink.finding(Draft {
        severity: Severity::Low,
        target: Target::policy(&facts.policy.id),
        message: "the policy may change, and no clause promises to tell the person before or when it does".into(),
        evidence: changes,
        flows: Vec::new(),
        facts: Vec::new(),
    });
}

fn stale_ccpa(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    if !facts.under_ccpa() {
        return;
    }
    let as_of = sink.as_of;
    if !facts.dated {
        sink.finding(Draft {
            severity: Severity::Low,
            target: Target::policy(&facts.policy.id),
            message: "a CCPA policy must say when it was last updated; this one has no date".into(),
            evidence: Vec::new(),
            flows: Vec::new(),
            facts: Vec::new(),
        });
        return;
    }
    if facts.date < as_of.months_before(12) {
        sink.finding(Draft {
            severity: Severity::Medium,
            target: Target::policy(&facts.policy.id),
            message: format!(
                "the policy took effect {}, more than 12 months before {as_of}; the CCPA asks for an update at least once every 12 months",
                facts.date
            ),
            evidence: Vec::new(),
            flows: Vec::new(),
            facts: Vec::new(),
        });
    }
}

fn no_do_not_track(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    if !facts.under("caloppa") && !facts.under_ccpa() {
        return;
    }
    let dnt = pattern(r"do[- ]not[- ]track|\bdnt\b|global privacy control");
    let clauses = facts.clauses_matching(&dnt, &[]);
    if !clauses.is_empty() {
        let honoured = pattern(
            r"(we|will) (honou?r|respond to|respect)|(honou?r|respect)\w* (such |these |dnt |do[- ]not[- ]track )?(signals|requests)",
        );
        let ignores = pattern(
            r"(do not|does not|don.t|not currently|cannot) (honou?r|respond|recogni[sz]e|support)",
        );
        let text: String = facts
            .policy
            .clauses()
            .filter(|(_, c)| clauses.contains(&c.id))
            .map(|(_, c)| c.text.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        if honoured.is_match(&text) && !ignores.is_match(&text) {
            sink.point_with(PointKind::Good, "honours Do Not Track signals", clauses);
        }
        return;
    }
    sink.finding(Draft {
        severity: Severity::Low,
        target: Target::policy(&facts.policy.id),
        message: "the policy does not say how it responds to Do Not Track signals".into(),
        evidence: Vec::new(),
        flows: Vec::new(),
        facts: Vec::new(),
    });
}

fn children(facts: &PolicyFacts, _: &Checklists, sink: &mut Sink) {
    let young = pattern(r"\bchild(ren)?\b|\bminors?\b|under (the age of )?(13|16|18)\b|\bkids\b");
    let from_children: Vec<&FlowRef> = facts
        .positive()
        .filter(|f| {
            f.flow.source.iter().any(|s| young.is_match(s))
                || f.flow.data.iter().any(|d| young.is_match(d))
        })
        .collect();
    if !from_children.is_empty() {
        sink.finding(Draft {
            severity: Severity::High,
            target: Target::policy(&facts.policy.id),
            message: format!(
                "{} collect data from or about children; check parental consent and the stricter rules for minors",
                count_flows(from_children.len(), "says it may", "say they may")
            ),
            evidence: evidence_of(from_children.iter().map(|f| f.flow)),
            flows: flow_targets(&from_children),
            facts: Vec::new(),
        });
        return;
    }
    let negatives: Vec<&FlowRef> = facts
        .flows
        .iter()
        .filter(|f| {
            !f.is_positive()
                && (f.flow.source.iter().any(|s| young.is_match(s))
                    || f.flow.data.iter().any(|d| young.is_match(d)))
        })
        .collect();
    if !negatives.is_empty() {
        sink.point_with(
            PointKind::Good,
            "says it does not collect data from children",
            evidence_of(negatives.iter().map(|f| f.flow)),
        );
        return;
    }
    if facts.clauses_matching(&young, &[]).is_empty() {
        sink.finding(Draft {
            severity: Severity::Info,
            target: Target::policy(&facts.policy.id),
            message: "the policy says nothing about children".into(),
            evidence: Vec::new(),
            flows: Vec::new(),
            facts: Vec::new(),
        });
    }
}
