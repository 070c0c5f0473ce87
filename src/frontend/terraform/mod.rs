//! Terraform: `.tf` and `.tf.json` configuration, and plans and state in JSON.
//!
//! Which files form one deployment: every root module (a scanned directory that no other
//! scanned directory calls, or one that has its own tfvars or backend) with the local modules
//! it calls, instantiated with their inputs and `providers` maps (`resolve`). A plan or state
//! joins the configuration in its own directory or the nearest one above it that declares its
//! addresses: the plan's values at the `.tf` file and line (`plan::resolve::merge`).
//!
//! How links are made: references in expressions are evaluated by `eval` with the module's
//! variables, locals and providers; the data map then joins resources by the values found.

pub mod eval;
pub mod parse;
pub mod plan;
pub mod resolve;
pub mod stream;

use super::{Collected, FrontEnd};
use crate::diag::Diagnostic;
use crate::discover::{Format, SourceFile};
use crate::model::{Inputs, Resource};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One parsed Terraform file.
#[derive(Debug, Clone)]
pub enum File {
    /// A configuration file, with the path it was read from (its directory is its module).
    Config { path: PathBuf, file: parse::TfFile },
    /// A plan or state (`terraform show -json`, `terraform.tfstate`).
    Plan(plan::parse::PlanFile),
}

/// Parses a `.tf` or `.tf.json` file. An empty `.tf.json` declares nothing, like an empty `.tf`.
pub fn parse_config(source: &SourceFile, text: &str) -> Result<File, Diagnostic> {
    let file = match source.format {
        Format::TerraformJson if text.trim().is_empty() => parse::parse_hcl("", &source.display),
        Format::TerraformJson => parse::parse_json(text, &source.display),
        _ => parse::parse_hcl(text, &source.display),
    }?;
    Ok(File::Config {
        path: source.path.clone(),
        file,
    })
}

pub struct Terraform;

impl FrontEnd for Terraform {
    type File = File;

    fn take_markers(file: &mut File) -> (String, Vec<(usize, String)>) {
        match file {
            File::Config { file, .. } => (
                file.display.clone(),
                std::mem::take(&mut file.lines).into_vec(),
            ),
            File::Plan(p) => (p.display.clone(), std::mem::take(&mut p.lines)),
        }
    }

    fn resources(
        files: Vec<File>,
        inputs: &Inputs,
        threads: usize,
        collected: &mut Collected,
    ) -> Vec<Resource> {
        Terraform::resources_with(
            files,
            stream::Streamed::default(),
            inputs,
            threads,
            collected,
        )
    }
}

impl Terraform {
    /// The resources of the parsed `files` and of the roots `streamed` still holds, which are
    /// parsed and resolved here a batch at a time (see `stream`).
    pub fn resources_with(
        files: Vec<File>,
        streamed: stream::Streamed,
        inputs: &Inputs,
        threads: usize,
        collected: &mut Collected,
    ) -> Vec<Resource> {
        let mut dirs: BTreeMap<PathBuf, resolve::DirFiles> = BTreeMap::new();
        let mut plans = Vec::new();
        for file in files {
            match file {
                File::Config { path, file } => {
                    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
                    let display_dir = std::path::Path::new(&file.display)
                        .parent()
                        .map(crate::discover::display_path)
                        .unwrap_or_else(|| ".".into());
                    dirs.entry(dir.clone())
                        .or_insert_with(|| resolve::DirFiles {
                            dir,
                            display_dir,
                            files: Vec::new(),
                        })
                        .files
                        .push(file);
                }
                File::Plan(p) => plans.push(p),
            }
        }
        let mut resources = stream::resolve(
            dirs.into_values().collect(),
            streamed,
            inputs,
            threads,
            collected,
        );
        let planned: Vec<Resource> = plans
            .iter()
            .flat_map(|p| plan::resolve::resolve(p, inputs))
            .collect();
        plan::resolve::merge(&mut resources, planned);
        resources
    }
}
