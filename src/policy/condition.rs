//! Conditions over the fields of a copy: `{"field": F, OP: ARG}`, combined with `all`, `any`
//! and `not`. Country lists may name a set of the policy with `"@name"`.

use crate::catalog::is_iso_country;
use crate::datamap::{wire_name, Copy, DataClass, Dataset};
use std::collections::BTreeMap;

/// Fields a condition can test, and whether each holds a list.
pub const FIELDS: &[(&str, bool)] = &[
    ("resource", false),
    ("role", false),
    ("data", false),
    ("provider", false),
    ("region", false),
    ("basis", false),
    ("key_custody", false),
    ("countries", true),
    ("operator.name", false),
    ("operator.country", false),
    ("operator.model", false),
    ("parent.name", false),
    ("parent.country", false),
    ("dataset.countries", true),
    ("dataset.content_countries", true),
    ("dataset.content_unknown", false),
    ("subscriber_countries", true),
    ("provider.us_control", false),
    ("provider.us_presence", false),
    ("region.closed", false),
];

const OPERATORS: &[&str] = &[
    "equals",
    "not_equals",
    "in",
    "not_in",
    "any_in",
    "all_in",
    "none_in",
    "is_empty",
];

#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test { field: String, op: Op },
}

#[derive(Debug, Clone)]
pub enum Op {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    AnyIn(Vec<String>),
    AllIn(Vec<String>),
    NoneIn(Vec<String>),
    IsEmpty(bool),
}

pub fn string_list(value: &serde_json::Value, place: &str) -> Result<Vec<String>, String> {
    value
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| format!("{place}: expected a list of strings"))
}

impl Condition {
    pub fn parse(
        value: &serde_json::Value,
        sets: &BTreeMap<String, Vec<String>>,
        place: &str,
    ) -> Result<Condition, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| format!("{place}: a condition must be an object"))?;
        let list = |key: &str| -> Result<Vec<Condition>, String> {
            let items = obj[key]
                .as_array()
                .ok_or_else(|| format!("{place}: {key:?} takes a list of conditions"))?;
            items
                .iter()
                .enumerate()
                .map(|(i, c)| Condition::parse(c, sets, &format!("{place}.{key}[{i}]")))
                .collect()
        };
        if obj.len() == 1 && obj.contains_key("all") {
            return Ok(Condition::All(list("all")?));
        }
        if obj.len() == 1 && obj.contains_key("any") {
            return Ok(Condition::Any(list("any")?));
        }
        if obj.len() == 1 && obj.contains_key("not") {
            return Ok(Condition::Not(Box::new(Condition::parse(
                &obj["not"],
                sets,
                &format!("{place}.not"),
            )?)));
        }
        let field = obj
            .get("field")
            .and_then(|f| f.as_str())
            .ok_or_else(|| {
                format!("{place}: a condition is {{\"all\"|\"any\": [...]}}, {{\"not\": ...}} or {{\"field\": NAME, OPERATOR: VALUE}}")
            })?;
        let Some(&(_, is_list)) = FIELDS.iter().find(|(f, _)| *f == field) else {
            let names: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
            return Err(format!(
                "{place}: unknown field {field:?} (fields: {})",
                names.join(", ")
            ));
        };
        let ops: Vec<(&String, &serde_json::Value)> =
            obj.iter().filter(|(k, _)| k.as_str() != "field").collect();
        let [(op_name, arg)] = ops.as_slice() else {
            return Err(format!(
                "{place}: give exactly one operator ({})",
                OPERATORS.join(", ")
            ));
        };
        let countries = field.contains("countries") || field.ends_with(".country");
        let strings = |arg: &serde_json::Value| -> Result<Vec<String>, String> {
            let items = match arg.as_str() {
                Some(set) if set.starts_with('@') => sets
                    .get(&set[1..])
                    .cloned()
                    .ok_or_else(|| format!("{place}: no set named {:?} in \"sets\"", &set[1..]))?,
                _ => string_list(arg, &format!("{place}: {op_name}"))?,
            };
            if countries {
                if let Some(bad) = items.iter().find(|c| !is_iso_country(c)) {
                    return Err(format!(
                        "{place}: {bad:?} is not an ISO 3166-1 alpha-2 country code"
                    ));
                }
            }
            Ok(items)
        };
        let scalar = |arg: &serde_json::Value| -> Result<String, String> {
            arg.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{place}: {op_name} takes a string"))
        };
        let op = match op_name.as_str() {
            "equals" if !is_list => Op::Equals(scalar(arg)?),
            "not_equals" if !is_list => Op::NotEquals(scalar(arg)?),
            "in" if !is_list => Op::In(strings(arg)?),
            "not_in" if !is_list => Op::NotIn(strings(arg)?),
            "any_in" => Op::AnyIn(strings(arg)?),
            "all_in" => Op::AllIn(strings(arg)?),
            "none_in" => Op::NoneIn(strings(arg)?),
            "is_empty" => Op::IsEmpty(
                arg.as_bool()
                    .ok_or_else(|| format!("{place}: is_empty takes true or false"))?,
            ),
            "equals" | "not_equals" | "in" | "not_in" => {
                return Err(format!(
                    "{place}: {op_name} compares one value, but {field} is a list; use any_in, all_in or none_in"
                ))
            }
            other => {
                return Err(format!(
                    "{place}: unknown operator {other:?} (operators: {})",
                    OPERATORS.join(", ")
                ))
            }
        };
        Ok(Condition::Test {
            field: field.to_string(),
            op,
        })
    }

    pub fn eval(&self, facts: &Facts) -> bool {
        match self {
            Condition::All(items) => items.iter().all(|c| c.eval(facts)),
            Condition::Any(items) => items.iter().any(|c| c.eval(facts)),
            Condition::Not(c) => !c.eval(facts),
            Condition::Test { field, op } => {
                let values = facts.field(field);
                let contains = |set: &[String], v: &&str| set.iter().any(|s| s == v);
                match op {
                    Op::Equals(x) => values.first() == Some(&x.as_str()),
                    Op::NotEquals(x) => values.first() != Some(&x.as_str()),
                    Op::In(set) => values.first().is_some_and(|v| contains(set, v)),
                    Op::NotIn(set) => !values.first().is_some_and(|v| contains(set, v)),
                    Op::AnyIn(set) => values.iter().any(|v| contains(set, v)),
                    Op::AllIn(set) => !values.is_empty() && values.iter().all(|v| contains(set, v)),
                    Op::NoneIn(set) => !values.iter().any(|v| contains(set, v)),
                    Op::IsEmpty(want) => values.is_empty() == *want,
                }
            }
        }
    }
}

/// What is known about a whole dataset, for rules that depend on every copy (the ruling
/// protected only content stored *exclusively* abroad).
pub struct DatasetFacts {
    pub countries: Vec<String>,
    pub content_countries: Vec<String>,
    pub content_unknown: bool,
}

impl DatasetFacts {
    pub fn of(dataset: &Dataset) -> DatasetFacts {
        let mut countries = Vec::new();
        let mut content_countries = Vec::new();
        let mut content_unknown = false;
        for copy in &dataset.copies {
            countries.extend(copy.countries.iter().map(|c| c.to_string()));
            if copy.data == DataClass::Content {
                content_countries.extend(copy.countries.iter().map(|c| c.to_string()));
                content_unknown |= copy.countries.is_empty();
            }
        }
        countries.sort();
        countries.dedup();
        content_countries.sort();
        content_countries.dedup();
        DatasetFacts {
            countries,
            content_countries,
            content_unknown,
        }
    }
}

pub struct Facts<'a> {
    pub copy: &'a Copy,
    pub dataset: &'a DatasetFacts,
    pub subscriber_countries: &'a [String],
    /// What the catalog says of the copy's provider as a whole (its partitions and regions),
    /// which holds even when the copy's region is unknown.
    pub catalog: &'a crate::catalog::Catalog,
    /// Each provider's US control and US presence, worked out once per evaluation.
    pub providers: &'a ProviderFacts,
    /// The copy's unit fields in their wire names.
    pub wire: &'a WireNames,
}

/// Per provider id: `provider.us_control` and `provider.us_presence`.
pub type ProviderFacts = crate::hash::HashMap<String, (&'static str, bool)>;

/// The provider facts of every provider in the catalog.
pub fn provider_facts(catalog: &crate::catalog::Catalog) -> ProviderFacts {
    catalog
        .providers
        .iter()
        .map(|p| {
            (
                p.provider.clone(),
                (
                    catalog.us_control(&p.provider),
                    catalog.us_presence(&p.provider),
                ),
            )
        })
        .collect()
}

/// The wire names of a copy's unit fields (`store`, `content`, `declared`, `provider`),
/// worked out once per copy rather than once per condition.
pub struct WireNames {
    role: String,
    data: String,
    basis: String,
    key_custody: String,
}

impl WireNames {
    pub fn of(copy: &Copy) -> WireNames {
        WireNames {
            role: wire_name(&copy.role),
            data: wire_name(&copy.data),
            basis: wire_name(&copy.basis),
            key_custody: wire_name(&copy.key_custody),
        }
    }
}

impl Facts<'_> {
    /// The values of a field, borrowed from the copy (conditions run once per rule per copy:
    /// nothing is copied to answer them).
    fn field(&self, name: &str) -> Vec<&str> {
        let c = self.copy;
        fn one<S: AsRef<str>>(v: Option<&S>) -> Vec<&str> {
            v.map(AsRef::as_ref).into_iter().collect()
        }
        fn all<S: AsRef<str>>(v: &[S]) -> Vec<&str> {
            v.iter().map(AsRef::as_ref).collect()
        }
        match name {
            "resource" => vec![c.resource.as_str()],
            "role" => vec![self.wire.role.as_str()],
            "data" => vec![self.wire.data.as_str()],
            "provider" => one(c.provider.as_ref()),
            "region" => one(c.region.as_ref()),
            "basis" => vec![self.wire.basis.as_str()],
            "key_custody" => vec![self.wire.key_custody.as_str()],
            "countries" => all(&c.countries),
            "operator.name" => one(c.operator.as_ref().map(|e| &e.name)),
            "operator.country" => one(c.operator.as_ref().map(|e| &e.country)),
            "operator.model" => one(c.operator.as_ref().and_then(|e| e.model.as_ref())),
            "parent.name" => one(c.parent.as_ref().map(|e| &e.name)),
            "parent.country" => one(c.parent.as_ref().map(|e| &e.country)),
            "dataset.countries" => all(&self.dataset.countries),
            "dataset.content_countries" => all(&self.dataset.content_countries),
            "dataset.content_unknown" => vec![if self.dataset.content_unknown {
                "true"
            } else {
                "false"
            }],
            "subscriber_countries" => all(self.subscriber_countries),
            // `all`, `some`, `none` or `unknown`: whether the provider's operating entities
            // have a US operator or parent.
            "provider.us_control" => c
                .provider
                .as_deref()
                .map(|p| vec![self.providers.get(p).map_or("unknown", |f| f.0)])
                .unwrap_or_default(),
            "provider.us_presence" => c
                .provider
                .as_deref()
                .map(|p| {
                    vec![if self.providers.get(p).is_some_and(|f| f.1) {
                        "true"
                    } else {
                        "false"
                    }]
                })
                .unwrap_or_default(),
            // The date the region's service closed, when the catalog records one.
            "region.closed" => match (c.provider.as_deref(), c.region.as_deref()) {
                (Some(p), Some(r)) => self
                    .catalog
                    .region(p, r)
                    .and_then(|found| found.closed.as_deref())
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}
