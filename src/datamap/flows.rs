//! Every way mailbox data moves from one resource to the next, as data: one `Flow` per kind of
//! edge. The traversal in `mod.rs` knows nothing about S3 or Cosmos DB; supporting a new kind of
//! replication, backup or log sink is one entry here.
//!
//! Attribute names follow the provider documentation summarised in MAIL-DATA.md (§1 mail
//! services, §2 storage sinks and replication, §4 logs and metadata, §5 keys); Terraform and
//! CloudFormation spell the same edge differently, so each has its own entry.

use super::{DataClass, Role};

/// Matches every resource kind (a backup selection or a diagnostic setting can name anything).
pub const ANY: &[&str] = &["*"];

/// How the places a flow reaches are found from the resource the data is in.
pub enum Reach {
    /// Values at `path` name other resources: a reference, a name, an ARN or an Azure resource
    /// id. Names and ARNs are looked up among resources of `targets` (bucket names carry no
    /// region, so `arn:aws:s3:::mail` must become the declared bucket).
    Names {
        path: &'static [&'static str],
        targets: &'static [&'static str],
    },
    /// Like `Names`, but only values that name a declared resource of `targets` count: the
    /// values at `path` are mostly not names at all (a function's environment variables), so
    /// an undeclared or unknown value is no copy.
    DeclaredNames {
        path: &'static [&'static str],
        targets: &'static [&'static str],
    },
    /// Resources of `kinds` whose `path` names this one: an S3 replication configuration names
    /// its bucket, a backup selection names what it backs up, a diagnostic setting its target.
    NamedBy {
        kinds: &'static [&'static str],
        path: &'static [&'static str],
    },
    /// Every resource of `kinds` in the same deployment: the receipt rules that carry an
    /// organisation's incoming mail (a WorkMail organisation's journal, rules writing to
    /// buckets elsewhere), which name no organisation.
    InDeployment { kinds: &'static [&'static str] },
    /// Region names at `path`, in the same cloud as the resource (DynamoDB `replica.region_name`,
    /// Cosmos DB `geo_location.location`).
    Regions { path: &'static [&'static str] },
    /// The catalog's paired region of the resource's own region, when the attribute at `path` is
    /// one of `values`, or is not set and `default` is one of them (Azure GRS storage, Recovery
    /// Services vaults that are geo-redundant unless told otherwise).
    Paired {
        path: &'static [&'static str],
        values: &'static [&'static str],
        default: Option<&'static str>,
    },
    /// A sink in the resource's own region, present when `path` is set (CloudWatch metrics of an
    /// SES event destination).
    Here { path: &'static [&'static str] },
    /// A destination outside any cloud the files describe, named at `path` (the SMTP server a
    /// Mail Manager relay sends to): its location is unknown by nature.
    External { path: &'static [&'static str] },
    /// Object metadata that the catalog says a location keeps in other countries (Cloud Storage
    /// dual-regions EUR4 and NAM4).
    CatalogMetadata,
    /// A copy the service makes somewhere of its own choosing when `unset` is not set, present
    /// when `enabled` is true: an unknown place, with `reason`.
    Unplaced {
        unset: &'static [&'static str],
        enabled: &'static [&'static str],
        reason: &'static str,
    },
}

/// One kind of edge.
pub struct Flow {
    /// Kinds of the resource the data flows out of; `ANY` for every kind.
    pub from: &'static [&'static str],
    pub reach: Reach,
    /// What the place reached does with the data.
    pub role: Role,
    /// `false` for a link that only leads on (a replication configuration, a backup plan, a
    /// diagnostic setting): it is shown in the chain, not as a copy. A link that cannot be
    /// followed still records a copy of `role` at an unknown place, so no data is dropped.
    pub holds: bool,
    /// `Some(Metadata)` where only addresses and headers go on (event records, notifications);
    /// `None` keeps the class of the data that flows in.
    pub data: Option<DataClass>,
    /// A key named beside the target in the same block (an SES S3 action's `kms_key_arn`): the
    /// key that protects what this step writes.
    pub key: Option<&'static [&'static str]>,
    /// The target in words, for chains and reasons ("replication destination").
    pub what: &'static str,
}

const fn flow(from: &'static [&'static str], reach: Reach, role: Role, what: &'static str) -> Flow {
    Flow {
        from,
        reach,
        role,
        holds: true,
        data: None,
        key: None,
        what,
    }
}

impl Flow {
    const fn metadata(self) -> Flow {
        Flow {
            data: Some(DataClass::Metadata),
            ..self
        }
    }
    const fn link(self) -> Flow {
        Flow {
            holds: false,
            ..self
        }
    }
    const fn key(self, key: &'static [&'static str]) -> Flow {
        Flow {
            key: Some(key),
            ..self
        }
    }
}

const fn names(path: &'static [&'static str], targets: &'static [&'static str]) -> Reach {
    Reach::Names { path, targets }
}
const fn named_by(kinds: &'static [&'static str], path: &'static [&'static str]) -> Reach {
    Reach::NamedBy { kinds, path }
}
const fn regions(path: &'static [&'static str]) -> Reach {
    Reach::Regions { path }
}
const fn paired(
    path: &'static [&'static str],
    values: &'static [&'static str],
    default: Option<&'static str>,
) -> Reach {
    Reach::Paired {
        path,
        values,
        default,
    }
}

const S3: &[&str] = &["aws_s3_bucket", "AWS::S3::Bucket"];
const SNS: &[&str] = &["aws_sns_topic", "AWS::SNS::Topic"];
const LAMBDA: &[&str] = &["aws_lambda_function", "AWS::Lambda::Function"];
const SQS: &[&str] = &["aws_sqs_queue", "AWS::SQS::Queue"];
const SUBSCRIBERS: &[&str] = &[
    "aws_lambda_function",
    "AWS::Lambda::Function",
    "aws_sqs_queue",
    "AWS::SQS::Queue",
];
const WORKMAIL: &[&str] = &["aws_workmail_organization"];
const RULE_SETS: &[&str] = &["aws_mailmanager_rule_set", "AWS::SES::MailManagerRuleSet"];
const ARCHIVES: &[&str] = &["aws_mailmanager_archive", "AWS::SES::MailManagerArchive"];
const RELAYS: &[&str] = &["aws_mailmanager_relay", "AWS::SES::MailManagerRelay"];
const FIREHOSE: &[&str] = &[
    "aws_kinesis_firehose_delivery_stream",
    "AWS::KinesisFirehose::DeliveryStream",
];
const EVENT_BUSES: &[&str] = &["aws_cloudwatch_event_bus", "AWS::Events::EventBus"];
const BACKUP_VAULTS: &[&str] = &["aws_backup_vault", "AWS::Backup::BackupVault"];
const AZURE_STORAGE: &[&str] = &["azurerm_storage_account"];
const AZURE_VMS: &[&str] = &[
    "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine",
    "azurerm_virtual_machine",
];
const ACS: &[&str] = &[
    "azurerm_email_communication_service",
    "azurerm_communication_service",
];
/// Azure Resource Manager template types (MAIL-DATA.md §1.4, §2.2; the ARM template reference
/// for each type at learn.microsoft.com/azure/templates/).
const ARM_STORAGE: &[&str] = &["Microsoft.Storage/storageAccounts"];
const ARM_ACS: &[&str] = &[
    "Microsoft.Communication/emailServices",
    "Microsoft.Communication/communicationServices",
];
const ARM_VMS: &[&str] = &["Microsoft.Compute/virtualMachines"];

/// No provider attribute says where a VM's provider backups go (a path no resource sets).
const PROVIDER_BACKUP_LOCATION: &[&str] = &["$backup_location"];
const PROVIDER_BACKUPS_UNPLACED: &str = "the provider keeps this VM's backups where it chooses; its documentation does not say where, so residency cannot place them";
const ARM_SQL_DB: &[&str] = &["Microsoft.Sql/servers/databases"];
const ARM_DIAGNOSTICS: &[&str] = &["Microsoft.Insights/diagnosticSettings"];
const ARM_PROTECTED_ITEMS: &[&str] =
    &["Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems"];
/// Kubernetes kinds whose pods run containers (the resolver adds `$claims`, `$host_paths` and
/// `$backups`).
const K8S_WORKLOADS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "HelmRelease",
];
/// Storage SKUs that keep an asynchronous copy in the paired region (`sku.name`).
const ARM_GEO_STORAGE: &[&str] = &[
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
];
/// Azure storage redundancy settings that keep an asynchronous copy in the paired region
/// (MAIL-DATA.md §2.2, `azurerm_storage_account.account_replication_type`).
const GEO_STORAGE: &[&str] = &["GRS", "RAGRS", "GZRS", "RAGZRS"];

use DataClass::Content;
use Role::{Archive, Backup, Log, Processing, Replica, Store};

#[rustfmt::skip]
pub static FLOWS: &[Flow] = &[
    // --- SES receipt rules (MAIL-DATA.md §1.1) ---------------------------------------------
    flow(&["aws_ses_receipt_rule"], names(&["s3_action", "bucket_name"], S3), Store, "bucket")
        .key(&["kms_key_arn"]),
    // The notification of an S3, Lambda or WorkMail action carries the message's headers, its
    // subject line included, not its body. A subject line is content: the magistrate in the
    // Microsoft case described content as "the message and subject line" (Francis, M.J.,
    // S.D.N.Y. 2014); so these notifications are content copies.
    flow(&["aws_ses_receipt_rule"], names(&["s3_action", "topic_arn"], SNS), Processing, "SNS topic"),
    flow(&["aws_ses_receipt_rule"], names(&["sns_action", "topic_arn"], SNS), Processing, "SNS topic"),
    flow(&["aws_ses_receipt_rule"], names(&["lambda_action", "function_arn"], LAMBDA), Processing, "Lambda function"),
    flow(&["aws_ses_receipt_rule"], names(&["lambda_action", "topic_arn"], SNS), Processing, "SNS topic"),
    flow(&["aws_ses_receipt_rule"], names(&["workmail_action", "organization_arn"], WORKMAIL), Store, "WorkMail organization"),
    flow(&["aws_ses_receipt_rule"], names(&["workmail_action", "topic_arn"], SNS), Processing, "SNS topic"),
    flow(&["AWS::SES::ReceiptRule"], names(&["Rule", "Actions", "S3Action", "BucketName"], S3), Store, "bucket")
        .key(&["KmsKeyArn"]),
    flow(&["AWS::SES::ReceiptRule"], names(&["Rule", "Actions", "S3Action", "TopicArn"], SNS), Processing, "SNS topic"),
    flow(&["AWS::SES::ReceiptRule"], names(&["Rule", "Actions", "SNSAction", "TopicArn"], SNS), Processing, "SNS topic"),
    flow(&["AWS::SES::ReceiptRule"], names(&["Rule", "Actions", "LambdaAction", "FunctionArn"], LAMBDA), Processing, "Lambda function"),
    flow(&["AWS::SES::ReceiptRule"], names(&["Rule", "Actions", "WorkmailAction", "OrganizationArn"], WORKMAIL), Store, "WorkMail organization"),
    flow(&["AWS::SES::ReceiptRule"], names(&["Rule", "Actions", "ConnectAction", "InstanceARN"], &[]), Processing, "Amazon Connect instance"),
    // --- SES Mail Manager (§1.2) -----------------------------------------------------------
    flow(&["aws_mailmanager_ingress_point"], names(&["rule_set_id"], RULE_SETS), Processing, "rule set"),
    flow(&["AWS::SES::MailManagerIngressPoint"], names(&["RuleSetId"], RULE_SETS), Processing, "rule set"),
    flow(&["aws_mailmanager_rule_set"], names(&["rule", "action", "archive", "target_archive"], ARCHIVES), Archive, "archive"),
    flow(&["aws_mailmanager_rule_set"], names(&["rule", "action", "write_to_s3", "s3_bucket"], S3), Store, "bucket")
        .key(&["s3_sse_kms_key_id"]),
    flow(&["aws_mailmanager_rule_set"], names(&["rule", "action", "deliver_to_mailbox", "mailbox_arn"], WORKMAIL), Store, "WorkMail mailbox"),
    flow(&["aws_mailmanager_rule_set"], names(&["rule", "action", "deliver_to_q_business", "application_id"], &[]), Processing, "Amazon Q Business application"),
    flow(&["aws_mailmanager_rule_set"], names(&["rule", "action", "publish_to_sns", "topic_arn"], SNS), Processing, "SNS topic"),
    flow(&["aws_mailmanager_rule_set"], names(&["rule", "action", "invoke_lambda", "function_arn"], LAMBDA), Processing, "Lambda function"),
    flow(&["aws_mailmanager_rule_set"], names(&["rule", "action", "relay", "relay"], RELAYS), Processing, "relay"),
    flow(&["AWS::SES::MailManagerRuleSet"], names(&["Rules", "Actions", "Archive", "TargetArchive"], ARCHIVES), Archive, "archive"),
    flow(&["AWS::SES::MailManagerRuleSet"], names(&["Rules", "Actions", "WriteToS3", "S3Bucket"], S3), Store, "bucket")
        .key(&["S3SseKmsKeyId"]),
    flow(&["AWS::SES::MailManagerRuleSet"], names(&["Rules", "Actions", "DeliverToMailbox", "MailboxArn"], WORKMAIL), Store, "WorkMail mailbox"),
    flow(&["AWS::SES::MailManagerRuleSet"], names(&["Rules", "Actions", "DeliverToQBusiness", "ApplicationId"], &[]), Processing, "Amazon Q Business application"),
    flow(&["AWS::SES::MailManagerRuleSet"], names(&["Rules", "Actions", "PublishToSns", "TopicArn"], SNS), Processing, "SNS topic"),
    flow(&["AWS::SES::MailManagerRuleSet"], names(&["Rules", "Actions", "InvokeLambda", "FunctionArn"], LAMBDA), Processing, "Lambda function"),
    flow(&["AWS::SES::MailManagerRuleSet"], names(&["Rules", "Actions", "Relay", "Relay"], RELAYS), Processing, "relay"),
    flow(&["aws_mailmanager_relay"], Reach::External { path: &["server_name"] }, Processing, "SMTP server"),
    flow(&["AWS::SES::MailManagerRelay"], Reach::External { path: &["ServerName"] }, Processing, "SMTP server"),
    // --- Whatever receives a whole message passes it on -------------------------------------
    flow(SNS, named_by(&["aws_sns_topic_subscription"], &["topic_arn"]), Processing, "subscription").link(),
    flow(&["aws_sns_topic_subscription"], names(&["endpoint"], SUBSCRIBERS), Processing, "subscription endpoint"),
    flow(SNS, named_by(&["AWS::SNS::Subscription"], &["TopicArn"]), Processing, "subscription").link(),
    flow(&["AWS::SNS::Subscription"], names(&["Endpoint"], SUBSCRIBERS), Processing, "subscription endpoint"),
    flow(&["AWS::SNS::Topic"], names(&["Subscription", "Endpoint"], SUBSCRIBERS), Processing, "subscription endpoint"),
    // A function triggered by each stored object can read it; topics and queues get the key.
    flow(S3, named_by(&["aws_s3_bucket_notification"], &["bucket"]), Processing, "bucket notification").link(),
    flow(&["aws_s3_bucket_notification"], names(&["lambda_function", "lambda_function_arn"], LAMBDA), Processing, "Lambda function"),
    // A function that processes mail and names a bucket in its environment writes what it
    // processed there (the shape of SES-to-S3 pipelines: `s3BucketName = aws_s3_bucket.x.id`).
    flow(&["aws_lambda_function"], Reach::DeclaredNames { path: &["environment", "variables", "*"], targets: S3 }, Store, "bucket named in the function's environment"),
    flow(&["AWS::Lambda::Function"], Reach::DeclaredNames { path: &["Environment", "Variables", "*"], targets: S3 }, Store, "bucket named in the function's environment"),
    flow(&["aws_s3_bucket_notification"], names(&["topic", "topic_arn"], SNS), Processing, "SNS topic").metadata(),
    flow(&["aws_s3_bucket_notification"], names(&["queue", "queue_arn"], SQS), Processing, "SQS queue").metadata(),
    flow(&["AWS::S3::Bucket"], names(&["NotificationConfiguration", "LambdaConfigurations", "Function"], LAMBDA), Processing, "Lambda function"),
    flow(&["AWS::S3::Bucket"], names(&["NotificationConfiguration", "TopicConfigurations", "Topic"], SNS), Processing, "SNS topic").metadata(),
    flow(&["AWS::S3::Bucket"], names(&["NotificationConfiguration", "QueueConfigurations", "Queue"], SQS), Processing, "SQS queue").metadata(),
    // --- Replicas (§2) ----------------------------------------------------------------------
    // S3 replication in its three forms, and Multi-Region Access Points.
    flow(S3, named_by(&["aws_s3_bucket_replication_configuration"], &["bucket"]), Replica, "replication configuration").link(),
    flow(&["aws_s3_bucket_replication_configuration"], names(&["rule", "destination", "bucket"], S3), Replica, "replication destination")
        .key(&["encryption_configuration", "replica_kms_key_id"]),
    flow(&["aws_s3_bucket"], names(&["replication_configuration", "rules", "destination", "bucket"], S3), Replica, "replication destination")
        .key(&["replica_kms_key_id"]),
    flow(&["AWS::S3::Bucket"], names(&["ReplicationConfiguration", "Rules", "Destination", "Bucket"], S3), Replica, "replication destination")
        .key(&["EncryptionConfiguration", "ReplicaKmsKeyID"]),
    flow(S3, named_by(&["aws_s3control_multi_region_access_point"], &["details", "region", "bucket"]), Replica, "Multi-Region Access Point").link(),
    flow(&["aws_s3control_multi_region_access_point"], names(&["details", "region", "bucket"], S3), Replica, "Multi-Region Access Point bucket"),
    flow(S3, named_by(&["AWS::S3::MultiRegionAccessPoint"], &["Regions", "Bucket"]), Replica, "Multi-Region Access Point").link(),
    flow(&["AWS::S3::MultiRegionAccessPoint"], names(&["Regions", "Bucket"], S3), Replica, "Multi-Region Access Point bucket"),
    // DynamoDB global tables.
    flow(&["aws_dynamodb_table"], regions(&["replica", "region_name"]), Replica, "replica"),
    flow(&["aws_dynamodb_table"], named_by(&["aws_dynamodb_table_replica"], &["global_table_arn"]), Replica, "table replica"),
    flow(&["AWS::DynamoDB::GlobalTable"], regions(&["Replicas", "Region"]), Replica, "replica"),
    // RDS read replicas and global clusters.
    flow(&["aws_db_instance"], named_by(&["aws_db_instance"], &["replicate_source_db"]), Replica, "read replica"),
    flow(&["AWS::RDS::DBInstance"], named_by(&["AWS::RDS::DBInstance"], &["SourceDBInstanceIdentifier"]), Replica, "read replica"),
    flow(&["aws_rds_cluster"], names(&["global_cluster_identifier"], &["aws_rds_global_cluster"]), Replica, "global cluster").link(),
    flow(&["aws_rds_cluster"], named_by(&["aws_rds_global_cluster"], &["source_db_cluster_identifier"]), Replica, "global cluster").link(),
    flow(&["aws_rds_global_cluster"], named_by(&["aws_rds_cluster"], &["global_cluster_identifier"]), Replica, "global cluster member"),
    flow(&["AWS::RDS::DBCluster"], names(&["GlobalClusterIdentifier"], &["AWS::RDS::GlobalCluster"]), Replica, "global cluster").link(),
    flow(&["AWS::RDS::DBCluster"], named_by(&["AWS::RDS::GlobalCluster"], &["SourceDBClusterIdentifier"]), Replica, "global cluster").link(),
    flow(&["AWS::RDS::GlobalCluster"], named_by(&["AWS::RDS::DBCluster"], &["GlobalClusterIdentifier"]), Replica, "global cluster member"),
    // EFS replication.
    flow(&["aws_efs_file_system"], named_by(&["aws_efs_replication_configuration"], &["source_file_system_id"]), Replica, "replication configuration").link(),
    flow(&["aws_efs_replication_configuration"], regions(&["destination", "region"]), Replica, "replica"),
    flow(&["aws_efs_replication_configuration"], regions(&["destination", "availability_zone_name"]), Replica, "replica"),
    flow(&["AWS::EFS::FileSystem"], regions(&["ReplicationConfiguration", "Destinations", "Region"]), Replica, "replica"),
    flow(&["AWS::EFS::FileSystem"], regions(&["ReplicationConfiguration", "Destinations", "AvailabilityZoneName"]), Replica, "replica"),
    // Azure storage: geo-redundant SKUs copy to the paired region; object replication.
    flow(AZURE_STORAGE, paired(&["account_replication_type"], GEO_STORAGE, None), Replica, "geo-redundant secondary"),
    flow(AZURE_STORAGE, named_by(&["azurerm_storage_object_replication"], &["source_storage_account_id"]), Replica, "object replication").link(),
    flow(&["azurerm_storage_object_replication"], names(&["destination_storage_account_id"], AZURE_STORAGE), Replica, "object replication destination"),
    // Cosmos DB regions, and its periodic backups (geo-redundant by default).
    flow(&["azurerm_cosmosdb_account"], regions(&["geo_location", "location"]), Replica, "geo location"),
    flow(&["azurerm_cosmosdb_account"], paired(&["backup", "storage_redundancy"], &["Geo"], Some("Geo")), Backup, "geo-redundant backup"),
    // Azure SQL: geo-replicas, failover groups, backups (geo-redundant by default).
    flow(&["azurerm_mssql_database"], named_by(&["azurerm_mssql_database"], &["creation_source_database_id"]), Replica, "geo-replica"),
    flow(&["azurerm_mssql_database"], named_by(&["azurerm_mssql_failover_group"], &["databases"]), Replica, "failover group").link(),
    flow(&["azurerm_mssql_failover_group"], names(&["partner_server", "id"], &["azurerm_mssql_server"]), Replica, "failover partner server"),
    flow(&["azurerm_mssql_database"], paired(&["storage_account_type"], &["Geo", "GeoZone"], Some("Geo")), Backup, "geo-redundant backup"),
    // Google Cloud Storage custom dual-regions and dual-region metadata; Cloud SQL.
    flow(&["google_storage_bucket"], regions(&["custom_placement_config", "data_locations"]), Replica, "dual-region location"),
    flow(&["google_storage_bucket"], Reach::CatalogMetadata, Store, "object metadata").metadata(),
    flow(&["resend_domain"], Reach::CatalogMetadata, Log, "account data, message metadata and logs").metadata(),
    flow(&["google_sql_database_instance"], named_by(&["google_sql_database_instance"], &["master_instance_name"]), Replica, "read replica"),
    flow(&["google_sql_database_instance"], regions(&["settings", "backup_configuration", "location"]), Backup, "backup location"),
    // "Backups are stored in the closest multi-region location to you by default"
    // (cloud.google.com/sdk/gcloud/reference/sql/backups/create, --location).
    flow(&["google_sql_database_instance"], Reach::Unplaced {
        unset: &["settings", "backup_configuration", "location"],
        enabled: &["settings", "backup_configuration", "enabled"],
        reason: "with no backup_configuration.location, Cloud SQL stores backups in the multi-region it deems closest; set the location to know where they are",
    }, Backup, "default backup location"),
    // --- Backups ----------------------------------------------------------------------------
    flow(ANY, named_by(&["aws_backup_selection"], &["resources"]), Backup, "backup selection").link(),
    flow(&["aws_backup_selection"], names(&["plan_id"], &["aws_backup_plan"]), Backup, "backup plan").link(),
    flow(&["aws_backup_plan"], names(&["rule", "target_vault_name"], BACKUP_VAULTS), Backup, "backup vault"),
    flow(&["aws_backup_plan"], names(&["rule", "copy_action", "destination_vault_arn"], BACKUP_VAULTS), Backup, "backup copy vault"),
    flow(ANY, named_by(&["AWS::Backup::BackupSelection"], &["BackupSelection", "Resources"]), Backup, "backup selection").link(),
    flow(&["AWS::Backup::BackupSelection"], names(&["BackupPlanId"], &["AWS::Backup::BackupPlan"]), Backup, "backup plan").link(),
    flow(&["AWS::Backup::BackupPlan"], names(&["BackupPlan", "BackupPlanRule", "TargetBackupVault"], BACKUP_VAULTS), Backup, "backup vault"),
    flow(&["AWS::Backup::BackupPlan"], names(&["BackupPlan", "BackupPlanRule", "CopyActions", "DestinationBackupVaultArn"], BACKUP_VAULTS), Backup, "backup copy vault"),
    flow(&["aws_ebs_volume"], named_by(&["aws_ebs_snapshot"], &["volume_id"]), Backup, "snapshot"),
    flow(&["aws_ebs_snapshot"], named_by(&["aws_ebs_snapshot_copy"], &["source_snapshot_id"]), Backup, "snapshot copy"),
    flow(AZURE_VMS, named_by(&["azurerm_backup_protected_vm"], &["source_vm_id"]), Backup, "VM backup").link(),
    flow(AZURE_STORAGE, named_by(&["azurerm_backup_protected_file_share"], &["source_storage_account_id"]), Backup, "file share backup").link(),
    flow(&["azurerm_backup_protected_vm", "azurerm_backup_protected_file_share"], names(&["recovery_vault_name"], &["azurerm_recovery_services_vault"]), Backup, "Recovery Services vault"),
    flow(&["azurerm_recovery_services_vault"], paired(&["storage_mode_type"], &["GeoRedundant"], Some("GeoRedundant")), Backup, "geo-redundant vault storage"),
    flow(AZURE_STORAGE, named_by(&["azurerm_data_protection_backup_instance_blob_storage"], &["storage_account_id"]), Backup, "blob backup").link(),
    flow(&["azurerm_data_protection_backup_instance_blob_storage"], names(&["vault_id"], &["azurerm_data_protection_backup_vault"]), Backup, "backup vault"),
    flow(&["azurerm_data_protection_backup_vault"], paired(&["redundancy"], &["GeoRedundant"], None), Backup, "geo-redundant vault storage"),
    // --- Azure Resource Manager templates: the same edges in ARM's own terms -----------------
    flow(ARM_STORAGE, paired(&["sku", "name"], ARM_GEO_STORAGE, None), Replica, "geo-redundant secondary"),
    flow(ARM_STORAGE, named_by(&["Microsoft.Storage/storageAccounts/objectReplicationPolicies"], &["properties", "sourceAccount"]), Replica, "object replication").link(),
    flow(&["Microsoft.Storage/storageAccounts/objectReplicationPolicies"], names(&["properties", "destinationAccount"], ARM_STORAGE), Replica, "object replication destination"),
    flow(&["Microsoft.DocumentDB/databaseAccounts"], regions(&["properties", "locations", "locationName"]), Replica, "geo location"),
    flow(&["Microsoft.DocumentDB/databaseAccounts"], paired(&["properties", "backupPolicy", "periodicModeProperties", "backupStorageRedundancy"], &["Geo"], Some("Geo")), Backup, "geo-redundant backup"),
    flow(ARM_SQL_DB, named_by(ARM_SQL_DB, &["properties", "sourceDatabaseId"]), Replica, "geo-replica"),
    flow(ARM_SQL_DB, named_by(&["Microsoft.Sql/servers/failoverGroups"], &["properties", "databases"]), Replica, "failover group").link(),
    flow(&["Microsoft.Sql/servers/failoverGroups"], names(&["properties", "partnerServers", "id"], &["Microsoft.Sql/servers"]), Replica, "failover partner server"),
    flow(ARM_SQL_DB, paired(&["properties", "requestedBackupStorageRedundancy"], &["Geo", "GeoZone"], Some("Geo")), Backup, "geo-redundant backup"),
    flow(ARM_VMS, named_by(ARM_PROTECTED_ITEMS, &["properties", "sourceResourceId"]), Backup, "VM backup").link(),
    flow(ARM_PROTECTED_ITEMS, names(&["$root"], &["Microsoft.RecoveryServices/vaults"]), Backup, "Recovery Services vault"),
    flow(ARM_STORAGE, named_by(&["Microsoft.DataProtection/backupVaults/backupInstances"], &["properties", "dataSourceInfo", "resourceID"]), Backup, "blob backup").link(),
    flow(&["Microsoft.DataProtection/backupVaults/backupInstances"], names(&["$root"], &["Microsoft.DataProtection/backupVaults"]), Backup, "backup vault"),
    flow(&["Microsoft.DataProtection/backupVaults"], paired(&["properties", "storageSettings", "type"], &["GeoRedundant"], None), Backup, "geo-redundant vault storage"),
    flow(&["Microsoft.RecoveryServices/vaults"], paired(&["properties", "redundancySettings", "standardTierStorageRedundancy"], &["GeoRedundant"], Some("GeoRedundant")), Backup, "geo-redundant vault storage"),
    flow(ARM_VMS, Reach::Here { path: &["properties", "storageProfile", "osDisk"] }, Store, "OS disk"),
    flow(ARM_VMS, Reach::Here { path: &["properties", "storageProfile", "dataDisks"] }, Store, "data disks"),
    flow(ANY, named_by(ARM_DIAGNOSTICS, &["scope"]), Log, "diagnostic setting").link().metadata(),
    flow(ANY, named_by(ARM_DIAGNOSTICS, &["$parent"]), Log, "diagnostic setting").link().metadata(),
    flow(ARM_DIAGNOSTICS, names(&["properties", "workspaceId"], &["Microsoft.OperationalInsights/workspaces"]), Log, "Log Analytics workspace"),
    flow(ARM_DIAGNOSTICS, names(&["properties", "storageAccountId"], ARM_STORAGE), Log, "log storage account"),
    flow(ARM_DIAGNOSTICS, names(&["properties", "eventHubAuthorizationRuleId"], &["Microsoft.EventHub/namespaces/authorizationRules"]), Log, "Event Hub"),
    flow(ARM_ACS, named_by(&["Microsoft.EventGrid/systemTopics"], &["properties", "source"]), Log, "Event Grid system topic").metadata(),
    // --- Kubernetes: the storage a mail server's pods mount, and Velero backups -----------------
    flow(K8S_WORKLOADS, names(&["$claims"], &["PersistentVolumeClaim"]), Store, "persistent volume claim"),
    flow(K8S_WORKLOADS, Reach::Here { path: &["$host_paths"] }, Store, "host path volume"),
    flow(K8S_WORKLOADS, names(&["$backups"], &["BackupStorageLocation"]), Backup, "Velero backup location"),
    flow(K8S_WORKLOADS, names(&["$snapshots"], &["VolumeSnapshotLocation"]), Backup, "Velero volume snapshot location"),
    // --- Docker Compose: the storage a mail server's containers mount on the host ------------
    flow(&["compose_service"], names(&["$claims"], &["compose_volume"]), Store, "named volume"),
    flow(&["compose_service"], Reach::Here { path: &["$host_paths"] }, Store, "bind mount"),
    // --- Hosted tenants (tenants file) ------------------------------------------------------
    // A WorkMail organisation receives its mail through SES in its region: the receipt rules
    // of the same deployment (journaling to a bucket, rules writing mail elsewhere) handle
    // that organisation's mail.
    flow(&["aws_workmail_organization", "AWS::WorkMail::Organization"], Reach::InDeployment { kinds: &["aws_ses_receipt_rule", "AWS::SES::ReceiptRule"] }, Processing, "receipt rule of the deployment").link(),
    // A Multi-Geo satellite is a source of its own (its users' mailboxes); the tenant's
    // directory data, in the default geography, is a copy every geography's dataset shares.
    flow(&["residency_m365_satellite"], names(&["$tenant"], &["residency_m365_tenant"]), Store, "tenant").link(),
    // Entra ID user data stays mastered in the default geo (MAIL-DATA.md §1.5).
    flow(&["residency_m365_tenant"], Reach::Here { path: &["default_geo"] }, Store, "directory data (Entra ID)").metadata(),
    // --- Disks of self-hosted mail servers -----------------------------------------------------
    flow(&["AWS::EC2::Instance"], Reach::Here { path: &["BlockDeviceMappings"] }, Store, "block device"),
    flow(&["AWS::EC2::Instance"], named_by(&["AWS::EC2::VolumeAttachment"], &["InstanceId"]), Store, "volume attachment").link(),
    flow(&["AWS::EC2::VolumeAttachment"], names(&["VolumeId"], &["AWS::EC2::Volume"]), Store, "attached volume"),
    flow(&["aws_instance"], Reach::Here { path: &["root_block_device"] }, Store, "root volume"),
    flow(&["aws_instance"], Reach::Here { path: &["ebs_block_device"] }, Store, "EBS volume"),
    flow(&["aws_instance"], named_by(&["aws_volume_attachment"], &["instance_id"]), Store, "volume attachment").link(),
    flow(&["aws_volume_attachment"], names(&["volume_id"], &["aws_ebs_volume"]), Store, "attached volume"),
    flow(AZURE_VMS, Reach::Here { path: &["os_disk"] }, Store, "OS disk"),
    flow(AZURE_VMS, named_by(&["azurerm_virtual_machine_data_disk_attachment"], &["virtual_machine_id"]), Store, "disk attachment").link(),
    flow(&["azurerm_virtual_machine_data_disk_attachment"], names(&["managed_disk_id"], &["azurerm_managed_disk"]), Store, "data disk"),
    flow(&["google_compute_instance"], Reach::Here { path: &["boot_disk"] }, Store, "boot disk"),
    flow(&["google_compute_instance"], names(&["attached_disk", "source"], &["google_compute_disk"]), Store, "attached disk"),
    // --- Volumes of self-hosted mail servers (Hetzner Cloud, DigitalOcean) -------------------
    flow(&["hcloud_server"], named_by(&["hcloud_volume"], &["server_id"]), Store, "attached volume"),
    flow(&["hcloud_server"], named_by(&["hcloud_volume_attachment"], &["server_id"]), Store, "volume attachment").link(),
    flow(&["hcloud_volume_attachment"], names(&["volume_id"], &["hcloud_volume"]), Store, "attached volume"),
    flow(&["digitalocean_droplet"], names(&["volume_ids"], &["digitalocean_volume"]), Store, "attached volume"),
    flow(&["digitalocean_droplet"], named_by(&["digitalocean_volume_attachment"], &["droplet_id"]), Store, "volume attachment").link(),
    flow(&["digitalocean_volume_attachment"], names(&["volume_id"], &["digitalocean_volume"]), Store, "attached volume"),
    // --- Backups a VM's provider makes when asked (`backups = true`): DigitalOcean, Hetzner,
    // Linode and Vultr document the schedules but not where the images are kept, so their
    // place is unknown with that reason. Lightsail snapshots are regional (copying one to
    // another Region is a separate action, CopySnapshot), so they are where the instance is.
    flow(&["digitalocean_droplet", "hcloud_server"], Reach::Unplaced {
        unset: PROVIDER_BACKUP_LOCATION,
        enabled: &["backups"],
        reason: PROVIDER_BACKUPS_UNPLACED,
    }, Backup, "provider backups"),
    flow(&["linode_instance"], Reach::Unplaced {
        unset: PROVIDER_BACKUP_LOCATION,
        enabled: &["backups_enabled"],
        reason: PROVIDER_BACKUPS_UNPLACED,
    }, Backup, "provider backups"),
    flow(&["vultr_instance"], Reach::Unplaced {
        unset: PROVIDER_BACKUP_LOCATION,
        enabled: &["backups"],
        reason: PROVIDER_BACKUPS_UNPLACED,
    }, Backup, "provider backups"),
    flow(&["aws_lightsail_instance"], Reach::Here { path: &["add_on"] }, Backup, "automatic snapshots"),
    flow(&["AWS::Lightsail::Instance"], Reach::Here { path: &["AddOns"] }, Backup, "automatic snapshots"),
    // --- Disks of self-hosted mail servers (Lightsail, Vultr, Scaleway, Linode) --------------
    flow(&["aws_lightsail_instance"], named_by(&["aws_lightsail_disk_attachment"], &["instance_name"]), Store, "disk attachment").link(),
    flow(&["aws_lightsail_disk_attachment"], names(&["disk_name"], &["aws_lightsail_disk"]), Store, "attached disk"),
    flow(&["AWS::Lightsail::Instance"], names(&["Hardware", "Disks", "DiskName"], &["AWS::Lightsail::Disk"]), Store, "attached disk"),
    flow(&["vultr_instance"], named_by(&["vultr_block_storage"], &["attached_to_instance"]), Store, "attached block storage"),
    flow(&["scaleway_instance_server"], Reach::Here { path: &["root_volume"] }, Store, "root volume"),
    flow(&["scaleway_instance_server"], names(&["additional_volume_ids"], &["scaleway_instance_volume", "scaleway_block_volume"]), Store, "additional volume"),
    flow(&["linode_instance"], named_by(&["linode_volume"], &["linode_id"]), Store, "attached volume"),
    flow(&["linode_instance"], named_by(&["linode_instance_disk"], &["linode_id"]), Store, "disk"),
    // --- Logs and metadata (§4) -------------------------------------------------------------
    // SES event records carry the message's common headers, its subject line included (the
    // `mail` object of event publishing): content, like the receipt notifications above.
    // CloudWatch gets counts by dimension only: metadata.
    flow(&["aws_ses_configuration_set"], named_by(&["aws_ses_event_destination"], &["configuration_set_name"]), Log, "event destination").link(),
    flow(&["aws_ses_event_destination"], names(&["kinesis_destination", "stream_arn"], FIREHOSE), Log, "Firehose delivery stream"),
    flow(&["aws_ses_event_destination"], names(&["sns_destination", "topic_arn"], SNS), Log, "SNS topic"),
    flow(&["aws_ses_event_destination"], Reach::Here { path: &["cloudwatch_destination"] }, Log, "CloudWatch metrics").metadata(),
    flow(&["aws_sesv2_configuration_set"], named_by(&["aws_sesv2_configuration_set_event_destination"], &["configuration_set_name"]), Log, "event destination").link(),
    flow(&["aws_sesv2_configuration_set_event_destination"], names(&["event_destination", "kinesis_firehose_destination", "delivery_stream_arn"], FIREHOSE), Log, "Firehose delivery stream"),
    flow(&["aws_sesv2_configuration_set_event_destination"], names(&["event_destination", "sns_destination", "topic_arn"], SNS), Log, "SNS topic"),
    flow(&["aws_sesv2_configuration_set_event_destination"], names(&["event_destination", "event_bridge_destination", "event_bus_arn"], EVENT_BUSES), Log, "EventBridge event bus"),
    flow(&["aws_sesv2_configuration_set_event_destination"], Reach::Here { path: &["event_destination", "cloud_watch_destination"] }, Log, "CloudWatch metrics").metadata(),
    flow(&["AWS::SES::ConfigurationSet"], named_by(&["AWS::SES::ConfigurationSetEventDestination"], &["ConfigurationSetName"]), Log, "event destination").link(),
    flow(&["AWS::SES::ConfigurationSetEventDestination"], names(&["EventDestination", "KinesisFirehoseDestination", "DeliveryStreamARN"], FIREHOSE), Log, "Firehose delivery stream"),
    flow(&["AWS::SES::ConfigurationSetEventDestination"], names(&["EventDestination", "SnsDestination", "TopicARN"], SNS), Log, "SNS topic"),
    flow(&["AWS::SES::ConfigurationSetEventDestination"], names(&["EventDestination", "EventBridgeDestination", "EventBusArn"], EVENT_BUSES), Log, "EventBridge event bus"),
    flow(&["AWS::SES::ConfigurationSetEventDestination"], Reach::Here { path: &["EventDestination", "CloudWatchDestination"] }, Log, "CloudWatch metrics").metadata(),
    flow(&["aws_kinesis_firehose_delivery_stream"], names(&["extended_s3_configuration", "bucket_arn"], S3), Log, "Firehose S3 destination"),
    flow(&["aws_kinesis_firehose_delivery_stream"], names(&["s3_configuration", "bucket_arn"], S3), Log, "Firehose S3 destination"),
    flow(&["AWS::KinesisFirehose::DeliveryStream"], names(&["ExtendedS3DestinationConfiguration", "BucketARN"], S3), Log, "Firehose S3 destination"),
    flow(&["AWS::KinesisFirehose::DeliveryStream"], names(&["S3DestinationConfiguration", "BucketARN"], S3), Log, "Firehose S3 destination"),
    flow(ANY, named_by(&["azurerm_monitor_diagnostic_setting"], &["target_resource_id"]), Log, "diagnostic setting").link().metadata(),
    flow(&["azurerm_monitor_diagnostic_setting"], names(&["log_analytics_workspace_id"], &["azurerm_log_analytics_workspace"]), Log, "Log Analytics workspace"),
    flow(&["azurerm_monitor_diagnostic_setting"], names(&["storage_account_id"], AZURE_STORAGE), Log, "log storage account"),
    flow(&["azurerm_monitor_diagnostic_setting"], names(&["eventhub_authorization_rule_id"], &[]), Log, "Event Hub"),
    // Event Grid system topics of Communication Services are global (§1.4).
    flow(ACS, named_by(&["azurerm_eventgrid_system_topic"], &["source_resource_id"]), Log, "Event Grid system topic").metadata(),
    flow(ACS, named_by(&["azurerm_eventgrid_system_topic"], &["source_arm_resource_id"]), Log, "Event Grid system topic").metadata(),
];

/// Resource kinds that are mail sources on their own, with what they do with the mail.
pub static SOURCES: &[(&str, Role, DataClass)] = &[
    ("aws_ses_receipt_rule", Processing, Content),
    ("AWS::SES::ReceiptRule", Processing, Content),
    ("aws_mailmanager_ingress_point", Processing, Content),
    ("AWS::SES::MailManagerIngressPoint", Processing, Content),
    ("aws_mailmanager_rule_set", Processing, Content),
    ("AWS::SES::MailManagerRuleSet", Processing, Content),
    ("aws_mailmanager_archive", Archive, Content),
    ("AWS::SES::MailManagerArchive", Archive, Content),
    ("aws_workmail_organization", Store, Content),
    ("azurerm_email_communication_service", Store, Content),
    ("azurerm_communication_service", Store, Content),
    // Outgoing mail: SES sends it from the configuration set's region, and its event
    // destinations record addresses and headers (§4).
    ("aws_ses_configuration_set", Processing, Content),
    ("aws_sesv2_configuration_set", Processing, Content),
    ("AWS::SES::ConfigurationSet", Processing, Content),
    ("Microsoft.Communication/emailServices", Store, Content),
    (
        "Microsoft.Communication/communicationServices",
        Store,
        Content,
    ),
    // A hosted sender that keeps the messages it sends and receives in the region of the
    // domain (Mailgun: `region`, us by default; catalog `mailgun.json`).
    ("mailgun_domain", Processing, Content),
    // Resend sends from the domain's region (us-east-1 by default) and keeps account data,
    // message metadata and logs in the United States (catalog `resend.json`).
    ("resend_domain", Processing, Content),
    // Scaleway Transactional Email, in fr-par.
    ("scaleway_tem_domain", Processing, Content),
    // Hosted mailboxes declared in a tenants file.
    ("residency_m365_tenant", Store, Content),
    ("residency_m365_satellite", Store, Content),
    ("residency_workspace_unit", Store, Content),
    ("residency_workspace_tenant", Store, Content),
    ("residency_hosted_mail", Store, Content),
];

/// Attributes that hold a resource's name, so that a name or the last part of an ARN finds the
/// declared resource.
pub static NAME_ATTRIBUTES: &[(&str, &str)] = &[
    ("aws_s3_bucket", "bucket"),
    ("AWS::S3::Bucket", "BucketName"),
    ("aws_sns_topic", "name"),
    ("AWS::SNS::Topic", "TopicName"),
    ("aws_lambda_function", "function_name"),
    ("AWS::Lambda::Function", "FunctionName"),
    ("aws_sqs_queue", "name"),
    ("AWS::SQS::Queue", "QueueName"),
    ("aws_mailmanager_archive", "name"),
    ("AWS::SES::MailManagerArchive", "ArchiveName"),
    ("aws_backup_vault", "name"),
    ("AWS::Backup::BackupVault", "BackupVaultName"),
    ("aws_ses_configuration_set", "name"),
    ("aws_sesv2_configuration_set", "configuration_set_name"),
    ("AWS::SES::ConfigurationSet", "Name"),
    ("aws_kinesis_firehose_delivery_stream", "name"),
    ("AWS::KinesisFirehose::DeliveryStream", "DeliveryStreamName"),
    ("aws_cloudwatch_event_bus", "name"),
    ("AWS::Events::EventBus", "Name"),
    ("aws_dynamodb_table", "name"),
    ("aws_db_instance", "identifier"),
    ("AWS::RDS::DBInstance", "DBInstanceIdentifier"),
    ("aws_rds_cluster", "cluster_identifier"),
    ("AWS::RDS::DBCluster", "DBClusterIdentifier"),
    ("aws_rds_global_cluster", "global_cluster_identifier"),
    ("AWS::RDS::GlobalCluster", "GlobalClusterIdentifier"),
    ("aws_efs_file_system", "creation_token"),
    ("azurerm_recovery_services_vault", "name"),
    ("azurerm_storage_account", "name"),
    ("azurerm_mssql_server", "name"),
    ("azurerm_eventhub_namespace", "name"),
    ("hcloud_volume", "name"),
    ("google_compute_disk", "name"),
    ("azurerm_managed_disk", "name"),
    ("digitalocean_volume", "name"),
    ("aws_lightsail_disk", "name"),
    ("AWS::Lightsail::Disk", "DiskName"),
    ("aws_lightsail_instance", "name"),
    ("scaleway_instance_volume", "name"),
    ("scaleway_block_volume", "name"),
    ("google_sql_database_instance", "name"),
    // ARM resources: the last segment of the name (ids are matched whole first).
    ("Microsoft.Storage/storageAccounts", "$name"),
    ("Microsoft.RecoveryServices/vaults", "$name"),
    ("Microsoft.Sql/servers", "$name"),
    ("Microsoft.Sql/servers/databases", "$name"),
    ("Microsoft.OperationalInsights/workspaces", "$name"),
    ("Microsoft.Compute/virtualMachines", "$name"),
    ("Microsoft.Compute/disks", "$name"),
    ("Microsoft.Communication/emailServices", "$name"),
    ("Microsoft.Communication/communicationServices", "$name"),
    ("Microsoft.DocumentDB/databaseAccounts", "$name"),
    ("Microsoft.DataProtection/backupVaults", "$name"),
    ("PersistentVolumeClaim", "$name"),
    ("azurerm_network_security_group", "name"),
    ("compose_volume", "$name"),
    ("BackupStorageLocation", "$name"),
    ("VolumeSnapshotLocation", "$name"),
];

/// Resources without a location of their own, and the attribute naming the resource whose
/// location they share (an Azure SQL database is where its server is).
pub static LOCATED_WITH: &[(&str, &[&str])] = &[
    ("azurerm_mssql_database", &["server_id"]),
    ("google_kms_crypto_key", &["key_ring"]),
    ("azurerm_backup_protected_vm", &["recovery_vault_name"]),
    (
        "azurerm_backup_protected_file_share",
        &["recovery_vault_name"],
    ),
    (
        "azurerm_eventhub_namespace_authorization_rule",
        &["namespace_name"],
    ),
    // ARM child resources without a location of their own: where their parent is.
    (
        "Microsoft.EventHub/namespaces/authorizationRules",
        &["$parent"],
    ),
];
