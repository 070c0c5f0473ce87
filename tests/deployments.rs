//! Deployments and references, end to end, on fixtures shaped like real repositories
//! (`tests/fixtures/deployments/`): a reference links to the resource it names even when the
//! name cannot be known; each Terraform root module is a deployment of its own, never joined
//! with another by name; module `count`/`for_each` instances keep their keys.

mod common;

use common::{root, run};
use serde_json::Value;

fn scan(case: &str) -> (i32, Value) {
    let path = root().join("tests/fixtures/deployments").join(case);
    let (code, stdout, stderr) = run(&["scan", path.to_str().unwrap(), "--format", "json"]);
    assert!(stderr.is_empty(), "{stderr}");
    (code, serde_json::from_str(&stdout).unwrap())
}

/// `deployment | resource | file:line | role | region | countries | unknown reason` per copy.
fn copies(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for d in report["datasets"].as_array().unwrap() {
        for c in d["copies"].as_array().unwrap() {
            let countries: Vec<&str> = c["countries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect();
            out.push(format!(
                "{} | {} | {}:{} | {} | {} | {} | {}",
                c["deployment"].as_str().unwrap(),
                c["resource"].as_str().unwrap(),
                c["file"].as_str().unwrap(),
                c["line"],
                c["role"].as_str().unwrap(),
                c["region"].as_str().unwrap_or("?"),
                countries.join(","),
                c["unknown_reason"].as_str().unwrap_or("-"),
            ));
        }
    }
    out
}

/// `rule deployment resource line` per finding.
fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["rule"].as_str().unwrap(),
                f["deployment"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

/// `envs/dev` (us-east-1) and `envs/prod` (eu-west-1) deploy one module whose bucket name
/// comes from a variable without a value. The receipt rule's `bucket_name =
/// aws_s3_bucket.mail.bucket` is a link to that bucket: each environment's mail lands in its
/// own bucket, in its own region, in two datasets that do not mix; dev fails the gate.
#[test]
fn one_module_in_two_environments_is_two_deployments_linked_by_reference() {
    let (code, report) = scan("one-module-two-envs");
    assert_eq!(code, 1);
    assert_eq!(
        copies(&report),
        [
            "envs/dev | module.mail.aws_ses_receipt_rule.store | modules/mail/main.tf:13 | processing | us-east-1 | US | -",
            "envs/dev | module.mail.aws_s3_bucket.mail | modules/mail/main.tf:5 | store | us-east-1 | US | -",
            "envs/prod | module.mail.aws_ses_receipt_rule.store | modules/mail/main.tf:13 | processing | eu-west-1 | IE | -",
            "envs/prod | module.mail.aws_s3_bucket.mail | modules/mail/main.tf:5 | store | eu-west-1 | IE | -",
        ]
    );
    assert_eq!(
        findings(&report),
        [
            "MSI001 envs/dev module.mail.aws_s3_bucket.mail 5",
            "MSI004 envs/prod module.mail.aws_s3_bucket.mail 5",
            "MSI005 envs/dev module.mail.aws_ses_receipt_rule.store 13",
        ]
    );
    // Every format can tell the two apart: the message names the deployment.
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].starts_with("envs/dev: module.mail.aws_s3_bucket.mail holds mail"));
    assert!(messages[1].starts_with("envs/prod: module.mail.aws_s3_bucket.mail stores mail"));
    let (_, text, _) = run(&[
        "scan",
        root()
            .join("tests/fixtures/deployments/one-module-two-envs")
            .to_str()
            .unwrap(),
        "--color",
        "never",
    ]);
    assert!(text.contains("Dataset envs/dev: module.mail.aws_ses_receipt_rule.store"));
    assert!(text.contains("Dataset envs/prod: module.mail.aws_ses_receipt_rule.store"));
}

/// A bucket name written as a literal matches a bucket only in another root module: not
/// joined (its place is unknown, and the reason names the candidate it did not take).
#[test]
fn a_name_declared_only_in_another_deployment_is_not_joined() {
    let (code, report) = scan("name-in-another");
    assert_eq!(code, 0, "MSI003 is medium; the default gate is high");
    assert_eq!(
        copies(&report),
        [
            "inbound | aws_ses_receipt_rule.archive | inbound/main.tf:7 | processing | eu-west-1 | IE | -",
            "inbound | corp-mail-archive | inbound/main.tf:7 | store | ? |  | bucket corp-mail-archive is not declared in this deployment (inbound); archive: aws_s3_bucket.archive has that name in another deployment, and deployments are not joined by name",
        ]
    );
    assert_eq!(findings(&report), ["MSI003 inbound corp-mail-archive 7"]);
}

/// A module called with `count` or `for_each` is one instance per key, each with its key in
/// the address; a module's provider map still decides each instance's region.
#[test]
fn module_instances_keep_their_keys() {
    let (code, report) = scan("module-instances");
    assert_eq!(code, 1);
    let resources: Vec<String> = copies(&report)
        .iter()
        .map(|c| {
            let parts: Vec<&str> = c.split(" | ").collect();
            format!("{} {} {}", parts[1], parts[2], parts[4])
        })
        .collect();
    assert_eq!(
        resources,
        [
            "module.archive[0].aws_s3_bucket.mail mod/main.tf:6 eu-west-1",
            "module.archive[1].aws_s3_bucket.mail mod/main.tf:6 eu-west-1",
            "module.regional[\"eu\"].aws_s3_bucket.mail mod/main.tf:6 eu-west-1",
            "module.regional[\"us\"].aws_s3_bucket.mail mod/main.tf:6 eu-west-1",
            "module.us_archive.aws_s3_bucket.mail mod/main.tf:6 us-east-1",
        ]
    );
}

/// A data source reads the resource another root module manages, by name, as Terraform does at
/// plan time: the notification that one root module attaches to the other's mail bucket is
/// followed, and its queue (in the other deployment) is a copy of the mail's metadata.
#[test]
fn a_data_source_reads_the_resource_another_deployment_manages() {
    let (code, report) = scan("data-source-reads-another");
    assert_eq!(code, 0, "metadata in the US is medium");
    assert_eq!(
        copies(&report),
        [
            "mail | aws_ses_receipt_rule.maildir | mail/main.tf:18 | processing | ca-central-1 | CA | -",
            "mail | aws_s3_bucket.maildir | mail/main.tf:14 | store | ca-central-1 | CA | -",
            "notify | aws_sqs_queue.sink | notify/main.tf:19 | processing | us-east-1 | US | -",
        ]
    );
    assert_eq!(
        findings(&report),
        [
            "MSI004 mail aws_s3_bucket.maildir 14",
            "MSI002 notify aws_sqs_queue.sink 19",
        ]
    );
}

/// A directory that configures its own provider is a root module even when an example calls
/// it: both deployments are reported, neither hides the other.
#[test]
fn a_called_directory_that_configures_its_provider_stays_a_root() {
    let (code, report) = scan("called-root");
    assert_eq!(code, 0);
    assert_eq!(
        copies(&report),
        [
            ". | aws_s3_bucket.mail | main.tf:11 | store | eu-west-1 | IE | -",
            "examples/demo | module.mail.aws_s3_bucket.mail | main.tf:11 | store | eu-west-1 | IE | -",
        ]
    );
}

/// A registry module that `terraform init` downloaded is read from `.terraform/modules` like a
/// local one (its resources, at the cached file's lines, with the provider map applied); one
/// that was not downloaded is a warning that says what to do, its query string masked.
#[test]
fn remote_modules_are_read_from_the_terraform_init_cache() {
    let (code, report) = scan("remote-module-cache");
    assert_eq!(code, 1);
    assert_eq!(
        copies(&report),
        [". | module.archive.aws_s3_bucket.this | .terraform/modules/archive/main.tf:10 | store | us-east-2 | US | -"]
    );
    assert_eq!(
        findings(&report),
        ["MSI001 . module.archive.aws_s3_bucket.this 10"]
    );
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        warnings,
        ["module.journal: remote module source \"git::https://example.com/modules/journal.git?***\" is not in the files; run `terraform init` first (residency reads .terraform/modules/modules.json) or scan a `terraform show -json` plan"]
    );
}

/// `data "azurerm_resource_group"` takes the location of the group of that name the deployment
/// declares (here through a module input); a group declared nowhere is unknown with the reason.
#[test]
fn a_resource_group_data_source_takes_the_declared_group_location() {
    let (code, report) = scan("resource-group-data");
    assert_eq!(code, 0);
    assert_eq!(
        copies(&report),
        [
            ". | module.mail.azurerm_storage_account.archive | mail/main.tf:9 | store | westeurope | NL | -",
            ". | module.mail.azurerm_storage_account.archive (geo-redundant secondary) | mail/main.tf:9 | replica | northeurope | IE | -",
            ". | azurerm_storage_account.journal | main.tf:21 | store | ? |  | data.azurerm_resource_group.shared reads resource group rg-shared, which this deployment does not declare; its location is known only in Azure",
        ]
    );
}

/// The shapes real modules use to name a bucket whose name is known only at apply: a splat in
/// `one(...)`, a `for_each` key, a local, a conditional whose branches name the same bucket,
/// and a counted module's output. Each is a link to that bucket instance.
#[test]
fn references_link_through_every_shape() {
    let (code, report) = scan("reference-shapes");
    assert_eq!(code, 1);
    let stores: Vec<String> = copies(&report)
        .into_iter()
        .filter(|c| c.contains("| store |"))
        .collect();
    assert_eq!(
        stores,
        [
            ". | aws_s3_bucket.counted[0] | main.tf:14 | store | us-east-1 | US | -",
            ". | aws_s3_bucket.keyed[\"legal\"] | main.tf:19 | store | us-east-1 | US | -",
            ". | aws_s3_bucket.local | main.tf:24 | store | us-east-1 | US | -",
            ". | aws_s3_bucket.journal | main.tf:28 | store | us-east-1 | US | -",
            ". | module.store[0].aws_s3_bucket.this | modules/store/main.tf:5 | store | us-east-1 | US | -",
        ]
    );
}

/// Fingerprints include the deployment: a baseline written while only dev was in the US does
/// not hide prod moving there. A baseline of the previous format (fingerprints without the
/// deployment) is still read.
#[test]
fn a_baseline_keeps_deployments_apart() {
    let tree = tempfile::tempdir().unwrap();
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.unwrap();
            let target = to.join(entry.path().strip_prefix(from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    };
    copy(
        &root().join("tests/fixtures/deployments/one-module-two-envs"),
        tree.path(),
    );
    let path = tree.path().to_str().unwrap();
    let baseline = tree.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let (code, _, _) = run(&["scan", path, "--write-baseline", baseline]);
    assert_eq!(code, 0, "recording a baseline passes");
    let (code, _, _) = run(&["scan", path, "--baseline", baseline]);
    assert_eq!(code, 0, "dev's US copy is accepted");

    // Prod moves to the US: its findings are new, although address, file and line are dev's.
    let prod = tree.path().join("envs/prod/main.tf");
    let text = std::fs::read_to_string(&prod).unwrap();
    std::fs::write(&prod, text.replace("eu-west-1", "us-east-1")).unwrap();
    let (code, stdout, _) = run(&["scan", path, "--baseline", baseline, "--format", "json"]);
    assert_eq!(code, 1, "prod in the US is a new exposure");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        findings(&report),
        [
            "MSI001 envs/prod module.mail.aws_s3_bucket.mail 5",
            "MSI005 envs/prod module.mail.aws_ses_receipt_rule.store 13",
        ]
    );

    // A format-1 baseline (no deployment in its fingerprints) still accepts what it recorded.
    let legacy = serde_json::json!({
        "residency_baseline": 1,
        "findings": [{
            "fingerprint": legacy_fingerprint("MSI001", "module.mail.aws_ses_receipt_rule.store", "module.mail.aws_s3_bucket.mail", "modules/mail/main.tf"),
            "rule": "MSI001",
            "resource": "module.mail.aws_s3_bucket.mail",
            "file": "modules/mail/main.tf"
        }]
    });
    std::fs::write(baseline, legacy.to_string()).unwrap();
    let (_, stdout, _) = run(&["scan", path, "--baseline", baseline, "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["summary"]["baselined"], 2,
        "both deployments' MSI001, as before"
    );
}

/// The fingerprint format 1 used: SHA-256 of rule, dataset, resource and file, NUL-separated,
/// first 16 bytes in hex.
fn legacy_fingerprint(rule: &str, dataset: &str, resource: &str, file: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in [rule, dataset, resource, file] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
