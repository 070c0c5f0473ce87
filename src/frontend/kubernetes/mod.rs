//! Kubernetes manifests (YAML streams, JSON, `List` kinds, rendered Helm output).
//!
//! Which files form one deployment: the manifests of one directory tree are one cluster (a
//! directory that holds manifests with every directory below it); sibling trees, such as two
//! kustomize overlays, are two clusters, each with its own objects.
//! How links are made: workloads to the claims they mount, claims to volumes and storage
//! classes, Velero schedules to the namespaces they back up (`resolve`).

pub mod helm;
pub mod parse;
pub mod resolve;
pub mod terraform;

use super::{Collected, FrontEnd};
use crate::model::{Inputs, Resource};

/// The manifests of one file.
pub type File = parse::Manifests;

pub struct Kubernetes;

impl FrontEnd for Kubernetes {
    type File = File;

    fn take_markers(file: &mut File) -> (String, Vec<(usize, String)>) {
        (file.display.clone(), std::mem::take(&mut file.lines))
    }

    fn resources(
        files: Vec<File>,
        inputs: &Inputs,
        _threads: usize,
        _collected: &mut Collected,
    ) -> Vec<Resource> {
        let mut out = Vec::new();
        // A cluster is named by its directory, as a Terraform root module is.
        for (root, manifests) in clusters(files) {
            // A cluster the configuration describes wins over `--cluster-region`.
            let described = manifests.iter().find_map(|m| m.cluster.clone());
            let inputs = match described {
                Some(cluster) => &Inputs {
                    cluster_region: Some(cluster),
                    ..inputs.clone()
                },
                None => inputs,
            };
            let mut resources = resolve::resolve(&manifests, inputs);
            let root = arcstr::ArcStr::from(root.as_str());
            for r in &mut resources {
                r.scope = root.clone();
            }
            out.extend(resources);
        }
        out
    }
}

/// The manifests of each cluster: a directory that holds manifests, with every directory
/// below it (`k8s/` and `k8s/storage/` are one cluster); sibling trees (`overlays/dev`,
/// `overlays/prod`) are clusters of their own. Keyed by the cluster's directory.
fn clusters(files: Vec<File>) -> std::collections::BTreeMap<String, Vec<File>> {
    let dir_of = |display: &str| match display.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => ".".to_string(),
    };
    let dirs: std::collections::BTreeSet<String> =
        files.iter().map(|f| dir_of(&f.display)).collect();
    let within =
        |root: &str, dir: &str| root == "." || dir == root || dir.starts_with(&format!("{root}/"));
    let mut out: std::collections::BTreeMap<String, Vec<File>> = Default::default();
    for file in files {
        let dir = dir_of(&file.display);
        let root = dirs
            .iter()
            .filter(|d| within(d, &dir))
            .min_by_key(|d| if *d == "." { 0 } else { d.split('/').count() })
            .cloned()
            .unwrap_or(dir);
        out.entry(root).or_default().push(file);
    }
    out
}
