//! Root modules parsed and resolved a batch at a time, so that a scan never holds the syntax
//! trees of all its roots at once. A parsed `.tf` file takes about four times its text, and
//! every tree used to be held from parsing until its root was evaluated: a 100 MB monorepo of
//! 11,000 roots held 380 MB of trees, the peak of the whole scan.
//!
//! Which directories can go first is known before parsing, from the texts alone: a directory
//! that no file of the scan names as a local module source (see
//! [`super::parse::local_source_candidates`], which finds every text that could be one) is
//! called by nobody, and is a root module whatever it holds. Every other directory is parsed
//! with the rest of the scan and resolved afterwards with Terraform's rules, exactly as
//! before; those it may call are held for the streamed roots too. If any text cannot be read
//! that way (an escape where a source could be), nothing is streamed.
//!
//! Streamed files are parsed by the same workers, with the same time budget, as every other
//! file; their errors, warnings and suppression markers are reported as theirs would be.

use super::parse::local_source_candidates;
use super::resolve::{self, normalise_path, DirFiles};
use super::File;
use crate::discover::{display_path, Format, SourceFile};
use crate::frontend::{Collected, Parsed};
use crate::hash::{HashMap, HashSet};
use crate::model::{Inputs, Resource};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How much text is parsed before it is resolved: the trees of one batch (about four times
/// this) are what streaming holds at a time, beside the texts not yet parsed. Measured on
/// the bench's 10 MB tree (one batch at 8 MB): peak 58 MB at 8 MB, 51-55 MB at 2 MB, the
/// same time; 100 MB: the same peak (the data map's) and time either way.
const BATCH_BYTES: usize = 2 << 20;

/// A directory's Terraform files, each with its text when it could be read ahead.
type DirTexts = Vec<(SourceFile, Option<String>)>;

/// The Terraform files of directories that no file can call, by directory (as found, so in
/// the order the other roots are in), each with its text when it could be read ahead.
#[derive(Default)]
pub struct Streamed {
    dirs: BTreeMap<PathBuf, DirTexts>,
    /// The time one file may take to parse (`--file-timeout`).
    budget: Duration,
}

/// The scan's files split by [`split`]: those parsed now, each with its text when it was
/// read ahead (so that no file is read twice), and the streamed roots.
pub struct Split {
    pub now: Vec<SourceFile>,
    pub texts: Vec<Option<String>>,
    pub streamed: Streamed,
}

/// Splits the scan's files into those parsed now and the Terraform files of the directories
/// that are roots whatever they hold ([`Streamed`]). Reads every Terraform file once, ahead,
/// and keeps its text for its parse.
pub fn split(files: Vec<SourceFile>, inputs: &Inputs, budget: Duration) -> Split {
    let is_config =
        |f: &SourceFile| matches!(f.format, Format::TerraformHcl | Format::TerraformJson);
    let configs: Vec<&SourceFile> = files.iter().filter(|f| is_config(f)).collect();
    if configs.is_empty() {
        return Split {
            now: files,
            texts: Vec::new(),
            streamed: Streamed::default(),
        };
    }
    // Each file's text (`None`: unreadable, to be reported by its parse) and the directories
    // it could call (`None`: it cannot tell).
    let read: Vec<(Option<String>, Option<Vec<PathBuf>>)> =
        crate::parallel::on_every_core(&configs, 64, |part| {
            part.iter()
                .map(|f| {
                    let text = inputs.gate.read_text(&f.path, crate::gate::Area::Scan).ok();
                    let dir = parent(&f.path);
                    let calls = match &text {
                        None => Some(Vec::new()),
                        Some(text) => local_source_candidates(text).map(|sources| {
                            sources
                                .into_iter()
                                .map(|s| normalise_path(&dir.join(s)))
                                .collect()
                        }),
                    };
                    (text, calls)
                })
                .collect()
        });
    // With any file that cannot tell, every directory may be called: nothing is streamed.
    let mut candidates: Option<HashSet<PathBuf>> = Some(HashSet::default());
    let mut texts = Vec::with_capacity(read.len());
    for (text, calls) in read {
        match (calls, &mut candidates) {
            (Some(calls), Some(candidates)) => candidates.extend(calls),
            _ => candidates = None,
        }
        texts.push(text);
    }
    let mut texts = texts.into_iter();
    let mut split = Split {
        now: Vec::new(),
        texts: Vec::new(),
        streamed: Streamed {
            dirs: BTreeMap::new(),
            budget,
        },
    };
    for file in files {
        if !is_config(&file) {
            split.now.push(file);
            split.texts.push(None);
            continue;
        }
        let text = texts.next().flatten();
        let dir = parent(&file.path);
        let may_be_called = candidates
            .as_ref()
            .is_none_or(|c| c.contains(&normalise_path(&dir)));
        if may_be_called {
            split.now.push(file);
            split.texts.push(text);
        } else {
            split
                .streamed
                .dirs
                .entry(dir)
                .or_default()
                .push((file, text));
        }
    }
    split
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(PathBuf::from).unwrap_or_default()
}

/// Every root module's resources: the streamed directories parsed and resolved a batch at a
/// time, with every directory of `dirs` available to them as a module; then `dirs` resolved
/// with Terraform's rules (which are roots, which are called), the streamed roots' calls
/// included. Resources come in the order of the root directories, as if all were resolved
/// together.
pub fn resolve(
    dirs: Vec<DirFiles>,
    streamed: Streamed,
    inputs: &Inputs,
    threads: usize,
    collected: &mut Collected,
) -> Vec<Resource> {
    let budget = streamed.budget;
    // Modules are looked up by normalised directory; two directories found under one (the
    // last is the module, as in `resolve::resolve`) both stay to be resolved.
    let mut shared: HashMap<PathBuf, DirFiles> = HashMap::default();
    let mut twins = Vec::new();
    for d in dirs {
        if let Some(earlier) = shared.insert(normalise_path(&d.dir), d) {
            twins.push(earlier);
        }
    }
    let scanned: HashSet<PathBuf> = shared
        .keys()
        .cloned()
        .chain(streamed.dirs.keys().map(|d| normalise_path(d)))
        .collect();
    let mut roots: Vec<(PathBuf, Vec<Resource>)> = Vec::new();
    let mut streamed_calls: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    let mut batch: Vec<(PathBuf, DirTexts)> = Vec::new();
    let mut batch_bytes = 0;
    let mut pending = streamed.dirs.into_iter().peekable();
    while let Some((dir, files)) = pending.next() {
        batch_bytes += files
            .iter()
            .map(|(_, t)| t.as_ref().map_or(0, String::len))
            .sum::<usize>();
        batch.push((dir, files));
        if batch_bytes < BATCH_BYTES && pending.peek().is_some() {
            continue;
        }
        let parsed = parse_batch(
            std::mem::take(&mut batch),
            inputs,
            threads,
            budget,
            collected,
        );
        batch_bytes = 0;
        streamed_calls.extend(
            parsed
                .iter()
                .map(|d| (normalise_path(&d.dir), resolve::local_calls(d))),
        );
        let resolved = resolve::evaluate_roots(parsed, &shared, &scanned, inputs, threads);
        keep(resolved, &mut roots, collected);
    }
    let mut dirs: Vec<DirFiles> = shared.into_values().chain(twins).collect();
    dirs.sort_by(|a, b| a.dir.cmp(&b.dir));
    keep(
        resolve::resolve(dirs, &streamed_calls, inputs, threads),
        &mut roots,
        collected,
    );
    // Stable: a root's resources keep their order.
    roots.sort_by(|a, b| a.0.cmp(&b.0));
    let mut resources = Vec::with_capacity(roots.iter().map(|(_, r)| r.len()).sum());
    resources.extend(roots.into_iter().flat_map(|(_, r)| r));
    resources
}

/// Parses the files of a batch of directories on the parse workers; what each file gives is
/// reported as the scan reports any file's: counted, its markers kept, its error an error.
/// The directories with at least one parsed file, in order.
fn parse_batch(
    batch: Vec<(PathBuf, DirTexts)>,
    inputs: &Inputs,
    threads: usize,
    budget: Duration,
    collected: &mut Collected,
) -> Vec<DirFiles> {
    let mut owners = Vec::new();
    let mut files = Vec::new();
    let mut texts = Vec::new();
    let mut parsed = Vec::with_capacity(batch.len());
    for (i, (dir, dir_files)) in batch.into_iter().enumerate() {
        parsed.push(DirFiles {
            display_dir: dir_files
                .first()
                .and_then(|(f, _)| Path::new(&f.display).parent().map(display_path))
                .unwrap_or_else(|| ".".into()),
            dir,
            files: Vec::new(),
        });
        for (file, text) in dir_files {
            owners.push(i);
            files.push(file);
            texts.push(text);
        }
    }
    let outcomes = crate::syntax::workers::parse_texts(&files, texts, threads, inputs, budget);
    for ((owner, file), outcome) in owners.into_iter().zip(&files).zip(outcomes) {
        match outcome {
            Ok(Parsed::Terraform(File::Config { file: mut tf, .. })) => {
                collected.files += 1;
                let lines = std::mem::take(&mut tf.lines).into_vec();
                collected.markers.push((tf.display.clone(), lines));
                parsed[owner].files.push(tf);
            }
            Ok(Parsed::Skipped(why)) => collected.warnings.push(why.in_file(&file.display)),
            Ok(_) => {}
            Err(e) => {
                collected.files += 1;
                collected.errors.push(e.in_file(&file.display));
            }
        }
    }
    parsed.retain(|d| !d.files.is_empty());
    parsed
}

/// Adds what resolving some roots gave to the roots and diagnostics found so far.
fn keep(
    resolved: resolve::Resolved,
    roots: &mut Vec<(PathBuf, Vec<Resource>)>,
    collected: &mut Collected,
) {
    roots.extend(resolved.roots);
    collected.errors.extend(resolved.errors);
    collected.warnings.extend(resolved.warnings);
    collected.secrets.extend(resolved.secrets);
}
