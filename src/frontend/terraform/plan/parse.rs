//! Terraform plans and state, recognised by content rather than by name: the JSON that
//! `terraform show -json` prints for a plan (`planned_values`) or for state (`values`), and the
//! raw state file (`terraform.tfstate`, format version 4). The document is kept as a tree with
//! lines; `frontend::terraform::plan::resolve` interprets it.

use crate::diag::{Code, Diagnostic};
use crate::syntax::tree::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// `terraform show -json plan.out`: `planned_values`, `configuration`, `variables`.
    Plan,
    /// `terraform show -json` on state: `values.root_module`, no configuration.
    ShownState,
    /// A raw state file: `version`, `resources[].instances[].attributes`.
    RawState,
}

#[derive(Debug, Clone)]
pub struct PlanFile {
    pub display: String,
    pub kind: PlanKind,
    pub root: Node,
    pub lines: Vec<(usize, String)>,
}

/// Which of the three documents `root` is, if any. A plan or shown state names its
/// `format_version`; raw state has a numeric `version`, a `terraform_version` and `resources`.
pub fn detect(root: &Node) -> Option<PlanKind> {
    let has = |key: &str| root.get(key).is_some();
    if has("format_version") && has("planned_values") {
        return Some(PlanKind::Plan);
    }
    if has("format_version")
        && root
            .get("values")
            .and_then(|v| v.get("root_module"))
            .is_some()
    {
        return Some(PlanKind::ShownState);
    }
    let numeric_version = matches!(
        root.get("version").map(|v| &v.kind),
        Some(crate::syntax::tree::NodeKind::Number(_))
    );
    if numeric_version && has("terraform_version") && has("resources") {
        return Some(PlanKind::RawState);
    }
    None
}

/// Checks the shape `terraform show -json` and the state format give: a document of the right
/// kind with `"planned_values": 5` is an error entry, never a plan with nothing in it.
pub fn check_shape(root: &Node, kind: PlanKind) -> Result<(), crate::diag::Diagnostic> {
    fn module(m: &Node, place: &str) -> Result<(), crate::diag::Diagnostic> {
        m.expect("resources", false, place)?;
        m.expect("child_modules", false, place)?;
        for r in m.get("resources").map(Node::items).unwrap_or_default() {
            if !matches!(r.kind, crate::syntax::tree::NodeKind::Map(_)) {
                return Err(Diagnostic::new(
                    Code::Shape,
                    r.line,
                    format!("a resource must be an object, not {}", r.kind_name()),
                ));
            }
            r.expect("values", true, "a resource's ")?;
        }
        for child in m.get("child_modules").map(Node::items).unwrap_or_default() {
            module(child, "a child module's ")?;
        }
        Ok(())
    }
    let values = |key: &str| -> Result<(), crate::diag::Diagnostic> {
        root.expect(key, true, "")?;
        if let Some(v) = root.get(key) {
            v.expect("root_module", true, &format!("{key}."))?;
            if let Some(m) = v.get("root_module") {
                module(m, "root_module.")?;
            }
        }
        Ok(())
    };
    match kind {
        PlanKind::Plan => {
            values("planned_values")?;
            values("prior_state")?;
            root.expect("configuration", true, "")?;
            root.expect("variables", true, "")?;
            root.expect("resource_changes", false, "")
        }
        PlanKind::ShownState => values("values"),
        PlanKind::RawState => {
            root.expect("resources", false, "")?;
            for r in root.get("resources").map(Node::items).unwrap_or_default() {
                if !matches!(r.kind, crate::syntax::tree::NodeKind::Map(_)) {
                    return Err(Diagnostic::new(
                        Code::Shape,
                        r.line,
                        format!("a resource must be an object, not {}", r.kind_name()),
                    ));
                }
                r.expect("instances", false, "a resource's ")?;
            }
            Ok(())
        }
    }
}

/// Cheap test on the text before parsing it as a tree: every one of the three documents names
/// `terraform_version` or `format_version` near the top.
pub fn might_be_plan(text: &str) -> bool {
    let head = crate::syntax::head(text, 4096);
    head.contains("\"terraform_version\"") || head.contains("\"format_version\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::load_json;

    #[test]
    fn detects_the_three_documents() {
        let plan = load_json(r#"{"format_version":"1.2","planned_values":{}}"#).unwrap();
        assert_eq!(detect(&plan), Some(PlanKind::Plan));
        let shown = load_json(r#"{"format_version":"1.0","values":{"root_module":{}}}"#).unwrap();
        assert_eq!(detect(&shown), Some(PlanKind::ShownState));
        let raw = load_json(r#"{"version":4,"terraform_version":"1.9.0","resources":[]}"#).unwrap();
        assert_eq!(detect(&raw), Some(PlanKind::RawState));
        let other = load_json(r#"{"version":"4","name":"pkg"}"#).unwrap();
        assert_eq!(detect(&other), None);
    }
}
