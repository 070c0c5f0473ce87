//! The whole pipeline on a one-file tree: discover, parse, resolve, locate, map, policies,
//! suppressions and every report format. The first byte picks the file's kind.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

const NAMES: [&str; 4] = ["main.tf", "main.tf.json", "stack.yaml", "stack.json"];

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    for name in NAMES {
        let _ = std::fs::remove_file(dir.path().join(name));
    }
    let name = NAMES[kind as usize % NAMES.len()];
    std::fs::write(dir.path().join(name), body).expect("write");
    let options = residency::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        policies: vec![
            "microsoft-ireland-2016".into(),
            "cloud-act-2018".into(),
            "eea-residency".into(),
        ],
        threads: 1,
        ..Default::default()
    };
    if let Ok(report) = residency::scan(&options) {
        let _ = residency::report::text::render(&report, 40);
        let _ = residency::report::text::render_quiet(&report);
        let _ = report.to_json();
        let _ = residency::report::sarif::render(&report);
        let _ = residency::report::junit::render(&report, None);
        let _ = residency::report::github::render(&report);
        let _ = residency::report::markdown::render(&report);
        let _ = residency::report::gitlab::write(&report, &mut std::io::sink());
        let _ = residency::report::graph::dot(&report.datasets);
    }
});
