//! The grade: ToS;DR's current formula over good, bad and blocker points
//! (balance = good − bad − 3·blocker; E if balance ≤ −10 or blockers >
//! goods; D if blockers ≥ 3 or bads > goods; C if balance < 5; B if any
//! bad; else A). A critical finding is a blocker, a high or medium one a
//! bad point, a low or info one counts for nothing; good points come from
//! what rules find done well, so a grade can be earned, not only lost.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::review::Severity;

use super::Finding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    Good,
    Bad,
    Blocker,
}

/// One point, and how it was earned.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub kind: PointKind,
    pub rule: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    A,
    B,
    C,
    D,
    E,
    /// No point either way.
    NotApplicable,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::E => "E",
            Grade::NotApplicable => "N/A",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Grade {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The point a finding costs, if any.
pub fn point_of(finding: &Finding) -> Option<Point> {
    let kind = match finding.severity {
        Severity::Critical => PointKind::Blocker,
        Severity::High | Severity::Medium => PointKind::Bad,
        Severity::Low | Severity::Info => return None,
    };
    Some(Point {
        kind,
        rule: finding.rule.to_string(),
        reason: finding.message.clone(),
        evidence: finding.evidence.clone(),
    })
}

/// Counts of (good, bad, blocker) points.
pub fn tally(points: &[Point]) -> (i64, i64, i64) {
    let count = |k: PointKind| points.iter().filter(|p| p.kind == k).count() as i64;
    (
        count(PointKind::Good),
        count(PointKind::Bad),
        count(PointKind::Blocker),
    )
}

pub fn grade(points: &[Point]) -> Grade {
    let (good, bad, blocker) = tally(points);
    if good + bad + blocker == 0 {
        return Grade::NotApplicable;
    }
    let balance = good - bad - 3 * blocker;
    if balance <= -10 || blocker > good {
        Grade::E
    } else if blocker >= 3 || bad > good {
        Grade::D
    } else if balance < 5 {
        Grade::C
    } else if bad > 0 {
        Grade::B
    } else {
        Grade::A
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(good: usize, bad: usize, blocker: usize) -> Vec<Point> {
        let p = |kind| Point {
            kind,
            rule: "r".into(),
            reason: String::new(),
            evidence: Vec::new(),
        };
        std::iter::repeat_n(p(PointKind::Good), good)
            .chain(std::iter::repeat_n(p(PointKind::Bad), bad))
            .chain(std::iter::repeat_n(p(PointKind::Blocker), blocker))
            .collect()
    }

    #[test]
    fn the_tosdr_formula() {
        assert_eq!(grade(&points(0, 0, 0)), Grade::NotApplicable);
        assert_eq!(grade(&points(6, 0, 0)), Grade::A);
        assert_eq!(grade(&points(7, 1, 0)), Grade::B);
        // balance 4 < 5
        assert_eq!(grade(&points(5, 1, 0)), Grade::C);
        assert_eq!(grade(&points(2, 3, 0)), Grade::D);
        assert_eq!(grade(&points(4, 0, 3)), Grade::D);
        // one blocker and no good point is already E
        assert_eq!(grade(&points(0, 0, 1)), Grade::E);
        // balance -10
        assert_eq!(grade(&points(10, 11, 3)), Grade::E);
    }
}
