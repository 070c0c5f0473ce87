//! Terraform HCL (`.tf`, via hcl-edit, which keeps byte spans) and Terraform JSON (`.tf.json`)
//! into top-level blocks. Block bodies are kept as `hcl::Body` expressions; the resolver
//! evaluates them with the module's variables, locals and providers.

use super::tree::{self, LineIndex, Node, NodeKind};
use super::ParseError;
use hcl::{Body, Expression};
use hcl_edit::Span;

#[derive(Debug, Clone)]
pub struct TfFile {
    pub display: String,
    pub blocks: Vec<TfBlock>,
    /// Lines with a suppression comment, by 1-based number (see `parse::marker_lines`).
    pub lines: Vec<(usize, String)>,
}

/// A top-level block: `resource "aws_s3_bucket" "x" { ... }`, `variable "region" { ... }`, ...
#[derive(Debug, Clone)]
pub struct TfBlock {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub line: usize,
    pub end_line: usize,
}

pub fn parse_hcl(text: &str, display: &str) -> Result<TfFile, ParseError> {
    if let Some(line) = too_deep(text) {
        return Err(ParseError {
            line,
            message: format!("HCL nested more than {} levels deep", tree::MAX_DEPTH),
        });
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|e| ParseError {
        line: e.location().line(),
        message: format!("invalid HCL: {}", e.message()),
    })?;
    let lines = LineIndex::new(text);
    let mut blocks = Vec::new();
    for structure in body {
        let hcl_edit::structure::Structure::Block(block) = structure else {
            continue; // top-level attributes are not valid Terraform; nothing to read there
        };
        let span = block.span().unwrap_or(0..0);
        blocks.push(TfBlock {
            kind: block.ident.as_str().to_string(),
            labels: block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
            body: Body::from(block.body),
            line: lines.line(span.start),
            end_line: lines.line(span.end.saturating_sub(1)),
        });
    }
    Ok(TfFile {
        display: display.to_string(),
        blocks,
        lines: super::marker_lines(text),
    })
}

/// Line where brackets outside strings open more than `MAX_DEPTH` levels: the HCL parser
/// recurses, and a hostile file must not exhaust the stack.
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut line, mut in_string, mut escaped) = (0usize, 1usize, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            in_string = false;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > tree::MAX_DEPTH {
                    return Some(line);
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Terraform's JSON syntax: `{"resource": {"TYPE": {"NAME": {...}}}, "variable": {...}, ...}`.
pub fn parse_json(text: &str, display: &str) -> Result<TfFile, ParseError> {
    let root = tree::load_json(text)?;
    let NodeKind::Map(sections) = &root.kind else {
        return Err(ParseError {
            line: root.line,
            message: "a Terraform JSON file must hold an object".into(),
        });
    };
    let mut blocks = Vec::new();
    for (kind, section) in sections {
        match kind.as_str() {
            "resource" | "data" => {
                for (rtype, named) in section.entries() {
                    for (name, body) in named.entries() {
                        for body in each_object(body) {
                            blocks.push(json_block(kind, vec![rtype.clone(), name.clone()], body));
                        }
                    }
                }
            }
            "variable" | "module" | "output" | "provider" => {
                for (name, body) in section.entries() {
                    for body in each_object(body) {
                        blocks.push(json_block(kind, vec![name.clone()], body));
                    }
                }
            }
            "locals" | "terraform" => {
                for body in each_object(section) {
                    blocks.push(json_block(kind, Vec::new(), body));
                }
            }
            _ => {}
        }
    }
    Ok(TfFile {
        display: display.to_string(),
        blocks,
        lines: super::marker_lines(text),
    })
}

fn each_object(node: &Node) -> Vec<&Node> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    }
}

fn json_block(kind: &str, labels: Vec<String>, body: &Node) -> TfBlock {
    let attrs = body
        .entries()
        .iter()
        .map(|(k, v)| hcl::Attribute::new(k.as_str(), json_expr(v)));
    TfBlock {
        kind: kind.to_string(),
        labels,
        body: Body::from_iter(attrs),
        line: body.line,
        end_line: body.last_line(),
    }
}

/// JSON values become HCL expressions; strings with `${...}` are templates, as Terraform reads them.
fn json_expr(node: &Node) -> Expression {
    match &node.kind {
        NodeKind::Null => Expression::Null,
        NodeKind::Bool(b) => Expression::Bool(*b),
        NodeKind::Number(n) => hcl::Number::from_f64(*n)
            .map(Expression::Number)
            .unwrap_or(Expression::Null),
        NodeKind::String(s) if s.contains("${") => {
            Expression::TemplateExpr(Box::new(hcl::TemplateExpr::QuotedString(s.clone())))
        }
        NodeKind::String(s) => Expression::String(s.clone()),
        NodeKind::Seq(items) => Expression::Array(items.iter().map(json_expr).collect()),
        NodeKind::Map(entries) => Expression::Object(
            entries
                .iter()
                .map(|(k, v)| (hcl::ObjectKey::from(k.as_str()), json_expr(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_with_lines() {
        let text = "# mail\nprovider \"aws\" {\n  region = \"eu-west-1\"\n}\n\nresource \"aws_s3_bucket\" \"mail\" {\n  bucket = \"m\"\n}\n";
        let file = parse_hcl(text, "main.tf").unwrap();
        assert_eq!(file.blocks.len(), 2);
        assert_eq!(file.blocks[0].kind, "provider");
        assert_eq!(file.blocks[0].line, 2);
        assert_eq!(file.blocks[0].end_line, 4);
        assert_eq!(file.blocks[1].labels, vec!["aws_s3_bucket", "mail"]);
        assert_eq!(file.blocks[1].line, 6);
    }

    #[test]
    fn malformed_hcl_names_the_line() {
        let err = parse_hcl("resource \"a\" \"b\" {\n  x = \n}\n", "bad.tf").unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        assert!(err.message.contains("expected"));
    }

    #[test]
    fn json_syntax() {
        let text = r#"{
  "resource": {
    "aws_s3_bucket": {
      "mail": { "bucket": "m-${var.env}" }
    }
  }
}"#;
        let file = parse_json(text, "main.tf.json").unwrap();
        assert_eq!(file.blocks[0].labels, vec!["aws_s3_bucket", "mail"]);
        assert_eq!(file.blocks[0].line, 4);
    }
}
