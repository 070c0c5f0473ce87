//! The report: one value that every output format renders. Its JSON form is a public contract
//! (field names are snake_case and stable; `schema_version` changes when they do).

pub mod escape;
pub mod github;
pub mod gitlab;
pub mod graph;
pub mod json;
pub mod junit;
pub mod listing;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::datamap::Dataset;
use crate::policy::{Finding, PolicyInfo, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;

pub const DISCLAIMER: &str = "residency maps where configuration places mail data and applies a simplified model of published law and your policies to it: its verdicts are heuristics, not legal conclusions, and not legal advice; have counsel review them.";

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    /// The date of the region catalog the copies were placed with.
    pub catalog: &'static str,
}

pub use crate::diag::Diagnostic;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    pub files: usize,
    pub resources: usize,
    pub datasets: usize,
    pub copies: usize,
    pub findings: BTreeMap<&'static str, usize>,
    pub suppressed: usize,
    /// Findings left out because they are in the `--baseline` file.
    pub baselined: usize,
    pub errors: usize,
}

/// The CLOUD Act's count on the map of a scan judged by the 2016 ruling alone.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentLaw {
    pub policy: &'static str,
    pub since: &'static str,
    /// Copies that `cloud-act-2018` finds exposed or likely exposed.
    pub reachable: usize,
    pub copies: usize,
}

impl CurrentLaw {
    /// The line the text and Markdown reports print.
    pub fn line(&self) -> String {
        format!(
            "under current law (CLOUD Act, since {}): {} of {} are reachable by US legal process; run with --policy {}",
            self.since,
            self.reachable,
            count(self.copies, "copy", "copies"),
            self.policy
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: Tool,
    pub schema_version: u32,
    /// The scanned directory, from the working directory; `file` paths are relative to it.
    /// Empty when several paths were scanned (then `file` paths are as given).
    pub root: String,
    pub policies: Vec<PolicyInfo>,
    pub summary: Summary,
    pub datasets: Vec<Dataset>,
    pub findings: Vec<Finding>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// What current law says of the same map when only the historical policy was applied, so
    /// that a pass under a vacated ruling never reads as "safe".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_law: Option<CurrentLaw>,
    pub disclaimer: &'static str,
    /// Documentation of every rule that was applied, for SARIF and JUnit.
    #[serde(skip)]
    pub rules: Vec<RuleDoc>,
    /// Where each resource is declared (file, line), for the steps of a chain.
    #[serde(skip)]
    pub declarations: crate::hash::HashMap<String, Vec<(String, usize)>>,
}

/// A rule's documentation, from its policy (or the built-in suppression rules).
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: String,
    pub policy: String,
    pub title: String,
    pub severity: Severity,
    pub explanation: String,
    pub remediation: String,
    pub reference: Option<String>,
}

impl Report {
    /// Highest severity among findings that are not suppressed.
    pub fn worst(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| !f.suppressed)
            .map(|f| f.severity)
            .max()
    }

    /// Where a resource on a chain is declared, preferring the given file.
    pub fn declared_at(&self, address: &str, prefer: &str) -> Option<(&str, usize)> {
        let places = self.declarations.get(address)?;
        let place = places
            .iter()
            .find(|(f, _)| f == prefer)
            .or_else(|| places.first())?;
        Some((place.0.as_str(), place.1))
    }

    /// The JSON report whole, as `write_json` writes it.
    pub fn to_json(&self) -> String {
        let mut bytes = Vec::new();
        match self.write_json(&mut bytes) {
            Ok(()) => String::from_utf8(bytes).unwrap_or_else(|_| "{}\n".into()),
            Err(_) => "{}\n".into(),
        }
    }

    /// The JSON report written as it is serialised, never held whole in memory; datasets and
    /// findings are rendered on every core (`json::InParallel`), with the bytes the derived
    /// `Serialize` gives (a test holds them equal).
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        json::write_pretty(&mut *out, &JsonReport::of(self))?;
        out.write_all(b"\n")
    }
}

/// `Report` as its JSON form is written: the same fields in the same order, borrowed, with the
/// two lists that grow with the input rendered in parallel.
#[derive(Serialize)]
struct JsonReport<'a> {
    tool: &'a Tool,
    schema_version: u32,
    root: &'a str,
    policies: &'a [PolicyInfo],
    summary: &'a Summary,
    datasets: json::InParallel<'a, Dataset>,
    findings: json::InParallel<'a, Finding>,
    errors: &'a [Diagnostic],
    warnings: &'a [Diagnostic],
    #[serde(skip_serializing_if = "Option::is_none")]
    current_law: Option<&'a CurrentLaw>,
    disclaimer: &'static str,
}

impl<'a> JsonReport<'a> {
    fn of(report: &'a Report) -> JsonReport<'a> {
        // Elements of a list field of the top-level object are two levels deep.
        let depth = 2;
        JsonReport {
            tool: &report.tool,
            schema_version: report.schema_version,
            root: &report.root,
            policies: &report.policies,
            summary: &report.summary,
            datasets: json::InParallel {
                items: &report.datasets,
                depth,
            },
            findings: json::InParallel {
                items: &report.findings,
                depth,
            },
            errors: &report.errors,
            warnings: &report.warnings,
            current_law: report.current_law.as_ref(),
            disclaimer: report.disclaimer,
        }
    }
}

pub fn summarise(
    files: usize,
    resources: usize,
    datasets: &[Dataset],
    findings: &[Finding],
    errors: usize,
) -> Summary {
    let mut by_severity: BTreeMap<&'static str, usize> = BTreeMap::new();
    for s in [
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        by_severity.insert(s.as_str(), 0);
    }
    for f in findings.iter().filter(|f| !f.suppressed) {
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    Summary {
        files,
        resources,
        datasets: datasets.len(),
        copies: datasets.iter().map(|d| d.copies.len()).sum(),
        findings: by_severity,
        suppressed: findings.iter().filter(|f| f.suppressed).count(),
        baselined: 0,
        errors,
    }
}

/// A number with its noun: `1 file`, `2 files`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes `items` with `render`, each item's text rendered on every core a batch at a time and
/// written in the items' order while the next batch is rendered (`parallel::pipelined`): the
/// same text as rendering them one after the other (each item's text depends on it alone),
/// without a 100 MB scan's report waiting on one core.
pub fn write_each_in_parallel<T: Sync>(
    items: &[T],
    out: &mut dyn std::fmt::Write,
    render: impl Fn(&T, &mut dyn std::fmt::Write) + Sync,
) {
    let rendered = |item| {
        let mut text = String::new();
        render(item, &mut text);
        text
    };
    let _ = pipelined(items, rendered, |text| out.write_str(&text));
}

/// `parallel::pipelined` with the batch sizes every report uses: 1,024 items rendered ahead of
/// what is written (a few megabytes of text at most), in slices of at least 64 per core.
fn pipelined<'t, T: Sync, R: Send, E>(
    items: &'t [T],
    render: impl Fn(&'t T) -> R + Sync,
    consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    crate::parallel::pipelined(items, 1024, 64, render, consume)
}

/// Runs a renderer that writes text (`text::write`, `junit::write`) over `out`: what it writes
/// goes to its destination as it is produced instead of the whole report being built first,
/// and the first I/O error is what this returns.
pub fn stream(
    out: &mut dyn std::io::Write,
    render: impl FnOnce(&mut dyn std::fmt::Write),
) -> std::io::Result<()> {
    let mut writer = IoWriter::new(out);
    render(&mut writer);
    writer.finish()
}

/// A `fmt::Write` over an `io::Write` (see [`stream`]). The first I/O error is kept
/// (formatting can only say that something failed) and returned by [`IoWriter::finish`];
/// nothing more is written after it.
struct IoWriter<'a> {
    inner: &'a mut dyn std::io::Write,
    error: Option<std::io::Error>,
}

impl<'a> IoWriter<'a> {
    fn new(inner: &'a mut dyn std::io::Write) -> IoWriter<'a> {
        IoWriter { inner, error: None }
    }

    /// What writing came to: the first I/O error, if there was one.
    fn finish(self) -> std::io::Result<()> {
        self.error.map_or(Ok(()), Err)
    }
}

impl std::fmt::Write for IoWriter<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        self.inner.write_all(text.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

#[cfg(test)]
mod tests {
    use super::IoWriter;
    use std::fmt::Write;

    /// A destination that takes `room` bytes, then fails (a full disk).
    struct Full {
        taken: Vec<u8>,
        room: usize,
    }

    impl std::io::Write for Full {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.taken.len() + bytes.len() > self.room {
                return Err(std::io::Error::other("disk full"));
            }
            self.taken.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn text_goes_through_and_the_first_error_is_kept() {
        let mut full = Full {
            taken: Vec::new(),
            room: 6,
        };
        let mut out = IoWriter::new(&mut full);
        assert!(write!(out, "abc").is_ok());
        assert!(write!(out, "defg").is_err());
        // Nothing more is written once writing failed, even what would fit.
        assert!(write!(out, "h").is_err());
        let error = out.finish().unwrap_err();
        assert_eq!(error.to_string(), "disk full");
        assert_eq!(full.taken, b"abc");
    }
}
