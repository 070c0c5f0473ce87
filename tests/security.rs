//! Attacks a pull request can make on a CI scan, one test each: every test builds the hostile
//! tree in a temporary directory, runs the binary, and asserts the safe behaviour (exit code,
//! the secret or the escape absent from every output format).

mod common;

use common::{entries, run_in};
use serde_json::Value;
use std::path::{Path, PathBuf};

const FORMATS: [&str; 6] = ["text", "json", "sarif", "junit", "github", "markdown"];

/// A secret that lives outside the scanned tree (a credentials file on the runner).
const SECRET: &str = "SuperSecretTokenValue1234567890abcdefXYZ";

/// Scans `tree` from `cwd` in every format at once; returns the exit code, stderr and each
/// format's output.
fn scan_all(cwd: &Path, tree: &str, extra: &[&str]) -> (i32, String, Vec<(String, String)>) {
    let out = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = FORMATS
        .iter()
        .map(|f| out.path().join(format!("report.{f}")))
        .collect();
    let joined = paths
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let formats = FORMATS.join(",");
    let mut args = vec!["scan", tree, "--format", &formats, "--output", &joined];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run_in(cwd, &args);
    assert_eq!(stdout, "");
    let outputs = FORMATS
        .iter()
        .zip(&paths)
        .map(|(f, p)| {
            (
                f.to_string(),
                std::fs::read_to_string(p).unwrap_or_default(),
            )
        })
        .collect();
    (code, stderr, outputs)
}

fn json_of(outputs: &[(String, String)]) -> Value {
    common::json(&outputs.iter().find(|(f, _)| f == "json").unwrap().1)
}

fn assert_absent(outputs: &[(String, String)], stderr: &str, needle: &str) {
    for (format, text) in outputs {
        assert!(
            !text.contains(needle),
            "{format} prints {needle:?}:\n{text}"
        );
    }
    assert!(!stderr.contains(needle), "stderr prints {needle:?}");
}

/// A root module whose provider region is a variable: whatever the variable holds is printed
/// if it is not a known region.
const REGION_FROM_VARIABLE: &str = "variable \"token\" {}\nprovider \"aws\" {\n  region = var.token\n}\nresource \"aws_workmail_organization\" \"m\" {\n  organization_alias = \"m\"\n}\n";

/// Item 1: tfvars files that are symbolic links to a file outside the tree are not read, by
/// any route; the scan says so as an error entry, and the secret reaches no output.
#[test]
fn tfvars_links_out_of_the_tree_are_not_read() {
    for name in [
        "terraform.tfvars.json",
        "terraform.tfvars",
        "x.auto.tfvars",
        "x.auto.tfvars.json",
    ] {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("credentials.tfrc.json");
        if name.ends_with(".json") {
            std::fs::write(&secret, format!("{{\"token\": \"{SECRET}\"}}")).unwrap();
        } else {
            std::fs::write(&secret, format!("token = \"{SECRET}\"\n")).unwrap();
        }
        let tree = tempfile::tempdir().unwrap();
        std::fs::write(tree.path().join("main.tf"), REGION_FROM_VARIABLE).unwrap();
        std::os::unix::fs::symlink(&secret, tree.path().join(name)).unwrap();
        let (code, stderr, outputs) = scan_all(tree.path(), ".", &["--fail-on", "never"]);
        assert_eq!(
            code, 3,
            "{name}: a tfvars file Terraform would read was not read"
        );
        assert_absent(&outputs, &stderr, SECRET);
        assert_absent(&outputs, &stderr, "SuperSecret");
        let report = json_of(&outputs);
        assert_eq!(
            entries(&report, "errors"),
            [(
                name.to_string(),
                0,
                "symbolic link that leads outside the scanned paths, or to a directory; not followed (pass --follow-symlinks to scan what it points to)"
                    .to_string()
            )],
            "{name}"
        );
    }
}

/// Links that stay inside the tree are read as Terraform reads them: one provider file
/// linked into a root module (`aws.tf -> ../wsb/aws.tf`, as in ms-jpq/lab) and a tfvars file
/// linked from a sibling directory. Links to non-input files are not even mentioned.
#[test]
fn links_inside_the_tree_are_read() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tree.path().join("wsb")).unwrap();
    std::fs::create_dir_all(tree.path().join("mail")).unwrap();
    std::fs::write(
        tree.path().join("wsb/aws.tf.txt"),
        "provider \"aws\" {\n  region = var.region\n}\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("wsb/prod.tfvars"),
        "region = \"us-east-1\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../wsb/aws.tf.txt", tree.path().join("mail/aws.tf")).unwrap();
    std::os::unix::fs::symlink(
        "../wsb/prod.tfvars",
        tree.path().join("mail/terraform.tfvars"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../README", tree.path().join("mail/README.md")).unwrap();
    std::fs::write(
        tree.path().join("mail/main.tf"),
        "variable \"region\" {}\nresource \"aws_workmail_organization\" \"m\" {\n  organization_alias = \"m\"\n}\n",
    )
    .unwrap();
    let (code, stderr, outputs) = scan_all(tree.path(), ".", &[]);
    assert_eq!(
        code, 1,
        "the US store is found through both links: {stderr}"
    );
    let report = json_of(&outputs);
    assert_eq!(report["datasets"][0]["copies"][0]["region"], "us-east-1");
    assert_eq!(entries(&report, "warnings"), []);
    assert_eq!(entries(&report, "errors"), []);
}

/// Item 2: a residency.toml inside the scanned tree (a pull request can write it) may not name
/// files outside its directory; the same paths on the command line are the user's choice.
#[test]
fn in_tree_config_cannot_point_outside() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.tfvars");
    std::fs::write(&secret, format!("token = \"{SECRET}\"\n")).unwrap();
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir(tree.path().join("infra")).unwrap();
    std::fs::write(tree.path().join("infra/main.tf"), REGION_FROM_VARIABLE).unwrap();
    let relative = format!(
        "{}/secret.tfvars",
        std::iter::repeat_n("..", tree.path().components().count() + 1)
            .collect::<Vec<_>>()
            .join("/")
            + outside.path().to_str().unwrap()
    );
    for (key, value) in [
        ("var_files", format!("[{:?}]", secret.to_str().unwrap())),
        ("var_files", format!("[{relative:?}]")),
        ("baseline", format!("{:?}", secret.to_str().unwrap())),
        ("policies", format!("[{:?}]", secret.to_str().unwrap())),
    ] {
        std::fs::write(
            tree.path().join("infra/residency.toml"),
            format!("{key} = {value}\n"),
        )
        .unwrap();
        let (code, stdout, stderr) = run_in(tree.path(), &["scan", "infra", "--format", "json"]);
        assert_eq!(code, 2, "{key} = {value}: {stderr}");
        assert_eq!(stdout, "");
        assert!(!stderr.contains("SuperSecret"), "{stderr}");
        assert!(
            // Every problem names the file and the line it is on.
            stderr.contains(&format!("config file infra/residency.toml:1: {key} "))
                && stderr.contains("leaves the directory of the config file"),
            "{stderr}"
        );
    }
    // A link beside the config that leads out is refused as well.
    std::os::unix::fs::symlink(&secret, tree.path().join("infra/prod.tfvars")).unwrap();
    std::fs::write(
        tree.path().join("infra/residency.toml"),
        "var_files = [\"prod.tfvars\"]\n",
    )
    .unwrap();
    let (code, _, stderr) = run_in(tree.path(), &["scan", "infra", "--format", "json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is a symbolic link"), "{stderr}");
    // The same file named on the command line is read: the user chose it.
    std::fs::remove_file(tree.path().join("infra/residency.toml")).unwrap();
    let (code, stderr, outputs) = scan_all(
        tree.path(),
        "infra",
        &["--var-file", secret.to_str().unwrap(), "--fail-on", "never"],
    );
    assert_eq!(code, 0, "{stderr}");
    // ... and even then the unknown region it gives is never echoed whole (item 3).
    assert_absent(&outputs, &stderr, SECRET);
    let report = json_of(&outputs);
    let copy = &report["datasets"][0]["copies"][0];
    assert_eq!(copy["region"], "supe…");
    assert_eq!(
        copy["unknown_reason"],
        "region \"Supe…\" (40 characters) is not in residency's catalog for aws (a new region, or a typo); add it with [[catalog]] in residency.toml"
    );
}

/// Item 10: with several scan paths, the verdict does not depend on their order: the config of
/// the directory that holds them all applies, and the ones inside them are reported unused.
#[test]
fn several_paths_do_not_depend_on_order() {
    let tree = tempfile::tempdir().unwrap();
    for (dir, region) in [("a", "us-east-1"), ("b", "eu-west-1")] {
        std::fs::create_dir(tree.path().join(dir)).unwrap();
        std::fs::write(
            tree.path().join(dir).join("main.tf"),
            "resource \"aws_workmail_organization\" \"m\" {\n  organization_alias = \"m\"\n}\n",
        )
        .unwrap();
        std::fs::write(
            tree.path().join(dir).join("residency.toml"),
            format!("region = \"{region}\"\n"),
        )
        .unwrap();
    }
    let (code_ab, out_ab, _) = run_in(tree.path(), &["scan", "a", "b", "--format", "json"]);
    let (code_ba, out_ba, _) = run_in(tree.path(), &["scan", "b", "a", "--format", "json"]);
    assert_eq!(code_ab, code_ba);
    let (ab, ba) = (common::json(&out_ab), common::json(&out_ba));
    assert_eq!(ab["datasets"], ba["datasets"]);
    assert_eq!(ab["findings"], ba["findings"]);
    let unused: Vec<(String, u64, String)> = entries(&ab, "warnings");
    assert_eq!(
        unused.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
        ["a/residency.toml", "b/residency.toml"]
    );
    assert!(unused[0].2.starts_with("not used: with several scan paths"));
    // Neither region was applied: both copies are unknown.
    for d in ab["datasets"].as_array().unwrap() {
        assert_eq!(d["copies"][0]["basis"], "unknown");
    }
}

/// Item 6: a `.tf` file whose name is not valid UTF-8 is read (Terraform loads it).
#[test]
fn file_names_that_are_not_utf8_are_read() {
    use std::os::unix::ffi::OsStrExt;
    let tree = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"us-\xffreplica.tf");
    std::fs::write(
        tree.path().join(name),
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\nresource \"aws_workmail_organization\" \"m\" {\n  organization_alias = \"m\"\n}\n",
    )
    .unwrap();
    let (code, _, outputs) = scan_all(tree.path(), ".", &[]);
    assert_eq!(code, 1, "the US store is found");
    let report = json_of(&outputs);
    assert_eq!(report["datasets"][0]["file"], "us-\u{fffd}replica.tf");
}

/// Item 11: a path that does not exist is a usage error, and a scan that reads no input says so.
#[test]
fn missing_paths_and_empty_scans() {
    let tree = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run_in(tree.path(), &["scan", "nope"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "residency: error: nope: no such file or directory\n"
    );
    std::fs::write(tree.path().join("README.md"), "# nothing here\n").unwrap();
    let (code, _, stderr) = run_in(tree.path(), &["scan", "."]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("residency: note: no input file found in ."),
        "{stderr}"
    );
}

/// Items 12 and 13: names and values with newlines, ESC sequences and bidirectional overrides
/// cannot start a GitHub workflow command, drive the terminal, or break out of Markdown.
#[test]
fn values_cannot_command_the_reader() {
    let tree = tempfile::tempdir().unwrap();
    let hostile_file = "x\n::error file=a::pwned\n::add-mask::y\u{1b}[2J\u{202e}.tf";
    std::fs::write(
        tree.path().join(hostile_file),
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"mail\"\n  tags = { \"data-class\" = \"mailbox\" }\n}\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        "provider \"aws\" {\n  alias  = \"x\"\n  region = \"eu-west-1\\n::stop-commands::tok\\u001b]0;title\\u0007<img src=x onerror=alert(1)>```\"\n}\nresource \"aws_workmail_organization\" \"m\" {\n  provider           = aws.x\n  organization_alias = \"m\"\n}\n",
    )
    .unwrap();
    let (code, stderr, outputs) = scan_all(tree.path(), ".", &["--color", "always"]);
    assert_eq!(code, 1, "{stderr}");
    for (format, text) in &outputs {
        for line in text.lines() {
            assert!(
                !line.trim_start().starts_with("::stop-commands"),
                "{format}: {line}"
            );
            assert!(
                !line.trim_start().starts_with("::add-mask"),
                "{format}: {line}"
            );
            if format != "github" {
                assert!(!line.starts_with("::"), "{format}: {line}");
            }
        }
        assert!(!text.contains('\u{202e}'), "{format} keeps a bidi override");
        assert!(!text.contains('\u{7}'), "{format} keeps BEL");
        if format != "text" {
            // The text report is coloured here (--color always goes to files too only for text).
            assert!(!text.contains('\u{1b}'), "{format} keeps ESC");
        }
    }
    let github = &outputs.iter().find(|(f, _)| f == "github").unwrap().1;
    for line in github.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
    let markdown = &outputs.iter().find(|(f, _)| f == "markdown").unwrap().1;
    assert!(!markdown.contains("<img"), "{markdown}");
    let fence = markdown.find("```mermaid").unwrap();
    let rest = &markdown[fence + 10..];
    let end = rest.find("```").unwrap();
    assert!(
        rest[end..].starts_with("```\n\n</details>"),
        "the fence closes only at its end"
    );
    let text = &outputs.iter().find(|(f, _)| f == "text").unwrap().1;
    assert!(text.contains("x\\n::error file=a::pwned\\n::add-mask::y\\u{1b}[2J\\u{202e}.tf"));
    // Colour codes are the report's own: every ESC starts an SGR sequence.
    for (i, _) in text.match_indices('\u{1b}') {
        assert!(text[i + 1..].starts_with('['), "{:?}", &text[i..i + 8]);
        let sgr = &text[i + 2..];
        let end = sgr.find('m').unwrap();
        assert!(sgr[..end].chars().all(|c| c.is_ascii_digit() || c == ';'));
    }
}

/// Item 13 for directory names: with two deployments every format names the deployment (the
/// root module's directory), and a hostile directory name is escaped there as in file paths.
#[test]
fn directory_names_cannot_command_the_reader() {
    let tree = tempfile::tempdir().unwrap();
    for dir in ["a\u{1b}[2J\u{202e}", "b"] {
        std::fs::create_dir(tree.path().join(dir)).unwrap();
        std::fs::write(
            tree.path().join(dir).join("main.tf"),
            "provider \"aws\" {\n  region = \"us-east-1\"\n}\nresource \"aws_workmail_organization\" \"m\" {\n  organization_alias = \"m\"\n}\n",
        )
        .unwrap();
    }
    let (code, stderr, outputs) = scan_all(tree.path(), ".", &[]);
    assert_eq!(code, 1, "{stderr}");
    for (format, text) in &outputs {
        assert!(!text.contains('\u{1b}'), "{format} keeps ESC: {text}");
        assert!(!text.contains('\u{202e}'), "{format} keeps a bidi override");
    }
    let text = &outputs.iter().find(|(f, _)| f == "text").unwrap().1;
    assert!(
        text.contains("Dataset a\\u{1b}[2J\\u{202e}: aws_workmail_organization.m"),
        "{text}"
    );
}

/// Item 4: a directory that calls the root as a module does not hide the root's own tfvars:
/// the root stays a deployment, and its US replica fails the gate.
#[test]
fn a_caller_does_not_hide_the_roots_tfvars() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        "variable \"replica_region\" {}\nprovider \"aws\" {\n  region = \"eu-west-1\"\n}\nprovider \"aws\" {\n  alias  = \"replica\"\n  region = var.replica_region\n}\nresource \"aws_s3_bucket\" \"mail\" {\n  bucket = \"mail\"\n  tags   = { \"data-class\" = \"mailbox\" }\n}\nresource \"aws_s3_bucket\" \"replica\" {\n  provider = aws.replica\n  bucket   = \"mail-replica\"\n}\nresource \"aws_s3_bucket_replication_configuration\" \"r\" {\n  bucket = aws_s3_bucket.mail.id\n  rule {\n    destination {\n      bucket = aws_s3_bucket.replica.arn\n    }\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("terraform.tfvars"),
        "replica_region = \"us-east-1\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(tree.path().join("examples/demo")).unwrap();
    std::fs::write(
        tree.path().join("examples/demo/main.tf"),
        "module \"mail\" {\n  source         = \"../../\"\n  replica_region = \"eu-central-1\"\n}\n",
    )
    .unwrap();
    let (code, _, outputs) = scan_all(tree.path(), ".", &[]);
    assert_eq!(code, 1, "the root's US replica fails the gate");
    let report = json_of(&outputs);
    let high: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "high")
        .map(|f| (f["resource"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(high, [("aws_s3_bucket.replica", 13)]);
    // The example's own instance is still evaluated, with its own region.
    let copies: Vec<(&str, &str)> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap())
        .map(|c| {
            (
                c["resource"].as_str().unwrap(),
                c["region"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(copies.contains(&("module.mail.aws_s3_bucket.replica", "eu-central-1")));
}

/// Item 5: modules that only call each other leave no root; the scan evaluates them anyway,
/// never "0 resources". The cycle itself is named in a warning (the deployments issue: what can
/// be evaluated is reported, and Terraform's refusal is said, not turned into a lost file).
#[test]
fn a_module_cycle_is_named_and_nothing_is_lost() {
    let tree = tempfile::tempdir().unwrap();
    for (dir, other) in [("a", "b"), ("b", "a")] {
        std::fs::create_dir(tree.path().join(dir)).unwrap();
        std::fs::write(
            tree.path().join(dir).join("main.tf"),
            format!("module \"{other}\" {{\n  source = \"../{other}\"\n}}\nresource \"aws_workmail_organization\" \"m\" {{\n  organization_alias = \"m\"\n}}\n"),
        )
        .unwrap();
    }
    let (code, _, outputs) = scan_all(
        tree.path(),
        ".",
        &["--fail-on", "never", "--region", "eu-west-1"],
    );
    assert_eq!(code, 0);
    let report = json_of(&outputs);
    assert!(report["summary"]["resources"].as_u64().unwrap() >= 2);
    assert!(entries(&report, "errors").is_empty());
    assert_eq!(
        entries(&report, "warnings"),
        [
            (
                "a/main.tf".to_string(),
                1,
                "module.b: modules call each other in a cycle (b → a → b); the cycle is not followed".to_string()
            ),
            (
                "b/main.tf".to_string(),
                1,
                "module.a: modules call each other in a cycle (a → b → a); the cycle is not followed".to_string()
            ),
        ]
    );
}

/// Item 7: a directory skipped by default that holds Terraform or a template is named once.
#[test]
fn skipped_directories_with_infrastructure_are_named() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tree.path().join("node_modules/pkg")).unwrap();
    std::fs::write(
        tree.path().join("node_modules/pkg/package.json"),
        "{\"name\": \"pkg\"}",
    )
    .unwrap();
    std::fs::create_dir_all(tree.path().join("target/stacks")).unwrap();
    std::fs::write(
        tree.path().join("target/stacks/mail.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
    )
    .unwrap();
    std::fs::create_dir_all(tree.path().join("infra/node_modules/x")).unwrap();
    std::fs::write(tree.path().join("infra/node_modules/x/main.tf"), "").unwrap();
    std::fs::write(tree.path().join("main.tf"), "").unwrap();
    let (code, _, outputs) = scan_all(tree.path(), ".", &[]);
    assert_eq!(code, 0);
    let warnings = entries(&json_of(&outputs), "warnings");
    assert_eq!(
        warnings,
        [
            ("infra/node_modules".to_string(), 0, "directory skipped by default, but it holds infrastructure code (x/main.tf); scan it by naming it as a path".to_string()),
            ("target".to_string(), 0, "directory skipped by default, but it holds infrastructure code (stacks/mail.yaml); scan it by naming it as a path".to_string()),
        ]
    );
}

/// Items 8 and 9: a hosted-tenants file with a syntax error, and JSON of the right kind but the
/// wrong shape, are error entries with their line, never a silent pass.
#[test]
fn malformed_tenants_plans_and_templates_are_errors() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("mail-tenants.json"),
        "{\n  \"residency_tenants\": 1,\n  \"tenants\": [\n    {\"name\": \"x\", \"service\": \"microsoft-365\", \"default_geo\": \"NAM\"},\n  ]\n}\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("plan.json"),
        "{\n  \"format_version\": \"1.2\",\n  \"terraform_version\": \"1.9.0\",\n  \"planned_values\": 5\n}\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("azuredeploy.json"),
        "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"resources\": {}\n}\n",
    )
    .unwrap();
    let (code, _, outputs) = scan_all(tree.path(), ".", &[]);
    assert_eq!(code, 3);
    let errors = entries(&json_of(&outputs), "errors");
    let places: Vec<(&str, u64)> = errors.iter().map(|e| (e.0.as_str(), e.1)).collect();
    assert_eq!(
        places,
        [
            ("azuredeploy.json", 4),
            ("mail-tenants.json", 4),
            ("plan.json", 4)
        ],
        "{errors:?}"
    );
    assert_eq!(errors[0].2, "\"resources\" must be an array, not an object");
    assert_eq!(
        errors[2].2,
        "\"planned_values\" must be an object, not a number"
    );
}

/// Items 18 and 19: files named on the command line must be regular files within the size
/// limit (a FIFO or /dev/zero is exit 2, at once), and a followed link never reads /proc.
#[test]
fn special_files_and_system_directories_are_refused() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("main.tf"), "").unwrap();
    let fifo = tree.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["--config", "/dev/zero"],
        vec!["--config", fifo],
        vec!["--policy", "/dev/zero"],
        vec!["--catalog", fifo],
        vec!["--baseline", "/dev/zero"],
        vec!["--var-file", fifo],
    ] {
        let mut all = vec!["scan", "main.tf"];
        all.extend_from_slice(&args);
        let (code, stdout, stderr) = run_in(tree.path(), &all);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(stdout, "");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
    let big = tree.path().join("big.toml");
    std::fs::write(&big, "# ".repeat(9 * 1024 * 1024)).unwrap();
    let (code, _, stderr) = run_in(tree.path(), &["scan", "main.tf", "--config", "big.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("larger than the"), "{stderr}");

    let linked = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/proc/self", linked.path().join("proc")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", linked.path().join("environ.tf")).unwrap();
    std::fs::write(linked.path().join("main.tf"), "").unwrap();
    let (code, _, outputs) = scan_all(linked.path(), ".", &["--follow-symlinks"]);
    assert_eq!(code, 3);
    let report = json_of(&outputs);
    assert_eq!(
        report["summary"]["files"], 2,
        "main.tf and the refused link"
    );
    let errors = entries(&report, "errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "environ.tf");
    assert!(
        errors[0].2.contains("system directories are never read"),
        "{errors:?}"
    );
}

/// Item 21: extreme values in every flag, the environment and the input end in a clear exit
/// code (or a clamped value), never a panic (exit 101).
#[test]
fn extreme_values_never_panic() {
    let tree = tempfile::tempdir().unwrap();
    let long = "a".repeat(70_000);
    std::fs::write(
        tree.path().join("main.tf"),
        format!("provider \"aws\" {{\n  region = \"{long}\"\n}}\nresource \"aws_s3_bucket\" \"{long}\" {{\n  bucket = \"b\"\n  tags   = {{ \"data-class\" = \"mailbox\" }}\n}}\n"),
    )
    .unwrap();
    // One argument may hold at most 128 KiB (Linux MAX_ARG_STRLEN).
    let long = "a".repeat(30_000);
    let cases: &[&[&str]] = &[
        &[],
        &["--file-timeout", "1e300"],
        &["--file-timeout", "-1"],
        &["--file-timeout", "NaN"],
        &["--file-timeout", "1e-300"],
        &["--threads", "18446744073709551616"],
        &["--threads", "100000"],
        &["--threads", "256"],
        &["--max-file-size", "99999999999999999999G"],
        &["--max-file-size", "1"],
        &["--max-file-size", "0"],
        &["--region", &long],
        &["--var", &format!("{long}={long}")],
        &["--parameter", &format!("{long}={long}")],
        &["--mail-tag", &format!("{long}={long}")],
        &["--cluster-region", &format!("aws:{long}")],
        &["--resource-group-location", &long],
        &["--subscriber-country", &long],
        &["--exclude", "[[[["],
        &["--exclude", &long],
        &["--policy", &long],
        &["--format", "text,json", "--output", "-,-"],
    ];
    for case in cases {
        for command in ["scan", "map"] {
            let mut args = vec![command, "."];
            let scan_only = ["--policy", "--subscriber-country", "--format"];
            if command == "map" && scan_only.iter().any(|flag| case.contains(flag)) {
                continue;
            }
            args.extend_from_slice(case);
            let (code, _, stderr) = run_in(tree.path(), &args);
            assert!(
                [0, 1, 2, 3].contains(&code),
                "{command} {:?}: exit {code}\n{stderr}",
                case.iter()
                    .map(|a| &a[..a.len().min(40)])
                    .collect::<Vec<_>>()
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
    for epoch in ["99999999999999", "18446744073709551615", "-5", "x"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_residency"))
            .args(["scan", ".", "--format", "junit"])
            .current_dir(tree.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(101), "SOURCE_DATE_EPOCH={epoch}");
    }
}

/// Item 22: a report that cannot be delivered is exit 2; a failed write leaves the previous
/// report whole; two formats to one file, or a missing directory, stop before the scan.
#[test]
fn output_failures_are_exit_2() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("main.tf"), "").unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_residency"))
        .args(["scan", "."])
        .current_dir(tree.path())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write the report to standard output")
    );

    let (code, _, stderr) = run_in(
        tree.path(),
        &[
            "scan",
            ".",
            "--format",
            "json,sarif",
            "--output",
            "r.json,./r.json",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("r.json is given as the output of two formats"),
        "{stderr}"
    );
    let (code, _, stderr) = run_in(
        tree.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--output",
            "no/such/dir/r.json",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("directory no/such/dir does not exist"),
        "{stderr}"
    );

    // A write that fails half-way leaves the previous report as it was.
    let reports = tree.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    std::fs::write(reports.join("r.json"), "previous").unwrap();
    let mut perms = std::fs::metadata(&reports).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&reports, perms.clone()).unwrap();
    let (code, _, _) = run_in(
        tree.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--output",
            "reports/r.json",
        ],
    );
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&reports, perms).unwrap();
    // As root the directory stays writable, and the report is replaced whole instead.
    let after = std::fs::read_to_string(reports.join("r.json")).unwrap();
    if code == 2 {
        assert_eq!(after, "previous");
    } else {
        assert!(after.starts_with('{'));
    }
    let leftovers: Vec<_> = std::fs::read_dir(&reports).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

/// Item 20: webhook tokens in URL paths, CloudFormation `NoEcho` parameters and Terraform
/// `sensitive` variables (and values built from them) reach no output and no baseline.
#[test]
fn secrets_marked_in_the_configuration_are_masked() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        r#"variable "hook_token" {
  sensitive = true
  default   = "TFSENSITIVE77"
}
provider "aws" {
  region = "us-east-1"
}
resource "aws_ses_receipt_rule" "in" {
  sns_action {
    topic_arn = aws_sns_topic.mail.arn
  }
}
resource "aws_sns_topic" "mail" {
  name = "mail"
}
resource "aws_sns_topic_subscription" "slack" {
  topic_arn = aws_sns_topic.mail.arn
  protocol  = "https"
  endpoint  = "https://hooks.slack.com/services/T0000/B0000/SLACKTOKEN55"
}
resource "aws_sns_topic_subscription" "teams" {
  topic_arn = aws_sns_topic.mail.arn
  protocol  = "https"
  endpoint  = "https://acme.webhook.office.com/webhookb2/TEAMSTOKEN66/IncomingWebhook/x/y"
}
resource "aws_sns_topic_subscription" "own" {
  topic_arn = aws_sns_topic.mail.arn
  protocol  = "https"
  endpoint  = "https://mail-hook.example.net/in/${var.hook_token}"
}
"#,
    )
    .unwrap();
    std::fs::write(
        tree.path().join("stack.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Secret:\n    Type: String\n    NoEcho: true\n    Default: CFNNOECHO88\nResources:\n  Archive:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - Key: data-class\n          Value: mailbox\n      ReplicationConfiguration:\n        Role: arn:aws:iam::123456789012:role/r\n        Rules:\n          - Status: Enabled\n            Destination:\n              Bucket: !Sub 'arn:aws:s3:::archive-${Secret}'\n",
    )
    .unwrap();
    let baseline = tempfile::tempdir().unwrap();
    let baseline_file = baseline.path().join("baseline.json");
    let (code, stderr, outputs) = scan_all(
        tree.path(),
        ".",
        &[
            "--region",
            "us-east-1",
            "--write-baseline",
            baseline_file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "recording a baseline passes: {stderr}");
    let baseline_text = std::fs::read_to_string(&baseline_file).unwrap();
    let (_, map_text, _) = run_in(tree.path(), &["map", ".", "--region", "us-east-1"]);
    for secret in [
        "SLACKTOKEN55",
        "TEAMSTOKEN66",
        "TFSENSITIVE77",
        "CFNNOECHO88",
    ] {
        assert_absent(&outputs, &stderr, secret);
        assert!(
            !baseline_text.contains(secret),
            "the baseline holds {secret}"
        );
        assert!(!map_text.contains(secret), "map prints {secret}");
    }
    let json = &outputs.iter().find(|(f, _)| f == "json").unwrap().1;
    assert!(
        json.contains("https://hooks.slack.com/services/***"),
        "{json}"
    );
    assert!(
        json.contains("https://mail-hook.example.net/in/***"),
        "{json}"
    );
    assert!(json.contains("archive-***"), "{json}");
}

/// Runs the binary with a deadline: a run past it is killed and fails the test (an unbounded
/// evaluation would otherwise hang the suite).
fn run_bounded(dir: &Path, args: &[&str], seconds: u64) -> (i32, String, String) {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_residency"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).unwrap();
        text
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code().unwrap_or(-1), reader.join().unwrap(), stderr);
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{args:?} ran for more than {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// An open `locals` block of `count` locals, each twice the one before: `l0` is 16 bytes, so
/// `l16` is 1 MiB (the longest string a value may be) and `l17` is refused.
fn doubling_locals(count: usize) -> String {
    let mut locals = String::from("locals {\n  l0 = \"aaaaaaaaaaaaaaaa\"\n");
    for i in 1..count {
        locals.push_str(&format!(
            "  l{i} = \"${{local.l{}}}${{local.l{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    locals
}

/// A root's resources are collected in batches of 1,024; the budget warning still names the
/// first resource that holds a refused value when it comes after the first batch.
#[test]
fn the_budget_warning_names_a_resource_past_the_first_batch() {
    let tree = tempfile::tempdir().unwrap();
    let mut text = doubling_locals(18);
    text.push_str("}\nprovider \"aws\" {\n  region = \"eu-west-1\"\n}\n");
    for block in ["a", "b"] {
        text.push_str(&format!(
            "resource \"aws_s3_bucket\" \"{block}\" {{\n  count  = 600\n  bucket = \"{block}-${{count.index}}\"\n}}\n"
        ));
    }
    let line = text.lines().count() + 1;
    text.push_str(
        "resource \"aws_workmail_organization\" \"m\" {\n  organization_alias = local.l17\n}\n",
    );
    std::fs::write(tree.path().join("main.tf"), text).unwrap();
    let (code, stdout, stderr) = run_bounded(
        tree.path(),
        &["scan", ".", "--format", "json", "--fail-on", "never"],
        60,
    );
    assert_eq!(code, 0, "{stderr}");
    let report = common::json(&stdout);
    let budget: Vec<(String, u64)> = entries(&report, "warnings")
        .into_iter()
        .filter(|w| w.2.starts_with("evaluation budget exceeded"))
        .map(|w| (w.0, w.1))
        .collect();
    assert_eq!(budget, [("main.tf".to_string(), line as u64)]);
}

/// Item 14: values that grow without bound (locals that double, ARM `concat` of variables that
/// double, `replace` of "" by a large string, YAML aliases of one large scalar, module fan-out)
/// become unknown with a warning that names the file, and the report stays small.
#[test]
fn values_that_grow_without_bound_are_cut_off() {
    let tree = tempfile::tempdir().unwrap();
    let mut locals = doubling_locals(40);
    locals.push_str("  huge = replace(local.l16, \"\", local.l16)\n}\n");
    std::fs::create_dir(tree.path().join("tf")).unwrap();
    std::fs::write(
        tree.path().join("tf/main.tf"),
        format!("{locals}provider \"aws\" {{\n  region = local.l39\n}}\nresource \"aws_workmail_organization\" \"m\" {{\n  organization_alias = local.huge\n}}\n"),
    )
    .unwrap();
    let mut variables = String::from("\"v0\": \"aaaaaaaaaaaaaaaa\"");
    // Each variable is eight of the one before: 16 × 8^9 bytes at the end.
    for i in 1..10 {
        let previous = format!("variables('v{}')", i - 1);
        variables.push_str(&format!(
            ", \"v{i}\": \"[concat({})]\"",
            vec![previous; 8].join(", ")
        ));
    }
    std::fs::write(
        tree.path().join("azuredeploy.json"),
        format!("{{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"variables\": {{{variables}}},\n  \"resources\": [\n    {{\"type\": \"Microsoft.Communication/emailServices\", \"apiVersion\": \"2023-04-01\", \"name\": \"mail\", \"location\": \"global\", \"properties\": {{\"dataLocation\": \"[variables('v9')]\"}}}}\n  ]\n}}\n"),
    )
    .unwrap();
    let big = "x".repeat(512 * 1024);
    let aliases = (0..200).map(|_| "*big").collect::<Vec<_>>().join(", ");
    std::fs::write(
        tree.path().join("stack.yaml"),
        format!("AWSTemplateFormatVersion: '2010-09-09'\nMappings:\n  M:\n    K:\n      V: &big {big}\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [{aliases}]\n"),
    )
    .unwrap();
    let (code, stdout, stderr) = run_bounded(
        tree.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--resource-group-location",
            "westeurope",
        ],
        60,
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stdout.len() < 200_000,
        "the report is {} bytes",
        stdout.len()
    );
    let report = common::json(&stdout);
    let warnings = entries(&report, "warnings");
    let budget: Vec<(&str, u64)> = warnings
        .iter()
        .filter(|w| w.2.starts_with("evaluation budget exceeded"))
        .map(|w| (w.0.as_str(), w.1))
        .collect();
    // Each warning names the first resource that holds a refused value.
    assert_eq!(
        budget,
        [("azuredeploy.json", 6), ("tf/main.tf", 47)],
        "{warnings:?}"
    );
    let errors = entries(&report, "errors");
    assert_eq!(
        errors,
        [(
            "stack.yaml".to_string(),
            10,
            "YAML aliases expand to more than 16 MiB of text".to_string()
        )]
    );
    let reasons: Vec<&str> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["copies"][0]["unknown_reason"].as_str().unwrap_or(""))
        .collect();
    assert!(
        reasons.contains(&"evaluation budget exceeded"),
        "{reasons:?}"
    );
}

/// Item 15: CloudFormation conditions that each refer to the previous one twice are evaluated
/// once each, not 2^40 times.
#[test]
fn chained_conditions_are_evaluated_once() {
    let tree = tempfile::tempdir().unwrap();
    let mut conditions = String::from("  C0: !Equals [!Ref AWS::Region, eu-west-1]\n");
    for i in 1..40 {
        conditions.push_str(&format!(
            "  C{i}: !And [{{Condition: C{}}}, {{Condition: C{}}}]\n",
            i - 1,
            i - 1
        ));
    }
    std::fs::write(
        tree.path().join("stack.yaml"),
        format!("AWSTemplateFormatVersion: '2010-09-09'\nConditions:\n{conditions}Resources:\n  Store:\n    Type: AWS::S3::Bucket\n    Condition: C39\n    Properties:\n      BucketName: !If [C39, mail-eu, mail-other]\n      Tags:\n        - Key: data-class\n          Value: mailbox\n"),
    )
    .unwrap();
    let (code, stdout, stderr) = run_bounded(
        tree.path(),
        &["scan", ".", "--format", "json", "--region", "eu-west-1"],
        30,
    );
    assert_eq!(code, 0, "{stderr}");
    let report = common::json(&stdout);
    assert_eq!(report["datasets"][0]["copies"][0]["region"], "eu-west-1");
}

/// Item 16: a replication chain built with `count` does not make each copy carry the whole
/// chain: the report grows with the chain, not with its square, and each copy names its
/// predecessor.
#[test]
fn replication_chains_stay_linear() {
    let tree = tempfile::tempdir().unwrap();
    let chain = |n: usize| {
        format!("provider \"aws\" {{\n  region = \"eu-west-1\"\n}}\nresource \"aws_workmail_organization\" \"m\" {{\n  organization_alias = \"m\"\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  count  = {n}\n  bucket = \"mail-${{count.index}}\"\n}}\nresource \"aws_s3_bucket_replication_configuration\" \"r\" {{\n  count  = {}\n  bucket = aws_s3_bucket.b[count.index].id\n  rule {{\n    destination {{\n      bucket = aws_s3_bucket.b[count.index + 1].arn\n    }}\n  }}\n}}\nresource \"aws_workmail_user\" \"u\" {{\n  organization_id = aws_workmail_organization.m.id\n}}\n", n - 1)
    };
    let mut sizes = Vec::new();
    for n in [200, 800] {
        std::fs::write(tree.path().join("main.tf"), chain(n)).unwrap();
        std::fs::write(
            tree.path().join("tags.tf"),
            "# every bucket is tagged as mail\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(tree.path().join("main.tf"))
            .unwrap()
            .replace(
                "  bucket = \"mail-${count.index}\"\n",
                "  bucket = \"mail-${count.index}\"\n  tags   = { \"data-class\" = \"mailbox\" }\n",
            );
        std::fs::write(tree.path().join("main.tf"), text).unwrap();
        let (code, stdout, stderr) = run_bounded(
            tree.path(),
            &["scan", ".", "--format", "json", "--fail-on", "never"],
            120,
        );
        assert_eq!(code, 0, "{stderr}");
        let report = common::json(&stdout);
        let chain = report["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["source"] == "aws_s3_bucket.b[0]")
            .unwrap();
        let copies = chain["copies"].as_array().unwrap().clone();
        assert_eq!(copies.len(), n);
        let last = copies.last().unwrap();
        let via: Vec<&str> = last["via"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(via.len(), 6, "{via:?}");
        assert_eq!(via[0], "aws_s3_bucket.b[0]");
        assert!(
            via[1].starts_with("… ") && via[1].ends_with(" more …"),
            "{via:?}"
        );
        sizes.push(stdout.len());
    }
    // Four times the chain: about four times the report (sixteen if it were quadratic).
    assert!(sizes[1] < sizes[0] * 6, "{sizes:?}");
}

/// Item 17: the cut-offs are budgets of work, so a tree that runs into them gives the same
/// bytes on every run, whatever the thread count (and so whatever the machine's load).
#[test]
fn budgets_give_the_same_output_every_time() {
    let tree = tempfile::tempdir().unwrap();
    for d in 0..4 {
        let dir = tree.path().join(format!("root{d}"));
        std::fs::create_dir(&dir).unwrap();
        let mut locals = String::from("locals {\n  l0 = \"aaaaaaaaaaaaaaaa\"\n");
        for i in 1..30 {
            locals.push_str(&format!(
                "  l{i} = \"${{local.l{}}}${{local.l{}}}\"\n",
                i - 1,
                i - 1
            ));
        }
        std::fs::write(
            dir.join("main.tf"),
            format!("{locals}}}\nprovider \"aws\" {{\n  region = \"eu-west-{d}\"\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = local.l{}\n  tags   = {{ \"data-class\" = \"mailbox\" }}\n}}\n", 14 + d * 3),
        )
        .unwrap();
    }
    let mut outputs = Vec::new();
    for threads in ["1", "2", "1", "4"] {
        let (code, stdout, stderr) = run_bounded(
            tree.path(),
            &["scan", ".", "--format", "json", "--threads", threads],
            60,
        );
        assert!(code == 0 || code == 1, "{stderr}");
        outputs.push(stdout);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    let report = common::json(&outputs[0]);
    let budget = entries(&report, "warnings")
        .into_iter()
        .filter(|w| w.2.starts_with("evaluation budget exceeded"))
        .count();
    assert_eq!(
        budget, 3,
        "roots 1 to 3 build strings over 1 MiB (16 × 2^17 bytes and more)"
    );
}

/// Item 14, continued: module fan-out (ten calls of a module that makes ten calls, sixteen
/// deep) stops at the instance bound with an error entry, and `Fn::Join` of a large parameter
/// with itself is refused like any other value over the budget.
#[test]
fn module_fan_out_and_joins_are_bounded() {
    let tree = tempfile::tempdir().unwrap();
    for level in 0..16 {
        let dir = tree.path().join(format!("m{level}"));
        std::fs::create_dir(&dir).unwrap();
        let body = if level < 15 {
            (1..=10)
                .map(|k| format!("module \"c{k}\" {{\n  source = \"../m{}\"\n}}\n", level + 1))
                .collect::<String>()
        } else {
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  tags   = { \"data-class\" = \"mailbox\" }\n}\n".to_string()
        };
        std::fs::write(dir.join("main.tf"), body).unwrap();
    }
    std::fs::create_dir(tree.path().join("root")).unwrap();
    std::fs::write(
        tree.path().join("root/main.tf"),
        "provider \"aws\" {\n  region = \"eu-west-1\"\n}\nmodule \"top\" {\n  source = \"../m0\"\n}\n",
    )
    .unwrap();
    let half = "j".repeat(600 * 1024);
    std::fs::write(
        tree.path().join("stack.yaml"),
        format!("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Half:\n    Type: String\n    Default: {half}\nResources:\n  Store:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Join ['', [!Ref Half, !Ref Half]]\n      Tags:\n        - Key: data-class\n          Value: mailbox\n"),
    )
    .unwrap();
    let (code, stdout, stderr) = run_bounded(
        tree.path(),
        &["scan", ".", "--format", "json", "--region", "eu-west-1"],
        60,
    );
    assert_eq!(code, 3, "{stderr}");
    let report = common::json(&stdout);
    let errors = entries(&report, "errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].2.ends_with(
            "this deployment has more than 10000 module instances; the rest are not evaluated"
        ),
        "{errors:?}"
    );
    let budget: Vec<(String, u64)> = entries(&report, "warnings")
        .into_iter()
        .filter(|w| w.2.starts_with("evaluation budget exceeded"))
        .map(|w| (w.0, w.1))
        .collect();
    assert_eq!(budget, [("stack.yaml".to_string(), 7)]);
    assert!(report["summary"]["resources"].as_u64().unwrap() <= 10_001);
}
