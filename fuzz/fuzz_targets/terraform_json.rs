//! Terraform JSON (`.tf.json`) and the JSON tree loader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = residency::frontend::terraform::parse::parse_json(text, "fuzz.tf.json");
    }
});
