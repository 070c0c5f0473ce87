//! Each hosted tenant as a resource of its service, so the data map and policies treat it like
//! any other mail source.

use super::parse::TenantFile;
use crate::model::{Origin, PlacedBy, ProviderSetting, Resource, SourceFormat};
use crate::value::Value;
use compact_str::ToCompactString;
use std::collections::BTreeMap;

/// Each hosted tenant as a resource of its service, so the data map and policies treat it like
/// any other mail source.
pub fn resources(file: &TenantFile) -> Vec<Resource> {
    let tenants: Vec<Resource> = file
        .tenants
        .iter()
        .map(|t| Resource {
            address: format!("tenant.{}", t.name),
            kind: t.kind.into(),
            scope: file.display.as_str().into(),
            format: SourceFormat::Tenants,
            file: file.display.as_str().into(),
            line: t.line,
            end_line: t.end_line,
            attributes: t.attributes.clone(),
            origins: BTreeMap::new(),
            provider: std::sync::Arc::new(ProviderSetting {
                name: match t.kind {
                    "residency_m365_tenant" => "microsoft-365".into(),
                    "residency_workspace_tenant" => "google-workspace".into(),
                    _ => "hosted".into(),
                },
                alias: None,
                region: Value::Null,
                origin: Origin::Literal,
            }),
            placed_by: PlacedBy::Catalog,
        })
        .collect();
    let mut out = Vec::new();
    for tenant in tenants {
        let satellites = satellites(&tenant);
        out.push(tenant);
        out.extend(satellites);
    }
    out
}

/// The Multi-Geo satellites of a Microsoft 365 tenant, each a mail source of its own: a
/// satellite holds the mailboxes of the users assigned to it, not a copy of the default
/// geography's mail, so each geography is its own dataset. `$tenant` names the tenant, whose
/// directory data (kept in the default geography) every dataset shares.
fn satellites(tenant: &Resource) -> Vec<Resource> {
    if tenant.kind == "residency_workspace_tenant" {
        return org_units(tenant);
    }
    if tenant.kind != "residency_m365_tenant" {
        return Vec::new();
    }
    tenant
        .attr("satellites")
        .items()
        .into_iter()
        .filter_map(Value::as_str)
        .map(|geo| {
            let attributes = crate::value::map_of([
                ("geo", Value::String(geo.to_compact_string())),
                (
                    "$tenant",
                    Value::unknown_ref("the tenant of this satellite", tenant.address.clone()),
                ),
            ]);
            Resource {
                address: format!("{} (Multi-Geo satellite {geo})", tenant.address),
                kind: "residency_m365_satellite".into(),
                attributes: Value::Map(attributes),
                ..tenant.clone()
            }
        })
        .collect()
}

/// The organisational units of a Google Workspace tenant with a data region of their own: each
/// holds its users' mail, a dataset of its own like a Multi-Geo satellite.
fn org_units(tenant: &Resource) -> Vec<Resource> {
    tenant
        .attr("org_units")
        .items()
        .into_iter()
        .map(|unit| {
            let path = unit.get("path").as_str().unwrap_or("?");
            let region = unit.get("data_region").clone();
            let code = region.as_str().unwrap_or("?").to_string();
            let attributes = crate::value::map_of([
                ("data_region", region),
                ("path", Value::String(path.to_compact_string())),
            ]);
            Resource {
                address: format!("{} (organisational unit {path}: {code})", tenant.address),
                kind: "residency_workspace_unit".into(),
                attributes: Value::Map(attributes),
                ..tenant.clone()
            }
        })
        .collect()
}
