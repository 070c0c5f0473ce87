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

mod audit;
pub(crate) mod comment;

pub use audit::{meta_rule, MetaRule, META_POLICY, META_RULES};
pub use comment::{is_date, parse_comment, today, Suppression, MARKER};

use crate::hash::{HashMap, HashSet};
use crate::policy::Finding;
use globset::{Glob, GlobMatcher};

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

/// Marks suppressed findings and returns the findings about suppressions themselves:
/// collects every suppression (inline comments and `[[ignore]]` entries), marks the findings
/// they name, then audits the suppressions (RES001-RES004).
pub fn apply(
    findings: &mut [Finding],
    lines_by_file: &HashMap<String, Vec<(usize, String)>>,
    ignores: &[Ignore],
    ctx: &Context,
) -> Vec<Finding> {
    let mut meta = Vec::new();
    let mut collected = collect(lines_by_file, ignores, &mut meta);
    mark(findings, &mut collected, ctx.today);
    meta.extend(audit::audit(&collected.found, ctx));
    meta
}

/// Every suppression, and where the inline ones are.
struct Collected {
    found: Vec<Found>,
    /// Inline suppressions, by file, in line order (positions in `found`).
    inline_by_file: HashMap<String, Vec<usize>>,
}

/// Reads the inline suppressions from the marker lines of each file, then the config file's
/// entries; an entry whose path glob is invalid is a RES001 finding in `meta` instead.
fn collect(
    lines_by_file: &HashMap<String, Vec<(usize, String)>>,
    ignores: &[Ignore],
    meta: &mut Vec<Finding>,
) -> Collected {
    let mut found: Vec<Found> = Vec::new();
    let mut files: Vec<&String> = lines_by_file.keys().collect();
    files.sort();
    let mut inline_by_file: HashMap<String, Vec<usize>> = HashMap::default();
    for file in files {
        for (number, line) in &lines_by_file[file] {
            if let Some(s) = parse_comment(line) {
                inline_by_file
                    .entry(file.clone())
                    .or_default()
                    .push(found.len());
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
    for ig in ignores {
        let path = match ig.path.as_deref().map(Glob::new) {
            Some(Ok(glob)) => Some(glob.compile_matcher()),
            Some(Err(e)) => {
                meta.push(audit::meta_finding(
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

    Collected {
        found,
        inline_by_file,
    }
}

/// Marks each finding that a usable suppression names (inline on the line above or inside
/// its block, or a config entry whose path and resource match), and records which
/// suppressions matched anything.
fn mark(findings: &mut [Finding], collected: &mut Collected, today: &str) {
    let Collected {
        found,
        inline_by_file,
    } = collected;
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
        if let Some(&i) = candidates.iter().find(|&&i| found[i].usable(today)) {
            f.suppressed = true;
            f.suppression_reason = Some(found[i].reason.clone());
            f.suppression_kind = Some(if found[i].inline {
                "in-source"
            } else {
                "external"
            });
        }
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
