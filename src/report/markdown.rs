//! A Markdown summary for `$GITHUB_STEP_SUMMARY` or a merge-request comment: the verdict line,
//! a table of findings, the data map as a Mermaid diagram (GitHub and GitLab render it), and
//! what could not be read.

use super::sarif::repo_path;
use super::{graph, Report};
use std::fmt::Write;

/// Text safe inside a table cell: no HTML, no Markdown, no line break.
fn cell(text: &str) -> String {
    super::escape::markdown(text)
}

/// A value shown as code in a cell (resource addresses, file paths).
fn code(text: &str) -> String {
    super::escape::markdown_code(text)
}

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let count = |k: &str| s.findings.get(k).copied().unwrap_or(0);
    let mut out = String::from("## residency: where the mail lives\n\n");
    let policies: Vec<String> = report
        .policies
        .iter()
        .map(|p| format!("`{}`", p.id))
        .collect();
    let _ = writeln!(
        out,
        "**{} high · {} medium · {} low · {} info** ({} suppressed, {} baselined) · policies: {} · {} files, {} datasets, {} copies\n",
        count("high"),
        count("medium"),
        count("low"),
        count("info"),
        s.suppressed,
        s.baselined,
        policies.join(", "),
        s.files,
        s.datasets,
        s.copies
    );
    if report.findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| Severity | Rule | Resource | File | Location | Finding |\n|---|---|---|---|---|---|\n");
        for f in &report.findings {
            let severity = if f.suppressed {
                format!("{} (suppressed)", f.severity.as_str())
            } else {
                f.severity.as_str().to_string()
            };
            let location = match (&f.region, f.countries.is_empty()) {
                (Some(r), false) => format!("{r} ({})", f.countries.join(", ")),
                (Some(r), true) => format!("{r} (?)"),
                (None, _) => "unknown".to_string(),
            };
            let mut finding = cell(&f.message);
            if f.via.len() > 1 {
                finding.push_str(&format!("<br>path: {}", cell(&f.via.join(" → "))));
            }
            if let Some(reason) = &f.suppression_reason {
                finding.push_str(&format!("<br>suppressed: {}", cell(reason)));
            }
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                severity,
                f.rule,
                code(&f.resource),
                code(&format!("{}:{}", repo_path(report, &f.file), f.line)),
                cell(&location),
                finding
            );
        }
        out.push('\n');
    }
    if !report.datasets.is_empty() {
        out.push_str("<details><summary>Data map</summary>\n\n```mermaid\n");
        out.push_str(&graph::mermaid(&report.datasets));
        out.push_str("```\n\n</details>\n\n");
    }
    if !report.errors.is_empty() {
        out.push_str("### Files that could not be read\n\n");
        for e in &report.errors {
            let _ = writeln!(
                out,
                "- {} {}",
                code(&format!("{}:{}", repo_path(report, &e.file), e.line)),
                cell(&e.message)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "_{}_", report.disclaimer);
    out
}
