//! The front ends: one folder per input format, each holding how its files are recognised
//! and parsed, and how they are resolved into resources with the deploying tool's rules
//! (variables, parameters, modules, linked templates, plans joined onto configuration). This
//! file is the registry, the only place that names every front end: which one claims a file,
//! and the order in which their resources are gathered. Nothing after it (`locate`,
//! `datamap`, `policy`, `report`) branches on a format's code, only on the data it produced.
//!
//! Adding a format is a folder with a `mod.rs` implementing [`FrontEnd`], a variant of
//! [`Parsed`], its claim in [`parse_file`], and a line in [`resources`].

pub mod arm;
pub mod bicep;
pub mod budget;
pub mod cloudformation;
pub mod compose;
pub mod kubernetes;
pub mod tenants;
pub mod terraform;

use crate::diag::{Code, Diagnostic};
use crate::discover::{Format, SourceFile};
use crate::model::{Inputs, Resource};
use crate::syntax::{head, marker_lines};

/// What every front end does once its files are parsed.
pub trait FrontEnd {
    /// What one parsed file of this format keeps until its resources are resolved.
    type File: Send;

    /// The file's name as reports show it, and its suppression-marker lines, taken out of the
    /// file (resolving does not need them; the suppression stage does).
    fn take_markers(file: &mut Self::File) -> (String, Vec<(usize, String)>);

    /// The resources all of this format's files deploy, resolved and joined with the
    /// deploying tool's rules; what cannot be read or followed, and the secrets found, go to `collected`.
    fn resources(
        files: Vec<Self::File>,
        inputs: &Inputs,
        threads: usize,
        collected: &mut Collected,
    ) -> Vec<Resource>;
}

/// What resolving gathers besides resources: errors (a file or value that could not be
/// understood: exit 3), warnings (something not followed, said so the reader knows), and the
/// values the configuration marks as secret (masked wherever they appear in reports).
#[derive(Debug, Default)]
pub struct Collected {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub secrets: crate::redact::Secrets,
    /// Files parsed while resolving (`terraform::stream`): how many were scanned, and the
    /// suppression-marker lines of each that parsed, by display name.
    pub files: usize,
    pub markers: Vec<(String, Vec<(usize, String)>)>,
}

/// The parsed files of one scan, by front end.
#[derive(Default)]
pub struct Claimed {
    terraform: Vec<terraform::File>,
    cloudformation: Vec<cloudformation::File>,
    arm: Vec<arm::File>,
    kubernetes: Vec<kubernetes::File>,
    compose: Vec<compose::File>,
    tenants: Vec<tenants::File>,
    /// Terraform roots parsed only when they are resolved (`terraform::stream`).
    terraform_streamed: terraform::stream::Streamed,
}

impl Claimed {
    /// What the scan claims, with the Terraform roots to parse as they are resolved.
    pub fn new(terraform_streamed: terraform::stream::Streamed) -> Claimed {
        Claimed {
            terraform_streamed,
            ..Claimed::default()
        }
    }

    /// Keeps a parsed file for its front end; returns its display name and suppression-marker
    /// lines, or `None` for a file no front end keeps (skipped, not ours).
    pub fn add(&mut self, parsed: Parsed) -> Option<(String, Vec<(usize, String)>)> {
        fn keep<F: FrontEnd>(
            list: &mut Vec<F::File>,
            mut file: F::File,
        ) -> (String, Vec<(usize, String)>) {
            let markers = F::take_markers(&mut file);
            list.push(file);
            markers
        }
        Some(match parsed {
            Parsed::Terraform(f) => keep::<terraform::Terraform>(&mut self.terraform, f),
            Parsed::CloudFormation(f) => {
                keep::<cloudformation::CloudFormation>(&mut self.cloudformation, f)
            }
            Parsed::Arm(f) => keep::<arm::Arm>(&mut self.arm, f),
            Parsed::Kubernetes(f) => keep::<kubernetes::Kubernetes>(&mut self.kubernetes, f),
            Parsed::Compose(f) => keep::<compose::Compose>(&mut self.compose, f),
            Parsed::Tenants(f) => keep::<tenants::Tenants>(&mut self.tenants, f),
            Parsed::Skipped(_) | Parsed::NotRelevant => return None,
        })
    }
}

/// Every front end's resources, in a fixed order of front ends.
pub fn resources(
    claimed: Claimed,
    inputs: &Inputs,
    threads: usize,
    collected: &mut Collected,
) -> Vec<Resource> {
    let Claimed {
        terraform,
        cloudformation,
        arm,
        mut kubernetes,
        compose,
        tenants,
        terraform_streamed,
    } = claimed;
    // Formats that need nothing from another are resolved before Terraform, so that their
    // parsed files are freed before Terraform's resources all exist (a 100 MB scan: the
    // resolve stage's peak 617 -> 505 MB). Kubernetes comes after Terraform, whose kubernetes
    // provider creates manifests too. The resources are gathered in the fixed order below.
    let cloudformation =
        cloudformation::CloudFormation::resources(cloudformation, inputs, threads, collected);
    let arm = arm::Arm::resources(arm, inputs, threads, collected);
    let compose = compose::Compose::resources(compose, inputs, threads, collected);
    let tenants = tenants::Tenants::resources(tenants, inputs, threads, collected);
    let mut all = terraform::Terraform::resources_with(
        terraform,
        terraform_streamed,
        inputs,
        threads,
        collected,
    );
    // Kubernetes objects that Terraform's kubernetes provider creates are read as manifests.
    kubernetes.extend(kubernetes::terraform::manifests(&all));
    let kubernetes = kubernetes::Kubernetes::resources(kubernetes, inputs, threads, collected);
    let rest = [cloudformation, arm, kubernetes, compose, tenants];
    all.reserve_exact(rest.iter().map(Vec::len).sum());
    all.extend(rest.into_iter().flatten());
    all
}

/// One file as the front end that claimed it parsed it.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// A `.tf` or `.tf.json` file, or a Terraform plan or state in JSON.
    Terraform(terraform::File),
    CloudFormation(cloudformation::File),
    /// An Azure Resource Manager template or parameter file, written as JSON or as Bicep.
    Arm(arm::File),
    /// Kubernetes manifests (YAML streams, JSON, `List` kinds).
    Kubernetes(kubernetes::File),
    /// A Docker Compose file (`compose.yaml`, `docker-compose.yml` and their overrides).
    Compose(compose::File),
    /// A hosted mail tenants file (`"residency_tenants": 1`).
    Tenants(tenants::File),
    /// A file of a known kind that cannot be read as it is (an unrendered Helm chart template),
    /// with the reason: a warning, not an error.
    Skipped(Diagnostic),
    /// A YAML or JSON file that no front end claims (`package.json`, application settings).
    NotRelevant,
}

impl Parsed {
    /// The same parse, copied into the memory of the thread that calls this. A parser's
    /// working tree is many times the size of the tree it leaves (hcl-edit's: 27 times the
    /// text, against 3.8 times), and what a file keeps is allocated among what it throws away:
    /// kept on the parsing thread, every file's tree held a page of freed memory around it (a
    /// 100 MB scan: 810 MB resident after parsing, for 350 MB of trees). Copied by the thread
    /// that collects the results, the kept trees are packed together and the parsers' pages
    /// are wholly free for the next file: 470 MB. A large Terraform file parsed in many
    /// pieces is already packed (`TfFile::packed`) and is not copied.
    pub fn compacted(self) -> Parsed {
        if let Parsed::Terraform(terraform::File::Config { file, .. }) = &self {
            if file.packed {
                return self;
            }
        }
        self.clone()
    }
}

pub fn parse_file(file: &SourceFile, inputs: &Inputs) -> Result<Parsed, Diagnostic> {
    parse_text(file, None, inputs)
}

/// [`parse_file`] with the file's text, when it was already read through the gate.
pub fn parse_text(
    file: &SourceFile,
    text: Option<String>,
    inputs: &Inputs,
) -> Result<Parsed, Diagnostic> {
    let read = match text {
        Some(text) => Ok(text),
        None => inputs.gate.read_text(&file.path, crate::gate::Area::Scan),
    };
    let text = match read {
        Ok(text) => text,
        // A JSON or YAML file that cannot be decoded is only ours to report when its opening
        // says it is one of our formats; application data in another encoding is not.
        Err(e)
            if file.format == Format::StructuredData
                && matches!(e.code, Code::Binary | Code::Encoding)
                && !claimed_by_content(&String::from_utf8_lossy(&crate::gate::read_head(
                    &file.path, 8192,
                ))) =>
        {
            return Ok(Parsed::NotRelevant);
        }
        Err(e) => return Err(e),
    };
    match file.format {
        Format::TerraformHcl | Format::TerraformJson => {
            terraform::parse_config(file, &text).map(Parsed::Terraform)
        }
        // Compiled into the ARM template `bicep build` would write; ARM resolves it.
        Format::Bicep => bicep::parse(&file.display, &text).map(Parsed::Arm),
        Format::StructuredData => {
            let is_json = file.display.to_ascii_lowercase().ends_with(".json")
                || text.trim_start().starts_with('{');
            parse_structured(&inputs.catalog, &text, is_json, &file.display)
        }
    }
}

/// A JSON or YAML file, loaded once and offered to each format that reads such files: a
/// tenants file, an ARM template or parameter file, a Terraform plan or state, a CloudFormation
/// template, Kubernetes manifests; anything else is not ours.
fn parse_structured(
    catalog: &crate::catalog::Catalog,
    text: &str,
    is_json: bool,
    display: &str,
) -> Result<Parsed, Diagnostic> {
    let loaded = if is_json {
        crate::syntax::tree::load_json(text)
            .or_else(|e| {
                // ARM templates may have comments and trailing commas; nothing else may.
                // When that fails too, its error is the one the engine would give.
                if arm::parse::might_be_arm(text) {
                    crate::syntax::tree::load_json_with_comments(text)
                } else {
                    Err(e)
                }
            })
            .map(|root| vec![root])
    } else {
        crate::syntax::tree::load_yaml(text)
    };
    let mut documents = match loaded {
        Ok(documents) => documents,
        Err(e) => return unparsable(text, is_json, display, e),
    };
    if is_json && !documents.is_empty() {
        let root = &documents[0];
        if text.contains(tenants::parse::FORMAT_KEY) && tenants::parse::is_tenants_file(root) {
            return tenants::parse::from_root(catalog, root, text, display).map(Parsed::Tenants);
        }
        let arm_kind = arm::parse::might_be_arm(text)
            .then(|| arm::parse::detect(root))
            .flatten();
        let plan_kind = terraform::plan::parse::might_be_plan(text)
            .then(|| terraform::plan::parse::detect(root))
            .flatten();
        if let Some(kind) = arm_kind {
            let warnings = arm::parse::check_shape(root, kind)?
                .into_iter()
                .map(|w| w.in_file(display))
                .collect();
            return Ok(Parsed::Arm(arm::parse::ArmFile {
                warnings,
                display: display.to_string(),
                kind,
                root: documents.swap_remove(0),
                lines: marker_lines(text),
                template_for: None,
                errors: Vec::new(),
            }));
        }
        if let Some(kind) = plan_kind {
            terraform::plan::parse::check_shape(&documents[0], kind)?;
            return Ok(Parsed::Terraform(terraform::File::Plan(
                terraform::plan::parse::PlanFile {
                    display: display.to_string(),
                    kind,
                    root: documents.swap_remove(0),
                    lines: marker_lines(text),
                },
            )));
        }
    }
    if !is_json && compose::parse::is_compose_name(display) {
        if let Some(file) = compose::parse::from_documents(&documents, text, display)? {
            return Ok(Parsed::Compose(file));
        }
    }
    if let Some(root) = documents.first() {
        if let Some(template) = cloudformation::parse::from_root(root, text, display)? {
            return Ok(Parsed::CloudFormation(template));
        }
    }
    if !text.contains("apiVersion") {
        return Ok(Parsed::NotRelevant);
    }
    Ok(kubernetes_outcome(kubernetes::parse::from_documents(
        &documents, text, display,
    )))
}

/// Whether a text's content says it is one of our formats: a CloudFormation template, an ARM
/// template or parameter file, a Terraform plan or state, a tenants file, a Kubernetes manifest.
fn claimed_by_content(text: &str) -> bool {
    cloudformation::parse::looks_like_template_text(text)
        || arm::parse::might_be_arm(text)
        || terraform::plan::parse::might_be_plan(text)
        || text.contains(tenants::parse::FORMAT_KEY)
        || kubernetes::parse::looks_like_manifest(text)
}

/// A JSON or YAML text that did not load: an error if it claims to be one of our formats,
/// otherwise not ours.
fn unparsable(
    text: &str,
    is_json: bool,
    display: &str,
    error: Diagnostic,
) -> Result<Parsed, Diagnostic> {
    // A file named as a Compose file that defines services is one.
    if !is_json && compose::parse::is_compose_name(display) && text.contains("services") {
        return Err(error);
    }
    let ours = arm::parse::might_be_arm(text)
        || terraform::plan::parse::might_be_plan(text)
        || head(text, 4096).contains(tenants::parse::FORMAT_KEY);
    if is_json && ours {
        return Err(error);
    }
    if cloudformation::parse::looks_like_template_text(text) {
        return Err(error);
    }
    if !text.contains("apiVersion") {
        return Ok(Parsed::NotRelevant);
    }
    kubernetes::parse::unparsable(text, error).map(kubernetes_outcome)
}

fn kubernetes_outcome(outcome: kubernetes::parse::Outcome) -> Parsed {
    match outcome {
        kubernetes::parse::Outcome::Manifests(m) => Parsed::Kubernetes(m),
        kubernetes::parse::Outcome::NotManifests => Parsed::NotRelevant,
        kubernetes::parse::Outcome::Unrendered(why) => {
            Parsed::Skipped(Diagnostic::new(Code::UnrenderedTemplate, 0, why))
        }
    }
}
