//! Pins the JSON and SARIF reports of every sample and fixture case, the output of the other
//! subcommands, and the `--help` of each, byte for byte, to the files in `tests/snapshots/`. A change to what the tool reports shows up here as a diff to
//! review; a refactoring shows up as nothing.
//!
//! After an intended change, rewrite the snapshots with
//! `RESIDENCY_BLESS=1 cargo test --test snapshots` and review `git diff tests/snapshots`.

mod common;

use common::{root, run};
use std::path::{Path, PathBuf};

/// Every case: the whole of `sample-configs/`, each sample, and each fixture directory that
/// holds input files (the fuzz regressions are not inputs).
fn cases() -> Vec<PathBuf> {
    let mut cases = vec![PathBuf::from("sample-configs")];
    for top in ["sample-configs", "tests/fixtures"] {
        collect(&root(), Path::new(top), &mut cases);
    }
    cases.retain(|c| !c.starts_with("tests/fixtures/fuzz"));
    cases.sort();
    cases.dedup();
    cases
}

/// Directories under `dir` (relative to `base`) that hold at least one file.
fn collect(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(base.join(dir))
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let mut has_file = false;
    for entry in entries {
        let path = dir.join(entry.file_name());
        // Tool state (`.terraform/modules`) belongs to its case, it is not one.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            collect(base, &path, out);
        } else {
            has_file = true;
        }
    }
    if has_file && dir.components().count() > 1 {
        out.push(dir.to_path_buf());
    }
}

/// The other subcommands' outputs, and every `--help`, by snapshot name.
const COMMANDS: &[(&str, &[&str])] = &[
    ("map-json", &["map", "sample-configs", "--format", "json"]),
    ("map-text", &["map", "sample-configs", "--color", "never"]),
    (
        "map-mermaid",
        &["map", "sample-configs", "--format", "mermaid"],
    ),
    ("map-dot", &["map", "sample-configs", "--format", "dot"]),
    ("policies-text", &["policies"]),
    ("policies-json", &["policies", "--format", "json"]),
    ("regions-text", &["regions"]),
    ("regions-json", &["regions", "--format", "json"]),
    (
        "regions-aws-ie",
        &["regions", "--provider", "aws", "--country", "IE"],
    ),
    ("explain-msi001", &["explain", "MSI001"]),
    ("explain-res001", &["explain", "res001"]),
    ("explain-unknown", &["explain", "NOPE1"]),
    ("help", &["--help"]),
    ("help-scan", &["scan", "--help"]),
    ("help-map", &["map", "--help"]),
    ("help-policies", &["policies", "--help"]),
    ("help-explain", &["explain", "--help"]),
    ("help-regions", &["regions", "--help"]),
    ("help-completions", &["completions", "--help"]),
    ("help-man", &["man", "--help"]),
];

fn snapshot_name(case: &Path, format: &str) -> String {
    let stem = case.to_string_lossy().replace('/', "__");
    format!("{stem}.{format}")
}

#[test]
fn reports_of_every_case_match_their_snapshots() {
    let bless = std::env::var_os("RESIDENCY_BLESS").is_some();
    let dir = root().join("tests/snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    let mut differ = Vec::new();
    let mut expected_files = Vec::new();
    for case in cases() {
        for format in ["json", "sarif"] {
            let (code, stdout, stderr) = run(&["scan", case.to_str().unwrap(), "--format", format]);
            assert!(code != 2, "{}: usage error: {stderr}", case.display());
            let name = snapshot_name(&case, format);
            let text = format!("exit {code}\n{}", common::without_fingerprints(&stdout));
            let path = dir.join(&name);
            expected_files.push(name.clone());
            if bless {
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                differ.push(name);
            }
        }
    }
    for (name, args) in COMMANDS {
        let (code, stdout, stderr) = run(args);
        let text = format!("exit {code}\n{stdout}{stderr}");
        let file = format!("command__{name}.txt");
        let path = dir.join(&file);
        expected_files.push(file.clone());
        if bless {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            differ.push(file);
        }
    }
    // A snapshot whose case is gone is stale.
    let mut stale: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // tests/frontends.rs and tests/renderers.rs keep their own snapshots here.
        .filter(|n| !n.starts_with("frontend__") && !n.starts_with("render__"))
        .filter(|n| !expected_files.contains(n))
        .collect();
    stale.sort();
    if bless {
        for name in &stale {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        return;
    }
    assert!(
        differ.is_empty() && stale.is_empty(),
        "reports differ from tests/snapshots/ for {differ:?}; stale snapshots {stale:?}. \
         If the change is intended: RESIDENCY_BLESS=1 cargo test --test snapshots, then review \
         git diff tests/snapshots"
    );
}
