//! residency maps every place mailbox data lives in infrastructure configuration and evaluates
//! that map against legal-exposure policies. The pipeline runs one way:
//! discover → parse → resolve → locate → datamap → policy → suppress → report.

pub mod baseline;
pub mod catalog;
pub mod config;
pub mod datamap;
pub mod discover;
pub mod gate;
pub mod locate;
pub mod parse;
pub mod policy;
pub mod redact;
pub mod report;
pub mod resolve;
pub mod suppress;
pub mod value;

use datamap::MailTag;

use parse::Parsed;
use report::{Diagnostic, Report};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub inputs: resolve::Inputs,
    /// Built-in policy ids or policy files; the default policy when empty.
    pub policies: Vec<String>,
    pub mail_tag: MailTag,
    /// Countries where the tenant's users are (for CLOUD Act comity notes).
    pub subscriber_countries: Vec<String>,
    /// Suppressions from the config file.
    pub ignores: Vec<suppress::Ignore>,
    /// Fingerprints of accepted findings (`--baseline`): left out of the report, counted.
    pub baseline: Option<std::collections::HashSet<String>>,
    /// Today's date (`YYYY-MM-DD`) for suppression end dates; the system date when empty.
    pub today: String,
    /// Worker threads for parsing; 0 uses every core. Output does not depend on it.
    pub threads: usize,
    /// Follow symbolic links while walking (`--follow-symlinks`).
    pub follow_symlinks: bool,
    /// Problems with the config files (one found but not used), reported as warnings.
    pub config_warnings: Vec<Diagnostic>,
    /// Time one file may take to parse (`--file-timeout`); the default when `None`.
    pub file_timeout: Option<std::time::Duration>,
}

/// What the tool needs before it can scan anything; an error here is exit code 2.
pub fn load_policies(ids: &[String]) -> Result<Vec<policy::Policy>, String> {
    let ids: Vec<String> = if ids.is_empty() {
        vec![policy::DEFAULT_POLICY.to_string()]
    } else {
        ids.to_vec()
    };
    ids.iter().map(|id| policy::load(id)).collect()
}

/// With `RESIDENCY_TIMINGS` set, prints how long each stage took and the memory in use, to
/// standard error, for profiling (`python3 benches/bench.py` quotes totals; this says where).
fn stage(name: &str, since: &mut std::time::Instant) {
    if std::env::var_os("RESIDENCY_TIMINGS").is_none() {
        return;
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_default();
    eprintln!(
        "{name:<10} {:>8.1} ms  rss {rss}",
        since.elapsed().as_secs_f64() * 1000.0
    );
    *since = std::time::Instant::now();
}

/// Everything before policies: the files, their resources, the data map and the diagnostics.
pub struct Mapped {
    pub files: usize,
    pub resources: Vec<resolve::Resource>,
    pub map: datamap::DataMap,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    lines: HashMap<String, Vec<(usize, String)>>,
}

pub fn map(options: &ScanOptions) -> Result<Mapped, String> {
    let mut clock = std::time::Instant::now();
    redact::forget_secrets();
    let excludes = discover::build_excludes(&options.excludes)?;
    // One gate for every file this scan opens: the walk, the parsers and the resolvers.
    let gate = gate::Gate::new(
        &options.paths,
        options.follow_symlinks,
        options.inputs.max_file_bytes,
    );
    let walked = discover::discover(&options.paths, &excludes, &gate);
    stage("discover", &mut clock);
    let files = walked.files;
    let diagnostic = |e: discover::WalkError| Diagnostic {
        file: e.display,
        line: 0,
        message: e.message,
    };
    let mut errors: Vec<Diagnostic> = walked.errors.into_iter().map(diagnostic).collect();
    let mut warnings: Vec<Diagnostic> = walked.warnings.into_iter().map(diagnostic).collect();
    warnings.extend(options.config_warnings.iter().cloned());

    let budget = options
        .file_timeout
        .unwrap_or(parse::workers::DEFAULT_BUDGET);
    let parsed = parse::workers::parse_all(&files, options.threads, &gate, budget);
    stage("parse", &mut clock);
    let mut dirs: BTreeMap<PathBuf, resolve::terraform::DirFiles> = BTreeMap::new();
    let mut templates = Vec::new();
    let mut tenant_files = Vec::new();
    let mut plan_files = Vec::new();
    let mut arm_files = Vec::new();
    let mut manifests = Vec::new();
    let mut lines = HashMap::new();
    let mut scanned = 0;
    for (file, result) in files.iter().zip(parsed) {
        match result {
            Ok(Parsed::Terraform(mut tf)) => {
                scanned += 1;
                // The resolver does not need the lines; suppressions do.
                lines.insert(tf.display.clone(), std::mem::take(&mut tf.lines));
                let dir = file.path.parent().map(PathBuf::from).unwrap_or_default();
                let display_dir = std::path::Path::new(&file.display)
                    .parent()
                    .map(discover::display_path)
                    .unwrap_or_else(|| ".".into());
                dirs.entry(dir.clone())
                    .or_insert_with(|| resolve::terraform::DirFiles {
                        dir,
                        display_dir,
                        files: Vec::new(),
                    })
                    .files
                    .push(tf);
            }
            Ok(Parsed::CloudFormation(mut t)) => {
                scanned += 1;
                lines.insert(t.display.clone(), std::mem::take(&mut t.lines));
                templates.push(t);
            }
            Ok(Parsed::Tenants(mut t)) => {
                scanned += 1;
                lines.insert(t.display.clone(), std::mem::take(&mut t.lines));
                tenant_files.push(t);
            }
            Ok(Parsed::TerraformPlan(mut p)) => {
                scanned += 1;
                lines.insert(p.display.clone(), std::mem::take(&mut p.lines));
                plan_files.push(p);
            }
            Ok(Parsed::Arm(mut a)) => {
                scanned += 1;
                lines.insert(a.display.clone(), std::mem::take(&mut a.lines));
                arm_files.push(a);
            }
            Ok(Parsed::Kubernetes(mut m)) => {
                scanned += 1;
                lines.insert(m.display.clone(), std::mem::take(&mut m.lines));
                manifests.push(m);
            }
            Ok(Parsed::Skipped(why)) => warnings.push(Diagnostic {
                file: file.display.clone(),
                line: 0,
                message: why,
            }),
            Ok(Parsed::NotRelevant) => {}
            Err(e) => {
                scanned += 1;
                errors.push(Diagnostic {
                    file: file.display.clone(),
                    line: e.line,
                    message: e.message,
                });
            }
        }
    }

    let dirs: Vec<_> = dirs.into_values().collect();
    let mut inputs = options.inputs.clone();
    inputs.gate = gate;
    let (mut resources, tf_errors, tf_warnings) =
        resolve::terraform::resolve(dirs, &inputs, options.threads);
    stage("terraform", &mut clock);
    for (list, items) in [(&mut errors, tf_errors), (&mut warnings, tf_warnings)] {
        list.extend(items.into_iter().map(|e| Diagnostic {
            file: e.file,
            line: e.line,
            message: e.message,
        }));
    }
    for t in &templates {
        resolve::budget::start();
        let resolved = resolve::cloudformation::resolve(t, &options.inputs);
        if resolve::budget::finish() {
            let w = resolve::budget::warning(&resolved, &t.display);
            warnings.push(Diagnostic {
                file: w.file,
                line: w.line,
                message: w.message,
            });
        }
        resources.extend(resolved);
    }
    let planned: Vec<resolve::Resource> = plan_files
        .iter()
        .flat_map(|p| resolve::tfplan::resolve(p, &options.inputs))
        .collect();
    resolve::tfplan::merge(&mut resources, planned);
    let (arm_resources, arm_warnings) = arm_resources(&arm_files, &options.inputs);
    resources.extend(arm_resources);
    warnings.extend(arm_warnings);
    resources.extend(resolve::kubernetes::resolve(&manifests, &options.inputs));
    for f in &tenant_files {
        resources.extend(tenant_resources(f));
    }
    stage("cfn", &mut clock);
    let mut map = datamap::build(&resources, &options.mail_tag);
    clean_map(&mut map);
    stage("datamap", &mut clock);
    for list in [&mut errors, &mut warnings] {
        for d in list.iter_mut() {
            d.message = redact::redact(&d.message);
            report::escape::in_place(&mut d.message);
            report::escape::in_place(&mut d.file);
        }
        list.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        list.dedup();
    }
    Ok(Mapped {
        files: scanned,
        resources,
        map,
        errors,
        warnings,
        lines,
    })
}

/// The resources of every ARM template, each with the parameter file beside it
/// (`X.parameters.json` for `X.json`), and warnings for what cannot be followed.
fn arm_resources(
    files: &[parse::arm::ArmFile],
    inputs: &resolve::Inputs,
) -> (Vec<resolve::Resource>, Vec<Diagnostic>) {
    use parse::arm::ArmKind;
    let parameter_files: HashMap<&str, &parse::arm::ArmFile> = files
        .iter()
        .filter(|f| f.kind == ArmKind::Parameters)
        .map(|f| (f.display.as_str(), f))
        .collect();
    let templates: HashMap<&str, &parse::arm::ArmFile> = files
        .iter()
        .filter(|f| f.kind == ArmKind::Template)
        .map(|f| (f.display.as_str(), f))
        .collect();
    let lookup = |path: &str| templates.get(path).copied();
    let mut resolutions = Vec::new();
    let mut applied = std::collections::HashSet::new();
    for template in files.iter().filter(|f| f.kind == ArmKind::Template) {
        let stem = template
            .display
            .strip_suffix(".json")
            .unwrap_or(&template.display);
        let parameters = parameter_files
            .get(format!("{stem}.parameters.json").as_str())
            .copied();
        if let Some(p) = parameters {
            applied.insert(p.display.as_str());
        }
        resolve::budget::start();
        let mut resolution = resolve::arm::resolve(template, parameters, inputs, &lookup);
        if resolve::budget::finish() {
            let warning = resolve::budget::warning(&resolution.resources, &template.display);
            resolution.warnings.push(warning);
        }
        resolutions.push((template.display.as_str(), resolution));
    }
    // A template that another links by relative path is resolved there, with the parameters
    // it is given; resolving it again on its own (with its defaults) would count it twice. Only
    // links from templates that nothing links (the ones deployed) count, so a cycle of links
    // loses nothing.
    let linked_somewhere: std::collections::HashSet<&str> = resolutions
        .iter()
        .flat_map(|(_, r)| r.linked.iter().map(String::as_str))
        .collect();
    let linked_from_roots: std::collections::HashSet<String> = resolutions
        .iter()
        .filter(|(display, _)| !linked_somewhere.contains(display))
        .flat_map(|(_, r)| r.linked.iter().cloned())
        .collect();
    let mut resources = Vec::new();
    // A parameter file that no template takes (`main.parameters.prod.json`) would silently
    // change nothing; say so.
    let mut warnings: Vec<Diagnostic> = parameter_files
        .values()
        .filter(|p| !applied.contains(p.display.as_str()))
        .map(|p| Diagnostic {
            file: p.display.clone(),
            line: 1,
            message: "this ARM parameter file matches no template (residency applies X.parameters.json to X.json in the same directory); pass its values with --parameter NAME=VALUE".into(),
        })
        .collect();
    for (display, resolution) in resolutions {
        warnings.extend(resolution.warnings.into_iter().map(|e| Diagnostic {
            file: e.file,
            line: e.line,
            message: e.message,
        }));
        if !linked_from_roots.contains(display) {
            resources.extend(resolution.resources);
        }
    }
    (resources, warnings)
}

/// Each hosted tenant as a resource of its service, so the data map and policies treat it like
/// any other mail source.
fn tenant_resources(file: &parse::tenants::TenantFile) -> Vec<resolve::Resource> {
    file.tenants
        .iter()
        .map(|t| resolve::Resource {
            address: format!("tenant.{}", t.name),
            kind: t.kind.to_string(),
            scope: file.display.clone(),
            format: resolve::SourceFormat::Tenants,
            file: file.display.clone(),
            line: t.line,
            end_line: t.end_line,
            attributes: t.attributes.clone(),
            origins: BTreeMap::new(),
            provider: resolve::ProviderSetting {
                name: match t.kind {
                    "residency_m365_tenant" => "microsoft-365".into(),
                    "residency_workspace_tenant" => "google-workspace".into(),
                    _ => "hosted".into(),
                },
                alias: None,
                region: value::Value::Null,
                origin: resolve::Origin::Literal,
            },
        })
        .collect()
}

/// Makes every text of the map that came from a configuration safe to print: credentials
/// masked, control characters and bidirectional overrides made visible (`report::escape`).
fn clean_map(map: &mut datamap::DataMap) {
    let clean = |text: &mut String| {
        *text = redact::redact(text);
        report::escape::in_place(text);
    };
    for d in &mut map.datasets {
        clean(&mut d.source);
        clean(&mut d.kind);
        clean(&mut d.file);
        d.reason.as_mut().map(clean);
        for c in &mut d.copies {
            clean(&mut c.resource);
            clean(&mut c.file);
            c.region.as_mut().map(clean);
            c.unknown_reason.as_mut().map(clean);
            for step in c.via.iter_mut().chain(c.also_via.iter_mut().flatten()) {
                clean(step);
            }
            if let Some(key) = &mut c.key {
                clean(&mut key.resource);
                key.regions.iter_mut().for_each(clean);
            }
        }
    }
}

/// The same for findings: their messages are built from the (clean) map, but suppression
/// reasons are read from comments in the files.
fn clean_findings(findings: &mut [policy::Finding]) {
    let clean = |text: &mut String| {
        *text = redact::redact(text);
        report::escape::in_place(text);
    };
    for f in findings {
        for text in [&mut f.message, &mut f.resource, &mut f.dataset, &mut f.file] {
            clean(text);
        }
        f.suppression_reason.as_mut().map(clean);
        f.region.as_mut().map(clean);
        f.via.iter_mut().for_each(clean);
    }
}

/// Runs the whole pipeline.
pub fn scan(options: &ScanOptions) -> Result<Report, String> {
    let policies = load_policies(&options.policies)?;
    let mapped = map(options)?;
    let mut findings = policy::evaluate(&policies, &mapped.map, &options.subscriber_countries);
    for f in findings.iter_mut() {
        f.fingerprint = baseline::fingerprint(f);
    }
    let applied_rules: std::collections::HashSet<String> = policies
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.id.clone()))
        .collect();
    let mut known_rules = applied_rules.clone();
    let applied_ids: Vec<&str> = policies.iter().map(|p| p.info.id.as_str()).collect();
    for (id, _) in policy::BUILT_IN
        .iter()
        .filter(|(id, _)| !applied_ids.contains(id))
    {
        if let Ok(p) = policy::load(id) {
            known_rules.extend(p.rules.into_iter().map(|r| r.id));
        }
    }
    known_rules.extend(suppress::META_RULES.iter().map(|r| r.id.to_string()));
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
    let mut meta = suppress::apply(&mut findings, &mapped.lines, &options.ignores, &context);
    for f in meta.iter_mut() {
        f.fingerprint = baseline::fingerprint(f);
    }
    findings.extend(meta);
    clean_findings(&mut findings);
    let mut baselined = 0;
    if let Some(accepted) = &options.baseline {
        let before = findings.len();
        findings.retain(|f| !accepted.contains(&f.fingerprint));
        baselined = before - findings.len();
    }
    findings.sort_by(|a, b| {
        (&a.file, a.line, &a.rule, &a.resource, &a.dataset).cmp(&(
            &b.file,
            b.line,
            &b.rule,
            &b.resource,
            &b.dataset,
        ))
    });
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
    let mut declarations: HashMap<String, Vec<(String, usize)>> = HashMap::new();
    for r in &mapped.resources {
        declarations
            .entry(r.address.clone())
            .or_default()
            .push((r.file.clone(), r.line));
    }
    let mut summary = report::summarise(
        mapped.files,
        mapped.resources.len(),
        &mapped.map.datasets,
        &findings,
        mapped.errors.len(),
    );
    summary.baselined = baselined;
    Ok(Report {
        tool: report::Tool {
            name: "residency",
            version: env!("CARGO_PKG_VERSION"),
        },
        schema_version: report::SCHEMA_VERSION,
        root: discover::report_root(&options.paths),
        policies: policies.into_iter().map(|p| p.info).collect(),
        summary,
        datasets: mapped.map.datasets,
        findings,
        errors: mapped.errors,
        warnings: mapped.warnings,
        disclaimer: report::DISCLAIMER,
        rules,
        declarations,
    })
}
