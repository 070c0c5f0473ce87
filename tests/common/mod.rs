//! Helpers shared by the end-to-end tests: run the binary, read its JSON, list its findings.
#![allow(dead_code)] // each test file uses its own subset

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in `dir`; returns (exit code, stdout, stderr). Colour is left to the
/// arguments, and the JUnit timestamp is fixed so that outputs can be compared.
pub fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_residency"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("binary runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs the binary from the project root.
pub fn run(args: &[&str]) -> (i32, String, String) {
    run_in(&root(), args)
}

pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `residency scan PATH --format json EXTRA...`: the exit code and the report.
pub fn scan_json(path: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["scan", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(&args);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (code, report)
}

/// (rule, resource, line, suppressed) of every finding of a JSON report.
pub fn findings(report: &Value) -> Vec<(String, String, u64, bool)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["suppressed"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// A copy as `resource | region | countries` (`?` for an unknown region, no countries when
/// unknown).
pub fn place(copy: &Value) -> String {
    let countries: Vec<&str> = copy["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    format!(
        "{} | {} | {}",
        copy["resource"].as_str().unwrap(),
        copy["region"].as_str().unwrap_or("?"),
        countries.join(",")
    )
}

/// (source, reason, copies as `place` writes them) of each dataset of a map or report.
pub fn datasets_with_places(map: &Value) -> Vec<(String, String, Vec<String>)> {
    map["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["source"].as_str().unwrap().to_string(),
                d["reason"].as_str().unwrap_or_default().to_string(),
                d["copies"].as_array().unwrap().iter().map(place).collect(),
            )
        })
        .collect()
}

/// Every copy of every dataset as `resource | role | data | region | countries | keys | via`.
pub fn copies(map: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for d in map["datasets"].as_array().unwrap() {
        for c in d["copies"].as_array().unwrap() {
            let countries: Vec<&str> = c["countries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            let countries = match countries.len() {
                0 => "?".to_string(),
                n if n > 4 => format!("{n} countries"),
                _ => countries.join(","),
            };
            let via: Vec<&str> = c["via"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            out.push(
                [
                    c["resource"].as_str().unwrap(),
                    c["role"].as_str().unwrap(),
                    c["data"].as_str().unwrap(),
                    c["region"].as_str().unwrap_or("?"),
                    &countries,
                    c["key_custody"].as_str().unwrap(),
                    &via.join(" → "),
                ]
                .join(" | "),
            );
        }
    }
    out
}

/// (rule, resource, file, line) of every finding of a JSON report.
pub fn findings_at(report: &Value) -> Vec<(String, String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (file, line, message) of the errors or warnings of a report.
pub fn entries(report: &Value, key: &str) -> Vec<(String, u64, String)> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The text with every fingerprint (32 hex digits) replaced by `<fingerprint>`: fingerprints
/// use paths from the repository root (the nearest `.git`), so they differ between a clone and
/// a copy without `.git`; their stability has tests of its own.
pub fn without_fingerprints(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && bytes
                .get(i + run)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
        if run == 32 && bounded {
            out.push_str("<fingerprint>");
            i += run;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Whether the text report says `needle`, however its prose was wrapped: runs of white space
/// (line breaks and indentation included) count as one space on both sides.
pub fn says(text: &str, needle: &str) -> bool {
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    flat(text).contains(&flat(needle))
}
