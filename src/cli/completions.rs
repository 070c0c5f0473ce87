//! `residency completions SHELL`: a completion script for bash, zsh, fish, PowerShell or Elvish,
//! generated from the same definitions as `--help` (clap_complete), printed to standard output.

use super::{Cli, ExitStatus, UsageError};
use clap::CommandFactory;

#[derive(clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "residency", &mut script);
    super::output::write_output(&String::from_utf8_lossy(&script), None)?;
    Ok(ExitStatus::Clean)
}
