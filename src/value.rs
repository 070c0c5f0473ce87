//! Values that configuration attributes evaluate to.
//!
//! A value is either known (string, number, list, map, ...) or `Unknown` with the reason it could
//! not be known from the files. An unknown value may still say which resource it belongs to
//! (`refers_to`), because a computed attribute such as `aws_s3_bucket.x.arn` is unknown before
//! apply, yet it names exactly which bucket a replication rule points at.

/// Why a value could not be determined, and which resource it came from, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub reason: String,
    /// Address (Terraform) or logical id (CloudFormation) of the resource whose attribute this is.
    pub refers_to: Option<String>,
    /// The deployment `refers_to` is in, when it is not the one of the resource holding the
    /// value (a CloudFormation `Fn::ImportValue` of another stack's export).
    pub in_deployment: Option<String>,
    /// For a string built from known and unknown parts, the text with `?` for each unknown part
    /// (`arn:aws:sns:us-east-1:?:mail`): enough to read a region that is written literally.
    pub partial: Option<String>,
}

/// The members of a map value, sorted by key. A flat sorted vector, not a `BTreeMap`: most maps
/// of a configuration are small (a block's three attributes, a tag map), and a B-tree gives each
/// of them a node for eleven entries: with it, the attribute maps of resources were most of a
/// 100 MB scan's memory. Built from iterators (sorted once) rather than key by key where a map
/// can be large.
pub type ValueMap = litemap::LiteMap<Key, Value>;

/// A map key: a pointer to the one copy of its text that the whole scan shares (`ustr`'s
/// process-wide cache). Keys are a few hundred distinct names (`region`, `bucket`, `tags`)
/// repeated in every map of every resource: a 100 MB scan holds 3.3 million of them, and as
/// 24-byte inline strings they took 16 bytes per entry more than this pointer (52 MB).
///
/// Ordered, compared, hashed and borrowed as its text, so that maps sort and look up by name
/// exactly as they would with `String` keys. The cache is never emptied: it holds each
/// distinct key once, at most the size of the keys in the input.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(ustr::Ustr);

impl Key {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Sets up the shared cache of keys while the process's memory is fresh. The cache starts
    /// with tables of 12 MB that are zeroed when made: made from fresh pages, which the
    /// system gives zeroed, only the parts used become resident; made on a resolving thread
    /// from memory a parse tree left, all of it was cleared and held (medians of nine runs:
    /// 8 files of 1.2 MB, a peak of 119 MB instead of 111; 1 MB, 27 instead of 23).
    pub fn prepare() {
        let _ = Key::from("");
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

/// As its text, as `Borrow<str>` requires (`Ustr`'s own hash is a precomputed one).
impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Key {
        Key(ustr::Ustr::from(text))
    }
}

impl From<&String> for Key {
    fn from(text: &String) -> Key {
        Key::from(text.as_str())
    }
}

impl From<String> for Key {
    fn from(text: String) -> Key {
        Key::from(text.as_str())
    }
}

impl From<&compact_str::CompactString> for Key {
    fn from(text: &compact_str::CompactString) -> Key {
        Key::from(text.as_str())
    }
}

impl From<compact_str::CompactString> for Key {
    fn from(text: compact_str::CompactString) -> Key {
        Key::from(text.as_str())
    }
}

impl From<std::borrow::Cow<'_, str>> for Key {
    fn from(text: std::borrow::Cow<'_, str>) -> Key {
        Key::from(&*text)
    }
}

impl From<&Key> for Key {
    fn from(key: &Key) -> Key {
        *key
    }
}

impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A map value's members from pairs with any kind of string key, sorted once.
pub fn map_of<K: Into<Key>>(entries: impl IntoIterator<Item = (K, Value)>) -> ValueMap {
    entries.into_iter().map(|(k, v)| (k.into(), v)).collect()
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    /// Held inline up to 24 bytes (most attribute values: regions, names, flags), in an
    /// allocation of its own only when longer.
    String(compact_str::CompactString),
    List(Vec<Value>),
    Map(ValueMap),
    /// Boxed: an unknown carries four strings, and every map of values is sized by its
    /// largest variant (a resource's attribute maps are most of a scan's memory).
    Unknown(Box<Unknown>),
}

impl From<Unknown> for Value {
    fn from(unknown: Unknown) -> Value {
        Value::Unknown(Box::new(unknown))
    }
}

impl Value {
    pub fn unknown(reason: impl Into<String>) -> Value {
        Value::from(Unknown {
            reason: reason.into(),
            refers_to: None,
            in_deployment: None,
            partial: None,
        })
    }

    pub fn unknown_ref(reason: impl Into<String>, address: impl Into<String>) -> Value {
        Value::from(Unknown {
            reason: reason.into(),
            refers_to: Some(address.into()),
            in_deployment: None,
            partial: None,
        })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// The partly known text of an unknown string, if it has one.
    pub fn partial_text(&self) -> Option<&str> {
        match self {
            Value::Unknown(u) => u.partial.as_deref(),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Value::Unknown(u) => Some(&u.reason),
            _ => None,
        }
    }

    /// The resource an unknown value points at (`aws_s3_bucket.x.arn` → `aws_s3_bucket.x`).
    pub fn refers_to(&self) -> Option<&str> {
        match self {
            Value::Unknown(u) => u.refers_to.as_deref(),
            _ => None,
        }
    }

    /// The deployment of the resource `refers_to` names, when it is another one.
    pub fn refers_to_deployment(&self) -> Option<&str> {
        match self {
            Value::Unknown(u) => u.in_deployment.as_deref(),
            _ => None,
        }
    }

    /// The value as compact JSON text, when every part of it is known.
    pub fn to_json(&self) -> Option<String> {
        self.json(false).map(|j| j.to_string())
    }

    /// The value as compact JSON text, unknown parts as null.
    pub fn to_json_lossy(&self) -> String {
        self.json(true)
            .map(|j| j.to_string())
            .unwrap_or_else(|| "null".into())
    }

    fn json(&self, lossy: bool) -> Option<serde_json::Value> {
        fn json(v: &Value, lossy: bool) -> Option<serde_json::Value> {
            Some(match v {
                Value::Null => serde_json::Value::Null,
                Value::Bool(b) => serde_json::Value::Bool(*b),
                Value::Number(n) => serde_json::Number::from_f64(*n)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null),
                Value::String(s) => serde_json::Value::String(s.to_string()),
                Value::List(items) => serde_json::Value::Array(
                    items
                        .iter()
                        .map(|i| json(i, lossy))
                        .collect::<Option<_>>()?,
                ),
                Value::Map(entries) => serde_json::Value::Object(
                    entries
                        .iter()
                        .map(|(k, v)| json(v, lossy).map(|v| (k.to_string(), v)))
                        .collect::<Option<_>>()?,
                ),
                Value::Unknown(_) if lossy => serde_json::Value::Null,
                Value::Unknown(_) => return None,
            })
        }
        json(self, lossy)
    }

    /// Member of a map value; `Null` when absent or when `self` is not a map.
    pub fn get(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Map(m) => m.get(key).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// Follows a path of map keys.
    pub fn path(&self, keys: &[&str]) -> &Value {
        keys.iter().fold(self, |v, k| v.get(k))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A nested block or object, seen as a list whether it was written once (a map) or repeated
    /// (a list of maps): Terraform blocks, JSON objects and CloudFormation lists all look alike here.
    pub fn items(&self) -> Vec<&Value> {
        match self {
            Value::List(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        }
    }

    /// Text form of a scalar, for interpolation and display.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }
}

/// Builds a string from literal text and evaluated parts (Terraform templates, CloudFormation
/// `Fn::Sub`). Any unknown part makes the result unknown; the result keeps the text with `?` for
/// each unknown part, and the one resource the unknown parts refer to, if there is only one
/// (`"arn:aws:s3:::${aws_s3_bucket.b.id}"` still points at `aws_s3_bucket.b`).
#[derive(Default)]
pub struct TextBuilder {
    text: String,
    unknown: Vec<Unknown>,
}

impl TextBuilder {
    pub fn literal(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends a value; `not_text` says why a list or map cannot stand in a string.
    pub fn value(&mut self, value: Value, not_text: impl FnOnce() -> String) {
        match value {
            Value::Unknown(u) => {
                self.text.push('?');
                self.unknown.push(*u);
            }
            v => match v.to_text() {
                Some(t) => self.text.push_str(&t),
                None => self.unknown(not_text()),
            },
        }
    }

    pub fn unknown(&mut self, reason: impl Into<String>) {
        self.text.push('?');
        self.unknown.push(Unknown {
            reason: reason.into(),
            refers_to: None,
            in_deployment: None,
            partial: None,
        });
    }

    pub fn finish(self) -> Value {
        let Some(first) = self.unknown.first() else {
            return Value::String(self.text.into());
        };
        let mut refs: Vec<&String> = self
            .unknown
            .iter()
            .filter_map(|u| u.refers_to.as_ref())
            .collect();
        refs.dedup();
        let in_deployment = self
            .unknown
            .iter()
            .find(|u| u.refers_to.is_some())
            .and_then(|u| u.in_deployment.clone());
        Value::from(Unknown {
            reason: first.reason.clone(),
            refers_to: (refs.len() == 1).then(|| refs[0].clone()),
            in_deployment,
            partial: (self.text != "?").then_some(self.text),
        })
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Region, service and resource name taken apart from an ARN
/// (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`).
#[derive(Debug, Clone, PartialEq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let _account = parts.next()?;
        let resource = parts.next()?;
        Some(Arn {
            partition,
            service,
            region,
            resource,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parts() {
        let arn = Arn::parse("arn:aws:sns:us-east-1:123456789012:mail").unwrap();
        assert_eq!(arn.region, "us-east-1");
        assert_eq!(arn.service, "sns");
        let s3 = Arn::parse("arn:aws:s3:::acme-mail").unwrap();
        assert_eq!(s3.region, "");
        assert_eq!(s3.resource, "acme-mail");
        assert!(Arn::parse("acme-mail").is_none());
    }

    #[test]
    fn items_treats_single_block_as_list() {
        let mut m = ValueMap::new();
        m.insert("a".into(), Value::Bool(true));
        let v = Value::Map(m);
        assert_eq!(v.items().len(), 1);
        assert_eq!(Value::Null.items().len(), 0);
    }
}
