//! The inputs `scan` and `map` share (paths, deploy-time values, limits), their value
//! parsers, and how they are merged over `residency.toml`: the command line wins, lists add up.

use super::UsageError;
use crate::catalog::{self, Catalog};
use crate::config::{self, key_value, parse_cluster_region};
use crate::datamap::MailTag;
use crate::diag::{Code, Diagnostic};
use crate::{model, ScanOptions};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct InputArgs {
    /// Files or directories to scan (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Skip paths matching this glob (repeatable), e.g. 'examples/**'.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The AWS region for providers without one (what AWS_REGION would give) and the
    /// CloudFormation stack's region.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Set a Terraform root variable (repeatable); wins over tfvars files.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = key_value)]
    pub vars: Vec<(String, String)>,
    /// Read Terraform root variables from a tfvars file (repeatable); wins over the automatic ones.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Set a CloudFormation or ARM template parameter (repeatable); wins over parameter files
    /// and defaults.
    #[arg(long = "parameter", value_name = "NAME=VALUE", value_parser = key_value)]
    pub parameters: Vec<(String, String)>,
    /// The location of the resource group ARM templates deploy into (what
    /// `[resourceGroup().location]` gives), e.g. westeurope.
    #[arg(long, value_name = "LOCATION")]
    pub resource_group_location: Option<String>,
    /// Where the Kubernetes cluster runs, for manifests that do not say:
    /// PROVIDER:REGION, e.g. aws:eu-west-1, gcp:europe-west1, azure:westeurope.
    #[arg(long, value_name = "PROVIDER:REGION", value_parser = parse_cluster_region)]
    pub cluster_region: Option<(String, String)>,
    /// Where the host that runs the Docker Compose files is, when no VM in the scan is
    /// recognisably their host: PROVIDER:REGION, e.g. hetzner:fsn1, aws:eu-west-1.
    #[arg(long, value_name = "PROVIDER:REGION", value_parser = parse_cluster_region)]
    pub host_region: Option<(String, String)>,
    /// The tag (or label) that marks any resource as holding mail [default: data-class=mailbox].
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value)]
    pub mail_tag: Option<(String, String)>,
    /// Read settings from this file [default: residency.toml in the scanned directory].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not read residency.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Add or correct catalog entries from a file in the catalog's own format (repeatable).
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// Larger files are reported, not read (bytes, or with K, M, G) [default: 16M].
    #[arg(long, value_name = "SIZE", value_parser = byte_size)]
    pub max_file_size: Option<u64>,
    /// Follow symbolic links that lead outside the scanned paths or to directories (by default
    /// only links to files inside them are read; the others are skipped with a warning). Never
    /// onto another file system, never into /proc, /sys or /dev.
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Use at most this many threads in every stage (parsing, evaluation, the data map, the
    /// policies and the reports), up to 256; 0 is one per core [default: one per core]. The
    /// output is the same whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=256))]
    pub threads: Option<u16>,
    /// Seconds one file may take to parse before it is reported and skipped: a watchdog of last
    /// resort for a parser stuck on hostile text [default: 60].
    #[arg(long, value_name = "SECONDS")]
    pub file_timeout: Option<f64>,
}

pub fn byte_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], t[i..].trim().to_ascii_uppercase()),
        None => (t, String::new()),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("expected a size such as 4096, 512K or 16M, got {text:?}"))?;
    let factor: u64 = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("unknown size unit in {text:?} (use K, M or G)")),
    };
    match n.checked_mul(factor) {
        Some(0) | None => Err(format!("{text:?} is not a usable size")),
        Some(bytes) => Ok(bytes),
    }
}

/// Command-line inputs merged over the config file's settings (the command line wins; lists
/// add up). Values were validated where they entered: by clap's value parsers and by
/// `config::load`; what is left here is checking the merged cluster region against the
/// scan's catalog.
pub fn options(input: InputArgs) -> Result<(ScanOptions, Option<config::Loaded>), UsageError> {
    let paths = if input.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        input.paths
    };
    // A path that does not exist is a mistake in the command, not an input problem.
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(format!("{}: no such file or directory", p.display()).into());
        }
    }
    let file_timeout = match input.file_timeout {
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
            Some(std::time::Duration::from_secs_f64(s))
        }
        Some(s) => {
            return Err(format!(
                "--file-timeout {s} is not a number of seconds between 0 and 86400"
            )
            .into())
        }
        None => None,
    };
    let mut catalog = catalog_with_files(&input.catalogs)?;
    let mut config_warnings = Vec::new();
    let loaded = if input.no_config {
        None
    } else {
        let found = config::find(input.config.as_deref(), &paths);
        config_warnings.extend(found.unused.iter().map(|(path, why)| {
            Diagnostic::at(Code::ConfigUnused, config::shown(path), 0, why.clone())
        }));
        match found.path {
            Some(p) => Some(config::load(&p, found.in_tree, &catalog)?),
            None => None,
        }
    };
    let settings = loaded.as_ref().map(|l| &l.settings);
    if let Some(extended) = settings.and_then(|s| s.catalog.clone()) {
        catalog = extended;
    }
    let from_file = |pick: fn(&config::Settings) -> Option<String>| settings.and_then(pick);
    let mut inputs = model::Inputs {
        region: input.region.or_else(|| from_file(|s| s.region.clone())),
        resource_group_location: input
            .resource_group_location
            .or_else(|| from_file(|s| s.resource_group_location.clone())),
        cluster_region: input
            .cluster_region
            .or_else(|| settings.and_then(|s| s.cluster_region.clone())),
        host_region: input
            .host_region
            .or_else(|| settings.and_then(|s| s.host_region.clone())),
        max_file_bytes: input.max_file_size.unwrap_or(0),
        catalog,
        ..model::Inputs::default()
    };
    if let Some(cluster) = &inputs.cluster_region {
        config::check_cluster_provider(&inputs.catalog, cluster)
            .map_err(|e| format!("--cluster-region: {}", e.message))?;
    }
    if let Some(host) = &inputs.host_region {
        config::check_cluster_provider(&inputs.catalog, host)
            .map_err(|e| format!("--host-region: {}", e.message))?;
    }
    for path in &input.var_files {
        crate::gate::check_user_file(path, "var file", inputs.max_file_bytes)?;
    }
    if let Some(s) = settings {
        inputs.vars.extend(s.vars.iter().cloned());
        inputs.parameters.extend(s.parameters.iter().cloned());
        inputs.var_files.extend(s.var_files.iter().cloned());
    }
    inputs.vars.extend(input.vars);
    inputs.var_files.extend(input.var_files);
    inputs.parameters.extend(input.parameters);
    let mut excludes: Vec<String> = settings.map(|s| s.exclude.clone()).unwrap_or_default();
    excludes.extend(input.exclude);
    let mail_tag = match input.mail_tag {
        Some((key, value)) => MailTag { key, value },
        None => settings
            .and_then(|s| s.mail_tag.clone())
            .unwrap_or_default(),
    };
    // `--threads` holds for every stage, not only for those that take it from the options.
    crate::parallel::set_limit(input.threads.map_or(0, usize::from));
    let opts = ScanOptions {
        paths,
        excludes,
        inputs,
        mail_tag,
        ignores: settings.map(|s| s.ignores.clone()).unwrap_or_default(),
        threads: input.threads.map_or(0, usize::from),
        follow_symlinks: input.follow_symlinks,
        config_warnings,
        file_timeout,
        ..ScanOptions::default()
    };
    Ok((opts, loaded))
}

/// The embedded catalog with `--catalog` files merged over it (validated as a whole).
pub fn catalog_with_files(paths: &[PathBuf]) -> Result<Arc<Catalog>, UsageError> {
    let embedded = catalog::embedded();
    if paths.is_empty() {
        return Ok(embedded);
    }
    let files = paths
        .iter()
        .map(|p| {
            crate::gate::read_user_file(p, "catalog file", 0)
                .map(|text| (p.display().to_string(), text))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arc::new(embedded.with_files(&files)?))
}

/// A scan that read no input at all passes trivially; say so, so that a wrong path in CI is
/// seen.
pub fn note_nothing_read(paths: &[PathBuf]) {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "residency: note: no input file found in {}: residency reads Terraform (.tf, .tf.json, plans and state as JSON), CloudFormation, ARM, Bicep, Kubernetes, Docker Compose and hosted-tenants files",
        crate::report::escape::controls(&shown.join(", "))
    );
}
