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

/// Freed memory goes back to the system after 10 ms instead of mimalloc 3's default second
/// (`options.c`): a scan frees most of what it allocates within a stage (a parser's working tree
/// is 27 times the tree it keeps), and with the default every thread's freed pages stayed
/// resident (`benches/bench.py`, 100 MB: 605 -> 531 MB peak; 4,400 small files 52 -> 35 MB).
/// 10 ms rather than 0: with transparent huge pages off (Cargo.toml) returning pages at once
/// saved only 4 MB more at 100 MB and cost 0.4 s of system time.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() -> ExitCode {
    // SAFETY: sets one of mimalloc's numeric options; no other thread exists yet.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    residency::value::Key::prepare();
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
