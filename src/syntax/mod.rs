//! What every front end shares to read its files, and knows nothing of any format: JSON and
//! YAML trees with lines (`tree`), the workers that parse files on every core with a time
//! budget (`workers`), suppression-marker lines, and the parse error every reader returns.

pub mod tree;
pub mod workers;

/// The lines of a text that carry a suppression marker, with their 1-based numbers: all that
/// the suppression stage needs, so the rest of the text is not kept.
pub fn marker_lines(text: &str) -> Vec<(usize, String)> {
    if !text.contains(crate::suppress::MARKER) {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(crate::suppress::MARKER))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// The first `bytes` bytes of a text, or fewer so as to end on a character boundary: enough to
/// recognise a format by its opening keys without scanning a large file.
pub fn head(text: &str, bytes: usize) -> &str {
    let mut at = bytes.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}
