//! The Bicep grammar (tree-sitter-grammars' `tree-sitter-bicep`) and what a syntax error looks
//! like in a report: the line of the first node the grammar could not place.

use crate::diag::{Code, Diagnostic};

/// Deeper syntax trees are refused before anything walks them recursively (the compiler
/// recurses over values and nested resources; a hostile file must not exhaust the stack).
/// Real templates nest a few dozen levels at most.
const MAX_NESTING: usize = 400;

/// The depth of the syntax tree, walked without recursion.
fn depth(tree: &tree_sitter::Tree) -> usize {
    let mut cursor = tree.walk();
    let (mut depth, mut deepest) = (0usize, 0usize);
    loop {
        deepest = deepest.max(depth);
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return deepest;
            }
            depth -= 1;
        }
    }
}

/// At most this many unreadable places are reported per file.
const MAX_ERRORS: usize = 20;

/// Parses Bicep text. Where the grammar cannot read a construct (a syntax error, or Bicep
/// newer than the grammar: compile-time imports, spreads, typed variables), the tree holds an
/// error node there: each is an error entry at its line (exit 3: nothing unread may pass), and
/// the rest of the file is still read.
pub fn parse(text: &str) -> Result<(tree_sitter::Tree, Vec<Diagnostic>), Diagnostic> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_bicep::LANGUAGE.into())
        .map_err(|e| Diagnostic::new(Code::Internal, 0, format!("Bicep grammar: {e}")))?;
    let tree = parser
        .parse(text, None)
        .ok_or_else(|| Diagnostic::new(Code::Internal, 0, "the Bicep parser gave no tree"))?;
    let depth = depth(&tree);
    if depth > MAX_NESTING {
        return Err(Diagnostic::new(
            Code::TooDeep,
            0,
            format!("Bicep nested {depth} levels deep, more than the {MAX_NESTING} residency reads safely"),
        ));
    }
    let errors = if tree.root_node().has_error() {
        errors(tree.root_node(), text)
    } else {
        Vec::new()
    };
    Ok((tree, errors))
}

/// Every outermost error or missing node, as an error entry.
fn errors(root: tree_sitter::Node, text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if found.len() >= MAX_ERRORS {
            break;
        }
        let line = node.start_position().row + 1;
        if node.is_missing() {
            found.push(Diagnostic::new(
                Code::Syntax,
                line,
                format!(
                    "invalid Bicep: expected `{}`; the rest of the file is read",
                    node.kind()
                ),
            ));
            continue;
        }
        if node.is_error() {
            let written: String = text
                .get(node.byte_range())
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(60)
                .collect();
            found.push(Diagnostic::new(
                Code::Syntax,
                line,
                format!(
                    "invalid Bicep, or Bicep newer than residency's grammar (tree-sitter-bicep {GRAMMAR}): `{written}` is not read; the rest of the file is"
                ),
            ));
            continue;
        }
        if node.has_error() {
            let children: Vec<_> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    found
}

/// The grammar's version, for messages.
const GRAMMAR: &str = "1.1";

/// Bicep newer than the grammar, rewritten to what it reads without moving any line or column
/// (every change replaces characters by spaces): the type of a typed variable (`var name
/// string = ...`, Bicep 0.29), which changes nothing a deployment does, and a one-line
/// `extension NAME` declaration (the extensibility providers, Microsoft Graph or Kubernetes;
/// their resources are read like any other and are not Azure places).
pub fn normalize(text: &str) -> String {
    static TYPED_VAR: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static EXTENSION: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let typed_var = TYPED_VAR.get_or_init(|| {
        regex::Regex::new(
            r"^(\s*var\s+[A-Za-z_][A-Za-z0-9_]*\s+)([A-Za-z_][A-Za-z0-9_.]*(?:\[\])?\??)(\s*=)",
        )
        .expect("a valid pattern")
    });
    let extension = EXTENSION.get_or_init(|| {
        regex::Regex::new(
            r"^\s*extension\s+[A-Za-z_][A-Za-z0-9_]*(\s+as\s+[A-Za-z_][A-Za-z0-9_]*)?\s*(//.*)?$",
        )
        .expect("a valid pattern")
    });
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix("\r\n") {
            Some(b) => (b, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            },
        };
        if extension.is_match(body) {
            out.push_str(&" ".repeat(body.len()));
        } else if let Some(c) = typed_var.captures(body) {
            let kind = c.get(2).expect("group 2");
            out.push_str(&body[..kind.start()]);
            out.push_str(&" ".repeat(kind.len()));
            out.push_str(&body[kind.end()..]);
        } else {
            out.push_str(body);
        }
        out.push_str(end);
    }
    out
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
    fn a_syntax_error_names_its_line_and_the_rest_is_read() {
        let (tree, errors) =
            parse("param a string\nvar b = {\n  ...a\n}\nparam c string\n").unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].code, Code::Syntax);
        assert_eq!(errors[0].line, 3, "{errors:?}");
        assert!(tree.root_node().child_count() >= 2);
        assert!(parse("param a string = 'x'\n").unwrap().1.is_empty());
    }

    #[test]
    fn typed_variables_and_extensions_keep_their_places() {
        let text = "extension microsoftGraphV1\r\nvar names string[] = [\n  'a'\n]\nvar plain = 'x'\nvar maybe string? = null\n";
        let normal = normalize(text);
        assert_eq!(normal.len(), text.len());
        assert_eq!(normal.lines().count(), text.lines().count());
        assert!(normal.starts_with(&format!("{}\r\nvar names          = [", " ".repeat(26))));
        assert!(normal.contains("var plain = 'x'\nvar maybe         = null"));
        assert!(parse(&normal).unwrap().1.is_empty());
        assert!(
            !parse(text).unwrap().1.is_empty(),
            "the grammar itself does not read them"
        );
    }

    #[test]
    fn deep_nesting_is_refused_before_it_is_walked() {
        let deep = format!("var x = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.code, Code::TooDeep);
        let fine = format!("var x = {}1{}\n", "[".repeat(50), "]".repeat(50));
        assert!(parse(&fine).is_ok());
    }
}
