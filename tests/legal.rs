//! The law as the policies model it, on the edge cases an independent legal review raised:
//! providers without a region, operators of every kind (licensees, sovereign subsidiaries,
//! trustees, closed services), non-US providers with a US presence, external key stores,
//! comity for content of UK, Australian and EU subscribers, the EEA example's message, current
//! law beside the 2016 ruling, and the disclaimer on every output a person reads.

mod common;

use common::{root, run, scan_json};

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/legal").join(name)
}

/// (rule, verdict, severity, resource) of every finding.
fn judged(path: &std::path::Path, extra: &[&str]) -> Vec<(String, String, String, String)> {
    let (_, report) = scan_json(path, extra);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["verdict"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(
    rule: &str,
    verdict: &str,
    severity: &str,
    resource: &str,
) -> (String, String, String, String) {
    (
        rule.into(),
        verdict.into(),
        severity.into(),
        resource.into(),
    )
}

#[test]
fn a_us_controlled_provider_is_exposed_whatever_the_region() {
    let found = judged(&fixture("noregion"), &["--policy", "cloud-act-2018"]);
    assert_eq!(
        found,
        [
            row(
                "CLD001",
                "exposed",
                "high",
                "oci_objectstorage_bucket.archive"
            ),
            row("CLD001", "exposed", "high", "digitalocean_droplet.mx"),
            // Hetzner's entity depends on the location: indeterminate, never a silent pass.
            row("CLD012", "indeterminate", "medium", "hcloud_server.mx"),
        ]
    );
    let (code, report) = scan_json(&fixture("noregion"), &["--policy", "cloud-act-2018"]);
    assert_eq!(code, 1);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages[0],
        "oci_objectstorage_bucket.archive (store, content) is held by a provider controlled by Oracle Corporation (US) (its region, and so the operating entity, is not known): a provider subject to US jurisdiction can be compelled to disclose it when served with valid legal process, wherever it is stored (unknown)"
    );
    for m in &messages {
        assert!(!m.contains("must disclose"), "{m}");
        assert!(!m.contains("held by unknown"), "{m}");
    }
}

#[test]
fn licensees_trustees_sovereign_subsidiaries_and_closed_services() {
    assert_eq!(
        judged(&fixture("partitions"), &["--policy", "cloud-act-2018"]),
        [
            // AWS and Azure in China are run by Chinese licensees, like S3NS in France.
            row("CLD004", "reduced", "low", "aws_s3_bucket.china"),
            // A German subsidiary of a US company: likely exposed, contested.
            row(
                "CLD008",
                "likely-exposed",
                "medium",
                "aws_s3_bucket.sovereign"
            ),
            row("CLD004", "reduced", "low", "azurerm_storage_account.china"),
            row(
                "CLD004",
                "reduced",
                "low",
                "azurerm_storage_account.germany"
            ),
            // Microsoft Cloud Deutschland closed on 2021-10-29.
            row(
                "CLD010",
                "indeterminate",
                "medium",
                "azurerm_storage_account.germany"
            ),
            row("CLD004", "reduced", "low", "google_storage_bucket.s3ns"),
        ]
    );
}

#[test]
fn comity_notes_are_for_content_and_the_countries_in_force() {
    let tenants = root().join("sample-configs/hosted-tenants");
    let notes = |country: &str| -> Vec<(String, String, String, String)> {
        judged(
            &tenants,
            &[
                "--policy",
                "cloud-act-2018",
                "--subscriber-country",
                country,
            ],
        )
        .into_iter()
        .filter(|(rule, ..)| rule == "CLD006" || rule == "CLD013")
        .collect()
    };
    // Australia's agreement is in force since 2024-01-31; the directory data (metadata) gets
    // no comity note, since § 2703(h) concerns contents.
    let content = [
        "tenant.example-org",
        "tenant.example-org (Multi-Geo satellite NAM)",
        "tenant.example-org-subsidiary",
    ];
    for country in ["AU", "GB"] {
        assert_eq!(
            notes(country),
            content
                .iter()
                .map(|r| row("CLD006", "note", "info", r))
                .collect::<Vec<_>>(),
            "{country}"
        );
    }
    assert_eq!(
        notes("DE"),
        content
            .iter()
            .map(|r| row("CLD013", "note", "info", r))
            .collect::<Vec<_>>()
    );
    assert_eq!(notes("JP"), []);
}

#[test]
fn the_eea_example_names_only_the_countries_outside_it() {
    let (_, report) = scan_json(
        &root().join("sample-configs/hosted-tenants"),
        &["--policy", "eea-residency"],
    );
    let first = &report["findings"][0];
    assert_eq!(first["rule"], "EEA001");
    assert_eq!(
        first["message"],
        "tenant.example-org keeps a store of mail content in FR, NL, IE, NO, CH, AT, FI, SE, DE; outside the organisation's EU/EEA allow-list: CH"
    );
    // The adequacy example: Switzerland has a decision; the US copy depends on certification.
    let adequacy = judged(
        &root().join("sample-configs/hosted-tenants"),
        &["--policy", "gdpr-adequacy"],
    );
    assert_eq!(
        adequacy,
        [row(
            "ADQ002",
            "indeterminate",
            "medium",
            "tenant.example-org (Multi-Geo satellite NAM)"
        )]
    );
}

#[test]
fn current_law_is_counted_beside_the_ruling() {
    let dublin = root().join("sample-configs/dublin-only");
    let (code, report) = scan_json(&dublin, &[]);
    assert_eq!(code, 0, "the ruling's verdicts decide the exit code");
    assert_eq!(
        report["current_law"],
        serde_json::json!({"policy": "cloud-act-2018", "since": "2018-03-23", "reachable": 2, "copies": 2})
    );
    let (_, text, _) = run(&["scan", dublin.to_str().unwrap(), "--color", "never"]);
    assert!(
        text.contains("under current law (CLOUD Act, since 2018-03-23): 2 of 2 copies are reachable by\nUS legal process; run with --policy cloud-act-2018"),
        "{text}"
    );
    assert!(text.starts_with("residency 0.1.0 · microsoft-ireland-2016 (2nd Circuit only;"));
    // Not added when current law is applied.
    let (_, report) = scan_json(&dublin, &["--policy", "cloud-act-2018"]);
    assert!(report.get("current_law").is_none());
}

#[test]
fn every_output_a_person_reads_carries_the_disclaimer() {
    let dublin = root().join("sample-configs/dublin-only");
    let dublin = dublin.to_str().unwrap();
    for args in [
        vec!["policies"],
        vec!["regions", "--country", "IE"],
        vec!["map", dublin],
        vec!["map", dublin, "--format", "json"],
        vec!["map", dublin, "--format", "mermaid"],
        vec!["map", dublin, "--format", "dot"],
        vec!["explain", "CLD001"],
        vec!["scan", dublin, "--format", "github"],
        vec!["scan", dublin, "--format", "junit"],
        vec!["scan", dublin, "--format", "markdown"],
    ] {
        let (_, out, _) = run(&args);
        assert_eq!(
            out.matches("not legal advice").count(),
            1,
            "{args:?}: {out}"
        );
    }
}

#[test]
fn every_rule_cites_its_sources_and_says_when_it_applies() {
    let (_, listing, _) = run(&["policies", "--format", "json"]);
    let policies: serde_json::Value = serde_json::from_str(&listing).unwrap();
    let mut rules = 0;
    for policy in policies.as_array().unwrap() {
        for rule in policy["rules"].as_array().unwrap() {
            let id = rule["id"].as_str().unwrap();
            let (code, text, _) = run(&["explain", id]);
            assert_eq!(code, 0, "{id}");
            let sources = text
                .split("Sources:\n")
                .nth(1)
                .unwrap_or_default()
                .lines()
                .take_while(|l| l.starts_with("  · "))
                .count();
            assert!(sources >= 1, "{id} cites nothing: {text}");
            let in_force = text
                .lines()
                .find_map(|l| l.strip_prefix("in force: "))
                .unwrap_or_default();
            assert!(
                in_force
                    .split([' ', ','])
                    .any(|w| w.len() == 10 && w.as_bytes()[4] == b'-' && w.as_bytes()[7] == b'-'),
                "{id} has no date: {in_force:?}"
            );
            rules += 1;
        }
    }
    assert_eq!(rules, 5 + 13 + 2 + 3, "every built-in rule was checked");
    let (_, text, _) = run(&["explain", "MSI004"]);
    assert!(text.contains("in force: 2016-07-14 to 2018-03-23, 2nd Circuit only\n"));
}

#[test]
fn a_workmail_organisation_includes_what_its_receipt_rules_write() {
    // The plan's journaling rule delivers to a bucket in us-west-2: a copy of the
    // organisation's mail, so its mailboxes in Frankfurt are not "only abroad".
    let plan = root().join("sample-configs/terraform-plan");
    let (_, report) = scan_json(&plan, &[]);
    let workmail = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "aws_workmail_organization.corp")
        .unwrap();
    let copies: Vec<&str> = workmail["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["resource"].as_str().unwrap())
        .collect();
    assert_eq!(
        copies,
        ["aws_workmail_organization.corp", "aws_s3_bucket.journal"]
    );
    assert!(!judged(&plan, &[])
        .iter()
        .any(|(rule, _, _, resource)| rule == "MSI004"
            && resource == "aws_workmail_organization.corp"));
}
