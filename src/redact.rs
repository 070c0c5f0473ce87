//! Keeping secrets out of reports. A scan prints values it follows (an SNS endpoint, a bucket
//! named by ARN, a relay host), and configurations sometimes carry credentials in such values: a
//! webhook URL with a token, a URL with a password, a storage connection string, a key. Every
//! text that reaches a report passes through `redact`, which masks those parts and keeps the
//! rest readable.

use regex::Regex;
use std::borrow::Cow;
use std::collections::BTreeSet;
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
    /// Webhook URLs whose path is the credential (Slack, Microsoft Teams, Discord, Google Chat
    /// keeps its key in the query, masked above).
    webhook_path: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        userinfo: Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@").expect("valid pattern"),
        // The query ends at white space or at a quote or bracket that closes the text around it.
        query: Regex::new(r#"(?i)\b([a-z][a-z0-9+.-]*://[^\s?#"'<>()\[\]]*)[?#][^\s"'<>()\[\]]*"#).expect("valid pattern"),
        connection_secret: Regex::new(
            r"(?i)\b(password|pwd|accountkey|sharedaccesskey|sharedaccesssignature|secret|token|sig)=[^;&\s]*",
        )
        .expect("valid pattern"),
        private_key: Regex::new(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)")
            .expect("valid pattern"),
        token: Regex::new(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b|\b(ghp|gho|ghs|xox[abpr])[-_A-Za-z0-9]{10,}")
            .expect("valid pattern"),
        webhook_path: Regex::new(
            r"(?i)\b((?:https?://)?(?:hooks\.slack\.com/(?:services|workflows|triggers)|[a-z0-9.-]*webhook\.office\.com/webhookb2|outlook\.office(?:365)?\.com/webhook|(?:discord|discordapp)\.com/api/webhooks|[a-z0-9.-]*\.logic\.azure\.com(?::\d+)?/workflows))/[^\s?#\x22']+",
        )
        .expect("valid pattern"),
    })
}

/// Characters of an unrecognised value that a report may show.
const EXCERPT_CHARS: usize = 4;

/// Secrets shorter than this are not masked by value (masking every `a` or `1` would make
/// reports unreadable and hide nothing).
const MIN_SECRET_CHARS: usize = 4;

/// Values one scan's configuration marks as secret: Terraform variables with
/// `sensitive = true`, CloudFormation parameters with `NoEcho`, ARM `secureString` and
/// `secureObject` parameters. The front ends collect them while resolving; any text that
/// contains one is masked where it appears, so values derived from them (a name built from a
/// sensitive variable) are masked too. A value of the scan, never process-wide.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    values: BTreeSet<String>,
    /// Every value at once, built on first use after the last one was added: each text of a
    /// report is searched for all secrets in one pass, not once per secret (a monorepo with a
    /// sensitive variable in each of a thousand roots would otherwise search every text a
    /// thousand times).
    finder: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl Secrets {
    /// Records every string inside `value` as a secret.
    pub fn add(&mut self, value: &crate::value::Value) {
        use crate::value::Value;
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                Value::String(s) if s.chars().count() >= MIN_SECRET_CHARS => {
                    self.values.insert(s.to_string());
                    self.finder = std::sync::OnceLock::new();
                }
                Value::List(items) => stack.extend(items),
                Value::Map(entries) => stack.extend(entries.values()),
                _ => {}
            }
        }
    }

    /// Adds the secrets another part of the scan found.
    pub fn extend(&mut self, other: Secrets) {
        if !other.values.is_empty() {
            self.values.extend(other.values);
            self.finder = std::sync::OnceLock::new();
        }
    }

    /// The automaton that finds every secret, longest first where they overlap; `None` when
    /// there is no secret (or, never in practice, when it cannot be built: then each secret
    /// is searched for on its own).
    fn finder(&self) -> Option<&aho_corasick::AhoCorasick> {
        self.finder
            .get_or_init(|| {
                if self.values.is_empty() {
                    return None;
                }
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&self.values)
                    .ok()
            })
            .as_ref()
    }

    /// Whether `text` holds a value the configuration marks as secret.
    pub fn holds(&self, text: &str) -> bool {
        match self.finder() {
            Some(finder) => finder.is_match(text),
            None => self.values.iter().any(|s| text.contains(s.as_str())),
        }
    }

    /// Every secret in `text` replaced by the mask, longest first.
    fn mask<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.values.is_empty() || !self.holds(text) {
            return text.into();
        }
        if let Some(finder) = self.finder() {
            let mut masked = String::with_capacity(text.len());
            finder.replace_all_with(text, &mut masked, |_, _, out| {
                out.push_str(MASK);
                true
            });
            return masked.into();
        }
        let mut ordered: Vec<&String> = self
            .values
            .iter()
            .filter(|s| text.contains(s.as_str()))
            .collect();
        ordered.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut out = text.to_string();
        for secret in ordered {
            out = out.replace(secret.as_str(), MASK);
        }
        out.into()
    }

    /// The text with these secrets and every credential pattern masked.
    pub fn redact(&self, text: &str) -> String {
        self.redacted(text).into_owned()
    }

    /// `redact` without copying a text that holds nothing to mask.
    pub fn redacted<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match self.mask(text) {
            Cow::Borrowed(text) => redacted(text),
            Cow::Owned(masked) => Cow::Owned(redacted(&masked).into_owned()),
        }
    }

    /// The first few characters of a value that was expected to be a known name (a region, a
    /// data location) and is not, followed by `…`: enough to find a typo, never the whole
    /// value, since a value a pull request routes into a region (a token from a linked file, a
    /// secret variable) would otherwise be printed into CI logs.
    pub fn prefix(&self, value: &str) -> String {
        if self.holds(value) {
            return MASK.to_string();
        }
        let shown: String = value.chars().take(EXCERPT_CHARS).collect();
        format!("{shown}…")
    }

    /// `"SuPe…" (40 characters)`: the masked prefix and the length, for messages.
    pub fn excerpt(&self, value: &str) -> String {
        if self.holds(value) {
            return format!("{MASK} (a value marked sensitive)");
        }
        format!(
            "{:?} ({} characters)",
            self.prefix(value),
            value.chars().count()
        )
    }
}

/// The text with credentials masked by their patterns (URL passwords and query strings,
/// webhook tokens, connection-string keys, private keys, access-key ids). A scan's own
/// secrets are masked by `Secrets::redact`, which ends here.
pub fn redact(text: &str) -> String {
    redacted(text).into_owned()
}

/// `redact` without copying a text that holds no credential (nearly every text of a report).
pub fn redacted(text: &str) -> Cow<'_, str> {
    if !may_hold_credential(text) {
        return Cow::Borrowed(text);
    }
    let p = patterns();
    let mut text = Cow::Borrowed(text);
    let replacements: [(&Regex, String); 6] = [
        (&p.webhook_path, format!("${{1}}/{MASK}")),
        (&p.private_key, MASK.to_string()),
        (&p.userinfo, format!("${{1}}{MASK}@")),
        (&p.query, format!("${{1}}?{MASK}")),
        (&p.connection_secret, format!("${{1}}={MASK}")),
        (&p.token, MASK.to_string()),
    ];
    for (pattern, with) in replacements {
        let replaced = match pattern.replace_all(&text, with.as_str()) {
            Cow::Owned(replaced) => Some(replaced),
            Cow::Borrowed(_) => None,
        };
        if let Some(replaced) = replaced {
            text = Cow::Owned(replaced);
        }
    }
    text
}

/// Whether `text` holds one of the fixed strings every credential pattern needs (`://`, `=`,
/// `PRIVATE KEY`, a webhook host or path, an access-key or token prefix), found in one pass:
/// a report cleans hundreds of thousands of texts, and most hold none. Compared without
/// regard to ASCII case, so a superset of what the (case-insensitive) patterns can match.
fn may_hold_credential(text: &str) -> bool {
    static NEEDLES: OnceLock<Option<aho_corasick::AhoCorasick>> = OnceLock::new();
    let needles = NEEDLES.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                "://",
                "=",
                "PRIVATE KEY",
                "/webhook",
                "hooks.slack.com",
                "/workflows",
                "AKIA",
                "ASIA",
                "ghp",
                "gho",
                "ghs",
                "xox",
            ])
            .ok()
    });
    // Without the automaton (it cannot fail to build on these needles), every text is tried.
    needles.as_ref().is_none_or(|n| n.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::{redact, redacted, Secrets};
    use crate::value::Value;
    use std::borrow::Cow;

    #[test]
    fn every_secret_is_masked_the_longest_where_they_overlap() {
        let mut secrets = Secrets::default();
        for value in ["hunter2-db-password", "db-password", "abc"] {
            secrets.add(&Value::String(value.into()));
        }
        // "abc" is shorter than a secret may be: it stays.
        assert_eq!(
            secrets.redact("pw hunter2-db-password, then db-password, abc"),
            "pw ***, then ***, abc"
        );
        assert!(secrets.holds("x db-password y"));
        assert!(!secrets.holds("nothing here"));
        // A secret added after the first search is found too.
        secrets.add(&Value::String("late-secret".into()));
        assert_eq!(secrets.redact("a late-secret"), "a ***");
        let mut many = Secrets::default();
        for i in 0..2000 {
            many.add(&Value::String(compact_str::format_compact!(
                "secret-{i:04}"
            )));
        }
        assert_eq!(many.redact("secret-1999 and secret-0001"), "*** and ***");
    }

    #[test]
    fn webhook_paths_are_masked() {
        assert_eq!(
            redact("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"),
            "https://hooks.slack.com/services/***"
        );
        assert_eq!(
            redact("https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456"),
            "https://acme.webhook.office.com/webhookb2/***"
        );
        assert_eq!(
            redact("https://discord.com/api/webhooks/1234/tok-en"),
            "https://discord.com/api/webhooks/***"
        );
        // Without a scheme and in capitals: the quick check before the patterns ignores case
        // as the patterns do.
        assert_eq!(
            redact("HOOKS.SLACK.COM/services/T000/B000/XXXXXXXXXXXXXXXX"),
            "HOOKS.SLACK.COM/services/***"
        );
    }

    #[test]
    fn a_text_with_nothing_to_mask_is_not_copied() {
        assert!(matches!(redacted("aws_s3_bucket.mail"), Cow::Borrowed(_)));
        assert!(matches!(
            Secrets::default().redacted("eu-west-1"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(redacted("password=hunter2"), Cow::Owned(_)));
    }

    #[test]
    fn a_quoted_url_keeps_its_closing_quote() {
        assert_eq!(
            redact(r#"source "git::https://example.com/m.git?ref=v1" is remote"#),
            r#"source "git::https://example.com/m.git?***" is remote"#
        );
    }

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
