//! Suppressions: a finding can be accepted on the record with an inline comment in the
//! resource's block (or on the line above it):
//!
//! ```text
//! # residency:ignore MSI001 DR copy approved by legal, ticket SEC-42
//! ```
//!
//! Several rules are separated by commas. A suppressed finding stays in the report, marked and
//! with its reason; it no longer counts toward `--fail-on`.

use crate::policy::Finding;
use std::collections::HashMap;

pub const MARKER: &str = "residency:ignore";

/// An inline suppression: which rules, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    pub rules: Vec<String>,
    pub reason: String,
}

pub fn parse_comment(line: &str) -> Option<Suppression> {
    let at = line.find(MARKER)?;
    let rest = line[at + MARKER.len()..].trim_start_matches([':', '=', ' ']);
    let (rules, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let rules: Vec<String> = rules
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    (!rules.is_empty()).then(|| Suppression {
        rules,
        reason: reason.trim().trim_end_matches("*/").trim().to_string(),
    })
}

/// Marks findings suppressed by comments in their resource's lines.
pub fn apply(findings: &mut [Finding], lines_by_file: &HashMap<String, Vec<String>>) {
    for f in findings.iter_mut() {
        let Some(lines) = lines_by_file.get(&f.file) else {
            continue;
        };
        if f.line == 0 {
            continue;
        }
        let first = f.line.saturating_sub(2); // the line above the block, 0-based
        let last = f.end_line.max(f.line).min(lines.len());
        for line in lines.get(first..last).unwrap_or_default() {
            if let Some(s) = parse_comment(line) {
                if s.rules.iter().any(|r| r == &f.rule || r == "all") {
                    f.suppressed = true;
                    f.suppression_reason = Some(if s.reason.is_empty() {
                        "no reason given".to_string()
                    } else {
                        s.reason
                    });
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_forms() {
        let s = parse_comment("  # residency:ignore MSI001,CLD001 approved by legal").unwrap();
        assert_eq!(s.rules, ["MSI001", "CLD001"]);
        assert_eq!(s.reason, "approved by legal");
        let s = parse_comment("// residency:ignore:EEA002").unwrap();
        assert_eq!(s.rules, ["EEA002"]);
        assert!(parse_comment("# nothing here").is_none());
    }
}
