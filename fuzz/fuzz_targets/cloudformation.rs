//! CloudFormation templates, as YAML (short tags, anchors) and as JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = residency::parse::cloudformation::parse(text, false, "fuzz.yaml");
        let _ = residency::parse::cloudformation::parse(text, true, "fuzz.json");
    }
});
