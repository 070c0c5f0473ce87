//! End-to-end tests of the data map: every kind of edge (replicas, backups, archives, logs,
//! processing, silent geo-redundant defaults, key custody), run through the binary on fixtures
//! under `tests/fixtures/flows/`, with the exact copies, chains and findings expected.

mod common;

use common::{copies, root, run};
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/flows").join(name)
}

fn map_json(name: &str, extra: &[&str]) -> Value {
    let path = fixture(name);
    let mut args = vec!["map", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, _) = run(&args);
    assert_eq!(code, 0, "{stdout}");
    serde_json::from_str(&stdout).unwrap()
}

fn copy<'a>(map: &'a Value, resource: &str) -> &'a Value {
    map["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap())
        .find(|c| c["resource"] == resource)
        .unwrap_or_else(|| panic!("no copy {resource}"))
}

/// (rule, resource, line) of every finding of a scan.
fn findings(name: &str, extra: &[&str]) -> Vec<(String, String, u64)> {
    let path = fixture(name);
    let mut args = vec!["scan", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let (_, stdout, _) = run(&args);
    common::findings(&common::json(&stdout))
        .into_iter()
        .map(|(rule, resource, line, _)| (rule, resource, line))
        .collect()
}

/// DynamoDB replica blocks (the table's own region is not a copy), an RDS read replica named by ARN, a global cluster member, EFS replication and a Multi-Region Access Point.
#[test]
fn aws_replicas_dynamodb_rds_efs_multi_region_access_point() {
    let map = map_json("aws-replicas", &[]);
    assert_eq!(
        copies(&map),
        [
        "aws_dynamodb_table.messages | store | content | eu-west-1 | IE | provider | aws_dynamodb_table.messages",
        "aws_dynamodb_table.messages (replica eu-central-1) | replica | content | eu-central-1 | DE | provider | aws_dynamodb_table.messages → aws_dynamodb_table.messages (replica eu-central-1)",
        "aws_dynamodb_table.messages (replica us-west-2) | replica | content | us-west-2 | US | provider | aws_dynamodb_table.messages → aws_dynamodb_table.messages (replica us-west-2)",
        "aws_db_instance.mailstore | store | content | eu-west-1 | IE | provider | aws_db_instance.mailstore",
        "aws_db_instance.mailstore_us | replica | content | us-east-1 | US | provider | aws_db_instance.mailstore → aws_db_instance.mailstore_us",
        "aws_rds_cluster.primary | store | content | eu-west-1 | IE | provider | aws_rds_cluster.primary",
        "aws_rds_cluster.secondary | replica | content | us-east-1 | US | provider | aws_rds_cluster.primary → aws_rds_global_cluster.global → aws_rds_cluster.secondary",
        "aws_efs_file_system.maildirs | store | content | eu-west-1 | IE | provider | aws_efs_file_system.maildirs",
        "aws_efs_replication_configuration.dr (replica us-east-2) | replica | content | us-east-2 | US | provider | aws_efs_file_system.maildirs → aws_efs_replication_configuration.dr → aws_efs_replication_configuration.dr (replica us-east-2)",
        "aws_s3_bucket.eu | store | content | eu-west-1 | IE | customer-managed | aws_s3_bucket.eu",
        "aws_s3_bucket.us | replica | content | us-east-1 | US | provider | aws_s3_bucket.eu → aws_s3control_multi_region_access_point.mail → aws_s3_bucket.us",
        "aws_dynamodb_table.threads | store | content | eu-west-1 | IE | provider | aws_dynamodb_table.threads",
        "aws_dynamodb_table_replica.threads_us | replica | content | us-east-1 | US | provider | aws_dynamodb_table.threads → aws_dynamodb_table_replica.threads_us",
        ]
    );
}

/// AWS Backup: selection → plan → vault, and the copy action's vault whose region is only in its ARN; EBS snapshot and its copy in the US.
#[test]
fn aws_backups_plans_copy_actions_and_snapshot_copies() {
    let map = map_json("aws-backups", &[]);
    assert_eq!(
        copies(&map),
        [
        "aws_dynamodb_table.mailboxes | store | content | eu-west-1 | IE | provider | aws_dynamodb_table.mailboxes",
        "aws_backup_vault.local | backup | content | eu-west-1 | IE | provider | aws_dynamodb_table.mailboxes → aws_backup_selection.mail → aws_backup_plan.mail → aws_backup_vault.local",
        "arn:aws:backup:us-west-2:123456789012:backup-vault:offsite | backup | content | us-west-2 | US | provider | aws_dynamodb_table.mailboxes → aws_backup_selection.mail → aws_backup_plan.mail → arn:aws:backup:us-west-2:123456789012:backup-vault:offsite",
        "aws_ebs_volume.vmail | store | content | eu-west-1 | IE | provider | aws_ebs_volume.vmail",
        "aws_ebs_snapshot.vmail | backup | content | eu-west-1 | IE | provider | aws_ebs_volume.vmail → aws_ebs_snapshot.vmail",
        "aws_ebs_snapshot_copy.vmail_us | backup | content | us-east-1 | US | provider | aws_ebs_volume.vmail → aws_ebs_snapshot.vmail → aws_ebs_snapshot_copy.vmail_us",
        ]
    );
}

/// SES event destinations (v1 and v2): Firehose and its S3 bucket, CloudWatch, EventBridge; all metadata.
#[test]
fn aws_ses_event_records_carry_headers_and_are_content() {
    let map = map_json("aws-logs", &[]);
    assert_eq!(
        copies(&map),
        [
        "aws_ses_configuration_set.outbound | processing | content | eu-west-1 | IE | provider | aws_ses_configuration_set.outbound",
        "aws_kinesis_firehose_delivery_stream.events | log | content | eu-west-1 | IE | provider | aws_ses_configuration_set.outbound → aws_ses_event_destination.firehose → aws_kinesis_firehose_delivery_stream.events",
        "aws_ses_event_destination.metrics (CloudWatch metrics) | log | metadata | eu-west-1 | IE | provider | aws_ses_configuration_set.outbound → aws_ses_event_destination.metrics → aws_ses_event_destination.metrics (CloudWatch metrics)",
        "aws_s3_bucket.events | log | content | us-east-1 | US | provider | aws_ses_configuration_set.outbound → aws_ses_event_destination.firehose → aws_kinesis_firehose_delivery_stream.events → aws_s3_bucket.events",
        "aws_sesv2_configuration_set.transactional | processing | content | eu-west-1 | IE | provider | aws_sesv2_configuration_set.transactional",
        "arn:aws:events:us-east-1:123456789012:event-bus/default | log | content | us-east-1 | US | provider | aws_sesv2_configuration_set.transactional → aws_sesv2_configuration_set_event_destination.bus → arn:aws:events:us-east-1:123456789012:event-bus/default",
        ]
    );
}

/// Whole messages to SNS, its subscribers (a Lambda function, a webhook), a function triggered by each stored message, and a relay to an external SMTP server.
#[test]
fn aws_processing_subscribers_notifications_and_relays() {
    let map = map_json("aws-processing", &[]);
    assert_eq!(
        copies(&map),
        [
        "aws_ses_receipt_rule.inbound | processing | content | eu-west-1 | IE | provider | aws_ses_receipt_rule.inbound",
        "aws_s3_bucket.raw | store | content | eu-west-1 | IE | external | aws_ses_receipt_rule.inbound → aws_s3_bucket.raw",
        "aws_sns_topic.mail | processing | content | eu-west-1 | IE | provider | aws_ses_receipt_rule.inbound → aws_sns_topic.mail",
        "aws_lambda_function.parse | processing | content | eu-west-1 | IE | provider | aws_ses_receipt_rule.inbound → aws_s3_bucket.raw → aws_s3_bucket_notification.raw → aws_lambda_function.parse",
        "https://hooks.example.net/mail | processing | content | ? | ? | provider | aws_ses_receipt_rule.inbound → aws_sns_topic.mail → aws_sns_topic_subscription.hook → https://hooks.example.net/mail",
        "aws_mailmanager_rule_set.relay | processing | content | eu-west-1 | IE | provider | aws_mailmanager_rule_set.relay",
        "aws_mailmanager_relay.partner | processing | content | eu-west-1 | IE | provider | aws_mailmanager_rule_set.relay → aws_mailmanager_relay.partner",
        "aws_mailmanager_relay.partner (SMTP server smtp.partner.example) | processing | content | ? | ? | provider | aws_mailmanager_rule_set.relay → aws_mailmanager_relay.partner → aws_mailmanager_relay.partner (SMTP server smtp.partner.example)",
        ]
    );
}

/// Azure: GRS to the paired region across a border, object replication, Cosmos DB regions and default geo backups, SQL backups through the server's location, a Recovery Services vault that is geo-redundant by default, diagnostic settings and Event Grid.
#[test]
fn azure_geo_redundancy_defaults_backups_and_logs() {
    let map = map_json("azure", &[]);
    assert_eq!(
        copies(&map),
        [
        "azurerm_storage_account.archive | store | content | brazilsouth | BR | provider | azurerm_storage_account.archive",
        "azurerm_storage_account.archive (geo-redundant secondary) | replica | content | southcentralus | US | provider | azurerm_storage_account.archive → azurerm_storage_account.archive (geo-redundant secondary)",
        "azurerm_storage_account.copy | replica | content | eastus | US | provider | azurerm_storage_account.archive → azurerm_storage_object_replication.archive → azurerm_storage_account.copy",
        "azurerm_cosmosdb_account.mailboxes | store | content | westeurope | NL | provider | azurerm_cosmosdb_account.mailboxes",
        "azurerm_cosmosdb_account.mailboxes (geo location germanywestcentral) | replica | content | germanywestcentral | DE | provider | azurerm_cosmosdb_account.mailboxes → azurerm_cosmosdb_account.mailboxes (geo location germanywestcentral)",
        "azurerm_cosmosdb_account.mailboxes (geo-redundant backup) | backup | content | northeurope | IE | provider | azurerm_cosmosdb_account.mailboxes → azurerm_cosmosdb_account.mailboxes (geo-redundant backup)",
        "azurerm_mssql_database.messages | store | content | swedencentral | SE | provider | azurerm_mssql_database.messages",
        "azurerm_mssql_database.messages (geo-redundant backup) | backup | content | swedensouth | SE | provider | azurerm_mssql_database.messages → azurerm_mssql_database.messages (geo-redundant backup)",
        "azurerm_mssql_server.partner | replica | content | eastus | US | provider | azurerm_mssql_database.messages → azurerm_mssql_failover_group.mail → azurerm_mssql_server.partner",
        "azurerm_linux_virtual_machine.mx | store | content | northeurope | IE | provider | azurerm_linux_virtual_machine.mx",
        "azurerm_recovery_services_vault.backups | backup | content | northeurope | IE | provider | azurerm_linux_virtual_machine.mx → azurerm_backup_protected_vm.mx → azurerm_recovery_services_vault.backups",
        "azurerm_recovery_services_vault.backups (geo-redundant vault storage) | backup | content | westeurope | NL | provider | azurerm_linux_virtual_machine.mx → azurerm_backup_protected_vm.mx → azurerm_recovery_services_vault.backups → azurerm_recovery_services_vault.backups (geo-redundant vault storage)",
        "azurerm_email_communication_service.mail | store | content | Europe | IE,NL | provider | azurerm_email_communication_service.mail",
        "azurerm_eventgrid_system_topic.mail | log | metadata | ? | ? | provider | azurerm_email_communication_service.mail → azurerm_eventgrid_system_topic.mail",
        "azurerm_log_analytics_workspace.ops | log | metadata | eastus2 | US | provider | azurerm_email_communication_service.mail → azurerm_monitor_diagnostic_setting.mail → azurerm_log_analytics_workspace.ops",
            "azurerm_eventhub_namespace_authorization_rule.send | log | metadata | eastus | US | provider | azurerm_email_communication_service.mail → azurerm_monitor_diagnostic_setting.stream → azurerm_eventhub_namespace_authorization_rule.send",
        ]
    );
}

/// Google Cloud: custom dual-region locations, EUR4 object metadata in Belgium, Cloud SQL replica and backup location, BigQuery's default US location, an EKM key.
#[test]
fn google_dual_regions_cloud_sql_and_bigquery_default() {
    let map = map_json("gcp", &[]);
    assert_eq!(
        copies(&map),
        [
        "google_storage_bucket.custom | store | content | eu | 27 countries | external | google_storage_bucket.custom",
        "google_storage_bucket.custom (dual-region location europe-west1) | replica | content | europe-west1 | BE | external | google_storage_bucket.custom → google_storage_bucket.custom (dual-region location europe-west1)",
        "google_storage_bucket.custom (dual-region location us-east1) | replica | content | us-east1 | US | external | google_storage_bucket.custom → google_storage_bucket.custom (dual-region location us-east1)",
        "google_storage_bucket.eur4 | store | content | eur4 | FI,NL | provider | google_storage_bucket.eur4",
        "google_storage_bucket.eur4 (object metadata) | store | metadata | eur4 | BE | provider | google_storage_bucket.eur4 → google_storage_bucket.eur4 (object metadata)",
        "google_sql_database_instance.mail | store | content | europe-west4 | NL | provider | google_sql_database_instance.mail",
        "google_sql_database_instance.mail_replica | replica | content | asia-northeast1 | JP | provider | google_sql_database_instance.mail → google_sql_database_instance.mail_replica",
        "google_sql_database_instance.mail (backup location us) | backup | content | us | US | provider | google_sql_database_instance.mail → google_sql_database_instance.mail (backup location us)",
        "google_bigquery_dataset.mail_analytics | store | content | us | US | provider | google_bigquery_dataset.mail_analytics",
            "google_sql_database_instance.archive | store | content | europe-west1 | BE | provider | google_sql_database_instance.archive",
            "google_sql_database_instance.archive (default backup location) | backup | content | ? | ? | provider | google_sql_database_instance.archive → google_sql_database_instance.archive (default backup location)",
        ]
    );
}

/// The same edges in CloudFormation: receipt rule SNS, Lambda and Connect actions, SNS
/// subscriptions, event destinations (SNS, CloudWatch, EventBridge), a relay's SMTP server,
/// GlobalTable replicas, global clusters, SourceDBInstanceIdentifier, EFS ReplicationConfiguration, Backup plans and selections, SES event destinations, S3 notifications, replication and Multi-Region Access Points.
#[test]
fn cloudformation_global_table_rds_efs_backup_logs_and_s3() {
    let map = map_json("cloudformation", &["--region", "eu-west-1"]);
    assert_eq!(
        copies(&map),
        [
        "Messages | store | content | eu-west-1 | IE | provider | Messages",
        "Messages (replica us-east-1) | replica | content | us-east-1 | US | provider | Messages → Messages (replica us-east-1)",
        "MailStore | store | content | eu-west-1 | IE | provider | MailStore",
        "MailStoreReplica | replica | content | eu-west-1 | IE | provider | MailStore → MailStoreReplica",
        "BackupVault | backup | content | eu-west-1 | IE | provider | MailStore → BackupSelection → BackupPlan → BackupVault",
        "arn:aws:backup:us-east-2:123456789012:backup-vault:offsite | backup | content | us-east-2 | US | provider | MailStore → BackupSelection → BackupPlan → arn:aws:backup:us-east-2:123456789012:backup-vault:offsite",
        "Maildirs | store | content | eu-west-1 | IE | provider | Maildirs",
        "Maildirs (replica us-west-2) | replica | content | us-west-2 | US | provider | Maildirs → Maildirs (replica us-west-2)",
        "BackupVault | backup | content | eu-west-1 | IE | provider | Maildirs → BackupSelection → BackupPlan → BackupVault",
        "arn:aws:backup:us-east-2:123456789012:backup-vault:offsite | backup | content | us-east-2 | US | provider | Maildirs → BackupSelection → BackupPlan → arn:aws:backup:us-east-2:123456789012:backup-vault:offsite",
        "Outbound | processing | content | eu-west-1 | IE | provider | Outbound",
        "EventStream | log | content | eu-west-1 | IE | provider | Outbound → OutboundEvents → EventStream",
        "arn:aws:s3:::acme-ses-events | log | content | ? | ? | provider | Outbound → OutboundEvents → EventStream → arn:aws:s3:::acme-ses-events",
        "Inbox | store | content | eu-west-1 | IE | provider | Inbox",
        "Parser | processing | content | eu-west-1 | IE | provider | Inbox → Parser",
        "arn:aws:s3:::acme-inbox-dr | replica | content | ? | ? | customer-managed | Inbox → arn:aws:s3:::acme-inbox-dr",
        "acme-inbox-ap | replica | content | ? | ? | provider | Inbox → AccessPoint → acme-inbox-ap",
        "Primary | store | content | eu-west-1 | IE | provider | Primary",
        "Secondary | replica | content | eu-west-1 | IE | provider | Primary → GlobalMail → Secondary",
            "Inbound | processing | content | eu-west-1 | IE | provider | Inbound",
            "MailTopic | processing | content | eu-west-1 | IE | provider | Inbound → MailTopic",
            "arn:aws:lambda:eu-central-1:123456789012:function:screen | processing | content | eu-central-1 | DE | provider | Inbound → arn:aws:lambda:eu-central-1:123456789012:function:screen",
            "arn:aws:connect:us-east-1:123456789012:instance/abc | processing | content | us-east-1 | US | provider | Inbound → arn:aws:connect:us-east-1:123456789012:instance/abc",
            "Archiver | processing | content | eu-west-1 | IE | provider | Inbound → MailTopic → ToArchiver → Archiver",
            "Sending | processing | content | eu-west-1 | IE | provider | Sending",
            "arn:aws:sns:us-west-2:123456789012:ses-events | log | content | us-west-2 | US | provider | Sending → SendingEvents → arn:aws:sns:us-west-2:123456789012:ses-events",
            "SendingMetrics (CloudWatch metrics) | log | metadata | eu-west-1 | IE | provider | Sending → SendingMetrics → SendingMetrics (CloudWatch metrics)",
            "arn:aws:events:eu-west-1:?:event-bus/default | log | content | eu-west-1 | IE | provider | Sending → SendingBus → arn:aws:events:eu-west-1:?:event-bus/default",
            "Forward | processing | content | eu-west-1 | IE | provider | Forward",
            "Partner | processing | content | eu-west-1 | IE | provider | Forward → Partner",
            "Partner (SMTP server smtp.partner.example) | processing | content | ? | ? | provider | Forward → Partner → Partner (SMTP server smtp.partner.example)",
        ]
    );
}

/// A copy reached by two routes is one copy that lists both.
#[test]
fn copy_reached_twice_keeps_both_routes() {
    let map = map_json("aws-processing", &[]);
    let parse = copy(&map, "aws_lambda_function.parse");
    assert_eq!(
        parse["via"],
        serde_json::json!([
            "aws_ses_receipt_rule.inbound",
            "aws_s3_bucket.raw",
            "aws_s3_bucket_notification.raw",
            "aws_lambda_function.parse"
        ])
    );
    assert_eq!(
        parse["also_via"],
        serde_json::json!([[
            "aws_ses_receipt_rule.inbound",
            "aws_sns_topic.mail",
            "aws_sns_topic_subscription.parse",
            "aws_lambda_function.parse"
        ]])
    );
    let path = fixture("aws-processing");
    let (_, text, _) = run(&["map", path.to_str().unwrap(), "--color", "never"]);
    assert!(common::says(
        &text,
        "and via aws_ses_receipt_rule.inbound → aws_sns_topic.mail → aws_sns_topic_subscription.parse → aws_lambda_function.parse"
    ));
}

/// Key custody: an external key store (XKS), Cloud EKM, a multi-region key's regions, a key
/// named on the step that writes (an S3 action's or a replication rule's key).
#[test]
fn key_custody_follows_the_key() {
    let processing = map_json("aws-processing", &[]);
    let raw = copy(&processing, "aws_s3_bucket.raw");
    assert_eq!(raw["key_custody"], "external");
    assert_eq!(raw["key"]["resource"], "aws_kms_key.external");

    let replicas = map_json("aws-replicas", &[]);
    let eu = copy(&replicas, "aws_s3_bucket.eu");
    assert_eq!(eu["key_custody"], "customer-managed");
    assert_eq!(
        eu["key"],
        serde_json::json!({"resource": "aws_kms_key.mail", "regions": ["eu-west-1", "us-east-1"]})
    );
    assert!(copy(&replicas, "aws_s3_bucket.us").get("key").is_none());

    let gcp = map_json("gcp", &[]);
    let custom = copy(&gcp, "google_storage_bucket.custom");
    assert_eq!(custom["key_custody"], "external");
    // The key is where its key ring is, not in the provider's default region.
    assert_eq!(
        custom["key"]["regions"],
        serde_json::json!(["europe-west3"])
    );

    let cfn = map_json("cloudformation", &["--region", "eu-west-1"]);
    let dr = copy(&cfn, "arn:aws:s3:::acme-inbox-dr");
    assert_eq!(dr["key_custody"], "customer-managed");
    assert_eq!(dr["key"]["regions"], serde_json::json!(["us-east-1"]));
}

/// Defaults that copy silently are copies, marked as the provider's default; what is written
/// is marked as derived from the catalog's pair.
#[test]
fn geo_redundant_defaults_are_copies() {
    let map = map_json("azure", &[]);
    for resource in [
        "azurerm_cosmosdb_account.mailboxes (geo-redundant backup)",
        "azurerm_mssql_database.messages (geo-redundant backup)",
        "azurerm_recovery_services_vault.backups (geo-redundant vault storage)",
    ] {
        assert_eq!(
            copy(&map, resource)["basis"],
            "provider-default",
            "{resource}"
        );
    }
    let secondary = copy(
        &map,
        "azurerm_storage_account.archive (geo-redundant secondary)",
    );
    assert_eq!(secondary["basis"], "implicit");
    assert_eq!(secondary["line"], 12);
    let gcp = map_json("gcp", &[]);
    assert_eq!(
        copy(&gcp, "google_bigquery_dataset.mail_analytics")["basis"],
        "provider-default"
    );
    let topic = copy(&map, "azurerm_eventgrid_system_topic.mail");
    assert_eq!(
        topic["unknown_reason"],
        "location is `global`: the service chooses where data is kept"
    );
}

/// A pair that cannot be known is an unknown copy with the reason, never dropped.
#[test]
fn paired_region_of_unknown_or_unpaired_location_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"variable "location" {}
resource "azurerm_storage_account" "a" {
  name                     = "a"
  location                 = var.location
  account_replication_type = "GRS"
  tags                     = { "data-class" = "mailbox" }
}
resource "azurerm_storage_account" "b" {
  name                     = "b"
  location                 = "italynorth"
  account_replication_type = "GZRS"
  tags                     = { "data-class" = "mailbox" }
}
resource "azurerm_storage_account" "c" {
  name                     = "c"
  location                 = "westeurope"
  account_replication_type = "ZRS"
  tags                     = { "data-class" = "mailbox" }
}
"#,
    )
    .unwrap();
    let (code, stdout, _) = run(&["map", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    let map: Value = serde_json::from_str(&stdout).unwrap();
    let a = copy(&map, "azurerm_storage_account.a (geo-redundant secondary)");
    assert_eq!(a["basis"], "unknown");
    assert!(a["unknown_reason"]
        .as_str()
        .unwrap()
        .starts_with("the paired region of azurerm_storage_account.a cannot be known: "));
    let b = copy(&map, "azurerm_storage_account.b (geo-redundant secondary)");
    assert_eq!(
        b["unknown_reason"],
        "region italynorth has no paired region in residency's catalog; the provider chooses where the secondary copy goes"
    );
    // Zone-redundant storage stays in its region: no second copy.
    assert_eq!(copies(&map).len(), 5);
}

/// The policies see the new copies: a US secondary of Brazilian storage, metadata in a US
/// workspace, a relay nobody can place.
#[test]
fn findings_on_followed_copies() {
    let azure = findings("azure", &[]);
    assert!(azure.contains(&(
        "MSI001".to_string(),
        "azurerm_storage_account.archive (geo-redundant secondary)".to_string(),
        12
    )));
    assert!(azure.contains(&(
        "MSI002".to_string(),
        "azurerm_log_analytics_workspace.ops".to_string(),
        111
    )));
    let logs = findings("aws-logs", &[]);
    // SES event records carry the subject line: content in the US.
    assert!(logs.contains(&("MSI001".to_string(), "aws_s3_bucket.events".to_string(), 46)));
    let cloud_act = findings("aws-processing", &["--policy", "cloud-act-2018"]);
    // An XKS key is used by AWS on demand: likely exposed, not "ciphertext only".
    assert!(cloud_act.contains(&("CLD009".to_string(), "aws_s3_bucket.raw".to_string(), 32)));
    assert!(!cloud_act.iter().any(|(rule, _, _)| rule == "CLD003"));
    assert!(cloud_act.contains(&(
        "CLD007".to_string(),
        "aws_mailmanager_relay.partner (SMTP server smtp.partner.example)".to_string(),
        65
    )));
    assert!(cloud_act.contains(&(
        "CLD007".to_string(),
        "https://hooks.example.net/mail".to_string(),
        54
    )));
}

/// `residency map --format mermaid` and `--format dot` draw every copy and every step.
#[test]
fn map_as_mermaid_and_dot() {
    let path = fixture("aws-backups");
    let (code, mermaid, _) = run(&["map", path.to_str().unwrap(), "--format", "mermaid"]);
    assert_eq!(code, 0);
    let expected = r#"flowchart LR
  subgraph g0["aws_dynamodb_table.mailboxes (main.tf:11)"]
    d0n0["aws_dynamodb_table.mailboxes<br/>store · content<br/>eu-west-1 (IE)"]
    d0n1["aws_backup_vault.local<br/>backup · content<br/>eu-west-1 (IE)"]
    d0n2["arn:aws:backup:us-west-2:123456789012:backup-vault:offsite<br/>backup · content<br/>us-west-2 (US)"]
    d0n3("aws_backup_selection.mail")
    d0n4("aws_backup_plan.mail")
  end
  d0n0 --> d0n3
  d0n3 --> d0n4
  d0n4 --> d0n1
  d0n4 --> d0n2
  class d0n2 us
  class d0n0,d0n1 abroad
"#;
    // The disclaimer first, as a comment renderers do not draw.
    let (comment, mermaid) = mermaid.split_once('\n').unwrap();
    assert!(comment.starts_with("%% residency maps") && comment.contains("not legal advice"));
    assert!(mermaid.starts_with(expected), "{mermaid}");
    assert!(mermaid.contains("  d1n1 --> d1n2\n  class d1n2 us\n"));
    let (code, dot, _) = run(&["map", path.to_str().unwrap(), "--format", "dot"]);
    assert_eq!(code, 0);
    let (comment, dot) = dot.split_once('\n').unwrap();
    assert!(comment.starts_with("// residency maps"));
    assert!(dot.starts_with("digraph residency {\n  rankdir=LR;\n"));
    assert!(dot.contains(
        "    \"d0n2\" [label=\"arn:aws:backup:us-west-2:123456789012:backup-vault:offsite\\nbackup · content\\nus-west-2 (US)\", fillcolor=\"#fde2e1\", style=\"rounded,filled,solid\"];\n"
    ));
    assert!(dot.contains("    \"d0n4\" -> \"d0n2\";\n"));
    assert!(dot.ends_with("}\n"));
    // Quotes in names cannot break out of a label.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "provider \"aws\" { region = \"eu-west-1\" }\nresource \"aws_ses_receipt_rule\" \"r\" {\n  s3_action {\n    bucket_name = \"a\\\"b<c>\"\n  }\n}\n",
    )
    .unwrap();
    let (_, mermaid, _) = run(&["map", dir.path().to_str().unwrap(), "--format", "mermaid"]);
    assert!(mermaid.contains("a#quot;b#lt;c#gt;"), "{mermaid}");
    let (_, dot, _) = run(&["map", dir.path().to_str().unwrap(), "--format", "dot"]);
    assert!(dot.contains("a\\\"b<c>"), "{dot}");
}

/// The sample for this chapter: mail kept only in Dublin whose backup copy and outgoing
/// delivery events land in Virginia.
#[test]
fn sample_dublin_backup_and_logs() {
    let path = root().join("sample-configs/dublin-backup-and-logs");
    let (code, stdout, _) = run(&["scan", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(
        common::findings(&common::json(&stdout)),
        [
            (
                "MSI001".to_string(),
                "arn:aws:backup:us-east-1:111122223333:backup-vault:offsite".to_string(),
                34,
                false
            ),
            // The delivery events carry each message's subject line: content.
            (
                "MSI001".to_string(),
                "aws_s3_bucket.events".to_string(),
                78,
                false
            ),
        ]
    );
    let (_, text, _) = run(&["scan", path.to_str().unwrap(), "--color", "never"]);
    assert!(common::says(&text, "path: aws_ses_receipt_rule.inbound → aws_s3_bucket.mailboxes → aws_backup_selection.mail → aws_backup_plan.mail → arn:aws:backup:us-east-1:111122223333:backup-vault:offsite (us-east-1, US)"));
}

/// Self-hosted mail on Hetzner Cloud, DigitalOcean and Scaleway: servers, attached volumes, and
/// who runs them (German and French operators abroad are beyond a US order; DigitalOcean is not).
#[test]
fn hetzner_and_digitalocean_servers_and_volumes() {
    let map = map_json("hosting", &[]);
    assert_eq!(
        copies(&map),
        [
            "hcloud_server.mx | store | content | fsn1 | DE | provider | hcloud_server.mx",
            "hcloud_volume.vmail | store | content | fsn1 | DE | provider | hcloud_server.mx → hcloud_volume.vmail",
            "hcloud_volume.archive | store | content | hel1 | FI | provider | hcloud_server.mx → hcloud_volume_attachment.archive → hcloud_volume.archive",
            "digitalocean_droplet.mx | store | content | nyc3 | US | provider | digitalocean_droplet.mx",
            "digitalocean_volume.vmail | store | content | nyc3 | US | provider | digitalocean_droplet.mx → digitalocean_volume_attachment.vmail → digitalocean_volume.vmail",
            "scaleway_instance_server.mx | store | content | nl-ams | NL | provider | scaleway_instance_server.mx",
        ]
    );
    assert_eq!(
        copy(&map, "hcloud_server.mx")["operator"],
        serde_json::json!({"name": "Hetzner Online GmbH", "country": "DE"})
    );
    let rules: Vec<(String, String)> = findings("hosting", &["--policy", "cloud-act-2018"])
        .into_iter()
        .map(|(rule, resource, _)| (rule, resource))
        .collect();
    assert_eq!(
        rules,
        [
            // Hetzner runs US regions (ash, hil): its German copies may be within US reach.
            ("CLD011".to_string(), "hcloud_server.mx".to_string()),
            ("CLD011".to_string(), "hcloud_volume.vmail".to_string()),
            ("CLD011".to_string(), "hcloud_volume.archive".to_string()),
            ("CLD001".to_string(), "digitalocean_droplet.mx".to_string()),
            (
                "CLD001".to_string(),
                "digitalocean_volume.vmail".to_string()
            ),
            (
                "CLD005".to_string(),
                "scaleway_instance_server.mx".to_string()
            ),
        ]
    );
}

/// Hosted tenants from a tenants file: Exchange Online with Multi-Geo satellites and its
/// directory data, Google Workspace with per-unit data regions, another provider by country.
#[test]
fn hosted_mail_tenants_file() {
    let path = root().join("tests/fixtures/tenants");
    let (code, stdout, _) = run(&["map", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(
        copies(&common::json(&stdout)),
        [
            // Each geography is its own dataset (its users' mailboxes); the directory data in
            // the default geography is a copy all of them share.
            "tenant.corp | store | content | EUR | 9 countries | provider | tenant.corp",
            "tenant.corp (directory data (Entra ID)) | store | metadata | EUR | 9 countries | provider | tenant.corp → tenant.corp (directory data (Entra ID))",
            "tenant.corp (Multi-Geo satellite GBR) | store | content | GBR | GB | provider | tenant.corp (Multi-Geo satellite GBR)",
            "tenant.corp (directory data (Entra ID)) | store | metadata | EUR | 9 countries | provider | tenant.corp (Multi-Geo satellite GBR) → tenant.corp → tenant.corp (directory data (Entra ID))",
            "tenant.corp (Multi-Geo satellite NAM) | store | content | NAM | US | provider | tenant.corp (Multi-Geo satellite NAM)",
            "tenant.corp (directory data (Entra ID)) | store | metadata | EUR | 9 countries | provider | tenant.corp (Multi-Geo satellite NAM) → tenant.corp → tenant.corp (directory data (Entra ID))",
            "tenant.corp-google | store | content | europe | 27 countries | provider | tenant.corp-google",
            "tenant.corp-google (organisational unit /Contractors: no-preference) | store | content | ? | ? | provider | tenant.corp-google (organisational unit /Contractors: no-preference)",
            "tenant.corp-google (organisational unit /Sales/US: united-states) | store | content | united-states | US | provider | tenant.corp-google (organisational unit /Sales/US: united-states)",
            "tenant.legal | store | content | ? | CH | provider | tenant.legal",
        ]
    );
    // EUR is not the EU: it includes Norway and Switzerland.
    let map = common::json(&stdout);
    let eur = copy(&map, "tenant.corp")["countries"].clone();
    assert!(eur.as_array().unwrap().iter().any(|c| c == "NO"));
    assert!(eur.as_array().unwrap().iter().any(|c| c == "CH"));
    let (code, stdout, _) = run(&[
        "scan",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--policy",
        "microsoft-ireland-2016",
    ]);
    assert_eq!(code, 1);
    let rules: Vec<(String, String, u64)> = common::findings(&common::json(&stdout))
        .into_iter()
        .map(|(rule, resource, line, _)| (rule, resource, line))
        .collect();
    assert_eq!(
        rules,
        [
            (
                "MSI001".to_string(),
                "tenant.corp (Multi-Geo satellite NAM)".to_string(),
                4
            ),
            // The EUR and GBR users' mailboxes are stored only abroad: their own datasets.
            ("MSI004".to_string(), "tenant.corp".to_string(), 4),
            (
                "MSI004".to_string(),
                "tenant.corp (Multi-Geo satellite GBR)".to_string(),
                4
            ),
            (
                "MSI001".to_string(),
                "tenant.corp-google (organisational unit /Sales/US: united-states)".to_string(),
                10
            ),
            (
                "MSI003".to_string(),
                "tenant.corp-google (organisational unit /Contractors: no-preference)".to_string(),
                10
            ),
            ("MSI004".to_string(), "tenant.corp-google".to_string(), 10),
            ("MSI004".to_string(), "tenant.legal".to_string(), 19),
        ]
    );
}

/// Mistakes in a tenants file name the line, the field and the allowed values.
#[test]
fn tenants_file_errors_name_field_and_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"{"residency_tenants": 1, "tenants": [{"name": "x", "service": "microsoft-365", "default_geo": "EU"}]}"#,
            "tenant \"x\": \"default_geo\" \"EU\" is not one of APC, AUS, BRA, CAN, EUR, FRA, DEU, IND, ISR, ITA, JPN, KOR, MEX, NZL, NOR, POL, QAT, ZAF, ESP, SWE, CHE, TWN, ARE, GBR, NAM",
        ),
        (
            "{\"residency_tenants\": 1,\n \"tenants\": [{\"name\": \"x\", \"service\": \"gmail\"}]}",
            "tenant \"x\": service \"gmail\" is not one of microsoft-365, google-workspace, other",
        ),
        (
            "{\"residency_tenants\": 1,\n \"tenants\": [{\"name\": \"x\", \"service\": \"other\", \"provider\": \"p\",\n \"country\": [\"CH\"]}]}",
            "tenant \"x\": unknown field \"country\" (allowed: name, service, provider, countries, operator, parent)",
        ),
    ];
    for (text, message) in cases {
        std::fs::write(dir.path().join("mail-tenants.json"), text).unwrap();
        let (code, stdout, _) = run(&["map", dir.path().to_str().unwrap(), "--format", "json"]);
        assert_eq!(code, 3);
        let errors = common::json(&stdout)["errors"].clone();
        assert_eq!(errors[0]["message"], message, "{errors}");
    }
}

/// VMs that look like mail servers (a boot script installing postfix, a security group open on
/// port 25) are datasets with `basis: heuristic`; their disks and snapshots are copies.
#[test]
fn vm_mail_servers_found_by_heuristics() {
    let map = map_json("vm-mail", &[]);
    assert_eq!(
        copies(&map),
        [
            "aws_instance.mx | store | content | eu-west-1 | IE | provider | aws_instance.mx",
            "aws_instance.mx (root volume) | store | content | eu-west-1 | IE | provider | aws_instance.mx → aws_instance.mx (root volume)",
            "aws_ebs_volume.vmail | store | content | eu-west-1 | IE | provider | aws_instance.mx → aws_volume_attachment.vmail → aws_ebs_volume.vmail",
            "aws_ebs_snapshot.vmail | backup | content | eu-west-1 | IE | provider | aws_instance.mx → aws_volume_attachment.vmail → aws_ebs_volume.vmail → aws_ebs_snapshot.vmail",
            "aws_ebs_snapshot_copy.vmail_us | backup | content | us-east-1 | US | provider | aws_instance.mx → aws_volume_attachment.vmail → aws_ebs_volume.vmail → aws_ebs_snapshot.vmail → aws_ebs_snapshot_copy.vmail_us",
            "aws_instance.relay | store | content | eu-west-1 | IE | provider | aws_instance.relay",
        ]
    );
    let datasets = map["datasets"].as_array().unwrap();
    let found: Vec<(&str, &str, &str)> = datasets
        .iter()
        .map(|d| {
            (
                d["source"].as_str().unwrap(),
                d["basis"].as_str().unwrap(),
                d["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "aws_instance.mx",
                "heuristic",
                "its boot script (user_data) installs postfix"
            ),
            (
                "aws_instance.relay",
                "heuristic",
                "security group aws_security_group.smtp opens port 25"
            ),
        ]
    );
    let path = fixture("vm-mail");
    let (_, text, _) = run(&["map", path.to_str().unwrap(), "--color", "never"]);
    assert!(text
        .contains("taken for a mail server because its boot script (user_data) installs postfix"));
}

/// Oracle, Alibaba, IBM, OVHcloud (a VM whose cloud-init installs postfix), Linode and a
/// Cloud de Confiance (S3NS) bucket: each placed through the catalog with its own spelling
/// (`GRA11`, `eu-de-1`), and judged by who controls it under the CLOUD Act.
#[test]
fn other_clouds_and_a_sovereign_google_cloud() {
    let map = map_json("other-clouds", &[]);
    assert_eq!(
        copies(&map),
        [
            "oci_objectstorage_bucket.archive | store | content | eu-frankfurt-1 | DE | provider | oci_objectstorage_bucket.archive",
            "alicloud_oss_bucket.journal | store | content | eu-central-1 | DE | provider | alicloud_oss_bucket.journal",
            "ibm_is_volume.spool | store | content | eu-de | DE | provider | ibm_is_volume.spool",
            "ovh_cloud_project_instance.mx | store | content | gra | FR | provider | ovh_cloud_project_instance.mx",
            "linode_volume.maildir | store | content | se-sto | SE | provider | linode_volume.maildir",
            "google_storage_bucket.sovereign | store | content | u-france-east1 | FR | provider | google_storage_bucket.sovereign",
        ]
    );
    let s3ns = copy(&map, "google_storage_bucket.sovereign");
    assert_eq!(s3ns["operator"]["name"], "S3NS SAS");
    assert_eq!(s3ns["operator"]["model"], "licensee");
    assert_eq!(
        findings("other-clouds", &["--policy", "cloud-act-2018"]),
        [
            (
                "CLD001".to_string(),
                "oci_objectstorage_bucket.archive".to_string(),
                8
            ),
            // Alibaba Cloud runs US regions, OVHcloud has a US company: indeterminate.
            (
                "CLD011".to_string(),
                "alicloud_oss_bucket.journal".to_string(),
                19
            ),
            ("CLD001".to_string(), "ibm_is_volume.spool".to_string(), 28),
            (
                "CLD011".to_string(),
                "ovh_cloud_project_instance.mx".to_string(),
                35
            ),
            (
                "CLD001".to_string(),
                "linode_volume.maildir".to_string(),
                43
            ),
            (
                "CLD004".to_string(),
                "google_storage_bucket.sovereign".to_string(),
                55
            ),
        ]
    );
}

/// A Lambda function that processes mail and names a bucket in its environment
/// (`s3BucketName = aws_s3_bucket.processed.id`) writes what it processed there: a store copy in
/// that bucket's region; the other variables (`LOG_LEVEL = "INFO"`) are no copies.
#[test]
fn aws_lambda_environment_bucket_is_a_store() {
    let map = map_json("lambda-environment", &[]);
    assert_eq!(
        copies(&map),
        [
            "aws_ses_receipt_rule.process | processing | content | eu-west-1 | IE | provider | aws_ses_receipt_rule.process",
            "aws_lambda_function.parser | processing | content | eu-west-1 | IE | provider | aws_ses_receipt_rule.process → aws_lambda_function.parser",
            "aws_s3_bucket.processed | store | content | us-east-1 | US | provider | aws_ses_receipt_rule.process → aws_lambda_function.parser → aws_s3_bucket.processed",
        ]
    );
    assert_eq!(
        findings("lambda-environment", &[]),
        [(
            "MSI001".to_string(),
            "aws_s3_bucket.processed".to_string(),
            44
        )]
    );
}
