//! The config file, `residency.toml`: the same settings as the command line, kept with the
//! infrastructure code so every run (CI, a laptop) applies them. Command-line options win over
//! it; lists (excludes, ignores) add up. Unknown keys are errors, so a typo never silently
//! turns a check off.
//!
//! ```toml
//! policies = ["microsoft-ireland-2016", "cloud-act-2018"]
//! fail_on = "medium"
//! min_severity = "low"
//! exclude = ["examples/**"]
//! region = "eu-west-1"
//! resource_group_location = "westeurope"
//! cluster_region = "aws:eu-central-1"
//! host_region = "hetzner:fsn1"
//! mail_tag = "data-class=mailbox"
//! subscriber_countries = ["GB"]
//! var_files = ["env/prod.tfvars"]
//! baseline = "residency-baseline.json"
//!
//! [vars]
//! dr_region = "eu-central-1"
//!
//! [parameters]
//! Env = "prod"
//!
//! [[ignore]]
//! rule = "MSI001"
//! path = "legacy/**"
//! resource = "aws_s3_bucket.old_archive"
//! reason = "decommissioned in Q3, LEGAL-12"
//! until = "2027-03-31"
//!
//! [[catalog]]
//! provider = "aws"
//! id = "eu-south-3"
//! city = "Example"
//! countries = ["IT"]
//! partition = "aws"
//! source = "AWS announcement, 2027-01-10"
//! ```

mod validate;

pub use validate::{
    check_cluster_provider, key_value, parse_cluster_region, FailOn, MinSeverity, Settings,
};

use crate::catalog::Catalog;
use crate::diag::{Code, Diagnostic};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "residency.toml";

/// `residency.toml` as written, with the place of every value, before validation
/// (`validate::settings` turns it into [`Settings`]).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub policies: Option<Vec<Spanned<String>>>,
    pub fail_on: Option<Spanned<String>>,
    pub min_severity: Option<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub region: Option<String>,
    pub resource_group_location: Option<String>,
    pub cluster_region: Option<Spanned<String>>,
    pub host_region: Option<Spanned<String>>,
    pub mail_tag: Option<Spanned<String>>,
    #[serde(default)]
    pub subscriber_countries: Vec<Spanned<String>>,
    #[serde(default)]
    pub vars: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    pub var_files: Vec<Spanned<String>>,
    #[serde(default)]
    pub parameters: BTreeMap<String, Spanned<toml::Value>>,
    pub baseline: Option<Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<IgnoreEntry>>,
    #[serde(default)]
    pub catalog: Vec<Spanned<RegionEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub rule: String,
    pub path: Option<String>,
    pub resource: Option<String>,
    #[serde(default)]
    pub reason: String,
    pub until: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionEntry {
    pub provider: String,
    pub id: String,
    pub city: String,
    pub countries: Vec<String>,
    pub partition: String,
    pub paired_region: Option<String>,
    pub source: String,
}

/// A config file read and validated, and where it is.
pub struct Loaded {
    pub settings: Settings,
    pub path: PathBuf,
    pub display: String,
}

/// Which config file a scan uses, and the ones it found but does not use.
pub struct Found {
    pub path: Option<PathBuf>,
    pub in_tree: bool,
    /// `residency.toml` files in scanned directories that do not apply, each with the reason.
    pub unused: Vec<(PathBuf, String)>,
}

/// The config file to use, by a rule that does not depend on the order of the paths:
/// `--config FILE`; else the `residency.toml` of the directory scanned (the parent of a scanned
/// file); with several paths, the one in the deepest directory that holds them all. A
/// `residency.toml` in a scanned directory that is not the one used is reported, never applied
/// silently to the other paths.
pub fn find(explicit: Option<&Path>, paths: &[PathBuf]) -> Found {
    let dirs: Vec<PathBuf> = if paths.is_empty() {
        vec![crate::gate::absolute(Path::new("."))]
    } else {
        paths.iter().map(|p| crate::gate::root_dir(p)).collect()
    };
    let mut common = dirs[0].clone();
    for d in &dirs[1..] {
        while !d.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    let chosen = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(common.join(FILE_NAME)).filter(|c| c.is_file()),
    };
    let unused = dirs
        .iter()
        .map(|d| d.join(FILE_NAME))
        .filter(|c| c.is_file())
        .filter(|c| chosen.as_ref().is_none_or(|p| crate::gate::absolute(p) != *c))
        .map(|c| {
            let why = if explicit.is_some() {
                "not used: --config names another file".to_string()
            } else {
                "not used: with several scan paths, only the residency.toml of the directory that holds them all applies (or pass --config)".to_string()
            };
            (c, why)
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Found {
        path: chosen,
        in_tree: explicit.is_none(),
        unused,
    }
}

/// A path as messages show it: relative to the working directory when it is under it.
pub fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().map(|c| crate::gate::absolute(&c));
    match cwd {
        Ok(cwd) if path.is_absolute() => path
            .strip_prefix(&cwd)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.display().to_string()),
        _ => path.display().to_string(),
    }
}

/// Reads and validates a config file: every problem at once, each with the file and line.
/// One found in the tree is not read through a symbolic link, and the paths it names must stay
/// in its directory; either way it must be a regular file of a sane size. Catalog additions
/// are checked against `catalog`.
pub fn load(path: &Path, in_tree: bool, catalog: &Catalog) -> Result<Loaded, Vec<Diagnostic>> {
    let display = shown(path);
    let whole = |message: String| vec![Diagnostic::at(Code::Config, &display, 0, message)];
    if in_tree && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(whole(
            "is a symbolic link; not read (name it with --config to use it)".into(),
        ));
    }
    let text = crate::gate::read_user_file(path, "config file", 0).map_err(|e| vec![e])?;
    let config = parse(&text, &display)?;
    let place = validate::Place {
        display: &display,
        text: &text,
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        in_tree,
    };
    let settings = validate::settings(config, &place, catalog)?;
    Ok(Loaded {
        settings,
        path: path.to_path_buf(),
        display,
    })
}

/// A config file's text as written; a TOML error or an unknown key names the line.
pub fn parse(text: &str, display: &str) -> Result<Config, Vec<Diagnostic>> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        vec![Diagnostic::at(Code::Config, display, line, e.message())]
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
