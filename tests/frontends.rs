//! Each front end on fixtures written the way real repositories write them: the resources it
//! produces (address, kind, where declared, provider configuration, region or why it is
//! unknown), one line each, compared with `tests/snapshots/frontend__<case>.txt`. A library
//! test: no process, no report, only what the front end hands to the data map.
//!
//! After an intended change: `RESIDENCY_BLESS=1 cargo test --test frontends`, then review
//! `git diff tests/snapshots`.

mod common;

use common::root;
use residency::model::{PlacedBy, Resource};
use residency::value::Value;
use residency::ScanOptions;

/// A snapshot name, a fixture, and the deploy-time values a scan of it is given: `--region`,
/// `--resource-group-location`, `--cluster-region`.
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<(&'static str, &'static str)>,
);

const CASES: &[Case] = &[
    (
        "terraform-aliases",
        "tests/fixtures/alias-replica",
        None,
        None,
        None,
    ),
    ("terraform-json", "tests/fixtures/tf-json", None, None, None),
    (
        "terraform-modules-and-tfvars",
        "sample-configs/dublin-backup-and-logs",
        None,
        None,
        None,
    ),
    (
        "terraform-plan-joined",
        "tests/fixtures/tfplan/with-config",
        None,
        None,
        None,
    ),
    (
        "terraform-state",
        "tests/fixtures/tfplan/state",
        None,
        None,
        None,
    ),
    (
        "cloudformation",
        "tests/fixtures/cfn-short-tags",
        Some("eu-west-1"),
        None,
        None,
    ),
    (
        "arm-linked",
        "tests/fixtures/arm/linked-relative",
        None,
        Some("westeurope"),
        None,
    ),
    (
        "arm-parameters",
        "tests/fixtures/arm/mail",
        None,
        Some("westeurope"),
        None,
    ),
    (
        "bicep-modules-and-bicepparam",
        "tests/fixtures/bicep",
        None,
        Some("westeurope"),
        None,
    ),
    (
        "kubernetes",
        "tests/fixtures/kubernetes/mailserver",
        None,
        None,
        None,
    ),
    (
        "kubernetes-cluster-region",
        "tests/fixtures/kubernetes/relay",
        None,
        None,
        Some(("aws", "eu-central-1")),
    ),
    ("tenants", "tests/fixtures/tenants", None, None, None),
];

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Unknown(_) => format!("unknown ({})", v.unknown_reason().unwrap_or_default()),
        other => other.to_text().unwrap_or_else(|| format!("{other:?}")),
    }
}

fn line(r: &Resource) -> String {
    let provider = match &r.provider.alias {
        Some(alias) => format!("{}.{alias}", r.provider.name),
        None => r.provider.name.clone(),
    };
    let placed = match r.placed_by {
        PlacedBy::Catalog => "",
        PlacedBy::FrontEnd => " placed by the front end",
    };
    let cloud = match r.attr("$provider").as_str() {
        Some(cloud) => format!(" cloud={cloud}"),
        None => String::new(),
    };
    format!(
        "{}:{}-{} {} ({}) scope={} provider={provider} region={}{cloud}{placed}",
        r.file,
        r.line,
        r.end_line,
        r.address,
        r.kind,
        r.scope,
        value_text(&r.provider.region),
    )
}

#[test]
fn each_front_end_produces_the_resources_of_its_fixtures() {
    let bless = std::env::var_os("RESIDENCY_BLESS").is_some();
    let mut differ = Vec::new();
    for (name, fixture, region, group, cluster) in CASES {
        let mut options = ScanOptions {
            paths: vec![root().join(fixture)],
            ..ScanOptions::default()
        };
        options.inputs.region = region.map(str::to_string);
        options.inputs.resource_group_location = group.map(str::to_string);
        options.inputs.cluster_region = cluster.map(|(p, r)| (p.to_string(), r.to_string()));
        let mapped = residency::resolve(&options).expect("the fixture resolves");
        assert!(mapped.errors.is_empty(), "{name}: {:?}", mapped.errors);
        assert!(!mapped.resources.is_empty(), "{name}: no resources");
        let mut lines: Vec<String> = mapped.resources.iter().map(line).collect();
        lines.sort();
        let text = lines.join("\n") + "\n";
        let path = root().join(format!("tests/snapshots/frontend__{name}.txt"));
        if bless {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            differ.push(format!("{name}:\n{text}"));
        }
    }
    assert!(
        differ.is_empty(),
        "resources differ from tests/snapshots/frontend__*.txt:\n{}",
        differ.join("\n")
    );
}
