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

/// The members of a map value, sorted by key, held at their exact number: a flat sorted
/// slice, not a `BTreeMap` (most maps of a configuration are small: a block's three
/// attributes, a tag map; a B-tree gives each a node for eleven entries) and not a `Vec`
/// (whose capacity, beside its length and pointer, made every [`Value`] 8 bytes larger: with
/// a slice, a value is 24 bytes instead of 32, and a 100 MB scan holds 4.3 million of them).
/// Built from iterators, sorted once; [`ValueMap::insert`] and [`ValueMap::remove`]
/// reallocate, for the few maps changed after they are built. Duplicate keys in what a map
/// is built from keep the last value.
#[derive(Clone, PartialEq, Default)]
pub struct ValueMap(Box<[(Key, Value)]>);

impl ValueMap {
    pub fn new() -> ValueMap {
        ValueMap::default()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key` to `value`; the value it had, if any.
    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                let mut entries = std::mem::take(&mut self.0).into_vec();
                entries.insert(i, (key, value));
                self.0 = entries.into_boxed_slice();
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.find(key).ok()?;
        let mut entries = std::mem::take(&mut self.0).into_vec();
        let (_, value) = entries.remove(i);
        self.0 = entries.into_boxed_slice();
        Some(value)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Key, &Value)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Key, &mut Value)> {
        self.0.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }

    /// The value of `key`, set first to what `or_insert` gives if the map has none.
    pub fn entry(&mut self, key: Key) -> Entry<'_> {
        Entry { map: self, key }
    }

    /// Keeps the members for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &Value) -> bool) {
        let mut entries = std::mem::take(&mut self.0).into_vec();
        entries.retain(|(k, v)| keep(k, v));
        self.0 = entries.into_boxed_slice();
    }
}

/// A member of a [`ValueMap`] that may not be there yet.
pub struct Entry<'m> {
    map: &'m mut ValueMap,
    key: Key,
}

impl<'m> Entry<'m> {
    pub fn or_insert(self, default: Value) -> &'m mut Value {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> Value) -> &'m mut Value {
        let i = match self.map.find(&self.key) {
            Ok(i) => i,
            Err(i) => {
                let mut entries = std::mem::take(&mut self.map.0).into_vec();
                entries.insert(i, (self.key, default()));
                self.map.0 = entries.into_boxed_slice();
                i
            }
        };
        &mut self.map.0[i].1
    }
}

/// Later members replace earlier ones of the same key.
impl Extend<(Key, Value)> for ValueMap {
    fn extend<I: IntoIterator<Item = (Key, Value)>>(&mut self, more: I) {
        let entries = std::mem::take(&mut self.0).into_vec();
        *self = entries.into_iter().chain(more).collect();
    }
}

impl std::fmt::Debug for ValueMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl FromIterator<(Key, Value)> for ValueMap {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(entries: I) -> ValueMap {
        // litemap sorts once and keeps the last of equal keys.
        let sorted: litemap::LiteMap<Key, Value> = entries.into_iter().collect();
        ValueMap(sorted.into_tuple_vec().into_boxed_slice())
    }
}

impl IntoIterator for ValueMap {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl<'m> IntoIterator for &'m ValueMap {
    type Item = (&'m Key, &'m Value);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'m, (Key, Value)>, fn(&(Key, Value)) -> (&Key, &Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

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

impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Adds `more` at the end of a list value's items (a list is held at its exact length, so
/// this reallocates: for lists that grow a few items at a time, such as repeated blocks).
pub fn extend_list(items: &mut Box<[Value]>, more: impl IntoIterator<Item = Value>) {
    let mut grown = std::mem::take(items).into_vec();
    grown.extend(more);
    *items = grown.into_boxed_slice();
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
    List(Box<[Value]>),
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

    /// The sizes the memory of a large scan rests on (see `ValueMap` and `Key`).
    #[test]
    fn a_value_is_three_words_and_a_map_entry_four() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(std::mem::size_of::<(Key, Value)>(), 32);
    }

    #[test]
    fn a_map_stays_sorted_and_keeps_the_last_of_equal_keys() {
        let n = |x: f64| Value::Number(x);
        let mut m: ValueMap = [("b", n(1.0)), ("a", n(2.0)), ("b", n(3.0))]
            .into_iter()
            .map(|(k, v)| (Key::from(k), v))
            .collect();
        let keys = |m: &ValueMap| m.keys().map(|k| k.to_string()).collect::<Vec<_>>();
        assert_eq!(keys(&m), ["a", "b"]);
        assert_eq!(m.get("b"), Some(&n(3.0)));
        assert_eq!(m.insert("c".into(), n(4.0)), None);
        assert_eq!(m.insert("a".into(), n(5.0)), Some(n(2.0)));
        assert_eq!(keys(&m), ["a", "b", "c"]);
        *m.entry("0".into()).or_insert(Value::Null) = n(6.0);
        assert_eq!(m.entry("0".into()).or_insert(Value::Null), &n(6.0));
        assert_eq!(m.remove("b"), Some(n(3.0)));
        assert_eq!(m.remove("b"), None);
        m.extend([(Key::from("a"), n(7.0)), (Key::from("d"), n(8.0))]);
        assert_eq!(keys(&m), ["0", "a", "c", "d"]);
        assert_eq!(m.get("a"), Some(&n(7.0)));
        m.retain(|k, _| k != "c");
        assert_eq!(keys(&m), ["0", "a", "d"]);
        let mut items: Box<[Value]> = Box::new([n(1.0)]);
        extend_list(&mut items, [n(2.0)]);
        assert_eq!(&*items, [n(1.0), n(2.0)]);
    }
}
