//! `residency regions`: the catalog of regions, where each is and who operates it.

use super::output::write_output;
use super::policies::ListFormat;
use super::{ExitStatus, UsageError};
use crate::report;
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

pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    let catalog = super::input::catalog_with_files(&args.catalogs)?;
    let rows = catalog.rows(args.provider.as_deref(), args.country.as_deref());
    let text = match args.format {
        ListFormat::Json => report::listing::regions_json(&rows),
        ListFormat::Text => report::listing::regions_text(&rows),
    };
    write_output(&text, None)?;
    Ok(ExitStatus::Clean)
}
