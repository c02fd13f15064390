//! Metadata picked out of a policy's text: the effective date (after "Last
//! updated", "Effective", "Version date" and the like, in the date formats
//! policies use), the version label, the organization (the `(“Company”,
//! “we”, “us”)` pattern, else a name with a company suffix), and the
//! jurisdictions its words point to.

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Metadata {
    pub effective: Option<String>,
    pub version: Option<String>,
    pub organization: Option<String>,
    pub jurisdictions: Vec<String>,
}

/// Words after which a policy states its date.
const DATE_CUES: &[&str] = &[
    "last updated",
    "last modified",
    "last revised",
    "last amended",
    "last edited",
    "last changed",
    "version date",
    "effective date",
    "effective as of",
    "effective",
    "updated on",
    "updated:",
    "revised on",
    "revised:",
    "date of last revision",
    "was last updated",
];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `texts` in document order: headings and clause texts.
pub fn extract<'a>(texts: impl IntoIterator<Item = &'a str>) -> Metadata {
    let texts: Vec<&str> = texts.into_iter().collect();
    let mut meta = Metadata::default();
    for text in &texts {
        let lower = text.to_lowercase();
        if meta.effective.is_none() {
            meta.effective = dated_after_cue(text, &lower);
        }
        if meta.version.is_none() {
            meta.version = version(text, &lower);
        }
        if meta.organization.is_none() {
            meta.organization = organization_we(text);
        }
    }
    if meta.organization.is_none() {
        meta.organization = texts.iter().find_map(|t| organization_suffix(t));
    }
    meta.jurisdictions = jurisdictions(&texts.join("\n"));
    meta
}

fn dated_after_cue(text: &str, lower: &str) -> Option<String> {
    for cue in DATE_CUES {
        let mut from = 0;
        while let Some(at) = lower[from..].find(cue) {
            let start = from + at + cue.len();
            let window: String = lower[start..].chars().take(60).collect();
            if let Some(date) = find_date(&window) {
                return Some(date);
            }
            from = start;
        }
    }
    let _ = text;
    None
}

/// The first date in `text` (lower case), as `YYYY-MM-DD`.
pub fn find_date(text: &str) -> Option<String> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ':' || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .collect();
    for i in 0..tokens.len() {
        let token = tokens[i].trim_end_matches('.');
        // 2024-06-02
        if let Some(d) = iso(token) {
            return Some(d);
        }
        // 1/23/2020 (US order unless the first number cannot be a month), 23.01.2020
        if let Some(d) = numeric(token) {
            return Some(d);
        }
        // June 2, 2024 / June 02 2024 / 2 June 2024 / 2nd of June, 2024
        if let Some(m) = month(token) {
            let after_day = tokens.get(i + 1).and_then(|t| day(t));
            let after_year = tokens.get(i + 2).and_then(|t| year(t));
            if let (Some(d), Some(y)) = (after_day, after_year) {
                return Some(format!("{y:04}-{m:02}-{d:02}"));
            }
            if let Some(day) = i.checked_sub(1).and_then(|j| day(tokens[j])) {
                if let Some(year) = tokens.get(i + 1).and_then(|t| year(t)) {
                    return Some(format!("{year:04}-{m:02}-{day:02}"));
                }
            }
        }
    }
    None
}

fn iso(token: &str) -> Option<String> {
    let parts: Vec<&str> = token.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 {
        return None;
    }
    let y: u32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let d: u32 = parts[2].parse().ok()?;
    valid(y, m, d)
}

fn numeric(token: &str) -> Option<String> {
    let sep = if token.contains('/') { '/' } else { '.' };
    let parts: Vec<&str> = token.split(sep).collect();
    if parts.len() != 3 || parts[2].len() != 4 {
        return None;
    }
    let a: u32 = parts[0].parse().ok()?;
    let b: u32 = parts[1].parse().ok()?;
    let y: u32 = parts[2].parse().ok()?;
    // Dots are European day.month; slashes are US month/day unless the
    // first number is over 12.
    if sep == '.' || a > 12 {
        valid(y, b, a)
    } else {
        valid(y, a, b)
    }
}

fn valid(y: u32, m: u32, d: u32) -> Option<String> {
    ((1990..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn month(token: &str) -> Option<u32> {
    let token = token.trim_end_matches('.');
    if token.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == token || (token.len() <= 4 && m.starts_with(token)))
        .map(|i| i as u32 + 1)
}

fn day(token: &str) -> Option<u32> {
    let digits: String = token.chars().take_while(char::is_ascii_digit).collect();
    let rest = &token[digits.len()..];
    if !matches!(rest, "" | "st" | "nd" | "rd" | "th" | "." | "th.") {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year(token: &str) -> Option<u32> {
    let token = token.trim_end_matches(['.', ';']);
    (token.len() == 4)
        .then(|| token.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

fn version(text: &str, lower: &str) -> Option<String> {
    let at = lower.find("version ")?;
    let rest = &text[at + "version ".len()..];
    let label: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let label = label.trim_end_matches('.');
    (!label.is_empty() && label.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .then(|| label.to_string())
}

/// `Acme Ltd. (“Acme”, “we”, “us”)`: the name before a parenthesis that
/// defines "we".
fn organization_we(text: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = text[from..].find('(') {
        let open = from + at;
        let inside: String = text[open..].chars().take(120).collect();
        let close = inside.find(')').unwrap_or(inside.len());
        let inside_lower = inside[..close].to_lowercase();
        let defines_we = ["“we”", "\"we\"", "'we'", "‘we’"]
            .iter()
            .any(|q| inside_lower.contains(q));
        if defines_we {
            if let Some(name) = name_before(&text[..open]) {
                return Some(name);
            }
        }
        from = open + 1;
    }
    None
}

/// The capitalized words (and company suffixes) just before `end`.
fn name_before(before: &str) -> Option<String> {
    let words: Vec<&str> = before.split_whitespace().collect();
    let mut start = words.len();
    while start > 0 {
        let w = words[start - 1];
        let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
        let capital = bare.chars().next().is_some_and(char::is_uppercase);
        if capital || matches!(bare, "&" | "of" | "and") && start < words.len() {
            start -= 1;
        } else {
            break;
        }
    }
    while start < words.len() && matches!(words[start], "&" | "of" | "and") {
        start += 1;
    }
    let name = words[start..].join(" ");
    let name = name.trim_matches(|c: char| c == ',' || c.is_whitespace());
    (!name.is_empty() && name.chars().count() <= 60).then(|| name.to_string())
}

const SUFFIXES: &[&str] = &[
    "Inc.",
    "Inc",
    "Ltd.",
    "Ltd",
    "LLC",
    "L.L.C.",
    "GmbH",
    "AB",
    "AG",
    "S.A.",
    "SA",
    "B.V.",
    "BV",
    "Corp.",
    "Corporation",
    "Limited",
    "plc",
    "PLC",
    "Co.",
    "SAS",
    "S.r.l.",
    "Pty",
];

/// The first `Name, Inc.`-like run in a text.
fn organization_suffix(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let bare = w.trim_end_matches([',', ';', ':', ')']);
        let bare = if bare.ends_with("..") {
            &bare[..bare.len() - 1]
        } else {
            bare
        };
        if i > 0 && SUFFIXES.contains(&bare) {
            let before = words[..i].join(" ");
            let name = name_before(&before)?;
            let joiner = if words[i - 1].ends_with(',') {
                ", "
            } else {
                " "
            };
            return Some(format!("{name}{joiner}{bare}"));
        }
    }
    None
}

fn jurisdictions(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| contains_word(&lower, w));
    let mut out = Vec::new();
    if has(&[
        "gdpr",
        "general data protection regulation",
        "eea",
        "european economic area",
    ]) {
        out.push("GDPR");
    }
    if has(&["uk gdpr"]) {
        out.push("UK GDPR");
    }
    let dpf = has(&["data privacy framework", "dpf"]);
    if dpf && (has(&["eu-u.s", "eu-us", "eu–u.s", "european union"]) || !has(&["swiss"])) {
        out.push("EU-U.S. DPF");
    }
    if dpf && has(&["swiss"]) {
        out.push("Swiss-U.S. DPF");
    }
    if has(&["privacy shield"]) {
        out.push("Privacy Shield");
    }
    if has(&["safe harbor"]) {
        out.push("Safe Harbor");
    }
    if has(&[
        "ccpa",
        "cpra",
        "california consumer privacy act",
        "california residents",
        "california privacy rights",
    ]) {
        out.push("CCPA");
    }
    if has(&[
        "caloppa",
        "california online privacy protection act",
        "do not track",
    ]) && has(&["california"])
    {
        out.push("CalOPPA");
    }
    out.into_iter().map(String::from).collect()
}

/// `word` in `text` with no letter on either side.
fn contains_word(text: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let start = from + at;
        let end = start + word.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + word.len().max(1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_in_the_formats_policies_use() {
        let date = |t: &str| extract([t]).effective;
        assert_eq!(
            date("Last Updated: June 02, 2024").as_deref(),
            Some("2024-06-02")
        );
        assert_eq!(
            date("Last Updated: 1/23/2020 ").as_deref(),
            Some("2020-01-23")
        );
        assert_eq!(
            date("Version 2.4 – Effective November 9, 2015").as_deref(),
            Some("2015-11-09")
        );
        assert_eq!(
            date("Effective date: 2023-03-01").as_deref(),
            Some("2023-03-01")
        );
        assert_eq!(
            date("Last revised 3 March 2021.").as_deref(),
            Some("2021-03-03")
        );
        assert_eq!(
            date("Version date: 23.01.2020").as_deref(),
            Some("2020-01-23")
        );
        assert_eq!(
            date("Updated on Sept. 5th, 2019").as_deref(),
            Some("2019-09-05")
        );
        assert_eq!(date("We may update this policy."), None);
        assert_eq!(
            extract(["Version 2.4 – Effective November 9, 2015"])
                .version
                .as_deref(),
            Some("2.4")
        );
    }

    #[test]
    fn finds_the_organization_and_jurisdictions() {
        let m = extract(["This policy governs how we QualiSystems Ltd. (“QualiSystems”, “Quali”, “we”, “our” or “us”) use data under the GDPR and the EU-U.S. Data Privacy Framework and the CCPA."]);
        assert_eq!(m.organization.as_deref(), Some("QualiSystems Ltd."));
        assert_eq!(m.jurisdictions, ["GDPR", "EU-U.S. DPF", "CCPA"]);
        let m = extract(["Qualer, Inc. and Qualer organizations respects the privacy"]);
        assert_eq!(m.organization.as_deref(), Some("Qualer, Inc."));
    }
}
