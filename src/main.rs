//! The command line. Everything else lives in the library; this file parses arguments, prints,
//! and turns the result into a documented exit code.

use clap::{Args, Parser, Subcommand, ValueEnum};
use residency::datamap::MailTag;
use residency::policy::Severity;
use residency::{catalog, policy, report, resolve, ScanOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
    long_about = "residency reads Terraform and CloudFormation, finds every place mailbox data lives \
(primary store, replicas, archives, processing), and judges each copy by a legal policy: by default \
the 2nd Circuit's 2016 Microsoft Ireland ruling (where the mail is stored decides), or the CLOUD Act \
(who controls it decides), or your own residency rules.\n\nNot legal advice.",
    after_help = "Exit codes: 0 no finding at or above --fail-on · 1 findings at or above it · 2 the tool could not run (bad arguments, policy) · 3 some input files could not be parsed and nothing else failed.\n\nExamples:\n  residency scan infra/\n  residency scan infra/ --region eu-west-1 --policy cloud-act-2018\n  residency scan . --format json --output residency.json --fail-on medium\n  residency explain MSI001"
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
    /// Set a CloudFormation parameter (repeatable); wins over its Default.
    #[arg(long = "parameter", value_name = "NAME=VALUE", value_parser = key_value)]
    parameters: Vec<(String, String)>,
    /// The tag (or label) that marks any resource as holding mail.
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value, default_value = "data-class=mailbox")]
    mail_tag: (String, String),
}

#[derive(Args)]
struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Policy to apply: a built-in id or a JSON file (repeatable).
    #[arg(
        long = "policy",
        value_name = "ID|FILE",
        default_value = "microsoft-ireland-2016"
    )]
    policies: Vec<String>,
    /// Exit with 1 when a finding at or above this severity is not suppressed.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// Where the tenant's users are (ISO country code, repeatable), for CLOUD Act comity notes.
    #[arg(long = "subscriber-country", value_name = "CC")]
    subscriber_countries: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
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
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Args)]
struct RegionArgs {
    /// Only this provider (aws, azure, gcp).
    #[arg(long)]
    provider: Option<String>,
    /// Only regions in this country (ISO 3166-1 alpha-2).
    #[arg(long)]
    country: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
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
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    High,
    Medium,
    Low,
    Info,
    Never,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}

fn options(input: InputArgs) -> ScanOptions {
    ScanOptions {
        paths: if input.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            input.paths
        },
        excludes: input.exclude,
        inputs: resolve::Inputs {
            region: input.region,
            vars: input.vars,
            var_files: input.var_files,
            parameters: input.parameters,
        },
        policies: Vec::new(),
        mail_tag: MailTag {
            key: input.mail_tag.0,
            value: input.mail_tag.1,
        },
        subscriber_countries: Vec::new(),
    }
}

fn write_output(text: &str, output: Option<&PathBuf>) -> Result<(), String> {
    match output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = stdout.write_all(text.as_bytes());
            Ok(())
        }
    }
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
            eprintln!("residency: error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(command: Command) -> Result<u8, String> {
    match command {
        Command::Scan(args) => {
            let mut opts = options(args.input);
            opts.policies = args.policies;
            opts.subscriber_countries = args
                .subscriber_countries
                .iter()
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
            if args.output.is_some() && args.format == Format::Text {
                colored::control::set_override(false);
            }
            let report = residency::scan(&opts)?;
            let text = match args.format {
                Format::Text => report::text::render(&report),
                Format::Json => report.to_json(),
            };
            write_output(&text, args.output.as_ref())?;
            let threshold = match args.fail_on {
                FailOn::High => Some(Severity::High),
                FailOn::Medium => Some(Severity::Medium),
                FailOn::Low => Some(Severity::Low),
                FailOn::Info => Some(Severity::Info),
                FailOn::Never => None,
            };
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
            let mapped = residency::map(&options(args.input))?;
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
                Format::Json => {
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
                Format::Text => {
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
                        r.remediation
                    );
                    for c in &p.info.citations {
                        out.push_str(&format!("  · {c}\n"));
                    }
                    out.push_str(&format!("\n{}\n", report::DISCLAIMER));
                    write_output(&out, None)?;
                    return Ok(0);
                }
            }
            Err(format!(
                "no rule {rule}; `residency policies` lists every rule"
            ))
        }
        Command::Regions(args) => {
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
                        "closed": r.closed,
                        "operator": control.as_ref().map(|c| &c.0),
                        "parent": control.as_ref().map(|c| &c.1),
                        "source": data.sources.get(&r.source),
                        "confirmed": r.confirmed,
                    }));
                }
            }
            let text = match args.format {
                Format::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
                Format::Text => rows
                    .iter()
                    .map(|r| {
                        format!(
                            "{:<6} {:<24} {:<10} {:<28} {}\n",
                            r["provider"].as_str().unwrap_or_default(),
                            r["id"].as_str().unwrap_or_default(),
                            r["countries"]
                                .as_array()
                                .map(|c| c
                                    .iter()
                                    .filter_map(|x| x.as_str())
                                    .collect::<Vec<_>>()
                                    .join(","))
                                .unwrap_or_default()
                                .chars()
                                .take(10)
                                .collect::<String>(),
                            r["city"].as_str().unwrap_or_default(),
                            r["paired_region"]
                                .as_str()
                                .map(|p| format!("pair {p}"))
                                .unwrap_or_default()
                        )
                    })
                    .collect(),
            };
            write_output(&text, None)?;
            Ok(0)
        }
    }
}
