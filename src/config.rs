//! The config file, `residency.toml`: the same settings as the command line, kept with the
//! infrastructure code so every run (CI, a laptop) applies them. Command-line options win over
//! it; lists (excludes, ignores) add up. Unknown keys are errors, so a typo never silently
//! turns a check off.
//!
//! ```toml
//! policies = ["microsoft-ireland-2016", "cloud-act-2018"]
//! fail_on = "medium"
//! exclude = ["examples/**"]
//! region = "eu-west-1"
//! resource_group_location = "westeurope"
//! cluster_region = "aws:eu-central-1"
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

use crate::catalog::Region;
use crate::suppress::Ignore;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "residency.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub policies: Option<Vec<String>>,
    pub fail_on: Option<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub region: Option<String>,
    pub resource_group_location: Option<String>,
    pub cluster_region: Option<String>,
    pub mail_tag: Option<String>,
    #[serde(default)]
    pub subscriber_countries: Vec<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub var_files: Vec<String>,
    #[serde(default)]
    pub parameters: BTreeMap<String, toml::Value>,
    pub baseline: Option<String>,
    #[serde(default)]
    pub ignore: Vec<toml::Spanned<IgnoreEntry>>,
    #[serde(default)]
    pub catalog: Vec<RegionEntry>,
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

/// A loaded config file and where it is, for relative paths and messages.
pub struct Loaded {
    pub config: Config,
    pub path: PathBuf,
    pub display: String,
    /// Found in the scanned tree (not named with `--config`): a pull request may have written
    /// it, so the paths it names must stay inside its directory.
    pub in_tree: bool,
    /// The file's text, to turn spans into line numbers.
    text: String,
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

/// Reads and validates a config file. One found in the tree is not read through a symbolic
/// link; either way it must be a regular file of a sane size.
pub fn load(path: &Path, in_tree: bool) -> Result<Loaded, String> {
    let display = shown(path);
    if in_tree && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "config file {display}: is a symbolic link; not read (name it with --config to use it)"
        ));
    }
    let text = crate::gate::read_user_file(path, "config file", 0)?;
    let config = parse(&text, &display)?;
    Ok(Loaded {
        config,
        path: path.to_path_buf(),
        display,
        in_tree,
        text,
    })
}

/// A config file's text, validated; errors name `display` and the line.
pub fn parse(text: &str, display: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        format!("config file {display}:{line}: {}", e.message())
    })?;
    if let Some(f) = &config.fail_on {
        if !["high", "medium", "low", "info", "never"].contains(&f.as_str()) {
            return Err(format!(
                "config file {display}: fail_on {f:?} is not one of high, medium, low, info, never"
            ));
        }
    }
    Ok(config)
}

impl Loaded {
    fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// A path written in the config file (under `field`), relative to the file's directory.
    /// From a config in the scanned tree it must stay in that directory: relative, no `..`,
    /// and not through a symbolic link that leads out.
    pub fn resolve_path(&self, field: &str, written: &str) -> Result<PathBuf, String> {
        let path = Path::new(written);
        if !self.in_tree {
            return Ok(if path.is_absolute() {
                path.to_path_buf()
            } else {
                self.dir().join(path)
            });
        }
        let refuse = |why: &str| {
            format!(
                "config file {}: {field} {written:?} {why}; a residency.toml in the scanned tree may only name files inside its own directory (pass the file on the command line instead)",
                self.display
            )
        };
        if !crate::gate::is_confined(written) {
            return Err(refuse("leaves the directory of the config file"));
        }
        let joined = self.dir().join(path);
        if let (Ok(real), Ok(dir)) = (joined.canonicalize(), self.dir().canonicalize()) {
            let linked =
                std::fs::symlink_metadata(&joined).is_ok_and(|m| m.file_type().is_symlink());
            if !real.starts_with(&dir) || linked {
                return Err(refuse("is a symbolic link"));
            }
        }
        Ok(joined)
    }

    /// Ignore entries as suppressions, each with the line it starts on.
    pub fn ignores(&self) -> Vec<Ignore> {
        let text_lines = self.text.as_str();
        self.config
            .ignore
            .iter()
            .map(|entry| {
                let line = line_of(text_lines, entry.span().start);
                let e = entry.get_ref();
                Ignore {
                    rule: e.rule.clone(),
                    path: e.path.clone(),
                    resource: e.resource.clone(),
                    reason: e.reason.clone(),
                    until: e.until.clone(),
                    file: self.display.clone(),
                    line,
                }
            })
            .collect()
    }

    pub fn catalog_additions(&self) -> Vec<(String, Region)> {
        self.config
            .catalog
            .iter()
            .map(|r| {
                (
                    r.provider.clone(),
                    Region {
                        id: r.id.clone(),
                        name: None,
                        city: r.city.clone(),
                        countries: r.countries.clone(),
                        partition: r.partition.clone(),
                        kind: None,
                        members: Vec::new(),
                        metadata_countries: Vec::new(),
                        paired_region: r.paired_region.clone(),
                        closed: None,
                        operator: None,
                        parent: None,
                        source: format!("{} (added in {})", r.source, self.display),
                        confirmed: false,
                    },
                )
            })
            .collect()
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A TOML scalar as the text a Terraform variable or CloudFormation parameter would get.
pub fn scalar_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}
