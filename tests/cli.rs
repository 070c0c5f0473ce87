//! End-to-end tests: run the `residency` binary on fixtures and check exact copies, findings,
//! lines and exit codes.

mod common;

use common::{root, run, scan_json};
use serde_json::Value;
use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// (resource, role, region, countries, line, basis) of every copy of every dataset.
fn copies(report: &Value) -> Vec<(String, String, String, String, u64, String)> {
    let mut out = Vec::new();
    for d in report["datasets"].as_array().unwrap() {
        for c in d["copies"].as_array().unwrap() {
            out.push((
                c["resource"].as_str().unwrap().to_string(),
                c["role"].as_str().unwrap().to_string(),
                c["region"].as_str().unwrap_or("-").to_string(),
                c["countries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
                c["line"].as_u64().unwrap(),
                c["basis"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

/// (rule, severity, resource, file, line, suppressed) of every finding.
fn findings(report: &Value) -> Vec<(String, String, String, String, u64, bool)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["suppressed"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// (file, line) of every error entry.
fn errors(report: &Value) -> Vec<(String, u64)> {
    common::entries(report, "errors")
        .into_iter()
        .map(|(file, line, _)| (file, line))
        .collect()
}

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn provider_alias_replica_in_virginia_is_exposed_under_the_ruling() {
    let (code, report) = scan_json(&fixture("alias-replica"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        copies(&report),
        vec![
            (
                s("aws_ses_receipt_rule.store"),
                s("processing"),
                s("eu-west-1"),
                s("IE"),
                10,
                s("declared")
            ),
            (
                s("aws_s3_bucket.inbox"),
                s("store"),
                s("eu-west-1"),
                s("IE"),
                19,
                s("declared")
            ),
            (
                s("aws_s3_bucket.inbox_dr"),
                s("replica"),
                s("us-east-1"),
                s("US"),
                23,
                s("declared")
            ),
        ]
    );
    assert_eq!(
        findings(&report),
        vec![(
            s("MSI001"),
            s("high"),
            s("aws_s3_bucket.inbox_dr"),
            s("main.tf"),
            23,
            false
        )]
    );
    let via = &report["findings"][0]["via"];
    assert_eq!(
        via,
        &serde_json::json!([
            "aws_ses_receipt_rule.store",
            "aws_s3_bucket.inbox",
            "aws_s3_bucket_replication_configuration.dr",
            "aws_s3_bucket.inbox_dr"
        ])
    );
}

#[test]
fn cloud_act_exposes_both_copies_wherever_they_are() {
    let (code, report) = scan_json(&fixture("alias-replica"), &["--policy", "cloud-act-2018"]);
    assert_eq!(code, 1);
    let cld: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f.2.starts_with("aws_s3_bucket"))
        .map(|f| (f.0, f.2, f.4))
        .collect();
    assert_eq!(
        cld,
        vec![
            (s("CLD001"), s("aws_s3_bucket.inbox"), 19),
            (s("CLD001"), s("aws_s3_bucket.inbox_dr"), 23),
        ]
    );
    assert_eq!(report["policies"][0]["id"], "cloud-act-2018");
}

#[test]
fn module_with_providers_map_and_tfvars_override() {
    // terraform.tfvars sets dr_region = us-east-1 over the default eu-central-1, and the module
    // receives the aliased provider through `providers = { aws = aws.dr }`.
    let (code, report) = scan_json(&root().join("sample-configs/dublin-with-us-replica"), &[]);
    assert_eq!(code, 1);
    let c = copies(&report);
    assert_eq!(
        c[2],
        (
            s("module.replica.aws_s3_bucket.this"),
            s("replica"),
            s("us-east-1"),
            s("US"),
            5,
            s("variable")
        )
    );
    assert_eq!(
        report["datasets"][0]["copies"][2]["file"],
        "modules/replica/main.tf"
    );
    assert_eq!(
        findings(&report),
        vec![(
            s("MSI001"),
            s("high"),
            s("module.replica.aws_s3_bucket.this"),
            s("modules/replica/main.tf"),
            5,
            false
        )]
    );
}

#[test]
fn var_flag_overrides_tfvars() {
    let (code, report) = scan_json(
        &root().join("sample-configs/dublin-with-us-replica"),
        &["--var", "dr_region=eu-north-1"],
    );
    assert_eq!(code, 0);
    assert_eq!(copies(&report)[2].2, "eu-north-1");
    assert_eq!(copies(&report)[2].3, "SE");
    assert!(findings(&report).iter().all(|f| f.0 == "MSI004"));
}

#[test]
fn per_resource_region_tags_and_undeclared_replica() {
    let (code, report) = scan_json(&fixture("per-resource-region"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        copies(&report),
        vec![
            (
                s("aws_workmail_organization.corp"),
                s("store"),
                s("eu-central-1"),
                s("DE"),
                10,
                s("declared")
            ),
            (
                s("aws_s3_bucket.archive"),
                s("store"),
                s("us-west-2"),
                s("US"),
                16,
                s("declared")
            ),
            (
                s("aws_s3_bucket.legacy"),
                s("store"),
                s("eu-central-1"),
                s("DE"),
                25,
                s("declared")
            ),
            (
                s("arn:aws:s3:::somewhere-else"),
                s("replica"),
                s("-"),
                s(""),
                25,
                s("unknown")
            ),
        ]
    );
    assert_eq!(
        report["datasets"][0]["copies"][0]["key_custody"],
        "customer-managed"
    );
    let reason = report["datasets"][2]["copies"][1]["unknown_reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("not declared in the scanned files"),
        "{reason}"
    );
    assert_eq!(
        findings(&report),
        vec![
            (
                s("MSI004"),
                s("info"),
                s("aws_workmail_organization.corp"),
                s("main.tf"),
                10,
                false
            ),
            (
                s("MSI001"),
                s("high"),
                s("aws_s3_bucket.archive"),
                s("main.tf"),
                16,
                false
            ),
            (
                s("MSI003"),
                s("medium"),
                s("arn:aws:s3:::somewhere-else"),
                s("main.tf"),
                25,
                false
            ),
        ]
    );
}

#[test]
fn cloudformation_short_form_tags_with_region_and_parameters() {
    let (_, report) = scan_json(&fixture("cfn-short-tags"), &["--region", "eu-west-1"]);
    assert_eq!(
        copies(&report),
        vec![
            (
                s("Rule"),
                s("processing"),
                s("eu-west-1"),
                s("IE"),
                25,
                s("variable")
            ),
            (
                s("Inbox"),
                s("store"),
                s("eu-west-1"),
                s("IE"),
                9,
                s("variable")
            ),
            (
                s("arn:aws:sns:us-east-1:123456789012:copies"),
                s("processing"),
                s("us-east-1"),
                s("US"),
                25,
                s("implicit")
            ),
            (
                s("Replica"),
                s("replica"),
                s("eu-west-1"),
                s("IE"),
                19,
                s("variable")
            ),
        ]
    );
    // An SNS action carries the whole message through the US: held there in electronic
    // storage, exposed under the ruling (MSI005).
    assert_eq!(
        findings(&report),
        vec![(
            s("MSI005"),
            s("high"),
            s("arn:aws:sns:us-east-1:123456789012:copies"),
            s("stack.yaml"),
            25,
            false
        )]
    );
    // With Env=prod the condition picks `!GetAtt Replica.Arn`: still the same replica.
    let (_, prod) = scan_json(
        &fixture("cfn-short-tags"),
        &["--region", "eu-west-1", "--parameter", "Env=prod"],
    );
    assert_eq!(copies(&prod)[3].0, "Replica");
}

#[test]
fn cloudformation_without_region_is_unknown_with_reason() {
    let (code, report) = scan_json(&fixture("cfn-short-tags"), &[]);
    assert_eq!(
        code, 1,
        "the SNS topic's ARN names us-east-1 (MSI005, high) even when the stack's region is unknown"
    );
    let inbox = &report["datasets"][0]["copies"][1];
    assert_eq!(inbox["basis"], "unknown");
    // A literal region inside an ARN is read even when the account is not known.
    let (_, sample) = scan_json(&root().join("sample-configs/cloudformation"), &[]);
    let topic = sample["datasets"][0]["copies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["resource"].as_str().unwrap().starts_with("arn:aws:sns"))
        .unwrap();
    assert_eq!(topic["resource"], "arn:aws:sns:us-east-1:?:mail-copies");
    assert_eq!(topic["countries"], serde_json::json!(["US"]));
    assert!(inbox["unknown_reason"]
        .as_str()
        .unwrap()
        .contains("pass --region"));
    let (code, _) = scan_json(&fixture("cfn-short-tags"), &["--fail-on", "medium"]);
    assert_eq!(code, 1);
}

#[test]
fn unknown_region_is_never_guessed() {
    let (code, report) = scan_json(&root().join("sample-configs/unknown-region"), &[]);
    assert_eq!(code, 0);
    for c in copies(&report) {
        assert_eq!(
            (c.2.as_str(), c.3.as_str(), c.5.as_str()),
            ("-", "", "unknown")
        );
    }
    let reason = report["datasets"][0]["copies"][0]["unknown_reason"]
        .as_str()
        .unwrap();
    assert_eq!(reason, "provider aws has no region; pass --region");
    let rules: Vec<_> = findings(&report).into_iter().map(|f| (f.0, f.4)).collect();
    assert_eq!(rules, vec![(s("MSI003"), 7), (s("MSI003"), 11)]);
    // Under the CLOUD Act an AWS copy is exposed even when its region is unknown.
    let (code, report) = scan_json(
        &root().join("sample-configs/unknown-region"),
        &["--policy", "cloud-act-2018"],
    );
    assert_eq!(code, 1);
    assert!(findings(&report).iter().all(|f| f.0 == "CLD001"));
}

#[test]
fn malformed_files_become_errors_and_the_rest_is_scanned() {
    let (code, report) = scan_json(&fixture("malformed"), &[]);
    assert_eq!(
        code, 1,
        "the good file's high finding still fails the build"
    );
    assert_eq!(
        errors(&report),
        vec![
            (s("bad.yaml"), 6),
            (s("binary.tf"), 3),
            (s("broken.tf"), 3),
            (s("truncated.json"), 4)
        ]
    );
    assert_eq!(report["summary"]["errors"], 4);
    assert_eq!(
        findings(&report),
        vec![(
            s("MSI001"),
            s("high"),
            s("aws_workmail_organization.corp"),
            s("good.tf"),
            5,
            false
        )]
    );
    // With nothing failing otherwise, unreadable inputs give exit code 3.
    let (code, _) = scan_json(&fixture("malformed"), &["--fail-on", "never"]);
    assert_eq!(code, 3);
}

#[test]
fn inline_suppression_is_kept_and_marked() {
    let (code, report) = scan_json(&fixture("suppressed"), &[]);
    assert_eq!(code, 1, "the unsuppressed WorkMail finding still fails");
    assert_eq!(
        findings(&report),
        vec![
            (
                s("MSI001"),
                s("high"),
                s("aws_mailmanager_archive.journal"),
                s("main.tf"),
                6,
                true
            ),
            (
                s("MSI001"),
                s("high"),
                s("aws_workmail_organization.corp"),
                s("main.tf"),
                10,
                false
            ),
        ]
    );
    assert_eq!(
        report["findings"][0]["suppression_reason"],
        "journaling copy approved by counsel, ticket LEGAL-7"
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(report["datasets"][0]["copies"][0]["role"], "archive");
}

#[test]
fn terraform_json_syntax() {
    let (code, report) = scan_json(&fixture("tf-json"), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        copies(&report),
        vec![(
            s("aws_workmail_organization.corp"),
            s("store"),
            s("ap-southeast-2"),
            s("AU"),
            10,
            s("variable")
        )]
    );
}

#[test]
fn eea_policy_flags_outside_and_unknown() {
    let (code, report) = scan_json(
        &root().join("sample-configs"),
        &["--policy", "eea-residency"],
    );
    assert_eq!(code, 1);
    let rules: Vec<_> = findings(&report)
        .into_iter()
        .filter(|f| f.0 == "EEA001")
        .map(|f| f.2)
        .collect();
    assert!(
        rules.contains(&s("module.replica.aws_s3_bucket.this")),
        "{rules:?}"
    );
    assert!(findings(&report).iter().any(|f| f.0 == "EEA002"));
}

#[test]
fn user_policy_file_and_invalid_policy() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("only-ireland.json");
    std::fs::write(
        &good,
        r#"{"id":"only-ireland","title":"Mail stays in Ireland","applies_from":"2024-01-01",
            "rules":[{"id":"IE001","title":"Outside Ireland","severity":"high","verdict":"violation",
            "message":"{resource} is in {countries}","when":{"not":{"field":"countries","all_in":["IE"]}}}]}"#,
    )
    .unwrap();
    let (code, report) = scan_json(
        &fixture("alias-replica"),
        &["--policy", good.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let hits: Vec<_> = findings(&report).into_iter().map(|f| (f.0, f.2)).collect();
    assert_eq!(hits, vec![(s("IE001"), s("aws_s3_bucket.inbox_dr"))]);

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"id":"b","title":"t","applies_from":"2024-01-01","rules":[{"id":"B1","title":"t",
            "severity":"high","verdict":"violation","message":"m","when":{"field":"countries","has":["US"]}}]}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[
        "scan",
        fixture("alias-replica").to_str().unwrap(),
        "--policy",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("rule B1") && stderr.contains("unknown operator \"has\""),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["scan", ".", "--policy", "no-such-policy"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-policy"));

    // `policies` and `explain` show a policy file's own rules.
    let good = good.to_str().unwrap();
    let (code, stdout, _) = run(&["policies", "--policy", good]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("only-ireland\n  Mail stays in Ireland\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  IE001   high   violation      Outside Ireland\n"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("MSI001"),
        "only the named policy: {stdout}"
    );
    let (code, stdout, _) = run(&["explain", "ie001", "--policy", good]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("IE001: Outside Ireland\n"), "{stdout}");
    assert!(
        stdout.contains("only-ireland (Mail stays in Ireland)"),
        "{stdout}"
    );
    // Built-in rules are still found beside a policy file, and a rule in none is exit 2.
    assert_eq!(run(&["explain", "MSI001", "--policy", good]).0, 0);
    let (code, _, stderr) = run(&["explain", "IE001"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--policy FILE"), "{stderr}");
    assert_eq!(run(&["policies", "--policy", bad.to_str().unwrap()]).0, 2);
}

#[test]
fn explain_policies_and_regions() {
    let (code, stdout, _) = run(&["explain", "MSI001"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("MSI001: Mail content stored in the United States"));
    assert!(stdout.contains("829 F.3d 197"));
    let (code, _, stderr) = run(&["explain", "NOPE01"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("NOPE01"));
    let (code, stdout, _) = run(&["policies"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("microsoft-ireland-2016 (default)"));
    assert!(stdout.contains("superseded on 2018-03-23 by cloud-act-2018"));
    let (code, stdout, _) = run(&[
        "regions",
        "--provider",
        "azure",
        "--country",
        "BR",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let rows: Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<_> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["brazilsouth", "brazilsoutheast"]);
    assert_eq!(rows[0]["paired_region"], "southcentralus");
    assert_eq!(rows[0]["paired_countries"], serde_json::json!(["US"]));
    // The other clouds, filtered by country.
    let (code, stdout, _) = run(&[
        "regions",
        "--provider",
        "oci",
        "--country",
        "DE",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let rows: Value = serde_json::from_str(&stdout).unwrap();
    let found: Vec<(&str, &str, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["partition"].as_str().unwrap(),
                r["confirmed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("eu-frankfurt-1", "oc1", true),
            ("eu-frankfurt-2", "oc19", true),
            ("eu-dcc-rating-1", "oc14", false),
            ("eu-dcc-rating-2", "oc14", false),
        ]
    );
    // The text listing: one line a region, long country lists summarised, the operator, notes
    // at the end.
    let (code, stdout, _) = run(&["regions", "--country", "DE"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(
        &"azure        germanycentral           DE           Frankfurt                    T-Systems International GmbH (data trustee) (DE) pair germanynortheast, closed 2021-10-29"
    ));
    assert!(lines.contains(
        &"gcp          eu                       27 countries European Union member states Google LLC (US)"
    ));
    assert!(lines.contains(
        &"oci          eu-dcc-rating-1          DE           Ratingen                     Oracle (dedicated realm oc14) (US)           unconfirmed"
    ));
}

#[test]
fn text_report_shows_map_findings_and_summary() {
    let (code, stdout, _) = run(&[
        "scan",
        fixture("alias-replica").to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("Dataset aws_ses_receipt_rule.store"));
    assert!(stdout.contains("HIGH   MSI001 exposed        main.tf:23  aws_s3_bucket.inbox_dr"));
    // Prose wraps at 80 columns when the report does not go to a terminal, breaking only at
    // spaces; table rows and the summary stay one line each.
    assert!(stdout.contains(
        "         path: aws_ses_receipt_rule.store → aws_s3_bucket.inbox →\n           aws_s3_bucket_replication_configuration.dr → aws_s3_bucket.inbox_dr\n           (us-east-1, US)\n"
    ));
    assert!(stdout.contains("\n1 file · 4 resources · 1 dataset · 3 copies · findings: 1 high, 0 medium, 0 low, 0 info · 0 suppressed · 0 errors\n"));
    for line in stdout.lines().filter(|l| {
        !l.starts_with("  ROLE")
            && !l.starts_with("  store")
            && !l.starts_with("  replica")
            && !l.starts_with("  processing")
            && !l.starts_with("  HIGH")
            && !l.starts_with("1 file")
    }) {
        assert!(line.chars().count() <= 80, "longer than 80 columns: {line}");
    }
    assert!(
        !stdout.contains('\u{1b}'),
        "no colour codes with --color never"
    );
}

#[test]
fn json_contract_fields_and_determinism() {
    let (_, a, _) = run(&[
        "scan",
        root().join("sample-configs").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let (_, b, _) = run(&[
        "scan",
        root().join("sample-configs").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(a, b, "same input, byte-identical output");
    let report: Value = serde_json::from_str(&a).unwrap();
    for key in [
        "tool",
        "schema_version",
        "policies",
        "summary",
        "datasets",
        "findings",
        "errors",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    let copy = &report["datasets"][0]["copies"][0];
    for key in [
        "resource",
        "file",
        "line",
        "role",
        "data",
        "provider",
        "region",
        "countries",
        "operator",
        "parent",
        "key_custody",
        "basis",
        "unknown_reason",
        "via",
    ] {
        assert!(copy.get(key).is_some(), "copy misses {key}");
    }
    let finding = &report["findings"][0];
    for key in [
        "rule",
        "policy",
        "severity",
        "verdict",
        "message",
        "dataset",
        "resource",
        "file",
        "line",
        "region",
        "countries",
        "suppressed",
        "via",
    ] {
        assert!(finding.get(key).is_some(), "finding misses {key}");
    }
}

#[test]
fn output_file_and_sample_configs_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let (code, stdout, _) = run(&[
        "scan",
        root().join("sample-configs").to_str().unwrap(),
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    // One sample of each input kind: Terraform, a plan, CloudFormation, an ARM template with its
    // parameter file, Bicep with a module and a .bicepparam file, Kubernetes manifests and a
    // tenants file. The plan in terraform-plan/ is not joined to unknown-region/, which
    // declares a resource of the same address.
    assert_eq!(report["summary"]["files"], 17);
    // The Multi-Geo satellite is a resource and a dataset of its own.
    assert_eq!(report["summary"]["resources"], 43);
    assert_eq!(report["summary"]["datasets"], 20);
    // The WorkMail organisation's dataset holds the journal bucket its receipt rule writes.
    assert_eq!(report["summary"]["copies"], 43);
    // The CloudFormation sample's SNS topic in us-east-1 is MSI005 (high), not MSI003.
    assert_eq!(report["summary"]["findings"]["high"], 9);
    assert_eq!(report["summary"]["findings"]["medium"], 9);
    assert_eq!(report["summary"]["errors"], 0);
}

/// An output that is not a regular file (a FIFO here, `/dev/null` or `/dev/stdout` for users)
/// is written in place, never replaced by a plain file; a link to a report file stays a link.
#[test]
fn output_to_a_pipe_or_through_a_link_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let samples = root().join("sample-configs");
    let (code, _, stderr) = run(&[
        "scan",
        samples.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    // Checked before waiting for the reader, which would wait forever had the pipe been replaced.
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    let report: Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(report["summary"]["files"], 17);

    let target = dir.path().join("reports").join("latest.json");
    std::fs::create_dir(target.parent().unwrap()).unwrap();
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("report.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (code, _, _) = run(&[
        "scan",
        samples.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        link.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(report["summary"]["files"], 17);
}

#[test]
fn excluded_and_missing_paths() {
    let (_, report) = scan_json(
        &root().join("sample-configs"),
        &[
            "--exclude",
            "dublin-with-us-replica/**",
            "--exclude",
            "dublin-backup-and-logs/**",
            "--exclude",
            "hosted-tenants/**",
            "--exclude",
            "terraform-plan/**",
            "--exclude",
            "kubernetes/**",
            "--exclude",
            "azure-bicep/**",
            "--exclude",
            "self-hosted-droplet/**",
        ],
    );
    // Only the CloudFormation sample's SNS topic in us-east-1 is left high (MSI005).
    assert_eq!(report["summary"]["findings"]["high"], 1);
    // A path that does not exist is a mistake in the command (exit 2), not an input problem.
    let (code, stdout, stderr) = run(&["scan", "/no/such/dir", "--format", "json"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "residency: error: /no/such/dir: no such file or directory\n"
    );
}

#[test]
fn hostile_inputs_are_errors_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("deep.tf"),
        "locals {\n  x = ".to_string() + &"[".repeat(50_000),
    )
    .unwrap();
    std::fs::write(
        p.join("deep.json"),
        "{\"AWSTemplateFormatVersion\": ".to_string() + &"[".repeat(50_000),
    )
    .unwrap();
    std::fs::write(
        p.join("deep.yaml"),
        "AWSTemplateFormatVersion: x\nResources: ".to_string() + &"[".repeat(50_000),
    )
    .unwrap();
    let mut bomb =
        String::from("AWSTemplateFormatVersion: x\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, c) in ('a'..='j').zip('b'..='k') {
        bomb.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    std::fs::write(p.join("bomb.yaml"), bomb).unwrap();
    std::fs::write(
        p.join("latin1.tf"),
        b"resource \"a\" \"b\" {\n  x = \"\xe9\"\n}\n",
    )
    .unwrap();
    std::fs::write(p.join("cycle.tf"), "locals {\n  a = local.b\n  b = local.a\n}\nprovider \"aws\" {\n  region = local.a\n}\nresource \"aws_workmail_organization\" \"o\" {\n  organization_alias = \"o\"\n}\n").unwrap();
    std::fs::create_dir(p.join("self")).unwrap();
    std::fs::write(
        p.join("self/main.tf"),
        "module \"again\" {\n  source = \"../self\"\n}\n",
    )
    .unwrap();
    let (code, report) = scan_json(p, &["--fail-on", "never"]);
    assert_eq!(code, 3);
    assert_eq!(
        errors(&report),
        vec![
            (s("bomb.yaml"), 5),
            (s("deep.json"), 1),
            (s("deep.tf"), 2),
            (s("deep.yaml"), 2),
            (s("latin1.tf"), 2),
        ]
    );
    // A module that calls itself is what Terraform refuses; residency says so with the cycle,
    // as a warning, and reports what it could evaluate.
    let cycle = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "module-cycle")
        .expect("a module-cycle warning");
    assert_eq!(cycle["file"], "self/main.tf");
    assert_eq!(cycle["line"], 1);
    assert_eq!(
        cycle["message"],
        "module.again: modules call each other in a cycle (self → self); the cycle is not followed"
    );
    // Locals that refer to each other leave the region unknown, with the reason.
    let copy = &report["datasets"][0]["copies"][0];
    assert_eq!(copy["resource"], "aws_workmail_organization.o");
    assert!(
        copy["unknown_reason"]
            .as_str()
            .unwrap()
            .contains("refers to itself"),
        "{copy}"
    );
}

#[test]
fn map_command_prints_the_data_map() {
    let (code, stdout, _) = run(&[
        "map",
        fixture("alias-replica").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let map: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(map["datasets"][0]["copies"].as_array().unwrap().len(), 3);
    assert!(map.get("findings").is_none());
}

#[test]
fn same_address_in_two_root_modules_stays_apart() {
    let dir = tempfile::tempdir().unwrap();
    for (root, region) in [("a", "eu-west-1"), ("b", "us-east-1")] {
        let d = dir.path().join(root);
        std::fs::create_dir(&d).unwrap();
        std::fs::write(
            d.join("main.tf"),
            format!(
                "provider \"aws\" {{\n  region = \"{region}\"\n}}\n\
                 resource \"aws_workmail_organization\" \"corp\" {{\n  organization_alias = \"{root}\"\n}}\n\
                 resource \"aws_ses_receipt_rule\" \"in\" {{\n  name = \"in\"\n  rule_set_name = \"rs\"\n  \
                 workmail_action {{\n    organization_arn = aws_workmail_organization.corp.arn\n    position = 1\n  }}\n}}\n"
            ),
        )
        .unwrap();
    }
    let (_, report) = scan_json(dir.path(), &[]);
    let stores: Vec<_> = copies(&report)
        .into_iter()
        .filter(|c| c.1 == "store")
        .map(|c| (c.0, c.2))
        .collect();
    assert_eq!(
        stores,
        vec![
            (s("aws_workmail_organization.corp"), s("eu-west-1")),
            (s("aws_workmail_organization.corp"), s("us-east-1")),
        ]
    );
}

#[test]
fn mail_manager_ingress_rule_set_actions_and_relay() {
    let (_, report) = scan_json(&fixture("mail-manager"), &["--region", "eu-west-1"]);
    let got: Vec<_> = copies(&report)
        .into_iter()
        .map(|c| (c.0, c.1, c.2))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                s("aws_mailmanager_ingress_point.ip"),
                s("processing"),
                s("eu-west-1")
            ),
            (
                s("aws_mailmanager_rule_set.rs"),
                s("processing"),
                s("eu-west-1")
            ),
            (s("aws_mailmanager_archive.a"), s("archive"), s("eu-west-1")),
            (s("aws_s3_bucket.b"), s("store"), s("eu-west-1")),
            (
                s("arn:aws:sns:us-east-1:1:t"),
                s("processing"),
                s("us-east-1")
            ),
            (s("x"), s("processing"), s("-")),
            (s("RS"), s("processing"), s("eu-west-1")),
            (s("Arch"), s("archive"), s("eu-west-1")),
            (
                s("arn:aws:workmail:us-east-1:1:organization/m-1"),
                s("store"),
                s("us-east-1")
            ),
        ]
    );
    assert_eq!(
        report["datasets"][0]["copies"][3]["key_custody"],
        "customer-managed"
    );
}

/// Colour follows the conventions users set in CI and terminals: `CLICOLOR_FORCE` colours
/// even a pipe, `NO_COLOR` turns colour off, `TERM=dumb` gets none; `--color` wins over all.
#[test]
fn colour_follows_the_environment_conventions() {
    let run_with = |env: &[(&str, &str)], extra: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_residency"));
        command
            .args(["scan", "sample-configs/dublin-only"])
            .args(extra)
            .current_dir(root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .env_remove("TERM");
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        String::from_utf8(out.stdout).unwrap().contains('\u{1b}')
    };
    assert!(!run_with(&[], &[]), "a pipe gets no colour");
    assert!(run_with(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!run_with(&[("NO_COLOR", "1")], &["--color", "auto"]));
    assert!(!run_with(&[("TERM", "dumb"), ("CLICOLOR", "1")], &[]));
    assert!(run_with(&[("NO_COLOR", "1")], &["--color", "always"]));
    assert!(!run_with(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
}

/// Completion scripts for every shell clap_complete knows, and the manual page, come from the
/// same definitions as `--help`: each names the subcommands.
#[test]
fn completions_and_manual_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, stdout, stderr) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        for word in ["scan", "explain", "fail-on"] {
            assert!(stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    let (code, stdout, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(stdout.contains(".TH residency 1"));
    assert!(stdout.contains("residency\\-scan") || stdout.contains("scan"));
    let (code, _, _) = run(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error");
}

/// `regions` refuses a provider or country it does not know (exit 2, with the valid ids),
/// instead of printing an empty list that reads as "no such region".
#[test]
fn regions_refuses_unknown_filters() {
    let (code, stdout, stderr) = run(&["regions", "--provider", "awz"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("--provider \"awz\" is not in the catalog; one of: aws, azure, gcp"));
    let (code, _, stderr) = run(&["regions", "--country", "XX"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not an ISO 3166-1 alpha-2 code"));
    let (code, stdout, _) = run(&["regions", "--provider", "aws", "--country", "ie"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("aws          eu-west-1"));
}

#[test]
fn quiet_prints_one_line_per_finding_and_the_summary() {
    let samples = root().join("sample-configs");
    let (code, stdout, stderr) = run(&[
        "scan",
        samples.to_str().unwrap(),
        "--quiet",
        "--min-severity",
        "high",
        "--color",
        "never",
    ]);
    // The exit code is --fail-on's, whatever is shown.
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(
        stdout,
        "HIGH MSI001 azure-bicep/modules/journal.bicep:4 Microsoft.DocumentDB/databaseAccounts/examplemail-journal (geo location eastus2) eastus2 (US)\n\
         HIGH MSI005 cloudformation/mail-stack.yaml:24 arn:aws:sns:us-east-1:?:mail-copies us-east-1 (US)\n\
         HIGH MSI001 dublin-backup-and-logs/main.tf:34 arn:aws:backup:us-east-1:111122223333:backup-vault:offsite us-east-1 (US)\n\
         HIGH MSI001 dublin-backup-and-logs/main.tf:78 aws_s3_bucket.events us-east-1 (US)\n\
         HIGH MSI001 dublin-with-us-replica/modules/replica/main.tf:5 module.replica.aws_s3_bucket.this us-east-1 (US)\n\
         HIGH MSI001 hosted-tenants/mail-tenants.json:4 tenant.example-org (Multi-Geo satellite NAM) NAM (US)\n\
         HIGH MSI001 kubernetes/mailserver.yaml:51 BackupStorageLocation/velero/offsite us-east-1 (US)\n\
         HIGH MSI001 terraform-plan/plan.json:36 aws_s3_bucket.journal us-west-2 (US)\n\
         HIGH MSI001 terraform-plan/plan.json:36 aws_s3_bucket.journal us-west-2 (US)\n\
         17 files · 43 resources · 20 datasets · 43 copies · findings: 9 high, 9 medium, 0 low, 9 info · 0 suppressed · 0 errors\n"
    );
    // Unknown locations say so; input errors are lines of their own and keep exit 3.
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        "resource \"aws_workmail_organization\" \"corp\" {\n  organization_alias = \"corp\"\n}\n",
    )
    .unwrap();
    std::fs::write(tree.path().join("broken.tf"), "resource \"x\" {\n").unwrap();
    let (code, stdout, _) = run(&[
        "scan",
        tree.path().to_str().unwrap(),
        "-q",
        "--color",
        "never",
    ]);
    assert_eq!(code, 3);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(
        lines[0],
        "MEDIUM MSI003 main.tf:1 aws_workmail_organization.corp (location unknown)"
    );
    assert!(lines[1].starts_with("ERROR broken.tf:"), "{}", lines[1]);
    assert!(lines[1].contains(" [syntax] "), "{}", lines[1]);
    assert_eq!(
        lines[2],
        "2 files · 1 resource · 1 dataset · 1 copy · findings: 0 high, 1 medium, 0 low, 0 info · 0 suppressed · 1 error"
    );
}

#[test]
fn min_severity_comes_from_the_config_file_too() {
    let tree = tempfile::tempdir().unwrap();
    let sample = root().join("sample-configs/dublin-only/main.tf");
    std::fs::copy(sample, tree.path().join("main.tf")).unwrap();
    let dir = tree.path().to_str().unwrap();
    let (_, all) = scan_json(tree.path(), &[]);
    assert_eq!(all["findings"].as_array().unwrap().len(), 1);
    std::fs::write(
        tree.path().join("residency.toml"),
        "min_severity = \"low\"\n",
    )
    .unwrap();
    let (code, shown) = scan_json(tree.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(shown["findings"].as_array().unwrap().len(), 0);
    // The command line wins.
    let (_, back) = scan_json(tree.path(), &["--min-severity", "info"]);
    assert_eq!(back["findings"].as_array().unwrap().len(), 1);
    std::fs::write(
        tree.path().join("residency.toml"),
        "min_severity = \"loud\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run(&["scan", dir]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "residency.toml:1: min_severity \"loud\" is not one of high, medium, low, info"
        ),
        "{stderr}"
    );
}

#[test]
fn timings_name_every_stage_and_each_report() {
    let reports = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_residency"))
        .args([
            "scan",
            "sample-configs",
            "--format",
            "json,sarif",
            "--output",
        ])
        .arg(format!("{},-", reports.path().join("r.json").display()))
        .current_dir(root())
        .env("RESIDENCY_TIMINGS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stages: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split("  ").next())
        .map(str::trim)
        .collect();
    assert_eq!(
        stages,
        [
            "discover",
            "parse",
            "resolve",
            "datamap",
            "policies",
            "suppressions",
            "report json",
            "report sarif"
        ],
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .all(|l| l.contains(" ms  rss ") && l.contains(" kB  peak ")),
        "{stderr}"
    );
}

/// On a terminal, a scan longer than a second shows a progress line on standard error (and
/// clears it); with `CI` set or `--quiet`, none. Run under `script`, which gives the binary a
/// terminal.
#[test]
fn progress_shows_on_a_terminal_only_outside_ci() {
    let tree = tempfile::tempdir().unwrap();
    let mut tf = String::from("provider \"aws\" {\n  region = \"us-east-1\"\n}\n");
    for i in 0..20_000 {
        tf.push_str(&format!(
            "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"b-{i}\"\n  tags = {{ data-class = \"mailbox\" }}\n}}\n"
        ));
    }
    std::fs::write(tree.path().join("main.tf"), tf).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let on_terminal = |env: &[(&str, &str)], extra: &str| {
        let log = reports.path().join("terminal.log");
        let command = format!(
            "{} scan {} --format json --output {} {extra}",
            env!("CARGO_BIN_EXE_residency"),
            tree.path().display(),
            reports.path().join("report.json").display()
        );
        let status = std::process::Command::new("script")
            .args(["-qec", &command])
            .arg(&log)
            .env_remove("CI")
            .env_remove("GITHUB_ACTIONS")
            .env("TERM", "xterm")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("script (util-linux) runs");
        assert_eq!(status.code(), Some(1));
        String::from_utf8_lossy(&std::fs::read(log).unwrap()).into_owned()
    };
    // Shown at once rather than after a second, so that a fast machine does not finish first.
    let shown = on_terminal(&[("RESIDENCY_PROGRESS_DELAY_MS", "0")], "");
    let stages = [
        "parsing 0/1 files",
        "parsing 1/1 files",
        "resolving",
        "mapping",
        "judging",
    ];
    assert!(
        stages
            .iter()
            .any(|s| shown.contains(&format!(" residency: {s} ("))),
        "{shown}"
    );
    assert!(shown.contains("\u{1b}[2K"), "the line is cleared: {shown}");
    for (env, extra) in [(&[("CI", "true")][..], ""), (&[][..], "--quiet")] {
        let quiet = on_terminal(env, extra);
        assert!(!quiet.contains("residency: "), "{env:?} {extra}: {quiet}");
    }
    // The report is the same either way.
    let report = std::fs::read_to_string(reports.path().join("report.json")).unwrap();
    assert_eq!(common::json(&report)["summary"]["copies"], 20_000);
}
