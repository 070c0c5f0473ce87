//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps). One run; every rule of the
//! applied policies in `tool.driver.rules` with its documentation and a numeric
//! `security-severity`; every finding a result with a repository-relative location, the chain
//! of the copy as related locations, a fingerprint that survives line moves, and its
//! suppression, if any. The output validates against the OASIS schema (tests check it).

use super::{Report, RuleDoc};
use crate::policy::{Finding, Severity};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};

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

pub const FINGERPRINT_KEY: &str = "residencyFinding/v1";

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

fn rule_json(rule: &RuleDoc) -> Value {
    let help_text = format!("{}\n\nRemediation: {}", rule.explanation, rule.remediation);
    let help_markdown = format!(
        "**{}** ({} policy `{}`)\n\n{}\n\n**Remediation.** {}\n\nRun `residency explain {}` for the rule's documentation.",
        rule.title, rule.severity.as_str(), rule.policy, rule.explanation, rule.remediation, rule.id
    );
    let mut value = json!({
        "id": rule.id,
        "name": pascal_case(&rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "security-severity": security_severity(rule.severity),
            "precision": "high",
            "tags": ["security", "data-residency", rule.policy],
        },
    });
    if let Some(uri) = &rule.reference {
        value["helpUri"] = json!(uri);
    }
    value
}

fn location(report: &Report, file: &str, line: usize, end_line: usize) -> Value {
    let mut physical = json!({"artifactLocation": {"uri": uri(report, file)}});
    if line > 0 {
        physical["region"] = json!({"startLine": line, "endLine": end_line.max(line)});
    }
    json!({ "physicalLocation": physical })
}

fn result_json(report: &Report, rule_index: usize, f: &Finding) -> Value {
    let mut text = f.message.clone();
    if f.via.len() > 1 {
        text.push_str(&format!(" (path: {})", f.via.join(" → ")));
    }
    let mut loc = location(report, &f.file, f.line, f.end_line);
    loc["logicalLocations"] = json!([{"fullyQualifiedName": f.resource, "kind": "resource"}]);
    let related: Vec<Value> = f
        .via
        .iter()
        .enumerate()
        .filter_map(|(i, step)| {
            let (file, line) = report.declared_at(step, &f.file)?;
            let mut l = location(report, file, line, line);
            l["id"] = json!(i + 1);
            l["message"] = json!({"text": format!("step {} of {}: {step}", i + 1, f.via.len())});
            Some(l)
        })
        .collect();
    let mut result = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [loc],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "policy": f.policy,
            "verdict": f.verdict,
            "severity": f.severity.as_str(),
            "dataset": f.dataset,
            "countries": f.countries,
        },
    });
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    if let Some(region) = &f.region {
        result["properties"]["region"] = json!(region);
    }
    if f.suppressed {
        let kind = match f.suppression_kind {
            Some("external") => "external",
            _ => "inSource",
        };
        result["suppressions"] = json!([{
            "kind": kind,
            "status": "accepted",
            "justification": f.suppression_reason.clone().unwrap_or_default(),
        }]);
    }
    result
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

/// How many bytes `text` takes gzipped (as an upload to GitHub would).
fn gzipped_len(text: &str) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(text.as_bytes());
    encoder.finish().map_or(usize::MAX, |bytes| bytes.len())
}

fn render_at_most(report: &Report, max_results: usize, size_limited: bool) -> (String, usize) {
    let rules: Vec<&RuleDoc> = report.rules.iter().collect();
    let kept = most_severe(&report.findings, max_results);
    let left_out = report.findings.len() - kept.len();
    let results: Vec<Value> = kept
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| r.id == f.rule).unwrap_or(0);
            result_json(report, index, f)
        })
        .collect();
    let mut notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "descriptor": {"id": e.code},
                "message": {"text": e.message},
                "locations": [location(report, &e.file, e.line, e.line)],
            })
        })
        .collect();
    if left_out > 0 {
        notifications.push(json!({
            "level": "warning",
            "descriptor": {"id": "results-left-out"},
            "message": {"text": format!(
                "{left_out} less severe results are left out: {}",
                if size_limited {
                    format!("GitHub code scanning accepts at most 10 MB of gzipped SARIF, and {max_results} results fit")
                } else {
                    format!("GitHub code scanning shows at most {max_results} results of a run (--sarif-max-results raises it, up to {HARD_MAX_RESULTS})")
                }
            )},
        }));
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules.iter().map(|r| rule_json(r)).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"disclaimer": report.disclaimer},
        }],
    });
    let count = kept.len();
    (
        serde_json::to_string_pretty(&sarif).unwrap_or_default() + "\n",
        count,
    )
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
