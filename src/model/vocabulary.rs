//! The shared terms (`policies/vocabulary.yaml`): topics, data categories,
//! purposes, legal bases, transfer mechanisms, recipients, retention classes
//! and concern kinds. Terms form a hierarchy through `broader:` links, and a
//! policy's own label is mapped to a term by rules (exact name, a
//! parenthetical, head words, the names it contains, the hierarchy), never
//! by copying the label in, so labels worded differently by each policy
//! compare as one thing and `qualm vocab` can say why.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The vocabulary shipped with qualm, used when a folder has none.
pub const DEFAULT_VOCABULARY: &str = include_str!("../../policies/vocabulary.yaml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Topics,
    Data,
    Purposes,
    Bases,
    Recipients,
    Retention,
    Concerns,
    /// Transfer mechanisms (Safe Harbor, SCCs, DPF): named in a flow's
    /// `basis`, but not legal bases.
    Mechanisms,
}

const CATEGORIES: usize = 8;

impl Category {
    pub const ALL: [Category; CATEGORIES] = [
        Category::Topics,
        Category::Data,
        Category::Purposes,
        Category::Bases,
        Category::Recipients,
        Category::Retention,
        Category::Concerns,
        Category::Mechanisms,
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
            Category::Mechanisms => "transfer mechanism",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: String,
    pub label: String,
    /// The ids of the terms this one is a kind of, in the same category:
    /// `email` has `contact-identifiers`, `salesforce` has `crm-providers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broader: Vec<String>,
    /// For named recipients: the kind of service (crm, analytics, ...).
    /// Only named vendors carry one; the kinds themselves are terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// For named recipients: where the vendor has its headquarters (ISO 3166).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// For data categories: the CCPA category, the letter of Cal. Civ. Code
    /// 1798.140(v)(1) (A-K), or L for sensitive personal information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccpa: Option<String>,
    /// For data categories: sensitive (GDPR Art. 9, CCPA 1798.140(ae)).
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// A term so wide that a label naming it and something narrower is
    /// about the narrower thing ("Information collected by cookies").
    #[serde(default, skip_serializing_if = "is_false")]
    pub generic: bool,
    /// For transfer mechanisms: the first day it could be relied on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// For transfer mechanisms: the day it stopped being valid (a ruling's
    /// date, as `invalid_from` in checklists.yaml): from that day on,
    /// relying on it is outdated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The document shape of `vocabulary.yaml`; also its JSON Schema.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VocabularyFile {
    schema: u32,
    topics: Vec<Term>,
    data: Vec<Term>,
    purposes: Vec<Term>,
    bases: Vec<Term>,
    #[serde(default)]
    mechanisms: Vec<Term>,
    recipients: Vec<Term>,
    retention: Vec<Term>,
    concerns: Vec<Term>,
}

/// The rule by which a label was mapped to a term, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The label is a name of the term (id, label or synonym).
    Exact,
    /// The label without its "(...)" note, or the note itself when it names
    /// a narrower or a different term ("Consent (continued use ...)").
    Parenthetical,
    /// The words before "of", "from", "that", ... name the term
    /// ("Contact information of the other people ...").
    HeadWords,
    /// The longest name the label contains as words, or the term most of
    /// its named words stand for.
    Contains,
    /// The label lists several terms: the nearest term broader than all
    /// ("Name, email and phone" -> contact identifiers).
    Hierarchy,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::Parenthetical => "parenthetical",
            Rule::HeadWords => "head-words",
            Rule::Contains => "contains",
            Rule::Hierarchy => "hierarchy",
        }
    }
}

/// How a label maps: the term and the rule that found it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mapping<'a> {
    pub term: &'a Term,
    pub rule: Rule,
}

#[derive(Debug, Clone, Default)]
struct Terms {
    terms: Vec<Term>,
    /// Every name (folded words joined by spaces) -> its term.
    names: HashMap<String, usize>,
    ids: HashMap<String, usize>,
    /// Per term, every broader term, nearest first.
    ancestors: Vec<Vec<usize>>,
    /// The most words any name has, which bounds the spans `contains` tries.
    longest: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    categories: [Terms; CATEGORIES],
    /// Labels already mapped, per category: a thousand policies share most
    /// of their wording, and the rules cost more than a hash lookup. Shared
    /// by clones and threads; a clone has the same terms.
    memo: Arc<[Memo; CATEGORIES]>,
}

/// Label -> the term and rule it mapped to, or `None` for no term.
type Memo = RwLock<HashMap<Box<str>, Option<(usize, Rule)>>>;

fn bad(message: String) -> serde_yaml::Error {
    <serde_yaml::Error as serde::de::Error>::custom(message)
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
            (Category::Mechanisms, file.mechanisms),
        ] {
            vocabulary.categories[category as usize] = Terms::new(category, terms)?;
        }
        Ok(vocabulary)
    }

    pub fn builtin() -> Vocabulary {
        Vocabulary::parse(DEFAULT_VOCABULARY).expect("the shipped vocabulary parses")
    }

    fn of(&self, category: Category) -> &Terms {
        &self.categories[category as usize]
    }

    pub fn terms(&self, category: Category) -> &[Term] {
        &self.of(category).terms
    }

    /// The term with this id.
    pub fn term(&self, category: Category, id: &str) -> Option<&Term> {
        let terms = self.of(category);
        terms.ids.get(id).map(|&i| &terms.terms[i])
    }

    /// The term a label stands for, if the rules find one.
    pub fn lookup(&self, category: Category, label: &str) -> Option<&Term> {
        self.map(category, label).map(|m| m.term)
    }

    /// The term a label stands for and the rule that found it. A label that
    /// names a transfer mechanism is no legal basis, whatever words it
    /// shares with one ("Model Contracts" is not a contract).
    pub fn map(&self, category: Category, label: &str) -> Option<Mapping<'_>> {
        let memo = &self.memo[category as usize];
        let known = memo.read().ok().and_then(|m| m.get(label).copied());
        let found = match known {
            Some(found) => found,
            None => {
                let found = self.resolve(category, label);
                if let Ok(mut memo) = memo.write() {
                    memo.insert(label.into(), found);
                }
                found
            }
        };
        let (index, rule) = found?;
        Some(Mapping {
            term: &self.of(category).terms[index],
            rule,
        })
    }

    fn resolve(&self, category: Category, label: &str) -> Option<(usize, Rule)> {
        if category == Category::Bases {
            let mechanism = self.of(Category::Mechanisms).resolve(label);
            if mechanism.is_some_and(|(_, rule)| rule != Rule::Contains && rule != Rule::Hierarchy)
            {
                return None;
            }
        }
        self.of(category).resolve(label)
    }

    /// The term id of a label, or the label itself when unknown, so unknown
    /// labels still compare with themselves.
    pub fn normalize(&self, category: Category, label: &str) -> String {
        self.lookup(category, label)
            .map(|t| t.id.clone())
            .unwrap_or_else(|| normalize_label(label))
    }

    /// Every term broader than `id`, nearest first (empty for an unknown id).
    pub fn ancestors(&self, category: Category, id: &str) -> Vec<&Term> {
        let terms = self.of(category);
        terms
            .ids
            .get(id)
            .map(|&i| {
                terms.ancestors[i]
                    .iter()
                    .map(|&a| &terms.terms[a])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The chain up through each term's first broader term: salesforce ->
    /// CRM providers -> service providers -> third parties (without `id`).
    pub fn broader_chain(&self, category: Category, id: &str) -> Vec<&Term> {
        let terms = self.of(category);
        let mut chain = Vec::new();
        let mut at = terms.ids.get(id).copied();
        while let Some(i) = at {
            at = terms.terms[i]
                .broader
                .first()
                .and_then(|b| terms.ids.get(b).copied());
            if let Some(next) = at {
                chain.push(&terms.terms[next]);
            }
        }
        chain
    }

    /// Whether `id` is `ancestor` or a kind of it.
    pub fn is_a(&self, category: Category, id: &str, ancestor: &str) -> bool {
        let terms = self.of(category);
        match (terms.ids.get(id), terms.ids.get(ancestor)) {
            (Some(&i), Some(&a)) => terms.is_a(i, a),
            _ => id == ancestor,
        }
    }

    /// Whether any term names `id` as broader.
    pub fn has_narrower(&self, category: Category, id: &str) -> bool {
        self.terms(category)
            .iter()
            .any(|t| t.broader.iter().any(|b| b == id))
    }
}

impl Terms {
    fn new(category: Category, terms: Vec<Term>) -> Result<Terms, serde_yaml::Error> {
        let mut ids = HashMap::new();
        for (i, term) in terms.iter().enumerate() {
            if ids.insert(term.id.clone(), i).is_some() {
                return Err(bad(format!(
                    "the {} `{}` is defined twice",
                    category.name(),
                    term.id
                )));
            }
        }
        let mut names = HashMap::new();
        let mut longest = 0;
        for (i, term) in terms.iter().enumerate() {
            for name in [&term.id, &term.label].into_iter().chain(&term.synonyms) {
                let words = words(name);
                if words.is_empty() {
                    continue;
                }
                longest = longest.max(words.len());
                let key = join(&words);
                // The first term to claim a name keeps it; a test keeps the
                // shipped vocabulary free of such clashes.
                names.entry(key).or_insert(i);
            }
        }
        let mut ancestors = Vec::with_capacity(terms.len());
        for (i, term) in terms.iter().enumerate() {
            let mut found: Vec<usize> = Vec::new();
            let mut queue: Vec<&str> = term.broader.iter().map(String::as_str).collect();
            let mut next = 0;
            while next < queue.len() {
                let id = queue[next];
                next += 1;
                let Some(&a) = ids.get(id) else {
                    return Err(bad(format!(
                        "the {} `{}` has broader `{id}`, which is no {} of the vocabulary",
                        category.name(),
                        term.id,
                        category.name()
                    )));
                };
                if a == i {
                    return Err(bad(format!(
                        "the {} `{}` is broader than itself (a cycle of `broader:` links)",
                        category.name(),
                        term.id
                    )));
                }
                if !found.contains(&a) {
                    found.push(a);
                    queue.extend(terms[a].broader.iter().map(String::as_str));
                }
            }
            ancestors.push(found);
        }
        Ok(Terms {
            terms,
            names,
            ids,
            ancestors,
            longest,
        })
    }

    fn is_a(&self, term: usize, ancestor: usize) -> bool {
        term == ancestor || self.ancestors[term].contains(&ancestor)
    }

    fn name(&self, words: &[Word]) -> Option<usize> {
        if words.is_empty() {
            return None;
        }
        self.names.get(&join(words)).copied()
    }

    /// The rules in order: exact, parenthetical, then those on the words.
    fn resolve(&self, label: &str) -> Option<(usize, Rule)> {
        let all = words(label);
        if let Some(i) = self.name(&all) {
            return Some((i, Rule::Exact));
        }
        if let Some((outer, inner)) = split_parenthetical(label) {
            let outer = self.core(&words(&outer)).map(|(i, _)| i);
            let inner = self.note(&words(inner));
            let chosen = match (outer, inner) {
                (Some(o), Some(i)) => Some(self.settle(o, i)),
                (o, i) => o.or(i),
            };
            if let Some(chosen) = chosen {
                return Some((chosen, Rule::Parenthetical));
            }
        }
        self.core(&all)
    }

    /// A label's term `outer` and its note's term `inner`: the note wins
    /// when it is narrower ("Geographic location (country only)") or names
    /// something else ("Consent (continued use ...)"), except that a named
    /// vendor keeps its name ("AWS (log services)"); a note naming a
    /// broader term only says what the outer is ("Salesforce (CRM)"); a
    /// term under both is meant by both ("Google (Analytics)").
    fn settle(&self, outer: usize, inner: usize) -> usize {
        if self.is_a(outer, inner) {
            return outer;
        }
        if self.is_a(inner, outer) {
            return inner;
        }
        let meet = (0..self.terms.len()).find(|&t| self.is_a(t, outer) && self.is_a(t, inner));
        if let Some(meet) = meet {
            return meet;
        }
        if self.terms[outer].kind.is_some() {
            return outer;
        }
        inner
    }

    /// Exact, head words, then contained names.
    fn core(&self, words: &[Word]) -> Option<(usize, Rule)> {
        if let Some(i) = self.name(words) {
            return Some((i, Rule::Exact));
        }
        let head = self.head(words);
        if let Some(h) = head {
            if !self.terms[h].generic {
                return Some((h, Rule::HeadWords));
            }
        }
        // "In order to ...": that "order" is no order.
        let start = if words.len() > 3 && join(&words[..3]) == "in order to" {
            3
        } else {
            0
        };
        self.contains(&words[start..])
            .map(|(t, rule, _)| (t, rule))
            .or(head.map(|h| (h, Rule::HeadWords)))
    }

    /// The term a "(...)" note names, if it names one from its first words:
    /// a note that gives examples ("e.g. ..."), states a condition ("to the
    /// extent required by law") or describes ("organizations that ...
    /// technical support") names nothing.
    fn note(&self, words: &[Word]) -> Option<usize> {
        if gives_examples(words) {
            return None;
        }
        if let Some(i) = self.name(words) {
            return Some(i);
        }
        if let Some(h) = self.head(words) {
            return Some(h);
        }
        let start = leading(words);
        self.contains(&words[start..])
            .filter(|&(_, _, first)| first == 0)
            .map(|(t, _, _)| t)
    }

    /// The longest name ending the head phrase: the words after leading
    /// determiners and before the first preposition, relative or verb
    /// form. A phrase that turns out to be a list is no head.
    fn head(&self, words: &[Word]) -> Option<usize> {
        let start = leading(words);
        let mut end = start;
        while end < words.len() {
            let w = words[end].text.as_str();
            if (end > start && words[end].list_break) || w == "and" || w == "or" {
                return None;
            }
            if BOUNDARIES.contains(&w) {
                break;
            }
            end += 1;
        }
        (start..end).find_map(|k| self.name(&words[k..end]))
    }

    /// The names a label contains as words, longest first and not
    /// overlapping. One term, or one with only broader terms beside it,
    /// is the answer; a list of several stands for the nearest term broader
    /// than all; else the term most of the matched words belong to.
    /// Also returns where the chosen term is first named.
    fn contains(&self, words: &[Word]) -> Option<(usize, Rule, usize)> {
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        let mut key = String::new();
        for start in 0..words.len() {
            key.clear();
            for len in 1..=self.longest.min(words.len() - start) {
                let word = &words[start + len - 1];
                if len > 1 {
                    if word.list_break {
                        break;
                    }
                    key.push(' ');
                }
                key.push_str(&word.text);
                if let Some(&t) = self.names.get(key.as_str()) {
                    spans.push((start, len, t));
                }
            }
        }
        if spans.is_empty() {
            return None;
        }
        spans.sort_by_key(|&(start, len, _)| (std::cmp::Reverse(len), start));
        let mut used = vec![false; words.len()];
        let mut chosen: Vec<(usize, usize, usize)> = Vec::new();
        for (start, len, t) in spans {
            if used[start..start + len].iter().any(|&u| u) {
                continue;
            }
            used[start..start + len].iter_mut().for_each(|u| *u = true);
            chosen.push((start, len, t));
        }
        chosen.sort_by_key(|&(start, _, _)| start);
        let found: Vec<usize> = {
            let mut seen = HashSet::new();
            chosen
                .iter()
                .map(|&(_, _, t)| t)
                .filter(|t| seen.insert(*t))
                .collect()
        };
        let specific: Vec<usize> = found
            .iter()
            .copied()
            .filter(|&t| !found.iter().any(|&o| o != t && self.is_a(o, t)))
            .collect();
        let first = |t: usize| {
            chosen
                .iter()
                .find(|&&(_, _, c)| c == t || self.is_a(c, t))
                .map_or(0, |&(start, _, _)| start)
        };
        if let [only] = specific[..] {
            return Some((only, Rule::Contains, first(only)));
        }
        if is_list(words, &chosen) {
            let first = specific[0];
            let lowest = std::iter::once(first)
                .chain(self.ancestors[first].iter().copied())
                .find(|&c| specific.iter().all(|&t| self.is_a(t, c)));
            if let Some(lowest) = lowest {
                return Some((lowest, Rule::Hierarchy, chosen[0].0));
            }
        }
        let covered = |t: usize| -> usize {
            chosen
                .iter()
                .filter(|&&(_, _, c)| c == t || self.is_a(t, c))
                .map(|&(_, len, _)| len)
                .sum()
        };
        // `specific` is in order of first mention: ties go to the earliest.
        let best = specific.iter().copied().rev().max_by_key(|&t| covered(t))?;
        Some((best, Rule::Contains, first(best)))
    }
}

/// How many words at the start are determiners and the like.
fn leading(words: &[Word]) -> usize {
    words
        .iter()
        .take_while(|w| LEADING.contains(&w.text.as_str()))
        .count()
}

/// Words skipped before a head phrase.
const LEADING: &[&str] = &[
    "a", "all", "an", "any", "certain", "for", "further", "her", "his", "in", "it", "its", "my",
    "order", "other", "our", "some", "specific", "such", "the", "their", "these", "this", "those",
    "to", "your",
];

/// Words that end a head phrase.
const BOUNDARIES: &[&str] = &[
    "about",
    "apart",
    "are",
    "as",
    "at",
    "based",
    "besides",
    "by",
    "collected",
    "concerning",
    "except",
    "excluding",
    "for",
    "from",
    "if",
    "in",
    "including",
    "is",
    "it",
    "obtained",
    "of",
    "on",
    "prior",
    "provided",
    "received",
    "regarding",
    "related",
    "submitted",
    "such",
    "that",
    "they",
    "through",
    "to",
    "used",
    "via",
    "was",
    "we",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "with",
    "you",
];

/// Words that may stand between the items of a list.
const LIST_GLUE: &[&str] = &["and", "or", "the", "your", "our", "other", "any", "their"];

/// Whether the matched names are items of one list: only commas,
/// conjunctions and determiners between them.
fn is_list(words: &[Word], chosen: &[(usize, usize, usize)]) -> bool {
    chosen.len() > 1
        && chosen.windows(2).all(|pair| {
            let (a, alen, _) = pair[0];
            let (b, _, _) = pair[1];
            let gap = &words[a + alen..b];
            let separated = words[b].list_break
                || gap
                    .iter()
                    .any(|w| w.list_break || w.text == "and" || w.text == "or");
            separated && gap.iter().all(|w| LIST_GLUE.contains(&w.text.as_str()))
        })
}

/// A note that only gives examples ("e.g. ...", "such as ...") says
/// nothing about what the label is.
fn gives_examples(words: &[Word]) -> bool {
    let first = words.first().map(|w| w.text.as_str());
    let second = words.get(1).map(|w| w.text.as_str());
    matches!(
        (first, second),
        (
            Some("eg" | "including" | "like" | "incl" | "where" | "when" | "if" | "unless"),
            _
        ) | (Some("to"), Some("the"))
            | (Some("such"), Some("as"))
            | (Some("for"), Some("example" | "instance"))
    )
}

/// The label without its first "(...)" and what that holds, when both say
/// something.
fn split_parenthetical(label: &str) -> Option<(String, &str)> {
    let open = label.find('(')?;
    let mut depth = 0;
    let mut close = None;
    for (i, c) in label[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let outer = format!("{} {}", &label[..open], &label[close + 1..]);
    let inner = &label[open + 1..close];
    (!outer.trim().is_empty() && !inner.trim().is_empty()).then_some((outer, inner))
}

/// A word of a label as matching sees it: lower case, plural folded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    /// A comma, slash, semicolon or ampersand stands before it.
    list_break: bool,
}

fn join(words: &[Word]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&w.text);
    }
    out
}

/// The words of a label: NFKC, lower case, split at anything but letters
/// and digits; runs of single letters joined ("U.S." is "us"), and plural
/// endings folded so "addresses" matches "address".
fn words(label: &str) -> Vec<Word> {
    let folded: String = if label.is_ascii() {
        label.to_ascii_lowercase()
    } else {
        // Accents dropped: "Resumé" is a resume.
        label
            .nfkd()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .collect::<String>()
            .nfkc()
            .collect()
    };
    let mut raw: Vec<Word> = Vec::new();
    let mut current = String::new();
    let mut pending_break = false;
    let flush = |current: &mut String, pending_break: &mut bool, raw: &mut Vec<Word>| {
        if !current.is_empty() {
            raw.push(Word {
                text: std::mem::take(current),
                list_break: std::mem::take(pending_break),
            });
        }
    };
    for c in folded.chars() {
        if c.is_alphanumeric() {
            current.push(c);
        } else {
            flush(&mut current, &mut pending_break, &mut raw);
            if matches!(c, ',' | ';' | '/' | '&' | '|') {
                pending_break = !raw.is_empty();
            }
        }
    }
    flush(&mut current, &mut pending_break, &mut raw);
    let mut out: Vec<Word> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let single = |w: &Word| w.text.chars().count() == 1;
        let mut j = i + 1;
        while j < raw.len() && single(&raw[i]) && single(&raw[j]) && !raw[j].list_break {
            j += 1;
        }
        if j - i > 1 {
            let text = raw[i..j].iter().map(|w| w.text.as_str()).collect();
            out.push(Word {
                text,
                list_break: raw[i].list_break,
            });
        } else {
            out.push(Word {
                text: singular(&raw[i].text),
                list_break: raw[i].list_break,
            });
        }
        i = j;
    }
    out
}

/// A plural's singular, near enough for matching: both sides are folded
/// alike, so "cookies" and "cookie" meet at "cooky".
fn singular(word: &str) -> String {
    if word.len() <= 3 || !word.is_ascii() {
        return word.to_string();
    }
    // "parties" and "party" meet at "party", "cookies" and "cookie" at "cooky".
    if let Some(stem) = word.strip_suffix("ies").or_else(|| word.strip_suffix("ie")) {
        return format!("{stem}y");
    }
    for ending in ["sses", "xes", "ches", "shes"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_string();
        }
    }
    if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(label: &str) -> Vec<String> {
        words(label).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn words_fold_case_plurals_accents_and_initials() {
        assert_eq!(texts("Postal Addresses"), ["postal", "address"]);
        assert_eq!(texts("Resumé"), ["resume"]);
        assert_eq!(
            texts("EU-U.S. Data Privacy Framework"),
            ["eu", "us", "data", "privacy", "framework"]
        );
        assert_eq!(texts("Cookies"), texts("cookie"));
        let list = words("Name, email");
        assert!(list[1].list_break && !list[0].list_break);
    }

    #[test]
    fn a_parenthetical_splits_off_whole() {
        assert_eq!(
            split_parenthetical("Consent (Art. 6(1)(a)) given"),
            Some((String::from("Consent   given"), "Art. 6(1)(a)"))
        );
        assert_eq!(split_parenthetical("(only a note)"), None);
        assert_eq!(split_parenthetical("no note"), None);
    }

    #[test]
    fn the_shipped_vocabulary_loads_with_its_hierarchy() {
        let v = Vocabulary::builtin();
        assert_eq!(v.terms(Category::Topics).len(), 10);
        assert!(v.is_a(Category::Recipients, "google-analytics", "google"));
        assert!(v.has_narrower(Category::Data, "contact-identifiers"));
        assert!(!v.has_narrower(Category::Data, "email"));
    }
}
