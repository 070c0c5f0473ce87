//! End-to-end tests of what CI pipelines read: SARIF validated against the OASIS schema and
//! JUnit against the Ant schema (both in `tests/schemas/`) for every sample configuration,
//! GitHub annotations, the Markdown summary, several formats in one run, suppressions,
//! baselines and the config file, with their exit codes.

mod common;

use common::{findings, json, root, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn schema(name: &str) -> String {
    let path = root().join("tests/schemas").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const ALL_POLICIES: [&str; 6] = [
    "--policy",
    "microsoft-ireland-2016",
    "--policy",
    "cloud-act-2018",
    "--policy",
    "eea-residency",
];

/// Every sample configuration, the whole sample tree, and the fixtures that exercise
/// suppressions, errors and every kind of flow.
fn scan_targets() -> Vec<PathBuf> {
    let mut targets = vec![root().join("sample-configs")];
    for dir in ["sample-configs", "tests/fixtures/flows"] {
        let mut subdirs: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        targets.extend(subdirs);
    }
    targets.push(root().join("tests/fixtures/suppressions"));
    targets.push(root().join("tests/fixtures/tenants"));
    targets.push(root().join("tests/fixtures/malformed"));
    for dir in ["tfplan", "arm", "kubernetes"] {
        targets.push(root().join("tests/fixtures").join(dir));
    }
    targets
}

/// Checks a SARIF log against the schema and against what GitHub code scanning requires.
fn check_sarif(log: &Value, what: &str) {
    let schema = json(&schema("sarif-schema-2.1.0.json"));
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF is not valid:\n{}",
        errors.join("\n")
    );

    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{what}: one run");
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "residency");
    let rules = driver["rules"].as_array().unwrap();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                !rule[key]["text"].as_str().unwrap_or_default().is_empty(),
                "{what}: rule {id} lacks {key}.text"
            );
        }
        assert!(
            !rule["help"]["text"].as_str().unwrap().contains('{'),
            "{what}: {id} help has a placeholder"
        );
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&severity));
        if !id.starts_with("RES") {
            assert!(
                rule["helpUri"].as_str().unwrap().starts_with("https://"),
                "{what}: {id}"
            );
        }
    }
    for result in runs[0]["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], id,
            "{what}: ruleIndex points at its rule"
        );
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let physical = &result["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.starts_with("file:") && !uri.contains(".."),
            "{what}: uri {uri} is not relative to the repository root"
        );
        assert!(
            root().join(uri).is_file(),
            "{what}: {uri} is not a file of the repository"
        );
        if let Some(line) = physical["region"]["startLine"].as_u64() {
            assert!(line >= 1);
            assert!(physical["region"]["endLine"].as_u64().unwrap() >= line);
        }
        let fingerprint = result["partialFingerprints"]["residencyFinding/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 32);
    }
}

#[test]
fn sarif_validates_for_every_sample() {
    for target in scan_targets() {
        let path = target.to_str().unwrap();
        let mut args = vec!["scan", path, "--format", "sarif", "--region", "eu-west-1"];
        args.extend(ALL_POLICIES);
        let (code, stdout, stderr) = run(&args);
        assert!(matches!(code, 0 | 1 | 3), "{path}: exit {code}: {stderr}");
        check_sarif(&json(&stdout), path);
    }
}

/// Checks a JUnit report against the Ant JUnit schema.
fn check_junit(xml: &str, what: &str) {
    let schema = xmlschema::parse_schema(&schema("junit.xsd")).expect("the JUnit schema parses");
    let doc = oxml::parse(xml).unwrap_or_else(|e| panic!("{what}: not XML: {e:?}\n{xml}"));
    let report = xmlschema::validate(&doc, &schema);
    assert!(report.is_valid(), "{what}: JUnit is not valid: {report:?}");
}

#[test]
fn junit_validates_for_every_sample() {
    for target in scan_targets() {
        let path = target.to_str().unwrap();
        let mut args = vec!["scan", path, "--format", "junit"];
        args.extend(ALL_POLICIES);
        let (_, stdout, stderr) = run(&args);
        assert!(stdout.starts_with("<?xml"), "{path}: {stderr}");
        check_junit(&stdout, path);
    }
    // Failures are the unsuppressed findings at or above --fail-on. A case is a rule and a
    // resource of one deployment: two samples that declare the same address are two cases.
    let (_, stdout, _) = run(&["scan", "sample-configs", "--format", "junit"]);
    assert!(stdout.contains("<testsuite name=\"residency: microsoft-ireland-2016\" tests=\"205\" failures=\"8\" errors=\"0\" skipped=\"0\""));
    let (_, stdout, _) = run(&[
        "scan",
        "sample-configs",
        "--format",
        "junit",
        "--fail-on",
        "medium",
    ]);
    assert!(stdout.contains("tests=\"205\" failures=\"17\" errors=\"0\" skipped=\"0\""));
    // Unreadable files are errors of their own suite.
    let (_, stdout, _) = run(&["scan", "tests/fixtures/malformed", "--format", "junit"]);
    assert!(stdout
        .contains("<testsuite name=\"residency: inputs\" tests=\"4\" failures=\"0\" errors=\"4\""));
}

#[test]
fn the_schemas_reject_broken_output() {
    // The validators used above are not vacuous.
    let mut log = json(&run(&["scan", "sample-configs", "--format", "sarif"]).1);
    log["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    let sarif_schema = json(&schema("sarif-schema-2.1.0.json"));
    assert!(!jsonschema::validator_for(&sarif_schema)
        .unwrap()
        .is_valid(&log));
    let xml = run(&["scan", "sample-configs", "--format", "junit"]).1;
    let broken = xml.replacen(" classname=", " class=", 1);
    let junit_schema = xmlschema::parse_schema(&schema("junit.xsd")).unwrap();
    assert!(!xmlschema::validate(&oxml::parse(&broken).unwrap(), &junit_schema).is_valid());
}

fn s(text: &str) -> String {
    text.to_string()
}

#[test]
fn suppressions_with_reasons_dates_and_audit() {
    let (code, stdout, _) = run(&["scan", "tests/fixtures/suppressions", "--format", "json"]);
    assert_eq!(code, 1);
    let report = json(&stdout);
    assert_eq!(
        findings(&report),
        [
            (s("MSI001"), s("aws_mailmanager_archive.journal"), 6, true),
            (
                s("MSI001"),
                s("aws_mailmanager_archive.legal_hold"),
                10,
                false
            ),
            (s("RES003"), s("residency:ignore MSI001"), 11, false),
            (s("RES001"), s("residency:ignore MSI001"), 15, false),
            (
                s("MSI001"),
                s("aws_mailmanager_archive.no_reason"),
                16,
                false
            ),
            (s("RES002"), s("residency:ignore MSI010"), 20, false),
            (s("MSI001"), s("aws_mailmanager_archive.typo"), 21, false),
            (s("RES004"), s("residency:ignore MSI004"), 25, false),
            // YAML comments suppress too.
            (s("MSI003"), s("Mailboxes"), 4, true),
        ]
    );
    assert_eq!(
        report["findings"][0]["suppression_reason"],
        "US journal copy approved by counsel, LEGAL-7"
    );
    assert_eq!(report["findings"][0]["suppression_kind"], "in-source");
    assert_eq!(report["summary"]["suppressed"], 2);

    // SARIF leaves suppressed results out (GitHub opens alerts for them) unless asked; asked,
    // it keeps them, marked in source with the justification.
    let (_, stdout, _) = run(&["scan", "tests/fixtures/suppressions", "--format", "sarif"]);
    let log = json(&stdout);
    assert!(log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.get("suppressions").is_none()));
    let (_, stdout, _) = run(&[
        "scan",
        "tests/fixtures/suppressions",
        "--format",
        "sarif",
        "--include-suppressed",
    ]);
    let log = json(&stdout);
    let first = &log["runs"][0]["results"][0];
    assert_eq!(first["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        first["suppressions"][0]["justification"],
        "US journal copy approved by counsel, LEGAL-7"
    );
    let (_, text, _) = run(&["explain", "RES003"]);
    assert!(text.starts_with("RES003: Suppression expired"));
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const ONE_US_ARCHIVE: &str = "provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nresource \"aws_mailmanager_archive\" \"journal\" {\n  # SUPPRESSION\n  name = \"journal\"\n}\n";

#[test]
fn a_valid_suppression_passes_and_an_expired_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    write(
        dir.path(),
        "main.tf",
        &ONE_US_ARCHIVE.replace(
            "# SUPPRESSION",
            "# residency:ignore MSI001 until=2999-01-01 -- accepted, LEGAL-9",
        ),
    );
    let (code, stdout, _) = run(&["scan", path, "--format", "json"]);
    assert_eq!(code, 0, "a suppressed finding does not fail");
    assert_eq!(json(&stdout)["summary"]["suppressed"], 1);

    write(
        dir.path(),
        "main.tf",
        &ONE_US_ARCHIVE.replace(
            "# SUPPRESSION",
            "# residency:ignore MSI001 until=2001-01-01 -- accepted, LEGAL-9",
        ),
    );
    let (code, stdout, _) = run(&["scan", path, "--format", "json"]);
    assert_eq!(code, 1, "an expired suppression fails again");
    let report = json(&stdout);
    assert_eq!(
        findings(&report),
        [
            (s("MSI001"), s("aws_mailmanager_archive.journal"), 5, false),
            (s("RES003"), s("residency:ignore MSI001"), 6, false),
        ]
    );
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    write(dir.path(), "main.tf", ONE_US_ARCHIVE);
    let (code, stdout, _) = run(&["scan", path, "--write-baseline", baseline]);
    assert_eq!(code, 0, "recording a baseline accepts today's findings");
    assert!(stdout.contains("MSI001"), "and still reports them");
    let recorded = json(&std::fs::read_to_string(baseline).unwrap());
    assert_eq!(recorded["residency_baseline"], 2);
    assert_eq!(recorded["findings"][0]["rule"], "MSI001");

    let (code, stdout, _) = run(&["scan", path, "--baseline", baseline, "--format", "json"]);
    assert_eq!(code, 0, "a finding in the baseline does not fail");
    let report = json(&stdout);
    assert_eq!(report["summary"]["baselined"], 1);
    assert!(report["findings"].as_array().unwrap().is_empty());

    // Lines moving and unrelated edits keep the fingerprint.
    let moved = format!(
        "# mail infrastructure\n\n\n{}",
        ONE_US_ARCHIVE.replace(
            "name = \"journal\"",
            "name = \"journal\"\n  tags = { team = \"mail\" }"
        )
    );
    write(dir.path(), "main.tf", &moved);
    let (code, _, _) = run(&["scan", path, "--baseline", baseline]);
    assert_eq!(code, 0);

    // A new exposure fails, and only it is reported.
    let added = format!("{moved}\nresource \"aws_workmail_organization\" \"corp\" {{\n  organization_alias = \"corp\"\n}}\n");
    write(dir.path(), "main.tf", &added);
    let (code, stdout, _) = run(&["scan", path, "--baseline", baseline, "--format", "json"]);
    assert_eq!(code, 1, "a new finding fails");
    let report = json(&stdout);
    assert_eq!(
        findings(&report),
        [(s("MSI001"), s("aws_workmail_organization.corp"), 14, false)]
    );
    assert_eq!(report["summary"]["baselined"], 1);

    let (code, _, stderr) = run(&[
        "scan",
        path,
        "--baseline",
        baseline,
        "--write-baseline",
        baseline,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be used with"));
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("r.sarif");
    let junit = dir.path().join("r.xml");
    let outputs = format!("-,{},{}", sarif.display(), junit.display());
    let (code, stdout, _) = run(&[
        "scan",
        "sample-configs/dublin-with-us-replica",
        "--format",
        "text,sarif,junit",
        "--output",
        &outputs,
        "--color",
        "never",
    ]);
    assert_eq!(code, 1);
    assert!(stdout.contains("HIGH   MSI001 exposed"));
    check_sarif(&json(&std::fs::read_to_string(&sarif).unwrap()), "r.sarif");
    check_junit(&std::fs::read_to_string(&junit).unwrap(), "r.xml");

    let (code, _, stderr) = run(&["scan", "sample-configs", "--format", "json,sarif"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("give one --output per format"), "{stderr}");
    let (code, _, stderr) = run(&[
        "scan",
        "sample-configs",
        "--format",
        "json,sarif",
        "--output",
        "-,-",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("only one format can go to standard output"));
}

#[test]
fn github_annotations() {
    let (code, stdout, _) = run(&[
        "scan",
        "sample-configs/dublin-with-us-replica",
        "--format",
        "github",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // The counts once at the end (GitHub shows at most 10 annotations of each kind per step),
    // with the disclaimer; info findings are not annotated.
    assert!(lines[1].starts_with(
        "::notice title=residency::residency: 1 high, 0 medium, 0 low, 0 info, 0 suppressed, 0 unreadable files (0 more not shown as annotations). "
    ));
    assert!(lines[1].ends_with("not legal advice; have counsel review them."));
    assert_eq!(
        lines[0],
        "::error file=sample-configs/dublin-with-us-replica/modules/replica/main.tf,line=5,endLine=7,title=MSI001 Mail content stored in the United States::module.replica.aws_s3_bucket.this holds mail content (replica) in us-east-1 (US); under the ruling (2nd Circuit, 2016–2018) a US warrant reaches any copy stored in the United States%0Apath: aws_ses_receipt_rule.inbound → aws_s3_bucket.inbox → aws_s3_bucket_replication_configuration.dr → module.replica.aws_s3_bucket.this%0Afix: Keep every copy of mail content outside the United States: move the replica to a region abroad or remove it, and check replication, backup and archive settings that point here."
    );
    let (_, stdout, _) = run(&["scan", "tests/fixtures/malformed", "--format", "github"]);
    assert!(stdout.contains("::error file=tests/fixtures/malformed/broken.tf,line="));
}

#[test]
fn markdown_summary() {
    let (_, stdout, _) = run(&["scan", "sample-configs", "--format", "markdown"]);
    assert!(stdout.starts_with("## residency: where the mail lives\n\n**9 high · 9 medium · 0 low · 9 info** (0 suppressed, 0 baselined)"));
    assert!(stdout.contains(
        "| Severity | Rule | Resource | File | Location | Finding |\n|---|---|---|---|---|---|\n"
    ));
    assert!(stdout.contains("| high | `MSI001` | `module.replica.aws_s3_bucket.this` | `sample-configs/dublin-with-us-replica/modules/replica/main.tf:5` | us-east-1 (US) |"));
    assert!(stdout.contains("```mermaid\nflowchart LR\n"));
}

#[test]
fn config_file_settings_ignores_and_catalog_additions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    write(&dir.path().join("legacy"), "main.tf", ONE_US_ARCHIVE);
    write(
        dir.path(),
        "main.tf",
        "provider \"aws\" {\n  region = var.region\n}\nvariable \"region\" {}\nresource \"aws_workmail_organization\" \"corp\" {\n  organization_alias = \"corp\"\n}\n",
    );
    write(
        dir.path(),
        "residency.toml",
        r#"fail_on = "medium"

[vars]
region = "eu-south-9"

[[ignore]]
rule = "MSI001"
path = "legacy/**"
reason = "retired with the old stack, LEGAL-12"
until = "2999-01-01"

[[catalog]]
provider = "aws"
id = "eu-south-9"
city = "Example City"
countries = ["IT"]
partition = "aws"
source = "test addition"
"#,
    );
    let (code, stdout, stderr) = run(&["scan", path, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report = json(&stdout);
    assert_eq!(
        findings(&report),
        [
            (s("MSI001"), s("aws_mailmanager_archive.journal"), 5, true),
            (s("MSI004"), s("aws_workmail_organization.corp"), 5, false),
        ]
    );
    assert_eq!(report["findings"][0]["suppression_kind"], "external");
    let corp = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "aws_workmail_organization.corp")
        .unwrap();
    assert_eq!(corp["copies"][0]["region"], "eu-south-9");
    assert_eq!(corp["copies"][0]["countries"], serde_json::json!(["IT"]));
    let (_, stdout, _) = run(&["scan", path, "--format", "sarif", "--include-suppressed"]);
    assert_eq!(
        json(&stdout)["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "external"
    );

    // The command line wins over the file: the workmail org in an unknown region is medium.
    let (code, _, _) = run(&["scan", path, "--var", "region=xx-nowhere-1"]);
    assert_eq!(code, 1, "fail_on = medium from the file");
    let (code, _, _) = run(&[
        "scan",
        path,
        "--var",
        "region=xx-nowhere-1",
        "--fail-on",
        "high",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = run(&["scan", path, "--no-config"]);
    assert_eq!(
        code, 1,
        "without the file the legacy archive is not suppressed"
    );

    // Unknown keys are errors that name the file and line.
    write(
        dir.path(),
        "residency.toml",
        "fail_on = \"high\"\nfail-on = \"low\"\n",
    );
    let (code, _, stderr) = run(&["scan", path]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("residency.toml:2: unknown field `fail-on`"),
        "{stderr}"
    );
}

#[test]
fn integration_kit_is_valid() {
    // The example config file is accepted as documented.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("env")).unwrap();
    write(
        &dir.path().join("env"),
        "prod.tfvars",
        "dr_region = \"eu-north-1\"\n",
    );
    let config = std::fs::read_to_string(root().join("examples/residency.toml")).unwrap();
    write(dir.path(), "residency.toml", &config);
    std::fs::copy(
        root().join("sample-configs/dublin-only/main.tf"),
        dir.path().join("main.tf"),
    )
    .unwrap();
    let (code, _, stderr) = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "CLD001 on a US provider fails at high: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    // Every action in the examples and the release workflow is pinned by a full commit SHA.
    for file in [
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
        ".github/workflows/release.yml",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for line in text.lines().filter(|l| {
            l.trim_start().starts_with("- uses:") || l.trim_start().starts_with("uses:")
        }) {
            let reference = line.split('@').nth(1).unwrap_or_default();
            let sha = reference.split_whitespace().next().unwrap_or_default();
            assert!(
                sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{file}: {line} is not pinned by commit SHA"
            );
        }
        assert!(
            text.contains("residency scan")
                || text.contains("/residency@")
                || file.contains("release"),
            "{file}"
        );
    }
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hooks.contains("- id: residency") && hooks.contains("entry: residency scan"));
}

/// A config file with several mistakes reports every one at once, each with its line, and the
/// scan does not start (exit 2).
#[test]
fn config_problems_are_all_reported_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("sample-configs/dublin-only/main.tf"),
        dir.path().join("main.tf"),
    )
    .unwrap();
    write(
        dir.path(),
        "residency.toml",
        "fail_on = \"loud\"\ncluster_region = \"nowhere\"\nsubscriber_countries = [\"GB\", \"XX\"]\nmail_tag = \"no-equals\"\n\n[vars]\nx = [1]\n",
    );
    let (code, stdout, stderr) = run(&["scan", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stdout, "");
    let lines: Vec<&str> = stderr.lines().collect();
    let expected = [
        ":1: fail_on \"loud\" is not one of high, medium, low, info, never",
        ":2: cluster_region: expected PROVIDER:REGION (e.g. aws:eu-west-1), got \"nowhere\"",
        ":3: subscriber_countries: \"XX\" is not an ISO 3166-1 alpha-2 code",
        ":4: mail_tag: expected NAME=VALUE, got \"no-equals\"",
        ":7: x must be a string, number or boolean",
    ];
    assert_eq!(lines.len(), expected.len(), "{stderr}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.starts_with("residency: error: config file ") && line.ends_with(want),
            "{line} should end with {want}"
        );
    }
}

/// SARIF stays within what GitHub code scanning shows: the 5,000 most severe results (high
/// before info), a notification that says how many were left out, and a valid log; the limit
/// can be raised. `--min-severity` chooses what every format shows, and SARIF and GitHub
/// annotations leave out info findings unless asked; `--fail-on` alone decides the exit code.
#[test]
fn sarif_stays_within_github_limits_and_outputs_filter_by_severity() {
    // Inside the repository, so that SARIF locations are repository paths to check.
    let dir = tempfile::Builder::new()
        .prefix(".tmp-sarif-limits")
        .tempdir_in(root())
        .unwrap();
    // 30,000 findings: 29,700 high (US buckets) and 300 info (Irish ones).
    let mut tf = String::from("provider \"aws\" {\n  region = \"us-east-1\"\n}\nprovider \"aws\" {\n  alias  = \"eu\"\n  region = \"eu-west-1\"\n}\n");
    for i in 0..29_700 {
        tf.push_str(&format!(
            "resource \"aws_s3_bucket\" \"us{i}\" {{\n  bucket = \"us-{i}\"\n  tags = {{ data-class = \"mailbox\" }}\n}}\n"
        ));
    }
    for i in 0..300 {
        tf.push_str(&format!(
            "resource \"aws_s3_bucket\" \"eu{i}\" {{\n  provider = aws.eu\n  bucket = \"eu-{i}\"\n  tags = {{ data-class = \"mailbox\" }}\n}}\n"
        ));
    }
    write(dir.path(), "main.tf", &tf);
    let path = dir.path().to_str().unwrap();
    // Reports go beside the tree, never into it.
    let reports = tempfile::tempdir().unwrap();
    let out = |name: &str| reports.path().join(name).to_str().unwrap().to_string();

    // One run, every CI format.
    let outputs = [out("r.sarif"), out("r.md"), out("r.json"), out("r.github")].join(",");
    let (code, _, stderr) = run(&[
        "scan",
        path,
        "--format",
        "sarif,markdown,json,github",
        "--output",
        &outputs,
    ]);
    assert_eq!(code, 1, "{stderr}");
    let read = |name: &str| std::fs::read_to_string(reports.path().join(name)).unwrap();

    // SARIF: the 5,000 most severe results (info is left out by default), valid, and a
    // notification and a note on stderr say what was left out.
    let log = json(&read("r.sarif"));
    check_sarif(&log, "30,000 findings");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5_000);
    assert!(results.iter().all(|r| r["ruleId"] == "MSI001"));
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes[0]["descriptor"]["id"], "results-left-out");
    assert!(
        stderr.contains("SARIF keeps the 5000 most severe of 29700 results"),
        "{stderr}"
    );

    // Markdown: under GitHub's 1 MiB step-summary limit, worst first, saying what it left
    // out; its diagram under Mermaid's limits (50,000 characters, 500 edges), summarised.
    let markdown = read("r.md");
    assert!(markdown.len() < 1024 * 1024, "{} bytes", markdown.len());
    let rows: Vec<&str> = markdown
        .lines()
        .filter(|l| l.starts_with("| high"))
        .collect();
    assert!(rows.len() > 1_000, "{} rows", rows.len());
    assert!(markdown.contains(&format!(
        "_{} more findings are not shown: GitHub takes at most 1 MiB of summary.",
        30_000 - rows.len()
    )));
    let diagram = markdown
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a Mermaid block");
    assert!(diagram.chars().count() <= 50_000);
    assert!(diagram.matches("-->").count() <= 500);
    assert!(
        diagram.contains("[\"US · store<br/>29700 copies\"]"),
        "{diagram}"
    );
    assert!(
        diagram.contains("[\"IE · store<br/>300 copies\"]"),
        "{diagram}"
    );
    assert!(
        markdown.contains("30000 copies in 30000 datasets are more than a Mermaid diagram draws")
    );

    // JSON shows everything; GitHub annotations leave out info and end with one summary.
    assert_eq!(
        json(&read("r.json"))["findings"].as_array().unwrap().len(),
        30_000
    );
    let github = read("r.github");
    assert_eq!(github.matches("::error ").count(), 29_700);
    assert!(
        !github.contains("::notice file="),
        "info is not an annotation by default"
    );
    // 10 errors are shown; the other 29,690 and the 300 info findings are counted.
    assert!(github.lines().last().unwrap().starts_with("::notice title=residency::residency: 29700 high, 0 medium, 0 low, 300 info, 0 suppressed, 0 unreadable files (29990 more not shown as annotations). "), "{}", github.lines().last().unwrap());

    // Raised to GitHub's hard limit: 25,000 of the 30,000, and the upload stays under 10 MB
    // gzipped.
    let (_, stdout, _) = run(&[
        "scan",
        path,
        "--format",
        "sarif",
        "--sarif-max-results",
        "25000",
        "--min-severity",
        "info",
    ]);
    let log = json(&stdout);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 25_000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, stdout.as_bytes()).unwrap();
    let gzipped = gz.finish().unwrap().len();
    assert!(gzipped < 10_000_000, "{gzipped} bytes gzipped");

    // --min-severity high shows the high findings only, and the exit code does not change
    // with it.
    let (code, stdout, _) = run(&[
        "scan",
        path,
        "--format",
        "json",
        "--min-severity",
        "high",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&stdout)["findings"].as_array().unwrap().len(), 29_700);
}

/// `--format gitlab` is a Code Quality report with the fields GitLab documents (description,
/// check_name, fingerprint, severity, location.path, location.lines.begin), unique
/// fingerprints, repository paths, and input files it could not read as issues too.
#[test]
fn gitlab_code_quality_report() {
    for target in ["sample-configs", "tests/fixtures/malformed"] {
        let (_, stdout, _) = run(&["scan", target, "--format", "gitlab"]);
        let issues = json(&stdout);
        let issues = issues.as_array().expect("a JSON array");
        assert!(!issues.is_empty(), "{target}");
        let mut fingerprints = std::collections::HashSet::new();
        for issue in issues {
            assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
            assert!(issue["check_name"].as_str().is_some_and(|c| !c.is_empty()));
            assert!(["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap()));
            let path = issue["location"]["path"].as_str().unwrap();
            assert!(root().join(path).is_file(), "{path} is a repository path");
            assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
            assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()));
        }
    }
    let (_, stdout, _) = run(&["scan", "tests/fixtures/malformed", "--format", "gitlab"]);
    assert!(stdout.contains("\"check_name\": \"residency/binary\""));
}

/// JUnit: findings below `--fail-on` pass their case but are listed in the case's and the
/// suite's standard output (never a silent green); every case names its file from the
/// repository root; the suite carries the disclaimer as a property.
#[test]
fn junit_lists_findings_below_the_threshold() {
    let (code, stdout, _) = run(&["scan", "sample-configs/unknown-region", "--format", "junit"]);
    assert_eq!(code, 0);
    check_junit(&stdout, "unknown-region");
    assert!(stdout.contains("failures=\"0\""));
    assert!(stdout.contains(
        "    <testcase name=\"MSI003 aws_workmail_organization.corp\" classname=\"microsoft-ireland-2016.MSI003\" time=\"0\" file=\"sample-configs/unknown-region/main.tf\">\n      <system-out>MEDIUM MSI003 main.tf:7 aws_workmail_organization.corp: "
    ), "{stdout}");
    assert!(
        stdout.contains("    <system-out>MEDIUM MSI003 main.tf:7 aws_workmail_organization.corp:")
    );
    assert!(stdout.contains("<property name=\"disclaimer\" value=\"residency maps where"));
    let cases = stdout.matches("<testcase ").count();
    assert!(cases > 0);
    assert_eq!(
        stdout
            .matches(" file=\"sample-configs/unknown-region/main.tf\"")
            .count(),
        cases
    );
    // Unreadable files name theirs too.
    let (_, stdout, _) = run(&["scan", "tests/fixtures/malformed", "--format", "junit"]);
    assert_eq!(
        stdout.matches("<testcase ").count(),
        stdout.matches(" file=\"tests/fixtures/malformed/").count()
    );
}

/// A baseline survives a change of scan path: fingerprints use paths from the repository root
/// (the nearest `.git` above), so a baseline written for `scan infra/` matches `scan .`.
#[test]
fn a_baseline_written_for_a_subdirectory_matches_a_scan_of_the_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("infra")).unwrap();
    write(&dir.path().join("infra"), "main.tf", ONE_US_ARCHIVE);
    let baseline = dir.path().join("baseline.json");
    let infra = dir.path().join("infra");
    let (code, _, _) = run(&[
        "scan",
        infra.to_str().unwrap(),
        "--write-baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let (code, stdout, _) = run(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(json(&stdout)["summary"]["baselined"], 1);
}
