//! Finding the files to scan: walks the given paths (walkdir), skips directories that never hold
//! a user's own configuration and the `--exclude` globs, and classifies each file by its name.
//! Whether a `.yaml` or `.json` file really is a CloudFormation template is decided by the parser
//! from its content, so a Kubernetes manifest or a `package.json` is skipped without an error.

use crate::diag::{Code, Diagnostic};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Directories that are tool state or dependencies, never the user's infrastructure code.
pub const SKIPPED_DIRS: &[&str] = &[".git", ".terraform", "node_modules", "target"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// `.tf`
    TerraformHcl,
    /// `.tf.json`
    TerraformJson,
    /// `.json`, `.yaml`, `.yml`, `.template`: a CloudFormation template if its content says so.
    StructuredData,
    /// `.bicep` and `.bicepparam`.
    Bicep,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as reports show it: relative to the scanned directory.
    pub display: String,
    pub format: Format,
}

/// A name that is not valid UTF-8 is classified by its readable part (`ma\xffin.tf` is still a
/// `.tf` file, which Terraform loads), never skipped for its spelling.
pub fn classify(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".tf.json") {
        Some(Format::TerraformJson)
    } else if name.ends_with(".tf") {
        Some(Format::TerraformHcl)
    } else if name.ends_with(".bicep") || name.ends_with(".bicepparam") {
        Some(Format::Bicep)
    } else if name.ends_with(".tfvars.json") {
        None // read by the Terraform resolver with its module
    } else if [".json", ".yaml", ".yml", ".template", ".tfstate"]
        .iter()
        .any(|ext| name.ends_with(ext))
    {
        Some(Format::StructuredData)
    } else {
        None
    }
}

/// `terraform.tfvars(.json)` and `*.auto.tfvars(.json)`: read by the Terraform resolver with the
/// module beside them.
pub fn is_tfvars(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name == "terraform.tfvars"
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}

/// The `--exclude` and `exclude` globs as one matcher.
pub fn build_excludes(globs: &[String]) -> Result<GlobSet, Diagnostic> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(
            Glob::new(glob)
                .map_err(|e| Diagnostic::usage(format!("invalid --exclude glob {glob:?}: {e}")))?,
        );
    }
    builder
        .build()
        .map_err(|e| Diagnostic::usage(e.to_string()))
}

/// Lists the files under `paths` in a stable order. With one path, files are named relative to
/// it (`main.tf`); with several, by the path as given (`infra/main.tf`, `stacks/mail.yaml`), so
/// that two roots' files never share a name.
///
/// Symbolic links to files inside the roots are read like those files; other links are followed
/// only when the gate follows links (a link could lead out of the tree or loop), and each one
/// skipped that could hold infrastructure code is a warning. When they are followed, loops are
/// errors.
pub fn discover(paths: &[PathBuf], excludes: &GlobSet, gate: &crate::gate::Gate) -> Walked {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let several = paths.len() > 1;
    let follow_symlinks = gate.follow_symlinks();
    for root in paths {
        if !root.exists() {
            errors.push(Diagnostic::at(
                Code::Unreadable,
                root.display().to_string(),
                0,
                "no such file or directory",
            ));
            continue;
        }
        let base = if root.is_dir() {
            root.clone()
        } else {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let shown = |path: &Path| {
            if several {
                display_path(path.strip_prefix("./").unwrap_or(path))
            } else {
                display_path(path.strip_prefix(&base).unwrap_or(path))
            }
        };
        let mut skipped: Vec<PathBuf> = Vec::new();
        let walker = walkdir::WalkDir::new(root)
            .follow_links(follow_symlinks)
            // A followed link never leads onto another file system (`/proc`, `/sys`, `/dev`).
            .same_file_system(follow_symlinks)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                let name = entry.file_name().to_string_lossy();
                let rel = entry.path().strip_prefix(&base).unwrap_or(entry.path());
                let skipped_dir = entry.depth() > 0
                    && entry.file_type().is_dir()
                    && SKIPPED_DIRS.contains(&name.as_ref());
                if skipped_dir && !excludes.is_match(rel) {
                    skipped.push(entry.path().to_path_buf());
                }
                !skipped_dir && (entry.depth() == 0 || !excludes.is_match(rel))
            });
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    if let Some(format) = classify(entry.path()) {
                        files.push(SourceFile {
                            path: entry.path().to_path_buf(),
                            display: shown(entry.path()),
                            format,
                        });
                    }
                }
                // A link to a file inside the tree is read like that file (Terraform follows
                // it); a link that leads out, or to a directory, is named in a warning when it
                // could hold infrastructure code. A tfvars file is read with its module, which
                // reports a refused link as an error (Terraform would read it).
                Ok(entry) if entry.path_is_symlink() && !follow_symlinks => {
                    let format = classify(entry.path());
                    let to_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
                    let inside = gate.link_stays_inside(entry.path(), crate::gate::Area::Scan);
                    match format {
                        Some(format) if inside => files.push(SourceFile {
                            path: entry.path().to_path_buf(),
                            display: shown(entry.path()),
                            format,
                        }),
                        _ if (format.is_some() || to_dir) && !is_tfvars(entry.path()) => warnings
                            .push(Diagnostic::at(
                                Code::SymlinkNotFollowed,
                                shown(entry.path()),
                                0,
                                crate::gate::SYMLINK_NOT_FOLLOWED,
                            )),
                        _ => {}
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push(Diagnostic {
                    code: Code::Unreadable,
                    file: e.path().map(shown).unwrap_or_default(),
                    line: 0,
                    message: match (e.loop_ancestor(), e.io_error()) {
                        (Some(ancestor), _) => format!(
                            "symbolic link loop back to {}; not followed again",
                            shown(ancestor)
                        ),
                        (None, Some(io)) => format!("cannot read: {io}"),
                        (None, None) => e.to_string(),
                    },
                }),
            }
        }
        // Dependencies and build output are skipped, but a copy of Terraform or templates in
        // one must not vanish without a word.
        for dir in skipped {
            if let Some(example) = input_inside(&dir) {
                warnings.push(Diagnostic {
                    code: Code::SkippedDirectory,
                    file: shown(&dir),
                    line: 0,
                    message: format!(
                        "directory skipped by default, but it holds infrastructure code ({}); scan it by naming it as a path",
                        display_path(example.strip_prefix(&dir).unwrap_or(&example))
                    ),
                });
            }
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.path == b.path);
    warnings.sort_by(|a, b| a.file.cmp(&b.file));
    Walked {
        files,
        errors,
        warnings,
    }
}

/// Entries of a skipped directory looked at, and structured files sniffed, before giving up:
/// `node_modules` can hold hundreds of thousands of files.
const SKIPPED_LOOK_ENTRIES: usize = 20_000;
const SKIPPED_SNIFF_FILES: usize = 200;

/// The first file in a skipped directory that is Terraform, or whose opening names a template
/// format (CloudFormation, ARM, hosted tenants), within a bounded look. Tool state (`.git`,
/// `.terraform`, which `terraform init` fills with module copies) is not looked into.
fn input_inside(dir: &Path) -> Option<PathBuf> {
    let name = dir.file_name()?.to_string_lossy();
    if name == ".git" || name == ".terraform" {
        return None;
    }
    let mut sniffed = 0;
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .take(SKIPPED_LOOK_ENTRIES)
        .filter(|e| e.file_type().is_file())
    {
        match classify(entry.path()) {
            Some(Format::TerraformHcl | Format::TerraformJson | Format::Bicep) => {
                return Some(entry.path().to_path_buf())
            }
            Some(Format::StructuredData) if sniffed < SKIPPED_SNIFF_FILES => {
                sniffed += 1;
                let head = crate::gate::read_head(entry.path(), 2048);
                let head = String::from_utf8_lossy(&head);
                if [
                    "AWSTemplateFormatVersion",
                    "schema.management.azure.com",
                    "residency_tenants",
                ]
                .iter()
                .any(|marker| head.contains(marker))
                {
                    return Some(entry.path().to_path_buf());
                }
            }
            _ => {}
        }
    }
    None
}

/// What a walk found.
pub struct Walked {
    pub files: Vec<SourceFile>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// The directory that report paths are relative to, as a path from the working directory (so
/// that SARIF and annotations can name files from the repository root): the one scanned
/// directory, the parent of the one scanned file, or nothing when several paths were given.
/// An absolute path outside the working directory stays absolute.
pub fn report_root(paths: &[PathBuf]) -> String {
    let [root] = paths else {
        return String::new();
    };
    let dir = if root.is_dir() {
        root.clone()
    } else {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let relative = match std::env::current_dir() {
        Ok(cwd) if dir.is_absolute() => {
            dir.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(dir)
        }
        _ => dir,
    };
    let text = display_path(&relative);
    let text = text.trim_start_matches("./").trim_end_matches('/');
    if text == "." {
        String::new()
    } else {
        text.to_string()
    }
}

/// Forward slashes on every platform, so reports and SARIF URIs look the same everywhere.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

/// A path written relative to the file that names it (`infra/main.bicepparam` and
/// `./main.bicep` → `infra/main.bicep`), as reports display paths.
pub fn beside(file: &str, relative: &str) -> String {
    normalise_display(&format!("{}/{relative}", display_parent(file)))
}

/// The directory part of a displayed path (`""` at the top of the scan).
pub fn display_parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A displayed path with `.` and `..` resolved lexically (`a/./b/../c` is `a/c`); a `..` above
/// the top is dropped, since displayed paths never leave the scan.
pub fn normalise_display(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_name() {
        assert_eq!(classify(Path::new("main.tf")), Some(Format::TerraformHcl));
        assert_eq!(
            classify(Path::new("a.tf.json")),
            Some(Format::TerraformJson)
        );
        assert_eq!(
            classify(Path::new("stack.yaml")),
            Some(Format::StructuredData)
        );
        assert_eq!(classify(Path::new("terraform.tfvars")), None);
        assert_eq!(classify(Path::new("x.tfvars.json")), None);
        assert_eq!(classify(Path::new("README.md")), None);
    }
}
