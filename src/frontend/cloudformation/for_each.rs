//! `Fn::ForEach` of the `AWS::LanguageExtensions` transform, expanded as CloudFormation does
//! before deploying: a resource key `Fn::ForEach::Name` holding `[Identifier, Collection,
//! {OutputKey: Body}]` becomes one resource per element of the collection, with `${Identifier}`
//! and `&{Identifier}` (alphanumerics only) replaced in the output key and in strings, and
//! `{"Ref": "Identifier"}` replaced by the element. The collection is a list, or a `Ref` to a
//! `CommaDelimitedList` parameter's default. Nested loops expand in turn.
//!
//! Source: AWS CloudFormation User Guide, "Fn::ForEach" (intrinsic-function-reference-foreach).

use crate::syntax::tree::{Node, NodeKind};

/// Loops nested deeper than this are left as they are (and reported as resources without a
/// `Type` by the caller).
const MAX_NESTING: usize = 8;
/// Resources one template may expand into.
const MAX_EXPANDED: usize = 10_000;

/// The resource entries of a template with every `Fn::ForEach::*` key expanded.
pub fn expand(entries: &[(String, Node)], parameters: Option<&Node>) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    expand_into(entries, parameters, 0, &mut out);
    out
}

fn expand_into(
    entries: &[(String, Node)],
    parameters: Option<&Node>,
    depth: usize,
    out: &mut Vec<(String, Node)>,
) {
    for (key, body) in entries {
        if out.len() >= MAX_EXPANDED {
            return;
        }
        let loop_parts = match &body.kind {
            NodeKind::Seq(items) if key.starts_with("Fn::ForEach::") && items.len() == 3 => {
                Some(items)
            }
            _ => None,
        };
        let (Some(items), true) = (loop_parts, depth < MAX_NESTING) else {
            out.push((key.clone(), body.clone()));
            continue;
        };
        let (Some(identifier), Some(values)) =
            (items[0].as_str(), collection(&items[1], parameters))
        else {
            out.push((key.clone(), body.clone()));
            continue;
        };
        for value in values {
            let expanded: Vec<(String, Node)> = items[2]
                .entries()
                .iter()
                .map(|(k, v)| {
                    (
                        replace_text(k, identifier, &value),
                        substitute(v, identifier, &value),
                    )
                })
                .collect();
            expand_into(&expanded, parameters, depth + 1, out);
        }
    }
}

/// The elements of a loop's collection: a list of strings, or a `Ref` to a parameter whose
/// default is a comma-delimited list (or a list).
fn collection(node: &Node, parameters: Option<&Node>) -> Option<Vec<String>> {
    match &node.kind {
        NodeKind::Seq(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        NodeKind::Map(_) => {
            let name = node.get("Ref")?.as_str()?;
            let default = parameters?.get(name)?.get("Default")?;
            match &default.kind {
                NodeKind::String(s) => Some(s.split(',').map(|p| p.trim().to_string()).collect()),
                NodeKind::Seq(_) => collection(default, None),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `${Identifier}` replaced by the value, `&{Identifier}` by its alphanumeric characters.
fn replace_text(text: &str, identifier: &str, value: &str) -> String {
    let alnum: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
    text.replace(&format!("${{{identifier}}}"), value)
        .replace(&format!("&{{{identifier}}}"), &alnum)
}

/// A loop body with the identifier replaced by one element.
fn substitute(node: &Node, identifier: &str, value: &str) -> Node {
    let kind = match &node.kind {
        NodeKind::Map(entries)
            if entries.len() == 1
                && entries[0].0 == "Ref"
                && entries[0].1.as_str() == Some(identifier) =>
        {
            NodeKind::String(value.to_string())
        }
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        replace_text(k, identifier, value),
                        substitute(v, identifier, value),
                    )
                })
                .collect(),
        ),
        NodeKind::Seq(items) => NodeKind::Seq(
            items
                .iter()
                .map(|i| substitute(i, identifier, value))
                .collect(),
        ),
        NodeKind::String(s) => NodeKind::String(replace_text(s, identifier, value)),
        other => other.clone(),
    };
    Node {
        line: node.line,
        kind,
    }
}
