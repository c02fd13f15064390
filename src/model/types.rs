//! The in-memory policy model: what a model file says, after loading and
//! normalisation. These types are also the `qualm export` format, so their
//! field names are a public contract for scripts.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::shared;

/// The document shape of a model file (`policies/<id>.yaml`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub schema: u32,
    pub policy: PolicyHeader,
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub contexts: Vec<Context>,
}

/// The `policy:` block of a model file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyHeader {
    pub id: String,
    pub organization: String,
    pub title: String,
    #[serde(default, deserialize_with = "scalar_string")]
    #[schemars(with = "Option<Scalar>")]
    pub effective: Option<String>,
    #[serde(default, deserialize_with = "scalar_string")]
    #[schemars(with = "Option<Scalar>")]
    pub version: Option<String>,
    #[serde(default)]
    pub supersedes: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    /// Ids of flows removed by qualm's edits: never given to a new flow,
    /// so a note on a removed flow never lands on another one.
    #[serde(default)]
    pub retired_flow_ids: Vec<String>,
}

/// One policy, flattened: the header fields beside its sections and contexts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub organization: String,
    pub title: String,
    pub effective: Option<String>,
    pub version: Option<String>,
    pub supersedes: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub jurisdictions: Vec<String>,
    /// Ids of removed flows, never given to a new flow (see `PolicyHeader`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_flow_ids: Vec<String>,
    pub sections: Vec<Section>,
    pub contexts: Vec<Context>,
}

impl From<ModelFile> for Policy {
    fn from(file: ModelFile) -> Self {
        let h = file.policy;
        Policy {
            id: h.id,
            organization: h.organization,
            title: h.title,
            effective: h.effective,
            version: h.version,
            supersedes: h.supersedes,
            source: h.source,
            url: h.url,
            jurisdictions: h.jurisdictions,
            retired_flow_ids: h.retired_flow_ids,
            sections: file.sections,
            contexts: file.contexts,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    #[serde(default)]
    pub heading: String,
    #[serde(default)]
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    pub id: String,
    #[serde(deserialize_with = "shared::text")]
    pub text: Arc<str>,
    #[serde(default, deserialize_with = "shared::list")]
    pub topics: Vec<Arc<str>>,
    /// What kind of text this is when it is not a statement of practice:
    /// a clause that defines terms (a statutory category definition) or
    /// gives examples is cited, but never read as something the
    /// organisation does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<ClauseRole>,
}

/// Text that is part of the policy but states no practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClauseRole {
    /// Defines terms ("'Personal information' means ... including ...").
    Definition,
    /// Illustrates a term with examples, not a list of what is collected.
    Example,
}

/// A situation in which data is collected; contexts nest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    pub id: String,
    pub name: String,
    #[serde(default, deserialize_with = "shared::list")]
    pub evidence: Vec<Arc<str>>,
    #[serde(default)]
    pub flows: Vec<Flow>,
    #[serde(default)]
    pub contexts: Vec<Context>,
}

impl Context {
    /// The ids of the clauses this context cites: its own evidence, then
    /// each of its flows' in order (not those of the contexts under it).
    pub fn evidence_ids(&self) -> impl Iterator<Item = &str> {
        self.evidence
            .iter()
            .map(|id| &**id)
            .chain(self.flows.iter().flat_map(Flow::evidence_ids))
    }
}

/// Which data, for what, on which basis, to whom, for how long, and what the
/// policy says happens if it is withheld. Labels keep the policy's wording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Unique in the policy and kept forever, so notes can target a flow
    /// whatever is added or removed around it. Filled in at load time
    /// (`<context>.<n>`) when the file has none.
    #[serde(default, deserialize_with = "shared::optional")]
    pub id: Option<Arc<str>>,
    #[serde(default, deserialize_with = "shared::list")]
    pub data: Vec<Arc<str>>,
    #[serde(default, deserialize_with = "shared::list")]
    pub purposes: Vec<Arc<str>>,
    #[serde(default, deserialize_with = "shared::list")]
    pub basis: Vec<Arc<str>>,
    #[serde(default, deserialize_with = "shared::list")]
    pub source: Vec<Arc<str>>,
    #[serde(default, deserialize_with = "shared::list")]
    pub recipients: Vec<Arc<str>>,
    #[serde(default, deserialize_with = "shared::optional")]
    pub retention: Option<Arc<str>>,
    /// Filled in at load time when the model leaves it out, so every flow
    /// has a class and silence is explicit.
    #[serde(default)]
    pub retention_class: Option<RetentionClass>,
    #[serde(default, deserialize_with = "shared::optional")]
    pub if_withheld: Option<Arc<str>>,
    /// What the statement says is done with the data. Filled in at load
    /// time when the model leaves it out: `share` when the flow names
    /// recipients, else `collect`.
    #[serde(default)]
    pub action: Option<Action>,
    /// `false` for a negative statement such as "we do not sell".
    #[serde(default = "yes")]
    pub does: bool,
    /// How far a negative statement reaches. Filled in at load time for
    /// negatives (`context`: its own context and those under it); always
    /// empty on a positive statement.
    #[serde(default)]
    pub scope: Option<Scope>,
    /// Words that limit the statement, kept as the policy words them:
    /// "knowingly", "typically", "except as disclosed above".
    #[serde(default, deserialize_with = "shared::optional")]
    pub qualifier: Option<Arc<str>>,
    /// Whether the person can refuse or stop this flow, as the policy says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<Choice>,
    /// A draft made by `qualm import` from the text, not yet confirmed by
    /// an analyst; views show it apart and `qualm check` counts it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub suggested: bool,
    #[serde(default, deserialize_with = "shared::list")]
    pub evidence: Vec<Arc<str>>,
}

fn yes() -> bool {
    true
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Flow {
    /// The action a flow states when its model does not name one.
    pub fn inferred_action(&self) -> Action {
        if self.recipients.is_empty() {
            Action::Collect
        } else {
            Action::Share
        }
    }

    /// The action, explicit or inferred.
    pub fn action(&self) -> Action {
        self.action.unwrap_or_else(|| self.inferred_action())
    }

    /// The reach of a negative statement (`None` for a positive one).
    pub fn scope(&self) -> Option<Scope> {
        (!self.does).then(|| self.scope.unwrap_or(Scope::Context))
    }

    /// Every clause id the flow cites: its evidence, then its choice's.
    pub fn evidence_ids(&self) -> impl Iterator<Item = &str> {
        self.evidence
            .iter()
            .chain(self.choice.iter().flat_map(|c| &c.evidence))
            .map(|id| &**id)
    }
}

/// What a flow states is done with the data. "We do not sell" is a
/// negative `sell`, which says nothing about sharing.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Collect,
    Use,
    Share,
    Sell,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::Collect, Action::Use, Action::Share, Action::Sell];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Collect => "collect",
            Action::Use => "use",
            Action::Share => "share",
            Action::Sell => "sell",
        }
    }

    /// The past participle a matrix cell or a card reads: "sold", "not sold".
    pub fn done(self) -> &'static str {
        match self {
            Action::Collect => "collected",
            Action::Use => "used",
            Action::Share => "shared",
            Action::Sell => "sold",
        }
    }
}

/// How far a negative statement reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Its own context and the contexts under it (the default).
    Context,
    /// The whole policy.
    Policy,
}

/// The choice a policy offers (or denies) over a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub kind: ChoiceKind,
    /// How, as the policy words it ("the unsubscribe link in each email").
    #[serde(
        default,
        deserialize_with = "shared::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub how: Option<Arc<str>>,
    /// The clauses that say so.
    #[serde(default, deserialize_with = "shared::list")]
    pub evidence: Vec<Arc<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChoiceKind {
    /// The person may opt out (unsubscribe, object, turn off).
    OptOut,
    /// The flow happens only if the person opts in.
    OptIn,
    /// The policy says the person cannot opt out ("you may not opt out of
    /// receiving information regarding the security of the service").
    None,
}

impl ChoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChoiceKind::OptOut => "opt-out",
            ChoiceKind::OptIn => "opt-in",
            ChoiceKind::None => "no choice",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RetentionClass {
    StatedPeriod,
    Limited,
    Indefinitely,
    Unspecified,
}

impl RetentionClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionClass::StatedPeriod => "stated period",
            RetentionClass::Limited => "limited, no period",
            RetentionClass::Indefinitely => "indefinitely",
            RetentionClass::Unspecified => "unspecified",
        }
    }

    /// Classifies a retention statement the model did not classify itself.
    pub fn infer(retention: Option<&str>) -> RetentionClass {
        let Some(text) = retention.map(str::to_lowercase) else {
            return RetentionClass::Unspecified;
        };
        if text.trim().is_empty() || text.trim() == "unspecified" {
            return RetentionClass::Unspecified;
        }
        if text.contains("indefinite") || text.contains("permanent") {
            return RetentionClass::Indefinitely;
        }
        let has_number = text.chars().any(|c| c.is_ascii_digit())
            || ["one ", "two ", "three ", "six ", "twelve ", "ten "]
                .iter()
                .any(|w| text.contains(w));
        let has_unit = ["day", "week", "month", "year"]
            .iter()
            .any(|u| text.contains(u));
        if has_number && has_unit {
            RetentionClass::StatedPeriod
        } else {
            RetentionClass::Limited
        }
    }
}

/// A date or version label as YAML may read it: text, or a number.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum Scalar {
    S(String),
    F(f64),
    I(i64),
}

/// Accepts `2024-06-02`, `2.4` or `"v3"` alike: YAML would read the first two
/// as a date-like string and a float, but they are labels, not numbers.
fn scalar_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(d)?.map(|s| match s {
        Scalar::S(s) => s,
        Scalar::F(f) => f.to_string(),
        Scalar::I(i) => i.to_string(),
    }))
}

impl Policy {
    /// Every clause in document order, with its section.
    pub fn clauses(&self) -> impl Iterator<Item = (&Section, &Clause)> {
        self.sections
            .iter()
            .flat_map(|s| s.clauses.iter().map(move |c| (s, c)))
    }

    /// Where a clause sits: (section index, clause index).
    pub fn clause_position(&self, id: &str) -> Option<(usize, usize)> {
        self.sections
            .iter()
            .enumerate()
            .find_map(|(si, s)| s.clauses.iter().position(|c| c.id == id).map(|ci| (si, ci)))
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses().map(|(_, c)| c).find(|c| c.id == id)
    }

    /// Every context, depth first in document order, with its depth.
    pub fn contexts_flat(&self) -> Vec<(usize, &Context)> {
        fn walk<'a>(out: &mut Vec<(usize, &'a Context)>, list: &'a [Context], depth: usize) {
            for c in list {
                out.push((depth, c));
                walk(out, &c.contexts, depth + 1);
            }
        }
        let mut out = Vec::new();
        walk(&mut out, &self.contexts, 0);
        out
    }

    /// The context at an index path (indices from the top level down).
    pub fn context_at(&self, path: &[usize]) -> &Context {
        let mut list = &self.contexts;
        let mut context = &list[path[0]];
        for &i in &path[1..] {
            list = &context.contexts;
            context = &list[i];
        }
        context
    }

    /// The index path of the context with this id.
    pub fn context_path(&self, id: &str) -> Option<Vec<usize>> {
        fn walk(list: &[Context], id: &str, path: &mut Vec<usize>) -> bool {
            for (i, c) in list.iter().enumerate() {
                path.push(i);
                if c.id == id || walk(&c.contexts, id, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        walk(&self.contexts, id, &mut path).then_some(path)
    }

    /// The effective date, else the version, as the policy's date label.
    pub fn date_label(&self) -> &str {
        self.effective
            .as_deref()
            .or(self.version.as_deref())
            .unwrap_or("undated")
    }
}
