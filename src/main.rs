//! The command line. Everything else lives in the library; this file parses arguments, prints,
//! and turns the result into a documented exit code.

use clap::{Args, Parser, Subcommand, ValueEnum};
use residency::datamap::MailTag;
use residency::policy::Severity;
use residency::{baseline, catalog, config, model, policy, report, suppress, ScanOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: the scan builds and drops millions of small values (syntax trees, evaluated
/// attributes); with glibc's allocator, malloc and free took a third of the time (perf).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes (stable): 0 nothing at or above --fail-on; 1 findings at or above it;
/// 2 the tool could not run; 3 some input files could not be read or parsed.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_INPUT_ERRORS: u8 = 3;

#[derive(Parser)]
#[command(
    name = "residency",
    version,
    about = "Map where mailbox data physically lives in your infrastructure code, and what US warrants can reach",
    long_about = "residency reads Terraform (source, plans and state), CloudFormation, Azure ARM \
templates, Kubernetes manifests and hosted mail tenants files, finds every place mailbox data \
lives (primary store, replicas, backups, archives, logs, processing), and judges each copy by a legal policy: by default \
the 2nd Circuit's 2016 Microsoft Ireland ruling (where the mail is stored decides), or the CLOUD Act \
(who controls it decides), or your own residency rules.\n\nNot legal advice.",
    after_help = "Exit codes: 0 no finding at or above --fail-on · 1 findings at or above it · 2 the tool could not run (bad arguments, policy) · 3 some input files could not be parsed and nothing else failed.\n\nExamples:\n  residency scan infra/\n  residency scan infra/ --region eu-west-1 --policy cloud-act-2018\n  terraform show -json plan.out > plan.json && residency scan .\n  residency scan arm/ --resource-group-location westeurope\n  residency scan k8s/ --cluster-region aws:eu-central-1\n  residency scan . --format text,sarif --output -,residency.sarif --fail-on medium\n  residency scan . --write-baseline residency-baseline.json\n  residency map infra/ --format mermaid\n  residency explain MSI001"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Scan configuration: map where mail lives and evaluate the policies.
    Scan(ScanArgs),
    /// Print the data map (every copy of mailbox data) without policies.
    Map(MapArgs),
    /// List the built-in policies with their dates and citations.
    Policies(FormatArgs),
    /// Print the documentation of a rule (for example MSI001).
    Explain {
        /// Rule id, such as MSI001, CLD001 or EEA002.
        rule: String,
    },
    /// List the regions catalog: where each region is and who operates it.
    Regions(RegionArgs),
}

#[derive(Args)]
struct InputArgs {
    /// Files or directories to scan (default: the current directory).
    paths: Vec<PathBuf>,
    /// Skip paths matching this glob (repeatable), e.g. 'examples/**'.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// The AWS region for providers without one (what AWS_REGION would give) and the
    /// CloudFormation stack's region.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Set a Terraform root variable (repeatable); wins over tfvars files.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = key_value)]
    vars: Vec<(String, String)>,
    /// Read Terraform root variables from a tfvars file (repeatable); wins over the automatic ones.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// Set a CloudFormation or ARM template parameter (repeatable); wins over parameter files
    /// and defaults.
    #[arg(long = "parameter", value_name = "NAME=VALUE", value_parser = key_value)]
    parameters: Vec<(String, String)>,
    /// The location of the resource group ARM templates deploy into (what
    /// `[resourceGroup().location]` gives), e.g. westeurope.
    #[arg(long, value_name = "LOCATION")]
    resource_group_location: Option<String>,
    /// Where the Kubernetes cluster runs, for manifests that do not say:
    /// PROVIDER:REGION, e.g. aws:eu-west-1, gcp:europe-west1, azure:westeurope.
    #[arg(long, value_name = "PROVIDER:REGION", value_parser = cluster_region)]
    cluster_region: Option<(String, String)>,
    /// The tag (or label) that marks any resource as holding mail [default: data-class=mailbox].
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value)]
    mail_tag: Option<(String, String)>,
    /// Read settings from this file [default: residency.toml in the scanned directory].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not read residency.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Add or correct catalog entries from a file in the catalog's own format (repeatable).
    #[arg(long = "catalog", value_name = "FILE")]
    catalogs: Vec<PathBuf>,
    /// Larger files are reported, not read (bytes, or with K, M, G) [default: 16M].
    #[arg(long, value_name = "SIZE", value_parser = byte_size)]
    max_file_size: Option<u64>,
    /// Follow symbolic links that lead outside the scanned paths or to directories (by default
    /// only links to files inside them are read; the others are skipped with a warning). Never
    /// onto another file system, never into /proc, /sys or /dev.
    #[arg(long)]
    follow_symlinks: bool,
    /// Parse with this many threads [default: one per core]; the output is the same.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=256))]
    threads: Option<u16>,
    /// Seconds one file may take to parse before it is reported and skipped: a watchdog of last
    /// resort for a parser stuck on hostile text [default: 60].
    #[arg(long, value_name = "SECONDS")]
    file_timeout: Option<f64>,
}

#[derive(Args)]
struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Policy to apply: a built-in id or a JSON file (repeatable) [default: microsoft-ireland-2016].
    #[arg(long = "policy", value_name = "ID|FILE")]
    policies: Vec<String>,
    /// Exit with 1 when a finding at or above this severity is not suppressed [default: high].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Where the tenant's users are (ISO country code, repeatable), for CLOUD Act comity notes.
    #[arg(long = "subscriber-country", value_name = "CC")]
    subscriber_countries: Vec<String>,
    /// Output formats, comma-separated: text, json, sarif, junit, github, markdown.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "text")]
    format: Vec<Format>,
    /// Where each format goes, comma-separated in the same order; `-` is standard output.
    #[arg(
        long,
        short,
        value_name = "FILE",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    output: Vec<String>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record every finding of this scan in a baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
}

#[derive(Args)]
struct MapArgs {
    #[command(flatten)]
    input: InputArgs,
    /// text, json, or a diagram: mermaid (renders in GitHub/GitLab Markdown) or dot (Graphviz).
    #[arg(long, value_enum, default_value_t = MapFormat::Text)]
    format: MapFormat,
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct FormatArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Args)]
struct RegionArgs {
    /// Only this provider (aws, azure, gcp).
    #[arg(long)]
    provider: Option<String>,
    /// Only regions in this country (ISO 3166-1 alpha-2).
    #[arg(long)]
    country: Option<String>,
    /// Add or correct catalog entries from a file in the catalog's own format (repeatable).
    #[arg(long = "catalog", value_name = "FILE")]
    catalogs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum MapFormat {
    Text,
    Json,
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    High,
    Medium,
    Low,
    Info,
    Never,
}

fn byte_size(text: &str) -> Result<u64, String> {
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

fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}

/// `PROVIDER:REGION` (`aws:eu-west-1`); the provider is checked against the catalog once any
/// `--catalog` files are loaded.
fn cluster_region(text: &str) -> Result<(String, String), String> {
    text.split_once(':')
        .filter(|(p, r)| !p.trim().is_empty() && !r.trim().is_empty())
        .map(|(p, r)| (p.trim().to_ascii_lowercase(), r.trim().to_string()))
        .ok_or_else(|| format!("expected PROVIDER:REGION (e.g. aws:eu-west-1), got {text:?}"))
}

/// Refuses a `--cluster-region` whose provider the catalog does not know.
fn check_cluster_provider(cluster: &Option<(String, String)>) -> Result<(), String> {
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
fn options(input: InputArgs) -> Result<(ScanOptions, Option<config::Loaded>), String> {
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
        residency::gate::check_user_file(path, "var file", opts.inputs.max_file_bytes)?;
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
fn use_catalog_files(paths: &[PathBuf]) -> Result<(), String> {
    if paths.is_empty() {
        return Ok(());
    }
    let files = paths
        .iter()
        .map(|p| {
            residency::gate::read_user_file(p, "catalog file", 0)
                .map(|text| (p.display().to_string(), text))
        })
        .collect::<Result<Vec<_>, _>>()?;
    catalog::use_files(&files)
}

/// Pairs each format with where it goes (`None` is standard output).
fn output_targets(
    formats: &[Format],
    outputs: &[String],
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    if outputs.is_empty() {
        if formats.len() > 1 {
            return Err(format!(
                "--format lists {} formats: give one --output per format, comma-separated in the same order (- for standard output)",
                formats.len()
            ));
        }
        return Ok(formats.iter().map(|f| (*f, None)).collect());
    }
    if outputs.len() != formats.len() {
        return Err(format!(
            "--format lists {} formats but --output lists {} destinations",
            formats.len(),
            outputs.len()
        ));
    }
    if outputs.iter().filter(|o| *o == "-").count() > 1 {
        return Err("only one format can go to standard output (-)".into());
    }
    Ok(formats
        .iter()
        .zip(outputs)
        .map(|(f, o)| (*f, (o != "-").then(|| PathBuf::from(o))))
        .collect())
}

fn write_output(text: &str, output: Option<&PathBuf>) -> Result<(), String> {
    match output {
        Some(path) => write_atomically(path, text.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // A reader that stopped reading (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                // A full disk or a closed descriptor: the report was not delivered.
                Err(e) => Err(format!("cannot write the report to standard output: {e}")),
                Ok(()) => Ok(()),
            }
        }
    }
}

/// Writes a report file. A regular file (or a new one) is written through a temporary file
/// beside it, renamed into place: a failed write (a full disk) leaves the previous report whole
/// instead of a truncated one. A link to a regular file is replaced at its target, so the link
/// stays. Anything else (`/dev/null`, `/dev/stdout`, a FIFO, a process substitution) is written
/// in place: renaming over it would replace a device or a pipe with a plain file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let target = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(bytes))
                .map_err(fail);
        }
        Ok(_) => std::fs::canonicalize(path).map_err(fail)?,
        Err(_) => path.to_path_buf(),
    };
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let temporary =
        directory_of(&target).join(format!(".{name}.residency-{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&temporary, &target)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(e));
    }
    Ok(())
}

/// The directory an output file goes to (`.` for a bare file name).
fn directory_of(path: &std::path::Path) -> &std::path::Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    }
}

/// Checks before the scan that every output file can be written where it is asked for: its
/// directory exists, and no two formats go to the same file.
fn check_outputs<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        // A device or a pipe (`/dev/null` for two formats) may well take two reports.
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if !special && !seen.insert(residency::gate::absolute(path)) {
            return Err(format!(
                "{} is given as the output of two formats",
                path.display()
            ));
        }
        let dir = directory_of(path);
        if !dir.is_dir() {
            return Err(format!(
                "cannot write {}: directory {} does not exist",
                path.display(),
                dir.display()
            ));
        }
        if path.is_dir() {
            return Err(format!(
                "cannot write {}: it is a directory",
                path.display()
            ));
        }
    }
    Ok(())
}

/// A scan that read no input at all passes trivially; say so, so that a wrong path in CI is
/// seen.
fn note_nothing_read(paths: &[PathBuf]) {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "residency: note: no input file found in {}: residency reads Terraform (.tf, .tf.json, plans and state as JSON), CloudFormation, ARM, Kubernetes and hosted-tenants files",
        report::escape::controls(&shown.join(", "))
    );
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorChoice::Always => colored::control::set_override(true),
        ColorChoice::Never => colored::control::set_override(false),
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            let enabled = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            colored::control::set_override(enabled);
        }
    }
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            // The message may quote a file (a config value, a path): no control characters.
            eprintln!(
                "residency: error: {}",
                residency::report::escape::controls(&message)
            );
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(command: Command) -> Result<u8, String> {
    match command {
        Command::Scan(args) => {
            let (mut opts, loaded) = options(args.input)?;
            let file_config = loaded.as_ref().map(|l| &l.config);
            opts.policies = match (&loaded, args.policies.is_empty()) {
                (Some(l), true) => l
                    .config
                    .policies
                    .iter()
                    .flatten()
                    .map(|p| {
                        // A built-in id, or a file beside the config file.
                        if policy::is_built_in(p) {
                            Ok(p.clone())
                        } else {
                            l.resolve_path("policies", p)
                                .map(|path| path.to_string_lossy().into_owned())
                        }
                    })
                    .collect::<Result<_, _>>()?,
                _ => args.policies,
            };
            opts.subscriber_countries = args
                .subscriber_countries
                .iter()
                .chain(
                    file_config
                        .map(|c| &c.subscriber_countries)
                        .into_iter()
                        .flatten(),
                )
                .map(|c| c.to_ascii_uppercase())
                .collect();
            if let Some(bad) = opts
                .subscriber_countries
                .iter()
                .find(|c| !catalog::is_iso_country(c))
            {
                return Err(format!(
                    "--subscriber-country {bad} is not an ISO 3166-1 alpha-2 code"
                ));
            }
            let configured = match &loaded {
                Some(l) => l
                    .config
                    .baseline
                    .as_ref()
                    .map(|b| l.resolve_path("baseline", b))
                    .transpose()?,
                None => None,
            };
            // A configured baseline that does not exist yet is not an error.
            let baseline_path = args
                .baseline
                .clone()
                .or_else(|| configured.filter(|p| p.exists() || args.write_baseline.is_none()));
            if args.write_baseline.is_none() {
                if let Some(path) = &baseline_path {
                    let text = residency::gate::read_user_file(path, "baseline", 0)?;
                    opts.baseline = Some(baseline::read(&text, &path.display().to_string())?);
                }
            }
            // The config file's value was checked against the same names when it was loaded.
            let fail_on = args
                .fail_on
                .or_else(|| {
                    let text = file_config.and_then(|c| c.fail_on.as_deref())?;
                    FailOn::from_str(text, false).ok()
                })
                .unwrap_or(FailOn::High);
            let threshold = match fail_on {
                FailOn::High => Some(Severity::High),
                FailOn::Medium => Some(Severity::Medium),
                FailOn::Low => Some(Severity::Low),
                FailOn::Info => Some(Severity::Info),
                FailOn::Never => None,
            };
            let targets = output_targets(&args.format, &args.output)?;
            check_outputs(
                targets
                    .iter()
                    .filter_map(|(_, t)| t.as_ref())
                    .chain(args.write_baseline.as_ref()),
            )?;
            let report = residency::scan(&opts)?;
            if report.summary.files == 0 {
                note_nothing_read(&opts.paths);
            }
            if let Some(path) = &args.write_baseline {
                write_atomically(path, baseline::write(&report.findings).as_bytes())?;
            }
            let colour = colored::control::SHOULD_COLORIZE.should_colorize();
            for (format, target) in targets {
                colored::control::set_override(colour && target.is_none());
                let text = match format {
                    Format::Text => report::text::render(&report),
                    Format::Json => report.to_json(),
                    Format::Sarif => report::sarif::render(&report),
                    Format::Junit => report::junit::render(&report, threshold),
                    Format::Github => report::github::render(&report),
                    Format::Markdown => report::markdown::render(&report),
                };
                write_output(&text, target.as_ref())?;
            }
            let failed = matches!((threshold, report.worst()), (Some(t), Some(w)) if w >= t);
            Ok(if failed {
                EXIT_FINDINGS
            } else if !report.errors.is_empty() {
                EXIT_INPUT_ERRORS
            } else {
                0
            })
        }
        Command::Map(args) => {
            check_outputs(args.output.as_ref())?;
            let opts = options(args.input)?.0;
            let mapped = residency::map(&opts)?;
            if mapped.files == 0 {
                note_nothing_read(&opts.paths);
            }
            let text = match args.format {
                MapFormat::Text => {
                    let mut out = String::new();
                    report::text::render_map(&mapped.map.datasets, &mut out);
                    for e in &mapped.errors {
                        out.push_str(&format!("error: {}:{}: {}\n", e.file, e.line, e.message));
                    }
                    out
                }
                MapFormat::Mermaid => report::graph::mermaid(&mapped.map.datasets),
                MapFormat::Dot => report::graph::dot(&mapped.map.datasets),
                MapFormat::Json => {
                    let value = serde_json::json!({
                        "datasets": mapped.map.datasets,
                        "errors": mapped.errors,
                    });
                    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
                }
            };
            write_output(&text, args.output.as_ref())?;
            Ok(if mapped.errors.is_empty() {
                0
            } else {
                EXIT_INPUT_ERRORS
            })
        }
        Command::Policies(args) => {
            let mut infos = Vec::new();
            for (id, _) in policy::BUILT_IN {
                let p = policy::load(id)?;
                infos.push((p.info, p.rules));
            }
            let text = match args.format {
                ListFormat::Json => {
                    let value: Vec<_> = infos
                        .iter()
                        .map(|(info, rules)| {
                            serde_json::json!({
                                "policy": info,
                                "rules": rules.iter().map(|r| serde_json::json!({
                                    "id": r.id, "title": r.title, "severity": r.severity, "verdict": r.verdict,
                                })).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
                }
                ListFormat::Text => {
                    let mut out = String::new();
                    for (info, rules) in &infos {
                        let default = if info.id == policy::DEFAULT_POLICY {
                            " (default)"
                        } else {
                            ""
                        };
                        out.push_str(&format!("{}{default}\n  {}\n", info.id, info.title));
                        out.push_str(&format!("  applies from {}", info.applies_from));
                        if let Some(until) = &info.superseded_on {
                            out.push_str(&format!(
                                "; superseded on {until} by {}",
                                info.superseded_by.as_deref().unwrap_or("later law")
                            ));
                        }
                        out.push('\n');
                        for c in &info.citations {
                            out.push_str(&format!("  · {c}\n"));
                        }
                        for r in rules {
                            out.push_str(&format!(
                                "  {:<7} {:<6} {:<14} {}\n",
                                r.id,
                                r.severity.as_str(),
                                r.verdict,
                                r.title
                            ));
                        }
                        out.push('\n');
                    }
                    out
                }
            };
            write_output(&text, None)?;
            Ok(0)
        }
        Command::Explain { rule } => {
            for (id, _) in policy::BUILT_IN {
                let p = policy::load(id)?;
                if let Some(r) = p.rules.iter().find(|r| r.id.eq_ignore_ascii_case(&rule)) {
                    let mut out = format!(
                        "{}: {}\n\npolicy:   {} ({})\nseverity: {}\nverdict:  {}\n\n{}\n\nWhat to do: {}\n\nSources:\n",
                        r.id,
                        r.title,
                        p.info.id,
                        p.info.title,
                        r.severity.as_str(),
                        r.verdict,
                        r.explanation,
                        policy::generic_text(&r.remediation)
                    );
                    for c in &p.info.citations {
                        out.push_str(&format!("  · {c}\n"));
                    }
                    out.push_str(&format!("\n{}\n", report::DISCLAIMER));
                    write_output(&out, None)?;
                    return Ok(0);
                }
            }
            if let Some(m) = suppress::meta_rule(&rule) {
                let out = format!(
                    "{}: {}\n\npolicy:   {} (built in: suppressions)\nseverity: medium\n\n{}\n\nWhat to do: {}\n",
                    m.id,
                    m.title,
                    suppress::META_POLICY,
                    m.explanation,
                    m.remediation
                );
                write_output(&out, None)?;
                return Ok(0);
            }
            Err(format!(
                "no rule {rule}; `residency policies` lists every rule"
            ))
        }
        Command::Regions(args) => {
            use_catalog_files(&args.catalogs)?;
            let cat = catalog::catalog();
            let mut rows = Vec::new();
            for data in &cat.providers {
                if args.provider.as_deref().is_some_and(|p| p != data.provider) {
                    continue;
                }
                for r in &data.regions {
                    if let Some(cc) = &args.country {
                        if !r.countries.iter().any(|c| c.eq_ignore_ascii_case(cc)) {
                            continue;
                        }
                    }
                    let control = cat.control(&data.provider, r);
                    rows.push(serde_json::json!({
                        "provider": data.provider,
                        "id": r.id,
                        "name": r.name,
                        "countries": r.countries,
                        "city": r.city,
                        "partition": r.partition,
                        "kind": r.kind.as_deref().unwrap_or("region"),
                        "paired_region": r.paired_region,
                        // Where the geo-redundant copy goes, so a border crossing shows at once.
                        "paired_countries": r
                            .paired_region
                            .as_deref()
                            .and_then(|p| cat.region(&data.provider, p))
                            .map(|p| p.countries.clone()),
                        "closed": r.closed,
                        "operator": control.as_ref().map(|c| &c.0),
                        "parent": control.as_ref().map(|c| &c.1),
                        "source": data.sources.get(&r.source),
                        "confirmed": r.confirmed,
                    }));
                }
            }
            let text = match args.format {
                ListFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
                ListFormat::Text => rows
                    .iter()
                    .map(|r| {
                        let countries: Vec<&str> = r["countries"]
                            .as_array()
                            .map(|c| c.iter().filter_map(|x| x.as_str()).collect())
                            .unwrap_or_default();
                        // A multi-region's long list is summarised; --format json has it whole.
                        let countries = if countries.len() > 3 {
                            format!("{} countries", countries.len())
                        } else {
                            countries.join(",")
                        };
                        let mut notes = Vec::new();
                        if let Some(p) = r["paired_region"].as_str() {
                            notes.push(format!("pair {p}"));
                        }
                        if let Some(closed) = r["closed"].as_str() {
                            notes.push(format!("closed {closed}"));
                        }
                        if r["confirmed"] == false {
                            notes.push("unconfirmed".to_string());
                        }
                        format!(
                            "{:<12} {:<24} {:<12} {:<28} {}\n",
                            r["provider"].as_str().unwrap_or_default(),
                            r["id"].as_str().unwrap_or_default(),
                            countries,
                            r["city"].as_str().unwrap_or_default(),
                            notes.join(", ")
                        )
                        .trim_end()
                        .to_string()
                            + "\n"
                    })
                    .collect(),
            };
            write_output(&text, None)?;
            Ok(0)
        }
    }
}
