//! Suppressions: accepting a finding on the record, with a reason and, if wanted, an end date.
//!
//! Inline, in any comment (`#` or `//`) on the line above a resource or inside its block:
//!
//! ```text
//! # residency:ignore MSI001,CLD001 until=2027-06-30 -- DR copy approved by counsel, LEGAL-7
//! ```
//!
//! or in the config file (`[[ignore]]` with `rule`, `path`, `resource`, `reason`, `until`).
//! A suppressed finding stays in every report, marked, with its reason, and no longer counts
//! toward `--fail-on`. A suppression that cannot be trusted does not suppress and is reported as
//! a finding of its own: no reason or a malformed date (RES001), an unknown rule (RES002), past
//! its date (RES003), or matching nothing (RES004).

use crate::policy::{Finding, Severity};
use globset::{Glob, GlobMatcher};
use std::collections::{HashMap, HashSet};

pub const MARKER: &str = "residency:ignore";

/// A suppression as written, inline or in the config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    pub rules: Vec<String>,
    /// Last day (inclusive) the suppression holds, `YYYY-MM-DD`.
    pub until: Option<String>,
    pub reason: String,
    /// A `until=` value that is not a date.
    pub bad_date: Option<String>,
}

/// A suppression from the config file: by rule, and optionally by path glob and resource.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub rule: String,
    pub path: Option<String>,
    pub resource: Option<String>,
    pub reason: String,
    pub until: Option<String>,
    /// Where it is written, for reports about it.
    pub file: String,
    pub line: usize,
}

/// Rules about suppressions themselves, built in.
pub struct MetaRule {
    pub id: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
    pub remediation: &'static str,
}

pub const META_POLICY: &str = "residency";

pub const META_RULES: &[MetaRule] = &[
    MetaRule {
        id: "RES001",
        title: "Suppression without a reason or with a malformed date",
        explanation: "A suppression accepts an exposure on the record, so it must say why. One without a reason after `--`, or whose `until=` is not a date (YYYY-MM-DD), does not suppress anything; the findings it names still count.",
        remediation: "Write the reason after `--` (and a date as until=YYYY-MM-DD): # residency:ignore MSI001 until=2027-06-30 -- approved by counsel, LEGAL-7",
    },
    MetaRule {
        id: "RES002",
        title: "Suppression names an unknown rule",
        explanation: "The suppression names a rule id that no built-in or applied policy defines, so it can never match; a typo here leaves the finding it meant to accept failing the build.",
        remediation: "Use the rule id shown in the finding (`residency policies` lists them), or `all`.",
    },
    MetaRule {
        id: "RES003",
        title: "Suppression expired",
        explanation: "The suppression's `until=` date has passed, so the findings it named count again. Accepted exposures are meant to be reviewed, not kept forever.",
        remediation: "Review the exposure: fix it, or renew the suppression with a new date and reason.",
    },
    MetaRule {
        id: "RES004",
        title: "Suppression matches no finding",
        explanation: "No finding of an applied policy matches this suppression any more: the exposure was fixed, the resource moved, or the suppression sits on the wrong block. Stale suppressions hide future findings.",
        remediation: "Remove the suppression, or move it to the line above the resource it is meant for.",
    },
];

pub fn meta_rule(id: &str) -> Option<&'static MetaRule> {
    META_RULES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// Reads a suppression from a line that carries the marker in a comment.
pub fn parse_comment(line: &str) -> Option<Suppression> {
    let at = line.find(MARKER)?;
    let before = line[..at].trim_end();
    if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("/*")) {
        return None;
    }
    let rest = line[at + MARKER.len()..].trim_start_matches([':', '=', ' ']);
    let rest = rest.trim().trim_end_matches("*/").trim();
    let (rules, mut rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let rules: Vec<String> = rules
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return None;
    }
    let mut until = None;
    let mut bad_date = None;
    loop {
        rest = rest.trim_start();
        let Some(after) = rest.strip_prefix("until=") else {
            break;
        };
        let (date, tail) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
        if is_date(date) {
            until = Some(date.to_string());
        } else {
            bad_date = Some(date.to_string());
        }
        rest = tail;
    }
    let reason = rest.trim_start().strip_prefix("--").unwrap_or(rest).trim();
    Some(Suppression {
        rules,
        until,
        reason: reason.to_string(),
        bad_date,
    })
}

/// `YYYY-MM-DD` naming a real day.
pub fn is_date(text: &str) -> bool {
    text.len() == 10 && humantime::parse_rfc3339(&format!("{text}T00:00:00Z")).is_ok()
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_string()
}

/// A suppression found somewhere, and what became of it.
struct Found {
    rules: Vec<String>,
    until: Option<String>,
    reason: String,
    bad_date: Option<String>,
    file: String,
    line: usize,
    /// Config-file scope.
    path: Option<GlobMatcher>,
    resource: Option<String>,
    inline: bool,
    matched: bool,
}

impl Found {
    fn usable(&self, today: &str) -> bool {
        !self.reason.is_empty()
            && self.bad_date.is_none()
            && self.until.as_deref().is_none_or(|u| u >= today)
    }
}

/// What the suppression stage needs to know.
pub struct Context<'a> {
    /// Rules of the policies applied in this run: only these can be matched.
    pub applied_rules: &'a HashSet<String>,
    /// Every rule id residency knows (all built-in and applied policies).
    pub known_rules: &'a HashSet<String>,
    pub today: &'a str,
}

/// Marks suppressed findings and returns the findings about suppressions themselves.
pub fn apply(
    findings: &mut [Finding],
    lines_by_file: &HashMap<String, Vec<(usize, String)>>,
    ignores: &[Ignore],
    ctx: &Context,
) -> Vec<Finding> {
    let mut found: Vec<Found> = Vec::new();
    let mut files: Vec<&String> = lines_by_file.keys().collect();
    files.sort();
    // Inline suppressions, by file, in line order.
    let mut inline_by_file: HashMap<&str, Vec<usize>> = HashMap::new();
    for file in files {
        for (number, line) in &lines_by_file[file] {
            if let Some(s) = parse_comment(line) {
                inline_by_file.entry(file).or_default().push(found.len());
                found.push(Found {
                    rules: s.rules,
                    until: s.until,
                    reason: s.reason,
                    bad_date: s.bad_date,
                    file: file.clone(),
                    line: *number,
                    path: None,
                    resource: None,
                    inline: true,
                    matched: false,
                });
            }
        }
    }
    let mut meta = Vec::new();
    for ig in ignores {
        let path = match ig.path.as_deref().map(Glob::new) {
            Some(Ok(glob)) => Some(glob.compile_matcher()),
            Some(Err(e)) => {
                meta.push(meta_finding(
                    "RES001",
                    &ig.file,
                    ig.line,
                    &ig.rule,
                    format!("ignore entry for {}: invalid path glob: {e}", ig.rule),
                ));
                continue;
            }
            None => None,
        };
        let bad_date = ig.until.clone().filter(|d| !is_date(d));
        found.push(Found {
            rules: vec![ig.rule.clone()],
            until: ig.until.clone().filter(|d| is_date(d)),
            reason: ig.reason.trim().to_string(),
            bad_date,
            file: ig.file.clone(),
            line: ig.line,
            path,
            resource: ig.resource.clone(),
            inline: false,
            matched: false,
        });
    }

    for f in findings.iter_mut() {
        let names = |s: &Found| s.rules.iter().any(|r| r == &f.rule || r == "all");
        let inline = inline_by_file
            .get(f.file.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| {
                let s = &found[i];
                // The line above the block, or any line inside it.
                f.line > 0 && s.line + 1 >= f.line && s.line <= f.end_line.max(f.line)
            });
        let configured = (0..found.len()).filter(|&i| {
            let s = &found[i];
            !s.inline
                && s.path.as_ref().is_none_or(|g| g.is_match(&f.file))
                && s.resource.as_ref().is_none_or(|r| *r == f.resource)
        });
        let candidates: Vec<usize> = inline
            .chain(configured)
            .filter(|&i| names(&found[i]))
            .collect();
        for &i in &candidates {
            found[i].matched = true;
        }
        if let Some(&i) = candidates.iter().find(|&&i| found[i].usable(ctx.today)) {
            f.suppressed = true;
            f.suppression_reason = Some(found[i].reason.clone());
            f.suppression_kind = Some(if found[i].inline {
                "in-source"
            } else {
                "external"
            });
        }
    }

    for s in &found {
        let label = s.rules.join(",");
        let place = if s.inline {
            "suppression"
        } else {
            "ignore entry"
        };
        if s.reason.is_empty() || s.bad_date.is_some() {
            let why = match &s.bad_date {
                Some(d) => format!("until={d} is not a date (YYYY-MM-DD)"),
                None => "it gives no reason (write it after `--`)".to_string(),
            };
            meta.push(meta_finding(
                "RES001",
                &s.file,
                s.line,
                &label,
                format!("{place} for {label} does not apply: {why}"),
            ));
        }
        for rule in s.rules.iter().filter(|r| *r != "all") {
            if !ctx.known_rules.contains(rule) {
                meta.push(meta_finding(
                    "RES002",
                    &s.file,
                    s.line,
                    rule,
                    format!("{place} names {rule}, which no policy defines"),
                ));
            }
        }
        if let Some(until) = s.until.as_deref().filter(|u| *u < ctx.today) {
            meta.push(meta_finding(
                "RES003",
                &s.file,
                s.line,
                &label,
                format!(
                    "{place} for {label} expired on {until}; the findings it named count again"
                ),
            ));
        }
        let applies_here = s
            .rules
            .iter()
            .any(|r| r == "all" || ctx.applied_rules.contains(r));
        if !s.matched && applies_here {
            meta.push(meta_finding(
                "RES004",
                &s.file,
                s.line,
                &label,
                format!("{place} for {label} matches no finding"),
            ));
        }
    }
    meta
}

fn meta_finding(rule: &str, file: &str, line: usize, about: &str, message: String) -> Finding {
    let meta = meta_rule(rule).expect("meta rule ids are constants");
    Finding {
        rule: rule.to_string(),
        policy: META_POLICY.to_string(),
        severity: Severity::Medium,
        verdict: "invalid-suppression".to_string(),
        title: meta.title.to_string(),
        message,
        remediation: meta.remediation.to_string(),
        dataset: String::new(),
        resource: format!("{MARKER} {about}"),
        file: file.to_string(),
        line,
        end_line: line,
        role: None,
        data: None,
        region: None,
        countries: Vec::new(),
        suppressed: false,
        suppression_reason: None,
        suppression_kind: None,
        fingerprint: String::new(),
        via: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_forms() {
        let s = parse_comment("  # residency:ignore MSI001,CLD001 -- approved by legal").unwrap();
        assert_eq!(s.rules, ["MSI001", "CLD001"]);
        assert_eq!(s.reason, "approved by legal");
        assert_eq!(s.until, None);
        let s = parse_comment("// residency:ignore:EEA002").unwrap();
        assert_eq!(s.rules, ["EEA002"]);
        assert_eq!(s.reason, "");
        let s = parse_comment("# residency:ignore MSI001 until=2027-06-30 -- DR copy, LEGAL-7")
            .unwrap();
        assert_eq!(s.until.as_deref(), Some("2027-06-30"));
        assert_eq!(s.reason, "DR copy, LEGAL-7");
        let s = parse_comment("# residency:ignore MSI001 until=2027-02-30 -- x").unwrap();
        assert_eq!(s.bad_date.as_deref(), Some("2027-02-30"));
        // Without `--`, the rest of the comment is the reason.
        let s = parse_comment("# residency:ignore MSI001 approved by legal").unwrap();
        assert_eq!(s.reason, "approved by legal");
        assert!(parse_comment("# nothing here").is_none());
        // The marker must be in a comment, not in a string.
        assert!(parse_comment("  name = \"residency:ignore MSI001\"").is_none());
    }
}
