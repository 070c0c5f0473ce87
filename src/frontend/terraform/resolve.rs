//! Terraform: evaluates each root module the way `terraform plan` would see it, as far as the
//! files allow. Variables take their value from `--var`, then `--var-file`, then
//! `*.auto.tfvars[.json]`, then `terraform.tfvars.json`, then `terraform.tfvars`, then the
//! default (later sources win, as in Terraform). Provider blocks and aliases give each resource
//! its provider configuration; local modules (`source = "./..."`) are instantiated with their
//! inputs and `providers` map, and their resources get Terraform's addresses
//! (`module.mail.aws_s3_bucket.store`).

use super::eval::{self, apply_ops, Resolver};
use crate::diag::{Code, Diagnostic};
use crate::frontend::terraform::parse::{parse_hcl, parse_json, TfBlock, TfFile};
use crate::gate::Area;
use crate::hash::{HashMap, HashSet};
use crate::model::{Inputs, Origin, PlacedBy, ProviderSetting, Resource, SourceFormat, Strings};
use crate::redact::Secrets;
use crate::syntax::tree;
use crate::value::Value;
use compact_str::ToCompactString;
use hcl::expr::TraversalOperator;
use hcl::{Body, Expression};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The parsed `.tf`/`.tf.json` files of one directory.
#[derive(Clone)]
pub struct DirFiles {
    pub dir: PathBuf,
    /// The directory as reports show it (relative to the scanned path).
    pub display_dir: String,
    pub files: Vec<TfFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Mode {
    Managed,
    Data,
}

struct ResourceDef {
    mode: Mode,
    rtype: String,
    name: String,
    body: Body,
    file: String,
    line: usize,
    end_line: usize,
}

struct CallDef {
    name: String,
    body: Body,
    file: String,
    line: usize,
}

struct ProviderDef {
    name: String,
    body: Body,
}

#[derive(Default)]
struct ModuleDef {
    display_dir: String,
    dir: PathBuf,
    variables: BTreeMap<String, Option<Expression>>,
    /// Variables declared `sensitive = true`: their values are secrets, masked in reports.
    sensitive: HashSet<String>,
    locals: BTreeMap<String, Expression>,
    resources: Vec<ResourceDef>,
    index: HashMap<(Mode, String, String), usize>,
    providers: Vec<ProviderDef>,
    calls: Vec<CallDef>,
    outputs: BTreeMap<String, Expression>,
}

impl ModuleDef {
    /// Takes the parsed files over: each block's body moves into the definition, so a tree is
    /// held in memory once.
    fn from_files(dir: PathBuf, display_dir: String, files: Vec<TfFile>) -> ModuleDef {
        let mut def = ModuleDef {
            dir,
            display_dir,
            ..Default::default()
        };
        for file in files {
            let display = std::rc::Rc::<str>::from(file.display.as_str());
            for block in file.blocks {
                def.add_block(block, &display);
            }
        }
        def
    }

    fn add_block(&mut self, block: TfBlock, file: &str) {
        let label = |i: usize| block.labels.get(i).cloned().unwrap_or_default();
        match block.kind.as_str() {
            "variable" => {
                let default = attribute(&block.body, "default").cloned();
                if matches!(
                    attribute(&block.body, "sensitive"),
                    Some(Expression::Bool(true))
                ) {
                    self.sensitive.insert(label(0));
                }
                self.variables.insert(label(0), default);
            }
            "locals" => {
                for attr in block.body.into_attributes() {
                    self.locals.insert(attr.key.to_string(), attr.expr);
                }
            }
            "output" => {
                if let Some(value) = attribute(&block.body, "value") {
                    self.outputs.insert(label(0), value.clone());
                }
            }
            "provider" => self.providers.push(ProviderDef {
                name: label(0),
                body: block.body,
            }),
            "module" => self.calls.push(CallDef {
                name: label(0),
                body: block.body,
                file: file.to_string(),
                line: block.line,
            }),
            "resource" | "data" if block.labels.len() == 2 => {
                let mode = if block.kind == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                };
                self.index
                    .insert((mode, label(0), label(1)), self.resources.len());
                let (rtype, name) = (label(0), label(1));
                self.resources.push(ResourceDef {
                    mode,
                    rtype,
                    name,
                    body: block.body,
                    file: file.to_string(),
                    line: block.line,
                    end_line: block.end_line,
                });
            }
            _ => {}
        }
    }
}

fn attribute<'a>(body: &'a Body, name: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|a| a.key.as_str() == name)
        .map(|a| &a.expr)
}

struct Instance {
    def: usize,
    /// `""` for a root module, `"module.mail."` for a child.
    prefix: String,
    /// The root module's directory, shared by every instance under it.
    scope: String,
    vars: HashMap<String, (Value, Origin)>,
    /// `aws` or `aws.eu` → index into `Evaluator::providers`.
    providers: HashMap<String, usize>,
    children: HashMap<String, usize>,
}

/// Per-instance bindings of `count.index` or `each.key`/`each.value`.
#[derive(Clone, Default)]
struct Binding {
    count_index: Option<usize>,
    each: Option<(Value, Value)>,
    /// The iterators of the `dynamic` blocks being expanded, innermost last: name, key, value.
    iterators: Vec<(String, Value, Value)>,
    /// The variables of the `for` expressions being evaluated, innermost last.
    variables: Vec<(String, Value)>,
}

struct Evaluator {
    defs: Vec<ModuleDef>,
    instances: Vec<Instance>,
    /// Shared with the resources created with each configuration.
    providers: Vec<Arc<ProviderSetting>>,
    /// The empty configuration of each provider a root uses without a `provider` block, made
    /// once per root and shared like the declared ones.
    implicit: RefCell<HashMap<String, Arc<ProviderSetting>>>,
    memo: RefCell<HashMap<(usize, String), (Value, Origin)>>,
    in_progress: RefCell<HashSet<(usize, String)>>,
    default_region: Option<String>,
    /// What `file()` and `templatefile()` read through (the scan's one gate).
    gate: crate::gate::Gate,
}

struct Ctx<'a> {
    ev: &'a Evaluator,
    inst: usize,
    binding: Binding,
    depth: usize,
    used_var: &'a Cell<bool>,
}

impl Ctx<'_> {
    fn nested(&self, inst: usize, binding: Binding) -> Ctx<'_> {
        Ctx {
            ev: self.ev,
            inst,
            binding,
            depth: self.depth + 1,
            used_var: self.used_var,
        }
    }

    /// Evaluates something once per instance and remembers it (locals, outputs, attributes).
    fn memoised(&self, inst: usize, key: String, compute: impl FnOnce() -> Value) -> Value {
        if let Some((value, origin)) = self.ev.memo.borrow().get(&(inst, key.clone())) {
            if *origin == Origin::Variable {
                self.used_var.set(true);
            }
            return value.clone();
        }
        if !self.ev.in_progress.borrow_mut().insert((inst, key.clone())) {
            return Value::unknown(format!("{key} refers to itself"));
        }
        let outer = self.used_var.replace(false);
        let value = compute();
        let origin = if self.used_var.get() {
            Origin::Variable
        } else {
            Origin::Literal
        };
        self.used_var.set(outer || self.used_var.get());
        self.ev
            .in_progress
            .borrow_mut()
            .remove(&(inst, key.clone()));
        self.ev
            .memo
            .borrow_mut()
            .insert((inst, key), (value.clone(), origin));
        value
    }

    fn def(&self) -> &ModuleDef {
        &self.ev.defs[self.ev.instances[self.inst].def]
    }
}

fn get_attr(op: Option<&TraversalOperator>) -> Option<&str> {
    match op {
        Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
        _ => None,
    }
}

impl Resolver for Ctx<'_> {
    fn depth(&self) -> usize {
        self.depth
    }

    fn with_variables(&self, vars: Vec<(String, Value)>) -> Option<Box<dyn Resolver + '_>> {
        let mut binding = self.binding.clone();
        binding.variables.extend(vars);
        Some(Box::new(self.nested(self.inst, binding)))
    }

    /// `file("${path.module}/x")`, `templatefile("x.tftpl", ...)`: the path is the module's
    /// report path (what `path.module` gives) or relative to the module; the file is read
    /// through the gate like every scanned file.
    fn module_file(&self, path: &str) -> Option<String> {
        let def = self.def();
        let relative = path
            .strip_prefix(def.display_dir.as_str())
            .filter(|_| !def.display_dir.is_empty())
            .unwrap_or(path)
            .trim_start_matches("./")
            .trim_start_matches('/');
        if path.starts_with('/') && def.display_dir.is_empty() {
            return None;
        }
        self.ev
            .gate
            .read_text(&def.dir.join(relative), Area::Scan)
            .ok()
    }

    fn traversal(&self, root: &str, ops: &[TraversalOperator]) -> Value {
        let instance = &self.ev.instances[self.inst];
        match root {
            "var" => {
                let Some(name) = get_attr(ops.first()) else {
                    return Value::unknown("invalid reference to var");
                };
                match instance.vars.get(name) {
                    Some((value, origin)) => {
                        if *origin == Origin::Variable {
                            self.used_var.set(true);
                        }
                        apply_ops(value.clone(), &ops[1..], self)
                    }
                    None => Value::unknown(format!("variable {name} is not declared")),
                }
            }
            "local" => {
                let Some(name) = get_attr(ops.first()) else {
                    return Value::unknown("invalid reference to local");
                };
                let Some(expr) = self.def().locals.get(name) else {
                    return Value::unknown(format!("local.{name} is not declared"));
                };
                let value = self.memoised(self.inst, format!("local.{name}"), || {
                    eval::eval(expr, &self.nested(self.inst, Binding::default()))
                });
                apply_ops(value, &ops[1..], self)
            }
            // A `for` expression's variable (`for claim in local.claims : claim.name`).
            name if self.binding.variables.iter().any(|(n, _)| n == name) => {
                let (_, value) = self
                    .binding
                    .variables
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .expect("found above");
                apply_ops(value.clone(), ops, self)
            }
            // The iterator of a `dynamic` block (`volume.value`, or its `iterator` name).
            name if self.binding.iterators.iter().any(|(n, _, _)| n == name) => {
                let (_, key, value) = self
                    .binding
                    .iterators
                    .iter()
                    .rev()
                    .find(|(n, _, _)| n == name)
                    .expect("found above");
                match get_attr(ops.first()) {
                    Some("key") => apply_ops(key.clone(), &ops[1..], self),
                    Some("value") => apply_ops(value.clone(), &ops[1..], self),
                    _ => Value::unknown(format!(
                        "{name} is a dynamic block's iterator: use .key or .value"
                    )),
                }
            }
            "each" => match (&self.binding.each, get_attr(ops.first())) {
                (Some((key, _)), Some("key")) => apply_ops(key.clone(), &ops[1..], self),
                (Some((_, value)), Some("value")) => apply_ops(value.clone(), &ops[1..], self),
                _ => Value::unknown("each.key and each.value are known only per instance"),
            },
            "count" => match self.binding.count_index {
                Some(i) => Value::Number(i as f64),
                None => Value::unknown("count.index is known only per instance"),
            },
            "path" => Value::String(self.def().display_dir.to_compact_string()),
            "terraform" => Value::unknown("terraform.workspace is chosen when Terraform runs"),
            "self" => Value::unknown("self is not evaluated"),
            "module" => {
                // `module.NAME.OUTPUT`, or `module.NAME[KEY].OUTPUT` for one instance.
                let Some(call) = get_attr(ops.first()) else {
                    return Value::unknown("module outputs are read as module.NAME.OUTPUT");
                };
                let (call, ops) = match ops.get(1) {
                    Some(TraversalOperator::Index(index)) => {
                        let key = match eval::eval(index, self) {
                            Value::Number(n) => format!("[{}]", crate::value::format_number(n)),
                            Value::String(s) => format!("[{s:?}]"),
                            _ => {
                                return Value::unknown(format!(
                                    "the key of module.{call} is unknown"
                                ))
                            }
                        };
                        (format!("{call}{key}"), &ops[1..])
                    }
                    _ => (call.to_string(), ops),
                };
                let Some(output) = get_attr(ops.get(1)) else {
                    return Value::unknown("module outputs are read as module.NAME.OUTPUT");
                };
                let Some(&child) = instance.children.get(&call) else {
                    return Value::unknown(format!("module.{call} could not be loaded"));
                };
                let child_def = &self.ev.defs[self.ev.instances[child].def];
                let Some(expr) = child_def.outputs.get(output) else {
                    return Value::unknown(format!("module.{call} has no output {output}"));
                };
                let value = self.memoised(child, format!("output.{output}"), || {
                    eval::eval(expr, &self.nested(child, Binding::default()))
                });
                apply_ops(value, &ops[2..], self)
            }
            "data" => {
                let (Some(rtype), Some(name)) = (get_attr(ops.first()), get_attr(ops.get(1)))
                else {
                    return Value::unknown("data sources are read as data.TYPE.NAME");
                };
                self.resource_ref(Mode::Data, rtype, name, &ops[2..])
            }
            rtype => {
                let Some(name) = get_attr(ops.first()) else {
                    return Value::unknown(format!("{rtype} is not a known name"));
                };
                self.resource_ref(Mode::Managed, rtype, name, &ops[1..])
            }
        }
    }
}

impl Ctx<'_> {
    /// `aws_s3_bucket.b[0].bucket`: the attribute as the configuration sets it, or unknown
    /// (pointing at the resource) when only apply can tell.
    fn resource_ref(
        &self,
        mode: Mode,
        rtype: &str,
        name: &str,
        ops: &[TraversalOperator],
    ) -> Value {
        let def = self.def();
        let prefix = if mode == Mode::Data { "data." } else { "" };
        let Some(&idx) = def.index.get(&(mode, rtype.to_string(), name.to_string())) else {
            return Value::unknown(format!("{prefix}{rtype}.{name} is not declared"));
        };
        let rdef = &def.resources[idx];
        let mut ops = ops;
        let mut binding = Binding::default();
        let mut key_text = String::new();
        if let Some(TraversalOperator::Index(index)) = ops.first() {
            let key = eval::eval(index, self);
            binding = match &key {
                Value::Number(n) => Binding {
                    count_index: Some(*n as usize),
                    each: None,
                    iterators: Vec::new(),
                    variables: Vec::new(),
                },
                Value::String(s) => Binding {
                    count_index: None,
                    each: Some((Value::String(s.clone()), each_value(self, rdef, s))),
                    iterators: Vec::new(),
                    variables: Vec::new(),
                },
                _ => Binding::default(),
            };
            key_text = match &key {
                Value::Number(n) => format!("[{}]", crate::value::format_number(*n)),
                Value::String(s) => format!("[{s:?}]"),
                _ => String::new(),
            };
            ops = &ops[1..];
        }
        let address = format!(
            "{}{prefix}{rtype}.{name}{key_text}",
            self.ev.instances[self.inst].prefix
        );
        let Some(attr) = get_attr(ops.first()) else {
            return Value::unknown_ref(format!("{address} is a whole resource"), address);
        };
        // data.aws_region.NAME.name is the region of the data source's provider, or, with the
        // AWS provider v6 `region` argument, that region.
        if mode == Mode::Data && rtype == "aws_region" && matches!(attr, "name" | "region" | "id") {
            if attribute(&rdef.body, "region").is_some() {
                let ctx = self.nested(self.inst, binding);
                if let Some(own) = body_member(&rdef.body, "region", &ctx) {
                    return apply_ops(own, &ops[1..], self);
                }
            }
            let setting = self.ev.provider_for(self.inst, rdef);
            if setting.origin == Origin::Variable {
                self.used_var.set(true);
            }
            return match &setting.region {
                Value::Null => Value::unknown(format!(
                    "provider {} has no region; pass --region",
                    setting.name
                )),
                region => region.clone(),
            };
        }
        let value = self.memoised(self.inst, format!("{address}.{attr}"), || {
            let ctx = self.nested(self.inst, binding);
            match body_member(&rdef.body, attr, &ctx) {
                Some(v) => v,
                None => computed_attribute(&ctx, rdef, attr, &address),
            }
        });
        // A reference is a link to that resource instance, even when the value it reads (a
        // name built from a variable without a value) cannot be known.
        let value = match value {
            Value::Unknown(mut u) if u.refers_to.is_none() => {
                u.refers_to = Some(address);
                Value::Unknown(u)
            }
            other => other,
        };
        apply_ops(value, &ops[1..], self)
    }
}

fn each_value(ctx: &Ctx, rdef: &ResourceDef, key: &str) -> Value {
    match attribute(&rdef.body, "for_each").map(|e| eval::eval(e, ctx)) {
        Some(Value::Map(m)) => m.get(key).cloned().unwrap_or(Value::Null),
        _ => Value::String(key.to_compact_string()),
    }
}

/// An attribute the configuration does not set: a few are known without applying
/// (`aws_s3_bucket.x.id` is its `bucket`); the rest are computed by the provider.
fn computed_attribute(ctx: &Ctx, rdef: &ResourceDef, attr: &str, address: &str) -> Value {
    let same_as = match (rdef.rtype.as_str(), attr) {
        ("aws_s3_bucket", "id") => Some("bucket"),
        _ => None,
    };
    if let Some(v) = same_as.and_then(|other| body_member(&rdef.body, other, ctx)) {
        return v;
    }
    if attr == "region" && rdef.rtype.starts_with("aws_") {
        let setting = ctx.ev.provider_for(ctx.inst, rdef);
        if setting.region != Value::Null {
            return setting.region.clone();
        }
    }
    if rdef.mode == Mode::Data && rdef.rtype == "azurerm_resource_group" && attr == "location" {
        return resource_group_location(ctx, rdef, address);
    }
    Value::unknown_ref(
        format!("{address}.{attr} is known only after apply"),
        address.to_string(),
    )
}

/// The location of the resource group a `data "azurerm_resource_group"` reads: the location
/// of the group of that name that this deployment declares, else unknown with the reason.
fn resource_group_location(ctx: &Ctx, rdef: &ResourceDef, address: &str) -> Value {
    let Some(Value::String(name)) = body_member(&rdef.body, "name", ctx) else {
        return Value::unknown(format!(
            "{address} reads a resource group whose name is not known; its location is not in the files"
        ));
    };
    let scope = &ctx.ev.instances[ctx.inst].scope;
    for (inst, instance) in ctx.ev.instances.iter().enumerate() {
        if &instance.scope != scope {
            continue;
        }
        let group = ctx.nested(inst, Binding::default());
        for managed in ctx.ev.defs[instance.def]
            .resources
            .iter()
            .filter(|r| r.mode == Mode::Managed && r.rtype == "azurerm_resource_group")
        {
            if body_member(&managed.body, "name", &group)
                .as_ref()
                .and_then(Value::as_str)
                == Some(name.as_str())
            {
                if let Some(location) = body_member(&managed.body, "location", &group) {
                    return location;
                }
            }
        }
    }
    Value::unknown(format!(
        "{address} reads resource group {name}, which this deployment does not declare; its location is known only in Azure"
    ))
}

/// An argument or nested block of a body, evaluated.
fn body_member(body: &Body, name: &str, ctx: &Ctx) -> Option<Value> {
    if let Some(expr) = attribute(body, name) {
        return Some(eval::eval(expr, ctx));
    }
    let blocks: Vec<Value> = body
        .blocks()
        .filter(|b| b.identifier.as_str() == name)
        .map(|b| eval_body(&b.body, ctx))
        .collect();
    (!blocks.is_empty()).then_some(Value::List(blocks.into()))
}

/// Meta-arguments that describe how Terraform manages a resource, not the resource itself.
const META_ARGUMENTS: &[&str] = &["count", "for_each", "provider", "depends_on", "lifecycle"];

/// A body as a map: arguments evaluated, nested blocks as lists of maps.
fn eval_body(body: &Body, ctx: &Ctx) -> Value {
    let mut map = BTreeMap::new();
    for attr in body.attributes() {
        map.insert(attr.key.to_string(), eval::eval(&attr.expr, ctx));
    }
    eval_blocks(body.blocks(), ctx, &mut map);
    Value::Map(crate::value::map_of(map))
}

/// Nested blocks into `map`, each name a list of the blocks' maps (`dynamic` blocks expanded).
fn eval_blocks<'b>(
    blocks: impl Iterator<Item = &'b hcl::Block>,
    ctx: &Ctx,
    map: &mut BTreeMap<String, Value>,
) {
    for block in blocks {
        let name = block.identifier.to_string();
        if name == "dynamic" {
            let label = block
                .labels
                .first()
                .map(|l| l.as_str().to_string())
                .unwrap_or_default();
            let generated = dynamic_blocks(&label, &block.body, ctx);
            match (
                map.entry(label)
                    .or_insert_with(|| Value::List(Vec::new().into())),
                generated,
            ) {
                (Value::List(items), Value::List(more)) => {
                    crate::value::extend_list(items, more.into_vec())
                }
                (slot, other) => *slot = other,
            }
            continue;
        }
        let entry = map
            .entry(name)
            .or_insert_with(|| Value::List(Vec::new().into()));
        if let Value::List(items) = entry {
            crate::value::extend_list(items, [eval_body(&block.body, ctx)]);
        }
    }
}

/// The blocks a `dynamic "NAME"` block generates: its `content` once per element of
/// `for_each`, with the iterator (`NAME`, or the name `iterator` gives) bound to the element's
/// key and value, as Terraform expands them.
fn dynamic_blocks(label: &str, body: &Body, ctx: &Ctx) -> Value {
    let Some(content) = body.blocks().find(|b| b.identifier.as_str() == "content") else {
        return Value::List(Vec::new().into());
    };
    let iterator = attribute(body, "iterator")
        .and_then(reference_text)
        .unwrap_or_else(|| label.to_string());
    let pairs: Vec<(Value, Value)> = match attribute(body, "for_each").map(|e| eval::eval(e, ctx)) {
        Some(Value::List(items)) => items
            .into_vec()
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v))
            .collect(),
        Some(Value::Map(m)) => m
            .into_iter()
            .map(|(k, v)| (Value::String(k.as_str().into()), v))
            .collect(),
        Some(Value::Null) => Vec::new(),
        Some(u @ Value::Unknown(_)) => return u,
        _ => {
            return Value::unknown(format!(
                "the for_each of dynamic block {label} is not a list or a map"
            ))
        }
    };
    if pairs.len() > MAX_EXPANSION {
        return Value::unknown(format!(
            "dynamic block {label} generates more than {MAX_EXPANSION} blocks; they are not evaluated"
        ));
    }
    let blocks = pairs
        .into_iter()
        .map(|(key, value)| {
            let mut binding = ctx.binding.clone();
            binding.iterators.push((iterator.clone(), key, value));
            let inner = ctx.nested(ctx.inst, binding);
            eval_body(&content.body, &inner)
        })
        .collect();
    Value::List(blocks)
}

/// Text of a provider reference: `aws.eu` (an HCL traversal) or `"aws.eu"` (Terraform JSON).
fn reference_text(expr: &Expression) -> Option<String> {
    match expr {
        Expression::Variable(v) => Some(v.to_string()),
        Expression::String(s) => Some(s.clone()),
        Expression::Traversal(t) => {
            let mut text = reference_text(&t.expr)?;
            for op in &t.operators {
                text.push('.');
                text.push_str(get_attr(Some(op))?);
            }
            Some(text)
        }
        _ => None,
    }
}

impl Evaluator {
    fn provider_for(&self, inst: usize, rdef: &ResourceDef) -> Arc<ProviderSetting> {
        let key = attribute(&rdef.body, "provider")
            .and_then(reference_text)
            .unwrap_or_else(|| rdef.rtype.split('_').next().unwrap_or_default().to_string());
        if let Some(&id) = self.instances[inst].providers.get(&key) {
            return self.providers[id].clone();
        }
        let (name, alias) = match key.split_once('.') {
            Some((n, a)) => (n.to_string(), Some(a.to_string())),
            None => (key.clone(), None),
        };
        if alias.is_some() {
            return Arc::new(ProviderSetting {
                name,
                alias,
                region: Value::unknown(format!("provider configuration {key} is not declared")),
                origin: Origin::Literal,
            });
        }
        // No provider block: Terraform uses an empty configuration, whose region comes from the
        // environment; residency takes it from --region only.
        self.implicit
            .borrow_mut()
            .entry(name)
            .or_insert_with_key(|name| Arc::new(self.implicit_provider(name.clone())))
            .clone()
    }

    fn implicit_provider(&self, name: String) -> ProviderSetting {
        let (region, origin) = self.with_default_region(&name, Value::Null, Origin::Literal);
        ProviderSetting {
            origin,
            name,
            alias: None,
            region,
        }
    }

    /// `--region` stands in for AWS_REGION: it fills an aws provider configuration that sets no
    /// region, and nothing else.
    fn with_default_region(
        &self,
        provider: &str,
        region: Value,
        origin: Origin,
    ) -> (Value, Origin) {
        match (&self.default_region, provider, &region) {
            (Some(r), "aws", Value::Null) => {
                (Value::String(r.to_compact_string()), Origin::Variable)
            }
            _ => (region, origin),
        }
    }
}

/// Values of root-module variables from tfvars files and the command line, in precedence order.
fn root_variable_values(
    dir: &Path,
    inputs: &Inputs,
    errors: &mut Vec<Diagnostic>,
    display_dir: &str,
) -> HashMap<String, Value> {
    let mut values = HashMap::default();
    let mut files: Vec<PathBuf> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let path = dir.join(name);
        if path.is_file() {
            files.push(path);
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut auto: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let n = p.file_name().unwrap_or_default().to_string_lossy();
                n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
            })
            .collect();
        auto.sort();
        files.extend(auto);
    }
    let automatic = files.len();
    files.extend(inputs.var_files.iter().cloned());
    for (i, path) in files.into_iter().enumerate() {
        let shown = if path.starts_with(dir) {
            join_display(
                display_dir,
                &path.file_name().unwrap_or_default().to_string_lossy(),
            )
        } else {
            path.display().to_string()
        };
        // Files beside the module pass the gate like every scanned file (a tfvars file that is
        // a link out of the tree is not read); `--var-file` is the user's own choice.
        let text = if i < automatic {
            inputs.gate.read_text(&path, Area::Scan)
        } else {
            crate::gate::read_user_file(&path, "var file", inputs.gate.max_bytes())
                .map_err(|d| Diagnostic::new(Code::Unreadable, 0, d.message))
        };
        match text.and_then(|text| read_tfvars(&path, &text)) {
            Ok(vars) => values.extend(vars),
            Err(e) => errors.push(e.in_file(&shown)),
        }
    }
    for (name, raw) in &inputs.vars {
        values.insert(name.clone(), command_line_value(raw));
    }
    values
}

/// Terraform reads `-var` values as HCL when they look like lists or maps, as text otherwise.
fn command_line_value(raw: &str) -> Value {
    let trimmed = raw.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if let Ok(expr) = raw.parse::<Expression>() {
            return eval::eval(&expr, &NoReferences);
        }
    }
    Value::String(raw.to_compact_string())
}

/// Resolver for tfvars files, which may only hold literal values.
struct NoReferences;
impl Resolver for NoReferences {
    fn traversal(&self, root: &str, _: &[TraversalOperator]) -> Value {
        Value::unknown(format!("tfvars cannot refer to {root}"))
    }
    fn depth(&self) -> usize {
        0
    }
}

fn read_tfvars(path: &Path, text: &str) -> Result<Vec<(String, Value)>, crate::diag::Diagnostic> {
    if path.to_string_lossy().ends_with(".json") {
        let node = tree::load_json(text)?;
        Ok(node
            .entries()
            .iter()
            .map(|(k, v)| (k.clone(), crate::syntax::tree::node_value(v)))
            .collect())
    } else {
        let body = hcl_edit::parser::parse_body(text).map_err(|e| {
            Diagnostic::new(
                Code::Syntax,
                e.location().line(),
                format!("invalid HCL: {}", e.message()),
            )
        })?;
        let body = Body::from(body);
        Ok(body
            .attributes()
            .map(|a| (a.key.to_string(), eval::eval(&a.expr, &NoReferences)))
            .collect())
    }
}

fn join_display(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Lexically normalised `a/b/../c` → `a/c`, for module paths shown in reports.
fn normalise_display(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

pub fn normalise_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

const MAX_MODULE_DEPTH: usize = 16;
/// Module instances one root module may create before the rest are reported, not evaluated.
const MAX_MODULE_INSTANCES: usize = 10_000;
/// `count` larger than this is not expanded (one resource stands for all).
const MAX_EXPANSION: usize = 1000;

struct Builder<'a> {
    ev: Evaluator,
    loaded: HashMap<PathBuf, usize>,
    /// Root directories of this builder, taken over when first loaded.
    known_dirs: HashMap<PathBuf, DirFiles>,
    /// Scanned directories that roots call as modules; several builders may load them, so
    /// each takes a copy.
    shared_dirs: &'a HashMap<PathBuf, DirFiles>,
    /// Every directory that was scanned (still known after its files were taken over).
    scanned_dirs: &'a HashSet<PathBuf>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Values of variables marked `sensitive = true`.
    secrets: Secrets,
    /// Every file read here passes it; local modules may also come from the working directory.
    gate: &'a crate::gate::Gate,
    /// Whether the current root module already ran past `MAX_MODULE_INSTANCES`.
    instances_exceeded: bool,
}

impl Builder<'_> {
    /// Drops what evaluating one root module built (its modules' definitions with their syntax
    /// trees, instances, provider settings, memoised values, whether it ran past the instance
    /// limit) once its resources are collected:
    /// nothing of it is read for the next root, and a group of a thousand roots held every
    /// tree and every evaluated value to the end (the peak of a 100 MB scan). Module
    /// directories that several roots call are loaded again from `shared_dirs`.
    fn forget_root(&mut self) {
        self.ev.defs.clear();
        self.ev.instances.clear();
        self.ev.providers.clear();
        self.ev.implicit.borrow_mut().clear();
        self.ev.memo.borrow_mut().clear();
        self.ev.in_progress.borrow_mut().clear();
        self.loaded.clear();
        self.instances_exceeded = false;
    }

    fn load_def(&mut self, dir: &Path, display_dir: &str) -> Result<usize, String> {
        let key = normalise_path(dir);
        if let Some(&id) = self.loaded.get(&key) {
            return Ok(id);
        }
        let def = if let Some(files) = self.known_dirs.remove(&key) {
            ModuleDef::from_files(key.clone(), files.display_dir, files.files)
        } else if let Some(files) = self.shared_dirs.get(&key) {
            ModuleDef::from_files(key.clone(), files.display_dir.clone(), files.files.clone())
        } else {
            let files = self.read_module_dir(&key, display_dir)?;
            ModuleDef::from_files(key.clone(), display_dir.to_string(), files)
        };
        self.ev.defs.push(def);
        let id = self.ev.defs.len() - 1;
        self.loaded.insert(key, id);
        Ok(id)
    }

    /// A module directory outside the scanned paths: read and parse it here.
    fn read_module_dir(&mut self, dir: &Path, display_dir: &str) -> Result<Vec<TfFile>, String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {display_dir}: {e}"))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let shown = join_display(display_dir, &name);
            let parsed = if name.ends_with(".tf") {
                self.gate
                    .read_text(&path, Area::Modules)
                    .and_then(|t| parse_hcl(&t, &shown))
            } else if name.ends_with(".tf.json") {
                self.gate
                    .read_text(&path, Area::Modules)
                    .and_then(|t| parse_json(&t, &shown))
            } else {
                continue;
            };
            match parsed {
                Ok(file) => files.push(file),
                Err(e) => self.errors.push(e.in_file(&shown)),
            }
        }
        Ok(files)
    }

    fn instantiate_root(&mut self, dir: &Path, display_dir: &str, inputs: &Inputs) {
        let Ok(def) = self.load_def(dir, display_dir) else {
            return;
        };
        let values = root_variable_values(dir, inputs, &mut self.errors, display_dir);
        let mut vars = HashMap::default();
        for (name, default) in &self.ev.defs[def].variables {
            let value = match (values.get(name), default) {
                (Some(v), _) => v.clone(),
                (None, Some(expr)) => eval::eval(expr, &NoReferences),
                (None, None) => Value::unknown(format!(
                    "variable {name} has no value; set it in a tfvars file or pass --var {name}=VALUE"
                )),
            };
            if self.ev.defs[def].sensitive.contains(name) {
                self.secrets.add(&value);
            }
            vars.insert(name.clone(), (value, Origin::Variable));
        }
        let inst = self.push_instance(def, String::new(), display_dir.to_string(), vars);
        self.configure(inst, HashMap::default(), &[dir.to_path_buf()]);
    }

    fn push_instance(
        &mut self,
        def: usize,
        prefix: String,
        scope: String,
        vars: HashMap<String, (Value, Origin)>,
    ) -> usize {
        self.ev.instances.push(Instance {
            def,
            prefix,
            scope,
            vars,
            providers: HashMap::default(),
            children: HashMap::default(),
        });
        self.ev.instances.len() - 1
    }

    /// Sets an instance's provider configurations (passed-in ones, then its own blocks) and
    /// instantiates its module calls.
    fn configure(&mut self, inst: usize, passed: HashMap<String, usize>, stack: &[PathBuf]) {
        self.ev.instances[inst].providers = passed;
        let def = self.ev.instances[inst].def;
        let used = Cell::new(false);
        let mut own = Vec::new();
        for p in &self.ev.defs[def].providers {
            let alias = attribute(&p.body, "alias")
                .and_then(|e| eval::eval(e, &NoReferences).as_str().map(str::to_string));
            used.set(false);
            let ctx = Ctx {
                ev: &self.ev,
                inst,
                binding: Binding::default(),
                depth: 0,
                used_var: &used,
            };
            // Providers that place by zone (google, scaleway) may set only `zone`; the catalog
            // maps a zone to its region.
            // The kubernetes and helm providers have no region: their `host` names the cluster
            // (`aws_eks_cluster.x.endpoint`), which says where the cluster is.
            let cluster_host = match p.name.as_str() {
                "kubernetes" => attribute(&p.body, "host"),
                "helm" => p
                    .body
                    .blocks()
                    .find(|b| b.identifier.as_str() == "kubernetes")
                    .and_then(|b| attribute(&b.body, "host")),
                _ => None,
            };
            let region = attribute(&p.body, "region")
                .or_else(|| attribute(&p.body, "zone"))
                .or(cluster_host)
                .map(|e| eval::eval(e, &ctx))
                .unwrap_or(Value::Null);
            let origin = if used.get() {
                Origin::Variable
            } else {
                Origin::Literal
            };
            let (region, origin) = self.ev.with_default_region(&p.name, region, origin);
            let key = match &alias {
                Some(a) => format!("{}.{a}", p.name),
                None => p.name.clone(),
            };
            own.push((
                key,
                ProviderSetting {
                    name: p.name.clone(),
                    alias,
                    region,
                    origin,
                },
            ));
        }
        for (key, setting) in own {
            self.ev.providers.push(Arc::new(setting));
            let id = self.ev.providers.len() - 1;
            self.ev.instances[inst].providers.insert(key, id);
        }
        let calls: Vec<usize> = (0..self.ev.defs[def].calls.len()).collect();
        for call in calls {
            self.instantiate_call(inst, call, stack);
        }
    }

    /// The directory `terraform init` downloaded the module of `key` to, for the root module
    /// in `root` (`.terraform/modules/modules.json`), if it is there and inside the scan.
    fn cached_module(&mut self, root: &Path, key: &str) -> Option<(PathBuf, String)> {
        let manifest_path = root.join(".terraform/modules/modules.json");
        let text = self.gate.read_text(&manifest_path, Area::Modules).ok()?;
        let manifest: ModuleManifest = serde_json::from_str(&text).ok()?;
        let entry = manifest.modules.into_iter().find(|m| m.key == key)?;
        if !crate::gate::is_confined(&entry.dir) {
            return None;
        }
        let root_display = self
            .loaded
            .get(root)
            .or_else(|| self.loaded.get(&normalise_path(root)))
            .map(|&i| self.ev.defs[i].display_dir.clone())
            .unwrap_or_else(|| ".".into());
        Some((
            normalise_path(&root.join(&entry.dir)),
            normalise_display(&join_display(&root_display, &entry.dir)),
        ))
    }

    fn instantiate_call(&mut self, parent: usize, call_idx: usize, stack: &[PathBuf]) {
        let def = self.ev.instances[parent].def;
        let call = &self.ev.defs[def].calls[call_idx];
        let (name, file, line) = (call.name.clone(), call.file.clone(), call.line);
        // Ten calls of a module that makes ten calls, sixteen deep, would be 10^16 instances.
        if self.ev.instances.len() >= MAX_MODULE_INSTANCES {
            if !self.instances_exceeded {
                self.instances_exceeded = true;
                self.errors.push(Diagnostic {
                    code: Code::TooManyInstances,
                    file,
                    line,
                    message: format!(
                        "module.{name}: this deployment has more than {MAX_MODULE_INSTANCES} module instances; the rest are not evaluated"
                    ),
                });
            }
            return;
        }
        let source = attribute(&call.body, "source")
            .map(|e| eval::eval(e, &NoReferences))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let parent_def = &self.ev.defs[def];
        let local = source.starts_with("./") || source.starts_with("../");
        let (dir, display_dir) = if local {
            (
                normalise_path(&parent_def.dir.join(&source)),
                normalise_display(&join_display(&parent_def.display_dir, &source)),
            )
        } else {
            // A registry or git module: read from where `terraform init` put it, if it did.
            let key = module_key(&self.ev.instances[parent].prefix, &name);
            match self.cached_module(&stack[0], &key) {
                Some(found) => found,
                None => {
                    self.warnings.push(Diagnostic {
                        code: Code::ModuleNotLocal,
                        file,
                        line,
                        message: format!(
                            "module.{name}: remote module source {:?} is not in the files; run `terraform init` first (residency reads .terraform/modules/modules.json) or scan a `terraform show -json` plan",
                            crate::redact::redact(&source)
                        ),
                    });
                    return;
                }
            }
        };
        if stack.contains(&dir) || stack.len() > MAX_MODULE_DEPTH {
            // Terraform refuses the cycle; everything evaluated before it is still reported.
            let shown = |d: &PathBuf| match self
                .loaded
                .get(d)
                .or_else(|| self.loaded.get(&normalise_path(d)))
            {
                Some(&i) => self.ev.defs[i].display_dir.clone(),
                None => crate::discover::display_path(d),
            };
            // The cycle itself: from the first call into `dir` back to it.
            let start = stack
                .iter()
                .position(|d| normalise_path(d) == dir)
                .unwrap_or(0);
            let mut chain: Vec<String> = stack[start..].iter().map(shown).collect();
            chain.push(shown(&dir));
            let message = if stack.contains(&dir) {
                format!(
                    "module.{name}: modules call each other in a cycle ({}); the cycle is not followed",
                    chain.join(" → ")
                )
            } else {
                format!("module.{name}: modules nest more than {MAX_MODULE_DEPTH} deep; the rest are not followed")
            };
            self.warnings.push(Diagnostic {
                code: Code::ModuleCycle,
                file,
                line,
                message,
            });
            return;
        }
        // A module is read only from inside the scanned paths or the working directory, so a
        // configuration cannot make the scan read arbitrary files.
        let outside =
            !self.scanned_dirs.contains(&dir) && self.gate.admits_dir(&dir, Area::Modules).is_err();
        if outside {
            self.errors.push(Diagnostic {
                code: Code::ModuleOutside,
                file,
                line,
                message: format!(
                    "module.{name}: source {source:?} is outside the scanned paths and the working directory; not read"
                ),
            });
            return;
        }
        let child_def = match self.load_def(&dir, &display_dir) {
            Ok(d) => d,
            Err(message) => {
                self.errors.push(Diagnostic {
                    code: Code::ModuleUnreadable,
                    file,
                    line,
                    message: format!("module.{name}: {message}"),
                });
                return;
            }
        };
        // `count` and `for_each` make one instance per key: `module.ses[0]`, `module.ses["eu"]`.
        let call = &self.ev.defs[def].calls[call_idx];
        let used = Cell::new(false);
        let keys = expansions(
            &Ctx {
                ev: &self.ev,
                inst: parent,
                binding: Binding::default(),
                depth: 0,
                used_var: &used,
            },
            &call.body,
        );
        for (key, binding) in keys {
            if self.ev.instances.len() >= MAX_MODULE_INSTANCES {
                break;
            }
            self.instantiate_one(
                parent, call_idx, child_def, &name, &key, binding, &dir, stack,
            );
        }
    }

    /// One instance of a module call (`key` is its `[0]` or `["eu"]`, empty without `count` or
    /// `for_each`): its inputs evaluated in the caller's scope with the instance's binding, its
    /// providers, and its own calls.
    #[allow(clippy::too_many_arguments)]
    fn instantiate_one(
        &mut self,
        parent: usize,
        call_idx: usize,
        child_def: usize,
        name: &str,
        key: &str,
        binding: Binding,
        dir: &Path,
        stack: &[PathBuf],
    ) {
        let def = self.ev.instances[parent].def;
        let call = &self.ev.defs[def].calls[call_idx];
        let mut vars = HashMap::default();
        let used = Cell::new(false);
        for (var, default) in &self.ev.defs[child_def].variables {
            used.set(false);
            let ctx = Ctx {
                ev: &self.ev,
                inst: parent,
                binding: binding.clone(),
                depth: 0,
                used_var: &used,
            };
            let (value, origin) = match attribute(&call.body, var) {
                Some(expr) => {
                    let v = eval::eval(expr, &ctx);
                    (
                        v,
                        if used.get() {
                            Origin::Variable
                        } else {
                            Origin::Literal
                        },
                    )
                }
                None => match default {
                    Some(expr) => (eval::eval(expr, &NoReferences), Origin::Variable),
                    None => (
                        Value::unknown(format!("module.{name} does not set variable {var}")),
                        Origin::Variable,
                    ),
                },
            };
            if self.ev.defs[child_def].sensitive.contains(var) {
                self.secrets.add(&value);
            }
            vars.insert(var.clone(), (value, origin));
        }
        // Provider configurations: the `providers` map, then the caller's defaults.
        let parent_providers = self.ev.instances[parent].providers.clone();
        let mut passed: HashMap<String, usize> = parent_providers
            .iter()
            .filter(|(k, _)| !k.contains('.'))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        if let Some(Expression::Object(map)) = attribute(&call.body, "providers") {
            for (key, value) in map {
                let child_key = match key {
                    hcl::ObjectKey::Identifier(id) => Some(id.to_string()),
                    hcl::ObjectKey::Expression(e) => reference_text(e),
                    _ => None,
                };
                let (Some(child_key), Some(parent_key)) = (child_key, reference_text(value)) else {
                    continue;
                };
                let id = match parent_providers.get(&parent_key) {
                    Some(id) => *id,
                    None => {
                        let (pname, _) = parent_key.split_once('.').unwrap_or((&parent_key, ""));
                        let setting = if parent_key.contains('.') {
                            ProviderSetting {
                                name: pname.to_string(),
                                alias: parent_key.split_once('.').map(|(_, a)| a.to_string()),
                                region: Value::unknown(format!(
                                    "provider configuration {parent_key} is not declared"
                                )),
                                origin: Origin::Literal,
                            }
                        } else {
                            self.ev.implicit_provider(pname.to_string())
                        };
                        self.ev.providers.push(Arc::new(setting));
                        self.ev.providers.len() - 1
                    }
                };
                passed.insert(child_key, id);
            }
        }
        let prefix = format!("{}module.{name}{key}.", self.ev.instances[parent].prefix);
        let scope = self.ev.instances[parent].scope.clone();
        let child = self.push_instance(child_def, prefix, scope, vars);
        let children = &mut self.ev.instances[parent].children;
        children.insert(format!("{name}{key}"), child);
        // `module.NAME.OUTPUT` without a key reads the first instance.
        children.entry(name.to_string()).or_insert(child);
        let mut stack = stack.to_vec();
        stack.push(dir.to_path_buf());
        self.configure(child, passed, &stack);
    }
}

/// The key `terraform init` records a module call under in `.terraform/modules/modules.json`:
/// the call names from the root, without instance keys (`mail.bucket` for
/// `module.mail[0].module.bucket`).
fn module_key(parent_prefix: &str, name: &str) -> String {
    let mut names: Vec<String> = parent_prefix
        .split("module.")
        .filter(|part| !part.is_empty())
        .map(|part| {
            let part = part.trim_end_matches('.');
            part.split_once('[').map_or(part, |(n, _)| n).to_string()
        })
        .collect();
    names.push(name.to_string());
    names.join(".")
}

/// `.terraform/modules/modules.json`, as `terraform init` writes it.
#[derive(serde::Deserialize)]
struct ModuleManifest {
    #[serde(rename = "Modules", default)]
    modules: Vec<ManifestEntry>,
}

#[derive(serde::Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Dir")]
    dir: String,
}

/// Whether a directory shows that it is deployed as a root module of its own: a tfvars file
/// that Terraform reads automatically, a `terraform { backend ... }` / `cloud` block, or a
/// provider configuration (a `provider` block that sets something; an empty one is only a
/// proxy for the caller's).
fn deployed_on_its_own(d: &DirFiles) -> bool {
    let configures_provider = d.files.iter().any(|f| {
        f.blocks
            .iter()
            .any(|b| b.kind == "provider" && b.body.attributes().next().is_some())
    });
    if configures_provider {
        return true;
    }
    let backend = d.files.iter().any(|f| {
        f.blocks.iter().any(|b| {
            b.kind == "terraform"
                && b.body
                    .blocks()
                    .any(|inner| inner.identifier() == "backend" || inner.identifier() == "cloud")
        })
    });
    backend
        || std::fs::read_dir(&d.dir).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| crate::discover::is_tfvars(&e.path()))
        })
}

/// The local module calls of a directory, as normalised directories.
pub fn local_calls(d: &DirFiles) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in &d.files {
        for block in file.blocks.iter().filter(|b| b.kind == "module") {
            if let Some(Expression::String(source)) = attribute(&block.body, "source") {
                if source.starts_with("./") || source.starts_with("../") {
                    out.push(normalise_path(&d.dir.join(source)));
                }
            }
        }
    }
    out
}

/// The directories that some root (a directory not in `called`) reaches through module calls.
fn reachable_from_roots(
    calls: &HashMap<PathBuf, Vec<PathBuf>>,
    called: &HashSet<PathBuf>,
) -> HashSet<PathBuf> {
    let mut seen: HashSet<PathBuf> = HashSet::default();
    let mut stack: Vec<PathBuf> = calls
        .keys()
        .filter(|dir| !called.contains(*dir))
        .cloned()
        .collect();
    while let Some(dir) = stack.pop() {
        for next in calls.get(&dir).into_iter().flatten() {
            if seen.insert(next.clone()) {
                stack.push(next.clone());
            }
        }
    }
    seen
}

/// Resolves every root module among the scanned directories. A directory that another scanned
/// directory calls as a local module is evaluated through that call, not as a root of its own.
///
/// `streamed` are the root modules already resolved as they were parsed (`stream`), each with
/// the directories it calls: they are roots whatever they call, and what they call counts
/// here as much as the calls of `dirs`.
pub fn resolve(
    dirs: Vec<DirFiles>,
    streamed: &[(PathBuf, Vec<PathBuf>)],
    inputs: &Inputs,
    threads: usize,
) -> Resolved {
    // Each scanned directory by its normalised path, with its local module calls, read once.
    let by_dir: HashMap<PathBuf, &DirFiles> =
        dirs.iter().map(|d| (normalise_path(&d.dir), d)).collect();
    let calls: HashMap<PathBuf, Vec<PathBuf>> = by_dir
        .iter()
        .map(|(dir, d)| (dir.clone(), local_calls(d)))
        .chain(streamed.iter().cloned())
        .collect();
    // A module that calls itself is a cycle to report, not a reason to skip it.
    let mut called: HashSet<PathBuf> = calls
        .iter()
        .flat_map(|(own, targets)| targets.iter().filter(move |t| *t != own).cloned())
        .collect();
    let scanned: HashSet<PathBuf> = calls.keys().cloned().collect();
    // Being called does not stop a directory from being deployed on its own: one with its own
    // tfvars or backend stays a root, so that nobody can hide a root's `terraform.tfvars` (a US
    // replica) by adding a directory that calls it.
    let called_anywhere = called.clone();
    called.retain(|dir| !by_dir.get(dir).is_some_and(|d| deployed_on_its_own(d)));
    // A directory reached only through a cycle of calls (a calls b, b calls a) has no root
    // above it: evaluate it as one, so the cycle is reported and nothing is lost.
    let reachable = reachable_from_roots(&calls, &called);
    called.retain(|dir| reachable.contains(dir));
    let (shared, roots): (Vec<DirFiles>, Vec<DirFiles>) = dirs
        .into_iter()
        .partition(|d| called.contains(&normalise_path(&d.dir)));
    // Roots that other roots also call are needed by those callers too.
    let also_called: Vec<DirFiles> = roots
        .iter()
        .filter(|d| called_anywhere.contains(&normalise_path(&d.dir)))
        .cloned()
        .collect();
    let shared: HashMap<PathBuf, DirFiles> = shared
        .into_iter()
        .chain(also_called)
        .map(|d| (normalise_path(&d.dir), d))
        .collect();
    evaluate_roots(roots, &shared, &scanned, inputs, threads)
}

/// Evaluates root modules, with the module directories they may call in `shared` and every
/// scanned directory in `scanned` (a module is read from elsewhere only through the gate).
/// Root modules are independent: they are evaluated in groups on several threads, each
/// group with its own evaluator, and their resources are given by root, so that the result
/// does not depend on the number of threads.
pub fn evaluate_roots(
    roots: Vec<DirFiles>,
    shared: &HashMap<PathBuf, DirFiles>,
    scanned: &HashSet<PathBuf>,
    inputs: &Inputs,
    threads: usize,
) -> Resolved {
    let dirs: Vec<PathBuf> = roots.iter().map(|d| d.dir.clone()).collect();
    let cores = crate::parallel::cores();
    let groups = if threads == 0 { cores } else { threads }
        .min(roots.len())
        .max(1);
    let mut grouped: Vec<Vec<(usize, DirFiles)>> = (0..groups).map(|_| Vec::new()).collect();
    for (i, root) in roots.into_iter().enumerate() {
        grouped[i % groups].push((i, root));
    }
    // Each root's resources come back in batches as they are evaluated, and this thread copies
    // them (see `compacted`) while the workers go on; a root's batches arrive in order, and the
    // sort by root below is stable.
    let (done, finished) = std::sync::mpsc::channel::<(usize, Vec<Resource>)>();
    let (results, mut by_root) = std::thread::scope(|scope| {
        let handles: Vec<_> = grouped
            .into_iter()
            .map(|group| {
                let done = done.clone();
                scope.spawn(move || resolve_group(group, shared, scanned, inputs, &done))
            })
            .collect();
        drop(done);
        let by_root: Vec<(usize, Vec<Resource>)> = finished
            .iter()
            .map(|(i, resources)| (i, compacted(resources)))
            .collect();
        let results: Vec<GroupResult> = handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| GroupResult {
                    errors: vec![Diagnostic {
                        code: Code::Internal,
                        file: String::new(),
                        line: 0,
                        message: "internal error while evaluating Terraform (please report it)"
                            .into(),
                    }],
                    warnings: Vec::new(),
                    secrets: Secrets::default(),
                })
            })
            .collect();
        (results, by_root)
    });
    let mut resolved = Resolved::default();
    for r in results {
        resolved.errors.extend(r.errors);
        resolved.warnings.extend(r.warnings);
        resolved.secrets.extend(r.secrets);
    }
    by_root.sort_by_key(|(i, _)| *i);
    for (i, resources) in by_root {
        match resolved.roots.last_mut() {
            Some((dir, all)) if *dir == dirs[i] => all.extend(resources),
            _ => resolved.roots.push((dirs[i].clone(), resources)),
        }
    }
    resolved
}

/// What resolving root modules gives.
#[derive(Default)]
pub struct Resolved {
    /// Each root module's directory (as found, not normalised) with its resources, in the
    /// order of the directories.
    pub roots: Vec<(PathBuf, Vec<Resource>)>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// Values of variables marked `sensitive = true`.
    pub secrets: Secrets,
}

/// What one group of root modules gives besides its resources (sent root by root): diagnostics.
struct GroupResult {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    secrets: Secrets,
}

fn resolve_group(
    group: Vec<(usize, DirFiles)>,
    shared: &HashMap<PathBuf, DirFiles>,
    scanned: &HashSet<PathBuf>,
    inputs: &Inputs,
    done: &std::sync::mpsc::Sender<(usize, Vec<Resource>)>,
) -> GroupResult {
    let roots: Vec<(usize, PathBuf, String)> = group
        .iter()
        .map(|(i, d)| (*i, d.dir.clone(), d.display_dir.clone()))
        .collect();
    let mut builder = Builder {
        ev: Evaluator {
            defs: Vec::new(),
            instances: Vec::new(),
            providers: Vec::new(),
            implicit: RefCell::new(HashMap::default()),
            memo: RefCell::new(HashMap::default()),
            in_progress: RefCell::new(HashSet::default()),
            default_region: inputs.region.clone(),
            gate: inputs.gate.clone(),
        },
        loaded: HashMap::default(),
        known_dirs: group
            .into_iter()
            .map(|(_, d)| (normalise_path(&d.dir), d))
            .collect(),
        shared_dirs: shared,
        scanned_dirs: scanned,
        errors: Vec::new(),
        warnings: Vec::new(),
        secrets: Secrets::default(),
        gate: &inputs.gate,
        instances_exceeded: false,
    };
    // Kinds, scopes and file names shared by the resources of every root of the group.
    let mut strings = Strings::default();
    for (i, dir, display_dir) in &roots {
        // Each root module is a deployment with its own evaluation budget.
        crate::frontend::budget::start();
        builder.instantiate_root(dir, display_dir, inputs);
        // Where the budget warning goes: the first resource that holds a refused value.
        // `budget::spent` turns true with the first refused value, so the batches sent before
        // it hold none and are not searched.
        let mut refused_at: Option<(String, usize)> = None;
        collect_resources(&builder.ev, &mut strings, |batch| {
            if refused_at.is_none() && crate::frontend::budget::spent() {
                refused_at = crate::frontend::budget::first_refused(&batch);
            }
            // The receiver lives as long as the workers; a send fails only if it panicked.
            let _ = done.send((*i, batch));
        });
        if crate::frontend::budget::finish() {
            builder
                .warnings
                .push(crate::frontend::budget::warning(refused_at, display_dir));
        }
        builder.forget_root();
    }
    GroupResult {
        errors: builder.errors,
        warnings: builder.warnings,
        secrets: builder.secrets,
    }
}

/// A root's resources copied into the memory of the thread that collects them: evaluating a
/// root allocates many times what it keeps (memoised values, definitions, temporaries), and
/// what it keeps, allocated among the rest, held the resolving thread's pages resident after
/// the rest was freed (as `Parsed::compacted` says for syntax trees).
fn compacted(resources: Vec<Resource>) -> Vec<Resource> {
    resources.clone()
}

/// How many resources a root sends at a time: the collecting thread copies one batch (see
/// `compacted`) while the root's thread evaluates the next, so that a root of 20,000 resources
/// is not evaluated and then copied one after the other (8 files of 1.2 MB: resolving
/// 115 -> 85 ms).
const RESOURCE_BATCH: usize = 1024;

/// The resources of every instance the evaluator holds: one root module and the modules it calls
/// (`Builder::forget_root` empties it between roots), given to `send` in order, in batches of
/// [`RESOURCE_BATCH`] (the last one shorter; none when the root has no resources).
fn collect_resources(ev: &Evaluator, strings: &mut Strings, mut send: impl FnMut(Vec<Resource>)) {
    let mut out = Vec::new();
    for (inst_id, inst) in ev.instances.iter().enumerate() {
        let def = &ev.defs[inst.def];
        for rdef in &def.resources {
            let used = Cell::new(false);
            let ctx = Ctx {
                ev,
                inst: inst_id,
                binding: Binding::default(),
                depth: 0,
                used_var: &used,
            };
            let prefix = if rdef.mode == Mode::Data { "data." } else { "" };
            let base = format!("{}{prefix}{}.{}", inst.prefix, rdef.rtype, rdef.name);
            for (suffix, binding) in expansions(&ctx, &rdef.body) {
                let ctx = Ctx {
                    binding,
                    ..ctx.nested(inst_id, Binding::default())
                };
                let mut attributes = BTreeMap::new();
                let mut origins = BTreeMap::new();
                for attr in rdef.body.attributes() {
                    let key = attr.key.to_string();
                    if META_ARGUMENTS.contains(&key.as_str()) {
                        continue;
                    }
                    used.set(false);
                    attributes.insert(key.clone(), eval::eval(&attr.expr, &ctx));
                    if used.get() {
                        origins.insert(key, Origin::Variable);
                    }
                }
                // The nested blocks, evaluated in place (not copied into a body of their own).
                let mut blocks = BTreeMap::new();
                eval_blocks(rdef.body.blocks(), &ctx, &mut blocks);
                for (k, v) in blocks {
                    if !META_ARGUMENTS.contains(&k.as_str()) {
                        attributes.entry(k).or_insert(v);
                    }
                }
                out.push(Resource {
                    address: format!("{base}{suffix}"),
                    kind: strings.get(&rdef.rtype),
                    scope: strings.get(&inst.scope),
                    format: SourceFormat::Terraform,
                    file: strings.get(&rdef.file),
                    line: rdef.line,
                    end_line: rdef.end_line,
                    attributes: Value::Map(crate::value::map_of(attributes)),
                    origins,
                    provider: ev.provider_for(inst_id, rdef),
                    placed_by: PlacedBy::Catalog,
                });
                if out.len() == RESOURCE_BATCH {
                    send(std::mem::replace(
                        &mut out,
                        Vec::with_capacity(RESOURCE_BATCH),
                    ));
                }
            }
        }
    }
    if !out.is_empty() {
        send(out);
    }
}

/// The instances `count` or `for_each` create (of a resource or a module call), as address
/// suffixes (`[0]`, `["eu"]`) with their bindings; one instance without a suffix otherwise, or
/// when the count or keys cannot be known.
fn expansions(ctx: &Ctx, body: &Body) -> Vec<(String, Binding)> {
    if let Some(expr) = attribute(body, "count") {
        if let Value::Number(n) = eval::eval(expr, ctx) {
            let n = n.max(0.0) as usize;
            if n <= MAX_EXPANSION {
                return (0..n)
                    .map(|i| {
                        (
                            format!("[{i}]"),
                            Binding {
                                count_index: Some(i),
                                each: None,
                                iterators: Vec::new(),
                                variables: Vec::new(),
                            },
                        )
                    })
                    .collect();
            }
        }
    }
    if let Some(expr) = attribute(body, "for_each") {
        let pairs: Option<Vec<(String, Value)>> = match eval::eval(expr, ctx) {
            Value::Map(m) => Some(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
            Value::List(items) => items
                .iter()
                .map(|v| v.to_text().map(|k| (k.clone(), Value::String(k.into()))))
                .collect(),
            _ => None,
        };
        if let Some(pairs) = pairs.filter(|p| p.len() <= MAX_EXPANSION) {
            return pairs
                .into_iter()
                .map(|(k, v)| {
                    (
                        format!("[{k:?}]"),
                        Binding {
                            count_index: None,
                            each: Some((Value::String(k.into()), v)),
                            iterators: Vec::new(),
                            variables: Vec::new(),
                        },
                    )
                })
                .collect();
        }
    }
    vec![(String::new(), Binding::default())]
}
