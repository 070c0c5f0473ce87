//! The built-in rules about suppressions (RES001-RES004), and the audit that applies them: a
//! suppression that cannot be trusted does not suppress and is a finding of its own.

use super::{Context, Found, MARKER};
use crate::policy::{Finding, Severity};

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

/// The findings about the suppressions themselves.
pub(super) fn audit(found: &[Found], ctx: &Context) -> Vec<Finding> {
    let mut meta = Vec::new();
    for s in found {
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

pub(super) fn meta_finding(
    rule: &str,
    file: &str,
    line: usize,
    about: &str,
    message: String,
) -> Finding {
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
        deployment: String::new(),
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
