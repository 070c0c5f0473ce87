//! Terraform plans and state as JSON: detected, then resolved (provider keys, module variable
//! chains, after-apply references) and joined with no configuration.
#![no_main]
use libfuzzer_sys::fuzz_target;
use residency::frontend::terraform::plan::parse as tfplan;
use residency::syntax::tree;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(root) = tree::load_json(text) else {
        return;
    };
    for kind in [
        tfplan::PlanKind::Plan,
        tfplan::PlanKind::ShownState,
        tfplan::PlanKind::RawState,
    ] {
        let file = tfplan::PlanFile {
            display: "fuzz.json".into(),
            kind,
            root: root.clone(),
            lines: Vec::new(),
        };
        let planned =
            residency::frontend::terraform::plan::resolve::resolve(&file, &Default::default());
        let mut config = Vec::new();
        residency::frontend::terraform::plan::resolve::merge(&mut config, planned);
    }
});
