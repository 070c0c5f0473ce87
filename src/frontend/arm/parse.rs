//! Azure Resource Manager templates and their parameter files, recognised by their `$schema`
//! (`.../deploymentTemplate.json#`, `.../deploymentParameters.json#`; the subscription,
//! management-group and tenant template schemas end the same way). The document is kept as a
//! tree with lines; `frontend::arm::resolve` evaluates its expressions.

use crate::diag::{Code, Diagnostic};
use crate::syntax::tree::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmKind {
    Template,
    /// `X.parameters.json`: values for the parameters of `X.json` beside it.
    Parameters,
}

#[derive(Debug, Clone)]
pub struct ArmFile {
    pub display: String,
    pub kind: ArmKind,
    pub root: Node,
    pub lines: Vec<(usize, String)>,
    /// Resources that cannot be read (not an object), each a warning with its line: one bad
    /// resource is not a bad file.
    pub warnings: Vec<Diagnostic>,
    /// For a parameter file that names its template (a `.bicepparam` file's `using`), that
    /// template's report path; JSON parameter files go with `X.json` beside them.
    pub template_for: Option<String>,
    /// What could not be read in a file that was still read (a Bicep construct the grammar
    /// does not know): error entries, while the rest of the file's resources are kept.
    pub errors: Vec<Diagnostic>,
}

/// Which ARM document `root` is, from its `$schema`.
pub fn detect(root: &Node) -> Option<ArmKind> {
    let schema = root.get("$schema")?.as_str()?.to_ascii_lowercase();
    let file = schema
        .trim_end_matches('#')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if file.ends_with("deploymenttemplate.json") {
        Some(ArmKind::Template)
    } else if file.ends_with("deploymentparameters.json") {
        Some(ArmKind::Parameters)
    } else {
        None
    }
}

/// Checks the shape ARM would check before deploying: `resources` an array (an object of
/// symbolic names with `languageVersion` 2.0), `parameters` and `variables` objects. A
/// resource that is not an object is a warning (returned) and is not read; the others are.
pub fn check_shape(root: &Node, kind: ArmKind) -> Result<Vec<Diagnostic>, Diagnostic> {
    root.expect("parameters", true, "")?;
    if kind == ArmKind::Parameters {
        return Ok(Vec::new());
    }
    root.expect("variables", true, "")?;
    let symbolic = root
        .get("languageVersion")
        .and_then(Node::as_str)
        .is_some_and(|v| v.starts_with('2'));
    root.expect("resources", symbolic, "")?;
    if let Some(resources) = root.get("resources") {
        let entries: Vec<&Node> = if symbolic {
            resources.entries().iter().map(|(_, n)| n).collect()
        } else {
            resources.items().iter().collect()
        };
        return Ok(entries
            .into_iter()
            .filter(|n| !matches!(n.kind, crate::syntax::tree::NodeKind::Map(_)))
            .map(|bad| {
                Diagnostic::new(
                    Code::Shape,
                    bad.line,
                    format!(
                        "a resource must be an object, not {}; it is not read (the rest of the template is)",
                        bad.kind_name()
                    ),
                )
            })
            .collect());
    }
    Ok(Vec::new())
}

/// Cheap test on the text before parsing it: ARM documents name their schema near the top.
pub fn might_be_arm(text: &str) -> bool {
    let head = crate::syntax::head(text, 4096);
    head.contains("schema.management.azure.com")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::load_json;

    #[test]
    fn detects_templates_and_parameter_files() {
        let t = load_json(r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","resources":[]}"#).unwrap();
        assert_eq!(detect(&t), Some(ArmKind::Template));
        let s = load_json(r#"{"$schema":"https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"}"#).unwrap();
        assert_eq!(detect(&s), Some(ArmKind::Template));
        let p = load_json(r#"{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#","parameters":{}}"#).unwrap();
        assert_eq!(detect(&p), Some(ArmKind::Parameters));
        let other = load_json(r#"{"$schema":"http://json-schema.org/draft-07/schema#"}"#).unwrap();
        assert_eq!(detect(&other), None);
        assert!(might_be_arm(
            "{\"$schema\": \"https://schema.management.azure.com/x\"}"
        ));
        assert!(!might_be_arm("é".repeat(3000).as_str()));
    }
}
