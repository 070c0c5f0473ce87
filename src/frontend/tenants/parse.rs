//! Hosted mail tenants: mail that no infrastructure file declares (Exchange Online, Google
//! Workspace, other hosted providers), described in a small JSON file kept beside the
//! infrastructure code. Any `.json` file whose top level has `"residency_tenants": 1` is one:
//!
//! ```json
//! {
//!   "residency_tenants": 1,
//!   "tenants": [
//!     {"name": "corp", "service": "microsoft-365", "default_geo": "EUR", "satellites": ["GBR"]},
//!     {"name": "corp-google", "service": "google-workspace", "data_region": "europe",
//!      "org_units": [{"path": "/Sales/US", "data_region": "united-states"}]},
//!     {"name": "legal", "service": "other", "provider": "Proton Mail", "countries": ["CH"],
//!      "operator": {"name": "Proton AG", "country": "CH"}}
//!   ]
//! }
//! ```
//!
//! Each tenant becomes a resource (`residency_m365_tenant`, `residency_workspace_tenant`,
//! `residency_hosted_mail`) that the data map treats as a mail source. Mistakes are errors that
//! name the line, the field and the allowed values.

use crate::catalog::{is_iso_country, Catalog};
use crate::diag::{Code, Diagnostic};
use crate::syntax::tree::{self, Node, NodeKind};
use crate::value::Value;
use compact_str::ToCompactString;
use std::collections::BTreeMap;

pub const FORMAT_KEY: &str = "residency_tenants";

#[derive(Debug, Clone)]
pub struct TenantFile {
    pub display: String,
    pub tenants: Vec<Tenant>,
    pub lines: Vec<(usize, String)>,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub name: String,
    /// `residency_m365_tenant`, `residency_workspace_tenant` or `residency_hosted_mail`.
    pub kind: &'static str,
    pub attributes: Value,
    pub line: usize,
    pub end_line: usize,
}

/// Whether a parsed JSON document is a tenants file (checked before it is taken for a template).
pub fn is_tenants_file(root: &Node) -> bool {
    root.get(FORMAT_KEY).is_some()
}

fn err(line: usize, message: String) -> Diagnostic {
    Diagnostic::new(Code::InvalidValue, line, message)
}

fn text_field<'a>(node: &'a Node, key: &str, place: &str) -> Result<&'a str, Diagnostic> {
    match node.get(key) {
        Some(n) => n
            .as_str()
            .ok_or_else(|| err(n.line, format!("{place}: \"{key}\" must be a string"))),
        None => Err(err(node.line, format!("{place}: \"{key}\" is required"))),
    }
}

fn check_keys(node: &Node, allowed: &[&str], place: &str) -> Result<(), Diagnostic> {
    for (key, value) in node.entries() {
        if !allowed.contains(&key.as_str()) {
            return Err(err(
                value.line,
                format!(
                    "{place}: unknown field \"{key}\" (allowed: {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A geography code of a service, checked against the catalog.
fn geography(
    cat: &Catalog,
    service: &str,
    node: &Node,
    field: &str,
    place: &str,
) -> Result<Value, Diagnostic> {
    let code = node
        .as_str()
        .ok_or_else(|| err(node.line, format!("{place}: \"{field}\" must be a string")))?;
    let known = cat.provider(service).map(|p| &p.geographies);
    let ok = known.is_some_and(|gs| gs.iter().any(|g| g.id.eq_ignore_ascii_case(code)))
        || (service == "google-workspace" && code == "no-preference");
    if !ok {
        let mut allowed: Vec<String> = known.into_iter().flatten().map(|g| g.id.clone()).collect();
        if service == "google-workspace" {
            allowed.push("no-preference".into());
        }
        return Err(err(
            node.line,
            format!(
                "{place}: \"{field}\" {code:?} is not one of {}",
                allowed.join(", ")
            ),
        ));
    }
    Ok(Value::String(code.to_compact_string()))
}

fn entity(node: &Node, place: &str) -> Result<Value, Diagnostic> {
    check_keys(node, &["name", "country"], place)?;
    let name = text_field(node, "name", place)?;
    let country = text_field(node, "country", place)?;
    if !is_iso_country(country) {
        return Err(err(
            node.line,
            format!("{place}: country {country:?} is not an ISO 3166-1 alpha-2 code"),
        ));
    }
    Ok(Value::Map(crate::value::map_of([
        ("name".to_string(), Value::String(name.to_compact_string())),
        (
            "country".to_string(),
            Value::String(country.to_compact_string()),
        ),
    ])))
}

fn list<'a>(node: Option<&'a Node>, place: &str, field: &str) -> Result<&'a [Node], Diagnostic> {
    match node.map(|n| &n.kind) {
        None => Ok(&[]),
        Some(NodeKind::Seq(items)) => Ok(items),
        Some(_) => Err(err(
            node.map_or(0, |n| n.line),
            format!("{place}: \"{field}\" must be a list"),
        )),
    }
}

fn tenant(cat: &Catalog, node: &Node, end_line: usize) -> Result<Tenant, Diagnostic> {
    let name = text_field(node, "name", "tenant")?.to_string();
    let place = format!("tenant {name:?}");
    let service = text_field(node, "service", &place)?;
    let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
    attrs.insert("name".into(), Value::String(name.to_compact_string()));
    let kind = match service {
        "microsoft-365" => {
            check_keys(
                node,
                &["name", "service", "default_geo", "satellites"],
                &place,
            )?;
            let default = node
                .get("default_geo")
                .ok_or_else(|| err(node.line, format!("{place}: \"default_geo\" is required")))?;
            attrs.insert(
                "default_geo".into(),
                geography(cat, "microsoft-365", default, "default_geo", &place)?,
            );
            let satellites = list(node.get("satellites"), &place, "satellites")?
                .iter()
                .map(|s| geography(cat, "microsoft-365", s, "satellites", &place))
                .collect::<Result<Vec<_>, _>>()?;
            attrs.insert("satellites".into(), Value::List(satellites.into()));
            "residency_m365_tenant"
        }
        "google-workspace" => {
            check_keys(
                node,
                &["name", "service", "data_region", "org_units"],
                &place,
            )?;
            let region = node
                .get("data_region")
                .ok_or_else(|| err(node.line, format!("{place}: \"data_region\" is required")))?;
            attrs.insert(
                "data_region".into(),
                geography(cat, "google-workspace", region, "data_region", &place)?,
            );
            let mut units = Vec::new();
            for unit in list(node.get("org_units"), &place, "org_units")? {
                let unit_place = format!("{place} org unit");
                check_keys(unit, &["path", "data_region"], &unit_place)?;
                let path = text_field(unit, "path", &unit_place)?;
                let region = unit.get("data_region").ok_or_else(|| {
                    err(
                        unit.line,
                        format!("{unit_place}: \"data_region\" is required"),
                    )
                })?;
                units.push(Value::Map(crate::value::map_of([
                    ("path".to_string(), Value::String(path.to_compact_string())),
                    (
                        "data_region".to_string(),
                        geography(cat, "google-workspace", region, "data_region", &unit_place)?,
                    ),
                ])));
            }
            attrs.insert("org_units".into(), Value::List(units.into()));
            "residency_workspace_tenant"
        }
        "other" => {
            check_keys(
                node,
                &[
                    "name",
                    "service",
                    "provider",
                    "countries",
                    "operator",
                    "parent",
                ],
                &place,
            )?;
            attrs.insert(
                "provider".into(),
                Value::String(text_field(node, "provider", &place)?.to_compact_string()),
            );
            let mut countries = Vec::new();
            for c in list(node.get("countries"), &place, "countries")? {
                match c.as_str() {
                    Some(code) if is_iso_country(code) => {
                        countries.push(Value::String(code.to_compact_string()))
                    }
                    _ => {
                        return Err(err(
                            c.line,
                            format!("{place}: every country must be an ISO 3166-1 alpha-2 code"),
                        ))
                    }
                }
            }
            attrs.insert("countries".into(), Value::List(countries.into()));
            for key in ["operator", "parent"] {
                if let Some(n) = node.get(key) {
                    attrs.insert(key.into(), entity(n, &format!("{place} {key}"))?);
                }
            }
            "residency_hosted_mail"
        }
        other => {
            return Err(err(
                node.get("service").map_or(node.line, |n| n.line),
                format!(
                "{place}: service {other:?} is not one of microsoft-365, google-workspace, other"
            ),
            ))
        }
    };
    Ok(Tenant {
        name,
        kind,
        attributes: Value::Map(crate::value::map_of(attrs)),
        line: node.line,
        end_line,
    })
}

pub fn parse(cat: &Catalog, text: &str, display: &str) -> Result<TenantFile, Diagnostic> {
    from_root(cat, &tree::load_json(text)?, text, display)
}

/// A tenants file from its already parsed JSON (`text` only for suppression comment lines).
pub fn from_root(
    cat: &Catalog,
    root: &Node,
    text: &str,
    display: &str,
) -> Result<TenantFile, Diagnostic> {
    check_keys(root, &[FORMAT_KEY, "tenants"], display)?;
    let version = root.get(FORMAT_KEY);
    if !matches!(version.map(|v| &v.kind), Some(NodeKind::Number(n)) if *n == 1.0) {
        return Err(err(
            version.map_or(root.line, |v| v.line),
            format!("\"{FORMAT_KEY}\" must be 1 (the format version)"),
        ));
    }
    let items = list(root.get("tenants"), "tenants file", "tenants")?;
    let mut tenants = Vec::new();
    for (i, item) in items.iter().enumerate() {
        // A tenant ends where the next begins (its closing line is not kept by the tree).
        let end = items
            .get(i + 1)
            .map_or(item.line, |next| next.line.saturating_sub(1));
        tenants.push(tenant(cat, item, end.max(item.line))?);
    }
    Ok(TenantFile {
        display: display.to_string(),
        tenants,
        lines: crate::syntax::marker_lines(text),
    })
}
