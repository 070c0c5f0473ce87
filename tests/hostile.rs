//! Hostile and odd inputs, determinism, secrets and side effects: every case ends with the other
//! files scanned and a clear entry, never a panic or a hang; the same tree gives the same bytes
//! whatever the thread count; no credential reaches any report; the scan writes nothing.

mod common;

use common::{entries, root, run, run_in};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scan whose exit code does not depend on findings (only on errors).
fn scan_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--fail-on", "never"];
    args.extend_from_slice(extra);
    common::scan_json(dir, &args)
}

const GOOD: &str = "provider \"aws\" {\n  region = \"eu-west-1\"\n}\nresource \"aws_workmail_organization\" \"corp\" {\n  organization_alias = \"corp\"\n}\n";

fn with_good_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.tf"), GOOD).unwrap();
    dir
}

fn datasets(report: &Value) -> usize {
    report["datasets"].as_array().unwrap().len()
}

#[test]
fn files_over_the_size_limit_are_errors_not_reads() {
    let dir = with_good_file();
    let big = format!("locals {{\n  x = \"{}\"\n}}\n", "a".repeat(2 * 1024 * 1024));
    std::fs::write(dir.path().join("big.tf"), big).unwrap();
    let (code, report) = scan_json(dir.path(), &["--max-file-size", "1M"]);
    assert_eq!(code, 3);
    assert_eq!(
        entries(&report, "errors"),
        [(
            "big.tf".to_string(),
            0,
            "file is 2097172 bytes, larger than the 1048576 byte limit (--max-file-size)"
                .to_string()
        )]
    );
    assert_eq!(datasets(&report), 1, "the good file is still scanned");
    // The default limit (16 MiB) reads it.
    let (code, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    let (code, _, stderr) = run(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--max-file-size",
        "12Q",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown size unit"), "{stderr}");
}

#[test]
fn symlinks_are_not_followed_unless_asked() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret-stack.tf"),
        GOOD.replace("corp", "outside"),
    )
    .unwrap();
    let dir = with_good_file();
    std::os::unix::fs::symlink(
        outside.path().join("secret-stack.tf"),
        dir.path().join("link.tf"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();

    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(datasets(&report), 1, "nothing outside the tree is read");
    let warned: Vec<String> = entries(&report, "warnings")
        .into_iter()
        .map(|w| w.0)
        .collect();
    assert_eq!(warned, ["link.tf", "sub/loop"]);

    let (code, report) = scan_json(dir.path(), &["--follow-symlinks"]);
    assert_eq!(code, 3, "the loop is an error entry");
    assert_eq!(datasets(&report), 2, "the linked file is read when asked");
    let errors = entries(&report, "errors");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "sub/loop");
    assert!(errors[0].2.contains("loop"), "{errors:?}");
}

#[test]
fn unreadable_files_and_special_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = with_good_file();
    let locked = dir.path().join("locked.tf");
    std::fs::write(&locked, GOOD.replace("corp", "locked")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // A named pipe called x.tf would block a naive reader forever.
    let status = Command::new("mkfifo")
        .arg(dir.path().join("pipe.tf"))
        .status()
        .unwrap();
    assert!(status.success());
    // A directory named like a file.
    std::fs::create_dir(dir.path().join("dir.tf")).unwrap();
    // A directory that cannot be listed.
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed).unwrap();
    std::fs::write(closed.join("main.tf"), GOOD.replace("corp", "closed")).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).unwrap();

    // Root reads anything: then run the scan as an unprivileged user (setpriv, util-linux).
    let as_root = std::fs::read(&locked).is_ok();
    let report = if as_root {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        // A copy the unprivileged user can run wherever the checkout is.
        let tools = tempfile::tempdir().unwrap();
        std::fs::set_permissions(tools.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let binary = tools.path().join("residency");
        std::fs::copy(env!("CARGO_BIN_EXE_residency"), &binary).unwrap();
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(["scan", dir.path().to_str().unwrap(), "--format", "json"])
            .output()
            .expect("setpriv runs");
        common::json(&String::from_utf8(out.stdout).unwrap())
    } else {
        scan_json(dir.path(), &[]).1
    };
    assert_eq!(datasets(&report), 1, "the readable file is scanned");
    assert_eq!(
        entries(&report, "errors"),
        [
            (
                "closed".to_string(),
                0,
                "cannot read: Permission denied (os error 13)".to_string()
            ),
            (
                "locked.tf".to_string(),
                0,
                "cannot read file: Permission denied (os error 13)".to_string()
            )
        ]
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn bom_crlf_and_empty_files_keep_exact_lines() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = "\u{feff}provider \"aws\" {\r\n  region = \"us-east-1\"\r\n}\r\n\r\nresource \"aws_workmail_organization\" \"corp\" {\r\n  organization_alias = \"corp\"\r\n}\r\n";
    std::fs::write(dir.path().join("main.tf"), crlf).unwrap();
    let yaml = "\u{feff}AWSTemplateFormatVersion: \"2010-09-09\"\r\nResources:\r\n  Box:\r\n    Type: AWS::S3::Bucket\r\n    Properties:\r\n      Tags:\r\n        - Key: data-class\r\n          Value: mailbox\r\n";
    std::fs::write(dir.path().join("stack.yaml"), yaml).unwrap();
    for empty in ["empty.tf", "empty.yaml", "empty.json", "empty.tf.json"] {
        std::fs::write(dir.path().join(empty), "").unwrap();
    }
    let (code, report) = scan_json(dir.path(), &["--region", "eu-west-1"]);
    assert_eq!(code, 0);
    assert!(entries(&report, "errors").is_empty(), "{report}");
    let lines: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("main.tf".to_string(), 5), ("stack.yaml".to_string(), 3)]
    );
}

#[test]
fn module_sources_outside_the_tree_are_not_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("main.tf"),
        GOOD.replace("corp", "outside"),
    )
    .unwrap();
    let dir = with_good_file();
    let rel = pathdiff(outside.path(), dir.path());
    std::fs::write(
        dir.path().join("modules.tf"),
        format!("module \"far\" {{\n  source = \"{rel}\"\n}}\n"),
    )
    .unwrap();
    let (code, stdout, _) = run_in(
        dir.path(),
        &["scan", ".", "--format", "json", "--fail-on", "never"],
    );
    let report = common::json(&stdout);
    assert_eq!(code, 3);
    assert_eq!(datasets(&report), 1);
    let errors = entries(&report, "errors");
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0.as_str(), errors[0].1), ("modules.tf", 1));
    assert!(errors[0]
        .2
        .contains("is outside the scanned paths and the working directory; not read"));
}

/// A relative path from `base` to `target` made of `..` steps.
fn pathdiff(target: &Path, base: &Path) -> String {
    let depth = base.components().count() - 1;
    format!(
        "{}{}",
        "../".repeat(depth),
        target.strip_prefix("/").unwrap().display()
    )
}

#[test]
fn thousands_of_files_in_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        std::fs::write(
            dir.path().join(format!("f{i:04}.tf")),
            format!("resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"b{i}\"\n}}\n"),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("zz-good.tf"), GOOD).unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["files"], 3001);
    assert_eq!(report["summary"]["resources"], 3001);
    assert_eq!(datasets(&report), 1);
}

#[test]
fn no_credential_reaches_any_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"provider "aws" {
  region = "eu-west-1"
}
resource "aws_ses_receipt_rule" "in" {
  sns_action {
    topic_arn = aws_sns_topic.mail.arn
  }
}
resource "aws_sns_topic" "mail" {
  name = "mail"
}
resource "aws_sns_topic_subscription" "hook" {
  topic_arn = aws_sns_topic.mail.arn
  protocol  = "https"
  endpoint  = "https://hooks.example.net/mail?token=TOPSECRET1"
}
resource "aws_sns_topic_subscription" "basic" {
  topic_arn = aws_sns_topic.mail.arn
  protocol  = "https"
  endpoint  = "https://robot:TOPSECRET2@hooks.example.net/in"
}
resource "azurerm_email_communication_service" "mail" {
  name          = "e"
  data_location = "Europe"
}
resource "azurerm_monitor_diagnostic_setting" "logs" {
  name               = "logs"
  target_resource_id = azurerm_email_communication_service.mail.id
  storage_account_id = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=TOPSECRET3"
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("broken.tf"),
        "resource \"aws_db_instance\" \"broken\" {\n  password = \"TOPSECRET4\n",
    )
    .unwrap();
    let formats = "text,json,sarif,junit,github,markdown";
    let outputs: Vec<PathBuf> = formats
        .split(',')
        .map(|f| dir.path().join(format!("out.{f}")))
        .collect();
    let joined = outputs
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(",");
    // Scan a copy so that the outputs are not part of the scanned tree.
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::rename(dir.path().join("main.tf"), tree.join("main.tf")).unwrap();
    std::fs::rename(dir.path().join("broken.tf"), tree.join("broken.tf")).unwrap();
    let (_, stdout, stderr) = run(&[
        "scan",
        tree.to_str().unwrap(),
        "--format",
        formats,
        "--output",
        &joined,
    ]);
    assert!(stdout.is_empty(), "{stderr}");
    for path in &outputs {
        let text = std::fs::read_to_string(path).unwrap();
        for secret in ["TOPSECRET1", "TOPSECRET2", "TOPSECRET3", "TOPSECRET4"] {
            assert!(!text.contains(secret), "{} prints {secret}", path.display());
        }
    }
    let json = std::fs::read_to_string(&outputs[1]).unwrap();
    assert!(json.contains("https://hooks.example.net/mail?***"));
    assert!(json.contains("https://***@hooks.example.net/in"));
    assert!(json.contains("AccountKey=***"));
    let (_, map, _) = run(&["map", tree.to_str().unwrap(), "--format", "dot"]);
    assert!(!map.contains("TOPSECRET"));
}

/// Paths, sizes and modification times of everything under a directory.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            let m = std::fs::symlink_metadata(&p).unwrap();
            (p, m.len(), m.modified().unwrap())
        })
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn the_scan_writes_nothing_into_the_tree() {
    let tree = root().join("sample-configs");
    let before = snapshot(&tree);
    for format in ["text", "json", "sarif", "junit", "github", "markdown"] {
        run(&["scan", "sample-configs", "--format", format]);
    }
    run(&["map", "sample-configs", "--format", "dot"]);
    assert_eq!(before, snapshot(&tree));
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    for target in [
        "sample-configs",
        "tests/fixtures/flows",
        "tests/fixtures/malformed",
        "tests/fixtures/suppressions",
    ] {
        for format in ["text", "json", "sarif", "junit", "github", "markdown"] {
            let mut outputs = Vec::new();
            for threads in ["1", "2", "8", "1"] {
                let (code, stdout, _) = run(&[
                    "scan",
                    target,
                    "--format",
                    format,
                    "--threads",
                    threads,
                    "--color",
                    "never",
                    "--region",
                    "eu-west-1",
                    "--policy",
                    "microsoft-ireland-2016",
                    "--policy",
                    "cloud-act-2018",
                ]);
                outputs.push((code, stdout));
            }
            assert!(
                outputs.windows(2).all(|w| w[0] == w[1]),
                "{target} {format}: output differs between thread counts"
            );
        }
        let mut maps = Vec::new();
        for threads in ["1", "8"] {
            maps.push(run(&["map", target, "--format", "json", "--threads", threads]).1);
        }
        assert_eq!(maps[0], maps[1]);
    }
}

/// Fuzzer finds: chained operators in brackets that are never closed made the HCL parser
/// backtrack exponentially (minutes for under 1 KB). Such text is never valid HCL, and it is now
/// refused by counting its brackets before parsing: the same error, at once, on any machine.
#[test]
fn unclosed_brackets_are_refused_before_parsing() {
    for (input, open) in [
        ("hcl-exponential-backtracking.tf.txt", 21),
        ("hcl-unclosed-object-operators.tf.txt", 20),
    ] {
        let dir = with_good_file();
        std::fs::copy(
            root().join("tests/fixtures/fuzz").join(input),
            dir.path().join("slow.tf"),
        )
        .unwrap();
        let (code, report) = scan_json(dir.path(), &["--file-timeout", "60"]);
        assert_eq!(code, 3);
        assert_eq!(
            entries(&report, "errors"),
            [(
                "slow.tf".to_string(),
                1,
                format!("invalid HCL: {open} brackets are never closed, the first on this line")
            )]
        );
        assert_eq!(datasets(&report), 1, "the good file is scanned");
    }
}

/// The watchdog of last resort: a file whose parser runs past --file-timeout is abandoned and
/// reported, and the rest of the scan finishes. (A 6 MB file cannot be parsed in 1 ms.)
#[test]
fn a_file_that_parses_too_long_is_abandoned() {
    let dir = with_good_file();
    let mut big = String::from("locals {\n");
    for i in 0..150_000 {
        big.push_str(&format!("  value_{i} = [\"{i}\", {{ k = \"v\" }}]\n"));
    }
    big.push_str("}\n");
    std::fs::write(dir.path().join("slow.tf"), big).unwrap();
    // 50 ms: far more than the good file needs even on a loaded machine, far less than the
    // 150,000-line file.
    let (code, report) = scan_json(dir.path(), &["--file-timeout", "0.05"]);
    assert_eq!(code, 3);
    assert_eq!(
        entries(&report, "errors"),
        [(
            "slow.tf".to_string(),
            0,
            "parsing took longer than 0.05 s and was abandoned; the file is not scanned (--file-timeout)"
                .to_string()
        )]
    );
    assert_eq!(datasets(&report), 1, "the good file is scanned");
    let (code, _, stderr) = run(&["scan", "sample-configs", "--file-timeout", "0"]);
    assert_eq!(code, 2, "{stderr}");
}

/// A region the catalog does not know is an unknown copy with the reason, and a near spelling
/// is suggested.
#[test]
fn unknown_regions_are_kept_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "provider \"aws\" {\n  region = \"eu-wst-1\"\n}\nresource \"aws_workmail_organization\" \"o\" {\n  organization_alias = \"o\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  region = \"mars-north-1\"\n  tags   = { \"data-class\" = \"mailbox\" }\n}\n",
    )
    .unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    let reasons: Vec<&str> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["copies"][0]["unknown_reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "region \"eu-w…\" (8 characters) is not in residency's catalog for aws; did you mean eu-west-1?",
            "region \"mars…\" (12 characters) is not in residency's catalog for aws (a new region, or a typo); add it with [[catalog]] in residency.toml",
        ]
    );
}

/// `--catalog FILE` adds or corrects entries in the catalog's own format, validated as a whole.
#[test]
fn catalog_files_add_and_correct_regions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "provider \"aws\" {\n  region = \"eu-south-3\"\n}\nresource \"aws_workmail_organization\" \"o\" {\n  organization_alias = \"o\"\n}\n",
    )
    .unwrap();
    let extra = dir.path().join("extra.json");
    let file = r#"{
  "provider": "aws",
  "name": "Amazon Web Services",
  "sources": {"ours": "our record of a region launched after this release"},
  "partitions": [],
  "regions": [
    {"id": "eu-south-3", "city": "Example", "countries": ["IT"], "partition": "aws", "source": "ours", "confirmed": false}
  ]
}"#;
    std::fs::write(&extra, file).unwrap();
    let (_, report) = scan_json(dir.path(), &["--catalog", extra.to_str().unwrap()]);
    let copy = &report["datasets"][0]["copies"][0];
    assert_eq!(copy["region"], "eu-south-3");
    assert_eq!(copy["countries"], serde_json::json!(["IT"]));
    let (code, stdout, _) = run(&[
        "regions",
        "--provider",
        "aws",
        "--country",
        "IT",
        "--format",
        "json",
        "--catalog",
        extra.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let ids: Vec<String> = common::json(&stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["eu-south-1", "eu-south-3"]);

    std::fs::write(
        &extra,
        file.replace("\"partition\": \"aws\"", "\"partition\": \"nowhere\""),
    )
    .unwrap();
    let (code, _, stderr) = run(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--catalog",
        extra.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("catalog aws region eu-south-3: unknown partition \"nowhere\""),
        "{stderr}"
    );
}

/// Hostile ARM templates, plans and manifests: an expression nested ten thousand deep, a copy
/// loop of a billion, variables that refer to each other, a plan whose provider region chain
/// loops, a manifest stream of many documents. Each is scanned to an unknown or a bounded
/// result, and the good file beside them still is.
#[test]
fn hostile_templates_plans_and_manifests() {
    let dir = with_good_file();
    let schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
    let deep = format!("[{}'x'{}]", "concat(".repeat(10_000), ")".repeat(10_000));
    let template = serde_json::json!({
        "$schema": schema,
        "variables": {"a": "[variables('b')]", "b": "[variables('a')]"},
        "resources": [
            {"type": "Microsoft.Communication/emailServices", "name": "deep",
             "location": "global", "properties": {"dataLocation": deep}},
            {"type": "Microsoft.Communication/emailServices", "name": "cycle",
             "location": "global", "properties": {"dataLocation": "[variables('a')]"}},
            {"type": "Microsoft.Storage/storageAccounts", "name": "[concat('s', copyIndex())]",
             "copy": {"name": "many", "count": 1_000_000_000}, "location": "westeurope"}
        ]
    });
    // Loops inside loops multiply: 256 to the fourth power property values, and 256 × 256
    // child resources.
    let mut input = serde_json::json!("x");
    for level in 0..4 {
        input = serde_json::json!({"copy": [{"name": format!("l{level}"), "count": 256, "input": input}]});
    }
    let multiplied = serde_json::json!({
        "$schema": schema,
        "resources": [
            {"type": "Microsoft.Communication/emailServices", "name": "loops",
             "location": "global", "properties": {"dataLocation": "Europe", "nested": input}},
            {"type": "Microsoft.Storage/storageAccounts", "name": "[concat('p', copyIndex())]",
             "copy": {"name": "outer", "count": 256}, "location": "westeurope",
             "resources": [{"type": "blobServices", "name": "[concat('c', copyIndex())]",
                            "copy": {"name": "inner", "count": 256}}]}
        ]
    });
    std::fs::write(dir.path().join("loops.json"), multiplied.to_string()).unwrap();
    std::fs::write(dir.path().join("arm.json"), template.to_string()).unwrap();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"child_modules": [{"address": "module.m", "resources": [
            {"address": "module.m.aws_workmail_organization.o", "mode": "managed",
             "type": "aws_workmail_organization", "name": "o",
             "provider_name": "registry.terraform.io/hashicorp/aws", "values": {}}]}]}},
        "configuration": {
            "provider_config": {"module.m:aws": {"name": "aws", "module_address": "module.m",
                "expressions": {"region": {"references": ["var.r"]}}}},
            "root_module": {"module_calls": {"m": {
                "expressions": {"r": {"references": ["var.r"]}},
                "module": {"resources": [{"address": "aws_workmail_organization.o",
                    "provider_config_key": "module.m:aws", "expressions": {}}]}}}}
        }
    });
    std::fs::write(dir.path().join("plan.json"), plan.to_string()).unwrap();
    let manifests = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n".repeat(20_000);
    std::fs::write(dir.path().join("many.yaml"), manifests).unwrap();

    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    let reasons: Vec<(String, String)> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap())
        .map(|c| {
            (
                c["resource"].as_str().unwrap().to_string(),
                c["unknown_reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .filter(|(r, _)| !r.starts_with("aws_s3"))
        .collect();
    assert!(
        reasons.contains(&(
            "Microsoft.Communication/emailServices/deep".into(),
            "cannot read template expression: expression nests too deeply".into()
        )),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(
            "Microsoft.Communication/emailServices/cycle".into(),
            "variable a refers to itself".into()
        )),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(
            "module.m.aws_workmail_organization.o".into(),
            "the region of provider module.m:aws: variable r has no value in the plan".into()
        )),
        "{reasons:?}"
    );
    // The billion-copy loop stands as one resource, the multiplied ones stop at their bounds;
    // the good file is still scanned.
    assert!(report["summary"]["resources"].as_u64().unwrap() <= 50_010);
    assert!(
        entries(&report, "warnings").iter().any(|(file, _, message)| file == "loops.json"
            && message == "more than 50000 resources from one template (nested copy loops); the rest are not read"),
        "{:?}",
        entries(&report, "warnings")
    );
    assert!(datasets(&report) >= 3);
}
