//! A document tree that remembers the line of every node, loaded from JSON (jsonc-parser) or YAML
//! (saphyr-parser). CloudFormation's YAML short-form tags (`!Ref x`, `!GetAtt a.b`, `!Sub ...`)
//! become the same long-form maps (`{"Ref": "x"}`, `{"Fn::GetAtt": ["a", "b"]}`) that JSON
//! templates use, so everything after parsing sees one shape.

use crate::diag::{Code, Diagnostic};
use compact_str::ToCompactString;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line where the node starts.
    pub line: usize,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The JSON name of the node's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Number(_) => "a number",
            NodeKind::String(_) => "a string",
            NodeKind::Seq(_) => "an array",
            NodeKind::Map(_) => "an object",
        }
    }

    /// Checks that `key`, when present, is an object (`want_map`) or an array: a document of
    /// the right kind with the wrong shape is an error entry, never an empty deployment.
    pub fn expect(
        &self,
        key: &str,
        want_map: bool,
        place: &str,
    ) -> Result<(), crate::diag::Diagnostic> {
        let Some(node) = self.get(key) else {
            return Ok(());
        };
        let fits = match node.kind {
            NodeKind::Map(_) => want_map,
            NodeKind::Seq(_) => !want_map,
            _ => false,
        };
        if fits {
            return Ok(());
        }
        Err(Diagnostic::new(
            Code::Shape,
            node.line,
            format!(
                "{place}\"{key}\" must be {}, not {}",
                if want_map { "an object" } else { "an array" },
                node.kind_name()
            ),
        ))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Node)] {
        match &self.kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        }
    }

    /// The line of the last value inside this node: where a resource's body ends.
    pub fn last_line(&self) -> usize {
        match &self.kind {
            NodeKind::Seq(items) => items.last().map_or(self.line, Node::last_line),
            NodeKind::Map(entries) => entries.last().map_or(self.line, |(_, v)| v.last_line()),
            _ => self.line,
        }
    }
}

/// Maps byte offsets to 1-based line numbers.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Deepest nesting accepted; deeper documents are hostile or broken and are refused rather than
/// risking the stack.
pub const MAX_DEPTH: usize = 200;

/// A JSON document as RFC 8259 defines it.
pub fn load_json(text: &str) -> Result<Node, Diagnostic> {
    load_json_with(text, false)
}

/// A JSON document that may have `//` and `/* */` comments and trailing commas, as the Azure
/// Resource Manager deployment engine accepts in templates and parameter files.
pub fn load_json_with_comments(text: &str) -> Result<Node, Diagnostic> {
    load_json_with(text, true)
}

fn load_json_with(text: &str, comments: bool) -> Result<Node, Diagnostic> {
    use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};
    let lines = LineIndex::new(text);
    let strict = ParseOptions {
        allow_comments: comments,
        allow_loose_object_property_names: false,
        allow_trailing_commas: comments,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    if let Some(line) = json_too_deep(text) {
        return Err(Diagnostic::new(
            Code::TooDeep,
            line,
            format!("JSON nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let parsed = parse_to_ast(text, &CollectOptions::default(), &strict).map_err(|e| {
        Diagnostic::new(
            Code::Syntax,
            e.line_display(),
            format!("invalid JSON: {}", e.kind()),
        )
    })?;
    match parsed.value {
        Some(value) => Ok(json_node(&value, &lines)),
        None => Err(Diagnostic::new(Code::Syntax, 1, "empty JSON document")),
    }
}

/// Line of the first bracket that opens more than `MAX_DEPTH` levels, ignoring strings.
fn json_too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped, mut line) = (0usize, false, false, 1usize);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
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
            '{' | '[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(line);
                }
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn json_node(value: &jsonc_parser::ast::Value, lines: &LineIndex) -> Node {
    use jsonc_parser::ast::Value as J;
    let (start, kind) = match value {
        J::StringLit(s) => (s.range.start, NodeKind::String(s.value.to_string())),
        J::NumberLit(n) => (
            n.range.start,
            NodeKind::Number(n.value.parse().unwrap_or(0.0)),
        ),
        J::BooleanLit(b) => (b.range.start, NodeKind::Bool(b.value)),
        J::NullKeyword(n) => (n.range.start, NodeKind::Null),
        J::Array(a) => (
            a.range.start,
            NodeKind::Seq(a.elements.iter().map(|e| json_node(e, lines)).collect()),
        ),
        J::Object(o) => (
            o.range.start,
            NodeKind::Map(
                o.properties
                    .iter()
                    .map(|p| {
                        let mut node = json_node(&p.value, lines);
                        // A property's line is where its key is written.
                        node.line = lines.line(p.range.start);
                        (p.name.as_str().to_string(), node)
                    })
                    .collect(),
            ),
        ),
    };
    Node {
        line: lines.line(start),
        kind,
    }
}

/// Loads every document of a YAML stream. saphyr-parser reads it first; where it refuses a
/// document that libyaml accepts (a quoted scalar or flow sequence continued at its key's
/// indentation, which kubectl, the AWS CLI, PyYAML and go-yaml read), libyaml-safer, a port of
/// libyaml, reads it again. A document both refuse is reported with saphyr's error.
pub fn load_yaml(text: &str) -> Result<Vec<Node>, Diagnostic> {
    let mut builder = YamlBuilder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(parsed) => parsed,
            Err(e) => {
                let error = Diagnostic::new(
                    Code::Syntax,
                    e.marker().line(),
                    format!("invalid YAML: {}", e.info()),
                );
                return match load_yaml_as_libyaml(text) {
                    Some(documents) => documents,
                    None => Err(error),
                };
            }
        };
        builder.push(event, span)?;
    }
    Ok(builder.documents)
}

/// The documents as libyaml reads them: `None` when libyaml refuses the text too; limits
/// (depth, alias expansion) apply as with saphyr. The port still panics on a few malformed
/// inputs (`TODO` branches); such a panic is a refusal, caught here and kept off standard error.
fn load_yaml_as_libyaml(text: &str) -> Option<Result<Vec<Node>, Diagnostic>> {
    quiet_libyaml_panics();
    let read = |text: &str| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| libyaml_documents(text))).ok()
    };
    match read(text) {
        Some(documents) => documents,
        // libyaml expects a final line break; the port panics at the end of some inputs
        // without one.
        None if !text.ends_with('\n') => read(&format!("{text}\n")).flatten(),
        None => None,
    }
}

/// Keeps panics raised inside libyaml-safer (caught by `load_yaml_as_libyaml`) off standard
/// error; every other panic goes to the hook that was installed before.
fn quiet_libyaml_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_libyaml = info
                .location()
                .is_some_and(|l| l.file().contains("libyaml-safer"));
            if !in_libyaml {
                previous(info);
            }
        }));
    });
}

fn libyaml_documents(text: &str) -> Option<Result<Vec<Node>, Diagnostic>> {
    use libyaml_safer::{EventData, ScalarStyle as Style};
    use saphyr_parser::{Marker, Tag};
    use std::borrow::Cow;
    let mut parser = libyaml_safer::Parser::new();
    parser.set_input(text.as_bytes());
    let mut builder = YamlBuilder::default();
    let mut anchors: crate::hash::HashMap<String, usize> = Default::default();
    let anchor_id = |name: Option<String>, anchors: &mut crate::hash::HashMap<String, usize>| {
        name.map_or(0, |n| {
            let next = anchors.len() + 1;
            *anchors.entry(n).or_insert(next)
        })
    };
    let tag = |t: Option<String>| {
        t.map(|suffix| {
            Cow::Owned(Tag {
                handle: String::new(),
                suffix,
            })
        })
    };
    for event in parser {
        let event = event.ok()?;
        let line = event.start_mark.line as usize + 1;
        let marker = Marker::new(event.start_mark.index as usize, line, 0);
        let span = Span::new(marker, marker);
        let converted = match event.data {
            EventData::Scalar {
                anchor,
                tag: t,
                value,
                style,
                ..
            } => Event::Scalar(
                Cow::Owned(value),
                match style {
                    Style::SingleQuoted => ScalarStyle::SingleQuoted,
                    Style::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    Style::Literal => ScalarStyle::Literal,
                    Style::Folded => ScalarStyle::Folded,
                    _ => ScalarStyle::Plain,
                },
                anchor_id(anchor, &mut anchors),
                tag(t),
            ),
            EventData::SequenceStart { anchor, tag: t, .. } => {
                Event::SequenceStart(anchor_id(anchor, &mut anchors), tag(t))
            }
            EventData::MappingStart { anchor, tag: t, .. } => {
                Event::MappingStart(anchor_id(anchor, &mut anchors), tag(t))
            }
            EventData::SequenceEnd => Event::SequenceEnd,
            EventData::MappingEnd => Event::MappingEnd,
            EventData::Alias { anchor } => match anchors.get(&anchor) {
                Some(id) => Event::Alias(*id),
                None => Event::Alias(usize::MAX),
            },
            EventData::DocumentEnd { .. } => Event::DocumentEnd,
            EventData::DocumentStart { implicit, .. } => Event::DocumentStart(!implicit),
            EventData::StreamStart { .. } => Event::StreamStart,
            EventData::StreamEnd => Event::StreamEnd,
        };
        if let Err(e) = builder.push(converted, span) {
            return Some(Err(e));
        }
    }
    Some(Ok(builder.documents))
}

enum Frame {
    Seq {
        line: usize,
        tag: Option<String>,
        items: Vec<Node>,
        anchor: usize,
    },
    Map {
        line: usize,
        tag: Option<String>,
        entries: Vec<(String, Node)>,
        /// A key waiting for its value, with the key's line.
        pending_key: Option<(String, usize)>,
        anchor: usize,
    },
}

#[derive(Default)]
struct YamlBuilder {
    stack: Vec<Frame>,
    documents: Vec<Node>,
    anchors: crate::hash::HashMap<usize, Node>,
    /// Nodes produced through aliases; bounded so that "billion laughs" documents are refused.
    expanded: usize,
    /// Bytes of text produced through aliases: one large scalar aliased many times is the same
    /// attack with few nodes.
    expanded_bytes: usize,
}

const MAX_ALIAS_EXPANSION: usize = 10_000;
const MAX_ALIAS_BYTES: usize = 16 << 20;

impl YamlBuilder {
    fn push(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        let line = span.start.line();
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let node = Node {
                    line,
                    kind: yaml_scalar(&text, style, tag.as_deref()),
                };
                let node = apply_tag(node, tag.as_deref());
                self.complete(node, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(
                    Frame::Seq {
                        line,
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                        items: Vec::new(),
                        anchor,
                    },
                    line,
                )?;
            }
            Event::MappingStart(anchor, tag) => {
                self.open(
                    Frame::Map {
                        line,
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                        entries: Vec::new(),
                        pending_key: None,
                        anchor,
                    },
                    line,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        line,
                        tag,
                        items,
                        anchor,
                    }) => (
                        apply_tag(
                            Node {
                                line,
                                kind: NodeKind::Seq(items),
                            },
                            tag.as_deref(),
                        ),
                        anchor,
                    ),
                    Some(Frame::Map {
                        line,
                        tag,
                        entries,
                        anchor,
                        ..
                    }) => (
                        apply_tag(
                            Node {
                                line,
                                kind: NodeKind::Map(entries),
                            },
                            tag.as_deref(),
                        ),
                        anchor,
                    ),
                    None => return Ok(()),
                };
                self.complete(node, anchor)?;
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or(Diagnostic::new(
                    Code::Syntax,
                    line,
                    "YAML alias refers to an unknown anchor",
                ))?;
                self.expanded += count_nodes(&node);
                self.expanded_bytes = self.expanded_bytes.saturating_add(count_bytes(&node));
                if self.expanded > MAX_ALIAS_EXPANSION {
                    return Err(Diagnostic::new(
                        Code::TooLarge,
                        line,
                        "YAML aliases expand to too many nodes",
                    ));
                }
                if self.expanded_bytes > MAX_ALIAS_BYTES {
                    return Err(Diagnostic::new(
                        Code::TooLarge,
                        line,
                        format!(
                            "YAML aliases expand to more than {} MiB of text",
                            MAX_ALIAS_BYTES >> 20
                        ),
                    ));
                }
                self.complete(node, 0)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, line: usize) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::new(
                Code::TooDeep,
                line,
                format!("YAML nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let key = match &node.kind {
                        NodeKind::String(s) => s.clone(),
                        NodeKind::Number(n) => crate::value::format_number(*n),
                        NodeKind::Bool(b) => b.to_string(),
                        NodeKind::Null => "null".to_string(),
                        _ => {
                            return Err(Diagnostic::new(
                                Code::Shape,
                                node.line,
                                "a YAML mapping key must be a scalar",
                            ))
                        }
                    };
                    *pending_key = Some((key, node.line));
                }
                Some((key, key_line)) => {
                    let mut node = node;
                    // A value's line is where its key is written, as users read it.
                    node.line = key_line;
                    // `<<: *anchor` merges the anchored map's entries.
                    if key == "<<" {
                        if let NodeKind::Map(merged) = node.kind {
                            for (k, v) in merged {
                                if !entries.iter().any(|(e, _)| *e == k) {
                                    entries.push((k, v));
                                }
                            }
                            return Ok(());
                        }
                    }
                    entries.push((key, node));
                }
            },
        }
        Ok(())
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        NodeKind::Seq(items) => items.iter().map(count_nodes).sum(),
        NodeKind::Map(entries) => entries.iter().map(|(_, v)| count_nodes(v)).sum(),
        _ => 0,
    }
}

/// Bytes of text (strings and keys) in a node.
fn count_bytes(node: &Node) -> usize {
    match &node.kind {
        NodeKind::String(s) => s.len(),
        NodeKind::Seq(items) => items.iter().map(count_bytes).sum(),
        NodeKind::Map(entries) => entries.iter().map(|(k, v)| k.len() + count_bytes(v)).sum(),
        _ => 0,
    }
}

fn yaml_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> NodeKind {
    if style != ScalarStyle::Plain || tag.is_some_and(|t| t.starts_with('!') && t != "!!null") {
        return NodeKind::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        _ => match text.parse::<f64>() {
            // Keep text that only looks numeric in another form (account ids with leading zeros).
            Ok(n) if !text.starts_with('0') || text == "0" || text.starts_with("0.") => {
                NodeKind::Number(n)
            }
            _ => NodeKind::String(text.to_string()),
        },
    }
}

/// Turns a CloudFormation short-form tag into its long form.
fn apply_tag(node: Node, tag: Option<&str>) -> Node {
    let Some(tag) = tag else { return node };
    let Some(name) = tag.strip_prefix('!') else {
        return node;
    };
    if name.starts_with('!') || name.is_empty() {
        return node; // core schema tags such as !!str
    }
    let line = node.line;
    let (key, value) = match name {
        "Ref" => ("Ref".to_string(), node),
        "Condition" => ("Condition".to_string(), node),
        "GetAtt" => {
            // `!GetAtt Res.Attr` is the scalar form of `Fn::GetAtt: [Res, Attr]`.
            let value = match &node.kind {
                NodeKind::String(s) => match s.split_once('.') {
                    Some((res, attr)) => Node {
                        line,
                        kind: NodeKind::Seq(vec![
                            Node {
                                line,
                                kind: NodeKind::String(res.to_string()),
                            },
                            Node {
                                line,
                                kind: NodeKind::String(attr.to_string()),
                            },
                        ]),
                    },
                    None => node,
                },
                _ => node,
            };
            ("Fn::GetAtt".to_string(), value)
        }
        other => (format!("Fn::{other}"), node),
    };
    Node {
        line,
        kind: NodeKind::Map(vec![(key, value)]),
    }
}

/// A literal document node as a value (no intrinsic functions evaluated).
pub fn node_value(node: &Node) -> crate::value::Value {
    match &node.kind {
        NodeKind::Null => crate::value::Value::Null,
        NodeKind::Bool(b) => crate::value::Value::Bool(*b),
        NodeKind::Number(n) => crate::value::Value::Number(*n),
        NodeKind::String(s) => crate::value::Value::String(s.to_compact_string()),
        NodeKind::Seq(items) => crate::value::Value::List(items.iter().map(node_value).collect()),
        NodeKind::Map(entries) => crate::value::Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().into(), node_value(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_that_libyaml_accepts_is_read_and_what_it_panics_on_is_an_error() {
        // Continued at the key's indentation: saphyr refuses, libyaml reads.
        let docs = load_yaml("a:\n  b: 'one\n  two'\n").unwrap();
        assert_eq!(
            docs[0]
                .get("a")
                .and_then(|a| a.get("b"))
                .and_then(Node::as_str),
            Some("one two")
        );
        // A block scalar at its key's indentation (PyYAML: `{'zin': '\n$'}`); the port panics
        // on it without a final line break, so it is read with one (and keeps it).
        let docs = load_yaml("zin:\n|\n \n $").unwrap();
        assert_eq!(docs[0].get("zin").and_then(Node::as_str), Some("\n$\n"));
        // An input the port panics on (a `TODO` branch) is a refusal, with saphyr's error.
        assert!(load_yaml("{\ny {!aV,ersion: apps/v1\nk{!apiV: i").is_err());
    }

    #[test]
    fn yaml_short_tags_become_long_form() {
        let docs = load_yaml("a: !Ref Region\nb: !GetAtt Bucket.Arn\nc: !Sub 'x-${AWS::Region}'\n")
            .unwrap();
        let doc = &docs[0];
        assert_eq!(
            doc.get("a").unwrap().get("Ref").unwrap().as_str(),
            Some("Region")
        );
        let getatt = doc.get("b").unwrap().get("Fn::GetAtt").unwrap();
        assert!(matches!(&getatt.kind, NodeKind::Seq(items) if items.len() == 2));
        assert_eq!(doc.get("c").unwrap().line, 3);
        assert!(doc.get("c").unwrap().get("Fn::Sub").is_some());
    }

    #[test]
    fn json_lines_are_key_lines() {
        let node = load_json("{\n  \"a\": {\n    \"b\": 1\n  }\n}").unwrap();
        assert_eq!(node.get("a").unwrap().line, 2);
        assert_eq!(node.get("a").unwrap().get("b").unwrap().line, 3);
    }

    #[test]
    fn bad_inputs_are_errors_with_lines() {
        let err = load_json("{\n \"a\": [1,\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        let err = load_yaml("a: [1, 2\nb: c: d\n").unwrap_err();
        assert!(err.line >= 1);
        let deep = "[".repeat(10_000);
        assert!(load_json(&deep).is_err());
        let deep_yaml = "[".repeat(10_000);
        assert!(load_yaml(&deep_yaml).is_err());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            doc.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        assert!(load_yaml(&doc).is_err());
    }
}
