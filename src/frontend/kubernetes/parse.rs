//! Kubernetes manifests: every document of a YAML stream (or a JSON object) that has an
//! `apiVersion` and a `kind`, with `List` kinds (`kubectl get -o yaml`) opened into their
//! `items`. Rendered Helm output (`helm template`) is manifests like any other; an unrendered
//! chart template (`{{ .Values.x }}`) is reported as skipped, not as broken.

use crate::diag::Diagnostic;
use crate::syntax::tree::{self, Node};

#[derive(Debug, Clone)]
pub struct Manifests {
    pub display: String,
    /// Each object with `apiVersion` and `kind`, in document order.
    pub objects: Vec<Node>,
    pub lines: Vec<(usize, String)>,
    /// Where the cluster is, when the files say (Terraform's kubernetes provider configured
    /// from a cluster resource): `PROVIDER`, `REGION`, as `--cluster-region` gives it.
    pub cluster: Option<(String, String)>,
}

/// What a YAML or JSON file holds, as far as Kubernetes is concerned.
pub enum Outcome {
    Manifests(Manifests),
    /// Not Kubernetes (no document with `apiVersion` and `kind`).
    NotManifests,
    /// A chart template that only `helm template` can turn into manifests, with the reason.
    Unrendered(String),
}

fn is_object(node: &Node) -> bool {
    node.get("apiVersion").and_then(Node::as_str).is_some()
        && node.get("kind").and_then(Node::as_str).is_some()
}

/// Objects of a document: itself, or the items of a `List` kind (nested lists too).
fn objects_of(node: &Node, out: &mut Vec<Node>, depth: usize) {
    if !is_object(node) || depth > tree::MAX_DEPTH {
        return;
    }
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or_default();
    if kind == "List" || kind.ends_with("List") && node.get("items").is_some() {
        for item in node.get("items").map(Node::items).unwrap_or_default() {
            objects_of(item, out, depth + 1);
        }
    } else {
        out.push(node.clone());
    }
}

/// Whether a text that did not parse looks like Kubernetes YAML at all.
/// Whether a text names an `apiVersion` and a `kind`, as every manifest does.
pub fn looks_like_manifest(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind")
}

pub fn parse(text: &str, is_json: bool, display: &str) -> Result<Outcome, Diagnostic> {
    let documents = if is_json {
        tree::load_json(text).map(|d| vec![d])
    } else {
        tree::load_yaml(text)
    };
    match documents {
        Ok(documents) => Ok(from_documents(&documents, text, display)),
        Err(e) => unparsable(text, e),
    }
}

/// What a text that did not parse is: an unrendered chart template, broken manifests (the
/// error), or not Kubernetes at all.
pub fn unparsable(text: &str, error: Diagnostic) -> Result<Outcome, Diagnostic> {
    if text.contains("{{") && looks_like_manifest(text) {
        return Ok(Outcome::Unrendered(
            "an unrendered Helm template ({{ ... }}); render the chart with `helm template` and scan the output".into(),
        ));
    }
    if looks_like_manifest(text) {
        return Err(error);
    }
    Ok(Outcome::NotManifests)
}

/// The manifests among already loaded documents (`text` only for suppression comment lines).
pub fn from_documents(documents: &[Node], text: &str, display: &str) -> Outcome {
    let mut objects = Vec::new();
    for doc in documents {
        objects_of(doc, &mut objects, 0);
    }
    if objects.is_empty() {
        return Outcome::NotManifests;
    }
    Outcome::Manifests(Manifests {
        display: display.to_string(),
        objects,
        lines: crate::syntax::marker_lines(text),
        cluster: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_lists() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n---\nnot: kubernetes\n";
        let Outcome::Manifests(m) = parse(text, false, "m.yaml").unwrap() else {
            panic!("manifests expected");
        };
        let kinds: Vec<(&str, usize)> = m
            .objects
            .iter()
            .map(|o| (o.get("kind").unwrap().as_str().unwrap(), o.line))
            .collect();
        assert_eq!(kinds, [("ConfigMap", 4), ("Deployment", 8)]);
        assert!(matches!(
            parse("name: pkg\n", false, "x.yaml").unwrap(),
            Outcome::NotManifests
        ));
        assert!(matches!(
            parse(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n  x: {{ a",
                false,
                "t.yaml"
            )
            .unwrap(),
            Outcome::Unrendered(_)
        ));
    }
}
