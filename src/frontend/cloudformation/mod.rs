//! CloudFormation templates, JSON or YAML with short-form tags.
//!
//! Which files form one deployment: each template is one stack, in the region `--region`
//! gives (a template does not name its own). How links are made: `Ref`, `Fn::GetAtt`,
//! `Fn::Sub` and the other intrinsics are evaluated with the template's parameters
//! (`resolve`); the data map joins resources by the values found.

pub mod parse;
pub mod resolve;

use super::{budget, Collected, FrontEnd};
use crate::model::{Inputs, Resource};

/// One parsed template.
pub type File = parse::Template;

pub struct CloudFormation;

impl FrontEnd for CloudFormation {
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
        let mut resources = Vec::new();
        // Stacks that export and import values are joined through them.
        let exports = resolve::Exports::of(&files, inputs);
        for template in &files {
            budget::start();
            let resolved = resolve::resolve(template, inputs, &exports, &mut collected.secrets);
            if budget::finish() {
                collected
                    .warnings
                    .push(budget::warning(&resolved, &template.display));
            }
            resources.extend(resolved);
        }
        resources
    }
}
