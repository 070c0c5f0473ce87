//! CloudFormation templates, as YAML (short tags, anchors) and as JSON: parsed, then evaluated.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let inputs = residency::model::Inputs {
            region: Some("eu-west-1".into()),
            ..Default::default()
        };
        for json in [false, true] {
            let name = if json { "fuzz.json" } else { "fuzz.yaml" };
            // Templates that parse are evaluated too (intrinsics, conditions), within the
            // evaluation budget of one deployment, as in a scan.
            if let Ok(Some(template)) =
                residency::frontend::cloudformation::parse::parse(text, json, name)
            {
                // Its own exports, imported back: a template may import what it exports.
                let exports = residency::frontend::cloudformation::resolve::Exports::of(
                    std::slice::from_ref(&template),
                    &inputs,
                );
                residency::frontend::budget::start();
                let _ = residency::frontend::cloudformation::resolve::resolve(
                    &template,
                    &inputs,
                    None,
                    &exports,
                    &mut Default::default(),
                );
                residency::frontend::budget::finish();
            }
        }
    }
});
