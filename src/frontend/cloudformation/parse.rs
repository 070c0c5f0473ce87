//! CloudFormation templates, JSON or YAML (with short-form tags), into their resources,
//! parameters, mappings and conditions. A YAML or JSON file that does not look like a template
//! (no `AWSTemplateFormatVersion`, no `Resources` with `Type: AWS::...`) is not ours: `Ok(None)`.

use crate::diag::{Code, Diagnostic};
use crate::syntax::tree::{self, Node, NodeKind};

#[derive(Debug, Clone)]
pub struct Template {
    pub display: String,
    pub resources: Vec<CfnResource>,
    pub parameters: Vec<(String, Node)>,
    pub mappings: Option<Node>,
    pub conditions: Option<Node>,
    /// `Outputs`, for the values the template exports to other stacks.
    pub outputs: Option<Node>,
    /// Resources that could not be read (no `Type`, a Rain module), each a warning: one bad
    /// resource is not a bad file.
    pub warnings: Vec<Diagnostic>,
    pub lines: Vec<(usize, String)>,
}

#[derive(Debug, Clone)]
pub struct CfnResource {
    pub logical_id: String,
    pub rtype: String,
    /// `Properties`, in long form (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`).
    pub properties: Node,
    /// `Metadata.AWS::CloudFormation::Init`: the packages, files, commands and services
    /// cfn-init sets up on an instance (what a mail server's boot installs).
    pub init: Option<Node>,
    pub line: usize,
    pub end_line: usize,
}

pub fn parse(text: &str, is_json: bool, display: &str) -> Result<Option<Template>, Diagnostic> {
    let root = if is_json {
        match tree::load_json(text) {
            Ok(root) => root,
            // An unparsable `.json` is only our error if it claims to be a template.
            Err(e) if looks_like_template_text(text) => return Err(e),
            Err(_) => return Ok(None),
        }
    } else {
        match tree::load_yaml(text) {
            Ok(docs) => match docs.into_iter().next() {
                Some(doc) => doc,
                None => return Ok(None),
            },
            Err(e) if looks_like_template_text(text) => return Err(e),
            Err(_) => return Ok(None),
        }
    };
    from_root(&root, text, display)
}

/// A template from its already loaded document (`text` only for suppression comment lines);
/// `Ok(None)` when the document is not a template.
pub fn from_root(root: &Node, text: &str, display: &str) -> Result<Option<Template>, Diagnostic> {
    if !is_template(root) {
        return Ok(None);
    }
    let mut resources = Vec::new();
    let mut warnings = Vec::new();
    if let Some(section) = root.get("Resources") {
        if !matches!(section.kind, NodeKind::Map(_)) {
            return Err(Diagnostic::new(
                Code::Shape,
                section.line,
                "Resources must be a mapping of logical ids to resources",
            ));
        }
        let entries = if has_transform(root, "AWS::LanguageExtensions") {
            super::for_each::expand(section.entries(), root.get("Parameters"))
        } else {
            section.entries().to_vec()
        };
        for (logical_id, body) in &entries {
            let rtype = match body.get("Type").map(|t| (&t.kind, t)) {
                Some((NodeKind::String(t), _)) => t.clone(),
                Some((_, t)) if t.get("Fn::Rain::Module").is_some() => {
                    let module = t
                        .get("Fn::Rain::Module")
                        .and_then(Node::as_str)
                        .unwrap_or("?");
                    warnings.push(Diagnostic::at(
                        Code::LinkNotFollowed,
                        display,
                        body.line,
                        format!("resource {logical_id} is a Rain module ({module}); its resources are not scanned: run `rain pkg` and scan the packaged template"),
                    ));
                    continue;
                }
                _ => {
                    warnings.push(Diagnostic::at(
                        Code::Shape,
                        display,
                        body.line,
                        format!("resource {logical_id} has no Type; it is not read (the rest of the template is)"),
                    ));
                    continue;
                }
            };
            resources.push(CfnResource {
                logical_id: logical_id.clone(),
                rtype,
                properties: body.get("Properties").cloned().unwrap_or(Node {
                    line: body.line,
                    kind: NodeKind::Map(Vec::new()),
                }),
                init: body
                    .get("Metadata")
                    .and_then(|m| m.get("AWS::CloudFormation::Init"))
                    .cloned(),
                line: body.line,
                end_line: body.last_line(),
            });
        }
    }
    Ok(Some(Template {
        display: display.to_string(),
        resources,
        parameters: root
            .get("Parameters")
            .map(|p| p.entries().to_vec())
            .unwrap_or_default(),
        mappings: root.get("Mappings").cloned(),
        conditions: root.get("Conditions").cloned(),
        outputs: root.get("Outputs").cloned(),
        warnings,
        lines: crate::syntax::marker_lines(text),
    }))
}

/// Whether the template declares `Transform: NAME` (alone or in a list).
fn has_transform(root: &Node, name: &str) -> bool {
    match root.get("Transform").map(|t| &t.kind) {
        Some(NodeKind::String(t)) => t == name,
        Some(NodeKind::Seq(items)) => items.iter().any(|i| i.as_str() == Some(name)),
        _ => false,
    }
}

/// Whether a text that did not parse claims to be a template (and so is ours to report).
/// `AWSTemplateFormatVersion`, or a resource `Type: AWS::...` (YAML or JSON): a mention of
/// `AWS::` in prose or application settings is not a template.
pub fn looks_like_template_text(text: &str) -> bool {
    static TYPE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    text.contains("AWSTemplateFormatVersion")
        || TYPE
            .get_or_init(|| {
                regex::Regex::new(r#"(?m)^\s*"?Type"?\s*:\s*["']?AWS::"#).expect("valid pattern")
            })
            .is_match(text)
}

fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    root.get("Resources").is_some_and(|resources| {
        resources.entries().iter().any(|(_, r)| {
            r.get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_yaml_is_not_a_template() {
        let k8s = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        assert!(parse(k8s, false, "cm.yaml").unwrap().is_none());
        assert!(parse("{\"name\": \"pkg\"}", true, "package.json")
            .unwrap()
            .is_none());
    }

    #[test]
    fn template_resources_with_lines() {
        let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Mail:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub 'mail-${AWS::Region}'\n";
        let t = parse(text, false, "t.yaml").unwrap().unwrap();
        assert_eq!(t.resources[0].logical_id, "Mail");
        assert_eq!(t.resources[0].line, 3);
        assert_eq!(t.resources[0].end_line, 6);
    }
}
