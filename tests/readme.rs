//! The README cannot drift from the tool: every `console` block is a command and its exact
//! output, run here from the repository root; every other command it shows runs as written
//! (placeholders such as `infra/` aside). `RESIDENCY_BLESS=1 cargo test --test readme` rewrites
//! the console blocks from the real output after an intended change.

mod common;

use common::{root, run, run_in};
use std::path::Path;

/// The arguments of a command as the README writes it: `cargo run --release -- ARGS` and
/// `residency ARGS` both run the binary under test. `None` for anything else.
fn residency_args(command: &str) -> Option<Vec<&str>> {
    let rest = command
        .strip_prefix("cargo run --release -- ")
        .or_else(|| command.strip_prefix("residency "))?;
    Some(rest.split_whitespace().collect())
}

/// The README with each console block's output replaced by what the binary prints.
fn with_real_output(readme: &str) -> String {
    let mut out = String::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line != "```console" {
            continue;
        }
        let command = lines.next().expect("a command after ```console");
        let args = command
            .strip_prefix("$ ")
            .and_then(residency_args)
            .unwrap_or_else(|| panic!("a console block starts with `$ residency ...`: {command}"));
        let (code, stdout, stderr) = run(&args);
        assert!(matches!(code, 0 | 1), "{command}: exit {code}: {stderr}");
        out.push_str(command);
        out.push('\n');
        out.push_str(&stdout);
        for rest in lines.by_ref() {
            if rest == "```" {
                out.push_str("```\n");
                break;
            }
        }
    }
    out
}

#[test]
fn console_blocks_show_the_real_output() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let real = with_real_output(&readme);
    assert!(readme.matches("```console").count() >= 3);
    if std::env::var_os("RESIDENCY_BLESS").is_some() {
        std::fs::write(&path, &real).unwrap();
        return;
    }
    if real != readme {
        let first = readme
            .lines()
            .zip(real.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "README.md line {}: the console blocks differ from the real output (RESIDENCY_BLESS=1 cargo test --test readme rewrites them)\n  README: {}\n  real:   {}",
            first + 1,
            readme.lines().nth(first).unwrap_or_default(),
            real.lines().nth(first).unwrap_or_default()
        );
    }
}

#[test]
fn every_command_shown_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut fence: Option<&str> = None;
    let mut commands = Vec::new();
    let mut pending = String::new();
    for line in readme.lines() {
        if let Some(kind) = line.strip_prefix("```") {
            fence = if fence.is_some() { None } else { Some(kind) };
            continue;
        }
        if !matches!(fence, Some("text" | "sh")) {
            continue;
        }
        let line = line.split(" # ").next().unwrap().trim_end();
        if let Some(start) = line.strip_suffix('\\') {
            pending.push_str(start.trim());
            pending.push(' ');
            continue;
        }
        let whole = format!("{pending}{}", line.trim());
        pending.clear();
        commands.push(whole.trim().to_string());
    }
    // In a copy of what the commands read, so that the reports they write land there.
    let copy = tempfile::tempdir().unwrap();
    for dir in ["sample-configs", "policies"] {
        copy_tree(&root().join(dir), &copy.path().join(dir));
    }
    let mut ran = 0;
    for command in &commands {
        // Up to a pipe, a redirection or a description column: the residency part.
        let command = command.split(['|', '>']).next().unwrap();
        let command = command.split("  ").next().unwrap().trim();
        let Some(args) = residency_args(command) else {
            continue;
        };
        // The command summary and placeholders for the reader's own tree.
        let placeholder = args.iter().any(|a| {
            a.starts_with('[')
                || a.contains("infra/")
                || (a.len() > 2 && a.chars().all(|c| c.is_ascii_uppercase()))
        });
        if placeholder || args.is_empty() {
            continue;
        }
        let (code, _, stderr) = run_in(copy.path(), &args);
        assert!(
            matches!(code, 0 | 1),
            "README shows `{command}`, which exits {code}: {stderr}"
        );
        ran += 1;
    }
    assert!(ran >= 6, "{ran} commands run: {commands:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
