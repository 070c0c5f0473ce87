//! Policies: JSON files that say what a copy of mailbox data means legally. The built-in ones are
//! embedded from `policies/`; users pass their own with `--policy FILE`. A policy is validated
//! when it is loaded: an unknown key, field or operator is an error naming the file and the rule.

pub mod condition;
pub mod listing;

use crate::datamap::{Copy, DataMap, Dataset};
use crate::diag::Diagnostic;
use condition::{Condition, Facts};
use serde::Serialize;
use std::collections::BTreeMap;

pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "microsoft-ireland-2016",
        include_str!("../../policies/microsoft-ireland-2016.json"),
    ),
    (
        "cloud-act-2018",
        include_str!("../../policies/cloud-act-2018.json"),
    ),
    (
        "eea-residency",
        include_str!("../../policies/eea-residency.json"),
    ),
    (
        "gdpr-adequacy",
        include_str!("../../policies/gdpr-adequacy.json"),
    ),
];

pub const DEFAULT_POLICY: &str = "microsoft-ireland-2016";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

pub const VERDICTS: &[&str] = &[
    "exposed",
    "likely-exposed",
    "reduced",
    "not-reachable",
    "indeterminate",
    "violation",
    // Context for an assessment that changes no verdict (a comity motion, a conflict of laws).
    "note",
];

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub verdict: String,
    pub when: Condition,
    pub message: String,
    pub remediation: String,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyInfo {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub citations: Vec<String>,
    pub applies_from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
    /// Where to read the law or rule behind the policy (used as the SARIF help link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Where the law the policy models applied, when not everywhere (a court's circuit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub info: PolicyInfo,
    pub rules: Vec<Rule>,
    /// The policy's country sets as in force today (`{countries_outside:NAME}` in messages).
    pub sets: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub policy: String,
    pub severity: Severity,
    pub verdict: String,
    pub title: String,
    pub message: String,
    pub remediation: String,
    pub dataset: String,
    pub resource: String,
    /// The deployment of the copy (see `datamap::Copy::deployment`); empty for findings about
    /// suppressions.
    pub deployment: String,
    pub file: String,
    pub line: usize,
    #[serde(skip)]
    pub end_line: usize,
    /// Role and data class of the copy; absent for findings about suppressions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::datamap::Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<crate::datamap::DataClass>,
    pub region: Option<String>,
    pub countries: Vec<String>,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression_reason: Option<String>,
    /// `in-source` (a comment) or `external` (the config file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression_kind: Option<&'static str>,
    /// Stable identity across line moves and unrelated edits (see `baseline`).
    pub fingerprint: String,
    pub via: Vec<String>,
}

pub fn is_built_in(id: &str) -> bool {
    BUILT_IN.iter().any(|(known, _)| *known == id)
}

/// Loads a policy by built-in id or from a file path.
pub fn load(id_or_path: &str) -> Result<Policy, Diagnostic> {
    load_text(id_or_path).map_err(Diagnostic::usage)
}

fn load_text(id_or_path: &str) -> Result<Policy, String> {
    if let Some((_, text)) = BUILT_IN.iter().find(|(id, _)| *id == id_or_path) {
        return parse_text(text, &format!("built-in policy {id_or_path}"));
    }
    let path = std::path::Path::new(id_or_path);
    if !path.exists() {
        let known: Vec<&str> = BUILT_IN.iter().map(|(id, _)| *id).collect();
        return Err(format!(
            "policy {id_or_path:?} is neither a built-in policy ({}) nor a file",
            known.join(", ")
        ));
    }
    let text = crate::gate::read_user_file(path, "policy file", 0).map_err(|d| d.message)?;
    parse_text(&text, &format!("policy file {id_or_path}"))
}

type Object = serde_json::Map<String, serde_json::Value>;

fn check_keys(obj: &Object, allowed: &[&str], place: &str) -> Result<(), String> {
    for key in obj.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(format!(
                "{place}: unknown key {key:?} (expected one of: {})",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}

fn string(obj: &Object, key: &str, place: &str) -> Result<String, String> {
    match obj.get(key) {
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("{place}: {key:?} must be a string")),
        None => Err(format!("{place}: {key:?} is required")),
    }
}

fn optional_string(obj: &Object, key: &str, place: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None => Ok(None),
        Some(_) => string(obj, key, place).map(Some),
    }
}

/// A policy from its JSON text; `name` says where it came from in messages.
pub fn parse(text: &str, name: &str) -> Result<Policy, Diagnostic> {
    parse_text(text, name).map_err(Diagnostic::usage)
}

fn parse_text(text: &str, name: &str) -> Result<Policy, String> {
    let root: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("{name}: invalid JSON at line {}: {e}", e.line()))?;
    let obj = root
        .as_object()
        .ok_or_else(|| format!("{name}: a policy must be a JSON object"))?;
    check_keys(
        obj,
        &[
            "$schema",
            "id",
            "title",
            "summary",
            "citations",
            "applies_from",
            "superseded_on",
            "superseded_by",
            "reference",
            "scope",
            "sets",
            "rules",
        ],
        name,
    )?;
    let reference = optional_string(obj, "reference", name)?;
    if let Some(url) = &reference {
        if !url.starts_with("https://") || url.contains(char::is_whitespace) {
            return Err(format!("{name}: \"reference\" must be an https:// URL"));
        }
    }
    let id = string(obj, "id", name)?;
    let mut sets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(value) = obj.get("sets") {
        let set_obj = value
            .as_object()
            .ok_or_else(|| format!("{name}: \"sets\" must map names to lists of countries"))?;
        let today = crate::suppress::comment::today();
        for (set, list) in set_obj {
            sets.insert(
                set.clone(),
                set_members(list, &today, &format!("{name}: set {set}"))?,
            );
        }
    }
    let citations = match obj.get("citations") {
        None => Vec::new(),
        Some(v) => condition::string_list(v, &format!("{name}: citations"))?,
    };
    let info = PolicyInfo {
        id: id.clone(),
        title: string(obj, "title", name)?,
        summary: optional_string(obj, "summary", name)?.unwrap_or_default(),
        citations,
        applies_from: string(obj, "applies_from", name)?,
        superseded_on: optional_string(obj, "superseded_on", name)?,
        superseded_by: optional_string(obj, "superseded_by", name)?,
        reference,
        scope: optional_string(obj, "scope", name)?,
    };
    let rules_json = obj
        .get("rules")
        .and_then(|r| r.as_array())
        .ok_or_else(|| format!("{name}: \"rules\" must be a list"))?;
    let mut rules = Vec::new();
    for (i, rule) in rules_json.iter().enumerate() {
        let place = format!("{name}: rules[{i}]");
        let r = rule
            .as_object()
            .ok_or_else(|| format!("{place}: a rule must be an object"))?;
        check_keys(
            r,
            &[
                "id",
                "title",
                "severity",
                "verdict",
                "when",
                "message",
                "remediation",
                "explanation",
            ],
            &place,
        )?;
        let rule_id = string(r, "id", &place)?;
        let place = format!("{name}: rule {rule_id}");
        let severity_text = string(r, "severity", &place)?;
        let severity = Severity::parse(&severity_text).ok_or_else(|| {
            format!("{place}: severity {severity_text:?} is not one of info, low, medium, high")
        })?;
        let verdict = string(r, "verdict", &place)?;
        if !VERDICTS.contains(&verdict.as_str()) {
            return Err(format!(
                "{place}: verdict {verdict:?} is not one of {}",
                VERDICTS.join(", ")
            ));
        }
        let when = r
            .get("when")
            .ok_or_else(|| format!("{place}: \"when\" is required"))?;
        let when = Condition::parse(when, &sets, &format!("{place}: when"))?;
        if rules.iter().any(|x: &Rule| x.id == rule_id) {
            return Err(format!("{place}: rule id is used twice"));
        }
        rules.push(Rule {
            id: rule_id,
            title: string(r, "title", &place)?,
            severity,
            verdict,
            when,
            message: string(r, "message", &place)?,
            remediation: optional_string(r, "remediation", &place)?.unwrap_or_default(),
            explanation: optional_string(r, "explanation", &place)?.unwrap_or_default(),
        });
    }
    Ok(Policy { info, rules, sets })
}

/// The members of a set in force on `today`. An entry is a country code, or a dated entry
/// `{"value": "AU", "from": "2024-01-31", "until": "…", "source": "…"}` that belongs to the
/// set from `from` (inclusive) until `until` (exclusive): an executive agreement enters into
/// force, an adequacy decision is annulled.
fn set_members(list: &serde_json::Value, today: &str, place: &str) -> Result<Vec<String>, String> {
    let items = list
        .as_array()
        .ok_or_else(|| format!("{place} must be a list"))?;
    let mut members = Vec::new();
    for item in items {
        if let Some(text) = item.as_str() {
            members.push(text.to_string());
            continue;
        }
        let entry = item
            .as_object()
            .ok_or_else(|| format!("{place}: an entry is a string or an object with \"value\""))?;
        for key in entry.keys() {
            if !["value", "from", "until", "source"].contains(&key.as_str()) {
                return Err(format!("{place}: unknown key {key:?} in a dated entry"));
            }
        }
        let value = entry
            .get("value")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("{place}: a dated entry needs \"value\""))?;
        if entry.get("source").and_then(|v| v.as_str()).is_none() {
            return Err(format!("{place}: dated entry {value} needs a \"source\""));
        }
        let date = |key: &str| -> Result<Option<String>, String> {
            match entry.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(v) => match v.as_str() {
                    Some(d) if crate::suppress::comment::is_date(d) => Ok(Some(d.to_string())),
                    _ => Err(format!("{place}: {value}: {key} must be a YYYY-MM-DD date")),
                },
            }
        };
        let (from, until) = (date("from")?, date("until")?);
        let started = from.as_deref().is_none_or(|f| f <= today);
        let ended = until.as_deref().is_some_and(|u| u <= today);
        if started && !ended {
            members.push(value.to_string());
        }
    }
    Ok(members)
}

/// Evaluates every rule of every policy on every copy of every dataset.
pub fn evaluate(
    policies: &[Policy],
    map: &DataMap,
    subscriber_countries: &[String],
    catalog: &crate::catalog::Catalog,
) -> Vec<Finding> {
    matching(policies, map, subscriber_countries, catalog, finding)
}

/// What `on_match` makes of every (policy, rule, dataset, copy) whose rule holds, in dataset
/// order: findings for the report, or only what a count needs (`current law` beside the
/// ruling), without rendering messages that nobody reads.
pub fn matching<'m, R: Send>(
    policies: &[Policy],
    map: &'m DataMap,
    subscriber_countries: &[String],
    catalog: &crate::catalog::Catalog,
    on_match: impl Fn(&Policy, &Rule, &'m Dataset, &'m Copy) -> R + Sync,
) -> Vec<R> {
    let providers = condition::provider_facts(catalog);
    let judge = |datasets: &'m [Dataset]| {
        let mut matched = Vec::new();
        for dataset in datasets {
            let summary = condition::DatasetFacts::of(dataset);
            for copy in &dataset.copies {
                let wire = condition::WireNames::of(copy);
                let facts = Facts {
                    copy,
                    wire: &wire,
                    dataset: &summary,
                    subscriber_countries,
                    catalog,
                    providers: &providers,
                };
                for policy in policies {
                    for rule in &policy.rules {
                        if rule.when.eval(&facts) {
                            matched.push(on_match(policy, rule, dataset, copy));
                        }
                    }
                }
            }
        }
        matched
    };
    // Datasets are judged independently: on every core, results in dataset order.
    crate::parallel::on_every_core(&map.datasets, 64, judge)
}

fn finding(policy: &Policy, rule: &Rule, dataset: &Dataset, copy: &Copy) -> Finding {
    Finding {
        rule: rule.id.clone(),
        policy: policy.info.id.clone(),
        severity: rule.severity,
        verdict: rule.verdict.clone(),
        title: rule.title.clone(),
        message: render_with_sets(&rule.message, dataset, copy, &policy.sets),
        remediation: render_with_sets(&rule.remediation, dataset, copy, &policy.sets),
        dataset: dataset.source.clone(),
        resource: copy.resource.to_string(),
        deployment: copy.deployment.to_string(),
        file: copy.file.to_string(),
        line: copy.line,
        end_line: copy.end_line,
        role: Some(copy.role),
        data: Some(copy.data),
        region: copy.region.map(|r| r.to_string()),
        countries: copy.countries.iter().map(|c| c.to_string()).collect(),
        suppressed: false,
        suppression_reason: None,
        suppression_kind: None,
        fingerprint: String::new(),
        via: copy.via.iter().map(ToString::to_string).collect(),
    }
}

/// `render_message`, and `{countries_outside:SET}`: the copy's countries that are not in one
/// of the policy's sets (the countries that break an allow-list, not every country of it).
pub fn render_with_sets(
    template: &str,
    dataset: &Dataset,
    copy: &Copy,
    sets: &BTreeMap<String, Vec<String>>,
) -> String {
    render(template, dataset, copy, Some(sets))
}

/// A rule's message or remediation with its placeholders in words, for documentation that is
/// not about one copy (SARIF rule help, `residency explain`).
pub fn generic_text(template: &str) -> String {
    let mut template = template.to_string();
    while let Some(start) = template.find("{countries_outside:") {
        let Some(len) = template[start..].find('}') else {
            break;
        };
        template.replace_range(start..start + len + 1, "the countries outside the list");
    }
    template
        .replace("{location}", "its location")
        .replace("{holder}", "held by its operator")
        .replace("{resource}", "the resource")
        .replace("{role}", "copy")
        .replace("{data}", "mail data")
        .replace("{region}", "its region")
        .replace("{countries}", "its countries")
        .replace("{operator}", "the operator")
        .replace("{parent}", "the operator's parent")
        .replace("{reason}", "the reason")
        .replace("{source}", "the mail source")
}

/// Fills `{resource}`, `{role}`, `{data}`, `{region}`, `{countries}`, `{operator}`, `{parent}`,
/// `{holder}` (who holds the copy, as far as it is known), `{reason}`, `{location}` (region and
/// countries, or why unknown) and `{source}` in a rule's message.
pub fn render_message(template: &str, dataset: &Dataset, copy: &Copy) -> String {
    render(template, dataset, copy, None)
}

/// One pass over the template, each placeholder filled as it is met: a value from the files
/// (a resource name, a reason) is never read for placeholders itself, and nothing is worked
/// out that the template does not ask for (this runs twice for every finding). An unknown
/// placeholder is left as written.
fn render(
    template: &str,
    dataset: &Dataset,
    copy: &Copy,
    sets: Option<&BTreeMap<String, Vec<String>>>,
) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        if name.contains('{') {
            // `{a{region}`: the first brace is text, the placeholder starts at the next one.
            out.push('{');
            rest = &rest[open + 1..];
            continue;
        }
        match placeholder(name, dataset, copy, sets) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The text of one placeholder, or `None` for a name that is not one.
fn placeholder(
    name: &str,
    dataset: &Dataset,
    copy: &Copy,
    sets: Option<&BTreeMap<String, Vec<String>>>,
) -> Option<String> {
    let entity = |e: &Option<std::sync::Arc<crate::catalog::Entity>>| match e {
        Some(e) => format!("{} ({})", e.name, e.country),
        None => "unknown".to_string(),
    };
    let countries = || {
        if copy.countries.is_empty() {
            "unknown".to_string()
        } else {
            copy.countries.join(", ")
        }
    };
    let text: String = match name {
        "holder" => match (&copy.operator, &copy.parent, &copy.provider) {
            (Some(o), Some(p), _) if o == p => format!("held by {}", entity(&copy.operator)),
            (Some(_), _, _) => format!(
                "held by {}, controlled by {}",
                entity(&copy.operator),
                entity(&copy.parent)
            ),
            (None, Some(_), _) => format!(
                "held by a provider controlled by {} (its region, and so the operating entity, is not known)",
                entity(&copy.parent)
            ),
            (None, None, Some(provider)) => format!(
                "held by {provider} in a region that is not known (residency assumes its commercial partition, which is controlled from the United States)"
            ),
            (None, None, None) => "held by a party the files do not identify".to_string(),
        },
        "location" if copy.countries.is_empty() => format!(
            "location unknown: {}",
            copy.unknown_reason.as_deref().unwrap_or("no region")
        ),
        "location" => format!(
            "{} ({})",
            copy.region.as_deref().unwrap_or("unknown region"),
            countries()
        ),
        "resource" => copy.resource.to_string(),
        "role" => crate::datamap::wire_name(&copy.role),
        "data" => crate::datamap::wire_name(&copy.data),
        "region" => copy
            .region
            .map_or_else(|| "unknown".into(), |r| r.to_string()),
        "countries" => countries(),
        "operator" => entity(&copy.operator),
        "parent" => entity(&copy.parent),
        "reason" => copy.unknown_reason.clone().unwrap_or_default(),
        "source" => dataset.source.clone(),
        _ => {
            let set = name.strip_prefix("countries_outside:")?;
            let members = sets?.get(set).map(Vec::as_slice).unwrap_or_default();
            let outside: Vec<&str> = copy
                .countries
                .iter()
                .map(crate::value::Key::as_str)
                .filter(|c| !members.iter().any(|m| m == c))
                .collect();
            if outside.is_empty() {
                "none".to_string()
            } else {
                outside.join(", ")
            }
        }
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_values_are_not_read_for_more() {
        let copy = Copy {
            // A name from the files that looks like a placeholder stays as written.
            resource: "aws_s3_bucket.x{region}".into(),
            deployment: "envs/prod".into(),
            file: "main.tf".into(),
            line: 3,
            end_line: 9,
            role: crate::datamap::Role::Replica,
            data: crate::datamap::DataClass::Content,
            provider: Some("aws".into()),
            region: Some("eu-west-1".into()),
            countries: vec!["IE".into(), "US".into()],
            operator: None,
            parent: None,
            key_custody: crate::datamap::KeyCustody::Provider,
            key: None,
            basis: crate::locate::Basis::Declared,
            unknown_reason: None,
            via: Vec::new(),
            also_via: Vec::new(),
            declared: true,
        };
        let dataset = Dataset {
            deployment: "envs/prod".into(),
            source: "aws_ses_receipt_rule.in".into(),
            kind: "aws_ses_receipt_rule".into(),
            file: "main.tf".into(),
            line: 1,
            basis: "declared",
            reason: None,
            copies: Vec::new(),
        };
        let sets = BTreeMap::from([("eea".to_string(), vec!["IE".to_string()])]);
        assert_eq!(
            render_with_sets(
                "{resource} ({role}) in {location}, outside: {countries_outside:eea}; {unknown} {a{region}",
                &dataset,
                &copy,
                &sets,
            ),
            "aws_s3_bucket.x{region} (replica) in eu-west-1 (IE, US), outside: US; {unknown} {aeu-west-1"
        );
        // Without the policy's sets, a set placeholder is left as written; so is an open brace.
        assert_eq!(
            render_message("{countries_outside:eea} {source} {", &dataset, &copy),
            "{countries_outside:eea} aws_ses_receipt_rule.in {"
        );
    }

    #[test]
    fn built_in_policies_load() {
        for (id, _) in BUILT_IN {
            let p = load(id).unwrap();
            assert_eq!(p.info.id, *id);
            assert!(!p.rules.is_empty());
        }
    }

    #[test]
    fn validation_names_the_place() {
        let bad = r#"{"id":"x","title":"t","applies_from":"2020-01-01","rules":[
            {"id":"X1","title":"t","severity":"high","verdict":"violation","message":"m",
             "when":{"field":"countries","contains_any":["US"]}}]}"#;
        let err = parse(bad, "policy file x.json").unwrap_err().message;
        assert!(
            err.contains("rule X1") && err.contains("contains_any"),
            "{err}"
        );
        let bad = r#"{"id":"x","title":"t","applies_from":"2020-01-01","colour":"red","rules":[]}"#;
        assert!(parse(bad, "p").unwrap_err().message.contains("colour"));
        let bad = r#"{"id":"x","title":"t","applies_from":"2020-01-01","rules":[
            {"id":"X1","title":"t","severity":"severe","verdict":"violation","message":"m","when":{"all":[]}}]}"#;
        assert!(parse(bad, "p").unwrap_err().message.contains("severe"));
        let bad = r#"{"id":"x","title":"t","applies_from":"2020-01-01","rules":[
            {"id":"X1","title":"t","severity":"high","verdict":"violation","message":"m","when":{"field":"colour","equals":"x"}}]}"#;
        assert!(parse(bad, "p").unwrap_err().message.contains("colour"));
    }
}
