//! Every renderer on the same reports: the report of the samples (findings of every severity,
//! suppressions, copies in several countries) and of the malformed fixture (errors), rendered
//! in each format and compared with `tests/snapshots/render__<case>.<format>`. A library test:
//! a renderer change shows here as a diff, whatever the command line does.
//!
//! After an intended change: `RESIDENCY_BLESS=1 cargo test --test renderers`, then review
//! `git diff tests/snapshots`.

mod common;

use common::root;
use residency::policy::Severity;
use residency::{report, ScanOptions};

#[test]
fn every_format_renders_the_same_reports() {
    colored::control::set_override(false);
    // JUnit's timestamp comes from here.
    std::env::set_var("SOURCE_DATE_EPOCH", "1700000000");
    let bless = std::env::var_os("RESIDENCY_BLESS").is_some();
    let mut differ = Vec::new();
    for (case, path) in [
        ("samples", "sample-configs"),
        ("malformed", "tests/fixtures/malformed"),
        ("suppressions", "tests/fixtures/suppressions"),
    ] {
        let options = ScanOptions {
            paths: vec![path.into()],
            today: "2026-06-01".into(),
            ..ScanOptions::default()
        };
        std::env::set_current_dir(root()).unwrap();
        let report = residency::scan(&options).expect("the fixture scans");
        let outputs = [
            (
                "txt",
                report::text::render(&report, report::text::PLAIN_WIDTH),
            ),
            ("json", report.to_json()),
            ("sarif", report::sarif::render(&report)),
            (
                "junit",
                report::junit::render(&report, Some(Severity::High)),
            ),
            ("github", report::github::render(&report)),
            ("md", report::markdown::render(&report)),
        ];
        // The JSON report is written with its lists rendered on every core: the same bytes as
        // the report's own `Serialize` gives.
        assert_eq!(
            report.to_json(),
            serde_json::to_string_pretty(&report).unwrap() + "\n",
            "{case}: the parallel JSON writer differs from serde_json"
        );
        for (format, text) in outputs {
            let text = common::without_fingerprints(&text);
            let file = root().join(format!("tests/snapshots/render__{case}.{format}"));
            if bless {
                std::fs::write(&file, &text).unwrap();
            } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
                differ.push(format!("{case}.{format}"));
            }
        }
    }
    assert!(
        differ.is_empty(),
        "renderings differ from tests/snapshots/render__*: {differ:?}"
    );
}
