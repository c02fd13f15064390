//! Errors and warnings about input files, printed as
//! `path:line:column: severity: message` so editors and CI can jump to them.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line and column, where the position is known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn error(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn warning(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    pub fn at(mut self, position: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// At most `limit` errors and `limit` warnings of one file, the rest summed
/// up in one line each (an error if errors were left out), so a hostile
/// file cannot flood a terminal or a CI log.
pub fn cap_per_file(list: Vec<Diagnostic>, file: &Path, limit: usize) -> Vec<Diagnostic> {
    let (mut errors, mut warnings) = (0usize, 0usize);
    let mut out = Vec::with_capacity(list.len().min(2 * limit + 2));
    for d in list {
        let count = if d.is_error() {
            &mut errors
        } else {
            &mut warnings
        };
        *count += 1;
        if *count <= limit {
            out.push(d);
        }
    }
    for (count, make, what) in [
        (
            errors,
            Diagnostic::error as fn(&Path, String) -> Diagnostic,
            "errors",
        ),
        (warnings, Diagnostic::warning, "warnings"),
    ] {
        if count > limit {
            out.push(make(
                file,
                format!(
                    "{} more {what} in this file not listed (qualm lists {limit} per file)",
                    count - limit
                ),
            ));
        }
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // File names and messages quote what files hold: escaped, always.
        write!(f, "{}", crate::escape::path(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {severity}: {}", crate::escape::escape(&self.message))
    }
}
