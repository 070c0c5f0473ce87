//! Fingerprints and baselines. A fingerprint names a finding by what it is about (rule, dataset,
//! resource, file), never by line, so it survives lines moving and unrelated edits. A baseline
//! is the list of today's fingerprints: `--write-baseline FILE` records it, `--baseline FILE`
//! reports only findings that are not in it.

use crate::diag::Diagnostic;
use crate::hash::HashSet;
use crate::policy::Finding;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Version of the baseline file format: 2 records fingerprints that include the deployment;
/// files of version 1 are still read (their fingerprints do not tell deployments apart).
pub const FORMAT: u32 = 2;

/// A hex SHA-256 prefix of the finding's identity: rule, dataset, resource, file and
/// deployment (two deployments of one module are two findings), never the line. Paths are
/// from the repository root (`repo_path` maps a path of the report there), so a baseline
/// written for `scan infra/` matches `scan .`.
pub fn fingerprint(f: &Finding, repo_path: &dyn Fn(&str) -> String) -> String {
    digest(f, &repo_path(&f.file), Some(&repo_path(&f.deployment)))
}

/// The identity baselines of format 1 recorded: the file as the scan showed it, no deployment.
pub fn legacy_fingerprint(f: &Finding) -> String {
    digest(f, &f.file, None)
}

fn digest(f: &Finding, file: &str, deployment: Option<&str>) -> String {
    let mut hash = Sha256::new();
    for part in [f.rule.as_str(), &f.dataset, &f.resource, file] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    if let Some(deployment) = deployment.filter(|_| !f.deployment.is_empty()) {
        hash.update(b"deployment\0");
        hash.update(deployment.as_bytes());
        hash.update([0u8]);
    }
    if f.role.is_none() {
        // Findings about suppressions: the message names the rules they cover.
        hash.update(f.message.as_bytes());
    }
    short_hex(&hash.finalize())
}

/// The first 16 bytes of a digest in hex: the identity of a finding here, and of an input
/// error in GitLab's report. Written into one string (not a string per byte: this runs for
/// every finding).
pub fn short_hex(digest: &[u8]) -> String {
    let mut hex = String::with_capacity(32);
    for b in digest.iter().take(16) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    fingerprint: String,
    rule: String,
    resource: String,
    file: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    residency_baseline: u32,
    findings: Vec<Entry>,
}

/// The baseline file for a set of findings, sorted so that it diffs well.
pub fn write(findings: &[Finding]) -> String {
    let mut entries: Vec<Entry> = findings
        .iter()
        .filter(|f| f.role.is_some())
        .map(|f| Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.clone(),
            resource: f.resource.clone(),
            file: f.file.clone(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.file, &a.rule, &a.resource, &a.fingerprint).cmp(&(
            &b.file,
            &b.rule,
            &b.resource,
            &b.fingerprint,
        ))
    });
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let file = File {
        residency_baseline: FORMAT,
        findings: entries,
    };
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}

/// The findings a baseline accepts.
#[derive(Debug, Clone, Default)]
pub struct Accepted {
    /// Fingerprints of the current format.
    current: HashSet<String>,
    /// Fingerprints of a format-1 file, matched with `legacy_fingerprint`.
    legacy: HashSet<String>,
}

impl Accepted {
    pub fn contains(&self, f: &Finding) -> bool {
        self.current.contains(&f.fingerprint)
            || (!self.legacy.is_empty() && self.legacy.contains(&legacy_fingerprint(f)))
    }
}

/// The fingerprints recorded in a baseline file (format 1 or 2).
pub fn read(text: &str, name: &str) -> Result<Accepted, Diagnostic> {
    let file: File = serde_json::from_str(text)
        .map_err(|e| Diagnostic::usage(format!("baseline {name}: {e}")))?;
    let fingerprints = file.findings.into_iter().map(|e| e.fingerprint).collect();
    match file.residency_baseline {
        FORMAT => Ok(Accepted {
            current: fingerprints,
            legacy: HashSet::default(),
        }),
        1 => Ok(Accepted {
            current: HashSet::default(),
            legacy: fingerprints,
        }),
        other => Err(Diagnostic::usage(format!(
            "baseline {name}: format {other} is not supported (expected {FORMAT}, or 1)"
        ))),
    }
}
