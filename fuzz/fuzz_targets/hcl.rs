//! Terraform HCL: parsing and suppression comments on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = residency::frontend::terraform::parse::parse_hcl(text, "fuzz.tf");
        for line in text.lines() {
            let _ = residency::suppress::parse_comment(line);
        }
    }
});
