//! End-to-end tests of the input kinds beyond Terraform and CloudFormation source: Terraform
//! plans and state, Azure ARM templates and Kubernetes manifests, run through the binary on
//! fixtures with the exact copies, findings, lines and exit codes expected.

mod common;

use common::{copies, root, scan_json};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(path: &str) -> PathBuf {
    root().join("tests/fixtures").join(path)
}

/// (rule, resource, file, line) of every finding.
fn findings_at(report: &Value) -> Vec<(String, String, String, u64)> {
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

fn finding(rule: &str, resource: &str, file: &str, line: u64) -> (String, String, String, u64) {
    (rule.into(), resource.into(), file.into(), line)
}

const PLAN_CHAIN: [&str; 3] = [
    "module.mail.aws_ses_receipt_rule.inbound | processing | content | eu-west-1 | IE | provider | module.mail.aws_ses_receipt_rule.inbound",
    "module.mail.aws_s3_bucket.store[0] | store | content | eu-west-1 | IE | provider | module.mail.aws_ses_receipt_rule.inbound → module.mail.aws_s3_bucket.store[0]",
    "module.mail.aws_s3_bucket.replica | replica | content | us-east-1 | US | provider | module.mail.aws_ses_receipt_rule.inbound → module.mail.aws_s3_bucket.store[0] → module.mail.aws_s3_bucket_replication_configuration.store → module.mail.aws_s3_bucket.replica",
];

/// A plan whose replica bucket sits in a module on an aliased provider (`aws.replica`, passed
/// into the module) configured from a variable the plan records; the replication destination
/// is known only after apply and is followed through the plan's configuration.
#[test]
fn plan_json_alias_configured_from_a_variable() {
    let (code, report) = scan_json(&fixture("tfplan/plan-only"), &[]);
    assert_eq!(code, 1);
    assert_eq!(copies(&report), PLAN_CHAIN);
    assert_eq!(report["summary"]["resources"], 4);
    let replica = &report["datasets"][0]["copies"][2];
    assert_eq!(replica["basis"], "variable");
    assert_eq!(
        findings_at(&report),
        [finding(
            "MSI001",
            "module.mail.aws_s3_bucket.replica",
            "plan.json",
            14
        )]
    );
    // Without the plan's variable value the alias's region cannot be known.
    let (_, cloud_act) = scan_json(
        &fixture("tfplan/plan-only"),
        &["--policy", "cloud-act-2018"],
    );
    assert_eq!(cloud_act["summary"]["datasets"], 1);
}

/// The same resources declared in `.tf` files and present in a plan in the same tree are one
/// resource each: the plan's values, at the `.tf` file and line that declare them.
#[test]
fn plan_and_configuration_in_one_tree_are_one_resource() {
    let (code, report) = scan_json(&fixture("tfplan/with-config"), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["resources"], 4);
    assert_eq!(report["summary"]["datasets"], 1);
    assert_eq!(copies(&report), PLAN_CHAIN);
    assert_eq!(report["datasets"][0]["file"], "modules/mail/main.tf");
    assert_eq!(report["datasets"][0]["line"], 34);
    assert_eq!(
        findings_at(&report),
        [finding(
            "MSI001",
            "module.mail.aws_s3_bucket.replica",
            "modules/mail/main.tf",
            15
        )]
    );
    // The configuration alone leaves the variable unset: the replica's place is unknown.
    let (code, alone) = scan_json(&fixture("tfplan/with-config"), &["--exclude", "*.json"]);
    assert_eq!(code, 0, "medium findings do not fail the default gate");
    assert_eq!(
        findings_at(&alone),
        [finding(
            "MSI003",
            "module.mail.aws_s3_bucket.replica",
            "modules/mail/main.tf",
            15
        )]
    );
}

/// Raw state (format 4): regions from the recorded `region` attribute and from ARNs, module
/// and `for_each` addresses, unset strings (`""`) treated as unset.
#[test]
fn raw_state_regions_from_attributes_and_arns() {
    let (code, report) = scan_json(&fixture("tfplan/state/raw"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        copies(&report),
        [
            "aws_ses_receipt_rule.inbound | processing | content | eu-west-1 | IE | provider | aws_ses_receipt_rule.inbound",
            "module.archive.aws_s3_bucket.archive[\"primary\"] | store | content | us-west-2 | US | provider | aws_ses_receipt_rule.inbound → module.archive.aws_s3_bucket.archive[\"primary\"]",
        ]
    );
    assert_eq!(
        findings_at(&report),
        [finding(
            "MSI001",
            "module.archive.aws_s3_bucket.archive[\"primary\"]",
            "terraform.tfstate",
            37
        )]
    );
}

/// State as `terraform show -json` prints it.
#[test]
fn shown_state_json() {
    let (code, report) = scan_json(&fixture("tfplan/state/shown"), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["resources"], 2);
    assert_eq!(
        copies(&report),
        ["azurerm_email_communication_service.mail | store | content | Europe | IE,NL | provider | azurerm_email_communication_service.mail"]
    );
}
