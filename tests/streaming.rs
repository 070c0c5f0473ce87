//! Terraform roots that no file can call are parsed and resolved a batch at a time, not all
//! parsed first (`frontend::terraform::stream`). The report must be the one the scan gives
//! without streaming: these tests scan a tree shaped like real repositories (environments
//! calling shared modules, examples calling the module above them, a root that is also
//! called, a cycle, broken files), then add one escape to a comment, which makes every file
//! be parsed first (nothing is streamed), and compare the two reports whole. (A streamed file
//! keeps the parse time limit: `hostile::a_file_that_parses_too_long_is_abandoned` scans a
//! root that is streamed.)

mod common;

use common::{entries, run};
use std::path::Path;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A mailbox store: a bucket tagged as holding mail.
fn bucket(name: &str) -> String {
    format!(
        "resource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"{name}\"\n  tags   = {{ data-class = \"mailbox\" }}\n}}\n"
    )
}

fn provider(region: &str) -> String {
    format!("provider \"aws\" {{\n  region = \"{region}\"\n}}\n")
}

fn call(name: &str, source: &str) -> String {
    format!("module \"{name}\" {{\n  source = \"{source}\"\n  name   = \"{name}\"\n}}\n")
}

/// A monorepo: the module at the top with an example calling it, environments calling shared
/// modules, a directory deployed on its own that an environment also calls, a broken file
/// that is the only caller of a module, a cycle, and suppressions in broken and good files.
fn monorepo(root: &Path) {
    let store =
        "variable \"name\" {}\n\nresource \"aws_s3_bucket\" \"store\" {\n  bucket = var.name\n  tags   = { data-class = \"mailbox\" }\n}\n";
    write(root, "main.tf", store);
    write(
        root,
        "examples/complete/main.tf",
        &format!("{}{}", provider("eu-west-1"), call("top", "../../")),
    );
    write(root, "modules/store/main.tf", store);
    write(
        root,
        "envs/eu/main.tf",
        &format!(
            "{}{}{}{}",
            provider("eu-west-1"),
            call("store", "../../modules/store"),
            call("archive", "../../standalone"),
            bucket("eu-own"),
        ),
    );
    write(
        root,
        "envs/us/main.tf",
        &format!(
            "{}{}# residency:ignore MSI001 -- approved by counsel, LEGAL-1\n{}",
            provider("us-east-1"),
            call("store", "../../modules/store"),
            bucket("us-own"),
        ),
    );
    write(
        root,
        "envs/us/broken.tf",
        "# residency:ignore MSI002 -- in a file that does not parse\nresource \"aws_s3_bucket\" \"x\" {\n  bucket = \n}\n",
    );
    write(root, "envs/us/terraform.tfvars", "unused = 1\n");
    write(
        root,
        "standalone/main.tf",
        &format!("{}{}", provider("us-west-2"), bucket("standalone")),
    );
    write(root, "standalone/terraform.tfvars", "unused = 1\n");
    write(
        root,
        "legacy/main.tf",
        &format!(
            "{}{}locals {{\n  x = \n}}\n",
            provider("us-east-1"),
            call("orphan", "../orphan")
        ),
    );
    write(
        root,
        "orphan/main.tf",
        &format!("{}{}", provider("us-east-2"), bucket("orphan")),
    );
    write(
        root,
        "cycle/a/main.tf",
        &format!("{}{}", call("b", "../b"), bucket("a")),
    );
    write(
        root,
        "cycle/b/main.tf",
        &format!("{}{}", call("a", "../a"), bucket("b")),
    );
    for i in 0..30 {
        write(
            root,
            &format!("stacks/s{i:02}/main.tf"),
            &format!(
                "{}{}{}",
                provider(if i % 2 == 0 { "eu-west-1" } else { "us-east-1" }),
                call("store", "../../modules/store"),
                bucket(&format!("s{i}"))
            ),
        );
    }
}

fn scan(root: &Path, format: &str) -> (i32, String) {
    let (code, stdout, stderr) = run(&[
        "scan",
        root.to_str().unwrap(),
        "--format",
        format,
        "--no-config",
        "--threads",
        "2",
    ]);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, stdout)
}

#[test]
fn streamed_roots_report_what_parsing_everything_first_reports() {
    let dir = tempfile::tempdir().unwrap();
    monorepo(dir.path());
    let (code, streamed) = scan(dir.path(), "json");
    let (_, streamed_text) = scan(dir.path(), "text");
    let report = common::json(&streamed);
    // The broken files are errors, at their lines; the rest is scanned (and the US copies
    // are findings, which decide the exit code).
    assert_eq!(code, 1, "{streamed}");
    assert_eq!(
        entries(&report, "errors")
            .iter()
            .map(|(file, line, _)| format!("{file}:{line}"))
            .collect::<Vec<_>>(),
        ["envs/us/broken.tf:3", "legacy/main.tf:9"]
    );
    let deployments: std::collections::BTreeSet<&str> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap())
        .map(|c| c["deployment"].as_str().unwrap())
        .collect();
    // The module called only from a broken file is a root of its own; so are the directory
    // deployed on its own that an environment also calls, and the two halves of the cycle.
    for root in [
        "examples/complete",
        "orphan",
        "standalone",
        "cycle/a",
        "cycle/b",
        "envs/eu",
        "stacks/s29",
    ] {
        assert!(
            deployments.contains(root),
            "{root} missing from {deployments:?}"
        );
    }
    for called in [".", "modules/store"] {
        assert!(
            !deployments.contains(called),
            "{called} is a module, not a root"
        );
    }

    // The same tree with an escape in a comment: no text may be read for module sources
    // without parsing, so every file is parsed first.
    let main = dir.path().join("envs/eu/main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{text}# caf\\u00e9\n")).unwrap();
    let (whole_code, whole) = scan(dir.path(), "json");
    let (_, whole_text) = scan(dir.path(), "text");
    assert_eq!(whole_code, code);
    assert_eq!(whole, streamed);
    assert_eq!(whole_text, streamed_text);
}
