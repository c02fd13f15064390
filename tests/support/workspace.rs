//! A copy of the shipped policies (models, sources, vocabulary and
//! checklists, no review files) in a temporary folder, as `policies/`, for
//! tests that write notes or run the binary there.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

fn copy_files(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && !path.to_string_lossy().contains(".review.") {
            fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

pub fn copy_policies() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("policies");
    copy_files(Path::new("policies"), &to);
    copy_files(Path::new("policies/sources"), &to.join("sources"));
    dir
}
