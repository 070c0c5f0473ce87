//! Azure Resource Manager templates: parsed, then resolved (expressions, nested resources and
//! deployments, links that lead back to the template), with and without a resource group
//! location.
#![no_main]
use libfuzzer_sys::fuzz_target;
use residency::frontend::arm::parse as arm;
use residency::syntax::tree;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(root) = tree::load_json(text) else {
        return;
    };
    let file = arm::ArmFile {
        display: "fuzz.json".into(),
        kind: arm::ArmKind::Template,
        root,
        lines: Vec::new(),
        warnings: Vec::new(),
        template_for: None,
        errors: Vec::new(),
    };
    let mut inputs = residency::model::Inputs::default();
    let none = |_: &str| None;
    // Each resolution has its own evaluation budget, as in a scan.
    residency::frontend::budget::start();
    let _ = residency::frontend::arm::resolve::resolve(&file, None, &inputs, &none);
    residency::frontend::budget::finish();
    inputs.resource_group_location = Some("westeurope".into());
    // Every relative link leads back to the template itself: cycles must end.
    let itself = |_: &str| Some(&file);
    residency::frontend::budget::start();
    let _ = residency::frontend::arm::resolve::resolve(&file, Some(&file), &inputs, &itself);
    residency::frontend::budget::finish();
});
