//! GitLab Code Quality report (`--format gitlab`): the JSON array GitLab reads from
//! `artifacts:reports:codequality` and shows in merge requests. Each finding is an issue with
//! `description`, `check_name` (the rule id), `fingerprint` (the finding's stable identity),
//! `severity` (`info`, `minor`, `major`, `critical`) and `location` (`path` from the repository
//! root, `lines.begin`); each input file that could not be read is an issue too, so that a
//! broken file is never a silent pass.
//!
//! Source: GitLab documentation, "Code Quality", section "Code Quality report format"
//! (docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).

use super::sarif::repo_path;
use super::Report;
use crate::policy::Severity;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One Code Quality issue, serialized as GitLab documents it.
#[derive(Serialize)]
struct Issue<'r> {
    description: String,
    check_name: std::borrow::Cow<'r, str>,
    fingerprint: std::borrow::Cow<'r, str>,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

fn location(report: &Report, file: &str, line: usize) -> Location {
    Location {
        path: repo_path(report, file),
        lines: Lines { begin: line.max(1) },
    }
}

/// The Code Quality report, serialized straight to `out`.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut issues: Vec<Issue> = report
        .findings
        .iter()
        .map(|f| Issue {
            description: format!("{} {}: {}", f.rule, f.title, f.message),
            check_name: f.rule.as_str().into(),
            fingerprint: f.fingerprint.as_str().into(),
            severity: match f.severity {
                Severity::High => "critical",
                Severity::Medium => "major",
                Severity::Low => "minor",
                Severity::Info => "info",
            },
            location: location(report, &f.file, f.line),
        })
        .collect();
    issues.extend(report.errors.iter().map(|e| {
        // An error has no finding fingerprint: its identity is its code, file and line.
        let mut hash = Sha256::new();
        hash.update(format!("{}\0{}\0{}", e.code, e.file, e.line).as_bytes());
        let fingerprint = crate::baseline::short_hex(&hash.finalize());
        Issue {
            description: format!("residency could not read this file: {}", e.message),
            check_name: format!("residency/{}", e.code).into(),
            fingerprint: fingerprint.into(),
            severity: "major",
            location: location(report, &e.file, e.line),
        }
    }));
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    out.write_all(b"\n")
}
