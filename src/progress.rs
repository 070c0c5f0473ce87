//! Where a scan is: the stage it is in and how many files are parsed, for the progress line
//! the command line draws on a terminal, and each stage's time and memory for
//! `RESIDENCY_TIMINGS`.
//!
//! The counters are process-wide and only ever read for display: a library caller that runs
//! scans side by side sees mixed counts on a progress line, never different results.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

static FILES_TOTAL: AtomicUsize = AtomicUsize::new(0);
static FILES_PARSED: AtomicUsize = AtomicUsize::new(0);
static STAGE: Mutex<&str> = Mutex::new("");

/// A snapshot for the progress line.
pub struct Snapshot {
    pub stage: &'static str,
    pub files_parsed: usize,
    pub files_total: usize,
}

/// The current stage and file counts.
pub fn snapshot() -> Snapshot {
    Snapshot {
        stage: STAGE.lock().map(|s| *s).unwrap_or(""),
        files_parsed: FILES_PARSED.load(Ordering::Relaxed),
        files_total: FILES_TOTAL.load(Ordering::Relaxed),
    }
}

/// A stage begins (`discovering`, `parsing`, ...).
pub fn begin(stage: &'static str) {
    if let Ok(mut current) = STAGE.lock() {
        *current = stage;
    }
}

/// Parsing of `total` files begins.
pub fn begin_parsing(total: usize) {
    FILES_TOTAL.store(total, Ordering::Relaxed);
    FILES_PARSED.store(0, Ordering::Relaxed);
    begin("parsing");
}

/// One more file is parsed.
pub fn file_parsed() {
    FILES_PARSED.fetch_add(1, Ordering::Relaxed);
}

/// Times a stage that has ended: with `RESIDENCY_TIMINGS` set, prints how long it took since
/// `since`, the memory in use and the peak so far (the stage whose line first shows the final
/// peak is where it was reached), to standard error (`python3 benches/bench.py` quotes totals;
/// this says where they go), and restarts the clock.
pub fn ended(name: &str, since: &mut Instant) {
    if std::env::var_os("RESIDENCY_TIMINGS").is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    eprintln!(
        "{name:<16} {:>8.1} ms  rss {}  peak {}",
        since.elapsed().as_secs_f64() * 1000.0,
        field("VmRSS:"),
        field("VmHWM:"),
    );
    *since = Instant::now();
}
