//! The Bicep grammar (tree-sitter-grammars' `tree-sitter-bicep`) and what a syntax error looks
//! like in a report: the line of the first node the grammar could not place.

use crate::diag::{Code, Diagnostic};

/// Parses Bicep text; a text with a syntax error is an error entry at its line (a template
/// Bicep cannot build is not deployed, and nothing in it may silently pass).
pub fn parse(text: &str) -> Result<tree_sitter::Tree, Diagnostic> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_bicep::LANGUAGE.into())
        .map_err(|e| Diagnostic::new(Code::Internal, 0, format!("Bicep grammar: {e}")))?;
    let tree = parser
        .parse(text, None)
        .ok_or_else(|| Diagnostic::new(Code::Internal, 0, "the Bicep parser gave no tree"))?;
    if tree.root_node().has_error() {
        let (line, what) = first_error(tree.root_node(), text);
        return Err(Diagnostic::new(
            Code::Syntax,
            line,
            format!("invalid Bicep: {what}"),
        ));
    }
    Ok(tree)
}

/// A `.bicepparam` text in the shape the grammar reads: its assignments `param name = value`
/// (which the grammar, written for templates, wants typed) as `var   name = value`, the same
/// length, so every line and column stays where it was.
pub fn params_as_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let rest = &line[indent..];
        match rest.strip_prefix("param") {
            Some(after) if after.starts_with([' ', '\t']) => {
                out.push_str(&line[..indent]);
                out.push_str("var  ");
                out.push_str(after);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The line of the first error or missing node, and what is there.
fn first_error(root: tree_sitter::Node, text: &str) -> (usize, String) {
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_missing() {
            return (
                node.start_position().row + 1,
                format!("expected `{}`", node.kind()),
            );
        }
        if node.is_error() {
            let found: String = text
                .get(node.byte_range())
                .unwrap_or_default()
                .chars()
                .take(40)
                .collect();
            return (
                node.start_position().row + 1,
                format!("unexpected `{}`", found.trim()),
            );
        }
        if node.has_error() {
            let children: Vec<_> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    (root.start_position().row + 1, "syntax error".to_string())
}

/// The text of a node.
pub fn text<'t>(node: tree_sitter::Node, source: &'t str) -> &'t str {
    source.get(node.byte_range()).unwrap_or_default()
}

/// The 1-based line a node starts on.
pub fn line(node: tree_sitter::Node) -> usize {
    node.start_position().row + 1
}

/// The named children of a node that are not comments.
pub fn named_children(node: tree_sitter::Node) -> Vec<tree_sitter::Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| !matches!(c.kind(), "comment" | "diagnostic_comment"))
        .collect()
}

/// The first named child of the given kind.
pub fn child_of_kind<'t>(node: tree_sitter::Node<'t>, kind: &str) -> Option<tree_sitter::Node<'t>> {
    named_children(node).into_iter().find(|c| c.kind() == kind)
}

/// Whether the node has an anonymous child token with this text (`existing`).
pub fn has_token(node: tree_sitter::Node, token: &str) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|c| !c.is_named() && c.kind() == token);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_names_its_line() {
        let e = parse("param a string\nresource x 'T@1' = {\n  name: \n").unwrap_err();
        assert_eq!(e.code, Code::Syntax);
        assert!(e.line >= 2, "{e:?}");
        assert!(parse("param a string = 'x'\n").is_ok());
    }
}
