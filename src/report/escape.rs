//! Escaping values that came from input files, so that no file can command whoever reads the
//! report. A file name, resource label, region or ARN may hold a newline followed by
//! `::add-mask::` or `::stop-commands::` (a GitHub workflow command when it starts a line of the
//! log), an ESC sequence that clears or recolours a terminal, or a bidirectional override that
//! makes a line read differently from what it is. Every such character is replaced, once, when
//! the report is built, by a visible escape (`\n`, `\u{1b}`), so every format shows the same
//! harmless text; each renderer then adds the escaping of its own syntax (Markdown cells, XML,
//! workflow command properties).

use std::borrow::Cow;

/// C0 controls, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069; Unicode TR #9, and CVE-2021-42574 "Trojan Source").
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every dangerous character written as a visible escape: `\n`, `\r`, `\t`, or
/// `\u{XX}`. A text without one is returned as it is, without copying.
pub fn controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_dangerous(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Escapes `text` in place.
pub fn in_place(text: &mut String) {
    if let Cow::Owned(escaped) = controls(text) {
        *text = escaped;
    }
}

/// Text safe inside a Markdown table cell or list item on GitHub and GitLab: HTML is written as
/// entities (no tag, link or image can be opened), and the characters that Markdown gives
/// meaning to inside a line are backslash-escaped, so a value reads as plain text.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in controls(text).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '`' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `text` inside a table cell: nothing in a code span is read as
/// Markdown or HTML, but GitHub still splits table cells at `|`, so that is escaped; the fence
/// is longer than any run of backticks in the text, so the text cannot close it.
pub fn markdown_code(text: &str) -> String {
    let text = controls(text).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{text}{fence}")
    } else {
        format!("{fence} {text} {fence}")
    }
}

/// Text safe inside a quoted Mermaid label: quotes and the characters that could close the
/// label, the node or the code fence (a backtick run) become entity codes, which Mermaid
/// renders as the characters.
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in controls(text).chars() {
        match c {
            '&' => out.push_str("#amp;"),
            '"' => out.push_str("#quot;"),
            '`' => out.push_str("#96;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        assert_eq!(controls("a\n::error::x"), "a\\n::error::x");
        assert_eq!(controls("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(controls("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{9b}");
        assert!(matches!(controls("plain-name"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_cells_stay_text() {
        assert_eq!(
            markdown("<img src=x>|[a](b)`c`"),
            "&lt;img src=x&gt;\\|\\[a\\](b)\\`c\\`"
        );
        assert_eq!(markdown_code("a|b"), "`a\\|b`");
        assert_eq!(markdown_code("x``y"), "``` x``y ```");
    }

    #[test]
    fn mermaid_labels_cannot_close() {
        assert_eq!(mermaid("a\"]\n```"), "a#quot;]\\n#96;#96;#96;");
    }
}
