//! residency maps every place mailbox data lives in infrastructure configuration and evaluates
//! that map against legal-exposure policies. The pipeline runs one way:
//! discover → parse → resolve → locate → datamap → policy → suppress → report.

pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod datamap;
pub mod diag;
pub mod discover;
pub mod frontend;
pub mod gate;
pub mod hash;
pub mod locate;
pub mod model;
pub mod parallel;
pub mod policy;
pub mod progress;
pub mod redact;
pub mod report;
pub mod suppress;
pub mod syntax;
pub mod value;

use datamap::MailTag;

use crate::hash::{HashMap, HashSet};
use report::{Diagnostic, Report};
use std::borrow::Cow;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub inputs: model::Inputs,
    /// Built-in policy ids or policy files; the default policy when empty.
    pub policies: Vec<String>,
    pub mail_tag: MailTag,
    /// Countries where the tenant's users are (for CLOUD Act comity notes).
    pub subscriber_countries: Vec<String>,
    /// Suppressions from the config file.
    pub ignores: Vec<suppress::Ignore>,
    /// Fingerprints of accepted findings (`--baseline`): left out of the report, counted.
    pub baseline: Option<baseline::Accepted>,
    /// Today's date (`YYYY-MM-DD`) for suppression end dates; the system date when empty.
    pub today: String,
    /// Threads for parsing and evaluating; 0 uses `parallel::cores()` (every core unless the
    /// command line set `--threads`). Output does not depend on it.
    pub threads: usize,
    /// Follow symbolic links while walking (`--follow-symlinks`).
    pub follow_symlinks: bool,
    /// Collected with the config files (one found but not used), reported as warnings.
    pub config_warnings: Vec<Diagnostic>,
    /// Time one file may take to parse (`--file-timeout`); the default when `None`.
    pub file_timeout: Option<std::time::Duration>,
}

/// What the tool needs before it can scan anything; an error here is exit code 2.
pub fn load_policies(ids: &[String]) -> Result<Vec<policy::Policy>, Diagnostic> {
    let ids: Vec<String> = if ids.is_empty() {
        vec![policy::DEFAULT_POLICY.to_string()]
    } else {
        ids.to_vec()
    };
    ids.iter().map(|id| policy::load(id)).collect()
}

/// Everything before policies: the files, their resources, the data map and the diagnostics.
pub struct Mapped {
    pub files: usize,
    /// How many resources the configuration declares (the resources themselves are dropped
    /// once the data map is built: nothing after it reads them).
    pub resource_count: usize,
    /// Where each resource on a chain of the map is declared (worked out beside the stages
    /// that follow; only the report waits for it).
    declarations: Declarations,
    pub map: datamap::DataMap,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    lines: HashMap<String, Vec<(usize, String)>>,
    /// What the configuration marks as secret, masked in everything reported.
    secrets: redact::Secrets,
}

/// The files of a scan, parsed and resolved into resources: what the front ends give, before
/// the data map.
pub struct Resolved {
    pub files: usize,
    pub resources: Vec<model::Resource>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// Suppression-marker lines by file.
    lines: HashMap<String, Vec<(usize, String)>>,
    secrets: redact::Secrets,
}

/// Discovers, parses and resolves the scan's files into resources (`map` goes on to the data
/// map; tests of the front ends stop here).
pub fn resolve(options: &ScanOptions) -> Result<Resolved, Diagnostic> {
    let mut clock = std::time::Instant::now();
    progress::begin("discovering");
    let excludes = discover::build_excludes(&options.excludes)?;
    // One gate for every file this scan opens: the walk, the parsers and the resolvers.
    let gate = gate::Gate::new(
        &options.paths,
        options.follow_symlinks,
        options.inputs.max_file_bytes,
    );
    let walked = discover::discover(&options.paths, &excludes, &gate);
    progress::ended("discover", &mut clock);
    progress::begin_parsing(walked.files.len());
    let files = walked.files;
    let mut errors = walked.errors;
    let mut warnings = walked.warnings;
    warnings.extend(options.config_warnings.iter().cloned());

    let budget = options
        .file_timeout
        .unwrap_or(syntax::workers::DEFAULT_BUDGET);
    let mut inputs = options.inputs.clone();
    inputs.gate = gate;
    // Roots that nothing can call are parsed as they are resolved, not all before.
    let frontend::terraform::stream::Split {
        now: files,
        texts,
        streamed,
    } = frontend::terraform::stream::split(files, &inputs, budget);
    let parsed = syntax::workers::parse_texts(&files, texts, options.threads, &inputs, budget);
    progress::ended("parse", &mut clock);
    progress::begin("resolving");
    let mut claimed = frontend::Claimed::new(streamed);
    let mut lines = HashMap::default();
    let mut scanned = 0;
    for (file, result) in files.iter().zip(parsed) {
        match result {
            Ok(frontend::Parsed::Skipped(why)) => warnings.push(why.in_file(&file.display)),
            Ok(parsed) => {
                if let Some((display, markers)) = claimed.add(parsed) {
                    scanned += 1;
                    lines.insert(display, markers);
                }
            }
            Err(e) => {
                scanned += 1;
                errors.push(e.in_file(&file.display));
            }
        }
    }
    let mut collected = frontend::Collected::default();
    let resources = frontend::resources(claimed, &inputs, options.threads, &mut collected);
    errors.extend(collected.errors);
    warnings.extend(collected.warnings);
    scanned += collected.files;
    lines.extend(collected.markers);
    progress::ended("resolve", &mut clock);
    Ok(Resolved {
        files: scanned,
        resources,
        errors,
        warnings,
        lines,
        secrets: collected.secrets,
    })
}

pub fn map(options: &ScanOptions) -> Result<Mapped, Diagnostic> {
    let Resolved {
        files,
        resources,
        mut errors,
        mut warnings,
        lines,
        secrets,
    } = resolve(options)?;
    let mut clock = std::time::Instant::now();
    progress::begin("mapping");
    let lookups = locate::Lookups {
        catalog: &options.inputs.catalog,
        secrets: &secrets,
    };
    let mut map = datamap::build(&resources, &options.mail_tag, lookups);
    let resource_count = resources.len();
    let declarations = Declarations::start(resources, &map);
    clean_map(&mut map, &secrets);
    progress::ended("datamap", &mut clock);
    for list in [&mut errors, &mut warnings] {
        for d in list.iter_mut() {
            d.message = secrets.redact(&d.message);
            report::escape::in_place(&mut d.message);
            report::escape::in_place(&mut d.file);
        }
        list.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        list.dedup();
    }
    Ok(Mapped {
        files,
        resource_count,
        declarations,
        map,
        errors,
        warnings,
        lines,
        secrets,
    })
}

/// Makes every text of the map that came from a configuration safe to print: credentials
/// masked, control characters and bidirectional overrides made visible (`report::escape`).
/// Datasets are cleaned on every core; a text that needs nothing is left as it is.
fn clean_map(map: &mut datamap::DataMap, secrets: &redact::Secrets) {
    let clean = |text: &mut String| clean(text, secrets);
    let clean_shared = |text: &mut arcstr::ArcStr| clean_shared(text, secrets);
    parallel::each_on_every_core(&mut map.datasets, 256, |d| {
        // The deployment is a directory or template name: as hostile as a file name.
        clean(&mut d.deployment);
        clean(&mut d.source);
        clean(&mut d.kind);
        clean(&mut d.file);
        d.reason.as_mut().map(clean);
        for c in &mut d.copies {
            clean_shared(&mut c.resource);
            clean_shared(&mut c.deployment);
            clean_shared(&mut c.file);
            if let Some(region) = &mut c.region {
                clean_key(region, secrets);
            }
            c.unknown_reason.as_mut().map(clean);
            for step in c.via.iter_mut().chain(c.also_via.iter_mut().flatten()) {
                clean_shared(step);
            }
            if let Some(key) = &mut c.key {
                clean(&mut key.resource);
                key.regions.iter_mut().for_each(clean);
            }
        }
    });
}

/// The same for findings: their messages are built from the (clean) map, but suppression
/// reasons are read from comments in the files.
fn clean_findings(findings: &mut [policy::Finding], secrets: &redact::Secrets) {
    let clean = |text: &mut String| clean(text, secrets);
    parallel::each_on_every_core(findings, 256, |f| {
        for text in [&mut f.message, &mut f.resource, &mut f.dataset, &mut f.file] {
            clean(text);
        }
        f.suppression_reason.as_mut().map(clean);
        f.region.as_mut().map(clean);
        f.via.iter_mut().for_each(clean);
    });
}

/// Cleans `text` in place; a text that needs nothing is not copied.
fn clean(text: &mut String, secrets: &redact::Secrets) {
    if let Cow::Owned(clean) = cleaned(text, secrets) {
        *text = clean;
    }
}

/// Cleans a shared text, replaced only when cleaning changes it, so it stays shared otherwise.
fn clean_shared(text: &mut arcstr::ArcStr, secrets: &redact::Secrets) {
    if let Cow::Owned(clean) = cleaned(text, secrets) {
        *text = clean.into();
    }
}

/// Cleans a shared key, replaced only when cleaning changes it.
fn clean_key(text: &mut value::Key, secrets: &redact::Secrets) {
    if let Cow::Owned(clean) = cleaned(text, secrets) {
        *text = clean.into();
    }
}

/// `text` with its secrets masked and made safe to print (`report::escape`); borrowed when
/// nothing in it needs either.
fn cleaned<'t>(text: &'t str, secrets: &redact::Secrets) -> Cow<'t, str> {
    match secrets.redacted(text) {
        Cow::Borrowed(text) => report::escape::controls(text),
        Cow::Owned(masked) => Cow::Owned(report::escape::controls(&masked).into_owned()),
    }
}

/// Runs the whole pipeline: map, policies, suppressions, baseline, report.
pub fn scan(options: &ScanOptions) -> Result<Report, Diagnostic> {
    let policies = load_policies(&options.policies)?;
    let mapped = map(options)?;
    let mut clock = std::time::Instant::now();
    progress::begin("judging");
    let current_law = current_law(&policies, &mapped.map, options)?;
    let mut findings = policy::evaluate(
        &policies,
        &mapped.map,
        &options.subscriber_countries,
        &options.inputs.catalog,
    );
    progress::ended("policies", &mut clock);
    // Two deployments of one module give findings at the same file and line: every format
    // names the deployment in the message.
    let several = datamap::several_deployments(&mapped.map.datasets);
    let repo = RepoPaths::new(&options.paths);
    // Each file and deployment is put in repository terms once (a scan has far fewer of them
    // than findings), then every finding is fingerprinted on every core.
    let mut in_repo: HashMap<&str, String> = HashMap::default();
    for path in findings.iter().flat_map(|f| [&f.file, &f.deployment]) {
        in_repo.entry(path).or_insert_with(|| repo.of(path));
    }
    let fingerprints: Vec<String> = parallel::on_every_core(&findings, 256, |part| {
        part.iter()
            .map(|f| {
                baseline::fingerprint(f, &|p| {
                    in_repo.get(p).cloned().unwrap_or_else(|| repo.of(p))
                })
            })
            .collect()
    });
    drop(in_repo);
    for (f, fingerprint) in findings.iter_mut().zip(fingerprints) {
        f.fingerprint = fingerprint;
        if several {
            f.message = format!("{}: {}", f.deployment, f.message);
        }
    }
    let meta = suppress_findings(options, &policies, &mapped, &mut findings, &repo)?;
    findings.extend(meta);
    clean_findings(&mut findings, &mapped.secrets);
    let baselined = drop_baselined(&mut findings, options.baseline.as_ref());
    progress::ended("suppressions", &mut clock);
    findings.sort_by(|a, b| {
        (&a.file, a.line, &a.rule, &a.resource, &a.dataset).cmp(&(
            &b.file,
            b.line,
            &b.rule,
            &b.resource,
            &b.dataset,
        ))
    });
    let mut summary = report::summarise(
        mapped.files,
        mapped.resource_count,
        &mapped.map.datasets,
        &findings,
        mapped.errors.len(),
    );
    summary.baselined = baselined;
    Ok(Report {
        tool: report::Tool {
            name: "residency",
            version: env!("CARGO_PKG_VERSION"),
            catalog: catalog::DATE,
        },
        schema_version: report::SCHEMA_VERSION,
        root: discover::report_root(&options.paths),
        rules: rule_docs(&policies),
        declarations: mapped.declarations.wait(),
        policies: policies.into_iter().map(|p| p.info).collect(),
        summary,
        datasets: mapped.map.datasets,
        findings,
        errors: mapped.errors,
        warnings: mapped.warnings,
        current_law,
        disclaimer: report::DISCLAIMER,
    })
}

/// Under the 2016 ruling alone, a clean exit could read as "safe" although the ruling was
/// vacated in 2018: the same map judged by `cloud-act-2018`, as a count of reachable copies.
fn current_law(
    policies: &[policy::Policy],
    map: &datamap::DataMap,
    options: &ScanOptions,
) -> Result<Option<report::CurrentLaw>, Diagnostic> {
    let ids: Vec<&str> = policies.iter().map(|p| p.info.id.as_str()).collect();
    if !ids.contains(&policy::DEFAULT_POLICY) || ids.contains(&"cloud-act-2018") {
        return Ok(None);
    }
    let cloud_act = load_policies(&["cloud-act-2018".to_string()])?;
    // Which copies an exposing rule matches; the findings themselves are not built.
    let matched = policy::matching(
        &cloud_act,
        map,
        &options.subscriber_countries,
        &options.inputs.catalog,
        |_, rule, dataset, copy| {
            matches!(rule.verdict.as_str(), "exposed" | "likely-exposed").then(|| {
                (
                    dataset.source.as_str(),
                    copy.deployment.as_str(),
                    copy.resource.as_str(),
                )
            })
        },
    );
    let reachable: HashSet<(&str, &str, &str)> = matched.into_iter().flatten().collect();
    Ok(Some(report::CurrentLaw {
        policy: "cloud-act-2018",
        since: "2018-03-23",
        reachable: reachable.len(),
        copies: map.datasets.iter().map(|d| d.copies.len()).sum(),
    }))
}

/// Applies the suppressions to `findings` and returns the findings about suppressions
/// themselves (fingerprinted). A suppression may name any rule residency knows (every
/// built-in rule and the applied policies'); only the applied rules can match.
fn suppress_findings(
    options: &ScanOptions,
    policies: &[policy::Policy],
    mapped: &Mapped,
    findings: &mut [policy::Finding],
    repo: &RepoPaths,
) -> Result<Vec<policy::Finding>, Diagnostic> {
    let applied_rules: HashSet<String> = policies
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.id.clone()))
        .collect();
    let mut known_rules = applied_rules.clone();
    known_rules.extend(policy::listing::every_rule()?.into_iter().map(|r| r.id));
    let today = if options.today.is_empty() {
        suppress::today()
    } else {
        options.today.clone()
    };
    let context = suppress::Context {
        applied_rules: &applied_rules,
        known_rules: &known_rules,
        today: &today,
    };
    let mut meta = suppress::apply(findings, &mapped.lines, &options.ignores, &context);
    for f in meta.iter_mut() {
        f.fingerprint = baseline::fingerprint(f, &|p| repo.of(p));
    }
    Ok(meta)
}

/// Findings' files from the repository root: the nearest directory above the scanned path that
/// holds `.git`, else the scanned path itself.
struct RepoPaths {
    /// The directory report paths are relative to (the scanned directory; with several
    /// paths, the working directory).
    base: PathBuf,
    root: PathBuf,
}

impl RepoPaths {
    fn new(paths: &[PathBuf]) -> RepoPaths {
        let base = match paths {
            [one] => gate::root_dir(one),
            _ => gate::absolute(std::path::Path::new(".")),
        };
        let root = base
            .ancestors()
            .find(|d| d.join(".git").exists())
            .map(PathBuf::from)
            .unwrap_or_else(|| base.clone());
        RepoPaths { base, root }
    }

    fn of(&self, file: &str) -> String {
        let path = gate::absolute(&self.base.join(file));
        match path.strip_prefix(&self.root) {
            Ok(relative) => discover::display_path(relative),
            Err(_) => file.to_string(),
        }
    }
}

/// Leaves out the findings a baseline accepts; returns how many.
fn drop_baselined(
    findings: &mut Vec<policy::Finding>,
    accepted: Option<&baseline::Accepted>,
) -> usize {
    let Some(accepted) = accepted else {
        return 0;
    };
    let before = findings.len();
    findings.retain(|f| !accepted.contains(f));
    before - findings.len()
}

/// The documentation of every rule a report may name: the applied policies' rules, then the
/// suppression rules.
fn rule_docs(policies: &[policy::Policy]) -> Vec<report::RuleDoc> {
    let mut rules: Vec<report::RuleDoc> = policies
        .iter()
        .flat_map(|p| {
            p.rules.iter().map(|r| report::RuleDoc {
                id: r.id.clone(),
                policy: p.info.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                explanation: r.explanation.clone(),
                remediation: policy::generic_text(&r.remediation),
                reference: p.info.reference.clone(),
            })
        })
        .collect();
    rules.extend(suppress::META_RULES.iter().map(|m| report::RuleDoc {
        id: m.id.to_string(),
        policy: suppress::META_POLICY.to_string(),
        title: m.title.to_string(),
        severity: policy::Severity::Medium,
        explanation: m.explanation.to_string(),
        remediation: m.remediation.to_string(),
        reference: None,
    }));
    rules
}

/// Where resources are declared, file and line, by address.
type Declared = HashMap<String, Vec<(String, usize)>>;

/// Where each resource on a chain of the map is declared, worked out on the thread that then
/// frees the resources, beside the stages that follow: only the report reads it (100 MB: 80 ms
/// that masking the map and the policies waited for), and freeing 300,000 resources takes a
/// tenth of a second that nothing waits for.
enum Declarations {
    Ready(Declared),
    Pending {
        found: std::sync::mpsc::Receiver<Declared>,
        worker: std::thread::JoinHandle<()>,
    },
}

impl Declarations {
    /// Starts on `map`'s chains, taking `resources` away to be freed; where no thread can be
    /// started, both are done here.
    fn start(resources: Vec<model::Resource>, map: &datamap::DataMap) -> Declarations {
        let chains = chain_addresses(map);
        let (give, take) = std::sync::mpsc::channel::<Vec<model::Resource>>();
        let (send, found) = std::sync::mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("declarations".into())
            .spawn(move || {
                let Ok(resources) = take.recv() else {
                    return;
                };
                // The scan waits for the answer; a send fails only if the scan is gone.
                let _ = send.send(declarations(&resources, &chains));
                drop(resources);
            });
        match worker {
            Ok(worker) => match give.send(resources) {
                Ok(()) => Declarations::Pending { found, worker },
                Err(back) => Declarations::Ready(declarations(&back.0, &chain_addresses(map))),
            },
            Err(_) => Declarations::Ready(declarations(&resources, &chain_addresses(map))),
        }
    }

    /// The declarations, once worked out (the resources may still be being freed). A panic of
    /// the worker is re-raised here: a report must not lose what it would have shown.
    fn wait(self) -> Declared {
        match self {
            Declarations::Ready(declared) => declared,
            Declarations::Pending { found, worker } => match found.recv() {
                Ok(declared) => declared,
                Err(_) => match worker.join() {
                    Err(panic) => std::panic::resume_unwind(panic),
                    Ok(()) => panic!("the declarations were not worked out"),
                },
            },
        }
    }
}

/// Every resource on a chain of the map: each copy's, and each step on the way to one, as the
/// map has them before its texts are cleaned.
fn chain_addresses(map: &datamap::DataMap) -> Vec<arcstr::ArcStr> {
    map.datasets
        .iter()
        .flat_map(|d| &d.copies)
        .flat_map(|c| {
            std::iter::once(&c.resource)
                .chain(&c.via)
                .chain(c.also_via.iter().flatten())
        })
        .cloned()
        .collect()
}

/// Where each resource on a chain of the map (a copy, or a step on the way to one) is declared,
/// file and line, for reports that place the steps of a chain. Only those: a table of every
/// resource of a large configuration would outlive the resources themselves.
fn declarations(resources: &[model::Resource], chains: &[arcstr::ArcStr]) -> Declared {
    let on_chains: HashSet<&str> = chains.iter().map(arcstr::ArcStr::as_str).collect();
    let mut declarations: Declared = HashMap::default();
    for r in resources {
        if on_chains.contains(r.address.as_str()) {
            declarations
                .entry(r.address.clone())
                .or_default()
                .push((r.file.to_string(), r.line));
        }
    }
    declarations
}
