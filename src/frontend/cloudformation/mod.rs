//! CloudFormation templates, JSON or YAML with short-form tags.
//!
//! Which files form one deployment: each template is one stack, in the region `--region`
//! gives (a template does not name its own). A template that another deploys as a nested stack
//! (`AWS::CloudFormation::Stack` whose `TemplateURL` is a local path, as `aws cloudformation
//! package` takes it) is resolved there, with the parameters it is passed, as a stack of its own
//! (`parent.yaml > Logs`), and not again on its own. How links are made: `Ref`, `Fn::GetAtt`,
//! `Fn::Sub` and the other intrinsics are evaluated with the template's parameters (`resolve`);
//! `Fn::ImportValue` links to the resource another scanned template exports; the data map
//! joins resources by the values found.

pub mod for_each;
pub mod parse;
pub mod resolve;

use super::{budget, Collected, FrontEnd};
use crate::diag::{Code, Diagnostic};
use crate::hash::{HashMap, HashSet};
use crate::model::{Inputs, Resource};
use crate::value::Value;

/// One parsed template.
pub type File = parse::Template;

pub struct CloudFormation;

/// How deep nested stacks are followed (a stack nested in itself ends here).
const MAX_NESTING: usize = 8;

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
        for template in &files {
            collected.warnings.extend(template.warnings.iter().cloned());
        }
        // Stacks that export and import values are joined through them.
        let exports = resolve::Exports::of(&files, inputs);
        let by_display: HashMap<&str, &File> =
            files.iter().map(|t| (t.display.as_str(), t)).collect();
        let mut standalone = Vec::new();
        let mut nested_somewhere: HashSet<&str> = HashSet::default();
        for template in &files {
            let resources = resolve_one(template, inputs, None, &exports, collected);
            for (child, _) in nested_stacks(&resources, &template.display, &by_display, None) {
                nested_somewhere.insert(child.display.as_str());
            }
            standalone.push((template, resources));
        }
        let mut out = Vec::new();
        for (template, resources) in standalone {
            if nested_somewhere.contains(template.display.as_str()) {
                continue;
            }
            // The nested stacks of this one, and theirs, resolved with what each parent passes.
            let mut work: Vec<(usize, Vec<Resource>, String)> =
                vec![(0, resources, template.display.clone())];
            while let Some((depth, resources, display)) = work.pop() {
                let warnings = &mut collected.warnings;
                let nested = nested_stacks(&resources, &display, &by_display, Some(warnings));
                out.extend(resources);
                if depth >= MAX_NESTING {
                    continue;
                }
                let mut links: HashMap<String, (String, String)> = HashMap::default();
                for (child, nesting) in nested {
                    // What `!GetAtt Stack.Outputs.Name` returns: a resource of the nested stack.
                    let stack = nesting
                        .scope
                        .rsplit(" > ")
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    for (name, id) in resolve::returned_resources(child, inputs) {
                        links.insert(
                            format!("{stack}.Outputs.{name}"),
                            (nesting.scope.clone(), id),
                        );
                    }
                    let resources = resolve_one(child, inputs, Some(&nesting), &exports, collected);
                    work.push((depth + 1, resources, child.display.clone()));
                }
                if !links.is_empty() {
                    let start =
                        out.len() - out.iter().rev().take_while(|r| r.file == display).count();
                    for r in &mut out[start..] {
                        link_outputs(&mut r.attributes, &links);
                    }
                }
            }
        }
        // Templates nested only by each other (a cycle) still count, on their own.
        let reached: HashSet<String> = out.iter().map(|r| r.file.to_string()).collect();
        for template in &files {
            if nested_somewhere.contains(template.display.as_str())
                && !reached.contains(&template.display)
            {
                out.extend(resolve_one(template, inputs, None, &exports, collected));
            }
        }
        out
    }
}

/// Points every `!GetAtt Stack.Outputs.Name` in `value` at the nested resource it returns.
fn link_outputs(value: &mut Value, links: &HashMap<String, (String, String)>) {
    match value {
        Value::Unknown(u) => {
            if let Some((scope, id)) = u.refers_to.as_ref().and_then(|t| links.get(t)) {
                u.refers_to = Some(id.clone());
                u.in_deployment = Some(scope.clone());
            }
        }
        Value::List(items) => items.iter_mut().for_each(|v| link_outputs(v, links)),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| link_outputs(v, links)),
        _ => {}
    }
}

/// One template's resources, within an evaluation budget of its own.
fn resolve_one(
    template: &File,
    inputs: &Inputs,
    nesting: Option<&resolve::Nesting>,
    exports: &resolve::Exports,
    collected: &mut Collected,
) -> Vec<Resource> {
    budget::start();
    let resolved = resolve::resolve(template, inputs, nesting, exports, &mut collected.secrets);
    if budget::finish() {
        collected.warnings.push(budget::warning(
            budget::first_refused(&resolved),
            &template.display,
        ));
    }
    resolved
}

/// The scanned templates that `resources` deploy as nested stacks, each with the stack it
/// becomes; a `TemplateURL` that names no scanned file is a warning in `warnings` (when given).
fn nested_stacks<'t>(
    resources: &[Resource],
    display: &str,
    by_display: &HashMap<&str, &'t File>,
    mut warnings: Option<&mut Vec<Diagnostic>>,
) -> Vec<(&'t File, resolve::Nesting)> {
    let mut out = Vec::new();
    for r in resources
        .iter()
        .filter(|r| r.kind == "AWS::CloudFormation::Stack")
    {
        let url = r.attr("TemplateURL");
        let local = url
            .as_str()
            .filter(|u| !u.contains("://") && !u.starts_with("s3:"))
            .map(|u| crate::discover::beside(display, u));
        match local.as_deref().and_then(|p| by_display.get(p)) {
            Some(child) => {
                let parameters = match r.attr("Parameters") {
                    Value::Map(m) => m.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
                    _ => HashMap::default(),
                };
                out.push((
                    *child,
                    resolve::Nesting {
                        scope: format!("{} > {}", r.scope, r.address),
                        parameters,
                    },
                ));
            }
            None => {
                if let Some(w) = warnings.as_deref_mut() {
                    let shown = match (url.as_str(), url.partial_text()) {
                        (Some(u), _) => crate::redact::redact(u),
                        (None, Some(p)) => crate::redact::redact(p),
                        (None, None) => "(not known)".into(),
                    };
                    let what = if local.is_some() {
                        "is not among the scanned files; scan its directory too"
                    } else {
                        "is not fetched; scan the template it was packaged from (the template before `aws cloudformation package`)"
                    };
                    w.push(Diagnostic::at(
                        Code::LinkNotFollowed,
                        r.file.to_string(),
                        r.line,
                        format!(
                            "nested stack {} deploys template {shown}, which {what}; its resources are not scanned",
                            r.address
                        ),
                    ));
                }
            }
        }
    }
    out
}
