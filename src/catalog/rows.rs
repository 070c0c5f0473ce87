//! The catalog as rows for `residency regions`: each region with where its geo-redundant pair
//! is and who operates it, filtered by provider and country.

use super::{Catalog, Entity};
use serde::Serialize;

/// One region as `residency regions` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub provider: String,
    pub id: String,
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 codes of the countries the region's data may be in.
    pub countries: Vec<String>,
    pub city: String,
    pub partition: String,
    /// `region`, `multi-region` or `dual-region`.
    pub kind: String,
    pub paired_region: Option<String>,
    /// Where the geo-redundant copy goes, so a border crossing shows at once.
    pub paired_countries: Option<Vec<String>>,
    /// The date the region closed, if it has.
    pub closed: Option<String>,
    /// Its zones, where the catalog lists them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
    pub operator: Option<std::sync::Arc<Entity>>,
    pub parent: Option<std::sync::Arc<Entity>>,
    /// The address the region's facts come from.
    pub source: Option<String>,
    pub confirmed: bool,
}

impl Catalog {
    /// Every region, in catalog order, of `provider` (all when `None`) with a country
    /// `country` (any when `None`; ISO code, any case).
    pub fn rows(&self, provider: Option<&str>, country: Option<&str>) -> Vec<Row> {
        let mut rows = Vec::new();
        for data in &self.providers {
            if provider.is_some_and(|p| p != data.provider) {
                continue;
            }
            for r in &data.regions {
                if let Some(cc) = country {
                    if !r.countries.iter().any(|c| c.eq_ignore_ascii_case(cc)) {
                        continue;
                    }
                }
                let control = self.control(&data.provider, r);
                rows.push(Row {
                    provider: data.provider.clone(),
                    id: r.id.clone(),
                    name: r.name.clone(),
                    countries: r.countries.clone(),
                    city: r.city.clone(),
                    partition: r.partition.clone(),
                    kind: r.kind.clone().unwrap_or_else(|| "region".into()),
                    paired_region: r.paired_region.clone(),
                    paired_countries: r
                        .paired_region
                        .as_deref()
                        .and_then(|p| self.region(&data.provider, p))
                        .map(|p| p.countries.clone()),
                    closed: r.closed.clone(),
                    zones: r.zones.clone(),
                    operator: control.as_ref().map(|c| c.0.clone()),
                    parent: control.as_ref().map(|c| c.1.clone()),
                    source: data.sources.get(&r.source).cloned(),
                    confirmed: r.confirmed,
                });
            }
        }
        rows
    }
}
