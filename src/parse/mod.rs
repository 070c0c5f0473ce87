//! Parsing: one module per input format. Each turns a file's text into plain data with line
//! numbers, or a `ParseError` naming the line. Nothing here evaluates expressions; that is the
//! resolver's job.

pub mod arm;
pub mod cloudformation;
pub mod kubernetes;
pub mod tenants;
pub mod terraform;
pub mod tfplan;
pub mod tree;
pub mod workers;

use crate::discover::{Format, SourceFile};

/// The lines of a text that carry a suppression marker, with their 1-based numbers: all that
/// the suppression stage needs, so the rest of the text is not kept.
pub fn marker_lines(text: &str) -> Vec<(usize, String)> {
    if !text.contains(crate::suppress::MARKER) {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(crate::suppress::MARKER))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// The first `bytes` bytes of a text, or fewer so as to end on a character boundary: enough to
/// recognise a format by its opening keys without scanning a large file.
pub fn head(text: &str, bytes: usize) -> &str {
    let mut at = bytes.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// 1-based line; 0 when the problem concerns the whole file (unreadable, binary, too large).
    pub line: usize,
    pub message: String,
}

#[derive(Debug)]
pub enum Parsed {
    Terraform(terraform::TfFile),
    CloudFormation(cloudformation::Template),
    /// A hosted mail tenants file (`"residency_tenants": 1`).
    Tenants(tenants::TenantFile),
    /// An Azure Resource Manager template or parameter file.
    Arm(arm::ArmFile),
    /// Kubernetes manifests (YAML streams, JSON, `List` kinds).
    Kubernetes(kubernetes::Manifests),
    /// A file of a known kind that cannot be read as it is (an unrendered Helm chart template),
    /// with the reason: a warning, not an error.
    Skipped(String),
    /// A Terraform plan or state in JSON.
    TerraformPlan(tfplan::PlanFile),
    /// A YAML or JSON file that is not a template (a Kubernetes manifest, `package.json`, ...).
    NotRelevant,
}

pub fn parse_file(file: &SourceFile, gate: &crate::gate::Gate) -> Result<Parsed, ParseError> {
    let text = gate.read_text(&file.path, crate::gate::Area::Scan)?;
    match file.format {
        Format::TerraformHcl => terraform::parse_hcl(&text, &file.display).map(Parsed::Terraform),
        // An empty `.tf.json` declares nothing, like an empty `.tf`.
        Format::TerraformJson if text.trim().is_empty() => {
            terraform::parse_hcl("", &file.display).map(Parsed::Terraform)
        }
        Format::TerraformJson => terraform::parse_json(&text, &file.display).map(Parsed::Terraform),
        Format::StructuredData => {
            let is_json = file.display.to_ascii_lowercase().ends_with(".json")
                || text.trim_start().starts_with('{');
            parse_structured(&text, is_json, &file.display)
        }
    }
}

/// A JSON or YAML file, loaded once and offered to each format that reads such files: a
/// tenants file, an ARM template or parameter file, a Terraform plan or state, a CloudFormation
/// template, Kubernetes manifests; anything else is not ours.
fn parse_structured(text: &str, is_json: bool, display: &str) -> Result<Parsed, ParseError> {
    let loaded = if is_json {
        tree::load_json(text).map(|root| vec![root])
    } else {
        tree::load_yaml(text)
    };
    let mut documents = match loaded {
        Ok(documents) => documents,
        Err(e) => return unparsable(text, is_json, e),
    };
    if is_json && !documents.is_empty() {
        let root = &documents[0];
        if text.contains(tenants::FORMAT_KEY) && tenants::is_tenants_file(root) {
            return tenants::from_root(root, text, display).map(Parsed::Tenants);
        }
        let arm_kind = arm::might_be_arm(text).then(|| arm::detect(root)).flatten();
        let plan_kind = tfplan::might_be_plan(text)
            .then(|| tfplan::detect(root))
            .flatten();
        if let Some(kind) = arm_kind {
            arm::check_shape(root, kind)?;
            return Ok(Parsed::Arm(arm::ArmFile {
                display: display.to_string(),
                kind,
                root: documents.swap_remove(0),
                lines: marker_lines(text),
            }));
        }
        if let Some(kind) = plan_kind {
            tfplan::check_shape(&documents[0], kind)?;
            return Ok(Parsed::TerraformPlan(tfplan::PlanFile {
                display: display.to_string(),
                kind,
                root: documents.swap_remove(0),
                lines: marker_lines(text),
            }));
        }
    }
    if let Some(root) = documents.first() {
        if let Some(template) = cloudformation::from_root(root, text, display)? {
            return Ok(Parsed::CloudFormation(template));
        }
    }
    if !text.contains("apiVersion") {
        return Ok(Parsed::NotRelevant);
    }
    Ok(kubernetes_outcome(kubernetes::from_documents(
        &documents, text, display,
    )))
}

/// A JSON or YAML text that did not load: an error if it claims to be one of our formats,
/// otherwise not ours.
fn unparsable(text: &str, is_json: bool, error: ParseError) -> Result<Parsed, ParseError> {
    let ours = arm::might_be_arm(text)
        || tfplan::might_be_plan(text)
        || head(text, 4096).contains(tenants::FORMAT_KEY);
    if is_json && ours {
        return Err(error);
    }
    if cloudformation::looks_like_template_text(text) {
        return Err(error);
    }
    if !text.contains("apiVersion") {
        return Ok(Parsed::NotRelevant);
    }
    kubernetes::unparsable(text, error).map(kubernetes_outcome)
}

fn kubernetes_outcome(outcome: kubernetes::Outcome) -> Parsed {
    match outcome {
        kubernetes::Outcome::Manifests(m) => Parsed::Kubernetes(m),
        kubernetes::Outcome::NotManifests => Parsed::NotRelevant,
        kubernetes::Outcome::Unrendered(why) => Parsed::Skipped(why),
    }
}
