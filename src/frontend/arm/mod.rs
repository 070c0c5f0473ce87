//! Azure Resource Manager templates and their parameter files.
//!
//! Which files form one deployment: a template that no other template links, with the
//! parameter file beside it (`X.parameters.json` for `X.json`) and the templates it links by
//! relative path, resolved with the parameters it passes them (`link`). How links are made:
//! `resourceId(...)`, `reference(...)` and `dependsOn` are evaluated by `resolve`; the data map
//! joins resources by the ids found.

pub mod link;
pub mod parse;
pub mod resolve;

use super::{Collected, FrontEnd};
use crate::model::{Inputs, Resource};

/// One parsed template or parameter file.
pub type File = parse::ArmFile;

pub struct Arm;

impl FrontEnd for Arm {
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
        for file in &files {
            collected.warnings.extend(file.warnings.iter().cloned());
            collected.errors.extend(file.errors.iter().cloned());
        }
        link::resources(&files, inputs, collected)
    }
}
