//! End-to-end tests of the input kinds beyond Terraform and CloudFormation source: Terraform
//! plans and state, Azure ARM templates and Kubernetes manifests, run through the binary on
//! fixtures with the exact copies, findings, lines and exit codes expected.

mod common;

use common::{copies, findings_at, root, scan_json};
use std::path::PathBuf;

fn fixture(path: &str) -> PathBuf {
    root().join("tests/fixtures").join(path)
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

/// An ARM template whose locations are `[resourceGroup().location]` (through a parameter
/// default), with its parameter file, a nested child resource, a diagnostic setting by `scope`,
/// a Cosmos DB account and an inner-scoped nested deployment: with the resource group's
/// location given, the geo-redundant copies land in the pair (Brazil South → South Central US).
#[test]
fn arm_template_with_resource_group_location() {
    let (code, report) = scan_json(
        &fixture("arm/mail"),
        &["--resource-group-location", "brazilsouth"],
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["summary"]["resources"], 7);
    assert_eq!(
        copies(&report),
        [
            "Microsoft.Communication/emailServices/acme-email | store | content | Europe | IE,NL | provider | Microsoft.Communication/emailServices/acme-email",
            "Microsoft.Storage/storageAccounts/acmemailarchive | log | metadata | brazilsouth | BR | provider | Microsoft.Communication/emailServices/acme-email → Microsoft.Insights/diagnosticSettings/email-logs → Microsoft.Storage/storageAccounts/acmemailarchive",
            "Microsoft.Storage/storageAccounts/acmemailarchive (geo-redundant secondary) | replica | metadata | southcentralus | US | provider | Microsoft.Communication/emailServices/acme-email → Microsoft.Insights/diagnosticSettings/email-logs → Microsoft.Storage/storageAccounts/acmemailarchive → Microsoft.Storage/storageAccounts/acmemailarchive (geo-redundant secondary)",
            "Microsoft.DocumentDB/databaseAccounts/acme-mailindex | store | content | brazilsouth | BR | provider | Microsoft.DocumentDB/databaseAccounts/acme-mailindex",
            "Microsoft.DocumentDB/databaseAccounts/acme-mailindex (geo location northeurope) | replica | content | northeurope | IE | provider | Microsoft.DocumentDB/databaseAccounts/acme-mailindex → Microsoft.DocumentDB/databaseAccounts/acme-mailindex (geo location northeurope)",
            "Microsoft.Sql/servers/databases/acme-sql/mailbox | store | content | brazilsouth | BR | provider | Microsoft.Sql/servers/databases/acme-sql/mailbox",
            "Microsoft.Sql/servers/databases/acme-sql/mailbox (geo-redundant backup) | backup | content | southcentralus | US | provider | Microsoft.Sql/servers/databases/acme-sql/mailbox → Microsoft.Sql/servers/databases/acme-sql/mailbox (geo-redundant backup)",
        ]
    );
    let rules: Vec<(String, String, u64)> = findings_at(&report)
        .into_iter()
        .filter(|f| f.0 != "MSI004")
        .map(|(rule, resource, _, line)| (rule, resource, line))
        .collect();
    assert_eq!(
        rules,
        [
            (
                "MSI002".to_string(),
                "Microsoft.Storage/storageAccounts/acmemailarchive (geo-redundant secondary)"
                    .to_string(),
                33
            ),
            (
                "MSI001".to_string(),
                "Microsoft.Sql/servers/databases/acme-sql/mailbox (geo-redundant backup)"
                    .to_string(),
                96
            ),
        ]
    );
    // The parameter file named the prefix; --parameter wins over it.
    let (_, renamed) = scan_json(
        &fixture("arm/mail"),
        &[
            "--resource-group-location",
            "westeurope",
            "--parameter",
            "prefix=corp",
        ],
    );
    assert_eq!(
        renamed["datasets"][0]["source"],
        "Microsoft.Communication/emailServices/corp-email"
    );
    assert_eq!(renamed["datasets"][1]["copies"][0]["region"], "westeurope");
}

/// Without `--resource-group-location`, every location that comes from the resource group is
/// unknown with that reason, and the findings say the mail is not shown to stay abroad.
#[test]
fn arm_template_without_resource_group_location() {
    let (code, report) = scan_json(&fixture("arm/mail"), &[]);
    assert_eq!(code, 0, "medium findings do not fail the default gate");
    let reason = "the resource group's location is chosen when the template is deployed; pass --resource-group-location";
    let store = &report["datasets"][1]["copies"][0];
    assert_eq!(
        store["resource"],
        "Microsoft.DocumentDB/databaseAccounts/acme-mailindex"
    );
    assert_eq!(store["basis"], "unknown");
    assert_eq!(store["unknown_reason"], reason);
    let rules: Vec<(String, u64)> = findings_at(&report)
        .into_iter()
        .map(|(rule, _, _, line)| (rule, line))
        .collect();
    assert_eq!(
        rules,
        [
            ("MSI004".to_string(), 16),
            ("MSI003".to_string(), 52),
            ("MSI003".to_string(), 96),
            ("MSI003".to_string(), 96),
        ]
    );
}

/// A VM whose `customData` installs postfix is a mail server; its disks are copies, and the
/// Recovery Services vault protecting it keeps a geo-redundant copy by default.
#[test]
fn arm_vm_mail_server_and_vault() {
    let (code, report) = scan_json(&fixture("arm/vm-mail"), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["datasets"][0]["basis"], "heuristic");
    let vault_link = "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/mail-backups/Azure/iaasvmcontainer;iaasvmcontainerv2;mail;mx1/vm;iaasvmcontainerv2;mail;mx1";
    assert_eq!(
        copies(&report),
        [
            "Microsoft.Compute/virtualMachines/mx1 | store | content | uksouth | GB | provider | Microsoft.Compute/virtualMachines/mx1".to_string(),
            "Microsoft.Compute/virtualMachines/mx1 (OS disk) | store | content | uksouth | GB | provider | Microsoft.Compute/virtualMachines/mx1 → Microsoft.Compute/virtualMachines/mx1 (OS disk)".to_string(),
            "Microsoft.Compute/virtualMachines/mx1 (data disks) | store | content | uksouth | GB | provider | Microsoft.Compute/virtualMachines/mx1 → Microsoft.Compute/virtualMachines/mx1 (data disks)".to_string(),
            format!("Microsoft.RecoveryServices/vaults/mail-backups | backup | content | uksouth | GB | provider | Microsoft.Compute/virtualMachines/mx1 → {vault_link} → Microsoft.RecoveryServices/vaults/mail-backups"),
            format!("Microsoft.RecoveryServices/vaults/mail-backups (geo-redundant vault storage) | backup | content | ukwest | GB | provider | Microsoft.Compute/virtualMachines/mx1 → {vault_link} → Microsoft.RecoveryServices/vaults/mail-backups → Microsoft.RecoveryServices/vaults/mail-backups (geo-redundant vault storage)"),
        ]
    );
}

/// A linked template not among the scanned files is a warning naming it; a name built at
/// deployment keeps its
/// expression as written; an undeclared parameter is an unknown with that reason; a malformed
/// template is an error entry with its line, and the scan goes on (exit 3).
#[test]
fn arm_linked_template_unknown_names_and_malformed_file() {
    let (code, report) = scan_json(&fixture("arm/linked"), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        report["warnings"][0]["message"],
        "deployment mail links template mail/azuredeploy.json, which is not among the scanned files; scan its directory too"
    );
    assert_eq!(report["warnings"][0]["line"], 6);
    assert_eq!(report["errors"][0]["file"], "broken.json");
    assert_eq!(report["errors"][0]["line"], 4);
    let store = &report["datasets"][0]["copies"][0];
    assert_eq!(
        store["resource"],
        "Microsoft.Communication/emailServices/[concat('mail-', uniqueString(resourceGroup().id))]"
    );
    assert_eq!(
        store["unknown_reason"],
        "parameter dataLocation is not declared"
    );
}

/// A mail server StatefulSet (docker-mailserver image) with a claim template whose
/// StorageClass is pinned to Frankfurt zones, a claim bound to a hand-made PersistentVolume in
/// a Virginia zone, pods pinned by node selector, and a Velero schedule backing up every
/// namespace to its default location, with volume snapshots at the one snapshot location.
#[test]
fn kubernetes_mail_server_with_volumes_in_named_regions() {
    let (code, report) = scan_json(&fixture("kubernetes/mailserver"), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["datasets"][0]["basis"], "heuristic");
    assert_eq!(
        report["datasets"][0]["reason"],
        "it runs the mail server image ghcr.io/docker-mailserver/docker-mailserver:14.0"
    );
    assert_eq!(
        copies(&report),
        [
            "StatefulSet/mail/mailserver | store | content | eu-central-1 | DE | provider | StatefulSet/mail/mailserver",
            "PersistentVolumeClaim/mail/mail-state | store | content | us-east-1 | US | provider | StatefulSet/mail/mailserver → PersistentVolumeClaim/mail/mail-state",
            "PersistentVolumeClaim/mail/data-mailserver | store | content | eu-central-1 | DE | provider | StatefulSet/mail/mailserver → PersistentVolumeClaim/mail/data-mailserver",
            "BackupStorageLocation/velero/default | backup | content | eu-west-1 | IE | provider | StatefulSet/mail/mailserver → BackupStorageLocation/velero/default",
            "VolumeSnapshotLocation/velero/ebs | backup | content | eu-central-1 | DE | provider | StatefulSet/mail/mailserver → VolumeSnapshotLocation/velero/ebs",
        ]
    );
    assert_eq!(
        findings_at(&report),
        [finding(
            "MSI001",
            "PersistentVolumeClaim/mail/mail-state",
            "storage.yaml",
            33
        )]
    );
}

/// A `kubectl get -o json` List with a postfix relay and no placement: unknown with the reason
/// until `--cluster-region` says where the cluster runs; a bad `--cluster-region` is exit 2.
#[test]
fn kubernetes_list_and_cluster_region() {
    let (code, report) = scan_json(&fixture("kubernetes/relay"), &[]);
    assert_eq!(code, 0);
    let relay = &report["datasets"][0]["copies"][0];
    assert_eq!(relay["resource"], "Deployment/mail/smtp-relay");
    assert_eq!(
        relay["unknown_reason"],
        "no node selector or affinity places its pods; pass --cluster-region PROVIDER:REGION"
    );
    assert_eq!(report["datasets"][0]["line"], 5);
    assert_eq!(
        report["datasets"][0]["reason"],
        "it runs the mail server image boky/postfix:v4.3.0"
    );
    let (_, placed) = scan_json(
        &fixture("kubernetes/relay"),
        &["--cluster-region", "aws:eu-west-1"],
    );
    assert_eq!(
        copies(&placed),
        ["Deployment/mail/smtp-relay | store | content | eu-west-1 | IE | provider | Deployment/mail/smtp-relay"]
    );
    assert_eq!(placed["datasets"][0]["copies"][0]["basis"], "variable");
    let dir = fixture("kubernetes/relay");
    let (code, _, stderr) = common::run(&[
        "scan",
        dir.to_str().unwrap(),
        "--cluster-region",
        "awz:eu-west-1",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--cluster-region: unknown provider \"awz\""),
        "{stderr}"
    );
    let (code, _, stderr) = common::run(&[
        "scan",
        dir.to_str().unwrap(),
        "--cluster-region",
        "eu-west-1",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("expected PROVIDER:REGION"), "{stderr}");
}

/// An unrendered Helm chart template is a warning that says how to scan it, not an error.
#[test]
fn unrendered_helm_template_is_a_warning() {
    let (code, report) = scan_json(&fixture("kubernetes/helm-chart"), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["warnings"][0]["file"], "templates/deployment.yaml");
    assert_eq!(
        report["warnings"][0]["message"],
        "an unrendered Helm template ({{ ... }}); render the chart with `helm template` and scan the output"
    );
}

/// Copies a fixture directory tree into a temporary directory.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A plan and a state of the same configuration in one tree: still one resource each, and the
/// plan (what will be) wins over the state (what was).
#[test]
fn plan_wins_over_state_of_the_same_configuration() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("tfplan/with-config"), dir.path());
    std::fs::write(
        dir.path().join("terraform.tfstate"),
        r#"{"version": 4, "terraform_version": "1.9.8", "resources": [
  {"module": "module.mail", "mode": "managed", "type": "aws_s3_bucket", "name": "replica",
   "provider": "module.mail.provider[\"registry.terraform.io/hashicorp/aws\"].replica",
   "instances": [{"attributes": {"bucket": "acme-mail-replica", "region": "us-west-2"}}]}
]}"#,
    )
    .unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 4);
    assert_eq!(report["summary"]["resources"], 4);
    assert_eq!(copies(&report), PLAN_CHAIN);
}

/// A region id that two clouds share (`eu-central-1` is AWS Frankfurt and Alibaba Frankfurt)
/// names no cloud: unknown with both named, until a storage driver or `--cluster-region` says.
#[test]
fn kubernetes_region_id_shared_by_two_clouds() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: relay\nspec:\n  nodeSelector:\n    topology.kubernetes.io/region: eu-central-1\n  containers:\n    - name: postfix\n      image: boky/postfix:v4\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(
        report["datasets"][0]["copies"][0]["unknown_reason"],
        "Pod relay places it in eu-central-1, a region id of aws and alibaba; pass --cluster-region PROVIDER:REGION"
    );
    let (_, placed) = scan_json(dir.path(), &["--cluster-region", "alibaba:eu-central-1"]);
    let copy = &placed["datasets"][0]["copies"][0];
    assert_eq!(copy["provider"], "alibaba");
    assert_eq!(copy["operator"]["country"], "SG");
    // A storage class of one cloud names the cluster's cloud.
    let class = "---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp3\nprovisioner: ebs.csi.aws.com\n";
    std::fs::write(dir.path().join("pod.yaml"), format!("{pod}{class}")).unwrap();
    let (_, aws) = scan_json(dir.path(), &[]);
    assert_eq!(aws["datasets"][0]["copies"][0]["provider"], "aws");
    assert_eq!(aws["datasets"][0]["copies"][0]["region"], "eu-central-1");
    // An in-tree EBS volume names its zone in its id.
    let volume = "---\napiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: spool\nspec:\n  claimRef: {name: spool}\n  awsElasticBlockStore:\n    volumeID: aws://us-west-2b/vol-0123456789abcdef0\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: spool\nspec:\n  volumeName: spool\n";
    let with_volume = pod.replace(
        "      image: boky/postfix:v4\n",
        "      image: boky/postfix:v4\n  volumes:\n    - name: spool\n      persistentVolumeClaim: {claimName: spool}\n",
    );
    std::fs::write(
        dir.path().join("pod.yaml"),
        format!("{with_volume}{volume}"),
    )
    .unwrap();
    let (code, spool) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let claim = &spool["datasets"][0]["copies"][1];
    assert_eq!(claim["resource"], "PersistentVolumeClaim/spool");
    assert_eq!(
        (claim["provider"].as_str(), claim["region"].as_str()),
        (Some("aws"), Some("us-west-2"))
    );
}

/// A deployment linking a scanned template by `relativePath`: the linked template's resources
/// with the parameters the deployment passes (the location flows from the resource group through
/// two templates), reported at the linked file's lines, and counted once, not again on its own.
#[test]
fn arm_linked_template_by_relative_path() {
    let (code, report) = scan_json(
        &fixture("arm/linked-relative"),
        &["--resource-group-location", "brazilsouth"],
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["resources"], 1);
    assert_eq!(
        copies(&report),
        [
            "Microsoft.Storage/storageAccounts/acmemailarchive | store | content | brazilsouth | BR | provider | Microsoft.Storage/storageAccounts/acmemailarchive",
            "Microsoft.Storage/storageAccounts/acmemailarchive (geo-redundant secondary) | replica | content | southcentralus | US | provider | Microsoft.Storage/storageAccounts/acmemailarchive → Microsoft.Storage/storageAccounts/acmemailarchive (geo-redundant secondary)",
        ]
    );
    assert_eq!(
        findings_at(&report),
        [finding(
            "MSI001",
            "Microsoft.Storage/storageAccounts/acmemailarchive (geo-redundant secondary)",
            "nested/storage.json",
            10
        )]
    );
    // The linked template alone has no values for its parameters.
    let (_, alone) = scan_json(&fixture("arm/linked-relative/nested"), &[]);
    assert_eq!(
        alone["datasets"][0]["source"],
        "Microsoft.Storage/storageAccounts/[parameters('accountName')]"
    );
}

/// Two templates that link each other: the cycle is a warning and nothing is lost.
#[test]
fn arm_linked_templates_in_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let template = |other: &str, account: &str| {
        serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "resources": [
                {"type": "Microsoft.Resources/deployments", "name": "next",
                 "properties": {"templateLink": {"relativePath": other}}},
                {"type": "Microsoft.Storage/storageAccounts", "name": account,
                 "location": "westeurope", "sku": {"name": "Standard_LRS"},
                 "tags": {"data-class": "mailbox"}}
            ]
        })
        .to_string()
    };
    std::fs::write(dir.path().join("a.json"), template("b.json", "maila")).unwrap();
    std::fs::write(dir.path().join("b.json"), template("./a.json", "mailb")).unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert!(
        warnings.contains(
            &"deployment next links a.json again (a cycle of linked templates); not followed"
        ),
        "{warnings:?}"
    );
    assert!(report["summary"]["datasets"].as_u64().unwrap() >= 2);
}

/// A parameter file that no template takes is a warning, so its values are not silently lost.
#[test]
fn arm_parameter_file_matching_no_template() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("arm/mail"), dir.path());
    std::fs::rename(
        dir.path().join("azuredeploy.parameters.json"),
        dir.path().join("azuredeploy.parameters.prod.json"),
    )
    .unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(
        report["warnings"][0]["file"],
        "azuredeploy.parameters.prod.json"
    );
    assert_eq!(
        report["warnings"][0]["message"],
        "this ARM parameter file matches no template (residency applies X.parameters.json to X.json in the same directory); pass its values with --parameter NAME=VALUE"
    );
    // Without the parameter file the prefix is the template's default.
    assert_eq!(
        report["datasets"][0]["source"],
        "Microsoft.Communication/emailServices/demo-email"
    );
}

/// A subscription-level template that creates a resource group and deploys into it: inside
/// the deployment, `resourceGroup().location` is that group's location; a deployment into a
/// group the template does not create stays unknown, naming the group.
#[test]
fn arm_subscription_template_creates_its_resource_group() {
    let dir = tempfile::tempdir().unwrap();
    let storage = |name: &str| {
        serde_json::json!({
            "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-05-01",
            "name": name, "location": "[resourceGroup().location]",
            "sku": {"name": "Standard_GRS"}, "tags": {"data-class": "mailbox"}
        })
    };
    let deployment = |group: &str, account: &str| {
        serde_json::json!({
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
            "name": format!("into-{group}"), "resourceGroup": group,
            "properties": {"mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "template": {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                             "resources": [storage(account)]}}
        })
    };
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "resources": [
            {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2022-09-01",
             "name": "mail-rg", "location": "westeurope"},
            deployment("mail-rg", "mailstore"),
            deployment("other-rg", "otherstore")
        ]
    });
    std::fs::write(
        dir.path().join("sub.json"),
        serde_json::to_string_pretty(&template).unwrap(),
    )
    .unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    let places: Vec<(String, String)> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap())
        .map(|c| {
            (
                c["resource"].as_str().unwrap().to_string(),
                c["region"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| c["unknown_reason"].as_str().unwrap().to_string()),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("Microsoft.Storage/storageAccounts/mailstore".to_string(), "westeurope".to_string()),
            ("Microsoft.Storage/storageAccounts/mailstore (geo-redundant secondary)".to_string(), "northeurope".to_string()),
            ("Microsoft.Storage/storageAccounts/otherstore".to_string(), "deployment into-other-rg targets resource group other-rg, whose location is not in the template".to_string()),
            ("Microsoft.Storage/storageAccounts/otherstore (geo-redundant secondary)".to_string(), "the paired region of Microsoft.Storage/storageAccounts/otherstore cannot be known: deployment into-other-rg targets resource group other-rg, whose location is not in the template".to_string()),
        ]
    );
}

/// A workload with an in-house image is still found as a mail server when a Service sends a
/// mail port to its pods; a Service in another namespace or selecting other pods does not count.
#[test]
fn kubernetes_mail_server_found_by_its_service() {
    let dir = tempfile::tempdir().unwrap();
    let manifests = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: mx, namespace: mail}
spec:
  template:
    metadata:
      labels: {app: mx, tier: edge}
    spec:
      containers:
        - name: mx
          image: registry.example.com/acme/mx:1.2
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: mail}
spec:
  selector: {app: web}
  ports: [{port: 25}]
---
apiVersion: v1
kind: Service
metadata: {name: smtp, namespace: other}
spec:
  selector: {app: mx}
  ports: [{port: 25}]
---
apiVersion: v1
kind: Service
metadata: {name: submission, namespace: mail}
spec:
  type: LoadBalancer
  selector: {app: mx}
  ports: [{port: 587, targetPort: 10587}]
"#;
    std::fs::write(dir.path().join("mx.yaml"), manifests).unwrap();
    let (_, report) = scan_json(dir.path(), &["--cluster-region", "gcp:europe-west3"]);
    assert_eq!(report["summary"]["datasets"], 1);
    assert_eq!(
        report["datasets"][0]["reason"],
        "Service submission exposes mail port 587 to its pods"
    );
    assert_eq!(report["datasets"][0]["copies"][0]["region"], "europe-west3");
}

/// Vault redundancy in ARM's other forms: a `backupstorageconfig` child that makes a Recovery
/// Services vault locally redundant (no geo copy), and a Data Protection backup vault with
/// geo-redundant storage backing up a mail storage account (a copy in the pair).
#[test]
fn arm_vault_redundancy_from_children_and_data_protection() {
    let dir = tempfile::tempdir().unwrap();
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "resources": [
            {"type": "Microsoft.Compute/virtualMachines", "name": "mx1", "location": "uksouth",
             "properties": {"osProfile": {"customData": "#cloud-config\npackages: [postfix]\n"}}},
            {"type": "Microsoft.RecoveryServices/vaults", "name": "vault", "location": "uksouth",
             "resources": [
                {"type": "backupstorageconfig", "name": "vaultstorageconfig",
                 "properties": {"storageModelType": "LocallyRedundant"}}
             ]},
            {"type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
             "name": "vault/Azure/iaasvmcontainer;mx1/vm;mx1",
             "properties": {"sourceResourceId": "[resourceId('Microsoft.Compute/virtualMachines', 'mx1')]"}},
            {"type": "Microsoft.Storage/storageAccounts", "name": "mailblobs", "location": "westeurope",
             "sku": {"name": "Standard_LRS"}, "tags": {"data-class": "mailbox"}},
            {"type": "Microsoft.DataProtection/backupVaults", "name": "blobvault", "location": "westeurope",
             "properties": {"storageSettings": [{"datastoreType": "VaultStore", "type": "GeoRedundant"}]}},
            {"type": "Microsoft.DataProtection/backupVaults/backupInstances", "name": "blobvault/mailblobs",
             "properties": {"dataSourceInfo": {"resourceID": "[resourceId('Microsoft.Storage/storageAccounts', 'mailblobs')]"}}}
        ]
    });
    std::fs::write(dir.path().join("vaults.json"), template.to_string()).unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    let places: Vec<(String, String)> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap())
        .filter(|c| c["role"] == "backup")
        .map(|c| {
            (
                c["resource"].as_str().unwrap().to_string(),
                c["region"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            (
                "Microsoft.RecoveryServices/vaults/vault".to_string(),
                "uksouth".to_string()
            ),
            (
                "Microsoft.DataProtection/backupVaults/blobvault".to_string(),
                "westeurope".to_string()
            ),
            (
                "Microsoft.DataProtection/backupVaults/blobvault (geo-redundant vault storage)"
                    .to_string(),
                "northeurope".to_string()
            ),
        ]
    );
}

/// A Cosmos DB account whose locations come from a property `copy` loop over a parameter array:
/// each location is a replica, and the one in the United States is flagged.
#[test]
fn arm_property_copy_loop() {
    let dir = tempfile::tempdir().unwrap();
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"regions": {"type": "array", "defaultValue": ["westeurope", "eastus"]}},
        "resources": [{
            "type": "Microsoft.DocumentDB/databaseAccounts", "name": "mailindex",
            "location": "westeurope", "tags": {"data-class": "mailbox"},
            "properties": {
                "copy": [{"name": "locations", "count": "[length(parameters('regions'))]",
                          "input": {"locationName": "[parameters('regions')[copyIndex('locations')]]",
                                    "failoverPriority": "[copyIndex('locations')]"}}],
                "backupPolicy": {"type": "Periodic", "periodicModeProperties": {"backupStorageRedundancy": "Local"}}
            }
        }]
    });
    std::fs::write(dir.path().join("cosmos.json"), template.to_string()).unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        copies(&report),
        [
            "Microsoft.DocumentDB/databaseAccounts/mailindex | store | content | westeurope | NL | provider | Microsoft.DocumentDB/databaseAccounts/mailindex",
            "Microsoft.DocumentDB/databaseAccounts/mailindex (geo location eastus) | replica | content | eastus | US | provider | Microsoft.DocumentDB/databaseAccounts/mailindex → Microsoft.DocumentDB/databaseAccounts/mailindex (geo location eastus)",
        ]
    );
}

/// States of other workspaces (`terraform.tfstate.d/<name>/`) are other deployments of the same
/// configuration: kept beside the plan, not dropped as duplicates, and the plan's references
/// still lead to the plan's resources.
#[test]
fn workspace_states_are_kept_beside_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("tfplan/with-config"), dir.path());
    let workspace = dir.path().join("terraform.tfstate.d/staging");
    std::fs::create_dir_all(&workspace).unwrap();
    std::fs::write(
        workspace.join("terraform.tfstate"),
        r#"{"version": 4, "terraform_version": "1.9.8", "resources": [
  {"module": "module.mail", "mode": "managed", "type": "aws_s3_bucket", "name": "replica",
   "provider": "module.mail.provider[\"registry.terraform.io/hashicorp/aws\"].replica",
   "instances": [{"attributes": {"bucket": "acme-mail-replica-staging", "region": "us-west-2",
                                 "tags": {"data-class": "mailbox"}}}]}
]}"#,
    )
    .unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(report["summary"]["resources"], 5);
    let datasets: Vec<(&str, &str)> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["source"].as_str().unwrap(),
                d["copies"].as_array().unwrap().last().unwrap()["region"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        datasets,
        [
            ("module.mail.aws_ses_receipt_rule.inbound", "us-east-1"),
            ("module.mail.aws_s3_bucket.replica", "us-west-2"),
        ]
    );
}

/// An ARM diagnostic setting that streams an email service's logs to an Event Hub through an
/// authorization rule: the log copy is where the rule's namespace is (here in the US).
#[test]
fn arm_diagnostics_to_an_event_hub() {
    let dir = tempfile::tempdir().unwrap();
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "resources": [
            {"type": "Microsoft.Communication/emailServices", "name": "mail", "location": "global",
             "properties": {"dataLocation": "Europe"},
             "resources": [
                {"type": "providers/diagnosticSettings", "name": "Microsoft.Insights/to-hub",
                 "properties": {"eventHubAuthorizationRuleId":
                    "[resourceId('Microsoft.EventHub/namespaces/authorizationRules', 'logs', 'send')]"}}
             ]},
            {"type": "Microsoft.EventHub/namespaces", "name": "logs", "location": "eastus",
             "resources": [{"type": "authorizationRules", "name": "send", "properties": {"rights": ["Send"]}}]}
        ]
    });
    std::fs::write(dir.path().join("hub.json"), template.to_string()).unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(
        copies(&report),
        [
            "Microsoft.Communication/emailServices/mail | store | content | Europe | IE,NL | provider | Microsoft.Communication/emailServices/mail",
            "Microsoft.EventHub/namespaces/authorizationRules/logs/send | log | metadata | eastus | US | provider | Microsoft.Communication/emailServices/mail → Microsoft.Insights/diagnosticSettings/to-hub → Microsoft.EventHub/namespaces/authorizationRules/logs/send",
        ]
    );
    let rules: Vec<String> = findings_at(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["MSI002", "MSI004"]);
}

/// `--region` stands in for AWS providers only: a Google resource in a plan whose provider sets
/// no region stays unknown instead of taking an AWS region id.
#[test]
fn region_option_is_for_aws_providers_only_in_plans() {
    let dir = tempfile::tempdir().unwrap();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "google_storage_bucket.mail", "mode": "managed",
             "type": "google_storage_bucket", "name": "mail",
             "provider_name": "registry.terraform.io/hashicorp/google",
             "values": {"name": "mail", "labels": {"data-class": "mailbox"}}}
        ]}}
    });
    std::fs::write(dir.path().join("plan.json"), plan.to_string()).unwrap();
    let (_, report) = scan_json(dir.path(), &["--region", "eu-west-1"]);
    assert_eq!(
        report["datasets"][0]["copies"][0]["unknown_reason"],
        "neither the resource nor provider google sets a region or location"
    );
}

/// AWS provider v6: `data "aws_region" "x" { region = "..." }` is that region, not the
/// provider's (the shape of ms-jpq/lab's `terraform/wsb/aws.tf`, whose provider is in
/// ca-west-1 while the mail lives in ca-central-1).
#[test]
fn aws_region_data_source_with_its_own_region() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "provider \"aws\" {\n  region = \"ca-west-1\"\n}\ndata \"aws_region\" \"east\" {\n  region = \"us-east-1\"\n}\nlocals {\n  regions = { east = data.aws_region.east.region }\n}\nresource \"aws_ses_receipt_rule_set\" \"s\" {\n  region        = local.regions.east\n  rule_set_name = \"s\"\n}\nresource \"aws_ses_receipt_rule\" \"r\" {\n  region        = aws_ses_receipt_rule_set.s.region\n  rule_set_name = aws_ses_receipt_rule_set.s.rule_set_name\n  s3_action {\n    bucket_name = \"b\"\n    position    = 1\n  }\n}\n",
    )
    .unwrap();
    let (_, report) = scan_json(dir.path(), &[]);
    let first = &report["datasets"][0]["copies"][0];
    assert_eq!(first["resource"], "aws_ses_receipt_rule.r");
    assert_eq!(first["region"], "us-east-1");
    assert_eq!(first["countries"], serde_json::json!(["US"]));
}

/// Windows PowerShell 5.1 writes `terraform show -json plan.out > plan.json` as UTF-16LE with a
/// byte order mark and CRLF line ends: the same plan, the same report.
#[test]
fn utf16_plan_gives_the_same_report_as_utf8() {
    let original = root().join("sample-configs/terraform-plan");
    let scan = |dir: &std::path::Path| {
        let (code, mut report) = scan_json(dir, &[]);
        report["root"] = serde_json::Value::Null;
        (code, report)
    };
    let utf8 = tempfile::tempdir().unwrap();
    let utf16 = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&original).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap();
        std::fs::write(utf8.path().join(name), &text).unwrap();
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(
            text.replace('\n', "\r\n")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        std::fs::write(utf16.path().join(name), bytes).unwrap();
    }
    let (code8, report8) = scan(utf8.path());
    let (code16, report16) = scan(utf16.path());
    assert_eq!(report16["errors"], serde_json::json!([]));
    assert_eq!(code8, code16);
    assert_eq!(report8, report16);
    assert!(!report16["datasets"].as_array().unwrap().is_empty());
}

/// An ARM template with `//` and `/* */` comments and trailing commas is valid (the deployment
/// engine accepts it): its resources are read, at their lines, with no error entry.
#[test]
fn arm_templates_with_comments_and_trailing_commas_are_read() {
    let (code, report) = scan_json(&fixture("arm/comments"), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    assert_eq!(
        copies(&report),
        ["Microsoft.Storage/storageAccounts/corpmailarchive | store | content | eastus | US | provider | Microsoft.Storage/storageAccounts/corpmailarchive"]
    );
    assert_eq!(report["datasets"][0]["line"], 14);
}

/// A CloudFormation parameter of an SSM type holds the name of a Systems Manager parameter,
/// not the value: what it decides is unknown with that reason, never the default string.
#[test]
fn cloudformation_ssm_parameter_types_are_unknown() {
    let (code, report) = scan_json(&fixture("cloudformation-ssm"), &["--region", "eu-west-1"]);
    assert_eq!(code, 0);
    let replica = &report["datasets"][0]["copies"][1];
    assert_eq!(replica["resource"], "Archive (replication destination)");
    assert_eq!(replica["role"], "replica");
    assert_eq!(
        replica["unknown_reason"],
        "the replication destination cannot be determined: parameter ReplicaBucket is of type AWS::SSM::Parameter::Value<String>: its value is read from Systems Manager when the stack is deployed"
    );
}

/// A CloudFormation export (`Outputs: X: Export: Name`) imported by another scanned template
/// (`Fn::ImportValue`) links the two stacks: the receipt rule's bucket is the storage stack's
/// bucket, at its own file and line. An import that no scanned template exports is unknown
/// with that reason.
#[test]
fn cloudformation_imports_link_to_the_exporting_stack() {
    let (code, report) = scan_json(
        &fixture("cloudformation-exports"),
        &["--region", "us-east-1"],
    );
    assert_eq!(code, 1);
    let copies: Vec<String> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap().iter())
        .map(|c| {
            format!(
                "{} {}:{} {} {} {}",
                c["resource"].as_str().unwrap(),
                c["file"].as_str().unwrap(),
                c["line"],
                c["role"].as_str().unwrap(),
                c["region"].as_str().unwrap_or("?"),
                c["unknown_reason"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        copies,
        [
            "StoreRule receiving.yaml:6 processing us-east-1 -",
            "MailBucket storage.yaml:4 store us-east-1 -",
            "Journal receiving.yaml:18 processing us-east-1 -",
            "Journal (bucket) receiving.yaml:18 store ? the bucket cannot be determined: imported from another stack's export corp-journal-bucket, which no scanned template exports",
        ]
    );
}

/// A nested stack whose `TemplateURL` is a local path is read with the parameters its parent
/// passes (not its defaults), once; `!GetAtt Stack.Outputs.Name` links to the nested resource
/// the output returns. A template URL that is not a scanned file is a warning that names it.
#[test]
fn cloudformation_nested_stacks_are_read_with_their_parameters() {
    let (code, report) = scan_json(
        &fixture("cloudformation-nested"),
        &["--region", "eu-west-1"],
    );
    assert_eq!(code, 0);
    let copies: Vec<String> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap().iter())
        .map(|c| {
            format!(
                "{} | {} | {}:{} | {}",
                c["deployment"].as_str().unwrap(),
                c["resource"].as_str().unwrap(),
                c["file"].as_str().unwrap(),
                c["line"],
                c["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        copies,
        [
            "main.yaml | StoreRule | main.yaml:17 | processing",
            "main.yaml > Archive | Bucket | stacks/archive.yaml:10 | store",
            "main.yaml > Archive | arn:aws:s3:::corp-mail-replica-us | stacks/archive.yaml:10 | replica",
        ]
    );
    assert_eq!(
        report["summary"]["resources"], 5,
        "the nested template is not counted twice"
    );
    assert_eq!(
        report["warnings"][0]["message"],
        "nested stack Audit deploys template https://s3.amazonaws.com/corp-templates/audit.yaml, which is not fetched; scan the template it was packaged from (the template before `aws cloudformation package`); its resources are not scanned"
    );
    assert_eq!(report["warnings"][0]["line"], 26);
}

/// Linked templates as the quickstarts write them: `uri(parameters('_artifactsLocation'),
/// 'nestedtemplates/x.json')`, or a variable built with `concat` from `_artifactsLocation`,
/// name a file beside the calling template; it is read with the parameters passed. A link to a
/// file that is not scanned is a warning that names the path.
#[test]
fn arm_links_built_from_the_artifacts_location_are_followed() {
    let (code, report) = scan_json(
        &fixture("arm/artifacts"),
        &["--resource-group-location", "westeurope"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        copies(&report),
        [
            "Microsoft.Storage/storageAccounts/corpmailarchive | store | content | eastus | US | provider | Microsoft.Storage/storageAccounts/corpmailarchive",
            "Microsoft.Storage/storageAccounts/corpmailstore | store | content | westeurope | NL | provider | Microsoft.Storage/storageAccounts/corpmailstore",
        ]
    );
    assert_eq!(
        report["warnings"][0]["message"],
        "deployment monitoring links template nestedtemplates/monitoring.json, which is not among the scanned files; scan its directory too"
    );
}

/// Kubernetes objects are identified by kind, namespace and name, and two overlays that declare
/// the same StatefulSet stay two, each with the claim its own template makes (not the other
/// overlay's, not a second "undeclared" claim for the pod volume the template replaces).
#[test]
fn kubernetes_overlays_keep_their_own_objects() {
    let (code, report) = scan_json(&fixture("kubernetes/overlays"), &[]);
    assert_eq!(code, 1);
    let copies: Vec<String> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap().iter())
        .map(|c| {
            format!(
                "{} {}:{} {}",
                c["resource"].as_str().unwrap(),
                c["file"].as_str().unwrap(),
                c["line"],
                c["region"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        copies,
        [
            "StatefulSet/mail/mailserver dev/mail.yaml:1 eu-west-1",
            "PersistentVolumeClaim/mail/data-mailserver dev/mail.yaml:29 eu-west-1",
            "StatefulSet/mail/mailserver prod/mail.yaml:1 us-east-1",
            "PersistentVolumeClaim/mail/data-mailserver prod/mail.yaml:29 us-east-1",
        ]
    );
    // Each overlay is a cluster of its own, named by its directory.
    let deployments: Vec<&str> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deployment"].as_str().unwrap())
        .collect();
    assert_eq!(deployments, ["dev", "prod"]);
}

/// `AWS::LanguageExtensions`: `Fn::ForEach` expands into one resource per element (here of a
/// `CommaDelimitedList` parameter's default), with `&{Team}` in the logical id. A Rain module
/// and a resource without a `Type` are warnings; the rest of the template is read.
#[test]
fn cloudformation_for_each_expands_and_bad_resources_are_warnings() {
    let (code, report) = scan_json(
        &fixture("cloudformation-foreach"),
        &["--region", "eu-west-1"],
    );
    assert_eq!(code, 0);
    assert!(report["errors"].as_array().unwrap().is_empty());
    let sources: Vec<&str> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["Archivelegal", "Archivesales"]);
    assert_eq!(report["datasets"][0]["copies"][1]["resource"], "DrBucket");
    let warnings: Vec<(u64, &str)> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["line"].as_u64().unwrap(), w["code"].as_str().unwrap()))
        .collect();
    assert_eq!(warnings, [(31, "link-not-followed"), (33, "shape")]);
}

/// A JSON or YAML file that no input format claims (package manifests, application settings,
/// caches, CI pipelines that mention `AWS::` in prose) is skipped silently, whatever its
/// encoding or validity; only a file that is recognisably one of ours can be an error.
#[test]
fn files_that_are_not_infrastructure_code_are_never_errors() {
    let (code, report) = scan_json(&fixture("not-ours"), &[]);
    assert_eq!(code, 0);
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
    assert!(report["warnings"].as_array().unwrap().is_empty());
    assert_eq!(report["summary"]["files"], 1, "only main.tf is ours");
}

/// HCL as Terraform reads it: a conditional split over lines inside a `for` expression is
/// valid (a heredoc whose lines end in `:` is left as it is, and line numbers stay right); an
/// unquoted address (`10.11.10.12/32`), which Terraform rejects, is an error with its line.
#[test]
fn hcl_is_read_as_terraform_reads_it() {
    let (code, report) = scan_json(&fixture("hcl/split-conditional"), &[]);
    assert_eq!(code, 0);
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
    assert_eq!(report["datasets"][0]["source"], "aws_s3_bucket.mail");
    assert_eq!(report["datasets"][0]["line"], 23);
    let (code, report) = scan_json(&fixture("hcl/unquoted-cidr"), &[]);
    assert_eq!(code, 3);
    assert_eq!(report["errors"][0]["line"], 6);
    assert_eq!(report["errors"][0]["code"], "syntax");
}

/// YAML as libyaml reads it (kubectl, the AWS CLI, PyYAML, go-yaml): a quoted scalar or a flow
/// sequence continued at its key's indentation is valid, and the resources keep their lines.
#[test]
fn yaml_is_read_as_libyaml_reads_it() {
    let (code, report) = scan_json(&fixture("yaml-libyaml"), &["--region", "eu-west-1"]);
    assert_eq!(code, 0);
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
    let sources: Vec<String> = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}",
                d["source"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"]
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            "Bucket archive-stack.yaml:3",
            "Pod/relay2 relay-args-pod.yaml:1",
            "Pod/relay relay-pod.yaml:1",
        ]
    );
}

/// One bad resource is not a bad file: an ARM resource that is not an object is a warning with
/// its line, and the template's other resources are read (here a US mail store: exit 1).
#[test]
fn an_arm_resource_that_cannot_be_read_is_a_warning() {
    let (code, report) = scan_json(&fixture("arm/one-bad-resource"), &[]);
    assert_eq!(code, 1);
    assert!(report["errors"].as_array().unwrap().is_empty());
    assert_eq!(report["warnings"][0]["line"], 5);
    assert_eq!(report["warnings"][0]["code"], "shape");
    assert_eq!(
        report["datasets"][0]["source"],
        "Microsoft.Storage/storageAccounts/corpmailstore"
    );
}
