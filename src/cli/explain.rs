//! `residency explain RULE`: the documentation of one rule, from the built-in policies or the
//! suppression rules.

use super::output::write_output;
use super::{ExitStatus, UsageError};
use crate::{policy, report};

#[derive(clap::Args)]
pub struct Args {
    /// Rule id, such as MSI001, CLD001 or EEA002.
    pub rule: String,
}

pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    match policy::listing::explain(&args.rule)? {
        Some(rule) => {
            write_output(&report::listing::explanation_text(&rule), None)?;
            Ok(ExitStatus::Clean)
        }
        None => Err(format!(
            "no rule {}; `residency policies` lists every rule",
            args.rule
        )
        .into()),
    }
}
