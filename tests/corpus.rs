//! The synthetic corpus generator (`examples/corpus.rs`) writes models that
//! load without a single error, the same ones for the same seed, with
//! review files beside some of them.

#[path = "../examples/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::Path;

use qualm::model;

#[test]
fn twenty_generated_policies_load_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    corpus::generate(Path::new("policies"), dir.path(), 20, 7).unwrap();
    let loaded = model::load(&[dir.path().to_path_buf()]);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(loaded.policies.len(), 20);
    for p in &loaded.policies {
        let clauses = p.policy.clauses().count();
        assert!(clauses >= 40, "{}: only {clauses} clauses", p.policy.id);
        assert!(
            !p.policy.contexts.is_empty(),
            "{} has contexts",
            p.policy.id
        );
    }
    let reviews = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with(".review.yaml")
        })
        .count();
    assert_eq!(reviews, 4);
    assert!(dir.path().join("vocabulary.yaml").is_file());
}

#[test]
fn the_same_seed_writes_the_same_corpus() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    corpus::generate(Path::new("policies"), a.path(), 3, 42).unwrap();
    corpus::generate(Path::new("policies"), b.path(), 3, 42).unwrap();
    for entry in std::fs::read_dir(a.path()).unwrap() {
        let name = entry.unwrap().file_name();
        let left = std::fs::read(a.path().join(&name)).unwrap();
        let right = std::fs::read(b.path().join(&name)).unwrap();
        assert!(left == right, "{name:?} differs");
    }
}
