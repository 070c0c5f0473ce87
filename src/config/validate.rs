//! Validation of `residency.toml`, once, where the values enter: each raw value (with its
//! place in the file) becomes a typed setting, and every problem becomes a diagnostic with the
//! file and line, all reported at once. Code after this takes [`Settings`] and checks nothing
//! again. The command line's own values go through the same parsers (`key_value`,
//! `parse_cluster_region`).

use super::{line_of, Config};
use crate::catalog::{is_iso_country, Catalog, Region};
use crate::datamap::MailTag;
use crate::diag::{Code, Diagnostic};
use crate::policy::{self, Severity};
use crate::suppress::Ignore;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The settings of a valid config file. Paths are resolved beside the file.
#[derive(Debug, Default)]
pub struct Settings {
    /// Built-in policy ids, or policy files beside the config file.
    pub policies: Option<Vec<String>>,
    pub fail_on: Option<FailOn>,
    pub min_severity: Option<MinSeverity>,
    pub exclude: Vec<String>,
    pub region: Option<String>,
    pub resource_group_location: Option<String>,
    pub cluster_region: Option<(String, String)>,
    pub host_region: Option<(String, String)>,
    pub mail_tag: Option<MailTag>,
    /// ISO 3166-1 alpha-2 codes, upper case.
    pub subscriber_countries: Vec<String>,
    pub vars: Vec<(String, String)>,
    pub var_files: Vec<PathBuf>,
    pub parameters: Vec<(String, String)>,
    pub baseline: Option<PathBuf>,
    pub ignores: Vec<Ignore>,
    /// The catalog with the file's `[[catalog]]` additions; `None` when it adds nothing.
    pub catalog: Option<Arc<Catalog>>,
}

/// The lowest severity that fails the run (`--fail-on`, `fail_on`), or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    High,
    Medium,
    Low,
    Info,
    Never,
}

impl FailOn {
    /// The severity at or above which a finding fails the run; `None` never fails.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// The lowest severity a report shows (`--min-severity`, `min_severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MinSeverity {
    High,
    Medium,
    Low,
    Info,
}

impl MinSeverity {
    pub fn severity(self) -> Severity {
        match self {
            MinSeverity::High => Severity::High,
            MinSeverity::Medium => Severity::Medium,
            MinSeverity::Low => Severity::Low,
            MinSeverity::Info => Severity::Info,
        }
    }
}

/// Where a config file is: for messages, lines and relative paths.
pub(super) struct Place<'a> {
    pub display: &'a str,
    pub text: &'a str,
    pub dir: PathBuf,
    /// Found in the scanned tree (not named with `--config`): a pull request may have written
    /// it, so the paths it names must stay inside its directory.
    pub in_tree: bool,
}

impl Place<'_> {
    fn line<T>(&self, value: &Spanned<T>) -> usize {
        line_of(self.text, value.span().start)
    }

    fn problem<T>(&self, at: &Spanned<T>, message: String) -> Diagnostic {
        Diagnostic::at(Code::Config, self.display, self.line(at), message)
    }

    /// A path written in the config file (under `field`), relative to the file's directory.
    /// From a config in the scanned tree it must stay in that directory: relative, no `..`,
    /// and not through a symbolic link that leads out.
    fn path(&self, field: &str, written: &Spanned<String>) -> Result<PathBuf, Diagnostic> {
        let text = written.get_ref();
        let path = Path::new(text);
        if !self.in_tree {
            return Ok(if path.is_absolute() {
                path.to_path_buf()
            } else {
                self.dir.join(path)
            });
        }
        let refuse = |why: &str| {
            self.problem(
                written,
                format!(
                    "{field} {text:?} {why}; a residency.toml in the scanned tree may only name files inside its own directory (pass the file on the command line instead)"
                ),
            )
        };
        if !crate::gate::is_confined(text) {
            return Err(refuse("leaves the directory of the config file"));
        }
        let joined = self.dir.join(path);
        if let (Ok(real), Ok(dir)) = (joined.canonicalize(), self.dir.canonicalize()) {
            let linked =
                std::fs::symlink_metadata(&joined).is_ok_and(|m| m.file_type().is_symlink());
            if !real.starts_with(&dir) || linked {
                return Err(refuse("is a symbolic link"));
            }
        }
        Ok(joined)
    }
}

/// Collects problems instead of stopping at the first.
struct Problems(Vec<Diagnostic>);

impl Problems {
    fn take<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result.map_err(|d| self.0.push(d)).ok()
    }
}

/// The settings of a parsed config file, or every problem in it.
pub(super) fn settings(
    config: Config,
    place: &Place,
    catalog: &Catalog,
) -> Result<Settings, Vec<Diagnostic>> {
    let mut problems = Problems(Vec::new());
    let mut settings = Settings {
        exclude: config.exclude,
        region: config.region,
        resource_group_location: config.resource_group_location,
        ..Settings::default()
    };
    settings.policies = config.policies.map(|list| {
        list.iter()
            .filter_map(|p| {
                // A built-in id, or a file beside the config file.
                if policy::is_built_in(p.get_ref()) {
                    Some(p.get_ref().clone())
                } else {
                    problems
                        .take(place.path("policies", p))
                        .map(|path| path.to_string_lossy().into_owned())
                }
            })
            .collect()
    });
    if let Some(f) = &config.fail_on {
        settings.fail_on = problems.take(
            <FailOn as clap::ValueEnum>::from_str(f.get_ref(), false).map_err(|_| {
                place.problem(
                    f,
                    format!(
                        "fail_on {:?} is not one of high, medium, low, info, never",
                        f.get_ref()
                    ),
                )
            }),
        );
    }
    if let Some(m) = &config.min_severity {
        settings.min_severity = problems.take(
            <MinSeverity as clap::ValueEnum>::from_str(m.get_ref(), false).map_err(|_| {
                place.problem(
                    m,
                    format!(
                        "min_severity {:?} is not one of high, medium, low, info",
                        m.get_ref()
                    ),
                )
            }),
        );
    }
    if let Some(text) = &config.cluster_region {
        settings.cluster_region = problems.take(
            parse_cluster_region(text.get_ref())
                .and_then(|c| check_cluster_provider(catalog, &c).map(|()| c))
                .map_err(|e| place.problem(text, format!("cluster_region: {}", e.message))),
        );
    }
    if let Some(text) = &config.host_region {
        settings.host_region = problems.take(
            parse_cluster_region(text.get_ref())
                .and_then(|c| check_cluster_provider(catalog, &c).map(|()| c))
                .map_err(|e| place.problem(text, format!("host_region: {}", e.message))),
        );
    }
    if let Some(tag) = &config.mail_tag {
        settings.mail_tag = problems.take(
            key_value(tag.get_ref())
                .map(|(key, value)| MailTag { key, value })
                .map_err(|e| place.problem(tag, format!("mail_tag: {e}"))),
        );
    }
    for country in &config.subscriber_countries {
        let upper = country.get_ref().to_ascii_uppercase();
        if is_iso_country(&upper) {
            settings.subscriber_countries.push(upper);
        } else {
            problems.0.push(place.problem(
                country,
                format!(
                    "subscriber_countries: {:?} is not an ISO 3166-1 alpha-2 code",
                    country.get_ref()
                ),
            ));
        }
    }
    for (table, target) in [
        (&config.vars, &mut settings.vars),
        (&config.parameters, &mut settings.parameters),
    ] {
        for (name, value) in table {
            match scalar_text(value.get_ref()) {
                Some(text) => target.push((name.clone(), text)),
                None => problems.0.push(
                    place.problem(value, format!("{name} must be a string, number or boolean")),
                ),
            }
        }
    }
    for f in &config.var_files {
        settings
            .var_files
            .extend(problems.take(place.path("var_files", f)));
    }
    if let Some(b) = &config.baseline {
        settings.baseline = problems.take(place.path("baseline", b));
    }
    settings.ignores = config
        .ignore
        .iter()
        .map(|entry| {
            let e = entry.get_ref();
            Ignore {
                rule: e.rule.clone(),
                path: e.path.clone(),
                resource: e.resource.clone(),
                reason: e.reason.clone(),
                until: e.until.clone(),
                file: place.display.to_string(),
                line: place.line(entry),
            }
        })
        .collect();
    if !config.catalog.is_empty() {
        let mut additions = Vec::new();
        for entry in &config.catalog {
            let addition = region(entry.get_ref(), place.display);
            match catalog.with_additions(vec![addition.clone()]) {
                Ok(_) => additions.push(addition),
                Err(e) => problems.0.push(place.problem(entry, e)),
            }
        }
        if problems.0.is_empty() {
            settings.catalog = problems
                .take(
                    catalog
                        .with_additions(additions)
                        .map_err(|e| Diagnostic::at(Code::Config, place.display, 0, e)),
                )
                .map(Arc::new);
        }
    }
    if problems.0.is_empty() {
        Ok(settings)
    } else {
        // In the order a reader meets them in the file.
        problems.0.sort_by_key(|d| d.line);
        Err(problems.0)
    }
}

/// A `[[catalog]]` entry as a catalog region, unconfirmed and with the user's source.
fn region(r: &super::RegionEntry, display: &str) -> (String, Region) {
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
            zones: Vec::new(),
            metadata_countries: Vec::new(),
            paired_region: r.paired_region.clone(),
            closed: None,
            operator: None,
            parent: None,
            source: format!("{} (added in {display})", r.source),
            confirmed: false,
        },
    )
}

/// A TOML scalar as the text a Terraform variable or CloudFormation parameter would get.
fn scalar_text(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `NAME=VALUE` (`--var`, `--parameter`, `--mail-tag`, `mail_tag`).
pub fn key_value(text: &str) -> Result<(String, String), Diagnostic> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(Diagnostic::usage(format!(
            "expected NAME=VALUE, got {text:?}"
        ))),
    }
}

/// `PROVIDER:REGION` (`aws:eu-west-1`) for `--cluster-region` and `cluster_region`; the
/// provider is checked against the scan's catalog by `check_cluster_provider`.
pub fn parse_cluster_region(text: &str) -> Result<(String, String), Diagnostic> {
    text.split_once(':')
        .filter(|(p, r)| !p.trim().is_empty() && !r.trim().is_empty())
        .map(|(p, r)| (p.trim().to_ascii_lowercase(), r.trim().to_string()))
        .ok_or_else(|| {
            Diagnostic::usage(format!(
                "expected PROVIDER:REGION (e.g. aws:eu-west-1), got {text:?}"
            ))
        })
}

/// Refuses a cluster region whose provider the catalog does not know.
pub fn check_cluster_provider(
    catalog: &Catalog,
    cluster: &(String, String),
) -> Result<(), Diagnostic> {
    let provider = &cluster.0;
    if catalog.provider(provider).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = catalog
        .providers
        .iter()
        .map(|p| p.provider.as_str())
        .collect();
    Err(Diagnostic::usage(format!(
        "unknown provider {provider:?}; one of: {}",
        known.join(", ")
    )))
}
