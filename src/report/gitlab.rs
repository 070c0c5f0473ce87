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
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub fn render(report: &Report) -> String {
    let mut issues: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "description": format!("{} {}: {}", f.rule, f.title, f.message),
                "check_name": f.rule,
                "fingerprint": f.fingerprint,
                "severity": match f.severity {
                    Severity::High => "critical",
                    Severity::Medium => "major",
                    Severity::Low => "minor",
                    Severity::Info => "info",
                },
                "location": {
                    "path": repo_path(report, &f.file),
                    "lines": {"begin": f.line.max(1)},
                },
            })
        })
        .collect();
    issues.extend(report.errors.iter().map(|e| {
        // An error has no finding fingerprint: its identity is its code, file and line.
        let mut hash = Sha256::new();
        hash.update(format!("{}\0{}\0{}", e.code, e.file, e.line).as_bytes());
        let fingerprint: String = hash.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        json!({
            "description": format!("residency could not read this file: {}", e.message),
            "check_name": format!("residency/{}", e.code),
            "fingerprint": fingerprint,
            "severity": "major",
            "location": {
                "path": repo_path(report, &e.file),
                "lines": {"begin": e.line.max(1)},
            },
        })
    }));
    serde_json::to_string_pretty(&issues).unwrap_or_default() + "\n"
}
