//! The terminal report: the map of every dataset's copies, then the findings with file:line,
//! the chain that led there and what to do, then a one-line summary. Colour is decided by the
//! caller (`colored`'s global switch). Prose lines wrap to the width the caller gives (the
//! terminal's, or [`PLAIN_WIDTH`]); table rows never wrap, so each stays one line.

use super::{count, Diagnostic, Report};
use crate::datamap::{wire_name, Copy, Dataset};
use crate::policy::Severity;
use colored::{Color, ColoredString, Colorize};
use std::fmt::Write;

/// The widest a column is padded to: a longer value (a 70,000-character name) overflows its
/// column instead of padding every other row (and formatting widths stop at 65,535).
const MAX_COLUMN: usize = 120;

/// The width of the text report when it does not go to a terminal (a file, a pipe, a CI log).
pub const PLAIN_WIDTH: usize = 80;

/// Narrower terminals still get this many columns, so indented lines keep some room.
const MIN_WIDTH: usize = 40;

/// Writes `text` wrapped to `width`: the first line after `indent`, the others after
/// `continued`. Lines break only at spaces: a word longer than a line (an ARN, a path) and a
/// hyphenated id (`us-east-1`) are kept whole, so they can be read and copied.
///
/// The lines are those of `textwrap::wrap` with words split at ASCII spaces, no hyphenation
/// and first-fit wrapping, each with its trailing whitespace trimmed; they are written
/// straight to `out` from textwrap's words instead of through a `String` per line (the text
/// report wraps three lines or more for each finding, and `wrap`'s per-line strings and second
/// width pass over every word were a quarter of the report's time on the large-files bench).
fn wrapped(out: &mut dyn Write, text: &str, width: usize, indent: &str, continued: &str) {
    use textwrap::core::display_width;
    let width = width.max(MIN_WIDTH);
    // As textwrap has them: each input line's first output line gets the first width, though
    // only the very first output line gets `indent`.
    let widths = [
        width.saturating_sub(display_width(indent)) as f64,
        width.saturating_sub(display_width(continued)) as f64,
    ];
    let mut words = Vec::new();
    let mut first = true;
    for line in text.split('\n') {
        let lead = if first { indent } else { continued };
        if line.len() < width && lead.is_empty() {
            write_line(out, lead, line);
            first = false;
            continue;
        }
        words.clear();
        words.extend(textwrap::WordSeparator::AsciiSpace.find_words(line));
        let mut start = 0;
        for row in textwrap::wrap_algorithms::wrap_first_fit(&words, &widths) {
            let lead = if std::mem::take(&mut first) {
                indent
            } else {
                continued
            };
            let Some(last) = row.last() else {
                // No words (an empty line): textwrap writes it without indent.
                let _ = writeln!(out);
                continue;
            };
            let len: usize = row.iter().map(|w| w.len() + w.whitespace.len()).sum();
            write_line(out, lead, &line[start..start + len - last.whitespace.len()]);
            start += len;
        }
    }
}

/// One wrapped line: `lead`, then `body`, its trailing whitespace trimmed (the lead too when
/// nothing follows it).
fn write_line(out: &mut dyn Write, lead: &str, body: &str) {
    let body = body.trim_end();
    let _ = if body.is_empty() {
        writeln!(out, "{}", lead.trim_end())
    } else {
        writeln!(out, "{lead}{body}")
    };
}

fn severity_label(s: Severity) -> ColoredString {
    let label = format!("{:<6}", s.as_str().to_uppercase());
    match s {
        Severity::High => label.red().bold(),
        Severity::Medium => label.yellow().bold(),
        Severity::Low => label.blue(),
        Severity::Info => label.dimmed(),
    }
}

fn severity_colour(s: Severity) -> Color {
    match s {
        Severity::High => Color::Red,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Blue,
        Severity::Info => Color::White,
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

/// The data map alone (`residency map`), its notes under each row wrapped to `width`.
pub fn render_map(datasets: &[Dataset], width: usize, out: &mut dyn Write) {
    if datasets.is_empty() {
        let _ = writeln!(out, "No mailbox data sources found.");
        return;
    }
    let several = crate::datamap::several_deployments(datasets);
    // Each dataset's lines depend on it alone: rendered on every core, written in order.
    super::write_each_in_parallel(datasets, out, |d, out| dataset(d, several, width, out));
}

/// One dataset of the map: its heading, then a row per copy with its notes.
fn dataset(d: &Dataset, several: bool, width: usize, out: &mut dyn Write) {
    let note = |out: &mut dyn Write, text: &str| wrapped(out, text, width, NOTE, NOTE_CONTINUED);
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
        let because = format!("taken for a mail server because {reason}");
        wrapped(out, &because.yellow().to_string(), width, "  ", "    ");
    }
    // Column widths, at least as wide as their heading (`width` wraps the notes).
    let copies = &d.copies;
    let resource_width = column(copies.iter().map(|c| c.resource.len()), 8);
    let rw = column(
        copies
            .iter()
            .filter_map(|c| c.region.as_ref().map(|r| r.len())),
        6,
    );
    let cw = column(copies.iter().map(|c| countries(c).len()), 7);
    let _ = writeln!(
        out,
        "  {:<10}  {:<resource_width$}  {:<10}  {:<rw$}  {:<cw$}  {:<16}  {}",
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
            "  {:<10}  {:<resource_width$}  {:<10}  {:<rw$}  {}  {:<16}  {}",
            wire_name(&c.role),
            c.resource,
            wire_name(&c.data),
            c.region.as_deref().unwrap_or("?"),
            country,
            wire_name(&c.key_custody),
            wire_name(&c.basis),
        );
        if let Some(reason) = &c.unknown_reason {
            note(out, &format!("unknown: {reason}").yellow().to_string());
        }
        if c.via.len() > 1 {
            note(
                out,
                &format!("via {}", c.via.join(" → ")).dimmed().to_string(),
            );
        }
        for route in &c.also_via {
            note(
                out,
                &format!("and via {}", route.join(" → "))
                    .dimmed()
                    .to_string(),
            );
        }
        if let Some(key) = &c.key {
            let place = if key.regions.is_empty() {
                String::new()
            } else {
                format!(" ({})", key.regions.join(", "))
            };
            note(
                out,
                &format!("key {}{place}", key.resource).dimmed().to_string(),
            );
        }
    }
    let _ = writeln!(out);
}

/// A column as wide as its widest value, at least `heading` and at most [`MAX_COLUMN`].
fn column(widths: impl Iterator<Item = usize>, heading: usize) -> usize {
    widths.max().unwrap_or(heading).clamp(heading, MAX_COLUMN)
}

/// Notes under a map row start below its resource column; their continuations a little further.
const NOTE: &str = "              ";
const NOTE_CONTINUED: &str = "                ";
/// Lines under a finding start below its rule; their continuations a little further.
const DETAIL: &str = "         ";
const DETAIL_CONTINUED: &str = "           ";

/// A titled list of `file:line message` entries; nothing when the list is empty.
fn render_diagnostics(
    out: &mut dyn Write,
    title: &str,
    items: &[Diagnostic],
    colour: Color,
    width: usize,
) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", title.bold());
    for d in items {
        let place = format!("{}:{}", d.file, d.line).color(colour);
        wrapped(out, &format!("{place} {}", d.message), width, "  ", "    ");
    }
    let _ = writeln!(out);
}

/// The whole report, prose wrapped to `width` columns.
pub fn render(report: &Report, width: usize) -> String {
    let mut out = String::new();
    write(report, width, &mut out);
    out
}

/// [`render`], written to `out` as it goes: a scan's text report is as long as its map and
/// findings (74 MB for the 100 MB bench tree), and is streamed to its destination rather than
/// held whole (see `report::stream`).
pub fn write(report: &Report, width: usize, out: &mut dyn Write) {
    let policies: Vec<String> = report
        .policies
        .iter()
        .map(|p| match &p.superseded_on {
            Some(until) => format!(
                "{} ({}applied {} to {}; superseded by {})",
                p.id,
                p.scope
                    .as_deref()
                    .map(|s| format!("{s}; "))
                    .unwrap_or_default(),
                p.applies_from,
                until,
                p.superseded_by.as_deref().unwrap_or("later law")
            ),
            None => format!("{} (from {})", p.id, p.applies_from),
        })
        .collect();
    let heading = format!(
        "{} {} · {}",
        report.tool.name.bold(),
        report.tool.version,
        policies.join(", ")
    );
    wrapped(out, &heading, width, "", "  ");
    let _ = writeln!(out);
    render_map(&report.datasets, width, out);

    if !report.findings.is_empty() {
        let _ = writeln!(out, "{}", "Findings".bold());
    }
    super::write_each_in_parallel(&report.findings, out, |f, out| finding(f, width, out));
    if !report.findings.is_empty() {
        let _ = writeln!(out);
    }
    render_diagnostics(out, "Errors", &report.errors, Color::Red, width);
    render_diagnostics(out, "Warnings", &report.warnings, Color::Yellow, width);
    let _ = writeln!(out, "{}", summary_line(report));
    if let Some(law) = &report.current_law {
        wrapped(out, &law.line(), width, "", "");
    }
    if report.summary.baselined > 0 {
        let _ = writeln!(
            out,
            "{} left out: they are in the baseline",
            count(report.summary.baselined, "finding", "findings")
        );
    }
    wrapped(out, &super::DISCLAIMER.dimmed().to_string(), width, "", "");
}

/// One finding: its line, then its message, path, fix and suppression wrapped below it.
fn finding(f: &crate::policy::Finding, width: usize, out: &mut dyn Write) {
    let detail = |out: &mut dyn Write, text: &str| {
        wrapped(out, text, width, DETAIL, DETAIL_CONTINUED);
    };
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
    detail(out, &f.message);
    if f.via.len() > 1 {
        let place = match (&f.region, f.countries.is_empty()) {
            (Some(r), false) => format!(" ({r}, {})", f.countries.join(",")),
            _ => " (location unknown)".to_string(),
        };
        detail(
            out,
            &format!("{} {}{}", "path:".dimmed(), f.via.join(" → "), place),
        );
    }
    if !f.remediation.is_empty() && f.severity > Severity::Info {
        detail(out, &format!("{} {}", "fix:".dimmed(), f.remediation));
    }
    if f.suppressed {
        detail(
            out,
            &format!(
                "{} {}",
                "suppressed:".green(),
                f.suppression_reason.as_deref().unwrap_or_default()
            ),
        );
    }
}

/// The one-line summary: what was read, the findings by severity, what was left aside.
fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let severity = |k: &str| s.findings.get(k).copied().unwrap_or(0);
    format!(
        "{} · {} · {} · {} · findings: {} high, {} medium, {} low, {} info · {} suppressed · {}",
        count(s.files, "file", "files"),
        count(s.resources, "resource", "resources"),
        count(s.datasets, "dataset", "datasets"),
        count(s.copies, "copy", "copies"),
        severity("high"),
        severity("medium"),
        severity("low"),
        severity("info"),
        s.suppressed,
        count(s.errors, "error", "errors")
    )
}

/// `--quiet`: one line per finding that is not suppressed (`HIGH MSI001 main.tf:5
/// aws_s3_bucket.replica us-east-1 (US)`), one per input error, then the summary line. For
/// pre-commit hooks and logs that only need the verdicts.
pub fn render_quiet(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| !f.suppressed) {
        let place = match (&f.region, f.countries.is_empty()) {
            (Some(r), false) => format!(" {r} ({})", f.countries.join(",")),
            (Some(r), true) => format!(" {r} (location unknown)"),
            (None, _) if f.role.is_some() => " (location unknown)".to_string(),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "{} {} {}:{} {}{place}",
            f.severity
                .as_str()
                .to_uppercase()
                .color(severity_colour(f.severity)),
            f.rule,
            f.file,
            f.line,
            f.resource
        );
    }
    for e in &report.errors {
        let _ = writeln!(
            out,
            "{} {}:{} [{}] {}",
            "ERROR".red(),
            e.file,
            e.line,
            e.code.as_str(),
            e.message
        );
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `textwrap::wrap` makes of `text` with the options the report wraps with, each
    /// line's trailing whitespace trimmed: the lines [`wrapped`] must write.
    fn textwrap_lines(text: &str, width: usize, indent: &str, continued: &str) -> String {
        let options = textwrap::Options::new(width.max(MIN_WIDTH))
            .initial_indent(indent)
            .subsequent_indent(continued)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        textwrap::wrap(text, options)
            .iter()
            .map(|line| format!("{}\n", line.trim_end()))
            .collect()
    }

    #[test]
    fn wrapped_writes_the_lines_textwrap_wraps() {
        // Texts made of pieces that wrap differently: short and long words, runs of spaces,
        // line breaks, tabs, wide characters, colour escapes, a word longer than any line.
        let pieces = [
            "a",
            "mail",
            "us-east-1",
            " ",
            "   ",
            "\n",
            "\t",
            "漢字",
            "\u{1b}[31mred\u{1b}[0m",
            "arn:aws:s3:::a-bucket-name-far-longer-than-any-line-of-the-report-could-hold/x",
            "eu-west-1 (IE)",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut texts = vec![String::new()];
        for _ in 0..3_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for i in 0..(seed % 60) {
                text.push_str(pieces[((seed >> (i % 50)) as usize + i as usize) % pieces.len()]);
            }
            texts.push(text);
        }
        let indents = [("", ""), ("", "  "), ("  ", "    "), (NOTE, NOTE_CONTINUED)];
        for text in &texts {
            for (indent, continued) in indents {
                for width in [0, 40, 57, 80, 200] {
                    let mut ours = String::new();
                    wrapped(&mut ours, text, width, indent, continued);
                    assert_eq!(
                        ours,
                        textwrap_lines(text, width, indent, continued),
                        "{text:?} at width {width} after {indent:?}/{continued:?}"
                    );
                }
            }
        }
    }
}
