//! The outputs of the subcommands other than `scan`: the data map (`map`), the built-in
//! policies (`policies`), the regions catalog (`regions`) and one rule's documentation
//! (`explain`), each rendered from typed values as text or JSON.

use super::Diagnostic;
use crate::catalog::rows::Row;
use crate::datamap::Dataset;
use crate::policy::listing::{Entry, Explanation};
use crate::policy::DEFAULT_POLICY;
use serde::Serialize;

fn json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// `residency map --format json`: the datasets with their copies, and the input errors.
#[derive(Serialize)]
struct MapListing<'a> {
    datasets: super::json::InParallel<'a, Dataset>,
    errors: &'a [Diagnostic],
    disclaimer: &'static str,
}

/// Serialized straight to `out`, the datasets on every core: the map of a large tree is tens
/// of MB.
pub fn write_map_json(
    datasets: &[Dataset],
    errors: &[Diagnostic],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let listing = MapListing {
        datasets: super::json::InParallel {
            items: datasets,
            depth: 2,
        },
        errors,
        disclaimer: super::DISCLAIMER,
    };
    super::json::write_pretty(&mut *out, &listing)?;
    out.write_all(b"\n")
}

/// `residency map`: each dataset and its copies (notes wrapped to `width`), then the input
/// errors, written to `out` as it goes.
pub fn write_map_text(
    datasets: &[Dataset],
    errors: &[Diagnostic],
    width: usize,
    out: &mut dyn std::fmt::Write,
) {
    super::text::render_map(datasets, width, out);
    for e in errors {
        let _ = writeln!(out, "error: {}:{}: {}", e.file, e.line, e.message);
    }
    let _ = write!(out, "\n{}\n", super::DISCLAIMER);
}

pub fn policies_json(entries: &[Entry]) -> String {
    json(&entries)
}

/// `residency policies`: each policy with its dates, citations and rules.
pub fn policies_text(entries: &[Entry]) -> String {
    let mut out = String::new();
    for Entry { policy, rules } in entries {
        let default = if policy.id == DEFAULT_POLICY {
            " (default)"
        } else {
            ""
        };
        out.push_str(&format!("{}{default}\n  {}\n", policy.id, policy.title));
        out.push_str(&format!("  applies from {}", policy.applies_from));
        if let Some(scope) = &policy.scope {
            out.push_str(&format!(" ({scope})"));
        }
        if let Some(until) = &policy.superseded_on {
            out.push_str(&format!(
                "; superseded on {until} by {}",
                policy.superseded_by.as_deref().unwrap_or("later law")
            ));
        }
        out.push('\n');
        for c in &policy.citations {
            out.push_str(&format!("  · {c}\n"));
        }
        for r in rules {
            out.push_str(&format!(
                "  {:<7} {:<6} {:<14} {}\n",
                r.id,
                r.severity.as_str(),
                r.verdict,
                r.title
            ));
        }
        out.push('\n');
    }
    out.push_str(super::DISCLAIMER);
    out.push('\n');
    out
}

pub fn regions_json(rows: &[Row]) -> String {
    json(&rows)
}

/// `residency regions`: a line per region; a multi-region's long list of countries is
/// summarised (`--format json` has it whole).
pub fn regions_text(rows: &[Row]) -> String {
    let mut out = String::new();
    for r in rows {
        let countries = if r.countries.len() > 3 {
            format!("{} countries", r.countries.len())
        } else {
            r.countries.join(",")
        };
        let mut notes = Vec::new();
        if let Some(p) = &r.paired_region {
            notes.push(format!("pair {p}"));
        }
        if let Some(closed) = &r.closed {
            notes.push(format!("closed {closed}"));
        }
        if !r.zones.is_empty() {
            notes.push(format!("zones {}", r.zones.join(" ")));
        }
        if !r.confirmed {
            notes.push("unconfirmed".to_string());
        }
        let operator = r
            .operator
            .as_ref()
            .map_or_else(String::new, |o| format!("{} ({})", o.name, o.country));
        let line = format!(
            "{:<12} {:<24} {:<12} {:<28} {:<44} {}",
            r.provider,
            r.id,
            countries,
            r.city,
            operator,
            notes.join(", ")
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    // Operators, parents and models carry legal weight: say what they are not.
    out.push_str(&format!("\n{}\n", super::DISCLAIMER));
    out
}

/// `residency explain RULE`.
pub fn explanation_text(r: &Explanation) -> String {
    let Some(verdict) = &r.verdict else {
        // A suppression rule: it judges suppressions, not copies of mail, and cites no law.
        return format!(
            "{}: {}\n\npolicy:   {} (built in: suppressions)\nseverity: {}\n\n{}\n\nWhat to do: {}\n",
            r.id,
            r.title,
            r.policy,
            r.severity.as_str(),
            r.explanation,
            r.remediation
        );
    };
    let mut out = format!(
        "{}: {}\n\npolicy:   {} ({})\nin force: {}\nseverity: {}\nverdict:  {verdict}\n\n{}\n\nWhat to do: {}\n\nSources:\n",
        r.id,
        r.title,
        r.policy,
        r.policy_title.as_deref().unwrap_or_default(),
        r.in_force.as_deref().unwrap_or("always"),
        r.severity.as_str(),
        r.explanation,
        r.remediation
    );
    for c in &r.citations {
        out.push_str(&format!("  · {c}\n"));
    }
    out.push_str(&format!("\n{}\n", super::DISCLAIMER));
    out
}
