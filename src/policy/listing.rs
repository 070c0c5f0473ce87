//! The built-in rules as values: the list `residency policies` prints, and the index of every
//! rule (built-in policies and the suppression rules) that `explain` and the report's rule
//! documentation read, so that no rule is documented in two places.

use super::{generic_text, load, Policy, PolicyInfo, Severity, BUILT_IN};
use crate::diag::Diagnostic;
use crate::suppress::{META_POLICY, META_RULES};
use serde::Serialize;

/// One built-in policy as `residency policies` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub policy: PolicyInfo,
    pub rules: Vec<RuleSummary>,
}

/// A rule's id, title, severity and verdict.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub verdict: String,
}

/// Every built-in policy, in the order of `BUILT_IN`.
pub fn built_in() -> Result<Vec<Entry>, Diagnostic> {
    BUILT_IN.iter().map(|(id, _)| load(id).map(entry)).collect()
}

/// What `residency policies` lists: the policies named with `--policy` (built-in ids or
/// files, in the order given), or every built-in one.
pub fn listed(named: &[String]) -> Result<Vec<Entry>, Diagnostic> {
    if named.is_empty() {
        return built_in();
    }
    named.iter().map(|n| load(n).map(entry)).collect()
}

fn entry(p: Policy) -> Entry {
    Entry {
        rules: p
            .rules
            .iter()
            .map(|r| RuleSummary {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                verdict: r.verdict.clone(),
            })
            .collect(),
        policy: p.info,
    }
}

/// What `residency explain RULE` prints about one rule.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub id: String,
    pub title: String,
    /// The policy's id and title; the suppression rules belong to no policy file.
    pub policy: String,
    pub policy_title: Option<String>,
    pub severity: Severity,
    /// `None` for the suppression rules, which judge suppressions, not copies of mail.
    pub verdict: Option<String>,
    pub explanation: String,
    /// What to do, with the message placeholders made generic.
    pub remediation: String,
    pub citations: Vec<String>,
    /// When (and where) the law or rule the policy models applies: `from 2018-03-23`,
    /// `2016-07-14 to 2018-03-23, 2nd Circuit only`; `None` for the suppression rules.
    pub in_force: Option<String>,
}

/// When a policy applies, in words.
fn in_force(p: &Policy) -> String {
    let mut text = match &p.info.superseded_on {
        Some(until) => format!("{} to {until}", p.info.applies_from),
        None => format!("from {}", p.info.applies_from),
    };
    if let Some(scope) = &p.info.scope {
        text.push_str(&format!(", {scope}"));
    }
    text
}

/// A policy's rules as `explain` shows them.
fn explanations(p: &Policy) -> impl Iterator<Item = Explanation> + '_ {
    p.rules.iter().map(|r| Explanation {
        id: r.id.clone(),
        title: r.title.clone(),
        policy: p.info.id.clone(),
        policy_title: Some(p.info.title.clone()),
        severity: r.severity,
        verdict: Some(r.verdict.clone()),
        explanation: r.explanation.clone(),
        remediation: generic_text(&r.remediation),
        citations: p.info.citations.clone(),
        in_force: Some(in_force(p)),
    })
}

/// Every built-in rule: the rules of every built-in policy, then the suppression rules.
pub fn every_rule() -> Result<Vec<Explanation>, Diagnostic> {
    let mut all = Vec::new();
    for (id, _) in BUILT_IN {
        all.extend(explanations(&load(id)?));
    }
    all.extend(META_RULES.iter().map(|m| Explanation {
        id: m.id.to_string(),
        title: m.title.to_string(),
        policy: META_POLICY.to_string(),
        policy_title: None,
        severity: Severity::Medium,
        verdict: None,
        explanation: m.explanation.to_string(),
        remediation: m.remediation.to_string(),
        citations: Vec::new(),
        in_force: None,
    }));
    Ok(all)
}

/// The rule with this id (any case): from the policies named with `--policy` first (a policy
/// file's own rules), then the built-in rules.
pub fn explain(rule: &str, named: &[String]) -> Result<Option<Explanation>, Diagnostic> {
    for name in named {
        let policy = load(name)?;
        let found = explanations(&policy).find(|r| r.id.eq_ignore_ascii_case(rule));
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(every_rule()?
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(rule)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_across_policies_and_suppression_rules() {
        let rules = every_rule().unwrap();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "a rule id is defined twice");
    }

    #[test]
    fn every_rule_has_a_title_an_explanation_and_a_remediation() {
        for r in every_rule().unwrap() {
            for (what, text) in [
                ("title", &r.title),
                ("explanation", &r.explanation),
                ("remediation", &r.remediation),
            ] {
                assert!(text.trim().len() > 10, "{} has no {what}", r.id);
            }
        }
    }
}
