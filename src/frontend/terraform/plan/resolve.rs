//! Terraform plans and state: resources with the values Terraform itself resolved. A plan has
//! every variable, local, module and `count` already evaluated in `planned_values`; what it
//! leaves to apply time (a bucket ARN that does not exist yet) is taken from the plan's
//! `configuration` as a reference, so a replication rule still points at its destination. The
//! provider configuration of each resource is found through `provider_config_key`, and its
//! `region` expression is a constant or a variable the plan records (`variables`), followed
//! through module calls. State has no configuration: regions come from the recorded
//! attributes (`region`, `location`) or from the resource's ARN.
//!
//! Formats: "JSON Output Format" in the Terraform documentation
//! (developer.hashicorp.com/terraform/internals/json-format) and the state file format 4.

use crate::frontend::terraform::plan::parse::{PlanFile, PlanKind};
use crate::hash::HashMap;
use crate::model::{Inputs, Origin, PlacedBy, ProviderSetting, Resource, SourceFormat};
use crate::syntax::tree::node_value;
use crate::syntax::tree::{Node, NodeKind};
use crate::value::ValueMap;
use crate::value::{Arn, Value};
use compact_str::ToCompactString;
use std::collections::BTreeMap;

/// Recorded values as values. Providers built on Terraform's plugin SDK record an unset string
/// as `""` in plans and state; it means "not set", as in the configuration.
fn recorded(node: &Node) -> Value {
    without_empty_strings(node_value(node))
}

fn without_empty_strings(value: Value) -> Value {
    match value {
        Value::String(s) if s.is_empty() => Value::Null,
        Value::List(items) => Value::List(
            items
                .into_vec()
                .into_iter()
                .map(without_empty_strings)
                .collect(),
        ),
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, without_empty_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Module calls followed when a provider's region comes from a module variable; deeper chains
/// are reported as unknown.
const MAX_MODULE_DEPTH: usize = 32;

pub fn resolve(file: &PlanFile, inputs: &Inputs) -> Vec<Resource> {
    let mut out = Vec::new();
    match file.kind {
        PlanKind::Plan => {
            let plan = Plan::new(&file.root);
            if let Some(root) = file
                .root
                .get("planned_values")
                .and_then(|v| v.get("root_module"))
            {
                walk_module(root, &mut |module, r| {
                    out.push(plan.resource(file, module, r, inputs))
                });
            }
        }
        PlanKind::ShownState => {
            if let Some(root) = file.root.get("values").and_then(|v| v.get("root_module")) {
                walk_module(root, &mut |_, r| {
                    out.push(shown_state_resource(file, r, inputs))
                });
            }
        }
        PlanKind::RawState => {
            for r in file
                .root
                .get("resources")
                .map(Node::items)
                .unwrap_or_default()
            {
                raw_state_resources(file, r, inputs, &mut out);
            }
        }
    }
    out
}

/// Visits every resource of a `root_module` and its `child_modules`, with the module's address.
fn walk_module<'n>(module: &'n Node, visit: &mut dyn FnMut(&'n str, &'n Node)) {
    walk_module_at(module, visit, 0);
}

fn walk_module_at<'n>(module: &'n Node, visit: &mut dyn FnMut(&'n str, &'n Node), depth: usize) {
    if depth > crate::syntax::tree::MAX_DEPTH {
        return;
    }
    let address = module.get("address").and_then(Node::as_str).unwrap_or("");
    for r in module.get("resources").map(Node::items).unwrap_or_default() {
        visit(address, r);
    }
    for child in module
        .get("child_modules")
        .map(Node::items)
        .unwrap_or_default()
    {
        walk_module_at(child, visit, depth + 1);
    }
}

fn text<'n>(node: &'n Node, key: &str) -> &'n str {
    node.get(key).and_then(Node::as_str).unwrap_or("")
}

/// `registry.terraform.io/hashicorp/aws` → `aws`.
fn provider_type(full_name: &str) -> String {
    full_name
        .rsplit('/')
        .next()
        .unwrap_or(full_name)
        .to_string()
}

/// The region in the first ARN among the values (`arn`, `*_arn`): where state says it is.
fn arn_region(values: &Value) -> Option<String> {
    let Value::Map(m) = values else { return None };
    m.iter()
        .filter(|(k, _)| *k == "arn" || k.ends_with("_arn"))
        .filter_map(|(_, v)| v.as_str().and_then(Arn::parse))
        .find(|a| !a.region.is_empty())
        .map(|a| a.region.to_string())
}

/// A provider setting for a resource whose configuration is not known (state): the region is
/// the one its ARN names, then `--region`, else none (locating says why).
fn recorded_provider(
    name: String,
    alias: Option<String>,
    values: &Value,
    inputs: &Inputs,
) -> ProviderSetting {
    let (region, origin) = match arn_region(values) {
        Some(r) => (Value::String(r.into()), Origin::Literal),
        None => default_region(&name, inputs),
    };
    ProviderSetting {
        name,
        alias,
        region,
        origin,
    }
}

/// The region a provider without one has: `--region` for AWS (what `AWS_REGION` would give),
/// none for the others (locating then says why).
fn default_region(provider: &str, inputs: &Inputs) -> (Value, Origin) {
    match &inputs.region {
        Some(r) if provider == "aws" => (Value::String(r.to_compact_string()), Origin::Variable),
        _ => (Value::Null, Origin::Literal),
    }
}

/// A resource read from a plan or state, at the line naming it in that file.
fn base_resource(
    file: &PlanFile,
    node: &Node,
    format: SourceFormat,
    address: String,
    kind: String,
    attributes: Value,
    provider: ProviderSetting,
) -> Resource {
    Resource {
        address,
        kind: kind.into(),
        scope: file.display.as_str().into(),
        format,
        file: file.display.as_str().into(),
        // The line naming the resource, rather than its opening brace.
        line: node.get("address").map_or(node.line, |a| a.line),
        end_line: node.last_line(),
        attributes,
        origins: BTreeMap::new(),
        provider: std::sync::Arc::new(provider),
        placed_by: PlacedBy::Catalog,
    }
}

fn shown_state_resource(file: &PlanFile, node: &Node, inputs: &Inputs) -> Resource {
    let values = node
        .get("values")
        .map(recorded)
        .unwrap_or(Value::Map(ValueMap::new()));
    let provider = recorded_provider(
        provider_type(text(node, "provider_name")),
        None,
        &values,
        inputs,
    );
    base_resource(
        file,
        node,
        SourceFormat::TerraformState,
        text(node, "address").to_string(),
        text(node, "type").to_string(),
        values,
        provider,
    )
}

/// `provider["registry.terraform.io/hashicorp/aws"].us` → (`aws`, `us`).
fn parse_state_provider(text: &str) -> (String, Option<String>) {
    let inner = text
        .split_once("provider[\"")
        .and_then(|(_, rest)| rest.split_once("\"]"));
    match inner {
        Some((full, rest)) => (
            provider_type(full),
            rest.strip_prefix('.')
                .filter(|a| !a.is_empty())
                .map(str::to_string),
        ),
        None => (String::new(), None),
    }
}

fn raw_state_resources(file: &PlanFile, node: &Node, inputs: &Inputs, out: &mut Vec<Resource>) {
    let module = text(node, "module");
    let kind = text(node, "type");
    let name = text(node, "name");
    let data = text(node, "mode") == "data";
    let (provider, alias) = parse_state_provider(text(node, "provider"));
    let prefix = if module.is_empty() {
        String::new()
    } else {
        format!("{module}.")
    };
    let data_prefix = if data { "data." } else { "" };
    for instance in node.get("instances").map(Node::items).unwrap_or_default() {
        let index = match instance.get("index_key").map(|k| &k.kind) {
            Some(NodeKind::Number(n)) => format!("[{}]", crate::value::format_number(*n)),
            Some(NodeKind::String(s)) => format!("[{s:?}]"),
            _ => String::new(),
        };
        let values = instance
            .get("attributes")
            .map(recorded)
            .unwrap_or(Value::Map(ValueMap::new()));
        let setting = recorded_provider(provider.clone(), alias.clone(), &values, inputs);
        out.push(base_resource(
            file,
            instance,
            SourceFormat::TerraformState,
            format!("{prefix}{data_prefix}{kind}.{name}{index}"),
            kind.to_string(),
            values,
            setting,
        ));
    }
}

/// The parts of a plan that say how values were configured.
struct Plan<'n> {
    variables: HashMap<&'n str, &'n Node>,
    providers: HashMap<&'n str, &'n Node>,
    config_root: Option<&'n Node>,
}

/// Splits `module.a[0].module.b.aws_s3_bucket.x["k"]` at module boundaries into the module
/// call names (`a`, `b`) without instance keys.
fn module_calls(module_address: &str) -> Vec<String> {
    strip_indexes(module_address)
        .split('.')
        .collect::<Vec<_>>()
        .chunks(2)
        .filter(|pair| pair.len() == 2 && pair[0] == "module")
        .map(|pair| pair[1].to_string())
        .collect()
}

/// An address without instance keys (`module.a[0].aws_s3_bucket.x["k"]` →
/// `module.a.aws_s3_bucket.x`), skipping brackets inside quoted keys.
pub fn strip_indexes(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in address.chars() {
        if depth > 0 {
            match (quoted, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '"') => quoted = false,
                (false, _, '"') => quoted = true,
                (false, _, ']') => depth -= 1,
                _ => {}
            }
            continue;
        }
        if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

/// `module.a.module.b` (without instance keys) for a list of call names.
fn module_path(calls: &[String]) -> String {
    calls
        .iter()
        .map(|c| format!("module.{c}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// The Terraform resource an expression reference names, relative to its module
/// (`aws_s3_bucket.replica[0].arn` → `aws_s3_bucket.replica[0]`); `None` for variables,
/// locals, module outputs and other non-resource references.
fn reference_address(reference: &str) -> Option<String> {
    let mut parts = reference.split('.');
    let first = parts.next()?;
    let (kind, name) = match first {
        "data" => (format!("data.{}", parts.next()?), parts.next()?),
        "var" | "local" | "module" | "each" | "count" | "path" | "self" | "terraform" => {
            return None
        }
        kind => (kind.to_string(), parts.next()?),
    };
    Some(format!("{kind}.{name}"))
}

/// Whether a JSON expression object (`{"constant_value": ...}` or `{"references": [...]}`)
/// rather than a nested block of expressions.
fn is_expression(node: &Node) -> bool {
    node.get("references").is_some() || node.get("constant_value").is_some()
}

impl<'n> Plan<'n> {
    fn new(root: &'n Node) -> Plan<'n> {
        let config = root.get("configuration");
        Plan {
            variables: root
                .get("variables")
                .map(|v| v.entries().iter().map(|(k, n)| (k.as_str(), n)).collect())
                .unwrap_or_default(),
            providers: config
                .and_then(|c| c.get("provider_config"))
                .map(|p| p.entries().iter().map(|(k, n)| (k.as_str(), n)).collect())
                .unwrap_or_default(),
            config_root: config.and_then(|c| c.get("root_module")),
        }
    }

    /// The configuration of the module reached through `calls` from the root.
    fn config_module(&self, calls: &[String]) -> Option<&'n Node> {
        calls.iter().try_fold(self.config_root?, |m, call| {
            m.get("module_calls")?.get(call)?.get("module")
        })
    }

    /// A resource's block in the configuration, found by its address inside its module.
    fn config_resource(&self, calls: &[String], relative: &str) -> Option<&'n Node> {
        self.config_module(calls)?
            .get("resources")?
            .items()
            .iter()
            .find(|r| text(r, "address") == relative)
    }

    /// The value an expression has in the module reached through `calls`: a constant, or a
    /// variable the plan records (root) or the module call passes in (followed upwards).
    fn eval(&self, expr: &Node, calls: &[String], depth: usize) -> Result<(Value, Origin), String> {
        if let Some(constant) = expr.get("constant_value") {
            return Ok((node_value(constant), Origin::Literal));
        }
        let references: Vec<&str> = expr
            .get("references")
            .map(|r| r.items().iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        let Some(var) = references.iter().find_map(|r| r.strip_prefix("var.")) else {
            return Err(match references.first() {
                Some(r) => format!("the plan records only that it comes from {r}"),
                None => "the plan records no value for it".into(),
            });
        };
        let var = var.split(['.', '[']).next().unwrap_or(var);
        if calls.is_empty() {
            return match self.variables.get(var).and_then(|v| v.get("value")) {
                Some(v) => Ok((node_value(v), Origin::Variable)),
                None => Err(format!("variable {var} has no value in the plan")),
            };
        }
        if depth >= MAX_MODULE_DEPTH {
            return Err("module variables nest too deeply".into());
        }
        let (call, parent) = calls.split_last().expect("calls is not empty");
        let passed = self.config_module(parent).and_then(|m| {
            m.get("module_calls")?
                .get(call)?
                .get("expressions")?
                .get(var)
        });
        match passed {
            Some(e) => self
                .eval(e, parent, depth + 1)
                .map(|(v, _)| (v, Origin::Variable)),
            None => {
                let default = self
                    .config_module(calls)
                    .and_then(|m| m.get("variables")?.get(var)?.get("default"));
                match default {
                    Some(d) => Ok((node_value(d), Origin::Variable)),
                    None => Err(format!("module.{call} is not given variable {var}")),
                }
            }
        }
    }

    /// The provider configuration a resource uses: `provider_config_key` from its
    /// configuration, or the default configuration of its provider.
    fn provider(
        &self,
        config: Option<&Node>,
        provider_name: &str,
        calls: &[String],
        inputs: &Inputs,
    ) -> ProviderSetting {
        let key = config.and_then(|c| {
            c.get("provider_config_key")
                .and_then(Node::as_str)
                .or_else(|| c.get("provider_config_keys")?.items().first()?.as_str())
        });
        let name = provider_type(provider_name);
        let mut candidates: Vec<String> = key.map(str::to_string).into_iter().collect();
        // Terraform (older versions) keys a module's inherited provider by the module
        // (`module.mail:aws`) with no expressions; the configuration it inherits is the
        // parent's of the same name.
        let local = key
            .map(|k| k.rsplit(':').next().unwrap_or(k).to_string())
            .unwrap_or_else(|| name.clone());
        for depth in (0..calls.len()).rev() {
            let path = module_path(&calls[..depth]);
            candidates.push(if path.is_empty() {
                local.clone()
            } else {
                format!("{path}:{local}")
            });
        }
        let found = candidates.iter().find_map(|k| {
            let p = self.providers.get(k.as_str())?;
            p.get("expressions").map(|e| (k, *p, e))
        });
        let alias = local.split_once('.').map(|(_, a)| a.to_string());
        let Some((key, config, expressions)) = found else {
            let (region, origin) = default_region(&name, inputs);
            return ProviderSetting {
                name,
                alias,
                region,
                origin,
            };
        };
        let module = text(config, "module_address");
        let calls = module_calls(module);
        let (region, origin) = match expressions.get("region") {
            Some(expr) => match self.eval(expr, &calls, 0) {
                Ok(found) => found,
                Err(why) => (
                    Value::unknown(format!("the region of provider {key}: {why}")),
                    Origin::Variable,
                ),
            },
            None => default_region(&name, inputs),
        };
        ProviderSetting {
            name,
            alias: Some(text(config, "alias"))
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .or(alias),
            region,
            origin,
        }
    }

    fn resource(&self, file: &PlanFile, module: &str, node: &Node, inputs: &Inputs) -> Resource {
        let address = text(node, "address").to_string();
        let kind = text(node, "type").to_string();
        let data = text(node, "mode") == "data";
        let relative = format!(
            "{}{kind}.{}",
            if data { "data." } else { "" },
            text(node, "name")
        );
        let calls = module_calls(module);
        let config = self.config_resource(&calls, &relative);
        let mut values = node
            .get("values")
            .map(recorded)
            .unwrap_or(Value::Map(ValueMap::new()));
        let prefix = if module.is_empty() {
            String::new()
        } else {
            format!("{module}.")
        };
        let mut origins = BTreeMap::new();
        if let Some(expressions) = config.and_then(|c| c.get("expressions")) {
            fill_references(&mut values, expressions, &prefix, 0);
            for (attr, expr) in expressions.entries() {
                let from_variable = expr.get("references").is_some_and(|refs| {
                    refs.items()
                        .iter()
                        .filter_map(Node::as_str)
                        .any(|r| r.starts_with("var.") || r.starts_with("local."))
                });
                if from_variable {
                    origins.insert(attr.clone(), Origin::Variable);
                }
            }
        }
        let mut provider = self.provider(config, text(node, "provider_name"), &calls, inputs);
        if provider.region.is_null() {
            if let Some(region) = arn_region(&values) {
                provider.region = Value::String(region.into());
                provider.origin = Origin::Literal;
            }
        }
        let mut r = base_resource(
            file,
            node,
            SourceFormat::TerraformPlan,
            address,
            kind,
            values,
            provider,
        );
        r.origins = origins;
        r
    }
}

/// Values the plan leaves unknown until apply are missing from `planned_values`; where the
/// configuration says which resource they come from, they become references to it
/// (`destination.bucket` = `aws_s3_bucket.replica.arn` → points at `aws_s3_bucket.replica`).
fn fill_references(value: &mut Value, expressions: &Node, prefix: &str, depth: usize) {
    if depth > crate::syntax::tree::MAX_DEPTH {
        return;
    }
    if matches!(value, Value::Null) {
        *value = Value::Map(ValueMap::new());
    }
    let Value::Map(map) = value else { return };
    for (key, expr) in expressions.entries() {
        match &expr.kind {
            NodeKind::Map(_) if is_expression(expr) => {
                let slot = map.entry(key.as_str().into()).or_insert(Value::Null);
                if !slot.is_null() {
                    continue;
                }
                let target = expr
                    .get("references")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str)
                    .find_map(reference_address);
                if let Some(target) = target {
                    *slot = Value::unknown_ref(
                        format!("known only after apply (from {target})"),
                        format!("{prefix}{target}"),
                    );
                }
            }
            // A single nested block.
            NodeKind::Map(_) => {
                let slot = map.entry(key.as_str().into()).or_insert(Value::Null);
                fill_block(slot, 0, expr, prefix, depth);
            }
            // Repeated nested blocks, matched by position.
            NodeKind::Seq(blocks) => {
                let slot = map.entry(key.as_str().into()).or_insert(Value::Null);
                for (i, block) in blocks.iter().enumerate() {
                    fill_block(slot, i, block, prefix, depth);
                }
            }
            _ => {}
        }
    }
    map.retain(|_, v| !v.is_null());
}

/// Fills the `index`th block of a nested-block value (a list of maps, or one map).
fn fill_block(slot: &mut Value, index: usize, block: &Node, prefix: &str, depth: usize) {
    if !matches!(block.kind, NodeKind::Map(_)) {
        return;
    }
    match slot {
        Value::List(items) => {
            if let Some(item) = items.get_mut(index) {
                fill_references(item, block, prefix, depth + 1);
            } else if items.len() == index {
                let mut item = Value::Null;
                fill_references(&mut item, block, prefix, depth + 1);
                if !matches!(&item, Value::Map(m) if m.is_empty()) {
                    crate::value::extend_list(items, [item]);
                }
            }
        }
        Value::Null => {
            let mut item = Value::Null;
            fill_references(&mut item, block, prefix, depth + 1);
            if !matches!(&item, Value::Map(m) if m.is_empty()) {
                *slot = Value::List((vec![item]).into());
            }
        }
        map @ Value::Map(_) if index == 0 => fill_references(map, block, prefix, depth + 1),
        _ => {}
    }
}

/// Joins plan and state resources with the Terraform configuration in the same tree, so that
/// a resource declared in a `.tf` file and present in a plan is one resource: the plan's values
/// (resolved by Terraform) at the `.tf` file and line that declares it. The configuration a
/// plan belongs to is the root module in the plan's directory or the nearest directory above
/// it that declares any of its addresses; the plan's resources take that root's scope so
/// references between them resolve. Resources only in the plan keep the plan's file and line.
/// A plan wins over a state in the same directory; states of other workspaces are kept.
pub fn merge(config: &mut Vec<Resource>, planned: Vec<Resource>) {
    // Plans first: where a plan and a state of the same configuration are both in the tree,
    // the plan (what will be) wins over the state (what was).
    let mut by_file: BTreeMap<(bool, String), Vec<Resource>> = BTreeMap::new();
    for r in planned {
        let is_state = r.format == SourceFormat::TerraformState;
        by_file
            .entry((is_state, r.file.to_string()))
            .or_default()
            .push(r);
    }
    let mut replaced = vec![false; config.len()];
    // (root, address, directory of the plan or state): a plan and a state side by side describe
    // one deployment; states in other directories (`terraform.tfstate.d/<workspace>/`) are
    // other deployments of the same configuration and are all kept.
    let mut taken: crate::hash::HashSet<(String, String, String)> = crate::hash::HashSet::default();
    let mut joined: crate::hash::HashSet<(String, String)> = crate::hash::HashSet::default();
    let mut added = Vec::new();
    // Declared addresses (without instance keys) per root module, built once.
    let mut roots: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::default();
    for (i, r) in config.iter().enumerate() {
        if r.format == SourceFormat::Terraform {
            roots
                .entry(r.scope.to_string())
                .or_default()
                .entry(strip_indexes(&r.address))
                .or_default()
                .push(i);
        }
    }
    for ((_, plan_file), mut resources) in by_file {
        let plan_dir = std::path::Path::new(&plan_file)
            .parent()
            .map(crate::discover::display_path)
            .unwrap_or_default();
        let wanted: Vec<String> = resources
            .iter()
            .map(|r| strip_indexes(&r.address))
            .collect();
        // A plan or state belongs to the root module in its own directory, or the nearest one
        // above it (`plans/plan.json` under the root); never to an unrelated root that happens
        // to declare an address of the same name.
        let mut candidates: Vec<String> = Vec::new();
        let mut dir = plan_dir.as_str();
        loop {
            candidates.push(dir.to_string());
            match dir.rsplit_once('/') {
                Some((parent, _)) => dir = parent,
                None => break,
            }
        }
        candidates.push(".".to_string());
        let best = candidates.iter().find(|scope| {
            roots
                .get(scope.as_str())
                .is_some_and(|declared| wanted.iter().any(|a| declared.contains_key(a)))
        });
        if let Some(scope) = best {
            let declared = &roots[scope.as_str()];
            for (r, key) in resources.iter_mut().zip(&wanted) {
                r.scope = scope.as_str().into();
                // The first plan or state to join an address takes the `.tf` location; another
                // deployment of it (a workspace's state) keeps its own file, so the two stay
                // apart in reports.
                let first_join = joined.insert((scope.to_string(), r.address.clone()));
                if let Some(indices) = declared.get(key).filter(|_| first_join) {
                    let first = &config[indices[0]];
                    r.file = first.file.clone();
                    r.line = first.line;
                    r.end_line = first.end_line;
                    for i in indices {
                        replaced[*i] = true;
                    }
                }
            }
        }
        resources
            .retain(|r| taken.insert((r.scope.to_string(), r.address.clone(), plan_dir.clone())));
        added.extend(resources);
    }
    let mut keep = replaced.iter().map(|r| !r);
    config.retain(|_| keep.next().unwrap_or(true));
    config.extend(added);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_without_instance_keys() {
        assert_eq!(
            strip_indexes(r#"module.a[0].aws_s3_bucket.x["k]"]"#),
            "module.a.aws_s3_bucket.x"
        );
        assert_eq!(module_calls("module.a[\"x\"].module.b"), vec!["a", "b"]);
        assert_eq!(module_calls(""), Vec::<String>::new());
    }

    #[test]
    fn references_name_resources_only() {
        assert_eq!(
            reference_address("aws_s3_bucket.replica.arn").as_deref(),
            Some("aws_s3_bucket.replica")
        );
        assert_eq!(
            reference_address("aws_s3_bucket.replica[0]").as_deref(),
            Some("aws_s3_bucket.replica[0]")
        );
        assert_eq!(
            reference_address("data.aws_kms_key.k.arn").as_deref(),
            Some("data.aws_kms_key.k")
        );
        assert_eq!(reference_address("var.region"), None);
        assert_eq!(reference_address("module.mail.bucket"), None);
    }

    #[test]
    fn state_provider_and_alias() {
        assert_eq!(
            parse_state_provider(r#"provider["registry.terraform.io/hashicorp/aws"].us"#),
            ("aws".to_string(), Some("us".to_string()))
        );
        assert_eq!(
            parse_state_provider(r#"module.m.provider["registry.terraform.io/hashicorp/azurerm"]"#),
            ("azurerm".to_string(), None)
        );
    }
}
