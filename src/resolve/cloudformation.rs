use crate::parse::tree::{Node, NodeKind};
use crate::value::Value;

/// A literal document node as a value (no intrinsic functions evaluated).
pub fn node_value(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Number(n) => Value::Number(*n),
        NodeKind::String(s) => Value::String(s.clone()),
        NodeKind::Seq(items) => Value::List(items.iter().map(node_value).collect()),
        NodeKind::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), node_value(v)))
                .collect(),
        ),
    }
}
