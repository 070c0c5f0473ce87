//! The command line, in the library so that it can be tested: the arguments of every
//! subcommand, and `run`, which sends each to its own file. `main.rs` only parses, sets the
//! colour and turns the status into an exit code.

pub mod completions;
pub mod exit;
pub mod explain;
pub mod input;
pub mod man;
pub mod map;
pub mod output;
pub mod policies;
pub mod progress_line;
pub mod regions;
pub mod scan;

pub use exit::ExitStatus;

use crate::diag::{Code, Diagnostic};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "residency",
    version = concat!(env!("CARGO_PKG_VERSION"), " (catalog ", crate::catalog_date!(), ")"),
    about = "Map where mailbox data physically lives in your infrastructure code, and what US warrants can reach",
    long_about = "residency reads Terraform (source, plans and state), CloudFormation, Azure ARM \
templates and Bicep, Kubernetes manifests, Docker Compose files and hosted mail tenants files, finds every place mailbox data \
lives (primary store, replicas, backups, archives, logs, processing), and judges each copy by a legal policy: by default \
the 2nd Circuit's 2016 Microsoft Ireland ruling (where the mail is stored decides; binding only in that circuit, \
vacated in 2018, and the report counts what current law reaches beside it), or the CLOUD Act \
(who controls it decides), or your own residency rules.\n\nNot legal advice: a simplified model whose verdicts are heuristics; have counsel review them.",
    after_help = "Exit codes: 0 no finding at or above --fail-on · 1 findings at or above it · 2 the tool could not run (bad arguments, policy) · 3 some input files could not be parsed and nothing else failed.\n\nExamples:\n  residency scan infra/\n  residency scan infra/ --region eu-west-1 --policy cloud-act-2018\n  terraform show -json plan.out > plan.json && residency scan .\n  residency scan arm/ --resource-group-location westeurope\n  residency scan k8s/ --cluster-region aws:eu-central-1\n  residency scan . --format text,sarif --output -,residency.sarif --fail-on medium\n  residency scan . --write-baseline residency-baseline.json\n  residency map infra/ --format mermaid\n  residency explain MSI001"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to use colour: auto (a terminal; honours NO_COLOR, CLICOLOR, CLICOLOR_FORCE and
    /// TERM=dumb), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan configuration: map where mail lives and evaluate the policies.
    Scan(scan::Args),
    /// Print the data map (every copy of mailbox data) without policies.
    Map(map::Args),
    /// List the built-in policies with their dates and citations.
    Policies(policies::Args),
    /// Print the documentation of a rule (for example MSI001).
    Explain(explain::Args),
    /// List the regions catalog: where each region is and who operates it.
    Regions(regions::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
    /// Print the manual page (roff): `residency man > residency.1`.
    Man(man::Args),
}

/// Sets whether output is coloured. `auto` follows the conventions as the `colored` crate reads
/// them (`CLICOLOR_FORCE` first, then `NO_COLOR`, then `CLICOLOR` and whether standard output is
/// a terminal), and a `TERM=dumb` terminal gets no colour.
pub fn set_colour(choice: ColorChoice) {
    match choice {
        ColorChoice::Always => colored::control::set_override(true),
        ColorChoice::Never => colored::control::set_override(false),
        ColorChoice::Auto => {
            colored::control::unset_override();
            let forced =
                std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
            if std::env::var_os("TERM").is_some_and(|t| t == "dumb") && !forced {
                colored::control::set_override(false);
            }
        }
    }
}

/// Why a subcommand could not run (exit 2): problems with the command line or the files it
/// names, all of them at once where they can be found together (a config file's).
#[derive(Debug)]
pub struct UsageError(pub Vec<Diagnostic>);

impl From<String> for UsageError {
    fn from(message: String) -> Self {
        UsageError(vec![Diagnostic::at(Code::Usage, "", 0, message)])
    }
}

impl From<Diagnostic> for UsageError {
    fn from(problem: Diagnostic) -> Self {
        UsageError(vec![problem])
    }
}

impl From<Vec<Diagnostic>> for UsageError {
    fn from(problems: Vec<Diagnostic>) -> Self {
        UsageError(problems)
    }
}

impl UsageError {
    /// Each problem as a line for standard error (without the `residency: error: ` prefix).
    pub fn lines(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|d| match (d.code, d.line) {
                (Code::Config, 0) => format!("config file {}: {}", d.file, d.message),
                (Code::Config, line) => format!("config file {}:{line}: {}", d.file, d.message),
                _ if d.file.is_empty() => d.message.clone(),
                _ => format!("{}: {}", d.file, d.message),
            })
            .collect()
    }
}

/// Runs one subcommand.
pub fn run(command: Command) -> Result<ExitStatus, UsageError> {
    match command {
        Command::Scan(args) => scan::run(args),
        Command::Map(args) => map::run(args),
        Command::Policies(args) => policies::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Regions(args) => regions::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
