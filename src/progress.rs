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
    let (cpu_ms, faults) = cpu_and_faults();
    eprintln!(
        "{name:<16} {:>8.1} ms  rss {}  peak {}  cpu {cpu_ms} ms  faults {faults}",
        since.elapsed().as_secs_f64() * 1000.0,
        field("VmRSS:"),
        field("VmHWM:"),
    );
    *since = Instant::now();
}

/// The process's CPU time so far (user and system, every thread, ended ones included) in
/// milliseconds, and its minor page faults: a stage that uses one core shows as much CPU as
/// wall time, and faults far above the memory a stage holds mean freed pages were returned
/// to the system and touched again (`/proc/self/stat`, fields 10, 14 and 15; `proc(5)`).
/// Zeros where there is no such file.
#[cfg(unix)]
fn cpu_and_faults() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let number = |field: usize| -> u64 {
        fields
            .get(field - 3)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    // SAFETY: sysconf only reads a system constant.
    let ticks = match unsafe { libc::sysconf(libc::_SC_CLK_TCK) } {
        t if t > 0 => t as u64,
        _ => 100,
    };
    ((number(14) + number(15)) * 1000 / ticks, number(10))
}

#[cfg(not(unix))]
fn cpu_and_faults() -> (u64, u64) {
    (0, 0)
}
