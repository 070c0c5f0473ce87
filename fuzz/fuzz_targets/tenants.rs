//! Hosted mail tenants files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = residency::frontend::tenants::parse::parse(
            &residency::catalog::embedded(),
            text,
            "mail-tenants.json",
        );
    }
});
