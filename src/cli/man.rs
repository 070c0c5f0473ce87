//! `residency man`: the manual page (roff), generated from the same definitions as `--help`
//! (clap_mangen), printed to standard output: `residency man > residency.1`.

use super::{Cli, ExitStatus, UsageError};
use clap::CommandFactory;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<ExitStatus, UsageError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| format!("cannot render the manual page: {e}"))?;
    super::output::write_output(&String::from_utf8_lossy(&page), None)?;
    Ok(ExitStatus::Clean)
}
