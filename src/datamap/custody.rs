//! Key custody: who can use the key that protects a copy at rest (MAIL-DATA.md §5). The
//! provider's own key by default; `customer-managed` when the configuration names a key the
//! same provider holds; `external` when that key lives in an external key store (AWS XKS, Google
//! Cloud EKM), where the provider cannot decrypt without the customer's key manager.

use super::index::{Index, Target};
use super::KeyCustody;
use crate::model::Resource;
use crate::value::Value;
use serde::Serialize;

/// Where a resource names the key for its data: directly at `path`, or in a separate resource
/// of `attached` kinds that names it at `link` (an S3 bucket's encryption configuration).
struct KeySlot {
    kinds: &'static [&'static str],
    attached: Option<(&'static [&'static str], &'static [&'static str])>,
    path: &'static [&'static str],
}

const fn slot(kinds: &'static [&'static str], path: &'static [&'static str]) -> KeySlot {
    KeySlot {
        kinds,
        attached: None,
        path,
    }
}

const S3_DEFAULT_KEY: &[&str] = &[
    "rule",
    "apply_server_side_encryption_by_default",
    "kms_master_key_id",
];

static KEY_SLOTS: &[KeySlot] = &[
    slot(
        &["aws_s3_bucket"],
        &[
            "server_side_encryption_configuration",
            "rule",
            "apply_server_side_encryption_by_default",
            "kms_master_key_id",
        ],
    ),
    KeySlot {
        kinds: &["aws_s3_bucket"],
        attached: Some((
            &["aws_s3_bucket_server_side_encryption_configuration"],
            &["bucket"],
        )),
        path: S3_DEFAULT_KEY,
    },
    slot(
        &["AWS::S3::Bucket"],
        &[
            "BucketEncryption",
            "ServerSideEncryptionConfiguration",
            "ServerSideEncryptionByDefault",
            "KMSMasterKeyID",
        ],
    ),
    slot(
        &["aws_workmail_organization", "aws_mailmanager_archive"],
        &["kms_key_arn"],
    ),
    slot(&["AWS::SES::MailManagerArchive"], &["KmsKeyArn"]),
    slot(
        &["aws_dynamodb_table"],
        &["server_side_encryption", "kms_key_arn"],
    ),
    slot(
        &["AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"],
        &["SSESpecification", "KMSMasterKeyId"],
    ),
    slot(
        &[
            "aws_db_instance",
            "aws_rds_cluster",
            "aws_efs_file_system",
            "aws_ebs_volume",
            "aws_ebs_snapshot_copy",
            "aws_cloudwatch_log_group",
        ],
        &["kms_key_id"],
    ),
    slot(
        &[
            "AWS::RDS::DBInstance",
            "AWS::RDS::DBCluster",
            "AWS::EFS::FileSystem",
        ],
        &["KmsKeyId"],
    ),
    slot(&["aws_backup_vault"], &["kms_key_arn"]),
    slot(&["AWS::Backup::BackupVault"], &["EncryptionKeyArn"]),
    slot(&["aws_sns_topic"], &["kms_master_key_id"]),
    slot(&["AWS::SNS::Topic"], &["KmsMasterKeyId"]),
    slot(&["aws_sqs_queue"], &["kms_master_key_id"]),
    slot(
        &["aws_kinesis_firehose_delivery_stream"],
        &["server_side_encryption", "key_arn"],
    ),
    slot(
        &["azurerm_storage_account"],
        &["customer_managed_key", "key_vault_key_id"],
    ),
    slot(
        &["azurerm_storage_account"],
        &["customer_managed_key", "managed_hsm_key_id"],
    ),
    KeySlot {
        kinds: &["azurerm_storage_account"],
        attached: Some((
            &["azurerm_storage_account_customer_managed_key"],
            &["storage_account_id"],
        )),
        path: &["key_vault_key_id"],
    },
    slot(&["azurerm_cosmosdb_account"], &["key_vault_key_id"]),
    slot(
        &["azurerm_recovery_services_vault"],
        &["encryption", "key_id"],
    ),
    slot(
        &["azurerm_mssql_database"],
        &["transparent_data_encryption_key_vault_key_id"],
    ),
    slot(
        &["google_storage_bucket"],
        &["encryption", "default_kms_key_name"],
    ),
    slot(
        &["google_bigquery_dataset"],
        &["default_encryption_configuration", "kms_key_name"],
    ),
    slot(&["google_sql_database_instance"], &["encryption_key_name"]),
];

/// Every link from an attached resource that key lookups need indexed.
pub fn links() -> impl Iterator<Item = (&'static [&'static str], &'static [&'static str])> {
    KEY_SLOTS.iter().filter_map(|s| s.attached)
}

/// The key that protects a copy: the resource or ARN that names it and the regions its material
/// is in (a multi-region key is in every replica's region).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyRef {
    pub resource: String,
    pub regions: Vec<String>,
}

const KEY_KINDS: &[&str] = &[
    "aws_kms_key",
    "aws_kms_replica_key",
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    "google_kms_crypto_key",
    "azurerm_key_vault_key",
    "azurerm_key_vault_managed_hardware_security_module_key",
];

/// Custody of a resource's own data at rest.
pub fn of_resource(index: &Index, r: &Resource) -> (KeyCustody, Option<KeyRef>) {
    for s in KEY_SLOTS
        .iter()
        .filter(|s| s.kinds.contains(&r.kind.as_str()))
    {
        let holders: Vec<&Resource> = match s.attached {
            None => vec![r],
            Some((kinds, link)) => index.attached(kinds, link, r).to_vec(),
        };
        for holder in holders {
            for (_, value) in super::values_at(&holder.attributes, s.path) {
                if !value.is_null() {
                    return of_key(index, value, holder);
                }
            }
        }
    }
    (KeyCustody::Provider, None)
}

/// Custody given by a value that names a key.
pub fn of_key(index: &Index, value: &Value, from: &Resource) -> (KeyCustody, Option<KeyRef>) {
    // AWS managed keys (`alias/aws/s3`) are the provider's own.
    if value
        .as_str()
        .is_some_and(|k| k.starts_with("alias/aws/") || k.ends_with(":alias/aws/s3"))
    {
        return (KeyCustody::Provider, None);
    }
    match index.target(value, from, KEY_KINDS) {
        Target::Declared(key) => {
            let (custody, primary) = classify(index, key, 0);
            let mut regions = Vec::new();
            for k in std::iter::once(primary).chain(
                index
                    .attached(&["aws_kms_replica_key"], &["primary_key_arn"], primary)
                    .iter()
                    .copied(),
            ) {
                if let Some(region) = super::place(index, k, 0).region {
                    if !regions.contains(&region) {
                        regions.push(region);
                    }
                }
            }
            let resource = key.address.clone();
            (custody, Some(KeyRef { resource, regions }))
        }
        Target::Undeclared { label, region, .. } => (
            KeyCustody::CustomerManaged,
            Some(KeyRef {
                resource: label,
                regions: region.into_iter().collect(),
            }),
        ),
        // A key is named, but which one cannot be read: it is still the customer's key.
        Target::Unknown(_) => (KeyCustody::CustomerManaged, None),
        Target::None => (KeyCustody::Provider, None),
    }
}

/// Whether a declared key's material is held outside the provider, and the primary key of a
/// replica key.
fn classify<'a>(index: &Index<'a>, key: &'a Resource, depth: usize) -> (KeyCustody, &'a Resource) {
    match key.kind.as_str() {
        "aws_kms_replica_key" | "AWS::KMS::ReplicaKey" if depth < 4 => {
            let primary = if key.kind == "aws_kms_replica_key" {
                key.attr("primary_key_arn")
            } else {
                key.attr("PrimaryKeyArn")
            };
            match index.target(primary, key, KEY_KINDS) {
                Target::Declared(p) => classify(index, p, depth + 1),
                _ => (KeyCustody::CustomerManaged, key),
            }
        }
        "aws_kms_key" => {
            let store = key.attr("custom_key_store_id");
            let external = match index.target(store, key, &["aws_kms_custom_key_store"]) {
                Target::Declared(s) => {
                    s.attr("custom_key_store_type").as_str() == Some("EXTERNAL_KEY_STORE")
                }
                _ => false,
            };
            (custody(external), key)
        }
        "google_kms_crypto_key" => {
            let external =
                super::values_at(&key.attributes, &["version_template", "protection_level"])
                    .iter()
                    .any(|(_, level)| matches!(level.as_str(), Some("EXTERNAL" | "EXTERNAL_VPC")));
            (custody(external), key)
        }
        _ => (KeyCustody::CustomerManaged, key),
    }
}

fn custody(external: bool) -> KeyCustody {
    if external {
        KeyCustody::External
    } else {
        KeyCustody::CustomerManaged
    }
}
