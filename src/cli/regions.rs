//! `residency regions`: the catalog of regions, where each is and who operates it.

use super::output::write_output;
use super::policies::ListFormat;
use super::ExitStatus;
use crate::catalog;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Only this provider (aws, azure, gcp).
    #[arg(long)]
    pub provider: Option<String>,
    /// Only regions in this country (ISO 3166-1 alpha-2).
    #[arg(long)]
    pub country: Option<String>,
    /// Add or correct catalog entries from a file in the catalog's own format (repeatable).
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

pub fn run(args: Args) -> Result<ExitStatus, String> {
    super::input::use_catalog_files(&args.catalogs)?;
    let cat = catalog::catalog();
    let mut rows = Vec::new();
    for data in &cat.providers {
        if args.provider.as_deref().is_some_and(|p| p != data.provider) {
            continue;
        }
        for r in &data.regions {
            if let Some(cc) = &args.country {
                if !r.countries.iter().any(|c| c.eq_ignore_ascii_case(cc)) {
                    continue;
                }
            }
            let control = cat.control(&data.provider, r);
            rows.push(serde_json::json!({
                "provider": data.provider,
                "id": r.id,
                "name": r.name,
                "countries": r.countries,
                "city": r.city,
                "partition": r.partition,
                "kind": r.kind.as_deref().unwrap_or("region"),
                "paired_region": r.paired_region,
                // Where the geo-redundant copy goes, so a border crossing shows at once.
                "paired_countries": r
                    .paired_region
                    .as_deref()
                    .and_then(|p| cat.region(&data.provider, p))
                    .map(|p| p.countries.clone()),
                "closed": r.closed,
                "operator": control.as_ref().map(|c| &c.0),
                "parent": control.as_ref().map(|c| &c.1),
                "source": data.sources.get(&r.source),
                "confirmed": r.confirmed,
            }));
        }
    }
    let text = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
        ListFormat::Text => rows
            .iter()
            .map(|r| {
                let countries: Vec<&str> = r["countries"]
                    .as_array()
                    .map(|c| c.iter().filter_map(|x| x.as_str()).collect())
                    .unwrap_or_default();
                // A multi-region's long list is summarised; --format json has it whole.
                let countries = if countries.len() > 3 {
                    format!("{} countries", countries.len())
                } else {
                    countries.join(",")
                };
                let mut notes = Vec::new();
                if let Some(p) = r["paired_region"].as_str() {
                    notes.push(format!("pair {p}"));
                }
                if let Some(closed) = r["closed"].as_str() {
                    notes.push(format!("closed {closed}"));
                }
                if r["confirmed"] == false {
                    notes.push("unconfirmed".to_string());
                }
                format!(
                    "{:<12} {:<24} {:<12} {:<28} {}\n",
                    r["provider"].as_str().unwrap_or_default(),
                    r["id"].as_str().unwrap_or_default(),
                    countries,
                    r["city"].as_str().unwrap_or_default(),
                    notes.join(", ")
                )
                .trim_end()
                .to_string()
                    + "\n"
            })
            .collect(),
    };
    write_output(&text, None)?;
    Ok(ExitStatus::Clean)
}
