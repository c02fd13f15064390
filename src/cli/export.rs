//! `qualm export`: the loaded, normalized models as JSON or YAML, for scripts.
//! Errors go to stderr and make the exit code 1, but every policy that
//! loaded is still exported.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{emit, Format};
use crate::model::{self, Policy};

/// The export document: `{"policies": [...]}`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub policies: Vec<Policy>,
}

pub fn run(paths: &[PathBuf], format: Format) -> i32 {
    let corpus = model::load(paths);
    for d in corpus.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{d}");
    }
    let export = Export {
        policies: corpus.policies.into_iter().map(|p| p.policy).collect(),
    };
    let text = match format {
        Format::Yaml => serde_yaml::to_string(&export).expect("the model serializes"),
        Format::Json | Format::Text => {
            serde_json::to_string_pretty(&export).expect("the model serializes") + "\n"
        }
    };
    if emit(&text) != 0 {
        return 1;
    }
    i32::from(corpus.diagnostics.iter().any(|d| d.is_error()))
}
