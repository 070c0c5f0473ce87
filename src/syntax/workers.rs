//! Parsing every file on all cores, with a time budget per file. Workers take the next file
//! from a shared counter (so one slow file does not hold up a whole chunk) and send results back
//! over a channel. A parser that runs past the budget on some input (a third-party parser can
//! backtrack exponentially on hostile text) is left behind: its file becomes an error entry, a
//! fresh worker takes its place, and the scan finishes. Results keep the order of the files.

use crate::diag::{Code, Diagnostic};
use crate::discover::SourceFile;
use crate::frontend::{parse_text, Parsed};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default time one file may take to parse. This is a watchdog of last resort, not a budget:
/// evaluation is bounded by work (`frontend::budget`), so the same input gives the same output
/// whatever the machine's load; only a third-party parser stuck on hostile text (exponential
/// backtracking) runs into it, and a minute is far beyond any real file on a loaded runner.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(60);

type Outcome = Result<Parsed, Diagnostic>;

struct Shared {
    files: Vec<SourceFile>,
    /// Texts already read, by file; a file without one is read by its worker.
    texts: Vec<Mutex<Option<String>>>,
    next: AtomicUsize,
    inputs: crate::model::Inputs,
    /// What each worker is parsing, and since when.
    busy: Mutex<Vec<Option<(usize, Instant)>>>,
}

fn spawn(shared: &Arc<Shared>, slot: usize, tx: &mpsc::Sender<(usize, Outcome)>) {
    let shared = Arc::clone(shared);
    let tx = tx.clone();
    std::thread::spawn(move || loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= shared.files.len() {
            return;
        }
        if let Ok(mut busy) = shared.busy.lock() {
            busy[slot] = Some((i, Instant::now()));
        }
        let file = &shared.files[i];
        let text = shared
            .texts
            .get(i)
            .and_then(|t| t.lock().ok().and_then(|mut t| t.take()));
        let outcome = std::panic::catch_unwind(|| parse_text(file, text, &shared.inputs))
            .unwrap_or_else(|_| {
                Err(Diagnostic::new(
                    Code::Internal,
                    0,
                    "the parser failed on this file (please report it)",
                ))
            });
        if let Ok(mut busy) = shared.busy.lock() {
            // A worker that was given up on no longer owns its slot.
            if busy[slot].is_some_and(|(j, _)| j == i) {
                busy[slot] = None;
            }
        }
        if tx.send((i, outcome)).is_err() {
            return;
        }
    });
}

/// Parses `files` on `threads` workers (0: one per core), giving each file at most `budget`;
/// `texts` holds the texts of files already read (by file; `None` or missing: read here), and
/// `inputs` gives the gate files are read through and the catalog values are checked against.
/// What a file keeps is copied into this thread's memory (`Parsed::compacted`).
pub fn parse_texts(
    files: &[SourceFile],
    texts: Vec<Option<String>>,
    threads: usize,
    inputs: &crate::model::Inputs,
    budget: Duration,
) -> Vec<Outcome> {
    if files.is_empty() {
        return Vec::new();
    }
    let cores = crate::parallel::cores();
    let workers = if threads == 0 { cores } else { threads }.min(files.len());
    let shared = Arc::new(Shared {
        files: files.to_vec(),
        texts: texts.into_iter().map(Mutex::new).collect(),
        next: AtomicUsize::new(0),
        inputs: inputs.clone(),
        busy: Mutex::new(vec![None; workers]),
    });
    let (tx, rx) = mpsc::channel();
    for slot in 0..workers {
        spawn(&shared, slot, &tx);
    }
    let mut results: Vec<Option<Outcome>> = (0..files.len()).map(|_| None).collect();
    let mut done = 0;
    let tick = budget.min(Duration::from_millis(200));
    while done < files.len() {
        match rx.recv_timeout(tick) {
            Ok((i, outcome)) => {
                if results[i].is_none() {
                    results[i] = Some(outcome.map(Parsed::compacted));
                    done += 1;
                    crate::progress::file_parsed();
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let stuck: Vec<(usize, usize)> = match shared.busy.lock() {
            Ok(mut busy) => busy
                .iter_mut()
                .enumerate()
                .filter_map(|(slot, state)| match *state {
                    Some((i, since)) if since.elapsed() > budget => {
                        *state = None;
                        Some((slot, i))
                    }
                    _ => None,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        for (slot, i) in stuck {
            if results[i].is_none() {
                results[i] = Some(Err(Diagnostic::new(
                    Code::ParseTimeout,
                    0,
                    format!(
                        "parsing took longer than {} s and was abandoned; the file is not scanned (--file-timeout)",
                        budget.as_secs_f64()
                    ),
                )));
                done += 1;
            }
            spawn(&shared, slot, &tx);
        }
    }
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(Diagnostic::new(
                    Code::Internal,
                    0,
                    "internal error while parsing",
                ))
            })
        })
        .collect()
}
