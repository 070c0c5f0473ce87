//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps). One run; every rule of the
//! applied policies in `tool.driver.rules` with its documentation and a numeric
//! `security-severity`; every finding a result with a repository-relative location, the chain
//! of the copy as related locations, a fingerprint that survives line moves, and its
//! suppression, if any. The output validates against the OASIS schema (tests check it).

use super::{Report, RuleDoc};
use crate::policy::{Finding, Severity};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;

/// Characters escaped in a URI path segment (RFC 3986), beyond controls.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// GitHub ranks code-scanning alerts by this number: 9.0+ critical, 7.0–8.9 high, 4.0–6.9
/// medium, 0.1–3.9 low. High findings are exposures of mail content (8.0), medium ones
/// indeterminate or metadata exposures (5.0), low ones reduced exposures (3.0), info ones
/// findings of no exposure (0.0).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::High => "8.0",
        Severity::Medium => "5.0",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A report path as a URI relative to the working directory (the repository root in CI), or
/// a `file://` URI when the scanned path lies outside it.
pub fn uri(report: &Report, file: &str) -> String {
    let joined = if report.root.is_empty() {
        file.to_string()
    } else {
        format!("{}/{file}", report.root)
    };
    let encoded: Vec<String> = joined
        .split('/')
        .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
        .collect();
    let encoded = encoded.join("/");
    if joined.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

/// The path of a report file from the working directory, for GitHub annotations.
pub fn repo_path(report: &Report, file: &str) -> String {
    if report.root.is_empty() {
        file.to_string()
    } else {
        format!("{}/{file}", report.root)
    }
}

fn pascal_case(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

// The SARIF log as types that borrow from the report and serialize straight to the output,
// in the order SARIF viewers show the properties (no `serde_json::Value` of the whole log).

#[derive(Serialize)]
struct Text<T: Serialize> {
    text: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'r> {
    id: &'r str,
    name: String,
    short_description: Text<&'r str>,
    full_description: Text<&'r str>,
    help: Help,
    default_configuration: Level,
    properties: RuleProperties<'r>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'r str>,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'r> {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
    tags: [&'r str; 3],
}

fn rule(rule: &RuleDoc) -> Rule<'_> {
    Rule {
        id: &rule.id,
        name: pascal_case(&rule.title),
        short_description: Text { text: &rule.title },
        full_description: Text {
            text: &rule.explanation,
        },
        help: Help {
            text: format!("{}\n\nRemediation: {}", rule.explanation, rule.remediation),
            markdown: format!(
                "**{}** ({} policy `{}`)\n\n{}\n\n**Remediation.** {}\n\nRun `residency explain {}` for the rule's documentation.",
                rule.title, rule.severity.as_str(), rule.policy, rule.explanation, rule.remediation, rule.id
            ),
        },
        default_configuration: Level {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(rule.severity),
            precision: "high",
            tags: ["security", "data-residency", &rule.policy],
        },
        help_uri: rule.reference.as_deref(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'r> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    logical_locations: Option<[LogicalLocation<'r>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Uri,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Uri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    end_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'r> {
    fully_qualified_name: &'r str,
    kind: &'static str,
}

fn location<'r>(report: &Report, file: &str, line: usize, end_line: usize) -> Location<'r> {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: Uri {
                uri: uri(report, file),
            },
            region: (line > 0).then(|| Region {
                start_line: line,
                end_line: end_line.max(line),
            }),
        },
        logical_locations: None,
        id: None,
        message: None,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'r> {
    rule_id: &'r str,
    rule_index: usize,
    level: &'static str,
    message: Text<String>,
    locations: [Location<'r>; 1],
    partial_fingerprints: Fingerprints<'r>,
    properties: ResultProperties<'r>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'r>; 1]>,
}

/// The finding's fingerprint under residency's own key, versioned so that a change of scheme
/// is a new key rather than a silent change of identity.
#[derive(Serialize)]
struct Fingerprints<'r> {
    #[serde(rename = "residencyFinding/v1")]
    finding: &'r str,
}

#[derive(Serialize)]
struct ResultProperties<'r> {
    policy: &'r str,
    verdict: &'r str,
    severity: &'static str,
    dataset: &'r str,
    countries: &'r [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'r str>,
}

#[derive(Serialize)]
struct Suppression<'r> {
    kind: &'static str,
    status: &'static str,
    justification: &'r str,
}

fn result<'r>(report: &'r Report, rule_index: usize, f: &'r Finding) -> SarifResult<'r> {
    let mut text = f.message.clone();
    if f.via.len() > 1 {
        text.push_str(&format!(" (path: {})", f.via.join(" → ")));
    }
    let mut primary = location(report, &f.file, f.line, f.end_line);
    primary.logical_locations = Some([LogicalLocation {
        fully_qualified_name: &f.resource,
        kind: "resource",
    }]);
    let related = f
        .via
        .iter()
        .enumerate()
        .filter_map(|(i, step)| {
            let (file, line) = report.declared_at(step, &f.file)?;
            let mut l = location(report, file, line, line);
            l.id = Some(i + 1);
            l.message = Some(Text {
                text: format!("step {} of {}: {step}", i + 1, f.via.len()),
            });
            Some(l)
        })
        .collect();
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations: [primary],
        partial_fingerprints: Fingerprints {
            finding: &f.fingerprint,
        },
        properties: ResultProperties {
            policy: &f.policy,
            verdict: &f.verdict,
            severity: f.severity.as_str(),
            dataset: &f.dataset,
            countries: &f.countries,
            region: f.region.as_deref(),
        },
        related_locations: related,
        suppressions: f.suppressed.then(|| {
            [Suppression {
                kind: match f.suppression_kind {
                    Some("external") => "external",
                    _ => "inSource",
                },
                status: "accepted",
                justification: f.suppression_reason.as_deref().unwrap_or_default(),
            }]
        }),
    }
}

#[derive(Serialize)]
struct Log<'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'r>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'r> {
    tool: Tool<'r>,
    invocations: [Invocation<'r>; 1],
    results: Vec<SarifResult<'r>>,
    column_kind: &'static str,
    properties: RunProperties,
}

#[derive(Serialize)]
struct Tool<'r> {
    driver: Driver<'r>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'r> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule<'r>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'r> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'r>>,
}

#[derive(Serialize)]
struct Notification<'r> {
    level: &'static str,
    descriptor: Descriptor,
    message: Text<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Location<'r>; 1]>,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Serialize)]
struct RunProperties {
    disclaimer: &'static str,
}

/// GitHub code scanning shows the 5,000 most severe results of a run.
pub const DEFAULT_MAX_RESULTS: usize = 5_000;
/// GitHub code scanning refuses a run with more results than this.
pub const HARD_MAX_RESULTS: usize = 25_000;

/// GitHub code scanning refuses a SARIF upload larger than this once gzipped (10 MB); residency
/// keeps under it with some room.
pub const MAX_GZIPPED_BYTES: usize = 9_500_000;

pub fn render(report: &Report) -> String {
    render_limited(report, DEFAULT_MAX_RESULTS).0
}

/// The SARIF log with at most `max_results` results, the most severe kept (in report order),
/// and fewer if GitHub's size limit needs it; a notification says how many were left out.
/// Returns the log and the number of results in it.
pub fn render_limited(report: &Report, max_results: usize) -> (String, usize) {
    let mut max = max_results;
    loop {
        let (text, kept) = render_at_most(report, max, max < max_results);
        // Gzip shrinks SARIF at least fivefold in practice: only a large log is measured.
        if text.len() <= MAX_GZIPPED_BYTES || max <= 1 || gzipped_len(&text) <= MAX_GZIPPED_BYTES {
            return (text, kept);
        }
        max = max * 4 / 5;
    }
}

/// Writes what [`render_limited`] gives to `out`; returns the number of results in it. A log
/// that is small enough as it is (nearly all of them) is written as it is serialized, never
/// held whole: its size is counted first, by serializing it into nothing (4,400 small files:
/// the SARIF report stage took 10 MB more than the JSON one, the log and its growth).
pub fn write_limited(
    report: &Report,
    max_results: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    let (log, kept) = log_at_most(report, max_results, false);
    let mut size = Counted(0);
    serde_json::to_writer_pretty(&mut size, &log)?;
    // The log and its final newline, as `render_at_most` measures it.
    if size.0 < MAX_GZIPPED_BYTES {
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")?;
        return Ok(kept);
    }
    drop(log);
    let (text, kept) = render_limited(report, max_results);
    out.write_all(text.as_bytes())?;
    Ok(kept)
}

/// A writer that only counts what it is given.
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How many bytes `text` takes gzipped (as an upload to GitHub would).
fn gzipped_len(text: &str) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(text.as_bytes());
    encoder.finish().map_or(usize::MAX, |bytes| bytes.len())
}

fn render_at_most(report: &Report, max_results: usize, size_limited: bool) -> (String, usize) {
    let (log, count) = log_at_most(report, max_results, size_limited);
    (
        serde_json::to_string_pretty(&log).unwrap_or_default() + "\n",
        count,
    )
}

/// The SARIF log with at most `max_results` results, the most severe kept; `size_limited`
/// says why results were left out. Returns the log and the number of results in it.
fn log_at_most(report: &Report, max_results: usize, size_limited: bool) -> (Log<'_>, usize) {
    let rules: Vec<&RuleDoc> = report.rules.iter().collect();
    let kept = most_severe(&report.findings, max_results);
    let left_out = report.findings.len() - kept.len();
    let results: Vec<SarifResult> = kept
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| r.id == f.rule).unwrap_or(0);
            result(report, index, f)
        })
        .collect();
    let mut notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|e| Notification {
            level: "error",
            descriptor: Descriptor {
                id: e.code.as_str(),
            },
            message: Text {
                text: e.message.clone(),
            },
            locations: Some([location(report, &e.file, e.line, e.line)]),
        })
        .collect();
    if left_out > 0 {
        notifications.push(Notification {
            level: "warning",
            descriptor: Descriptor {
                id: "results-left-out",
            },
            message: Text {
                text: format!(
                    "{left_out} less severe results are left out: {}",
                    if size_limited {
                        format!("GitHub code scanning accepts at most 10 MB of gzipped SARIF, and {max_results} results fit")
                    } else {
                        format!("GitHub code scanning shows at most {max_results} results of a run (--sarif-max-results raises it, up to {HARD_MAX_RESULTS})")
                    }
                ),
            },
            locations: None,
        });
    }
    let count = results.len();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: report.tool.name,
                    version: report.tool.version,
                    semantic_version: report.tool.version,
                    rules: rules.iter().map(|r| rule(r)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
            column_kind: "unicodeCodePoints",
            properties: RunProperties {
                disclaimer: report.disclaimer,
            },
        }],
    };
    (log, count)
}

/// The `max` most severe findings, in the order of `findings`.
pub fn most_severe(
    findings: &[crate::policy::Finding],
    max: usize,
) -> Vec<&crate::policy::Finding> {
    if findings.len() <= max {
        return findings.iter().collect();
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    // Most severe first; among equals, report order.
    order.sort_by(|a, b| {
        findings[*b]
            .severity
            .cmp(&findings[*a].severity)
            .then(a.cmp(b))
    });
    let mut keep: Vec<usize> = order.into_iter().take(max).collect();
    keep.sort_unstable();
    keep.into_iter().map(|i| &findings[i]).collect()
}
