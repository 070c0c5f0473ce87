//! The progress line on standard error: drawn only for a scan that takes longer than a second,
//! only when standard error is a terminal, never in CI (`CI` set), on a `TERM=dumb` terminal or
//! with `--quiet`. It is cleared before any report is written.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a scan runs before the line appears: quick scans never flicker.
const DELAY: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(100);

/// A progress line, drawn by a thread of its own until dropped.
pub struct ProgressLine {
    done: Arc<AtomicBool>,
    drawer: Option<JoinHandle<()>>,
}

impl ProgressLine {
    /// Starts the line if this run may show one (`quiet` is `--quiet`).
    pub fn start(quiet: bool) -> ProgressLine {
        let done = Arc::new(AtomicBool::new(false));
        let wanted = !quiet
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none_or(|v| v.is_empty())
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        let drawer = wanted.then(|| {
            let done = Arc::clone(&done);
            std::thread::spawn(move || draw(&done))
        });
        ProgressLine { done, drawer }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

/// [`DELAY`], or the milliseconds `RESIDENCY_PROGRESS_DELAY_MS` gives (0: at once).
fn delay() -> Duration {
    std::env::var("RESIDENCY_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(DELAY, Duration::from_millis)
}

fn draw(done: &AtomicBool) {
    let started = Instant::now();
    let delay = delay();
    while started.elapsed() < delay {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(TICK);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        .with_elapsed(started.elapsed());
    bar.set_style(
        ProgressStyle::with_template("{spinner} residency: {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    while !done.load(Ordering::Relaxed) {
        let now = crate::progress::snapshot();
        bar.set_message(if now.stage == "parsing" {
            format!("parsing {}/{} files", now.files_parsed, now.files_total)
        } else {
            now.stage.to_string()
        });
        bar.tick();
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}
