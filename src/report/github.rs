//! GitHub Actions workflow commands: each unsuppressed finding becomes an annotation on the pull
//! request (`::error`, `::warning`, `::notice` by severity), at the file and lines of the copy,
//! with no upload step; unreadable inputs become error annotations.

use super::sarif::repo_path;
use super::Report;
use crate::policy::Severity;
use std::fmt::Write;

/// Escaping for a command's message (GitHub's `toolkit/core` rules), with every other control
/// character (ESC above all) and bidirectional override dropped: values from files were made
/// visible when the report was built, so what is left here is the report's own text.
fn data(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, '\r' | '\n') || !super::escape::is_dangerous(*c))
        .collect::<String>()
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a command's properties (`file=`, `title=`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| !f.suppressed) {
        let command = match f.severity {
            Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let mut message = f.message.clone();
        if f.via.len() > 1 {
            message.push_str(&format!("\npath: {}", f.via.join(" → ")));
        }
        if !f.remediation.is_empty() && f.severity > Severity::Info {
            message.push_str(&format!("\nfix: {}", f.remediation));
        }
        let mut props = format!("file={}", property(&repo_path(report, &f.file)));
        if f.line > 0 {
            let _ = write!(props, ",line={},endLine={}", f.line, f.end_line.max(f.line));
        }
        let _ = write!(
            props,
            ",title={}",
            property(&format!("{} {}", f.rule, f.title))
        );
        let _ = writeln!(out, "::{command} {props}::{}", data(&message));
    }
    for e in &report.errors {
        let mut props = format!("file={}", property(&repo_path(report, &e.file)));
        if e.line > 0 {
            let _ = write!(props, ",line={}", e.line);
        }
        let _ = writeln!(
            out,
            "::error {props},title=residency could not read this file::{}",
            data(&e.message)
        );
    }
    // GitHub shows at most 10 annotations of each kind per step: the counts, once, so that
    // nothing is lost from sight, with the disclaimer.
    let s = &report.summary;
    let count = |k: &str| s.findings.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "::notice title=residency::{}",
        data(&format!(
            "{} high, {} medium, {} low, {} info findings, {} suppressed, {} errors (GitHub shows at most 10 annotations of each kind per step). {}",
            count("high"),
            count("medium"),
            count("low"),
            count("info"),
            s.suppressed,
            s.errors,
            super::DISCLAIMER
        ))
    );
    out
}
