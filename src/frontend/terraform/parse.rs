//! Terraform HCL (`.tf`, via hcl-edit, which keeps byte spans) and Terraform JSON (`.tf.json`)
//! into top-level blocks. Block bodies are kept as `hcl::Body` expressions; the resolver
//! evaluates them with the module's variables, locals and providers.

use crate::diag::{Code, Diagnostic};
use crate::syntax::tree::{self, LineIndex, Node, NodeKind};
use hcl::{Body, Expression};
use hcl_edit::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct TfFile {
    pub display: String,
    pub blocks: Vec<TfBlock>,
    /// Lines with a suppression comment, by 1-based number (see `syntax::marker_lines`).
    /// A boxed slice, so that a `TfFile` with `packed` beside it stays at 72 bytes: at 80,
    /// the 10 MB bench's peak was 3-5 MB higher (four runs each way).
    pub lines: Box<[(usize, String)]>,
    /// Parsed in [`PACKED_PIECES`] pieces or more: the blocks already lie packed in the memory
    /// of the thread that parsed them, and copying them (`Parsed::compacted`) gains nothing.
    pub packed: bool,
}

/// A top-level block: `resource "aws_s3_bucket" "x" { ... }`, `variable "region" { ... }`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct TfBlock {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub line: usize,
    pub end_line: usize,
}

pub fn parse_hcl(text: &str, display: &str) -> Result<TfFile, Diagnostic> {
    let pieces = check_nesting(text, PIECE_BYTES)?;
    if !pieces.is_empty() {
        if let Some(mut file) = parse_in_pieces(text, &pieces, display) {
            file.packed = pieces.len() + 1 >= PACKED_PIECES;
            return Ok(file);
        }
    }
    let exact = parse_hcl_text(text, display);
    if exact.is_ok() {
        return exact;
    }
    // hcl-edit rejects a conditional whose branches are split over lines inside a `for`
    // expression (`k => cond ? a :` newline `b`; reported upstream as martinohmann/hcl-rs#426),
    // which Terraform accepts: newlines inside brackets are not significant there. Retry with
    // such lines joined (line numbers kept); report the original error if that fails too.
    match join_continued_lines(text) {
        Some(joined) => parse_hcl_text(&joined, display).or(exact),
        None => exact,
    }
}

/// The text with every line that ends in an operator that needs an operand (`?`, `:`)
/// joined to the next one, outside heredocs; the removed line break is added after the joined
/// line, so every other line keeps its number. `None` when no line ends so.
fn join_continued_lines(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut heredoc: Option<String> = None;
    let mut pending_breaks = 0;
    let mut changed = false;
    for (i, line) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        let trimmed = line.trim_end();
        if let Some(end) = &heredoc {
            if trimmed.trim_start() == end {
                heredoc = None;
            }
        } else if let Some(at) = trimmed.find("<<") {
            let marker = trimmed[at + 2..].trim_start_matches('-').trim();
            if !marker.is_empty()
                && marker
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                heredoc = Some(marker.to_string());
            }
        }
        out.push_str(line);
        let continues = heredoc.is_none()
            && !last
            && (trimmed.ends_with('?') || (trimmed.ends_with(':') && !trimmed.ends_with("::")))
            && !trimmed.trim_start().starts_with('#')
            && !trimmed.trim_start().starts_with("//");
        if continues {
            out.push(' ');
            pending_breaks += 1;
            changed = true;
        } else if !last {
            out.push('\n');
            for _ in 0..pending_breaks {
                out.push('\n');
            }
            pending_breaks = 0;
        }
    }
    changed.then_some(out)
}

/// Where a number literal is traversed (`10.11.10.12/32` reads as `10.11` `.10` `.12`), which
/// Terraform's parser rejects and hcl-edit accepts: the byte offset of the first.
fn traversed_number(body: &hcl_edit::structure::Body) -> Option<usize> {
    use hcl_edit::visit::{visit_traversal, Visit};
    use hcl_edit::Span;
    struct Finder(Option<usize>);
    impl Visit for Finder {
        fn visit_traversal(&mut self, node: &hcl_edit::expr::Traversal) {
            if self.0.is_none() && matches!(node.expr, hcl_edit::expr::Expression::Number(_)) {
                self.0 = node.span().map(|s| s.start);
            }
            visit_traversal(self, node);
        }
    }
    let mut finder = Finder(None);
    finder.visit_body(body);
    finder.0
}

fn parse_hcl_text(text: &str, display: &str) -> Result<TfFile, Diagnostic> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        Diagnostic::new(
            Code::Syntax,
            e.location().line(),
            format!("invalid HCL: {}", e.message()),
        )
    })?;
    let lines = LineIndex::new(text);
    if let Some(offset) = traversed_number(&body) {
        return Err(Diagnostic::new(
            Code::Syntax,
            lines.line(offset),
            "invalid HCL: a number followed by `.N` (an address such as 10.0.0.0/16 must be quoted)",
        ));
    }
    let mut blocks = Vec::new();
    add_blocks(body, 0, &lines, &mut blocks);
    Ok(TfFile {
        display: display.to_string(),
        blocks,
        lines: crate::syntax::marker_lines(text).into_boxed_slice(),
        packed: false,
    })
}

/// The file parsed piece by piece, each piece a run of whole top-level structures that starts
/// at one of `starts` (from [`check_nesting`]), or `None` when a piece does not parse (or
/// holds a traversed number): the whole file is then parsed at once, so that an error is
/// reported exactly as for any file. A parser's working tree is 27 times its text; parsed
/// whole, a 1.2 MB file built 32 MB of fresh memory, and touching it was a fifth of the
/// parse. Piece by piece, the same few hundred kilobytes serve every piece.
fn parse_in_pieces(text: &str, starts: &[usize], display: &str) -> Option<TfFile> {
    let lines = LineIndex::new(text);
    let mut blocks = Vec::new();
    let ends = starts.iter().copied().chain([text.len()]);
    for (start, end) in std::iter::once(0).chain(starts.iter().copied()).zip(ends) {
        let body = hcl_edit::parser::parse_body(&text[start..end]).ok()?;
        if traversed_number(&body).is_some() {
            return None;
        }
        add_blocks(body, start, &lines, &mut blocks);
    }
    Some(TfFile {
        display: display.to_string(),
        blocks,
        lines: crate::syntax::marker_lines(text).into_boxed_slice(),
        packed: false,
    })
}

/// The top-level blocks of `body`, parsed from the text that starts at byte `offset` of the
/// file `lines` indexes.
fn add_blocks(
    body: hcl_edit::structure::Body,
    offset: usize,
    lines: &LineIndex,
    blocks: &mut Vec<TfBlock>,
) {
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
            line: lines.line(offset + span.start),
            end_line: lines.line((offset + span.end).saturating_sub(1)),
        });
    }
}

/// Every local module source a `.tf` or `.tf.json` text can hold, as written: each quoted
/// text that starts with `./` or `../`, wherever it is (a comment, a heredoc, any attribute),
/// up to its closing quote. More than the file's real calls, never fewer: a module source is
/// a plain string (a text with an interpolation is a template, not a source), and only an
/// escape could spell its `./` differently, so a text that
/// holds an escape that can make one (`\u`, `\U`, JSON's `\/`), or a source with any other
/// escape (`\"`, `$${`) or running past the end of its line, gives `None`: it cannot be read
/// without parsing.
///
/// What it is for: a directory that no text of the scan names this way is called by nobody,
/// so it is a root module, known before anything is parsed (`stream`).
pub fn local_source_candidates(text: &str) -> Option<Vec<&str>> {
    if text.contains("\\u") || text.contains("\\U") || text.contains("\\/") {
        return None;
    }
    let mut found = Vec::new();
    for (at, _) in text.match_indices("\".") {
        let rest = &text[at + 1..];
        if !(rest.starts_with("./") || rest.starts_with("../")) {
            continue;
        }
        let end = rest.find(['"', '\n'])?;
        let source = &rest[..end];
        if rest[end..].starts_with('\n')
            || source.contains('\\')
            || source.contains("$${")
            || source.contains("%%{")
        {
            return None;
        }
        // An interpolation makes a template, which is not a module source.
        if !source.contains("${") && !source.contains("%{") {
            found.push(source);
        }
    }
    Some(found)
}

/// Brackets left open at the end of a file from which the file is refused without parsing:
/// such text is never valid HCL, and it is what makes the parser backtrack for seconds or
/// minutes (chained operators in unclosed parentheses). Counting is exact work, so the same
/// file always gets the same answer, whatever the machine's load.
const MAX_UNCLOSED: usize = 16;

/// The least text a piece of a file is parsed in (see [`parse_in_pieces`]): small enough that a
/// piece's working tree stays within memory the parsing thread already holds, large enough that
/// starting the parser is not noticed.
const PIECE_BYTES: usize = 16 << 10;

/// A file parsed in at least this many pieces keeps its blocks where they were parsed
/// (`TfFile::packed`). Each piece's working memory is reused by the next, so what is left
/// among the blocks is about one piece's (27 times 16 KiB): a tenth of the blocks of a file of
/// 64 pieces (1 MiB), below which copying them is not worth its time (8 files of 1.2 MB:
/// parsing 181 -> 141 ms, the same peak). Files of a few pieces are copied: 2,800 files of
/// 33 KB left uncopied held 757 MB after parsing instead of 420.
const PACKED_PIECES: usize = 64;

/// Checks the nesting of a file before the parser sees it: deeper than `tree::MAX_DEPTH`, or
/// [`MAX_UNCLOSED`] brackets left open at the end, is an error with the line. Strings (with
/// their `${...}` interpolations), comments and heredocs are read as HCL reads them, so a
/// bracket inside them does not count.
///
/// On the way it finds where the file can be parsed in pieces: the starts of lines outside
/// every bracket, string, comment and heredoc, where one top-level structure has ended and the
/// next has not begun; one at least every `piece_bytes` ([`PIECE_BYTES`]), none for a file
/// smaller than that.
fn check_nesting(text: &str, piece_bytes: usize) -> Result<Vec<usize>, Diagnostic> {
    enum Frame {
        Bracket(usize),
        Str,
        Interp,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1usize;
    let mut chars = Scanner { rest: text };
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let too_deep = |line| {
        Diagnostic::new(
            Code::TooDeep,
            line,
            format!("HCL nested more than {} levels deep", tree::MAX_DEPTH),
        )
    };
    loop {
        if stack.is_empty() {
            let at = text.len() - chars.rest.len();
            if at >= piece_start + piece_bytes && at < text.len() && text[..at].ends_with('\n') {
                pieces.push(at);
                piece_start = at;
            }
        }
        let Some(c) = chars.next() else { break };
        if c == '\n' {
            line += 1;
        }
        if matches!(stack.last(), Some(Frame::Str)) {
            match c {
                // An escape takes the next character with it (`\"` does not end the string).
                '\\' if chars.next() == Some('\n') => line += 1,
                '\\' => {}
                '"' | '\n' => {
                    stack.pop();
                }
                '$' | '%' if chars.peek() == Some('{') => {
                    chars.next();
                    stack.push(Frame::Interp);
                }
                _ => {}
            }
            continue;
        }
        match c {
            '#' => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some('/') => skip_line(&mut chars, &mut line),
            '/' if chars.peek() == Some('*') => {
                chars.next();
                let mut previous = ' ';
                while let Some(c) = chars.next() {
                    if c == '\n' {
                        line += 1;
                    }
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
            }
            '"' => stack.push(Frame::Str),
            '<' if chars.peek() == Some('<') => {
                chars.next();
                skip_heredoc(&mut chars, &mut line);
            }
            '(' | '[' | '{' => {
                stack.push(Frame::Bracket(line));
                if stack.len() > tree::MAX_DEPTH {
                    return Err(too_deep(line));
                }
            }
            '}' if matches!(stack.last(), Some(Frame::Interp)) => {
                stack.pop();
            }
            ')' | ']' | '}' if matches!(stack.last(), Some(Frame::Bracket(_))) => {
                stack.pop();
            }
            _ => {}
        }
    }
    let open: Vec<usize> = stack
        .iter()
        .filter_map(|f| match f {
            Frame::Bracket(line) => Some(*line),
            _ => None,
        })
        .collect();
    if open.len() >= MAX_UNCLOSED {
        return Err(Diagnostic::new(
            Code::Syntax,
            open[0],
            format!(
                "invalid HCL: {} brackets are never closed, the first on this line",
                open.len()
            ),
        ));
    }
    Ok(pieces)
}

/// The text not yet read, a character at a time; what has been read is the text before it.
struct Scanner<'t> {
    rest: &'t str,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }
}

fn skip_line(chars: &mut Scanner, line: &mut usize) {
    while let Some(c) = chars.next() {
        if c == '\n' {
            *line += 1;
            return;
        }
    }
}

/// After `<<`: a heredoc (`<<EOT` or `<<-EOT`, the marker alone on its closing line) is
/// skipped whole; anything else (`<<` is not an HCL operator) is left as it is.
fn skip_heredoc(chars: &mut Scanner, line: &mut usize) {
    if chars.peek() == Some('-') {
        chars.next();
    }
    let mut marker = String::new();
    while let Some(c) = chars.peek() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            marker.push(c);
            chars.next();
        } else {
            break;
        }
    }
    if marker.is_empty() || chars.peek() != Some('\n') {
        return;
    }
    let mut current = String::new();
    while let Some(c) = chars.next() {
        if c == '\n' {
            *line += 1;
            if current.trim() == marker {
                return;
            }
            current.clear();
        } else {
            current.push(c);
        }
    }
}

/// Terraform's JSON syntax: `{"resource": {"TYPE": {"NAME": {...}}}, "variable": {...}, ...}`.
pub fn parse_json(text: &str, display: &str) -> Result<TfFile, Diagnostic> {
    let root = tree::load_json(text)?;
    let NodeKind::Map(sections) = &root.kind else {
        return Err(Diagnostic::new(
            Code::Shape,
            root.line,
            "a Terraform JSON file must hold an object",
        ));
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
        lines: crate::syntax::marker_lines(text).into_boxed_slice(),
        packed: false,
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
    fn brackets_in_strings_comments_and_heredocs_do_not_count() {
        let open = "(".repeat(20);
        let text = format!(
            "# {open}\n// {open}\n/* {open}\n*/\nlocals {{\n  a = \"{open}${{join(\"(\", [\"x\"])}}\"\n  b = <<-EOT\n    {open}\n  EOT\n}}\n"
        );
        assert_eq!(check_nesting(&text, PIECE_BYTES), Ok(Vec::new()));
        let unclosed = format!("locals {{\n  a = {}\n", "x == (".repeat(16));
        let err = check_nesting(&unclosed, PIECE_BYTES).unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(
            err.message,
            "invalid HCL: 17 brackets are never closed, the first on this line"
        );
        // A few unclosed brackets are left to the parser, which names the place exactly.
        assert_eq!(
            check_nesting("locals {\n  a = (1\n", PIECE_BYTES),
            Ok(Vec::new())
        );
    }

    /// Parsing in pieces gives what parsing whole gives, or nothing (and the whole file is then
    /// parsed): a piece at every top-level line start, over every `.tf` file of the repository
    /// and text that puts braces, quotes and newlines where a split would go wrong.
    #[test]
    fn pieces_parse_as_the_whole_file() {
        let tricky = concat!(
            "# a comment with { and \" and <<EOT\n",
            "/* a block comment\n}\n\"\nover lines */\n",
            "locals {\n  a = \"}${join(\"}\", [\"{\"])}%{ if true }{%{ endif }\"\n",
            "  b = <<-EOT\n    }\n    resource \"x\" \"y\" {\n  EOT\n  c = \"\\\"{\"\n}\r\n",
            "\n",
            "resource \"aws_s3_bucket\" \"m\" { bucket = \"m\" }\n",
            "variable \"v\" {\n  default = {\n    x = [1,\n 2]\n  }\n}",
        );
        let mut texts = vec![(String::from("tricky.tf"), tricky.to_string())];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in ["tests", "sample-configs"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
                let entry = entry.unwrap();
                if entry.path().extension().is_some_and(|e| e == "tf") {
                    if let Ok(text) = std::fs::read_to_string(entry.path()) {
                        texts.push((entry.path().display().to_string(), text));
                    }
                }
            }
        }
        assert!(texts.len() > 50, "{} files", texts.len());
        let mut split = 0;
        for (name, text) in &texts {
            let Ok(starts) = check_nesting(text, 1) else {
                continue;
            };
            split += usize::from(!starts.is_empty());
            let pieces = parse_in_pieces(text, &starts, name);
            match parse_hcl_text(text, name) {
                Ok(whole) => assert_eq!(pieces.as_ref(), Some(&whole), "{name}"),
                Err(e) => assert!(
                    pieces.is_none(),
                    "{name} parses in pieces but not whole: {e:?}"
                ),
            }
        }
        assert!(split > 50, "only {split} files were split");
        // The tricky text splits only between its top-level structures.
        let starts = check_nesting(tricky, 1).unwrap();
        let heads: Vec<&str> = starts.iter().map(|&at| &tricky[at..at + 6]).collect();
        assert_eq!(heads, ["/* a b", "locals", "\nresou", "resour", "variab"]);
    }

    #[test]
    fn local_source_candidates_hold_every_text_that_could_be_a_source() {
        let text = concat!(
            "module \"a\" { source = \"./modules/a\" }\n",
            "module \"b\" {\n  source = \"../common/b\"\n}\n",
            "# module \"c\" { source = \"./in-a-comment\" }\n",
            "locals { tpl = \"./t/${var.x}\", dots = \"...\", rel = \".x\" }\n",
        );
        assert_eq!(
            local_source_candidates(text),
            Some(vec!["./modules/a", "../common/b", "./in-a-comment"])
        );
        let json = r#"{"module": {"a": {"source": "./modules/a"}}}"#;
        assert_eq!(local_source_candidates(json), Some(vec!["./modules/a"]));
        // Where an escape could spell a source, or a source cannot be read to its end.
        for unreadable in [
            r#"module "a" { source = "\u002e/modules/a" }"#,
            r#"locals { x = "\U0000002e" }"#,
            r#"{"module": {"a": {"source": ".\/modules/a"}}}"#,
            r#"module "a" { source = "./a\"b" }"#,
            r#"module "a" { source = "./$${x}" }"#,
            "module \"a\" { source = \"./a\n\" }",
        ] {
            assert_eq!(local_source_candidates(unreadable), None, "{unreadable}");
        }
    }

    /// Every local module source the parser finds in the repository's `.tf` files is among
    /// the candidates read from the text.
    #[test]
    fn local_source_candidates_include_every_parsed_source() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = 0;
        for dir in ["tests", "sample-configs"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
                let entry = entry.unwrap();
                if entry.path().extension().is_none_or(|e| e != "tf") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let Ok(file) = parse_hcl(&text, "x.tf") else {
                    continue;
                };
                // A text that cannot be read this way streams nothing.
                let Some(candidates) = local_source_candidates(&text) else {
                    continue;
                };
                for block in file.blocks.iter().filter(|b| b.kind == "module") {
                    let source = block.body.attributes().find(|a| a.key.as_str() == "source");
                    if let Some(Expression::String(s)) = source.map(|a| &a.expr) {
                        if s.starts_with("./") || s.starts_with("../") {
                            sources += 1;
                            assert!(
                                candidates.contains(&s.as_str()),
                                "{}: {s}",
                                entry.path().display()
                            );
                        }
                    }
                }
            }
        }
        assert!(sources >= 10, "only {sources} local sources");
    }

    #[test]
    fn an_error_in_a_later_piece_is_reported_as_for_the_whole_file() {
        let block = "resource \"aws_s3_bucket\" \"m\" {\n  bucket = \"m\"\n}\n";
        let good = block.repeat(PIECE_BYTES / block.len() + 10);
        let lines = good.lines().count();
        let bad = format!("{good}resource \"a\" \"b\" {{\n  x = \n}}\n");
        assert!(!check_nesting(&bad, PIECE_BYTES).unwrap().is_empty());
        let err = parse_hcl(&bad, "bad.tf").unwrap_err();
        assert_eq!(err, parse_hcl_text(&bad, "bad.tf").unwrap_err());
        assert_eq!(err.line, lines + 2);
        let traversed = format!("{good}locals {{\n  cidr = 10.0.0.0\n}}\n");
        let err = parse_hcl(&traversed, "bad.tf").unwrap_err();
        assert_eq!(err.line, lines + 2);
        assert!(err.message.contains("number followed by"), "{err:?}");
        let file = parse_hcl(&good, "good.tf").unwrap();
        assert_eq!(file.blocks.len(), lines / 3);
        assert_eq!(file.blocks.last().unwrap().line, lines - 2);
        assert!(
            !file.packed,
            "a file of a few pieces is copied after parsing"
        );
        let large = good.repeat(PACKED_PIECES);
        let file = parse_hcl(&large, "large.tf").unwrap();
        assert_eq!(file.blocks.len(), PACKED_PIECES * lines / 3);
        assert!(file.packed);
    }

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
