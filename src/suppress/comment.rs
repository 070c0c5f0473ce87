//! Inline suppressions: `residency:ignore RULES [until=YYYY-MM-DD] -- reason` in a comment.

/// What marks a suppression comment; the parsers keep only the lines that hold it.
pub const MARKER: &str = "residency:ignore";

/// A suppression as written, inline or in the config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    pub rules: Vec<String>,
    /// Last day (inclusive) the suppression holds, `YYYY-MM-DD`.
    pub until: Option<String>,
    pub reason: String,
    /// A `until=` value that is not a date.
    pub bad_date: Option<String>,
}

/// Reads a suppression from a line that carries the marker in a comment.
pub fn parse_comment(line: &str) -> Option<Suppression> {
    let at = line.find(MARKER)?;
    let before = line[..at].trim_end();
    if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("/*")) {
        return None;
    }
    let rest = line[at + MARKER.len()..].trim_start_matches([':', '=', ' ']);
    let rest = rest.trim().trim_end_matches("*/").trim();
    let (rules, mut rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let rules: Vec<String> = rules
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return None;
    }
    let mut until = None;
    let mut bad_date = None;
    loop {
        rest = rest.trim_start();
        let Some(after) = rest.strip_prefix("until=") else {
            break;
        };
        let (date, tail) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
        if is_date(date) {
            until = Some(date.to_string());
        } else {
            bad_date = Some(date.to_string());
        }
        rest = tail;
    }
    let reason = rest.trim_start().strip_prefix("--").unwrap_or(rest).trim();
    Some(Suppression {
        rules,
        until,
        reason: reason.to_string(),
        bad_date,
    })
}

/// `YYYY-MM-DD` naming a real day.
pub fn is_date(text: &str) -> bool {
    text.len() == 10 && humantime::parse_rfc3339(&format!("{text}T00:00:00Z")).is_ok()
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_string()
}
