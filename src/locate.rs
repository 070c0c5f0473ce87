//! Locating: where a resource physically is, from its region or location and the catalog.
//! Nothing is guessed: a region that is not set, not evaluated or not in the catalog gives an
//! unknown placement with the reason.

use crate::catalog::{Catalog, Entity};
use crate::redact::Secrets;

/// What placing a resource looks things up in: the scan's regions catalog, and the values its
/// configuration marks as secret (never shown whole in a message about an unknown region).
#[derive(Clone, Copy)]
pub struct Lookups<'a> {
    pub catalog: &'a Catalog,
    pub secrets: &'a Secrets,
}
use crate::model::{Origin, Resource};
use crate::value::Value;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Written in the scanned files.
    Declared,
    /// A service default that applies when the configuration says nothing.
    ProviderDefault,
    /// Came through a variable, tfvars, a parameter or a command-line option.
    Variable,
    /// Derived, not written: a geo-redundant pair, a region inside an ARN.
    Implicit,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// Catalog provider id: `aws`, `azure`, `gcp`.
    pub provider: Option<String>,
    /// Normalised region id (`westeurope`, `eu-west-1`), or the geography for geography-scoped
    /// services.
    pub region: Option<String>,
    pub countries: Vec<String>,
    pub operator: Option<std::sync::Arc<Entity>>,
    pub parent: Option<std::sync::Arc<Entity>>,
    pub basis: Basis,
    pub unknown_reason: Option<String>,
}

impl Placement {
    pub fn unknown(provider: Option<&str>, reason: impl Into<String>) -> Placement {
        Placement {
            provider: provider.map(str::to_string),
            region: None,
            countries: Vec::new(),
            operator: None,
            parent: None,
            basis: Basis::Unknown,
            unknown_reason: Some(reason.into()),
        }
    }
}

/// The catalog's provider id for a Terraform provider name or a resource type.
pub fn catalog_provider(resource: &Resource) -> Option<&'static str> {
    if resource.kind.starts_with("AWS::") {
        return Some("aws");
    }
    if resource.kind.starts_with("Microsoft.") || resource.kind.starts_with("microsoft.") {
        return Some("azure");
    }
    match resource.provider.name.as_str() {
        "aws" => Some("aws"),
        "azurerm" | "azapi" => Some("azure"),
        "google" | "google-beta" => Some("gcp"),
        "hcloud" => Some("hetzner"),
        "digitalocean" => Some("digitalocean"),
        "scaleway" => Some("scaleway"),
        "oci" => Some("oci"),
        "alicloud" => Some("alibaba"),
        "ibm" => Some("ibm"),
        "ovh" => Some("ovh"),
        "linode" => Some("linode"),
        "vultr" => Some("vultr"),
        "mailgun" => Some("mailgun"),
        "resend" => Some("resend"),
        "microsoft-365" => Some("microsoft-365"),
        "google-workspace" => Some("google-workspace"),
        _ => None,
    }
}

fn basis_of(origin: Origin) -> Basis {
    match origin {
        Origin::Literal => Basis::Declared,
        Origin::Variable => Basis::Variable,
    }
}

/// Services that put data in a fixed location when the configuration names none, rather than in
/// the provider's region: a BigQuery dataset without `location` is in the `US` multi-region
/// (MAIL-DATA.md §2.3, terraform-provider-google `r/bigquery_dataset`: "The default value is
/// multi-regional location US").
const LOCATION_DEFAULTS: &[(&str, &str)] = &[
    ("google_bigquery_dataset", "US"),
    // The Mailgun provider's default region (catalog mailgun.json, terraform-mailgun).
    ("mailgun_domain", "us"),
    // Resend's default sending region (catalog resend.json, resend-default).
    ("resend_domain", "us-east-1"),
    // Scaleway Transactional Email runs in fr-par only (scaleway/terraform-provider-scaleway
    // issue 2883: "only the fr-par region is supported"; catalog scaleway.json).
    ("scaleway_tem_domain", "fr-par"),
];

/// Places a region given as text, for a provider.
pub fn place_region(lk: &Lookups, provider: &str, region: &str, basis: Basis) -> Placement {
    match lk.catalog.region(provider, region) {
        Some(found) => {
            let control = lk.catalog.control(provider, found);
            Placement {
                provider: Some(provider.to_string()),
                region: Some(found.id.clone()),
                countries: found.countries.clone(),
                operator: control.as_ref().map(|c| c.0.clone()),
                parent: control.map(|c| c.1),
                basis,
                unknown_reason: None,
            }
        }
        None => Placement {
            region: Some(lk.secrets.prefix(&crate::catalog::normalise(
                provider, region,
            ))),
            ..Placement::unknown(
                Some(provider),
                match lk.catalog.suggest(provider, region) {
                    Some(near) => format!(
                        "region {} is not in residency's catalog for {provider}; did you mean {near}?",
                        lk.secrets.excerpt(region)
                    ),
                    None => format!(
                        "region {} is not in residency's catalog for {provider} (a new region, or a typo); add it with [[catalog]] in residency.toml",
                        lk.secrets.excerpt(region)
                    ),
                },
            )
        },
    }
}

/// Places a value that should hold a region.
pub fn place_value(
    lk: &Lookups,
    provider: &str,
    value: &Value,
    origin: Origin,
    what: &str,
) -> Placement {
    match value {
        Value::String(region) => place_region(lk, provider, region, basis_of(origin)),
        Value::Unknown(u) => Placement::unknown(Some(provider), u.reason.clone()),
        Value::Null => Placement::unknown(Some(provider), format!("{what} is not set")),
        _ => Placement::unknown(Some(provider), format!("{what} is not a string")),
    }
}

/// Places a hosted service's geography (a Microsoft 365 PreferredDataLocation code, a Google
/// Workspace data region). Workspace's "No preference" leaves the choice to Google: unknown,
/// but the operator is still known.
pub fn place_service_geography(lk: &Lookups, provider: &str, value: &Value) -> Placement {
    if provider == "google-workspace" && value.as_str() == Some("no-preference") {
        let partition = lk
            .catalog
            .provider(provider)
            .and_then(|p| p.partitions.first());
        return Placement {
            operator: partition.map(|p| p.operator.clone()),
            parent: partition.map(|p| p.parent.clone()),
            ..Placement::unknown(
                Some(provider),
                "data region 'No preference': Google chooses where Workspace data is kept",
            )
        };
    }
    place_geography(lk, provider, value, Origin::Literal)
}

/// A tenant of a hosted provider the tenants file describes itself: its countries and operator.
fn place_hosted(resource: &Resource) -> Placement {
    let countries: Vec<String> = resource
        .attr("countries")
        .items()
        .iter()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let entity = |v: &Value| -> Option<std::sync::Arc<Entity>> {
        Some(std::sync::Arc::new(Entity {
            name: v.get("name").as_str()?.to_string(),
            country: v.get("country").as_str()?.to_string(),
            model: None,
        }))
    };
    let operator = entity(resource.attr("operator"));
    let parent = entity(resource.attr("parent")).or_else(|| operator.clone());
    let provider = resource.attr("provider").as_str().map(str::to_string);
    if countries.is_empty() {
        return Placement {
            provider,
            operator,
            parent,
            ..Placement::unknown(
                None,
                "the tenants file gives no countries for this provider",
            )
        };
    }
    Placement {
        provider,
        region: None,
        countries,
        operator,
        parent,
        basis: Basis::Declared,
        unknown_reason: None,
    }
}

/// A Kubernetes object: the resolver has already read what the manifests (or
/// `--cluster-region`) say about its cloud and region.
fn place_kubernetes(lk: &Lookups, resource: &Resource) -> Placement {
    let setting = &resource.provider;
    match resource.attr("$provider").as_str() {
        Some(provider) => place_value(lk, provider, &setting.region, setting.origin, "region"),
        None => Placement::unknown(
            None,
            setting
                .region
                .unknown_reason()
                .unwrap_or("the manifests do not say which cloud the cluster runs in; pass --cluster-region PROVIDER:REGION"),
        ),
    }
}

/// Where a declared resource is.
pub fn locate(lk: &Lookups, resource: &Resource) -> Placement {
    match resource.kind.as_str() {
        "residency_m365_tenant" => {
            return place_service_geography(lk, "microsoft-365", resource.attr("default_geo"))
        }
        "residency_m365_satellite" => {
            return place_service_geography(lk, "microsoft-365", resource.attr("geo"))
        }
        "residency_workspace_tenant" | "residency_workspace_unit" => {
            return place_service_geography(lk, "google-workspace", resource.attr("data_region"))
        }
        "residency_hosted_mail" => return place_hosted(resource),
        _ => {}
    }
    if resource.placed_by == crate::model::PlacedBy::FrontEnd {
        return place_kubernetes(lk, resource);
    }
    let Some(provider) = catalog_provider(resource) else {
        return Placement::unknown(
            None,
            format!(
                "provider {} is not in residency's catalog",
                resource.provider.name
            ),
        );
    };
    match provider {
        "aws" => {
            // AWS provider v6: a per-resource `region` argument overrides the provider's.
            let own = resource.attr("region");
            if !own.is_null() && resource.kind.starts_with("aws_") {
                return place_value(lk, "aws", own, resource.origin("region"), "region");
            }
            let setting = &resource.provider;
            match &setting.region {
                Value::Null => Placement::unknown(
                    Some("aws"),
                    match &setting.alias {
                        Some(a) => format!("provider aws.{a} has no region; pass --region"),
                        None => "provider aws has no region; pass --region".to_string(),
                    },
                ),
                region => place_value(lk, "aws", region, setting.origin, "the provider's region"),
            }
        }
        "azure" => {
            // Communication Services keep data in the geography of `data_location`; their ARM
            // location is always `global` (MAIL-DATA.md §1.4).
            if matches!(
                resource.kind.as_str(),
                "azurerm_email_communication_service" | "azurerm_communication_service"
            ) {
                return place_geography(
                    lk,
                    "azure",
                    resource.attr("data_location"),
                    resource.origin("data_location"),
                );
            }
            if matches!(
                resource.kind.as_str(),
                "Microsoft.Communication/emailServices"
                    | "Microsoft.Communication/communicationServices"
            ) {
                return place_geography(
                    lk,
                    "azure",
                    resource.attributes.path(&["properties", "dataLocation"]),
                    resource.origin("properties"),
                );
            }
            let location = resource.attr("location");
            if location
                .as_str()
                .is_some_and(|l| l.eq_ignore_ascii_case("global"))
            {
                return Placement::unknown(
                    Some("azure"),
                    "location is `global`: the service chooses where data is kept",
                );
            }
            place_value(
                lk,
                "azure",
                location,
                resource.origin("location"),
                "location",
            )
        }
        other => {
            // Google (`location`, `region`, `zone`), Hetzner (`location`, `datacenter`),
            // DigitalOcean, Linode, Alibaba (`region`), Scaleway and IBM (`region`, `zone`),
            // OVHcloud (`region`, `region_name`): the resource's own setting, else the provider's.
            for attr in ["location", "region", "zone", "datacenter", "region_name"] {
                let v = resource.attr(attr);
                if !v.is_null() {
                    return place_value(lk, other, v, resource.origin(attr), attr);
                }
            }
            if let Some((_, default)) = LOCATION_DEFAULTS.iter().find(|(k, _)| *k == resource.kind)
            {
                return place_region(lk, other, default, Basis::ProviderDefault);
            }
            match &resource.provider.region {
                Value::Null => Placement::unknown(
                    Some(other),
                    format!(
                        "neither the resource nor provider {} sets a region or location",
                        resource.provider.name
                    ),
                ),
                region => place_value(
                    lk,
                    other,
                    region,
                    resource.provider.origin,
                    "the provider's region",
                ),
            }
        }
    }
}

/// Places a geography-scoped service (Azure Communication Services `data_location`).
pub fn place_geography(
    lk: &Lookups,
    provider: &str,
    geography: &Value,
    origin: Origin,
) -> Placement {
    let Some(name) = geography.as_str() else {
        return place_value(lk, provider, geography, origin, "data_location");
    };
    match lk.catalog.geography(provider, name) {
        Some(g) => {
            // Geography-scoped services run in the provider's public partition.
            let partition = lk
                .catalog
                .provider(provider)
                .and_then(|p| p.partitions.first());
            Placement {
                provider: Some(provider.to_string()),
                region: Some(g.id.clone()),
                countries: g.countries.clone(),
                operator: partition.map(|p| p.operator.clone()),
                parent: partition.map(|p| p.parent.clone()),
                basis: basis_of(origin),
                unknown_reason: None,
            }
        }
        None => Placement::unknown(
            Some(provider),
            format!(
                "data location {} is not in residency's catalog",
                lk.secrets.excerpt(name)
            ),
        ),
    }
}
