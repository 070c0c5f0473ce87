//! `residency regions`: the catalog of regions, where each is and who operates it.

use super::output::write_output;
use super::policies::ListFormat;
use super::{ExitStatus, UsageError};
use crate::report;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Only this provider (aws, azure, gcp, ...; an unknown one is refused with the list).
    #[arg(long)]
    pub provider: Option<String>,
    /// Only regions in this country (ISO 3166-1 alpha-2; anything else is refused).
    #[arg(long)]
    pub country: Option<String>,
    /// Add or correct catalog entries from a file in the catalog's own format (repeatable).
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// text, or json (every field of every region, with its source).
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    let catalog = super::input::catalog_with_files(&args.catalogs)?;
    if let Some(provider) = &args.provider {
        if catalog.provider(provider).is_none() {
            let known: Vec<&str> = catalog
                .providers
                .iter()
                .map(|p| p.provider.as_str())
                .collect();
            return Err(format!(
                "--provider {provider:?} is not in the catalog; one of: {}",
                known.join(", ")
            )
            .into());
        }
    }
    if let Some(country) = &args.country {
        if !crate::catalog::is_iso_country(&country.to_ascii_uppercase()) {
            return Err(format!("--country {country:?} is not an ISO 3166-1 alpha-2 code").into());
        }
    }
    let rows = catalog.rows(args.provider.as_deref(), args.country.as_deref());
    let text = match args.format {
        ListFormat::Json => report::listing::regions_json(&rows),
        ListFormat::Text => report::listing::regions_text(&rows),
    };
    write_output(&text, None)?;
    Ok(ExitStatus::Clean)
}
