//! Kubernetes manifests (YAML streams, JSON, `List` kinds, rendered Helm output).
//!
//! Which files form one deployment: all manifests of the scan together, as one cluster.
//! How links are made: workloads to the claims they mount, claims to volumes and storage
//! classes, Velero schedules to the namespaces they back up (`resolve`).

pub mod parse;
pub mod resolve;

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
        resolve::resolve(&files, inputs)
    }
}
