//! The data map: which resources are sources of mailbox data, and every place that data is
//! carried to (stored, replicated, archived, processed), each with its placement and the chain
//! of resources that led there.

use crate::locate::{self, Basis, Placement};
use crate::resolve::{Resource, SourceFormat};
use crate::value::{Arn, Value};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Store,
    Replica,
    Backup,
    Archive,
    Log,
    Processing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataClass {
    /// Bodies and attachments.
    Content,
    /// Addresses, headers, delivery logs.
    Metadata,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyCustody {
    Provider,
    CustomerManaged,
    External,
    ClientSide,
}

/// The name a unit enum has in the report (`store`, `customer-managed`, `provider-default`),
/// for text output, messages and policy fields, so they always match the JSON.
pub fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One place where a dataset's data rests or passes through.
#[derive(Debug, Clone, Serialize)]
pub struct Copy {
    pub resource: String,
    pub file: String,
    pub line: usize,
    #[serde(skip)]
    pub end_line: usize,
    pub role: Role,
    pub data: DataClass,
    pub provider: Option<String>,
    pub region: Option<String>,
    pub countries: Vec<String>,
    pub operator: Option<crate::catalog::Entity>,
    pub parent: Option<crate::catalog::Entity>,
    pub key_custody: KeyCustody,
    pub basis: Basis,
    pub unknown_reason: Option<String>,
    /// The chain of resources from the dataset's source to this copy (both ends included).
    pub via: Vec<String>,
    /// Whether the resource is declared in the scanned files.
    pub declared: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    /// Address of the resource mail enters through.
    pub source: String,
    pub kind: String,
    pub file: String,
    pub line: usize,
    pub copies: Vec<Copy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataMap {
    pub datasets: Vec<Dataset>,
}

/// The tag (AWS, Azure) or label (Google) that marks a resource as holding mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTag {
    pub key: String,
    pub value: String,
}

impl Default for MailTag {
    fn default() -> Self {
        MailTag {
            key: "data-class".into(),
            value: "mailbox".into(),
        }
    }
}

struct Index<'a> {
    /// Resources by scope (root module or template) and address.
    by_address: HashMap<(&'a str, &'a str), &'a Resource>,
    buckets_by_name: HashMap<String, &'a Resource>,
    /// S3 replication and encryption configurations, by the address and file of their bucket.
    replications: HashMap<(String, String), Vec<&'a Resource>>,
    encryption_configs: HashMap<(String, String), Vec<&'a Resource>>,
}

fn key(r: &Resource) -> (String, String) {
    (r.address.clone(), r.file.clone())
}

impl<'a> Index<'a> {
    fn new(resources: &'a [Resource]) -> Index<'a> {
        let mut index = Index {
            by_address: HashMap::new(),
            buckets_by_name: HashMap::new(),
            replications: HashMap::new(),
            encryption_configs: HashMap::new(),
        };
        let mut configs = Vec::new();
        for r in resources {
            index
                .by_address
                .insert((r.scope.as_str(), r.address.as_str()), r);
            match r.kind.as_str() {
                "aws_s3_bucket" | "AWS::S3::Bucket" => {
                    let name = match r.format {
                        SourceFormat::Terraform => r.attr("bucket"),
                        SourceFormat::Cloudformation => r.attr("BucketName"),
                    };
                    if let Some(name) = name.as_str() {
                        index.buckets_by_name.insert(name.to_string(), r);
                    }
                }
                "aws_s3_bucket_replication_configuration"
                | "aws_s3_bucket_server_side_encryption_configuration" => configs.push(r),
                _ => {}
            }
        }
        // Second pass: configurations find their bucket once, so following a bucket is a lookup.
        for cfg in configs {
            if let Target::Declared(bucket) = index.target(cfg.attr("bucket"), cfg) {
                let list = if cfg.kind == "aws_s3_bucket_replication_configuration" {
                    &mut index.replications
                } else {
                    &mut index.encryption_configs
                };
                list.entry(key(bucket)).or_default().push(cfg);
            }
        }
        index
    }

    /// The resource a value points at: a reference, a bucket name, or an S3 ARN.
    fn target(&self, value: &Value, from: &Resource) -> Target<'a> {
        if let Some(address) = value.refers_to() {
            return match self.find(address, from) {
                Some(r) => Target::Declared(r),
                None => Target::Unknown(format!("{address} is not declared in the scanned files")),
            };
        }
        match value {
            Value::String(text) => {
                if let Some(arn) = Arn::parse(text) {
                    if arn.service == "s3" {
                        let name = arn.resource.split('/').next().unwrap_or_default();
                        return match self.buckets_by_name.get(name) {
                            Some(r) => Target::Declared(r),
                            None => Target::Undeclared {
                                label: text.clone(),
                                region: None,
                            },
                        };
                    }
                    return Target::Undeclared {
                        label: text.clone(),
                        region: (!arn.region.is_empty()).then(|| arn.region.to_string()),
                    };
                }
                match self.buckets_by_name.get(text.as_str()) {
                    Some(r) => Target::Declared(r),
                    None => Target::Undeclared {
                        label: text.clone(),
                        region: None,
                    },
                }
            }
            // An ARN with an unknown account (`arn:aws:sns:us-east-1:?:t`) still names its region.
            Value::Unknown(u) => match u.partial.as_deref().and_then(Arn::parse) {
                Some(arn)
                    if arn.service != "s3"
                        && !arn.region.is_empty()
                        && !arn.region.contains('?') =>
                {
                    Target::Undeclared {
                        label: u.partial.clone().unwrap_or_default(),
                        region: Some(arn.region.to_string()),
                    }
                }
                _ => Target::Unknown(u.reason.clone()),
            },
            Value::Null => Target::None,
            _ => Target::Unknown("not a resource reference".into()),
        }
    }

    /// A reference only means something inside its own root module or template.
    fn find(&self, address: &str, from: &Resource) -> Option<&'a Resource> {
        self.by_address
            .get(&(from.scope.as_str(), address))
            .copied()
    }
}

enum Target<'a> {
    Declared(&'a Resource),
    /// Named (a bucket name, an ARN) but not declared in the scanned files.
    Undeclared {
        label: String,
        region: Option<String>,
    },
    Unknown(String),
    None,
}

struct Builder<'i, 'a> {
    index: &'i Index<'a>,
    copies: Vec<Copy>,
    seen: HashSet<String>,
}

/// How a copy is reached: what it does with the data, and the name of the target for messages.
#[derive(Clone, Copy)]
struct Hop {
    role: Role,
    data: DataClass,
    /// Set when the step itself fixes the key (an SES S3 action's `kms_key_arn`); otherwise the
    /// target's own encryption decides.
    custody: Option<KeyCustody>,
    what: &'static str,
}

impl Hop {
    const fn new(role: Role, data: DataClass, what: &'static str) -> Hop {
        Hop {
            role,
            data,
            custody: None,
            what,
        }
    }
}

impl<'a> Builder<'_, 'a> {
    /// Records a copy once per dataset. `at` is the resource that declares it: the copy's own
    /// resource when `resource` is its address, otherwise the resource that names the target.
    fn record(
        &mut self,
        resource: String,
        at: &Resource,
        hop: Hop,
        placement: Placement,
        via: &[String],
    ) -> bool {
        let declared = resource == at.address;
        let seen_key = if declared {
            resource.clone() + &at.file
        } else {
            resource.clone()
        };
        if !self.seen.insert(seen_key) {
            return false;
        }
        let mut via = via.to_vec();
        via.push(resource.clone());
        self.copies.push(Copy {
            resource,
            file: at.file.clone(),
            line: at.line,
            end_line: at.end_line,
            role: hop.role,
            data: hop.data,
            provider: placement.provider,
            region: placement.region,
            countries: placement.countries,
            operator: placement.operator,
            parent: placement.parent,
            key_custody: hop.custody.unwrap_or(KeyCustody::Provider),
            basis: placement.basis,
            unknown_reason: placement.unknown_reason,
            via,
            declared,
        });
        true
    }

    fn add_resource(&mut self, r: &Resource, hop: Hop, via: &[String]) -> bool {
        let hop = Hop {
            custody: Some(hop.custody.unwrap_or_else(|| self.custody(r))),
            ..hop
        };
        self.record(r.address.clone(), r, hop, locate::locate(r), via)
    }

    /// Follows a value to what it names and records it as a copy.
    fn add_target(&mut self, value: &Value, from: &Resource, hop: Hop, via: &[String]) {
        let what = hop.what;
        match self.index.target(value, from) {
            Target::Declared(r) => {
                if self.add_resource(r, hop, via) {
                    let mut via = via.to_vec();
                    via.push(r.address.clone());
                    self.follow_replication(r, hop.data, &via);
                }
            }
            Target::Undeclared { label, region } => {
                let placement = match region {
                    Some(region) => locate::place_region("aws", &region, Basis::Implicit),
                    None => Placement::unknown(
                        Some("aws"),
                        format!("{what} {label} is not declared in the scanned files"),
                    ),
                };
                self.record(label, from, hop, placement, via);
            }
            Target::Unknown(reason) => {
                // The target is a resource of the same cloud (an SNS topic of an SES rule).
                let placement = Placement::unknown(
                    locate::catalog_provider(from),
                    format!("the {what} cannot be determined: {reason}"),
                );
                self.record(
                    format!("{} ({what})", from.address),
                    from,
                    hop,
                    placement,
                    via,
                );
            }
            Target::None => {}
        }
    }

    /// S3 replication in all its forms: the standalone resource, the legacy inline block and
    /// CloudFormation's `ReplicationConfiguration`.
    fn follow_replication(&mut self, bucket: &'a Resource, data: DataClass, via: &[String]) {
        if !matches!(bucket.kind.as_str(), "aws_s3_bucket" | "AWS::S3::Bucket") {
            return;
        }
        let mut destinations: Vec<(Value, Option<&Resource>)> = Vec::new();
        let index = self.index;
        for cfg in index.replications.get(&key(bucket)).into_iter().flatten() {
            for rule in cfg.attr("rule").items() {
                for dest in rule.get("destination").items() {
                    destinations.push((dest.get("bucket").clone(), Some(*cfg)));
                }
            }
        }
        for cfg in bucket.attr("replication_configuration").items() {
            for rule in cfg.get("rules").items() {
                for dest in rule.get("destination").items() {
                    destinations.push((dest.get("bucket").clone(), None));
                }
            }
        }
        for rule in bucket.attr("ReplicationConfiguration").get("Rules").items() {
            destinations.push((rule.path(&["Destination", "Bucket"]).clone(), None));
        }
        for (dest, cfg) in destinations {
            let mut chain = via.to_vec();
            let from = match cfg {
                Some(cfg) => {
                    chain.push(cfg.address.clone());
                    cfg
                }
                None => bucket,
            };
            let hop = Hop::new(Role::Replica, data, "replication destination");
            self.add_target(&dest, from, hop, &chain);
        }
    }

    /// Who can use the key that protects a resource's data at rest.
    fn custody(&self, r: &Resource) -> KeyCustody {
        let kms = |v: &Value| !v.is_null();
        match r.kind.as_str() {
            "aws_s3_bucket" => {
                let inline = r
                    .attr("server_side_encryption_configuration")
                    .items()
                    .iter()
                    .flat_map(|c| c.get("rule").items())
                    .flat_map(|rule| rule.get("apply_server_side_encryption_by_default").items())
                    .any(|d| kms(d.get("kms_master_key_id")));
                let separate = self
                    .index
                    .encryption_configs
                    .get(&key(r))
                    .into_iter()
                    .flatten()
                    .any(|cfg| {
                        cfg.attr("rule")
                            .items()
                            .iter()
                            .flat_map(|rule| {
                                rule.get("apply_server_side_encryption_by_default").items()
                            })
                            .any(|d| kms(d.get("kms_master_key_id")))
                    });
                if inline || separate {
                    KeyCustody::CustomerManaged
                } else {
                    KeyCustody::Provider
                }
            }
            "AWS::S3::Bucket" => {
                let cmk = r
                    .attr("BucketEncryption")
                    .get("ServerSideEncryptionConfiguration")
                    .items()
                    .iter()
                    .any(|c| kms(c.path(&["ServerSideEncryptionByDefault", "KMSMasterKeyID"])));
                if cmk {
                    KeyCustody::CustomerManaged
                } else {
                    KeyCustody::Provider
                }
            }
            "aws_workmail_organization" | "aws_mailmanager_archive"
                if kms(r.attr("kms_key_arn")) =>
            {
                KeyCustody::CustomerManaged
            }
            "AWS::SES::MailManagerArchive" if kms(r.attr("KmsKeyArn")) => {
                KeyCustody::CustomerManaged
            }
            _ => KeyCustody::Provider,
        }
    }
}

/// Resource kinds that are mail sources on their own.
const SOURCE_KINDS: &[&str] = &[
    "aws_ses_receipt_rule",
    "AWS::SES::ReceiptRule",
    "aws_mailmanager_ingress_point",
    "AWS::SES::MailManagerIngressPoint",
    "aws_mailmanager_rule_set",
    "AWS::SES::MailManagerRuleSet",
    "aws_mailmanager_archive",
    "AWS::SES::MailManagerArchive",
    "aws_workmail_organization",
    "azurerm_email_communication_service",
    "azurerm_communication_service",
];

fn has_mail_tag(r: &Resource, tag: &MailTag) -> bool {
    let matches_map = |v: &Value| v.get(&tag.key).as_str() == Some(tag.value.as_str());
    matches_map(r.attr("tags"))
        || matches_map(r.attr("labels"))
        || r.attr("Tags").items().iter().any(|t| {
            t.get("Key").as_str() == Some(tag.key.as_str())
                && t.get("Value").as_str() == Some(tag.value.as_str())
        })
}

pub fn build(resources: &[Resource], tag: &MailTag) -> DataMap {
    let index = Index::new(resources);
    let mut datasets = Vec::new();
    for r in resources {
        let is_source = SOURCE_KINDS.contains(&r.kind.as_str()) || has_mail_tag(r, tag);
        if !is_source {
            continue;
        }
        let mut b = Builder {
            index: &index,
            copies: Vec::new(),
            seen: HashSet::new(),
        };
        trace_source(&mut b, r);
        datasets.push(Dataset {
            source: r.address.clone(),
            kind: r.kind.clone(),
            file: r.file.clone(),
            line: r.line,
            copies: b.copies,
        });
    }
    // A source that another source's mail flows into (a WorkMail organization behind a receipt
    // rule, an archive behind a rule set) is part of that dataset, not a dataset of its own.
    let reached: HashSet<(String, String)> = datasets
        .iter()
        .flat_map(|d| {
            d.copies
                .iter()
                .filter(move |c| c.resource != d.source || c.file != d.file)
                .map(|c| (c.resource.clone(), c.file.clone()))
        })
        .collect();
    datasets.retain(|d| !reached.contains(&(d.source.clone(), d.file.clone())));
    datasets.sort_by(|a, b| (&a.file, a.line, &a.source).cmp(&(&b.file, b.line, &b.source)));
    DataMap { datasets }
}

/// One target of a mail action: where its reference is written (Terraform key, CloudFormation
/// key) and what the target does with the mail.
struct ActionTarget {
    tf: &'static str,
    cfn: &'static str,
    hop: Hop,
}

/// A kind of action block (`s3_action` / `S3Action`), the key that names a customer-managed key
/// for what it writes, and its targets.
struct ActionKind {
    tf: &'static str,
    cfn: &'static str,
    kms: Option<(&'static str, &'static str)>,
    targets: &'static [ActionTarget],
}

const fn target(
    tf: &'static str,
    cfn: &'static str,
    role: Role,
    data: DataClass,
    what: &'static str,
) -> ActionTarget {
    ActionTarget {
        tf,
        cfn,
        hop: Hop::new(role, data, what),
    }
}

use DataClass::{Content, Metadata};

/// SES receipt rule actions (MAIL-DATA.md §1.1).
const RECEIPT_RULE_ACTIONS: &[ActionKind] = &[
    ActionKind {
        tf: "s3_action",
        cfn: "S3Action",
        kms: Some(("kms_key_arn", "KmsKeyArn")),
        targets: &[
            target("bucket_name", "BucketName", Role::Store, Content, "bucket"),
            // The notification of an S3 action carries headers, not the message.
            target(
                "topic_arn",
                "TopicArn",
                Role::Processing,
                Metadata,
                "SNS topic",
            ),
        ],
    },
    ActionKind {
        tf: "sns_action",
        cfn: "SNSAction",
        kms: None,
        targets: &[target(
            "topic_arn",
            "TopicArn",
            Role::Processing,
            Content,
            "SNS topic",
        )],
    },
    ActionKind {
        tf: "lambda_action",
        cfn: "LambdaAction",
        kms: None,
        targets: &[target(
            "function_arn",
            "FunctionArn",
            Role::Processing,
            Content,
            "Lambda function",
        )],
    },
    ActionKind {
        tf: "workmail_action",
        cfn: "WorkmailAction",
        kms: None,
        targets: &[target(
            "organization_arn",
            "OrganizationArn",
            Role::Store,
            Content,
            "WorkMail organization",
        )],
    },
];

/// SES Mail Manager rule set actions (MAIL-DATA.md §1.2); `relay` is handled apart.
const RULE_SET_ACTIONS: &[ActionKind] = &[
    ActionKind {
        tf: "archive",
        cfn: "Archive",
        kms: None,
        targets: &[target(
            "target_archive",
            "TargetArchive",
            Role::Archive,
            Content,
            "archive",
        )],
    },
    ActionKind {
        tf: "write_to_s3",
        cfn: "WriteToS3",
        kms: Some(("s3_sse_kms_key_id", "S3SseKmsKeyId")),
        targets: &[target(
            "s3_bucket",
            "S3Bucket",
            Role::Store,
            Content,
            "bucket",
        )],
    },
    ActionKind {
        tf: "deliver_to_mailbox",
        cfn: "DeliverToMailbox",
        kms: None,
        targets: &[target(
            "mailbox_arn",
            "MailboxArn",
            Role::Store,
            Content,
            "WorkMail mailbox",
        )],
    },
    ActionKind {
        tf: "publish_to_sns",
        cfn: "PublishToSns",
        kms: None,
        targets: &[target(
            "topic_arn",
            "TopicArn",
            Role::Processing,
            Content,
            "SNS topic",
        )],
    },
    ActionKind {
        tf: "invoke_lambda",
        cfn: "InvokeLambda",
        kms: None,
        targets: &[target(
            "function_arn",
            "FunctionArn",
            Role::Processing,
            Content,
            "Lambda function",
        )],
    },
];

/// Follows every action of `actions` (each a map of action blocks) to its targets.
fn trace_actions<'a>(
    b: &mut Builder<'_, 'a>,
    from: &'a Resource,
    actions: Vec<&Value>,
    kinds: &[ActionKind],
    via: &[String],
) {
    let tf = from.format == SourceFormat::Terraform;
    let pick = |tf_key: &'static str, cfn_key: &'static str| if tf { tf_key } else { cfn_key };
    for action in actions {
        for kind in kinds {
            for block in action.get(pick(kind.tf, kind.cfn)).items() {
                let custody = kind
                    .kms
                    .filter(|(t, c)| !block.get(pick(t, c)).is_null())
                    .map(|_| KeyCustody::CustomerManaged);
                for t in kind.targets {
                    let hop = Hop { custody, ..t.hop };
                    b.add_target(block.get(pick(t.tf, t.cfn)), from, hop, via);
                }
            }
        }
    }
}

fn trace_source<'a>(b: &mut Builder<'_, 'a>, r: &'a Resource) {
    let via = vec![r.address.clone()];
    let processing = Hop::new(Role::Processing, Content, "");
    match r.kind.as_str() {
        "aws_ses_receipt_rule" => {
            b.add_resource(r, processing, &[]);
            // Terraform writes the action blocks directly in the rule.
            trace_actions(b, r, vec![&r.attributes], RECEIPT_RULE_ACTIONS, &via);
        }
        "AWS::SES::ReceiptRule" => {
            b.add_resource(r, processing, &[]);
            let actions = r.attr("Rule").get("Actions").items();
            trace_actions(b, r, actions, RECEIPT_RULE_ACTIONS, &via);
        }
        "aws_mailmanager_ingress_point" | "AWS::SES::MailManagerIngressPoint" => {
            b.add_resource(r, processing, &[]);
            let rule_set = if r.format == SourceFormat::Terraform {
                r.attr("rule_set_id")
            } else {
                r.attr("RuleSetId")
            };
            if let Target::Declared(rs) = b.index.target(rule_set, r) {
                if b.add_resource(rs, processing, &via) {
                    let mut via = via.clone();
                    via.push(rs.address.clone());
                    trace_rule_set_actions(b, rs, &via);
                }
            }
        }
        "aws_mailmanager_rule_set" | "AWS::SES::MailManagerRuleSet" => {
            b.add_resource(r, processing, &[]);
            trace_rule_set_actions(b, r, &via);
        }
        "aws_mailmanager_archive" | "AWS::SES::MailManagerArchive" => {
            b.add_resource(r, Hop::new(Role::Archive, Content, ""), &[]);
        }
        "azurerm_email_communication_service" | "azurerm_communication_service" => {
            let placement = locate::place_geography(
                "azure",
                r.attr("data_location"),
                r.origin("data_location"),
            );
            let hop = Hop {
                custody: Some(KeyCustody::Provider),
                ..Hop::new(Role::Store, Content, "")
            };
            b.record(r.address.clone(), r, hop, placement, &[]);
        }
        _ => {
            // A resource tagged as holding mail.
            b.add_resource(r, Hop::new(Role::Store, Content, ""), &[]);
            b.follow_replication(r, Content, &via);
        }
    }
}

fn trace_rule_set_actions<'a>(b: &mut Builder<'_, 'a>, rs: &'a Resource, via: &[String]) {
    let tf = rs.format == SourceFormat::Terraform;
    let rules = rs.attr(if tf { "rule" } else { "Rules" });
    for rule in rules.items() {
        for action in rule.get(if tf { "action" } else { "Actions" }).items() {
            trace_actions(b, rs, vec![action], RULE_SET_ACTIONS, via);
            if !action.get(if tf { "relay" } else { "Relay" }).is_null() {
                let placement = Placement::unknown(
                    None,
                    "mail is relayed to an external SMTP server whose location cannot be read from the files",
                );
                let hop = Hop::new(Role::Processing, Content, "relay");
                b.record(format!("{} (relay)", rs.address), rs, hop, placement, via);
            }
        }
    }
}
