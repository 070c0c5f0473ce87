//! Each hosted tenant as a resource of its service, so the data map and policies treat it like
//! any other mail source.

use super::parse::TenantFile;
use crate::model::{Origin, PlacedBy, ProviderSetting, Resource, SourceFormat};
use crate::value::Value;
use std::collections::BTreeMap;

/// Each hosted tenant as a resource of its service, so the data map and policies treat it like
/// any other mail source.
pub fn resources(file: &TenantFile) -> Vec<Resource> {
    file.tenants
        .iter()
        .map(|t| Resource {
            address: format!("tenant.{}", t.name),
            kind: t.kind.to_string(),
            scope: file.display.clone(),
            format: SourceFormat::Tenants,
            file: file.display.clone(),
            line: t.line,
            end_line: t.end_line,
            attributes: t.attributes.clone(),
            origins: BTreeMap::new(),
            provider: ProviderSetting {
                name: match t.kind {
                    "residency_m365_tenant" => "microsoft-365".into(),
                    "residency_workspace_tenant" => "google-workspace".into(),
                    _ => "hosted".into(),
                },
                alias: None,
                region: Value::Null,
                origin: Origin::Literal,
            },
            placed_by: PlacedBy::Catalog,
        })
        .collect()
}
