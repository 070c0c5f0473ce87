//! The terminal report: the map of every dataset's copies, then the findings with file:line,
//! the chain that led there and what to do, then a one-line summary. Colour is decided by the
//! caller (`colored`'s global switch).

use super::{Diagnostic, Report};
use crate::datamap::{wire_name, Copy, Dataset};
use crate::policy::Severity;
use colored::{Color, ColoredString, Colorize};
use std::fmt::Write;

/// The widest a column is padded to: a longer value (a 70,000-character name) overflows its
/// column instead of padding every other row (and formatting widths stop at 65,535).
const MAX_COLUMN: usize = 120;

fn severity_label(s: Severity) -> ColoredString {
    let label = format!("{:<6}", s.as_str().to_uppercase());
    match s {
        Severity::High => label.red().bold(),
        Severity::Medium => label.yellow().bold(),
        Severity::Low => label.blue(),
        Severity::Info => label.dimmed(),
    }
}

fn countries(copy: &Copy) -> String {
    if copy.countries.is_empty() {
        "?".to_string()
    } else if copy.countries.len() > 4 {
        format!("{} countries", copy.countries.len())
    } else {
        copy.countries.join(",")
    }
}

/// The data map alone (`residency map`).
pub fn render_map(datasets: &[Dataset], out: &mut String) {
    if datasets.is_empty() {
        let _ = writeln!(out, "No mailbox data sources found.");
        return;
    }
    let several = crate::datamap::several_deployments(datasets);
    for d in datasets {
        let source = if several {
            format!("{}: {}", d.deployment, d.source)
        } else {
            d.source.clone()
        };
        let _ = writeln!(
            out,
            "{} {}  {}",
            "Dataset".bold(),
            source.bold(),
            format!("({}:{}, {})", d.file, d.line, d.kind).dimmed()
        );
        if let Some(reason) = &d.reason {
            let _ = writeln!(
                out,
                "  {}",
                format!("taken for a mail server because {reason}").yellow()
            );
        }
        let width = d
            .copies
            .iter()
            .map(|c| c.resource.len())
            .max()
            .unwrap_or(8)
            .clamp(8, MAX_COLUMN);
        let rw = d
            .copies
            .iter()
            .filter_map(|c| c.region.as_ref().map(String::len))
            .max()
            .unwrap_or(6)
            .clamp(6, MAX_COLUMN);
        let cw = d
            .copies
            .iter()
            .map(|c| countries(c).len())
            .max()
            .unwrap_or(7)
            .clamp(7, MAX_COLUMN);
        let _ = writeln!(
            out,
            "  {:<10}  {:<width$}  {:<10}  {:<rw$}  {:<cw$}  {:<16}  {}",
            "ROLE".dimmed(),
            "RESOURCE".dimmed(),
            "DATA".dimmed(),
            "REGION".dimmed(),
            "COUNTRY".dimmed(),
            "KEYS".dimmed(),
            "BASIS".dimmed(),
        );
        for c in &d.copies {
            let country = countries(c);
            let country = if c.countries.iter().any(|x| x == "US") {
                format!("{country:<cw$}").red()
            } else if c.countries.is_empty() {
                format!("{country:<cw$}").yellow()
            } else {
                format!("{country:<cw$}").green()
            };
            let _ = writeln!(
                out,
                "  {:<10}  {:<width$}  {:<10}  {:<rw$}  {}  {:<16}  {}",
                wire_name(&c.role),
                c.resource,
                wire_name(&c.data),
                c.region.as_deref().unwrap_or("?"),
                country,
                wire_name(&c.key_custody),
                wire_name(&c.basis),
            );
            if let Some(reason) = &c.unknown_reason {
                let _ = writeln!(
                    out,
                    "  {:<10}  {}",
                    "",
                    format!("unknown: {reason}").yellow()
                );
            }
            if c.via.len() > 1 {
                let _ = writeln!(
                    out,
                    "  {:<10}  {}",
                    "",
                    format!("via {}", c.via.join(" → ")).dimmed()
                );
            }
            for route in &c.also_via {
                let _ = writeln!(
                    out,
                    "  {:<10}  {}",
                    "",
                    format!("and via {}", route.join(" → ")).dimmed()
                );
            }
            if let Some(key) = &c.key {
                let place = if key.regions.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", key.regions.join(", "))
                };
                let _ = writeln!(
                    out,
                    "  {:<10}  {}",
                    "",
                    format!("key {}{place}", key.resource).dimmed()
                );
            }
        }
        let _ = writeln!(out);
    }
}

/// A titled list of `file:line message` entries; nothing when the list is empty.
fn render_diagnostics(out: &mut String, title: &str, items: &[Diagnostic], colour: Color) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", title.bold());
    for d in items {
        let place = format!("{}:{}", d.file, d.line).color(colour);
        let _ = writeln!(out, "  {place} {}", d.message);
    }
    let _ = writeln!(out);
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let policies: Vec<String> = report
        .policies
        .iter()
        .map(|p| match &p.superseded_on {
            Some(until) => format!(
                "{} (applied {} to {}; superseded by {})",
                p.id,
                p.applies_from,
                until,
                p.superseded_by.as_deref().unwrap_or("later law")
            ),
            None => format!("{} (from {})", p.id, p.applies_from),
        })
        .collect();
    let _ = writeln!(
        out,
        "{} {} · {}\n",
        report.tool.name.bold(),
        report.tool.version,
        policies.join(", ")
    );
    render_map(&report.datasets, &mut out);

    if !report.findings.is_empty() {
        let _ = writeln!(out, "{}", "Findings".bold());
    }
    for f in &report.findings {
        let location = format!("{}:{}", f.file, f.line);
        let _ = writeln!(
            out,
            "  {} {} {:<14} {}  {}",
            severity_label(f.severity),
            f.rule.bold(),
            f.verdict,
            location.cyan(),
            f.resource
        );
        let _ = writeln!(out, "         {}", f.message);
        if f.via.len() > 1 {
            let place = match (&f.region, f.countries.is_empty()) {
                (Some(r), false) => format!(" ({r}, {})", f.countries.join(",")),
                _ => " (location unknown)".to_string(),
            };
            let _ = writeln!(
                out,
                "         {} {}{}",
                "path:".dimmed(),
                f.via.join(" → "),
                place
            );
        }
        if !f.remediation.is_empty() && f.severity > Severity::Info {
            let _ = writeln!(out, "         {} {}", "fix:".dimmed(), f.remediation);
        }
        if f.suppressed {
            let _ = writeln!(
                out,
                "         {} {}",
                "suppressed:".green(),
                f.suppression_reason.as_deref().unwrap_or_default()
            );
        }
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out);
    }
    render_diagnostics(&mut out, "Errors", &report.errors, Color::Red);
    render_diagnostics(&mut out, "Warnings", &report.warnings, Color::Yellow);
    let s = &report.summary;
    let count = |k: &str| s.findings.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        out,
        "{} files · {} resources · {} datasets · {} copies · findings: {} high, {} medium, {} low, {} info · {} suppressed · {} errors",
        s.files,
        s.resources,
        s.datasets,
        s.copies,
        count("high"),
        count("medium"),
        count("low"),
        count("info"),
        s.suppressed,
        s.errors
    );
    if s.baselined > 0 {
        let _ = writeln!(
            out,
            "{} findings left out: they are in the baseline",
            s.baselined
        );
    }
    let _ = writeln!(out, "{}", super::DISCLAIMER.dimmed());
    out
}
