//! What the front ends produce and the later stages read: resources with their evaluated
//! attributes (known, or explicitly `Unknown` with the reason), the provider configuration
//! that places them, where each value came from, and the command-line values that stand in for
//! deploy-time settings.

use crate::value::Value;
use arcstr::ArcStr;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a value came from, which becomes a copy's `basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Written as a literal in the scanned files.
    Literal,
    /// Came through a variable, tfvars, a template parameter, or a command-line option.
    Variable,
}

impl Origin {
    pub fn join(self, other: Origin) -> Origin {
        if self == Origin::Variable || other == Origin::Variable {
            Origin::Variable
        } else {
            Origin::Literal
        }
    }
}

/// The provider configuration a resource is created with, as far as location is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderSetting {
    /// Terraform provider name (`aws`, `azurerm`, `google`); `aws` for CloudFormation.
    pub name: String,
    pub alias: Option<String>,
    /// The configuration's region (`region` for aws and google); `Null` when it has none.
    pub region: Value,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    Terraform,
    Cloudformation,
    /// A hosted mail tenants file.
    Tenants,
    /// `terraform show -json` of a plan.
    TerraformPlan,
    /// Terraform state, raw or as `terraform show -json` prints it.
    TerraformState,
    /// An Azure Resource Manager template.
    Arm,
    /// Kubernetes manifests.
    Kubernetes,
    /// Docker Compose files.
    Compose,
}

#[derive(Debug, Clone)]
pub struct Resource {
    /// `module.mail.aws_s3_bucket.store`, `data.aws_s3_bucket.x`, or a CloudFormation logical id.
    pub address: String,
    /// `aws_s3_bucket` or `AWS::S3::Bucket`.
    ///
    /// Kind, scope and file are shared strings (one pointer; one copy for every resource of a
    /// declaration, a root, a file): a large scan has hundreds of thousands of resources and
    /// a few thousand distinct values of each.
    pub kind: ArcStr,
    /// What addresses are unique within: the Terraform root module's directory, or the
    /// CloudFormation template. Two roots may both declare `aws_s3_bucket.inbox`.
    pub scope: ArcStr,
    pub format: SourceFormat,
    pub file: ArcStr,
    pub line: usize,
    pub end_line: usize,
    /// Evaluated arguments and nested blocks (`Value::Map`).
    pub attributes: Value,
    /// The top-level attributes whose value used a variable; any other is a literal (held
    /// only for these: most attributes are literals, and a map entry per attribute of every
    /// resource was a fifth of a large scan's memory).
    pub origins: BTreeMap<String, Origin>,
    /// Shared by every resource created with the same configuration (a root's resources
    /// mostly share one or two): held once, not copied into each of them.
    pub provider: Arc<ProviderSetting>,
    /// Who works out where the resource is.
    pub placed_by: PlacedBy,
}

/// One copy of each distinct string that many resources repeat (kinds, scopes, file names),
/// for a front end to make its resources with: a 100 MB scan has 296,000 resources and a few
/// thousand distinct values of each.
#[derive(Debug, Default)]
pub struct Strings(crate::hash::HashSet<ArcStr>);

impl Strings {
    /// The shared copy of `text`, made the first time it is asked for.
    pub fn get(&mut self, text: &str) -> ArcStr {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared = ArcStr::from(text);
        self.0.insert(shared.clone());
        shared
    }
}

/// Who works out where a resource is, so that later stages read data instead of asking which
/// format a resource came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlacedBy {
    /// `locate`, from the provider configuration and the resource's own location attributes,
    /// with the catalog's rules (Terraform, CloudFormation, ARM, plans, tenants).
    #[default]
    Catalog,
    /// The front end, which already read where its format says the resource runs: the cloud
    /// in the `$provider` attribute and the region in `provider.region` (Kubernetes volumes,
    /// storage classes and node selectors).
    FrontEnd,
}

impl Resource {
    pub fn attr(&self, name: &str) -> &Value {
        self.attributes.get(name)
    }

    pub fn origin(&self, name: &str) -> Origin {
        self.origins.get(name).copied().unwrap_or(Origin::Literal)
    }
}

/// Values given on the command line that stand in for deploy-time settings, and what every
/// front end reads with: the gate files are opened through and the regions catalog.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `--region`: the AWS region for providers without one, and the CloudFormation stack region.
    pub region: Option<String>,
    /// `--resource-group-location`: what `[resourceGroup().location]` gives in ARM templates.
    pub resource_group_location: Option<String>,
    /// `--cluster-region PROVIDER:REGION`: where Kubernetes workloads run when the manifests do
    /// not say.
    pub cluster_region: Option<(String, String)>,
    /// `--host-region PROVIDER:REGION`: where the host that runs the Compose files is.
    pub host_region: Option<(String, String)>,
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
    /// `--var-file FILE`, in order.
    pub var_files: Vec<std::path::PathBuf>,
    /// `--parameter NAME=VALUE` for CloudFormation.
    pub parameters: Vec<(String, String)>,
    /// Largest file read, in bytes (`--max-file-size`); 0 means the default.
    pub max_file_bytes: u64,
    /// What every file read while resolving passes (tfvars files, module directories): set by
    /// the scan from its paths. Local modules may be read from the scanned paths and the
    /// working directory; a module source that leads elsewhere is reported, not read.
    pub gate: crate::gate::Gate,
    /// The regions catalog of this scan: the embedded one, with `--catalog` files and config
    /// additions.
    pub catalog: std::sync::Arc<crate::catalog::Catalog>,
}

impl Default for Inputs {
    fn default() -> Self {
        Inputs {
            region: None,
            resource_group_location: None,
            cluster_region: None,
            host_region: None,
            vars: Vec::new(),
            var_files: Vec::new(),
            parameters: Vec::new(),
            max_file_bytes: 0,
            gate: Default::default(),
            catalog: crate::catalog::embedded(),
        }
    }
}
