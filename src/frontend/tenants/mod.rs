//! Hosted mail tenants files (`"residency_tenants": 1`): Exchange Online, Google Workspace
//! and other hosted providers that no infrastructure file declares.
//!
//! Which files form one deployment: each tenant stands alone. No links: a tenant is a mail
//! source whose places the file states.

pub mod parse;
pub mod resolve;

use super::{Collected, FrontEnd};
use crate::model::{Inputs, Resource};

/// One parsed tenants file.
pub type File = parse::TenantFile;

pub struct Tenants;

impl FrontEnd for Tenants {
    type File = File;

    fn take_markers(file: &mut File) -> (String, Vec<(usize, String)>) {
        (file.display.clone(), std::mem::take(&mut file.lines))
    }

    fn resources(
        files: Vec<File>,
        _inputs: &Inputs,
        _threads: usize,
        _collected: &mut Collected,
    ) -> Vec<Resource> {
        files.iter().flat_map(resolve::resources).collect()
    }
}
