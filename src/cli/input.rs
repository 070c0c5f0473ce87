//! The inputs `scan` and `map` share (paths, deploy-time values, limits), their value
//! parsers, and how they are merged over `residency.toml`: the command line wins, lists add up.

use crate::datamap::MailTag;
use crate::{catalog, config, model, report, ScanOptions};
use std::path::PathBuf;

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
    #[arg(long, value_name = "PROVIDER:REGION", value_parser = cluster_region)]
    pub cluster_region: Option<(String, String)>,
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
    /// Parse with this many threads [default: one per core]; the output is the same.
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

pub fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}

/// `PROVIDER:REGION` (`aws:eu-west-1`); the provider is checked against the catalog once any
/// `--catalog` files are loaded.
pub fn cluster_region(text: &str) -> Result<(String, String), String> {
    text.split_once(':')
        .filter(|(p, r)| !p.trim().is_empty() && !r.trim().is_empty())
        .map(|(p, r)| (p.trim().to_ascii_lowercase(), r.trim().to_string()))
        .ok_or_else(|| format!("expected PROVIDER:REGION (e.g. aws:eu-west-1), got {text:?}"))
}

/// Refuses a `--cluster-region` whose provider the catalog does not know.
pub fn check_cluster_provider(cluster: &Option<(String, String)>) -> Result<(), String> {
    let Some((provider, _)) = cluster else {
        return Ok(());
    };
    let cat = catalog::catalog();
    if cat.provider(provider).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = cat.providers.iter().map(|p| p.provider.as_str()).collect();
    Err(format!(
        "--cluster-region: unknown provider {provider:?}; one of: {}",
        known.join(", ")
    ))
}

/// Command-line inputs merged with the config file (the command line wins; lists add up).
pub fn options(input: InputArgs) -> Result<(ScanOptions, Option<config::Loaded>), String> {
    let paths = if input.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        input.paths
    };
    // A path that does not exist is a mistake in the command, not an input problem.
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    let mut config_warnings = Vec::new();
    let loaded = if input.no_config {
        None
    } else {
        let found = config::find(input.config.as_deref(), &paths);
        config_warnings.extend(found.unused.iter().map(|(path, why)| report::Diagnostic {
            file: config::shown(path),
            line: 0,
            message: why.clone(),
        }));
        found
            .path
            .map(|p| config::load(&p, found.in_tree))
            .transpose()?
    };
    let mut opts = ScanOptions {
        paths,
        excludes: Vec::new(),
        inputs: model::Inputs {
            region: input.region,
            resource_group_location: input.resource_group_location,
            cluster_region: input.cluster_region,
            vars: Vec::new(),
            var_files: Vec::new(),
            parameters: Vec::new(),
            max_file_bytes: input.max_file_size.unwrap_or(0),
            gate: Default::default(),
        },
        policies: Vec::new(),
        mail_tag: MailTag::default(),
        subscriber_countries: Vec::new(),
        ignores: Vec::new(),
        baseline: None,
        today: String::new(),
        threads: input.threads.map_or(0, usize::from),
        follow_symlinks: input.follow_symlinks,
        config_warnings,
        file_timeout: match input.file_timeout {
            Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
                Some(std::time::Duration::from_secs_f64(s))
            }
            Some(s) => {
                return Err(format!(
                    "--file-timeout {s} is not a number of seconds between 0 and 86400"
                ))
            }
            None => None,
        },
    };
    use_catalog_files(&input.catalogs)?;
    let mut mail_tag = input.mail_tag;
    if let Some(l) = &loaded {
        let c = &l.config;
        opts.excludes.extend(c.exclude.iter().cloned());
        if opts.inputs.region.is_none() {
            opts.inputs.region = c.region.clone();
        }
        if opts.inputs.resource_group_location.is_none() {
            opts.inputs.resource_group_location = c.resource_group_location.clone();
        }
        if opts.inputs.cluster_region.is_none() {
            if let Some(text) = &c.cluster_region {
                opts.inputs.cluster_region = Some(
                    cluster_region(text)
                        .map_err(|e| format!("config file {}: cluster_region: {e}", l.display))?,
                );
            }
        }
        for (table, target) in [
            (&c.vars, &mut opts.inputs.vars),
            (&c.parameters, &mut opts.inputs.parameters),
        ] {
            for (name, value) in table {
                let text = config::scalar_text(value).ok_or_else(|| {
                    format!(
                        "config file {}: {name} must be a string, number or boolean",
                        l.display
                    )
                })?;
                target.push((name.clone(), text));
            }
        }
        for f in &c.var_files {
            opts.inputs.var_files.push(l.resolve_path("var_files", f)?);
        }
        if mail_tag.is_none() {
            if let Some(tag) = &c.mail_tag {
                mail_tag = Some(
                    key_value(tag)
                        .map_err(|e| format!("config file {}: mail_tag: {e}", l.display))?,
                );
            }
        }
        opts.ignores = l.ignores();
        let additions = l.catalog_additions();
        if !additions.is_empty() {
            catalog::add_regions(additions)
                .map_err(|e| format!("config file {}: {e}", l.display))?;
        }
    }
    opts.excludes.extend(input.exclude);
    opts.inputs.vars.extend(input.vars);
    for path in &input.var_files {
        crate::gate::check_user_file(path, "var file", opts.inputs.max_file_bytes)?;
    }
    opts.inputs.var_files.extend(input.var_files);
    opts.inputs.parameters.extend(input.parameters);
    if let Some((key, value)) = mail_tag {
        opts.mail_tag = MailTag { key, value };
    }
    check_cluster_provider(&opts.inputs.cluster_region)?;
    Ok((opts, loaded))
}

/// Reads `--catalog` files and merges them over the embedded catalog (validated).
pub fn use_catalog_files(paths: &[PathBuf]) -> Result<(), String> {
    if paths.is_empty() {
        return Ok(());
    }
    let files = paths
        .iter()
        .map(|p| {
            crate::gate::read_user_file(p, "catalog file", 0)
                .map(|text| (p.display().to_string(), text))
        })
        .collect::<Result<Vec<_>, _>>()?;
    catalog::use_files(&files)
}

/// A scan that read no input at all passes trivially; say so, so that a wrong path in CI is
/// seen.
pub fn note_nothing_read(paths: &[PathBuf]) {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "residency: note: no input file found in {}: residency reads Terraform (.tf, .tf.json, plans and state as JSON), CloudFormation, ARM, Kubernetes and hosted-tenants files",
        report::escape::controls(&shown.join(", "))
    );
}
