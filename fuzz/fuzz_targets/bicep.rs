//! Bicep: any text parsed and compiled as a template and as a parameter file, then the
//! template resolved by the ARM front end (every module link leading back to itself, so
//! cycles must end), with and without a resource group location.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = residency::frontend::bicep::parse("fuzz.bicepparam", text);
    let Ok(file) = residency::frontend::bicep::parse("fuzz.bicep", text) else {
        return;
    };
    let mut inputs = residency::model::Inputs::default();
    let itself = |_: &str| Some(&file);
    residency::frontend::budget::start();
    let _ = residency::frontend::arm::resolve::resolve(&file, None, &inputs, &itself);
    residency::frontend::budget::finish();
    inputs.resource_group_location = Some("westeurope".into());
    residency::frontend::budget::start();
    let _ = residency::frontend::arm::resolve::resolve(&file, None, &inputs, &itself);
    residency::frontend::budget::finish();
});
