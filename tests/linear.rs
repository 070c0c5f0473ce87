//! Cost proportional to the input, as counts rather than times (speed is measured by
//! `benches/bench.py`, never in tests): doubling a generated tree doubles its datasets, copies
//! and findings exactly, and its JSON and SARIF reports grow by the same amount each time —
//! also when every deployment uses the same bucket names, where joining deployments by name
//! would grow as the square.

mod common;

use common::run;
use std::path::Path;

/// One deployment: mail received in Ireland, stored in a bucket that replicates to Virginia
/// and is backed up with a copy to Oregon. `shared` gives every deployment the same names.
fn deployment(dir: &Path, i: usize, shared: bool) {
    let name = if shared {
        "corp".to_string()
    } else {
        format!("corp{i:04}")
    };
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        format!(
            r#"provider "aws" {{
  region = "eu-west-1"
}}

provider "aws" {{
  alias  = "us"
  region = "us-east-1"
}}

resource "aws_ses_receipt_rule" "inbound" {{
  name          = "{name}-inbound"
  rule_set_name = "default"
  recipients    = ["mail@example.com"]
  s3_action {{
    bucket_name = aws_s3_bucket.mail.id
    position    = 1
  }}
}}

resource "aws_s3_bucket" "mail" {{
  bucket = "{name}-mail"
}}

resource "aws_s3_bucket" "replica" {{
  provider = aws.us
  bucket   = "{name}-mail-replica"
}}

resource "aws_s3_bucket_replication_configuration" "dr" {{
  bucket = aws_s3_bucket.mail.id
  role   = "arn:aws:iam::111122223333:role/replication"
  rule {{
    status = "Enabled"
    destination {{
      bucket = aws_s3_bucket.replica.arn
    }}
  }}
}}
"#
        ),
    )
    .unwrap();
}

/// (datasets, copies, findings, JSON bytes, SARIF bytes) of a tree of `n` deployments.
fn measure(n: usize, shared: bool) -> (u64, u64, usize, usize, usize) {
    let tree = tempfile::tempdir().unwrap();
    for i in 0..n {
        deployment(&tree.path().join(format!("d{i:04}")), i, shared);
    }
    let path = tree.path().to_str().unwrap();
    let (_, json, _) = run(&["scan", path, "--format", "json"]);
    let (_, sarif, _) = run(&["scan", path, "--format", "sarif"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    (
        report["summary"]["datasets"].as_u64().unwrap(),
        report["summary"]["copies"].as_u64().unwrap(),
        report["findings"].as_array().unwrap().len(),
        json.len(),
        sarif.len(),
    )
}

fn assert_linear(shared: bool) {
    let (d1, c1, f1, j1, s1) = measure(4, shared);
    let (d2, c2, f2, j2, s2) = measure(8, shared);
    let (d4, c4, f4, j4, s4) = measure(16, shared);
    assert_eq!(
        (d1, c1),
        (4, 12),
        "one dataset of three copies per deployment"
    );
    assert_eq!((d2, c2, f2), (2 * d1, 2 * c1, 2 * f1));
    assert_eq!((d4, c4, f4), (2 * d2, 2 * c2, 2 * f2));
    // Each doubling adds twice what the one before added, give or take the digits of counts.
    let grows = |small: usize, mid: usize, big: usize| {
        let (first, second) = (mid - small, big - mid);
        second.abs_diff(2 * first) <= 64
    };
    assert!(grows(j1, j2, j4), "JSON: {j1} {j2} {j4}");
    assert!(grows(s1, s2, s4), "SARIF: {s1} {s2} {s4}");
}

#[test]
fn doubling_the_tree_doubles_datasets_copies_findings_and_report_size() {
    assert_linear(false);
}

#[test]
fn deployments_with_the_same_names_stay_linear() {
    assert_linear(true);
}
