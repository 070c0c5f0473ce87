//! The HCL, YAML and JSON readers over every fixture and sample: the only error entries are
//! the files written to be malformed, each with its line and code. A reader that starts to
//! refuse a valid shape (or to accept a broken one) fails here.

mod common;

use common::{root, run};
use serde_json::Value;

/// The files under `tests/fixtures/` that are malformed on purpose.
const EXPECTED_ERRORS: &[(&str, u64, &str)] = &[
    ("arm/linked/broken.json", 4, "syntax"),
    ("hcl/unquoted-cidr/main.tf", 6, "syntax"),
    ("malformed/bad.yaml", 6, "syntax"),
    ("malformed/binary.tf", 3, "binary"),
    ("malformed/broken.tf", 3, "syntax"),
    ("malformed/truncated.json", 4, "syntax"),
];

fn errors_of(path: &str) -> Vec<(String, u64, String)> {
    let (code, stdout, stderr) = run(&["scan", path, "--format", "json", "--fail-on", "never"]);
    assert!(code == 0 || code == 3, "{path}: exit {code}: {stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_fixture_is_read_except_the_malformed_ones() {
    let expected: Vec<(String, u64, String)> = EXPECTED_ERRORS
        .iter()
        .map(|(f, l, c)| (f.to_string(), *l, c.to_string()))
        .collect();
    let fixtures = root().join("tests/fixtures");
    assert_eq!(errors_of(fixtures.to_str().unwrap()), expected);
}

#[test]
fn every_sample_is_read() {
    let samples = root().join("sample-configs");
    assert_eq!(errors_of(samples.to_str().unwrap()), []);
}
