//! The binary: parses the command line, sets the colour, runs the subcommand
//! (`residency::cli`), and turns its status into the documented exit code.

use clap::Parser;
use residency::cli::{self, Cli, ExitStatus};
use std::process::ExitCode;

/// mimalloc: the scan builds and drops millions of small values (syntax trees, evaluated
/// attributes); with glibc's allocator, malloc and free took a third of the time (perf).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`mimalloc.h`, where deprecated
/// options keep their places so the numbers stay stable); the crate names it only for mimalloc 2.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once, not after mimalloc's default 10 ms. A scan
/// frees most of what it allocates within a stage (a parser's working tree is 27 times the tree
/// it keeps; an evaluation's memoised values outlive it by nothing), and with the delay every
/// thread's freed pages stayed resident: `benches/bench.py` peaks fell from 100 to 57 MB (4,400
/// small files), 136 to 98 MB (10 MB) and 830 to 727 MB (100 MB), for about a tenth more CPU
/// time (pages handed back and faulted in again) and no change in wall time beyond the 2-core
/// machine's noise.
const PURGE_DELAY_MS: std::ffi::c_long = 0;

fn main() -> ExitCode {
    // SAFETY: sets one of mimalloc's numeric options; no other thread exists yet.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
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
