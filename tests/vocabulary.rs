//! The vocabulary as a hierarchy: each mapping the model-fidelity audit
//! called wrong (public-forum posts as survey responses, cookie preferences
//! as inferences, portability and linked sites as third parties, orders as
//! account management, combining split in two, implied consent as Art.
//! 6(1)(a) consent, transfer mechanisms as legal bases), the roll-ups the
//! views rely on, the facts terms carry, and `qualm vocab`.

use std::process::Command;

use qualm::model::{vocabulary::Rule, Category, Vocabulary};

fn vocabulary() -> Vocabulary {
    Vocabulary::builtin()
}

fn id(v: &Vocabulary, category: Category, label: &str) -> String {
    v.lookup(category, label)
        .unwrap_or_else(|| panic!("`{label}` maps to no {}", category.name()))
        .id
        .clone()
}

fn chain(v: &Vocabulary, category: Category, term: &str) -> Vec<String> {
    v.broader_chain(category, term)
        .into_iter()
        .map(|t| t.id.clone())
        .collect()
}

#[test]
fn public_forum_posts_are_public_content_not_survey_responses() {
    let v = vocabulary();
    let label = "information you leave in public forums, public reviews or in response to our blog postings on social media";
    assert_eq!(id(&v, Category::Data, label), "public-content");
    assert!(!v.is_a(Category::Data, "public-content", "survey-responses"));
}

#[test]
fn cookie_preferences_are_settings_not_inferences() {
    let v = vocabulary();
    let term = id(&v, Category::Data, "preferences");
    assert_eq!(term, "preferences");
    assert!(!v.is_a(Category::Data, &term, "inferences"));
    // A profile drawn about a person still is one.
    assert_eq!(
        id(&v, Category::Data, "Inferences (drawn from any of the information identified above to create a profile about a consumer)"),
        "inferences"
    );
}

#[test]
fn portability_and_linked_sites_are_not_third_party_recipients() {
    let v = vocabulary();
    for label in [
        "another entity",
        "third party web sites and applications",
        "Third Party Services (third party websites, mobile software applications and products or services not owned or controlled by us)",
    ] {
        let term = id(&v, Category::Recipients, label);
        assert!(
            !v.is_a(Category::Recipients, &term, "third-parties"),
            "`{label}` maps to {term}, a kind of third party"
        );
    }
    assert_eq!(
        id(&v, Category::Recipients, "another entity"),
        "chosen-recipient"
    );
}

#[test]
fn order_and_payment_purposes_are_order_fulfilment_not_account_management() {
    let v = vocabulary();
    for label in [
        "To receive, process, confirm and fulfill your order",
        "To receive, process, confirm and fulfill subscriptions for our services",
        "Managing payments",
        "Payments",
        "Process or collect payments from you",
        "Transports",
        "Delivery information (including notifications and contacts regarding the delivery)",
        "To ensure we have the correct address",
        "Ordering our services",
        "Use a shopping cart",
    ] {
        assert_eq!(
            id(&v, Category::Purposes, label),
            "order-fulfilment",
            "{label}"
        );
    }
    assert!(!v.is_a(Category::Purposes, "order-fulfilment", "account"));
    assert_eq!(
        id(&v, Category::Purposes, "To create an account"),
        "account"
    );
}

#[test]
fn combining_data_is_one_term() {
    let v = vocabulary();
    for label in [
        "Combining",
        "Combining data sets",
        "Combine with personally identifiable information",
        "Combine non-personally information with personal information",
        "combine your Personal Information with other information",
    ] {
        assert_eq!(id(&v, Category::Purposes, label), "combination", "{label}");
    }
    assert!(v.term(Category::Purposes, "data-combination").is_none());
}

#[test]
fn consent_by_continued_use_is_not_art_6_1_a_consent() {
    let v = vocabulary();
    let label = "Consent (continued use of our services after changes were introduced)";
    let term = id(&v, Category::Bases, label);
    assert_eq!(term, "implied-consent");
    assert!(!v.is_a(Category::Bases, &term, "consent"));
    // A note that only limits consent leaves it consent.
    assert_eq!(
        id(
            &v,
            Category::Bases,
            "Consent (to the extent required by applicable laws)"
        ),
        "consent"
    );
}

#[test]
fn transfer_mechanisms_are_not_legal_bases() {
    let v = vocabulary();
    for label in [
        "EU Safe Harbor Privacy Principles (self-certification)",
        "Model Contracts (when requested)",
        "Standard Contractual Clauses",
        "EU-U.S. Data Privacy Framework",
        "Swiss-U.S. Data Privacy Framework",
        "Adequacy Decisions (Article 45 GDPR)",
        "Intra-group agreement",
    ] {
        assert!(
            v.lookup(Category::Bases, label).is_none(),
            "`{label}` maps to a legal basis"
        );
        assert!(
            v.lookup(Category::Mechanisms, label).is_some(),
            "`{label}` maps to no transfer mechanism"
        );
    }
    for mechanism in v.terms(Category::Mechanisms) {
        assert!(v.term(Category::Bases, &mechanism.id).is_none());
    }
}

#[test]
fn salesforce_rolls_up_to_service_providers_and_third_parties() {
    let v = vocabulary();
    let term = id(&v, Category::Recipients, "Salesforce (CRM)");
    assert_eq!(term, "salesforce");
    assert_eq!(
        chain(&v, Category::Recipients, &term),
        ["crm-providers", "service-providers", "third-parties"]
    );
    assert!(v.is_a(Category::Recipients, "salesforce", "service-providers"));
    assert!(v.is_a(Category::Recipients, "salesforce", "third-parties"));
    assert!(!v.is_a(Category::Recipients, "third-parties", "salesforce"));
    let salesforce = v.term(Category::Recipients, "salesforce").unwrap();
    assert_eq!(salesforce.kind.as_deref(), Some("crm"));
    assert_eq!(salesforce.country.as_deref(), Some("US"));
}

#[test]
fn email_rolls_up_to_contact_identifiers_and_personal_information() {
    let v = vocabulary();
    let term = id(&v, Category::Data, "Your e-mail address");
    assert_eq!(term, "email");
    assert_eq!(
        chain(&v, Category::Data, &term),
        ["contact-identifiers", "personal-information"]
    );
    let ancestors: Vec<&str> = v
        .ancestors(Category::Data, "email")
        .into_iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(ancestors, ["contact-identifiers", "personal-information"]);
}

#[test]
fn a_list_of_terms_maps_to_the_nearest_term_broader_than_all() {
    let v = vocabulary();
    let mapping = v
        .map(Category::Data, "Name, email address and phone number")
        .unwrap();
    assert_eq!(mapping.term.id, "contact-identifiers");
    assert_eq!(mapping.rule, Rule::Hierarchy);
}

#[test]
fn each_rule_maps_what_it_should() {
    let v = vocabulary();
    let cases = [
        (Category::Data, "E-mail", "email", Rule::Exact),
        (
            Category::Data,
            "Postal addresses",
            "postal-address",
            Rule::Exact,
        ),
        (
            Category::Recipients,
            "Salesforce (CRM)",
            "salesforce",
            Rule::Parenthetical,
        ),
        (
            Category::Recipients,
            "Google (web analytics)",
            "google-analytics",
            Rule::Parenthetical,
        ),
        (
            Category::Recipients,
            "AWS (log services)",
            "aws",
            Rule::Parenthetical,
        ),
        (
            Category::Data,
            "Geographic location (country only)",
            "region",
            Rule::Parenthetical,
        ),
        (
            Category::Data,
            "Contact information of the other people you want us to contact",
            "contact-identifiers",
            Rule::HeadWords,
        ),
        (
            Category::Data,
            "Information collected by cookies and other tracking technologies",
            "cookies",
            Rule::Contains,
        ),
        (
            Category::Purposes,
            "In order to improve security, analyze failures, administer the Website",
            "security",
            Rule::Contains,
        ),
    ];
    for (category, label, term, rule) in cases {
        let mapping = v
            .map(category, label)
            .unwrap_or_else(|| panic!("`{label}` maps to nothing"));
        assert_eq!(
            (mapping.term.id.as_str(), mapping.rule),
            (term, rule),
            "{label}"
        );
    }
    assert!(v.lookup(Category::Data, "favourite colour").is_none());
}

#[test]
fn terms_carry_ccpa_categories_sensitivity_and_kinds() {
    let v = vocabulary();
    for sensitive in ["health", "biometric", "government-id", "precise-location"] {
        let term = v.term(Category::Data, sensitive).unwrap();
        assert!(term.sensitive, "{sensitive}");
        assert!(term.ccpa.is_some(), "{sensitive}");
    }
    assert!(!v.term(Category::Data, "email").unwrap().sensitive);
    assert_eq!(
        v.term(Category::Data, "email").unwrap().ccpa.as_deref(),
        Some("A")
    );
    for term in v.terms(Category::Data) {
        if let Some(ccpa) = &term.ccpa {
            assert!(
                ccpa.len() == 1 && ("A"..="L").contains(&ccpa.as_str()),
                "{}: ccpa {ccpa}",
                term.id
            );
        }
    }
    // A named vendor has a kind and sits under the kind's term.
    for term in v.terms(Category::Recipients) {
        if term.kind.is_some() {
            assert!(!term.broader.is_empty(), "{} has no broader kind", term.id);
        }
    }
    for purpose in [
        "sale",
        "sharing",
        "advertising",
        "profiling",
        "order-fulfilment",
    ] {
        assert!(v.term(Category::Purposes, purpose).is_some(), "{purpose}");
    }
}

#[test]
fn transfer_mechanisms_carry_their_validity_dates() {
    let v = vocabulary();
    let window = |id: &str| {
        let t = v.term(Category::Mechanisms, id).unwrap();
        (t.valid_from.clone(), t.valid_until.clone())
    };
    assert_eq!(window("safe-harbor").1.as_deref(), Some("2015-10-06"));
    assert_eq!(window("privacy-shield").1.as_deref(), Some("2020-07-16"));
    assert_eq!(
        window("swiss-us-privacy-shield").1.as_deref(),
        Some("2020-09-08")
    );
    assert_eq!(window("model-contracts").1.as_deref(), Some("2022-12-27"));
    assert_eq!(window("dpf"), (Some("2023-07-10".into()), None));
}

#[test]
fn synonyms_are_general_wording_not_copied_policy_phrases() {
    let v = vocabulary();
    for category in Category::ALL {
        for term in v.terms(category) {
            for synonym in &term.synonyms {
                let words = synonym.split_whitespace().count();
                assert!(
                    words <= 6,
                    "{} `{}` has a {words}-word synonym: `{synonym}`",
                    category.name(),
                    term.id
                );
            }
        }
    }
}

#[test]
fn no_name_stands_for_two_terms() {
    let v = vocabulary();
    for category in Category::ALL {
        for term in v.terms(category) {
            for name in [&term.id, &term.label].into_iter().chain(&term.synonyms) {
                let found = v.map(category, name).map(|m| m.term.id.clone());
                assert_eq!(
                    found.as_deref(),
                    Some(term.id.as_str()),
                    "{} name `{name}` of `{}` maps elsewhere",
                    category.name(),
                    term.id
                );
            }
        }
    }
}

#[test]
fn a_broken_hierarchy_is_an_error() {
    let base = "schema: 2\ntopics: []\npurposes: []\nbases: []\nrecipients: []\nretention: []\nconcerns: []\n";
    let unknown = format!("{base}data:\n  - id: email\n    label: Email\n    broader: [nothing]\n");
    let error = Vocabulary::parse(&unknown).unwrap_err().to_string();
    assert!(error.contains("`email` has broader `nothing`"), "{error}");
    let cycle = format!(
        "{base}data:\n  - id: a\n    label: A\n    broader: [b]\n  - id: b\n    label: B\n    broader: [a]\n"
    );
    let error = Vocabulary::parse(&cycle).unwrap_err().to_string();
    assert!(error.contains("cycle"), "{error}");
}

const MODEL: &str = r#"schema: 1
policy:
  id: acme-2024
  organization: Acme Ltd.
  title: Privacy Policy
  effective: 2024-06-02
sections:
  - id: s
    heading: Data
    clauses:
      - id: s.1
        text: We share your email address with Salesforce to send you news and we keep your favourite colour.
contexts:
  - id: news
    name: When you subscribe to news
    flows:
      - data: [Your e-mail address, Favourite colour]
        recipients: [Salesforce (CRM)]
        purposes: [To send newsletters]
        evidence: [s.1]
"#;

fn qualm_vocab(dir: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .arg("vocab")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cli_vocab_shows_term_rule_and_chain_and_lists_the_unmapped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme-2024.yaml"), MODEL).unwrap();
    let all = qualm_vocab(dir.path(), &[]);
    assert_eq!(all["mapped"], 3);
    assert_eq!(all["unmapped"], 1);
    let salesforce = all["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"] == "Salesforce (CRM)")
        .unwrap();
    assert_eq!(salesforce["field"], "recipients");
    assert_eq!(salesforce["term"], "salesforce");
    assert_eq!(salesforce["rule"], "parenthetical");
    assert_eq!(
        salesforce["chain"],
        serde_json::json!(["crm-providers", "service-providers", "third-parties"])
    );
    assert_eq!(salesforce["policies"], serde_json::json!(["acme-2024"]));

    let unmapped = qualm_vocab(dir.path(), &["--unmapped"]);
    let labels: Vec<&str> = unmapped["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Favourite colour"]);
    assert_eq!(unmapped["labels"][0]["term"], serde_json::Value::Null);

    let text = Command::new(env!("CARGO_BIN_EXE_qualm"))
        .arg("vocab")
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Your e-mail address -> email [head-words] < contact-identifiers < personal-information"),
        "{text}"
    );
    assert!(text.contains("Favourite colour -> (unmapped)"), "{text}");
}

/// The lint's mechanism list (checklists.yaml, with patterns and severity)
/// and the vocabulary's (labels, synonyms) both carry validity dates; a
/// ruling changed in one and not the other would make the matrix and the
/// findings disagree, so they must name the same days.
#[test]
fn the_checklists_and_the_vocabulary_date_each_mechanism_alike() {
    let v = vocabulary();
    let checklists = qualm::findings::checklist::Checklists::builtin();
    let mut compared = 0;
    for mechanism in &checklists.mechanisms {
        let term = v
            .terms(Category::Mechanisms)
            .iter()
            .find(|t| {
                mechanism.matches(&t.label) || t.synonyms.iter().any(|s| mechanism.matches(s))
            })
            .unwrap_or_else(|| panic!("{} has no vocabulary term", mechanism.id));
        let day = |d: &Option<qualm::findings::facts::Date>| d.map(|d| d.to_string());
        assert_eq!(
            day(&mechanism.invalid_from),
            term.valid_until,
            "{} / {}",
            mechanism.id,
            term.id
        );
        if let (Some(from), Some(term_from)) = (&mechanism.valid_from, &term.valid_from) {
            assert_eq!(&from.to_string(), term_from, "{}", mechanism.id);
        }
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} mechanisms compared");
}
