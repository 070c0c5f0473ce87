//! JUnit XML for GitLab (`artifacts:reports:junit`), Jenkins and other CI test views. One test
//! suite per applied policy, one test case per (rule, resource) over every copy in the map:
//! a failure where an unsuppressed finding is at or above `--fail-on`, skipped where the finding
//! is suppressed, passed otherwise (with the findings below `--fail-on` as its standard output).
//! Every case names its file. Findings about suppressions and unreadable inputs get suites of
//! their own. The output validates against the Ant JUnit schema with the `file` attribute and
//! per-case `<system-out>` that GitLab and Jenkins read (`tests/schemas/junit.xsd`).

use super::Report;
use crate::hash::HashMap;
use crate::policy::{Finding, Severity};
use std::collections::hash_map::Entry;
use std::fmt::Write;

/// Text safe in XML content and attribute values; characters XML 1.0 forbids are dropped.
/// Borrowed when nothing in it needs either (most names, files and messages).
fn xml(text: &str) -> std::borrow::Cow<'_, str> {
    // 0xEF starts U+FFFE and U+FFFF (and other characters, which the long way keeps).
    let plain = |b: u8| {
        !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0xEF)
            && (b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r'))
    };
    if text.bytes().all(plain) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// When the scan ran, as the schema wants it (no time zone); `SOURCE_DATE_EPOCH` fixes it for
/// reproducible output.
fn timestamp() -> String {
    let time = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        // RFC 3339 ends at 9999-12-31T23:59:59; a later date is clamped to it.
        .map(|secs| secs.min(253_402_300_799))
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now);
    let text = humantime::format_rfc3339_seconds(time).to_string();
    text.trim_end_matches('Z').to_string()
}

struct Case {
    name: String,
    classname: String,
    /// The file the case is about, from the repository root (GitLab links it).
    file: String,
    outcome: Outcome,
    /// Findings below `--fail-on` on a passing case: shown with the case, never a silent green.
    output: String,
}

enum Outcome {
    Passed,
    Skipped(String),
    Failed {
        kind: String,
        message: String,
        body: String,
    },
    Error {
        message: String,
    },
}

fn failure_body(f: &Finding) -> String {
    let mut body = format!("{}:{}\n{}", f.file, f.line, f.message);
    if f.via.len() > 1 {
        body.push_str(&format!("\npath: {}", f.via.join(" → ")));
    }
    if !f.remediation.is_empty() {
        body.push_str(&format!("\nfix: {}", f.remediation));
    }
    body
}

/// How a case ends, and the finding that decides it: what a suite counts before its cases are
/// written, without rendering their texts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Passed,
    Skipped,
    Failed,
    Error,
}

fn verdict<'f>(
    findings: &[&'f Finding],
    threshold: Option<Severity>,
) -> (Verdict, Option<&'f Finding>) {
    if let Some(f) = findings
        .iter()
        .find(|f| !f.suppressed && threshold.is_some_and(|t| f.severity >= t))
    {
        return (Verdict::Failed, Some(f));
    }
    if let Some(f) = findings.iter().find(|f| f.suppressed) {
        return (Verdict::Skipped, Some(f));
    }
    (Verdict::Passed, None)
}

fn outcome(findings: &[&Finding], threshold: Option<Severity>) -> Outcome {
    match verdict(findings, threshold) {
        (Verdict::Failed, Some(f)) => Outcome::Failed {
            kind: format!("{} {}", f.severity.as_str(), f.verdict),
            message: f.message.clone(),
            body: failure_body(f),
        },
        (Verdict::Skipped, Some(f)) => Outcome::Skipped(format!(
            "suppressed: {}",
            f.suppression_reason.as_deref().unwrap_or_default()
        )),
        _ => Outcome::Passed,
    }
}

impl Outcome {
    fn verdict(&self) -> Verdict {
        match self {
            Outcome::Passed => Verdict::Passed,
            Outcome::Skipped(_) => Verdict::Skipped,
            Outcome::Failed { .. } => Verdict::Failed,
            Outcome::Error { .. } => Verdict::Error,
        }
    }
}

/// The counts a `<testsuite>` opens with.
#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, verdict: Verdict) {
        self.tests += 1;
        match verdict {
            Verdict::Failed => self.failures += 1,
            Verdict::Error => self.errors += 1,
            Verdict::Skipped => self.skipped += 1,
            Verdict::Passed => {}
        }
    }

    fn of(cases: &[Case]) -> Counts {
        let mut counts = Counts::default();
        cases.iter().for_each(|c| counts.add(c.outcome.verdict()));
        counts
    }
}

/// One `<testsuite>`; `system_out` is its standard output text (findings below `--fail-on`).
/// `cases` are written as they come, after the counts they were counted into (`counts`): a
/// policy's suite has a case per rule and resource, too many to hold rendered.
#[allow(clippy::too_many_arguments)]
fn suite(
    out: &mut dyn Write,
    id: usize,
    name: &str,
    properties: &[(&str, String)],
    counts: &Counts,
    cases: impl Iterator<Item = Case>,
    stamp: &str,
    system_out: &str,
) {
    let Counts {
        tests,
        failures,
        errors,
        skipped,
    } = counts;
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\" timestamp=\"{stamp}\" hostname=\"localhost\" id=\"{id}\" package=\"residency\">",
        xml(name),
    );
    let _ = out.write_str("    <properties>\n");
    for (k, v) in properties {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            xml(k),
            xml(v)
        );
    }
    let _ = out.write_str("    </properties>\n");
    for c in cases {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"0\" file=\"{}\"",
            xml(&c.name),
            xml(&c.classname),
            xml(&c.file)
        );
        let _ = match &c.outcome {
            Outcome::Passed if c.output.is_empty() => out.write_str("/>\n"),
            Outcome::Passed => writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                xml(&c.output)
            ),
            Outcome::Skipped(message) => writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml(message)
            ),
            Outcome::Failed {
                kind,
                message,
                body,
            } => writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                xml(message),
                xml(kind),
                xml(body)
            ),
            Outcome::Error { message } => writeln!(
                out,
                ">\n      <error message=\"{}\" type=\"input-error\">{}</error>\n    </testcase>",
                xml(message),
                xml(message)
            ),
        };
    }
    let _ = writeln!(
        out,
        "    <system-out>{}</system-out>\n    <system-err></system-err>\n  </testsuite>",
        xml(system_out)
    );
}

/// One rule's findings with the place (in the list of resources) of the resource each is
/// about, sorted by place; findings about one resource keep the report's order.
struct RuleFindings<'f> {
    places: Vec<usize>,
    findings: Vec<&'f Finding>,
}

impl<'f> RuleFindings<'f> {
    /// From (place, finding) pairs in report order (a stable sort keeps it per place).
    fn sorted(mut pairs: Vec<(usize, &'f Finding)>) -> RuleFindings<'f> {
        pairs.sort_by_key(|(place, _)| *place);
        let (places, findings) = pairs.into_iter().unzip();
        RuleFindings { places, findings }
    }

    /// A cursor that gives each place's findings, asked for in increasing order of place.
    fn walk(&self) -> Walk<'_, 'f> {
        Walk {
            rule: self,
            next: 0,
        }
    }
}

struct Walk<'r, 'f> {
    rule: &'r RuleFindings<'f>,
    next: usize,
}

impl<'r, 'f> Walk<'r, 'f> {
    /// The findings about the resource at `place`; places must be asked for in order.
    fn at(&mut self, place: usize) -> &'r [&'f Finding] {
        let places = &self.rule.places;
        while self.next < places.len() && places[self.next] < place {
            self.next += 1;
        }
        let start = self.next;
        while self.next < places.len() && places[self.next] == place {
            self.next += 1;
        }
        &self.rule.findings[start..self.next]
    }
}

/// A finding as a line of standard output: `LOW CLD003 main.tf:4 aws_s3_bucket.x: message`.
fn output_line(f: &Finding) -> String {
    format!(
        "{} {} {}:{} {}: {}\n",
        f.severity.as_str().to_ascii_uppercase(),
        f.rule,
        f.file,
        f.line,
        f.resource,
        f.message
    )
}

pub fn render(report: &Report, threshold: Option<Severity>) -> String {
    let mut out = String::new();
    write(report, threshold, &mut out);
    out
}

/// [`render`], written to `out` as it goes (the scan streams it to its destination: at 100 MB
/// of configuration the XML is 156 MB).
pub fn write(report: &Report, threshold: Option<Severity>, out: &mut dyn Write) {
    let stamp = timestamp();
    let _ = out.write_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    // Every resource that holds a copy, once per deployment, in map order, with its file.
    let several = crate::datamap::several_deployments(&report.datasets);
    let mut resources: Vec<(&str, &str, &str)> = Vec::new();
    let mut place_of: HashMap<(&str, &str), usize> = HashMap::default();
    for d in &report.datasets {
        for c in &d.copies {
            if let Entry::Vacant(place) = place_of.entry((&c.deployment, &c.resource)) {
                place.insert(resources.len());
                resources.push((&c.deployment, &c.resource, &c.file));
            }
        }
    }
    // The findings of each rule in the order of the resources they are about: each case's
    // findings are then the next ones along, with no table looked up per case (a policy has
    // a case per rule and resource, a million at 100 MB).
    let mut by_rule: HashMap<&str, Vec<(usize, &Finding)>> = HashMap::default();
    for f in &report.findings {
        if let Some(&place) = place_of.get(&(f.deployment.as_str(), f.resource.as_str())) {
            by_rule.entry(&f.rule).or_default().push((place, f));
        }
    }
    drop(place_of);
    let by_rule: HashMap<&str, RuleFindings> = by_rule
        .into_iter()
        .map(|(rule, pairs)| (rule, RuleFindings::sorted(pairs)))
        .collect();
    let below = |f: &Finding| !f.suppressed && threshold.is_none_or(|t| f.severity < t);
    let mut id = 0;
    for policy in &report.policies {
        // Each (rule, resource) of the policy with its findings: walked once to count, once
        // to write.
        let pairs = || {
            report
                .rules
                .iter()
                .filter(|r| r.policy == policy.id)
                .flat_map(|rule| {
                    let mut found = by_rule.get(rule.id.as_str()).map(RuleFindings::walk);
                    resources.iter().enumerate().map(move |(at, place)| {
                        let findings = found.as_mut().map_or(&[][..], |f| f.at(at));
                        (rule, place, findings)
                    })
                })
        };
        let mut counts = Counts::default();
        for (_, _, findings) in pairs() {
            counts.add(verdict(findings, threshold).0);
        }
        let cases = pairs().map(|(rule, (deployment, resource, file), findings)| {
            let shown = if several {
                format!("{deployment}: {resource}")
            } else {
                resource.to_string()
            };
            Case {
                name: format!("{} {shown}", rule.id),
                classname: format!("{}.{}", policy.id, rule.id),
                file: super::sarif::repo_path(report, file),
                outcome: outcome(findings, threshold),
                output: findings
                    .iter()
                    .filter(|f| below(f))
                    .map(|f| output_line(f))
                    .collect(),
            }
        });
        let properties = [
            ("policy", policy.id.clone()),
            ("title", policy.title.clone()),
            ("applies_from", policy.applies_from.clone()),
            ("disclaimer", super::DISCLAIMER.to_string()),
        ];
        // Findings below --fail-on pass their case; they are listed with it and here, never a
        // silent green.
        let below: String = report
            .findings
            .iter()
            .filter(|f| f.policy == policy.id && below(f))
            .map(output_line)
            .collect();
        suite(
            out,
            id,
            &format!("residency: {}", policy.id),
            &properties,
            &counts,
            cases,
            &stamp,
            &below,
        );
        id += 1;
    }
    let meta: Vec<Case> = report
        .findings
        .iter()
        .filter(|f| f.role.is_none())
        .map(|f| Case {
            name: format!("{} {}:{}", f.rule, f.file, f.line),
            classname: format!("{}.{}", f.policy, f.rule),
            file: super::sarif::repo_path(report, &f.file),
            outcome: outcome(&[f], threshold),
            output: if below(f) {
                output_line(f)
            } else {
                String::new()
            },
        })
        .collect();
    if !meta.is_empty() {
        let counts = Counts::of(&meta);
        suite(
            out,
            id,
            "residency: suppressions",
            &[],
            &counts,
            meta.into_iter(),
            &stamp,
            "",
        );
        id += 1;
    }
    if !report.errors.is_empty() {
        let cases: Vec<Case> = report
            .errors
            .iter()
            .map(|e| Case {
                name: format!("read {}:{}", e.file, e.line),
                classname: "residency.inputs".into(),
                file: super::sarif::repo_path(report, &e.file),
                outcome: Outcome::Error {
                    message: e.message.clone(),
                },
                output: String::new(),
            })
            .collect();
        let counts = Counts::of(&cases);
        suite(
            out,
            id,
            "residency: inputs",
            &[],
            &counts,
            cases.into_iter(),
            &stamp,
            "",
        );
    }
    let _ = out.write_str("</testsuites>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clean text is written as it is (not copied); markup is escaped and what XML 1.0 forbids
    /// is dropped, including U+FFFE and U+FFFF, while other characters that share their first
    /// byte are kept.
    #[test]
    fn xml_escapes_markup_and_drops_what_xml_forbids() {
        assert!(matches!(
            xml("aws_s3_bucket.inbox ü"),
            std::borrow::Cow::Borrowed("aws_s3_bucket.inbox ü")
        ));
        assert_eq!(
            xml("a<b>&\"c\" 'd'\u{1b}[31m\t\n"),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;[31m\t\n"
        );
        assert_eq!(
            xml("x\u{FFFE}\u{FFFF}\u{F000}\u{FFFD}y"),
            "x\u{F000}\u{FFFD}y"
        );
    }
}
