//! `residency scan`: map where mail lives, evaluate the policies, write each report, and
//! exit by the worst finding.

use super::input::{self, InputArgs};
use super::output::{check_outputs, output_targets, write_atomically, write_output_with};
use super::{ExitStatus, UsageError};
use crate::config::{self, FailOn, MinSeverity};
use crate::policy::Severity;
use crate::{baseline, catalog, report};
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Policy to apply: a built-in id or a JSON file (repeatable) [default: microsoft-ireland-2016].
    #[arg(long = "policy", value_name = "ID|FILE")]
    pub policies: Vec<String>,
    /// Exit with 1 when a finding at or above this severity is not suppressed [default: high].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Where the tenant's users are (ISO country code, repeatable), for CLOUD Act comity notes.
    #[arg(long = "subscriber-country", value_name = "CC")]
    pub subscriber_countries: Vec<String>,
    /// Output formats, comma-separated: text, json, sarif, junit, github, markdown, gitlab
    /// (a Code Quality report).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "text")]
    pub format: Vec<Format>,
    /// Where each format goes, comma-separated in the same order; `-` is standard output.
    #[arg(
        long,
        short,
        value_name = "FILE",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    pub output: Vec<String>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding of this scan in a baseline file (the run then exits 0 for
    /// findings; unreadable inputs still exit 3).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Show findings at or above this severity in every format [default: info, and low for
    /// SARIF and GitHub annotations]; --fail-on alone decides the exit code.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_severity: Option<MinSeverity>,
    /// Keep suppressed findings in SARIF and GitHub annotations (marked), which leave them out
    /// by default: GitHub opens alerts for suppressed SARIF results.
    #[arg(long)]
    pub include_suppressed: bool,
    /// Most results in SARIF, the most severe kept [default: 5000, what GitHub shows; at most
    /// 25000, what it accepts].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=25_000))]
    pub sarif_max_results: Option<u16>,
    /// The text report as one line per finding at or above --min-severity (suppressed ones
    /// left out), the input errors and the summary line; no map and no progress line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What one output shows of the report.
struct Shown {
    min: Option<Severity>,
    include_suppressed: bool,
    sarif_max: usize,
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
    Gitlab,
}

impl Format {
    /// The name as `--format` takes it.
    fn name(self) -> String {
        self.to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_string())
    }
}

/// Runs the scan and writes every report; the exit status follows the worst finding at or
/// above `--fail-on`, else the input errors.
pub fn run(args: Args) -> Result<ExitStatus, UsageError> {
    let (mut opts, loaded) = input::options(args.input)?;
    let settings = loaded.as_ref().map(|l| &l.settings);
    opts.policies = match settings.and_then(|s| s.policies.clone()) {
        Some(configured) if args.policies.is_empty() => configured,
        _ => args.policies,
    };
    opts.subscriber_countries = subscriber_countries(&args.subscriber_countries, settings)?;
    // A configured baseline that does not exist yet is not an error.
    let configured = settings.and_then(|s| s.baseline.clone());
    let baseline_path = args
        .baseline
        .clone()
        .or_else(|| configured.filter(|p| p.exists() || args.write_baseline.is_none()));
    if args.write_baseline.is_none() {
        if let Some(path) = &baseline_path {
            let text = crate::gate::read_user_file(path, "baseline", 0)?;
            opts.baseline = Some(baseline::read(&text, &path.display().to_string())?);
        }
    }
    let threshold = args
        .fail_on
        .or_else(|| settings.and_then(|s| s.fail_on))
        .unwrap_or(FailOn::High)
        .threshold();
    let targets = output_targets(&args.format, &args.output)?;
    check_outputs(
        targets
            .iter()
            .filter_map(|(_, t)| t.as_ref())
            .chain(args.write_baseline.as_ref()),
    )?;
    let progress = super::progress_line::ProgressLine::start(args.quiet);
    let report = crate::scan(&opts);
    drop(progress);
    let report = report?;
    if report.summary.files == 0 {
        input::note_nothing_read(&opts.paths);
    }
    if let Some(path) = &args.write_baseline {
        write_atomically(path, baseline::write(&report.findings).as_bytes())?;
    }
    let colour = colored::control::SHOULD_COLORIZE.should_colorize();
    let shown = Shown {
        min: args
            .min_severity
            .or_else(|| settings.and_then(|s| s.min_severity))
            .map(MinSeverity::severity),
        include_suppressed: args.include_suppressed,
        sarif_max: args
            .sarif_max_results
            .map_or(report::sarif::DEFAULT_MAX_RESULTS, usize::from),
        quiet: args.quiet,
    };
    let mut clock = std::time::Instant::now();
    for (format, target) in targets {
        colored::control::set_override(colour && target.is_none());
        let filtered = shown.of(&report, format);
        let width = super::output::text_width(target.as_ref());
        write_output_with(target.as_ref(), &mut |out| {
            write_report(&filtered, format, &shown, width, threshold, out)
        })?;
        crate::progress::ended(&format!("report {}", format.name()), &mut clock);
    }
    let failed = matches!((threshold, report.worst()), (Some(t), Some(w)) if w >= t);
    // Recording a baseline accepts today's findings: the run that writes it passes.
    let status = if failed && args.write_baseline.is_none() {
        ExitStatus::Findings
    } else if !report.errors.is_empty() {
        ExitStatus::InputErrors
    } else {
        ExitStatus::Clean
    };
    // Every report is written: freeing the report (a tenth of a second for the datasets and
    // findings of a large scan) is left to a thread of its own that the exit does not wait for.
    // Where no thread can be started, the failed spawn frees it here.
    let _ = std::thread::Builder::new()
        .name("free-report".into())
        .spawn(move || drop(report));
    Ok(status)
}

impl Shown {
    /// The report as `format` shows it: findings at or above the minimum severity (SARIF and
    /// GitHub annotations leave out `info` unless asked: good news is not an alert), and
    /// without suppressed findings in SARIF and annotations unless asked.
    fn of<'r>(
        &self,
        report: &'r report::Report,
        format: Format,
    ) -> std::borrow::Cow<'r, report::Report> {
        let alerts = matches!(format, Format::Sarif | Format::Github | Format::Gitlab);
        let min = self.min.or(alerts.then_some(Severity::Low));
        let drop_suppressed = alerts && !self.include_suppressed;
        let keep = |f: &crate::policy::Finding| {
            min.is_none_or(|m| f.severity >= m) && !(drop_suppressed && f.suppressed)
        };
        if report.findings.iter().all(keep) {
            return std::borrow::Cow::Borrowed(report);
        }
        // Alerts (SARIF, annotations, GitLab issues) show findings, not the map: the datasets,
        // most of a large report, are not copied for them.
        let datasets = if alerts {
            Vec::new()
        } else {
            report.datasets.clone()
        };
        std::borrow::Cow::Owned(report::Report {
            tool: report.tool.clone(),
            schema_version: report.schema_version,
            root: report.root.clone(),
            policies: report.policies.clone(),
            summary: report.summary.clone(),
            datasets,
            findings: report
                .findings
                .iter()
                .filter(|f| keep(f))
                .cloned()
                .collect(),
            errors: report.errors.clone(),
            warnings: report.warnings.clone(),
            current_law: report.current_law.clone(),
            disclaimer: report.disclaimer,
            rules: report.rules.clone(),
            // SARIF places the steps of a chain with them.
            declarations: report.declarations.clone(),
        })
    }
}

/// One report in one format, written to `out`: JSON and GitLab's as they are serialised, the
/// text, JUnit and GitHub reports as they are rendered (all of them grow with the findings);
/// SARIF and Markdown are capped in size by design, and rendered whole first.
fn write_report(
    report: &report::Report,
    format: Format,
    shown: &Shown,
    width: usize,
    threshold: Option<Severity>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let text = match format {
        Format::Json => return report.write_json(out),
        Format::Gitlab => return report::gitlab::write(report, out),
        Format::Text if !shown.quiet => {
            return report::stream(out, |text| report::text::write(report, width, text))
        }
        Format::Junit => {
            return report::stream(out, |xml| report::junit::write(report, threshold, xml))
        }
        Format::Github => {
            return report::stream(out, |commands| report::github::write(report, commands))
        }
        Format::Text => report::text::render_quiet(report),
        Format::Sarif => {
            let kept = report::sarif::write_limited(report, shown.sarif_max, out)?;
            if kept < report.findings.len() {
                eprintln!(
                    "residency: note: SARIF keeps the {kept} most severe of {} results (--sarif-max-results; GitHub's limits)",
                    report.findings.len()
                );
            }
            return Ok(());
        }
        Format::Markdown => report::markdown::render(report),
    };
    out.write_all(text.as_bytes())
}

/// `--subscriber-country` values, then the config file's, as ISO codes in upper case.
fn subscriber_countries(
    given: &[String],
    settings: Option<&config::Settings>,
) -> Result<Vec<String>, UsageError> {
    let mut countries = Vec::new();
    for c in given {
        let upper = c.to_ascii_uppercase();
        if !catalog::is_iso_country(&upper) {
            return Err(
                format!("--subscriber-country {c} is not an ISO 3166-1 alpha-2 code").into(),
            );
        }
        countries.push(upper);
    }
    countries.extend(
        settings
            .iter()
            .flat_map(|s| s.subscriber_countries.iter().cloned()),
    );
    Ok(countries)
}
