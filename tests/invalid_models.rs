//! Every file in `tests/invalid_models/` is a broken model; its `.expected`
//! file holds the exact errors (`file:line:column: error: message`) qualm
//! must give for it. A new case is a pair of files, no code.

use std::fs;
use std::path::{Path, PathBuf};

use qualm::model;

fn errors_for(path: &Path) -> Vec<String> {
    let corpus = model::load(&[path.to_path_buf()]);
    assert!(corpus
        .policies
        .iter()
        .all(|p| p.path != path || corpus.error_count() > 0));
    corpus
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn each_invalid_model_gives_its_exact_error() {
    let dir = PathBuf::from("tests/invalid_models");
    let mut cases = 0;
    let mut failures = Vec::new();
    for path in model::load::model_files_in(&dir).unwrap() {
        cases += 1;
        let expected_path = path.with_extension("expected");
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no .expected file", path.display()));
        let expected: Vec<String> = expected.lines().map(str::to_string).collect();
        let actual = errors_for(&path);
        if actual != expected {
            failures.push(format!(
                "{}\n  expected: {expected:#?}\n  actual:   {actual:#?}",
                path.display()
            ));
        }
    }
    assert!(cases >= 20, "only {cases} invalid models");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let file = fs::File::create(&path).unwrap();
    file.set_len(17 * 1024 * 1024).unwrap();
    let errors = errors_for(&path);
    assert_eq!(
        errors,
        [format!(
            "{}: error: file is 17.0 MiB, larger than the 16 MiB a model may be",
            path.display()
        )]
    );
}

#[test]
fn a_broken_model_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    fs::copy(
        "tests/invalid_models/dangling-evidence.yaml",
        dir.path().join("dangling-evidence.yaml"),
    )
    .unwrap();
    let corpus = model::load(&[dir.path().to_path_buf()]);
    let errors: Vec<_> = corpus.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].to_string().ends_with(
        "dangling-evidence.yaml:20:29: error: evidence `intro.9` names no clause of this policy"
    ));
    let shipped = model::load(&[PathBuf::from("policies")]);
    assert_eq!(corpus.policies.len(), shipped.policies.len());
}
