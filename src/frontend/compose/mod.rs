//! Docker Compose files (`compose.yaml`, `docker-compose.yml`, and their `*.override.yml` and
//! `docker-compose.<env>.yml` variants): the services they run and the volumes those services
//! mount. A service is a container workload like a Kubernetes pod, judged by the same
//! recogniser (a mail server image, a published or exposed mail port); its named volumes,
//! anonymous volumes and bind mounts are where its data lives on the host.
//!
//! Which files form one deployment: the Compose files of one directory, merged as `docker
//! compose` merges them (the base file, then its overrides: a later file's image replaces, its
//! ports and volumes add). Where the host is: `--host-region PROVIDER:REGION` (or `host_region`
//! in residency.toml); otherwise unknown, with the reason, because no Compose file says.

pub mod parse;
pub mod resolve;

use super::{Collected, FrontEnd};
use crate::model::{Inputs, Resource};

/// One parsed Compose file.
pub type File = parse::ComposeFile;

pub struct Compose;

impl FrontEnd for Compose {
    type File = File;

    fn take_markers(file: &mut File) -> (String, Vec<(usize, String)>) {
        (file.display.clone(), std::mem::take(&mut file.lines))
    }

    fn resources(
        files: Vec<File>,
        inputs: &Inputs,
        _threads: usize,
        collected: &mut Collected,
    ) -> Vec<Resource> {
        resolve::resources(files, inputs, collected)
    }
}
