//! Azure Resource Manager templates: parsed, then resolved (expressions, nested resources and
//! deployments), with and without a resource group location.
#![no_main]
use libfuzzer_sys::fuzz_target;
use residency::parse::{arm, tree};

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
    };
    let mut inputs = residency::resolve::Inputs::default();
    let _ = residency::resolve::arm::resolve(&file, None, &inputs);
    inputs.resource_group_location = Some("westeurope".into());
    let _ = residency::resolve::arm::resolve(&file, Some(&file), &inputs);
});
