//! `residency policies`: the built-in policies (or those named with `--policy`) with their
//! dates, citations and rules.

use super::output::write_output;
use super::{ExitStatus, UsageError};
use crate::{policy, report};
use clap::ValueEnum;

#[derive(clap::Args)]
pub struct Args {
    /// text, or json (each policy with its rules).
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// List this policy (a JSON file, or a built-in id) instead of the built-in ones;
    /// repeatable.
    #[arg(long = "policy", value_name = "ID|FILE")]
    pub policies: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    let entries = policy::listing::listed(&args.policies)?;
    let text = match args.format {
        ListFormat::Json => report::listing::policies_json(&entries),
        ListFormat::Text => report::listing::policies_text(&entries),
    };
    write_output(&text, None)?;
    Ok(ExitStatus::Clean)
}
