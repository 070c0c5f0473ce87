//! Keeping secrets out of reports. A scan prints values it follows (an SNS endpoint, a bucket
//! named by ARN, a relay host), and configurations sometimes carry credentials in such values: a
//! webhook URL with a token, a URL with a password, a storage connection string, a key. Every
//! text that reaches a report passes through `redact`, which masks those parts and keeps the
//! rest readable.

use regex::Regex;
use std::sync::OnceLock;

const MASK: &str = "***";

struct Patterns {
    /// `scheme://user:password@host` → keeps scheme and host.
    userinfo: Regex,
    /// `?query` and `#fragment` of URLs (tokens, signatures).
    query: Regex,
    /// `Password=...;`, `AccountKey=...`, `SharedAccessKey=...`, `Pwd=...` in connection strings.
    connection_secret: Regex,
    /// PEM private keys.
    private_key: Regex,
    /// AWS access key ids and GitHub/Slack-style tokens.
    token: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        userinfo: Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@").expect("valid pattern"),
        query: Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s?#]*)[?#][^\s]*").expect("valid pattern"),
        connection_secret: Regex::new(
            r"(?i)\b(password|pwd|accountkey|sharedaccesskey|sharedaccesssignature|secret|token|sig)=[^;&\s]*",
        )
        .expect("valid pattern"),
        private_key: Regex::new(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)")
            .expect("valid pattern"),
        token: Regex::new(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b|\b(ghp|gho|ghs|xox[abpr])[-_A-Za-z0-9]{10,}")
            .expect("valid pattern"),
    })
}

/// Characters of an unrecognised value that a report may show.
const EXCERPT_CHARS: usize = 4;

/// The first few characters of a value that was expected to be a known name (a region, a data
/// location) and is not, followed by `…`: enough to find a typo, never the whole value, since a
/// value a pull request routes into a region (a token from a linked file, a secret variable)
/// would otherwise be printed into CI logs.
pub fn prefix(value: &str) -> String {
    let shown: String = value.chars().take(EXCERPT_CHARS).collect();
    format!("{shown}…")
}

/// `"SuPe…" (40 characters)`: the masked prefix and the length, for messages.
pub fn excerpt(value: &str) -> String {
    format!("{:?} ({} characters)", prefix(value), value.chars().count())
}

/// The text with credentials masked.
pub fn redact(text: &str) -> String {
    let p = patterns();
    if !text.contains("://")
        && !text.contains('=')
        && !text.contains("PRIVATE KEY")
        && !p.token.is_match(text)
    {
        return text.to_string();
    }
    let text = p.private_key.replace_all(text, MASK);
    let text = p.userinfo.replace_all(&text, format!("${{1}}{MASK}@"));
    let text = p.query.replace_all(&text, format!("${{1}}?{MASK}"));
    let text = p
        .connection_secret
        .replace_all(&text, format!("${{1}}={MASK}"));
    let text = p.token.replace_all(&text, MASK);
    text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn masks_credentials_and_keeps_the_rest() {
        assert_eq!(
            redact("https://hooks.example.net/mail?token=s3cr3t"),
            "https://hooks.example.net/mail?***"
        );
        assert_eq!(
            redact("smtp://relay:hunter2@mx.example.net:587"),
            "smtp://***@mx.example.net:587"
        );
        assert_eq!(
            redact("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=abc123==;EndpointSuffix=core.windows.net"),
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=***;EndpointSuffix=core.windows.net"
        );
        assert_eq!(redact("key AKIAABCDEFGHIJKLMNOP here"), "key *** here");
        assert_eq!(
            redact("x -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- y"),
            "x *** y"
        );
        assert_eq!(redact("arn:aws:s3:::acme-mail"), "arn:aws:s3:::acme-mail");
        assert_eq!(
            redact("aws_s3_bucket.mail (replica eu-west-1)"),
            "aws_s3_bucket.mail (replica eu-west-1)"
        );
    }
}
