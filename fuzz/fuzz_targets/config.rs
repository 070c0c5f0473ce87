//! `residency.toml` and baseline files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = residency::config::parse(text, "residency.toml");
        let _ = residency::baseline::read(text, "baseline.json");
    }
});
