//! Bicep (`.bicep`) and Bicep parameter files (`.bicepparam`), read the way `bicep build`
//! followed by an ARM deployment reads them: each file is parsed with the tree-sitter Bicep
//! grammar and compiled into the ARM template (or parameter file) tree that `bicep build` would
//! write, with every node at its Bicep line. The ARM front end then resolves it with ARM's own
//! rules, so a Bicep resource is the same resource as the equivalent ARM template's, and every
//! ARM flow, parameter and linking rule applies unchanged:
//!
//! - `param`/`var` become `parameters`/`variables` (`@secure()` a `securestring`), `resource`
//!   an ARM resource (nested and `parent:` children with their full type and name, `existing`
//!   ones marked existing, `for` loops as `copy`, `if` as `condition`), expressions ARM
//!   template expressions (`'${a}b'` is `concat(...)`, `x ? a : b` is `if(...)`, `s.id` is
//!   `resourceId(...)`).
//! - A local `module` is a nested deployment linking the compiled module file by relative path
//!   (reported at the module's own lines, with the parameters it is given); a registry (`br:`)
//!   or template spec (`ts:`) module is a warning that names it.
//! - A `.bicepparam` file (`using './main.bicep'`) is the parameter file of the template it
//!   names.

pub mod compile;
pub mod expr;
pub mod syntax;

use crate::diag::Diagnostic;
use crate::frontend::arm::parse::{ArmFile, ArmKind};

/// Parses and compiles one `.bicep` or `.bicepparam` file.
pub fn parse(display: &str, text: &str) -> Result<ArmFile, Diagnostic> {
    let params_file = display.to_ascii_lowercase().ends_with(".bicepparam");
    let parsed = if params_file {
        syntax::params_as_variables(text)
    } else {
        syntax::normalize(text)
    };
    let (tree, errors) = syntax::parse(&parsed)?;
    let compiled = compile::compile(&tree, &parsed, display, params_file)?;
    Ok(ArmFile {
        display: display.to_string(),
        kind: if params_file {
            ArmKind::Parameters
        } else {
            ArmKind::Template
        },
        root: compiled.root,
        lines: crate::syntax::marker_lines(text),
        warnings: compiled
            .warnings
            .into_iter()
            .map(|w| w.in_file(display))
            .collect(),
        template_for: compiled.using,
        errors: errors.into_iter().map(|e| e.in_file(display)).collect(),
    })
}
