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

/// GitHub shows at most this many annotations of each kind (error, warning, notice) per step.
const SHOWN_PER_KIND: usize = 10;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    write(report, &mut out);
    out
}

/// [`render`], written to `out` as it goes: one annotation per finding.
pub fn write(report: &Report, out: &mut dyn Write) {
    // Annotations written of each kind: error, warning, notice.
    let mut written = [0usize; 3];
    for f in report.findings.iter().filter(|f| !f.suppressed) {
        let (command, kind) = match f.severity {
            Severity::High => ("error", 0),
            Severity::Medium => ("warning", 1),
            Severity::Low | Severity::Info => ("notice", 2),
        };
        written[kind] += 1;
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
        written[0] += 1;
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
    // GitHub shows at most 10 annotations of each kind per step, and the findings below
    // --min-severity or suppressed are not annotations: the counts, once, so that nothing is
    // lost from sight, with the disclaimer.
    let s = &report.summary;
    let count = |k: &str| s.findings.get(k).copied().unwrap_or(0);
    let findings_and_errors: usize = s.findings.values().sum::<usize>() + s.errors;
    let shown: usize = written.iter().map(|n| (*n).min(SHOWN_PER_KIND)).sum();
    let hidden = findings_and_errors.saturating_sub(shown);
    let _ = writeln!(
        out,
        "::notice title=residency::{}",
        data(&format!(
            "residency: {} high, {} medium, {} low, {} info, {} suppressed, {} ({hidden} more not shown as annotations). {}",
            count("high"),
            count("medium"),
            count("low"),
            count("info"),
            s.suppressed,
            super::count(s.errors, "unreadable file", "unreadable files"),
            super::DISCLAIMER
        ))
    );
}
