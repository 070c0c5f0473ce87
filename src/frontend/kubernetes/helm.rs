//! The values a Terraform `helm_release` passes to its chart, and the volume claims they ask
//! for. What a chart creates is known only by rendering it, which residency does not do; but
//! charts take their persistence settings in a few common shapes (`persistence.storageClass`,
//! `persistent_volume_claims.mail-data.size`, `existingClaim`), and a release that sets them
//! says which claims hold its data and where their storage class puts them.

use crate::model::Resource;
use crate::syntax::tree::{load_yaml, node_value};
use crate::value::{Value, ValueMap};

/// Keys that mark a map of values as the settings of one volume claim.
const CLAIM_KEYS: &[&str] = &[
    "storageClass",
    "storageClassName",
    "existingClaim",
    "size",
    "accessModes",
    "accessMode",
];

/// Path segments that name the kind of setting, not the claim (`persistence`, `pvc`).
const GENERIC: &[&str] = &[
    "persistence",
    "persistent_volume_claims",
    "persistentVolumeClaims",
    "persistentVolumeClaim",
    "pvc",
    "volumes",
    "storage",
    "master",
    "primary",
];

/// Values nested deeper than this are not searched for claims.
const MAX_DEPTH: usize = 16;

/// A claim a release's values ask the chart for.
#[derive(Debug, PartialEq)]
pub struct Claim {
    /// The claim's name in the values (`mail-data`; `data` for a chart's one `persistence`).
    pub name: String,
    /// The storage class it asks for; `None` for the cluster's default.
    pub storage_class: Option<String>,
    /// The claim it uses instead of creating one (`existingClaim`).
    pub existing: Option<String>,
}

/// The release's values: its `values` documents merged in order, then its `set` and
/// `set_sensitive` entries, as Helm merges them.
pub fn values(r: &Resource) -> Value {
    let mut merged = Value::Map(ValueMap::new());
    for document in r.attr("values").items() {
        let text = match document {
            Value::String(s) => s.as_str(),
            // `templatefile(...)` or `yamlencode` with unknown parts: the text as written.
            Value::Unknown(u) => match &u.partial {
                Some(p) => p.as_str(),
                None => continue,
            },
            _ => continue,
        };
        if let Ok(docs) = load_yaml(text) {
            for doc in docs.iter().take(1) {
                merge(&mut merged, node_value(doc));
            }
        }
    }
    for key in ["set", "set_sensitive"] {
        for entry in r.attr(key).items() {
            let Some(name) = entry.get("name").as_str() else {
                continue;
            };
            let forced_string = entry.get("type").as_str() == Some("string");
            let value = match entry.get("value") {
                Value::String(s) if !forced_string && s == "true" => Value::Bool(true),
                Value::String(s) if !forced_string && s == "false" => Value::Bool(false),
                other => other.clone(),
            };
            set_path(&mut merged, &split_name(name), value);
        }
    }
    merged
}

/// The claims values ask for: every map with claim settings whose `enabled` is not false.
pub fn claims(values: &Value) -> Vec<Claim> {
    let mut out = Vec::new();
    walk(values, &mut Vec::new(), &mut out);
    out
}

fn walk(value: &Value, path: &mut Vec<String>, out: &mut Vec<Claim>) {
    let Value::Map(map) = value else { return };
    if path.len() > MAX_DEPTH {
        return;
    }
    if !path.is_empty() && CLAIM_KEYS.iter().any(|k| map.contains_key(k)) {
        if map.get("enabled") == Some(&Value::Bool(false)) {
            return;
        }
        let named: Vec<&str> = path
            .iter()
            .map(String::as_str)
            .filter(|s| !GENERIC.contains(s))
            .collect();
        let text = |key: &str| {
            map.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty() && *s != "-")
                .map(str::to_string)
        };
        out.push(Claim {
            name: if named.is_empty() {
                "data".into()
            } else {
                named.join("-")
            },
            storage_class: text("storageClass").or_else(|| text("storageClassName")),
            existing: text("existingClaim"),
        });
        return;
    }
    for (key, child) in map {
        path.push(key.to_string());
        walk(child, path, out);
        path.pop();
    }
}

/// Helm's `--set` names: dots separate keys, `\.` is a dot inside one.
fn split_name(name: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                chars.next();
                parts.last_mut().expect("one part").push('.');
            }
            '.' => parts.push(String::new()),
            c => parts.last_mut().expect("one part").push(c),
        }
    }
    parts
}

/// Sets `value` at `path`, making maps on the way (a list index is taken as a key).
fn set_path(root: &mut Value, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if !matches!(root, Value::Map(_)) {
        *root = Value::Map(ValueMap::new());
    }
    let Value::Map(map) = root else { return };
    if rest.is_empty() {
        map.insert(first.into(), value);
    } else {
        set_path(map.entry(first.into()).or_insert(Value::Null), rest, value);
    }
}

/// Helm's merge of values files: maps merge key by key, anything else replaces.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Map(a), Value::Map(b)) => {
            // New keys are added in one sorted extension: inserted one by one into the
            // sorted vector, a values file of many keys would move the others each time.
            let mut added = Vec::new();
            for (key, value) in b {
                match a.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => added.push((key, value)),
                }
            }
            a.extend(added);
        }
        (slot, other) => *slot = other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn release(values: &str, set: Vec<(&str, &str)>) -> Resource {
        let mut attributes = ValueMap::new();
        attributes.insert(
            "values".into(),
            Value::List([Value::String(values.into())].into()),
        );
        attributes.insert(
            "set".into(),
            Value::List(
                set.into_iter()
                    .map(|(n, v)| {
                        let mut m = ValueMap::new();
                        m.insert("name".into(), Value::String(n.into()));
                        m.insert("value".into(), Value::String(v.into()));
                        Value::Map(m)
                    })
                    .collect(),
            ),
        );
        Resource {
            address: "helm_release.mail".into(),
            kind: "helm_release".into(),
            scope: ".".into(),
            format: crate::model::SourceFormat::Terraform,
            file: "main.tf".into(),
            line: 1,
            end_line: 1,
            attributes: Value::Map(attributes),
            origins: BTreeMap::new(),
            provider: std::sync::Arc::new(crate::model::ProviderSetting {
                name: "helm".into(),
                alias: None,
                region: Value::Null,
                origin: crate::model::Origin::Literal,
            }),
            placed_by: crate::model::PlacedBy::FrontEnd,
        }
    }

    #[test]
    fn claims_from_values_files_and_set_entries() {
        let r = release(
            "persistent_volume_claims:\n  mail-data:\n    size: 50Gi\n    storageClass: gp3\n  mail-log:\n    enabled: false\n    size: 1Gi\n",
            vec![
                ("persistent_volume_claims.mail-state.existingClaim", "state"),
                ("redis.master.persistence.storageClass", "-"),
                ("annotations.example\\.com/x", "y"),
            ],
        );
        let values = values(&r);
        assert_eq!(
            values.path(&["annotations", "example.com/x"]).as_str(),
            Some("y")
        );
        assert_eq!(
            claims(&values),
            [
                Claim {
                    name: "mail-data".into(),
                    storage_class: Some("gp3".into()),
                    existing: None
                },
                Claim {
                    name: "mail-state".into(),
                    storage_class: None,
                    existing: Some("state".into())
                },
                Claim {
                    name: "redis".into(),
                    storage_class: None,
                    existing: None
                },
            ]
        );
    }
}
