//! `residency explain RULE`: the documentation of one rule, from a policy file given with
//! `--policy`, the built-in policies or the suppression rules.

use super::output::write_output;
use super::{ExitStatus, UsageError};
use crate::{policy, report};

#[derive(clap::Args)]
pub struct Args {
    /// Rule id, such as MSI001, CLD001 or EEA002.
    pub rule: String,
    /// Also look in this policy (a JSON file, or a built-in id); repeatable. Its rules are
    /// searched first.
    #[arg(long = "policy", value_name = "ID|FILE")]
    pub policies: Vec<String>,
}

pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    match policy::listing::explain(&args.rule, &args.policies)? {
        Some(rule) => {
            write_output(&report::listing::explanation_text(&rule), None)?;
            Ok(ExitStatus::Clean)
        }
        None => Err(format!(
            "no rule {}; `residency policies` lists every rule{}",
            args.rule,
            if args.policies.is_empty() {
                " (and --policy FILE looks in a policy file)"
            } else {
                ""
            }
        )
        .into()),
    }
}
