//! A Markdown summary for `$GITHUB_STEP_SUMMARY` or a merge-request comment: the verdict line,
//! a table of findings (worst first), the data map as a Mermaid diagram (GitHub and GitLab
//! render it), and what could not be read. It stays under GitHub's 1 MiB limit for a step
//! summary, and its diagram under Mermaid's limits: past them it summarises and says so.

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

/// GitHub refuses a step summary over 1024 KiB ("$GITHUB_STEP_SUMMARY upload aborted, supports
/// content up to a size of 1024k"); the report stays under this, leaving room for a line or two
/// a workflow adds.
pub const MAX_BYTES: usize = 1_000_000;

/// At most this many unreadable files are listed; the JSON report has them all.
const MAX_ERRORS_LISTED: usize = 200;

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
        "**{} high · {} medium · {} low · {} info** ({} suppressed, {} baselined) · policies: {} · {}, {}, {}\n",
        count("high"),
        count("medium"),
        count("low"),
        count("info"),
        s.suppressed,
        s.baselined,
        policies.join(", "),
        super::count(s.files, "file", "files"),
        super::count(s.datasets, "dataset", "datasets"),
        super::count(s.copies, "copy", "copies")
    );
    if let Some(law) = &report.current_law {
        let _ = writeln!(out, "_{}_\n", law.line());
    }
    let diagram = diagram(report);
    let unreadable = unreadable(report);
    let tail = diagram.len() + unreadable.len() + report.disclaimer.len() + 600;
    if report.findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| Severity | Rule | Resource | File | Location | Finding |\n|---|---|---|---|---|---|\n");
        // Worst first; then by file and line, as every other format.
        let mut order: Vec<&crate::policy::Finding> = report.findings.iter().collect();
        order.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let budget = MAX_BYTES.saturating_sub(out.len() + tail);
        let mut table = String::new();
        let mut shown = 0;
        for f in &order {
            let row = row(report, f);
            if table.len() + row.len() > budget {
                break;
            }
            table.push_str(&row);
            shown += 1;
        }
        out.push_str(&table);
        if shown < order.len() {
            let _ = writeln!(
                out,
                "\n_{} not shown: GitHub takes at most 1 MiB of summary. The JSON and SARIF reports have every finding._",
                super::count(order.len() - shown, "more finding is", "more findings are")
            );
        }
        out.push('\n');
    }
    out.push_str(&diagram);
    out.push_str(&unreadable);
    let _ = writeln!(out, "_{}_", report.disclaimer);
    out
}

/// One finding as a table row.
fn row(report: &Report, f: &crate::policy::Finding) -> String {
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
    format!(
        "| {} | `{}` | {} | {} | {} | {} |\n",
        severity,
        f.rule,
        code(&f.resource),
        code(&format!("{}:{}", repo_path(report, &f.file), f.line)),
        cell(&location),
        finding
    )
}

/// The data map in a folded block, summarised when Mermaid would not draw all of it.
fn diagram(report: &Report) -> String {
    if report.datasets.is_empty() {
        return String::new();
    }
    let (mermaid, summarised) = graph::mermaid_within_limits(&report.datasets);
    let mut out = String::from("<details><summary>Data map</summary>\n\n");
    if summarised {
        let _ = writeln!(
            out,
            "_{} in {} are more than a Mermaid diagram draws ({} characters, {} edges): one node per place and role, with counts. `residency map --format dot` draws every copy._\n",
            super::count(report.summary.copies, "copy", "copies"),
            super::count(report.summary.datasets, "dataset", "datasets"),
            graph::MERMAID_MAX_TEXT,
            graph::MERMAID_MAX_EDGES
        );
    }
    out.push_str("```mermaid\n");
    out.push_str(&mermaid);
    out.push_str("```\n\n</details>\n\n");
    out
}

/// The files that could not be read, the first [`MAX_ERRORS_LISTED`] of them.
fn unreadable(report: &Report) -> String {
    if report.errors.is_empty() {
        return String::new();
    }
    let mut out = String::from("### Files that could not be read\n\n");
    for e in report.errors.iter().take(MAX_ERRORS_LISTED) {
        let _ = writeln!(
            out,
            "- {} {}",
            code(&format!("{}:{}", repo_path(report, &e.file), e.line)),
            cell(&e.message)
        );
    }
    if report.errors.len() > MAX_ERRORS_LISTED {
        let _ = writeln!(
            out,
            "- _and {} more: the JSON report lists every one._",
            report.errors.len() - MAX_ERRORS_LISTED
        );
    }
    out.push('\n');
    out
}
