//! Which ARM files form one deployment: each template with the parameter file beside it
//! (`X.parameters.json` for `X.json`), and templates linked by relative path resolved where
//! they are linked, with the parameters they are given, not again on their own.

use crate::diag::Diagnostic;
use crate::frontend::{budget, Collected};
use crate::hash::HashMap;
use crate::model::{Inputs, Resource};

/// The resources of every ARM template, each with the parameter file beside it
/// (`X.parameters.json` for `X.json`), and warnings for what cannot be followed.
pub fn resources(
    files: &[super::parse::ArmFile],
    inputs: &Inputs,
    collected: &mut Collected,
) -> Vec<Resource> {
    use super::parse::ArmKind;
    // `bicep build` writes `main.json` beside `main.bicep`: one deployment, read from its source.
    let sources: crate::hash::HashSet<&str> = files
        .iter()
        .filter(|f| f.kind == ArmKind::Template)
        .map(|f| f.display.as_str())
        .collect();
    let built_from_bicep = |f: &super::parse::ArmFile| {
        f.display.strip_suffix(".json").is_some_and(|stem| {
            sources.contains(format!("{stem}.bicep").as_str())
                && f.root
                    .get("metadata")
                    .and_then(|m| m.get("_generator"))
                    .and_then(|g| g.get("name"))
                    .and_then(crate::syntax::tree::Node::as_str)
                    == Some("bicep")
        })
    };
    let files: Vec<&super::parse::ArmFile> =
        files.iter().filter(|f| !built_from_bicep(f)).collect();
    let parameter_files: HashMap<&str, &super::parse::ArmFile> = files
        .iter()
        .filter(|f| f.kind == ArmKind::Parameters)
        .map(|f| (f.display.as_str(), *f))
        .collect();
    let templates: HashMap<&str, &super::parse::ArmFile> = files
        .iter()
        .filter(|f| f.kind == ArmKind::Template)
        .map(|f| (f.display.as_str(), *f))
        .collect();
    let lookup = |path: &str| templates.get(path).copied();
    let mut resolutions = Vec::new();
    let mut applied = crate::hash::HashSet::default();
    for template in files.iter().filter(|f| f.kind == ArmKind::Template) {
        let stem = template
            .display
            .strip_suffix(".json")
            .or_else(|| template.display.strip_suffix(".bicep"))
            .unwrap_or(&template.display);
        // A `.bicepparam` file names its template; a JSON one sits beside it.
        let parameters = parameter_files
            .values()
            .find(|p| p.template_for.as_deref() == Some(template.display.as_str()))
            .or_else(|| parameter_files.get(format!("{stem}.parameters.json").as_str()))
            .copied();
        if let Some(p) = parameters {
            applied.insert(p.display.as_str());
        }
        budget::start();
        let mut resolution = super::resolve::resolve(template, parameters, inputs, &lookup);
        if budget::finish() {
            let warning = budget::warning(
                budget::first_refused(&resolution.resources),
                &template.display,
            );
            resolution.warnings.push(warning);
        }
        resolutions.push((template.display.as_str(), resolution));
    }
    // A template that another links by relative path is resolved there, with the parameters
    // it is given; resolving it again on its own (with its defaults) would count it twice. Only
    // links from templates that nothing links (the ones deployed) count, so a cycle of links
    // loses nothing.
    let linked_somewhere: crate::hash::HashSet<&str> = resolutions
        .iter()
        .flat_map(|(_, r)| r.linked.iter().map(String::as_str))
        .collect();
    let linked_from_roots: crate::hash::HashSet<String> = resolutions
        .iter()
        .filter(|(display, _)| !linked_somewhere.contains(display))
        .flat_map(|(_, r)| r.linked.iter().cloned())
        .collect();
    let mut resources = Vec::new();
    // A parameter file that no template takes (`main.parameters.prod.json`) would silently
    // change nothing; say so.
    let mut warnings: Vec<Diagnostic> = parameter_files
        .values()
        .filter(|p| !applied.contains(p.display.as_str()))
        .map(|p| Diagnostic {
            code: crate::diag::Code::UnmatchedParameters,
            file: p.display.clone(),
            line: 1,
            message: match &p.template_for {
                Some(t) => format!("this parameter file is for {t}, which is not among the scanned files; scan it too, or pass its values with --parameter NAME=VALUE"),
                None => "this ARM parameter file matches no template (residency applies X.parameters.json to X.json in the same directory); pass its values with --parameter NAME=VALUE".into(),
            },
        })
        .collect();
    for (display, resolution) in resolutions {
        warnings.extend(resolution.warnings);
        collected.secrets.extend(resolution.secrets);
        if !linked_from_roots.contains(display) {
            resources.extend(resolution.resources);
        }
    }
    collected.warnings.extend(warnings);
    resources
}
