//! The binary: parses the command line, sets the colour, runs the subcommand
//! (`residency::cli`), and turns its status into the documented exit code.

use clap::Parser;
use residency::cli::{self, Cli, ExitStatus};
use std::process::ExitCode;

/// mimalloc: the scan builds and drops millions of small values (syntax trees, evaluated
/// attributes); with glibc's allocator, malloc and free took a third of the time (perf).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Cli::parse();
    cli::set_colour(args.color);
    let status = match cli::run(args.command) {
        Ok(status) => status,
        Err(problems) => {
            // A message may quote a file (a config value, a path): no control characters.
            for line in problems.lines() {
                eprintln!(
                    "residency: error: {}",
                    residency::report::escape::controls(&line)
                );
            }
            ExitStatus::Usage
        }
    };
    ExitCode::from(status.code())
}
