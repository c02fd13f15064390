//! Writes a synthetic folder of policy models for benchmarks and tests:
//!
//! ```sh
//! cargo run --release --example corpus -- --policies 1000 --out DIR [--seed N] [--seeds policies]
//! ```
//!
//! Each model recombines and perturbs the seed policies (`policies/` by
//! default): a base policy's first sections and the contexts citing them,
//! plus sections (and the
//! contexts citing them) borrowed from others until it holds 60–180
//! clauses; its organisation's name in place of the seed's; vendors swapped
//! for others; some phrases reworded, numbers changed and sentences
//! dropped. Every fifth policy gets a review file with a few notes. Output
//! depends only on the seed, and every model loads without errors.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use qualm::model::{self, Category, Clause, Context, Flow, Policy, Section, Vocabulary};
use serde::Serialize;

/// xorshift64*: small, fast, deterministic; plenty for shuffling text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
}

const FIRST: &[&str] = &[
    "Northwind",
    "Contoso",
    "Brightline",
    "Fabrikam",
    "Lumen",
    "Orbital",
    "Cedar",
    "Halcyon",
    "Vireo",
    "Tandem",
    "Quanta",
    "Meridian",
    "Solace",
    "Kestrel",
    "Juniper",
    "Arbor",
    "Nimbus",
    "Helix",
    "Polaris",
    "Saffron",
    "Tessera",
    "Umbra",
    "Zephyr",
    "Bramble",
    "Cobalt",
    "Dorado",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Ivory",
    "Jasper",
    "Kinetic",
    "Larch",
    "Mosaic",
    "Nordlys",
    "Østfold",
    "Société Générale de Données",
    "Zürich Analytik",
    "Łódź Systems",
];
const SECOND: &[&str] = &[
    "Analytics",
    "Cloud",
    "Health",
    "Labs",
    "Software",
    "Systems",
    "Networks",
    "Media",
    "Retail",
    "Logistics",
    "Payments",
    "Learning",
    "Mobility",
    "Security",
    "Games",
];
const FORM: &[&str] = &["Ltd.", "Inc.", "GmbH", "AB", "S.A.", "LLC", "B.V.", "plc"];

/// Names the seed policies use for their own organisation, longest first.
const SEED_ORGS: &[&str] = &[
    "QualiSystems Ltd.",
    "Qualisys AB",
    "Qualys, Inc.",
    "Qualer, Inc.",
    "QualiSystems",
    "Qualisys",
    "Qualys",
    "Qualer",
    "Quali",
];

/// Vendors the seeds name, and the pool they are swapped with.
const SEED_VENDORS: &[&str] = &[
    "Salesforce",
    "SalesForce",
    "HubSpot",
    "Appollo",
    "Zendesk",
    "Zoom",
    "OKTA",
    "AWS",
    "FreshDesk",
    "PostHog",
    "Nicereply",
    "MatrixLMS",
    "Opsgeneie",
    "Superset",
];
const VENDORS: &[&str] = &[
    "Salesforce",
    "HubSpot",
    "Marketo",
    "Pipedrive",
    "Intercom",
    "Zendesk",
    "Freshworks",
    "Mailchimp",
    "Segment",
    "Mixpanel",
    "Amplitude",
    "Stripe",
    "Adyen",
    "Twilio",
    "SendGrid",
    "Okta",
    "Auth0",
    "Datadog",
    "Sentry",
    "Snowflake",
    "Google Analytics",
    "Hotjar",
    "Workday",
    "Greenhouse",
    "Gong",
    "Outreach",
    "Zoom",
    "Webex",
    "Microsoft Azure",
    "Amazon Web Services",
];

/// Wordings a policy may use instead of another.
const REWORDINGS: &[(&str, &str)] = &[
    ("personal information", "personal data"),
    ("personal data", "personal information"),
    ("we collect", "we gather"),
    ("third parties", "third-party partners"),
    ("service providers", "vendors"),
    ("in order to", "to"),
    ("we may", "we might"),
    ("retain", "keep"),
    ("delete", "erase"),
    ("website", "site"),
    ("cookies", "cookies and similar technologies"),
    ("you", "you, the user,"),
];

const CONCERNS: &[&str] = &[
    "vague-language",
    "retention-unspecified",
    "unnamed-recipients",
    "sale-or-sharing",
    "legal-basis",
    "international-transfer",
    "rights-gap",
    "security",
    "over-collection",
    "other",
];
const SEVERITIES: &[&str] = &["info", "low", "medium", "high", "critical"];
const STATUSES: &[&str] = &["open", "open", "open", "resolved", "accepted", "dismissed"];
const AUTHORS: &[&str] = &["alice", "bob", "chen", "dana", "émile"];
const BODIES: &[&str] = &[
    "No period is given.",
    "Which third parties? The policy does not name them.",
    "The legal basis is not stated for this purpose.",
    "Transfers outside the EEA without a named mechanism.",
    "Vague: \"as long as necessary\" says nothing.",
    "Compare with last year's version; this used to be narrower.",
    "Does this cover children under 13?",
];

struct Args {
    policies: usize,
    out: PathBuf,
    seed: u64,
    seeds: PathBuf,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        policies: 1000,
        out: PathBuf::from("target/bench-corpus"),
        seed: 1,
        seeds: Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--policies" => args.policies = value()?.parse().map_err(|e| format!("{e}"))?,
            "--out" => args.out = PathBuf::from(value()?),
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("{e}"))?,
            "--seeds" => args.seeds = PathBuf::from(value()?),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(args)
}

#[allow(dead_code)] // main is unused when tests include this file
fn main() {
    let args = match args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("corpus: {e}\nusage: corpus --policies N --out DIR [--seed N] [--seeds DIR]");
            std::process::exit(2);
        }
    };
    match generate(&args.seeds, &args.out, args.policies, args.seed) {
        Ok(bytes) => println!(
            "wrote {} policies ({:.1} MB) to {}",
            args.policies,
            bytes as f64 / 1e6,
            args.out.display()
        ),
        Err(e) => {
            eprintln!("corpus: {e}");
            std::process::exit(1);
        }
    }
}

/// Writes `count` models (and some review files) into `out`, from the seed
/// models in `seeds`; returns the bytes written.
pub fn generate(seeds: &Path, out: &Path, count: usize, seed: u64) -> std::io::Result<u64> {
    let corpus = model::load(&[seeds.to_path_buf()]);
    let seeds: Vec<&Policy> = corpus.policies.iter().map(|p| &p.policy).collect();
    assert!(!seeds.is_empty(), "no seed policies in {}", seeds.len());
    std::fs::create_dir_all(out)?;
    let mut written = 0u64;
    let vocabulary = seeds_vocabulary(&corpus);
    if let Some(text) = vocabulary {
        std::fs::write(out.join(model::load::VOCABULARY_FILE), &text)?;
        written += text.len() as u64;
    }
    for n in 0..count {
        let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0x0100_0000_01B3) ^ 0xA5A5);
        let policy = synthesize(&seeds, &corpus.vocabulary, n, &mut rng);
        let text = model_yaml(&policy);
        std::fs::write(out.join(format!("{}.yaml", policy.id)), &text)?;
        written += text.len() as u64;
        if n % 5 == 0 {
            let review = review_yaml(&policy, &mut rng);
            std::fs::write(out.join(format!("{}.review.yaml", policy.id)), &review)?;
            written += review.len() as u64;
        }
    }
    Ok(written)
}

fn seeds_vocabulary(corpus: &model::Corpus) -> Option<String> {
    let dir = corpus.policies.first()?.path.parent()?.to_path_buf();
    std::fs::read_to_string(dir.join(model::load::VOCABULARY_FILE)).ok()
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// One synthetic policy.
fn synthesize(seeds: &[&Policy], vocabulary: &Vocabulary, n: usize, rng: &mut Rng) -> Policy {
    let organization = format!(
        "{} {} {}",
        rng.pick(FIRST),
        rng.pick(SECOND),
        rng.pick(FORM)
    );
    let short = organization.split(' ').next().unwrap_or("We").to_string();
    let id = format!("{}-{n:04}", slug(&organization));
    let vendors: HashMap<&str, &str> = SEED_VENDORS
        .iter()
        .map(|&v| {
            (
                v,
                if rng.chance(30) {
                    v
                } else {
                    *rng.pick(VENDORS)
                },
            )
        })
        .collect();
    let mut perturb = Perturb {
        rng,
        vocabulary,
        organization: &organization,
        short: &short,
        vendors: &vendors,
    };
    let base = seeds[perturb.rng.below(seeds.len())];
    let target = 60 + perturb.rng.below(121);
    // The base's first sections, as many as reach the target.
    let mut base_end = 0;
    let mut base_clauses = 0;
    while base_end < base.sections.len() && base_clauses < target {
        base_clauses += base.sections[base_end].clauses.len();
        base_end += 1;
    }
    let mut sections: Vec<Section> = Vec::new();
    let mut contexts: Vec<Context> = Vec::new();
    let mut borrowed = 0;
    take(
        base,
        0..base_end,
        "",
        &mut perturb,
        &mut sections,
        &mut contexts,
    );
    let clause_count = |s: &[Section]| s.iter().map(|s| s.clauses.len()).sum::<usize>();
    while clause_count(&sections) < target && borrowed < 40 {
        borrowed += 1;
        let other = seeds[perturb.rng.below(seeds.len())];
        if other.sections.is_empty() {
            continue;
        }
        let from = perturb.rng.below(other.sections.len());
        let to = from + 1;
        let room = target.saturating_sub(clause_count(&sections)) + 30;
        if other.sections[from].clauses.len() > room {
            continue;
        }
        take(
            other,
            from..to,
            &format!("-b{borrowed}"),
            &mut perturb,
            &mut sections,
            &mut contexts,
        );
    }
    let year = 2015 + perturb.rng.below(11);
    Policy {
        id,
        organization: organization.clone(),
        title: format!("{short} Privacy Policy"),
        effective: Some(format!(
            "{year}-{:02}-{:02}",
            1 + perturb.rng.below(12),
            1 + perturb.rng.below(28)
        )),
        version: None,
        supersedes: None,
        source: None,
        url: None,
        jurisdictions: base.jurisdictions.clone(),
        retired_flow_ids: Vec::new(),
        sections,
        contexts,
    }
}

/// Copies `range` of a seed's sections, perturbed, with ids suffixed, and
/// the seed's contexts as far as they cite what was copied.
fn take(
    seed: &Policy,
    range: std::ops::Range<usize>,
    suffix: &str,
    p: &mut Perturb,
    sections: &mut Vec<Section>,
    contexts: &mut Vec<Context>,
) {
    let mut ids = HashMap::new();
    for section in &seed.sections[range] {
        let clauses: Vec<Clause> = section
            .clauses
            .iter()
            .map(|c| {
                let id = format!("{}{suffix}", c.id);
                ids.insert(c.id.clone(), id.clone());
                Clause {
                    id,
                    text: p.text(&c.text).into(),
                    topics: c.topics.clone(),
                    role: c.role,
                }
            })
            .collect();
        sections.push(Section {
            id: format!("{}{suffix}", section.id),
            heading: p.text(&section.heading),
            clauses,
        });
    }
    for context in &seed.contexts {
        if let Some(c) = p.context(context, &ids, suffix) {
            contexts.push(c);
        }
    }
}

struct Perturb<'a> {
    rng: &'a mut Rng,
    vocabulary: &'a Vocabulary,
    organization: &'a str,
    short: &'a str,
    vendors: &'a HashMap<&'static str, &'static str>,
}

impl Perturb<'_> {
    /// A seed text in this policy's words.
    fn text(&mut self, text: &str) -> String {
        let mut out = text.to_string();
        for (i, org) in SEED_ORGS.iter().enumerate() {
            let name = if i < 4 { self.organization } else { self.short };
            out = replace_word(&out, org, name);
        }
        for (from, to) in self.vendors {
            out = replace_word(&out, from, to);
        }
        for (from, to) in REWORDINGS {
            if self.rng.chance(25) {
                out = replace_word(&out, from, to);
            }
        }
        if self.rng.chance(30) {
            out = self.renumber(&out);
        }
        // Drop a sentence now and then, never the only one.
        let sentences: Vec<&str> = out.split_inclusive(". ").collect();
        if sentences.len() >= 3 && self.rng.chance(15) {
            let drop = self.rng.below(sentences.len());
            out = sentences
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != drop)
                .map(|(_, s)| *s)
                .collect();
        }
        if out.trim().is_empty() {
            text.to_string()
        } else {
            out
        }
    }

    /// Small numbers changed (periods, counts), so texts differ in detail.
    fn renumber(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut digits = String::new();
        let flush = |digits: &mut String, out: &mut String, rng: &mut Rng| {
            if !digits.is_empty() {
                if digits.len() <= 2 {
                    out.push_str(&(1 + rng.below(99)).to_string());
                } else {
                    out.push_str(digits);
                }
                digits.clear();
            }
        };
        for c in text.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                flush(&mut digits, &mut out, self.rng);
                out.push(c);
            }
        }
        flush(&mut digits, &mut out, self.rng);
        out
    }

    /// Recipient labels with this policy's vendors, where the vocabulary
    /// knows the new name (a team keeps its vocabulary up to date, so a
    /// real folder has few unknown labels; the seeds have two).
    fn labels(&mut self, labels: &[Arc<str>]) -> Vec<Arc<str>> {
        labels
            .iter()
            .map(|l| {
                let mut out = l.to_string();
                for (from, to) in self.vendors {
                    out = replace_word(&out, from, to);
                }
                for (i, org) in SEED_ORGS.iter().enumerate() {
                    let name = if i < 4 { self.organization } else { self.short };
                    out = replace_word(&out, org, name);
                }
                let known = self.vocabulary.lookup(Category::Recipients, &out).is_some();
                if known {
                    out.into()
                } else {
                    l.clone()
                }
            })
            .collect()
    }

    /// A seed context with its ids suffixed and its evidence renamed;
    /// evidence outside `ids` is dropped, and so is a flow left without
    /// any, and a context left with nothing.
    fn context(
        &mut self,
        context: &Context,
        ids: &HashMap<String, String>,
        suffix: &str,
    ) -> Option<Context> {
        let rename = |list: &[Arc<str>]| -> Vec<Arc<str>> {
            list.iter()
                .filter_map(|e| ids.get(&**e).map(|id| Arc::from(id.as_str())))
                .collect()
        };
        let flows: Vec<Flow> = context
            .flows
            .iter()
            .filter_map(|f| {
                let evidence = rename(&f.evidence);
                (!evidence.is_empty()).then(|| Flow {
                    id: None,
                    data: f.data.clone(),
                    purposes: f.purposes.clone(),
                    basis: f.basis.clone(),
                    source: f.source.clone(),
                    recipients: self.labels(&f.recipients),
                    retention: f.retention.clone(),
                    retention_class: None,
                    if_withheld: f.if_withheld.clone(),
                    action: f.action,
                    does: f.does,
                    scope: f.scope,
                    qualifier: f.qualifier.clone(),
                    choice: f.choice.clone(),
                    suggested: f.suggested,
                    evidence,
                })
            })
            .collect();
        let children: Vec<Context> = context
            .contexts
            .iter()
            .filter_map(|c| self.context(c, ids, suffix))
            .collect();
        let evidence = rename(&context.evidence);
        if flows.is_empty() && children.is_empty() && evidence.is_empty() {
            return None;
        }
        Some(Context {
            id: format!("{}{suffix}", context.id),
            name: self.text(&context.name),
            evidence,
            flows,
            contexts: children,
        })
    }
}

/// `text` with `from` replaced by `to` where it stands as a whole word.
fn replace_word(text: &str, from: &str, to: &str) -> String {
    if from.is_empty() || !text.contains(from) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        if boundary(before) && boundary(after) {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

/// The model file's shape, for writing.
#[derive(Serialize)]
struct ModelOut<'a> {
    schema: u32,
    policy: HeaderOut<'a>,
    sections: &'a [Section],
    contexts: Vec<ContextOut<'a>>,
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    id: &'a str,
    organization: &'a str,
    title: &'a str,
    effective: &'a Option<String>,
    jurisdictions: &'a [String],
}

/// A context without empty lists and derived fields, as a person writes it.
#[derive(Serialize)]
struct ContextOut<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "<[Arc<str>]>::is_empty")]
    evidence: &'a [Arc<str>],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    flows: Vec<FlowOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contexts: Vec<ContextOut<'a>>,
}

#[derive(Serialize)]
struct FlowOut<'a> {
    data: &'a [Arc<str>],
    #[serde(skip_serializing_if = "<[Arc<str>]>::is_empty")]
    purposes: &'a [Arc<str>],
    #[serde(skip_serializing_if = "<[Arc<str>]>::is_empty")]
    basis: &'a [Arc<str>],
    #[serde(skip_serializing_if = "<[Arc<str>]>::is_empty")]
    source: &'a [Arc<str>],
    #[serde(skip_serializing_if = "<[Arc<str>]>::is_empty")]
    recipients: &'a [Arc<str>],
    #[serde(skip_serializing_if = "Option::is_none")]
    retention: &'a Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    if_withheld: &'a Option<Arc<str>>,
    #[serde(skip_serializing_if = "is_true")]
    does: bool,
    evidence: &'a [Arc<str>],
}

fn is_true(b: &bool) -> bool {
    *b
}

fn context_out(c: &Context) -> ContextOut<'_> {
    ContextOut {
        id: &c.id,
        name: &c.name,
        evidence: &c.evidence,
        flows: c
            .flows
            .iter()
            .map(|f| FlowOut {
                data: &f.data,
                purposes: &f.purposes,
                basis: &f.basis,
                source: &f.source,
                recipients: &f.recipients,
                retention: &f.retention,
                if_withheld: &f.if_withheld,
                does: f.does,
                evidence: &f.evidence,
            })
            .collect(),
        contexts: c.contexts.iter().map(context_out).collect(),
    }
}

fn model_yaml(p: &Policy) -> String {
    let doc = ModelOut {
        schema: 1,
        policy: HeaderOut {
            id: &p.id,
            organization: &p.organization,
            title: &p.title,
            effective: &p.effective,
            jurisdictions: &p.jurisdictions,
        },
        sections: &p.sections,
        contexts: p.contexts.iter().map(context_out).collect(),
    };
    serde_yaml::to_string(&doc).expect("a model serializes")
}

/// A YAML single-quoted scalar.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A review file in the format of the review notes (schema 1), a few notes
/// on clauses (some quoting a span), contexts, sections and the policy.
fn review_yaml(p: &Policy, rng: &mut Rng) -> String {
    let mut out = format!("schema: 1\npolicy: {}\nnotes:\n", p.id);
    let clauses: Vec<&Clause> = p.clauses().map(|(_, c)| c).collect();
    let contexts = p.contexts_flat();
    let mut used = HashSet::new();
    for n in 0..1 + rng.below(4) {
        let id = loop {
            let id: String = (0..6)
                .map(|_| {
                    let v = rng.below(36) as u8;
                    char::from(if v < 10 { b'0' + v } else { b'a' + v - 10 })
                })
                .collect();
            if used.insert(id.clone()) {
                break id;
            }
        };
        let _ = writeln!(out, "- id: {id}\n  target:");
        match rng.below(6) {
            0..=2 if !clauses.is_empty() => {
                let clause = rng.pick(&clauses);
                let _ = writeln!(out, "    clause: {}", clause.id);
                let chars: Vec<char> = clause.text.chars().collect();
                if rng.chance(70) && chars.len() > 40 && !clause.text.contains('\n') {
                    let start = rng.below(chars.len() - 30);
                    let len = 10 + rng.below(20);
                    let quote: String = chars[start..start + len].iter().collect();
                    let before: String = chars[start.saturating_sub(12)..start].iter().collect();
                    let after: String = chars[start + len..(start + len + 12).min(chars.len())]
                        .iter()
                        .collect();
                    let _ = writeln!(out, "    quote: {}", quoted(&quote));
                    if !before.is_empty() {
                        let _ = writeln!(out, "    before: {}", quoted(&before));
                    }
                    if !after.is_empty() {
                        let _ = writeln!(out, "    after: {}", quoted(&after));
                    }
                }
            }
            3 if !contexts.is_empty() => {
                let (_, context) = rng.pick(&contexts);
                let _ = writeln!(out, "    context: {}", context.id);
                if !context.flows.is_empty() && rng.chance(50) {
                    let _ = writeln!(out, "    flow: {}", 1 + rng.below(context.flows.len()));
                }
            }
            4 if !p.sections.is_empty() => {
                let _ = writeln!(out, "    section: {}", rng.pick(&p.sections).id);
            }
            _ => {
                let _ = writeln!(out, "    policy: {}", p.id);
            }
        }
        let day = 1 + n + rng.below(20);
        let when = format!(
            "2026-11-{day:02}T{:02}:{:02}:00Z",
            8 + rng.below(10),
            rng.below(60)
        );
        let _ = writeln!(out, "  kind: {}", rng.pick(CONCERNS));
        let _ = writeln!(out, "  severity: {}", rng.pick(SEVERITIES));
        let _ = writeln!(out, "  status: {}", rng.pick(STATUSES));
        let _ = writeln!(out, "  author: {}", rng.pick(AUTHORS));
        let _ = writeln!(out, "  created: {when}\n  updated: {when}");
        let _ = writeln!(out, "  body: {}", quoted(BODIES[rng.below(BODIES.len())]));
        if rng.chance(30) {
            let _ = writeln!(
                out,
                "  replies:\n  - author: {}\n    created: 2026-11-{:02}T09:00:00Z\n    body: Agreed.",
                rng.pick(AUTHORS),
                day + 1
            );
        }
    }
    out
}
