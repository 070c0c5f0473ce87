//! Kubernetes manifests, as YAML streams and JSON: parsed, then resolved (volumes, topology,
//! Velero backups), with and without a cluster region.
#![no_main]
use libfuzzer_sys::fuzz_target;
use residency::frontend::kubernetes::parse as kubernetes;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for is_json in [false, true] {
        if let Ok(kubernetes::Outcome::Manifests(m)) = kubernetes::parse(text, is_json, "fuzz.yaml")
        {
            let mut inputs = residency::model::Inputs::default();
            let _ = residency::frontend::kubernetes::resolve::resolve(
                std::slice::from_ref(&m),
                &inputs,
            );
            inputs.cluster_region = Some(("aws".into(), "eu-west-1".into()));
            let _ = residency::frontend::kubernetes::resolve::resolve(
                std::slice::from_ref(&m),
                &inputs,
            );
        }
    }
});
