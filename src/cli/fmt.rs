//! `qualm fmt [PATH...] [--check]`: rewrites model files in the canonical
//! layout of `model::write`, so hand edits and tool edits diff cleanly.
//! With `--check` nothing is written: the files not in the layout are
//! listed and the exit code is 1. Comments in a model are not kept.

use std::path::{Path, PathBuf};

use crate::model::types::{ModelFile, Policy};
use crate::model::{load, write};

pub fn run(paths: &[PathBuf], check: bool) -> i32 {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            match load::model_files_in(path) {
                Ok(found) => files.extend(found),
                Err(e) => {
                    eprintln!("{}: error: cannot read folder: {e}", path.display());
                    return 2;
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    let mut errors = 0;
    let mut changed = 0;
    for file in &files {
        match canonical(file) {
            Err(message) => {
                eprintln!("{message}");
                errors += 1;
            }
            Ok((old, new)) if old != new => {
                changed += 1;
                if check {
                    println!("{}: not in the canonical layout", file.display());
                } else if let Err(e) = std::fs::write(file, new) {
                    eprintln!("{}: error: cannot write: {e}", file.display());
                    errors += 1;
                } else {
                    println!("{}: reformatted", file.display());
                }
            }
            Ok(_) => {}
        }
    }
    if errors > 0 {
        1
    } else {
        i32::from(check && changed > 0)
    }
}

/// The file's text and its canonical form, or a positioned error.
fn canonical(file: &Path) -> Result<(String, String), String> {
    let text = load::read_text(file).map_err(|d| d.to_string())?;
    let model: ModelFile =
        serde_yaml::from_str(&text).map_err(|e| load::yaml_error(file, &e).to_string())?;
    let yaml = write::to_yaml(&Policy::from(model));
    Ok((text, yaml))
}
