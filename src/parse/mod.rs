//! Parsing: one module per input format. Each turns a file's text into plain data with line
//! numbers, or a `ParseError` naming the line. Nothing here evaluates expressions; that is the
//! resolver's job.

pub mod cloudformation;
pub mod terraform;
pub mod tree;

use crate::discover::{Format, SourceFile};

/// Files larger than this are reported, not read: no real template comes close, and a multi-
/// gigabyte file in a repository is a mistake or an attack.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// 1-based line; 0 when the problem concerns the whole file (unreadable, binary, too large).
    pub line: usize,
    pub message: String,
}

#[derive(Debug)]
pub enum Parsed {
    Terraform(terraform::TfFile),
    CloudFormation(cloudformation::Template),
    /// A YAML or JSON file that is not a template (a Kubernetes manifest, `package.json`, ...).
    NotRelevant,
}

/// Reads a file as UTF-8 text, refusing binary, oversized and non-UTF-8 files with a clear reason.
pub fn read_text(path: &std::path::Path) -> Result<String, ParseError> {
    let whole = |message: String| ParseError { line: 0, message };
    let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read file: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(whole(format!(
            "file is {} bytes, larger than the {} byte limit",
            meta.len(),
            MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read file: {e}")))?;
    if let Some(pos) = bytes.iter().position(|b| *b == 0) {
        let line = bytes[..pos].iter().filter(|b| **b == b'\n').count() + 1;
        return Err(ParseError {
            line,
            message: "binary content (NUL byte); not a text file".into(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ParseError {
            line,
            message: "invalid UTF-8".into(),
        }
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

pub fn parse_file(file: &SourceFile) -> Result<Parsed, ParseError> {
    let text = read_text(&file.path)?;
    match file.format {
        Format::TerraformHcl => terraform::parse_hcl(&text, &file.display).map(Parsed::Terraform),
        Format::TerraformJson => terraform::parse_json(&text, &file.display).map(Parsed::Terraform),
        Format::StructuredData => {
            let is_json = file.display.to_ascii_lowercase().ends_with(".json")
                || text.trim_start().starts_with('{');
            cloudformation::parse(&text, is_json, &file.display)
                .map(|t| t.map_or(Parsed::NotRelevant, Parsed::CloudFormation))
        }
    }
}
