//! Azure Resource Manager templates: evaluates the template language where it decides location
//! and replication (`[parameters('x')]`, `[variables('x')]`, `[resourceGroup().location]`,
//! `concat`, `format`, `toLower`, `if`, `resourceId`, ...), with parameter values from
//! `--parameter NAME=VALUE`, then the parameter file beside the template (`X.parameters.json`
//! for `X.json`), then `defaultValue`. The resource group's location is not in the template: it
//! comes from `--resource-group-location`, or stays unknown with that reason.
//!
//! Nested resources (`resources` inside a resource) get their full type and name, as ARM
//! gives them; inline nested deployments (`Microsoft.Resources/deployments` with
//! `properties.template`) are expanded with `inner` or `outer` expression scope. A template
//! linked by `templateLink.relativePath` is expanded when it is among the scanned files; one
//! linked by URI is reported, never fetched.
//!
//! Reference: "Template functions" and "Template syntax" in the Azure Resource Manager
//! documentation (learn.microsoft.com/azure/azure-resource-manager/templates/).

use crate::diag::{Code, Diagnostic};
use crate::frontend::arm::parse::ArmFile;
use crate::hash::HashMap;
use crate::model::{Inputs, Origin, PlacedBy, ProviderSetting, Resource, SourceFormat};
use crate::redact::Secrets;
use crate::syntax::tree::{Node, NodeKind};
use crate::value::Value;
use crate::value::ValueMap;
use compact_str::ToCompactString;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// Deepest expression nesting, variable chain or nested deployment followed.
const MAX_DEPTH: usize = 64;
/// `copy` loops larger than this are not expanded (one resource stands for all).
const MAX_COPIES: usize = 256;
/// Values all property and variable loops of one template may produce together: nested loops
/// multiply, and a hostile template must not.
const MAX_LOOP_VALUES: usize = 20_000;
/// Resources one template (with what it links and nests) may produce.
const MAX_RESOURCES: usize = 50_000;

/// Reason given wherever the resource group's location is needed but not known.
pub const RG_UNKNOWN: &str =
    "the resource group's location is chosen when the template is deployed; pass --resource-group-location";

struct Scope<'n> {
    params: HashMap<String, Value>,
    variables: HashMap<String, &'n Node>,
    cache: RefCell<HashMap<String, Value>>,
    /// Variables declared by a variable `copy` loop (their node is the loop).
    copy_variables: crate::hash::HashSet<String>,
    /// Variables being evaluated, to catch variables that refer to each other.
    visiting: RefCell<Vec<String>>,
    resource_group: Value,
    copy_index: Cell<Option<usize>>,
    /// Indexes of the property and variable `copy` loops being expanded, innermost last.
    loops: RefCell<Vec<(String, usize)>>,
    /// Values the loops have produced so far (bounded by `MAX_LOOP_VALUES`), shared with the
    /// scopes of nested deployments through `Rc`.
    loop_values: std::rc::Rc<Cell<usize>>,
    /// Set when an evaluation read a parameter or the resource group: its result came from
    /// outside the template (basis `variable`).
    used_input: Cell<bool>,
    depth: Cell<usize>,
    /// Values of this scope's `secureString` and `secureObject` parameters.
    secrets: Secrets,
}

/// Finds a scanned template by its report path, for `templateLink.relativePath`.
pub type Linked<'f> = dyn Fn(&str) -> Option<&'f ArmFile> + 'f;

/// What resolving one template gives: its resources (and those of the templates it links by
/// relative path), warnings, and the report paths of the templates it linked.
pub struct Resolution {
    pub resources: Vec<Resource>,
    pub warnings: Vec<Diagnostic>,
    pub linked: Vec<String>,
    /// Values of secure parameters, of this template and of those it deploys.
    pub secrets: Secrets,
}

/// Resolves a template with its parameter file, if any; `linked` finds the templates that
/// deployments link by relative path among the scanned files.
pub fn resolve<'f>(
    template: &'f ArmFile,
    parameter_file: Option<&ArmFile>,
    inputs: &Inputs,
    linked: &Linked<'f>,
) -> Resolution {
    let mut given: HashMap<String, Value> = HashMap::default();
    // A `.bicepparam` file's values are expressions Bicep folds when it builds the parameters
    // (`readEnvironmentVariable(...)`, `'${a}-b'`): evaluated on their own, with what cannot be
    // known unknown. A JSON parameter file's values are literals.
    let empty = Node {
        line: 0,
        kind: NodeKind::Map(Vec::new()),
    };
    let folding = Scope::new(
        &empty,
        &HashMap::default(),
        Value::unknown(RG_UNKNOWN),
        None,
    );
    if let Some(file) = parameter_file {
        for (name, entry) in file
            .root
            .get("parameters")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let value = match entry.get("value") {
                Some(v) if file.template_for.is_some() => folding.eval(v),
                Some(v) => match v.as_str().and_then(environment_reference) {
                    Some(variable) => Value::unknown(format!(
                        "parameter {name} is environment variable {variable}, which azd substitutes at deployment (pass --parameter {name}=VALUE)"
                    )),
                    None => crate::syntax::tree::node_value(v),
                },
                None if entry.get("reference").is_some() => Value::unknown(format!(
                    "parameter {name} is a Key Vault reference in {}",
                    file.display
                )),
                None => continue,
            };
            given.insert(name.to_ascii_lowercase(), value);
        }
    }
    for (name, value) in &inputs.parameters {
        given.insert(
            name.to_ascii_lowercase(),
            Value::String(value.to_compact_string()),
        );
    }
    let resource_group = match &inputs.resource_group_location {
        Some(l) => Value::String(l.to_compact_string()),
        None => Value::unknown(RG_UNKNOWN),
    };
    let scope = Scope::new(&template.root, &given, resource_group, None);
    let mut out = Resolved {
        file: &template.display,
        resources: Vec::new(),
        warnings: Vec::new(),
        linked,
        stack: vec![template.display.clone()],
        used: Vec::new(),
        secrets: scope.secrets.clone(),
    };
    out.collect(&scope, template.root.get("resources"), None, 0);
    apply_vault_storage_configs(&mut out.resources);
    Resolution {
        resources: out.resources,
        warnings: out.warnings,
        linked: out.used,
        secrets: out.secrets,
    }
}

/// `${AZURE_LOCATION}` or `${USE_APIM=false}`: the Azure Developer CLI's placeholder for an
/// environment variable in `main.parameters.json`; the variable's name.
fn environment_reference(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("${")?.strip_suffix('}')?;
    let name = inner.split('=').next()?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// A Recovery Services vault's redundancy is often set by a child resource
/// (`vaults/backupstorageconfig`, `properties.storageModelType`) rather than on the vault: it is
/// copied to the vault's `properties.redundancySettings.standardTierStorageRedundancy` when the
/// vault does not set that itself, so the vault's geo-redundant default does not apply wrongly.
fn apply_vault_storage_configs(resources: &mut [Resource]) {
    let settings: Vec<(String, Value)> = resources
        .iter()
        .filter(|r| {
            r.kind
                .eq_ignore_ascii_case("Microsoft.RecoveryServices/vaults/backupstorageconfig")
        })
        .filter_map(|r| {
            let parent = r.attr("$parent").as_str()?.to_ascii_lowercase();
            let props = r.attr("properties");
            let model = props.get("storageModelType");
            let model = if model.is_null() {
                props.get("storageType")
            } else {
                model
            };
            (!model.is_null()).then(|| (parent, model.clone()))
        })
        .collect();
    for (parent, model) in settings {
        let Some(vault) = resources.iter_mut().find(|r| {
            r.kind == "Microsoft.RecoveryServices/vaults"
                && r.attr("$id")
                    .as_str()
                    .is_some_and(|id| id.to_ascii_lowercase() == parent)
        }) else {
            continue;
        };
        let Value::Map(attrs) = &mut vault.attributes else {
            continue;
        };
        let props = attrs
            .entry("properties".into())
            .or_insert_with(|| Value::Map(ValueMap::new()));
        let Value::Map(props) = props else { continue };
        let redundancy = props
            .entry("redundancySettings".into())
            .or_insert_with(|| Value::Map(ValueMap::new()));
        if let Value::Map(redundancy) = redundancy {
            redundancy
                .entry("standardTierStorageRedundancy".into())
                .or_insert(model);
        }
    }
}

/// The parameters a deployment passes (`properties.parameters.NAME.value`), evaluated in the
/// deploying template's scope, by lowercased name.
fn passed_parameters(scope: &Scope, properties: Option<&Node>) -> HashMap<String, Value> {
    properties
        .and_then(|p| p.get("parameters"))
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), scope.eval(v.get("value")?))))
        .collect()
}

/// The line a resource is reported at: its `type`, which says what it is.
fn type_line(node: &Node) -> usize {
    node.get("type").map_or(node.line, |t| t.line)
}

/// `dir/main.json` + `nested/storage.json` → `dir/nested/storage.json`, with `.` and `..`.
/// The path a linked template's `uri` names beside the calling template, when it is built
/// from the template's own location (`parameters('_artifactsLocation')` or
/// `deployment().properties.templateLink.uri`) and literal path parts:
/// `uri(parameters('_artifactsLocation'), 'nested/x.json')`,
/// `concat(parameters('_artifactsLocation'), '/nested/x.json', parameters('_artifactsLocationSasToken'))`.
fn artifacts_path(uri: &str) -> Option<String> {
    let source = uri.trim().strip_prefix('[')?.strip_suffix(']')?;
    let expr = Parser::new(source).parse_all().ok()?;
    fn is_base(e: &Expr) -> bool {
        match e {
            Expr::Call(name, args) if name.eq_ignore_ascii_case("parameters") => matches!(
                args.first(),
                Some(Expr::Str(p)) if p.eq_ignore_ascii_case("_artifactsLocation")
            ),
            Expr::Prop(inner, prop) if prop.eq_ignore_ascii_case("uri") => {
                matches!(inner.as_ref(), Expr::Prop(d, link) if link.eq_ignore_ascii_case("templateLink")
                    && matches!(d.as_ref(), Expr::Prop(call, p) if p.eq_ignore_ascii_case("properties")
                        && matches!(call.as_ref(), Expr::Call(n, _) if n.eq_ignore_ascii_case("deployment"))))
            }
            _ => false,
        }
    }
    // The literal parts after the base, in order; a SAS token parameter adds nothing.
    fn parts(e: &Expr, out: &mut Vec<String>, based: &mut bool) -> bool {
        match e {
            _ if is_base(e) => {
                *based = true;
                true
            }
            Expr::Str(s) => {
                out.push(s.clone());
                true
            }
            Expr::Call(name, args)
                if ["uri", "concat"]
                    .iter()
                    .any(|f| name.eq_ignore_ascii_case(f)) =>
            {
                args.iter().all(|a| parts(a, out, based))
            }
            Expr::Call(name, args) if name.eq_ignore_ascii_case("parameters") => matches!(
                args.first(),
                Some(Expr::Str(p)) if p.to_ascii_lowercase().contains("sastoken")
            ),
            _ => false,
        }
    }
    let (mut out, mut based) = (Vec::new(), false);
    if !parts(&expr, &mut out, &mut based) || !based {
        return None;
    }
    let path = out.concat();
    let path = path.trim_start_matches('/');
    (path.to_ascii_lowercase().ends_with(".json")).then(|| path.to_string())
}

impl<'n> Scope<'n> {
    /// A scope for a template body: its parameters (given, else defaults evaluated in order) and
    /// variables. `outer` supplies the parameters of an `outer`-scoped nested template.
    fn new(
        template: &'n Node,
        given: &HashMap<String, Value>,
        resource_group: Value,
        outer: Option<&Scope<'n>>,
    ) -> Scope<'n> {
        let mut scope = Scope {
            params: outer.map(|o| o.params.clone()).unwrap_or_default(),
            variables: outer.map(|o| o.variables.clone()).unwrap_or_default(),
            cache: RefCell::new(HashMap::default()),
            copy_variables: outer.map(|o| o.copy_variables.clone()).unwrap_or_default(),
            visiting: RefCell::new(Vec::new()),
            resource_group,
            copy_index: Cell::new(None),
            loops: RefCell::new(Vec::new()),
            loop_values: outer
                .map(|o| std::rc::Rc::clone(&o.loop_values))
                .unwrap_or_default(),
            used_input: Cell::new(false),
            depth: Cell::new(0),
            secrets: Secrets::default(),
        };
        if outer.is_some() {
            return scope;
        }
        for (name, decl) in template
            .get("variables")
            .map(Node::entries)
            .unwrap_or_default()
        {
            // `"copy": [{"name": "x", "count": n, "input": ...}]` declares variable `x`.
            if name == "copy" {
                for item in decl.items() {
                    if let Some(loop_name) = item.get("name").and_then(Node::as_str) {
                        scope.variables.insert(loop_name.to_ascii_lowercase(), item);
                        scope.copy_variables.insert(loop_name.to_ascii_lowercase());
                    }
                }
                continue;
            }
            scope.variables.insert(name.to_ascii_lowercase(), decl);
        }
        for (name, decl) in template
            .get("parameters")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let key = name.to_ascii_lowercase();
            let value = match given.get(&key) {
                Some(v) => v.clone(),
                None => match decl.get("defaultValue") {
                    Some(d) => scope.eval(d),
                    None => Value::unknown(format!(
                        "parameter {name} has no default; pass --parameter {name}=VALUE or a parameter file"
                    )),
                },
            };
            let secure = decl.get("type").and_then(Node::as_str).is_some_and(|t| {
                t.eq_ignore_ascii_case("securestring") || t.eq_ignore_ascii_case("secureobject")
            });
            if secure {
                scope.secrets.add(&value);
            }
            scope.params.insert(key, value);
        }
        scope
    }

    /// A document node with its template expressions evaluated; every value passes the
    /// evaluation budget (`budget::admit`).
    fn eval(&self, node: &Node) -> Value {
        if crate::frontend::budget::spent() {
            return crate::frontend::budget::refuse();
        }
        crate::frontend::budget::admit(self.eval_node(node))
    }

    fn eval_node(&self, node: &Node) -> Value {
        if self.depth.get() > MAX_DEPTH {
            return Value::unknown("template expressions nest too deeply");
        }
        self.depth.set(self.depth.get() + 1);
        let value = match &node.kind {
            NodeKind::String(s) => self.eval_text(s),
            NodeKind::Seq(items) => Value::List(items.iter().map(|i| self.eval(i)).collect()),
            NodeKind::Map(entries) => {
                let mut map: BTreeMap<String, Value> = BTreeMap::new();
                for (k, v) in entries {
                    if k == "copy" && matches!(v.kind, NodeKind::Seq(_)) {
                        // Property loops: each `{name, count, input}` becomes property `name`.
                        for item in v.items() {
                            if let Some(name) = item.get("name").and_then(Node::as_str) {
                                map.insert(name.to_string(), self.expand_loop(item));
                            }
                        }
                    } else {
                        map.insert(k.clone(), self.eval(v));
                    }
                }
                Value::Map(crate::value::map_of(map))
            }
            _ => crate::syntax::tree::node_value(node),
        };
        self.depth.set(self.depth.get() - 1);
        value
    }

    /// A property or variable `copy` loop: `input` evaluated `count` times with
    /// `copyIndex('name')` bound.
    fn expand_loop(&self, item: &Node) -> Value {
        let name = item.get("name").and_then(Node::as_str).unwrap_or_default();
        let count = match item.get("count").map(|c| self.eval(c)) {
            Some(Value::Number(n)) if n >= 0.0 && (n as usize) <= MAX_COPIES => n as usize,
            Some(u @ Value::Unknown(_)) => return u,
            _ => {
                return Value::unknown(format!(
                    "copy loop {name} has no count residency can expand (at most {MAX_COPIES})"
                ))
            }
        };
        let Some(input) = item.get("input") else {
            return Value::unknown(format!("copy loop {name} has no input"));
        };
        if self.loop_values.get() + count > MAX_LOOP_VALUES {
            return Value::unknown(format!(
                "copy loop {name}: the template's loops expand to more than {MAX_LOOP_VALUES} values"
            ));
        }
        self.loop_values.set(self.loop_values.get() + count);
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            self.loops.borrow_mut().push((name.to_ascii_lowercase(), i));
            out.push(self.eval(input));
            self.loops.borrow_mut().pop();
        }
        Value::List(out.into())
    }

    /// A string: a literal, an escaped literal (`[[...`), or an expression (`[...]`).
    fn eval_text(&self, text: &str) -> Value {
        let trimmed = text.trim();
        if let Some(rest) = text.strip_prefix("[[") {
            return Value::String(compact_str::format_compact!("[{rest}"));
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') && trimmed.len() >= 2 {
            let source = &trimmed[1..trimmed.len() - 1];
            return match Parser::new(source).parse_all() {
                Ok(expr) => self.eval_expr(&expr),
                Err(e) => Value::unknown(format!("cannot read template expression: {e}")),
            };
        }
        Value::String(text.to_compact_string())
    }

    fn variable(&self, name: &str) -> Value {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.cache.borrow().get(&key) {
            return v.clone();
        }
        let Some(node) = self.variables.get(&key) else {
            return Value::unknown(format!("variable {name} is not declared"));
        };
        if self.visiting.borrow().contains(&key) {
            return Value::unknown(format!("variable {name} refers to itself"));
        }
        self.visiting.borrow_mut().push(key.clone());
        let value = if self.copy_variables.contains(&key) {
            self.expand_loop(node)
        } else {
            self.eval(node)
        };
        self.visiting.borrow_mut().pop();
        self.cache.borrow_mut().insert(key, value.clone());
        value
    }

    fn eval_expr(&self, expr: &Expr) -> Value {
        if self.depth.get() > MAX_DEPTH {
            return Value::unknown("template expressions nest too deeply");
        }
        self.depth.set(self.depth.get() + 1);
        if crate::frontend::budget::spent() {
            self.depth.set(self.depth.get() - 1);
            return crate::frontend::budget::refuse();
        }
        let value = match expr {
            Expr::Str(s) => Value::String(s.to_compact_string()),
            Expr::Num(n) => Value::Number(*n),
            Expr::Prop(base, name) => match self.eval_expr(base) {
                u @ Value::Unknown(_) => u,
                Value::Map(m) => m
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| Value::unknown(format!("no property {name}"))),
                _ => Value::unknown(format!("property {name} of a value that is not an object")),
            },
            Expr::Index(base, index) => match (self.eval_expr(base), self.eval_expr(index)) {
                (u @ Value::Unknown(_), _) | (_, u @ Value::Unknown(_)) => u,
                (Value::List(items), Value::Number(i)) => items
                    .get(i as usize)
                    .cloned()
                    .unwrap_or_else(|| Value::unknown("index out of range")),
                (Value::Map(m), Value::String(k)) => m
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(&k))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| Value::unknown(format!("no property {k}"))),
                _ => Value::unknown("index of a value that cannot be indexed"),
            },
            Expr::Call(name, args) => self.call(name, args),
        };
        self.depth.set(self.depth.get() - 1);
        crate::frontend::budget::admit(value)
    }

    fn call(&self, name: &str, args: &[Expr]) -> Value {
        let lower = name.to_ascii_lowercase();
        // Functions whose arguments are not all evaluated first.
        if lower == "if" {
            return match args {
                [c, a, b] => match self.eval_expr(c).as_bool() {
                    Some(true) => self.eval_expr(a),
                    Some(false) => self.eval_expr(b),
                    None => Value::unknown("the condition of if() is not known"),
                },
                _ => Value::unknown("if() takes three arguments"),
            };
        }
        let values: Vec<Value> = args.iter().map(|a| self.eval_expr(a)).collect();
        let text = |i: usize| values.get(i).and_then(Value::to_text);
        let first_unknown = || values.iter().find(|v| v.is_unknown()).cloned();
        match lower.as_str() {
            "parameters" | "variables" if values.first().is_some_and(Value::is_unknown) => {
                values[0].clone()
            }
            "parameters" => {
                self.used_input.set(true);
                match text(0) {
                    Some(p) => self
                        .params
                        .get(&p.to_ascii_lowercase())
                        .cloned()
                        .unwrap_or_else(|| {
                            Value::unknown(format!("parameter {p} is not declared"))
                        }),
                    None => Value::unknown("parameters() needs a name"),
                }
            }
            "variables" => match text(0) {
                Some(v) => self.variable(&v),
                None => Value::unknown("variables() needs a name"),
            },
            "resourcegroup" => {
                self.used_input.set(true);
                let mut m = BTreeMap::new();
                m.insert("location".to_string(), self.resource_group.clone());
                m.insert(
                    "name".to_string(),
                    Value::unknown("the resource group's name is chosen at deployment"),
                );
                m.insert(
                    "id".to_string(),
                    Value::unknown("the resource group's id is known at deployment"),
                );
                Value::Map(crate::value::map_of(m))
            }
            "subscription" | "tenant" | "managementgroup" | "deployment" | "environment" => {
                Value::unknown(format!("{name}() is known only at deployment"))
            }
            // copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset).
            "copyindex" => {
                let (loop_name, offset) = match values.as_slice() {
                    [Value::String(n), Value::Number(o), ..] => (Some(n.to_ascii_lowercase()), *o),
                    [Value::String(n)] => (Some(n.to_ascii_lowercase()), 0.0),
                    [Value::Number(o), ..] => (None, *o),
                    _ => (None, 0.0),
                };
                let index = match &loop_name {
                    Some(n) => self
                        .loops
                        .borrow()
                        .iter()
                        .rev()
                        .find(|(l, _)| l == n)
                        .map(|(_, i)| *i)
                        .or_else(|| self.copy_index.get()),
                    // Without a name it is the resource loop's index (property and variable
                    // loops are always named).
                    None => self.copy_index.get(),
                };
                match index {
                    Some(i) => Value::Number(i as f64 + offset),
                    None => Value::unknown("copyIndex() outside an expanded copy loop"),
                }
            }
            "concat" => {
                if let Some(u) = first_unknown() {
                    return u;
                }
                let size: usize = values
                    .iter()
                    .map(|v| match v {
                        Value::List(items) => items.len(),
                        Value::String(t) => t.len(),
                        _ => 0,
                    })
                    .sum();
                if !crate::frontend::budget::fits(size) {
                    return crate::frontend::budget::refuse();
                }
                if values.iter().all(|v| matches!(v, Value::List(_))) && !values.is_empty() {
                    return Value::List(
                        values
                            .into_iter()
                            .flat_map(|v| match v {
                                Value::List(items) => items,
                                _ => Vec::new().into(),
                            })
                            .collect(),
                    );
                }
                Value::String(values.iter().filter_map(Value::to_text).collect())
            }
            "format" => {
                if let Some(u) = first_unknown() {
                    return u;
                }
                let Some(pattern) = text(0) else {
                    return Value::unknown("format() needs a format string");
                };
                // Each `{n}` may repeat an argument: measure before building.
                let longest = values[1..]
                    .iter()
                    .filter_map(Value::to_text)
                    .map(|t| t.len())
                    .max()
                    .unwrap_or(0);
                let places = pattern.matches('{').count();
                if !crate::frontend::budget::fits(
                    pattern.len().saturating_add(places.saturating_mul(longest)),
                ) {
                    return crate::frontend::budget::refuse();
                }
                Value::String(format_placeholders(&pattern, &values[1..]).into())
            }
            "tolower" | "toupper" | "string" | "trim" => match values.first() {
                Some(u @ Value::Unknown(_)) => u.clone(),
                Some(v) => match v.to_text() {
                    Some(t) => Value::String(match lower.as_str() {
                        "tolower" => t.to_lowercase().into(),
                        "toupper" => t.to_uppercase().into(),
                        "trim" => t.trim().into(),
                        _ => t.into(),
                    }),
                    None => Value::unknown(format!("{name}() of a value that is not text")),
                },
                None => Value::unknown(format!("{name}() needs an argument")),
            },
            "replace" => match (first_unknown(), text(0), text(1), text(2)) {
                (Some(u), ..) => u,
                (None, Some(s), Some(a), Some(b)) => crate::frontend::budget::replace(&s, &a, &b),
                _ => Value::unknown("replace() takes three strings"),
            },
            "equals" => match (first_unknown(), values.as_slice()) {
                (Some(u), _) => u,
                (None, [a, b]) => Value::Bool(match (a, b) {
                    (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
                    (x, y) => x == y,
                }),
                _ => Value::unknown("equals() takes two arguments"),
            },
            "not" => match values.first().and_then(Value::as_bool) {
                Some(b) => Value::Bool(!b),
                None => Value::unknown("not() of an unknown condition"),
            },
            "and" | "or" => {
                let bools: Option<Vec<bool>> = values.iter().map(Value::as_bool).collect();
                match bools {
                    Some(b) if lower == "and" => Value::Bool(b.iter().all(|x| *x)),
                    Some(b) => Value::Bool(b.iter().any(|x| *x)),
                    None => Value::unknown(format!("{name}() of an unknown condition")),
                }
            }
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            "empty" => match values.first() {
                Some(u @ Value::Unknown(_)) => u.clone(),
                Some(Value::Null) => Value::Bool(true),
                Some(Value::String(s)) => Value::Bool(s.is_empty()),
                Some(Value::List(l)) => Value::Bool(l.is_empty()),
                Some(Value::Map(m)) => Value::Bool(m.is_empty()),
                _ => Value::Bool(false),
            },
            "coalesce" => values
                .iter()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Value::Null),
            "createarray" => Value::List(values.into()),
            "createobject" => {
                let mut m = BTreeMap::new();
                for pair in values.chunks(2) {
                    if let [k, v] = pair {
                        if let Some(k) = k.to_text() {
                            m.insert(k, v.clone());
                        }
                    }
                }
                Value::Map(crate::value::map_of(m))
            }
            "first" => match values.first() {
                Some(Value::List(l)) => l.first().cloned().unwrap_or(Value::Null),
                Some(Value::String(s)) => Value::String(s.chars().take(1).collect()),
                Some(u @ Value::Unknown(_)) => u.clone(),
                _ => Value::unknown("first() of a value that is not a list"),
            },
            "length" => match values.first() {
                Some(Value::List(l)) => Value::Number(l.len() as f64),
                Some(Value::String(s)) => Value::Number(s.chars().count() as f64),
                Some(Value::Map(m)) => Value::Number(m.len() as f64),
                Some(u @ Value::Unknown(_)) => u.clone(),
                _ => Value::unknown("length() of a value without length"),
            },
            "int" => match values.first() {
                Some(Value::Number(n)) => Value::Number(n.trunc()),
                Some(Value::String(s)) => s
                    .trim()
                    .parse::<f64>()
                    .map(Value::Number)
                    .unwrap_or_else(|_| Value::unknown("int() of text that is not a number")),
                Some(u @ Value::Unknown(_)) => u.clone(),
                _ => Value::unknown("int() needs a number"),
            },
            "last" => match values.first() {
                Some(Value::List(l)) => l.last().cloned().unwrap_or(Value::Null),
                Some(Value::String(s)) => Value::String(
                    s.chars()
                        .last()
                        .map(String::from)
                        .unwrap_or_default()
                        .into(),
                ),
                Some(u @ Value::Unknown(_)) => u.clone(),
                _ => Value::unknown("last() of a value that is not a list"),
            },
            "contains" => match (values.first(), values.get(1)) {
                (Some(u @ Value::Unknown(_)), _) | (_, Some(u @ Value::Unknown(_))) => u.clone(),
                (Some(Value::List(l)), Some(item)) => Value::Bool(l.contains(item)),
                (Some(Value::Map(m)), Some(Value::String(k))) => {
                    Value::Bool(m.keys().any(|key| key.eq_ignore_ascii_case(k)))
                }
                (Some(Value::String(s)), Some(Value::String(part))) => {
                    Value::Bool(s.contains(part.as_str()))
                }
                _ => Value::unknown("contains() of values that cannot contain"),
            },
            "union" => match first_unknown() {
                Some(u) => u,
                None => match values.first() {
                    Some(Value::Map(_)) => {
                        let mut merged = BTreeMap::new();
                        for v in &values {
                            if let Value::Map(m) = v {
                                merged.extend(m.iter().map(|(k, v)| (*k, v.clone())));
                            }
                        }
                        Value::Map(merged.into_iter().collect())
                    }
                    Some(Value::List(_)) => {
                        let mut merged: Vec<Value> = Vec::new();
                        for item in values
                            .iter()
                            .filter_map(|v| match v {
                                Value::List(l) => Some(l),
                                _ => None,
                            })
                            .flatten()
                        {
                            if !merged.contains(item) {
                                merged.push(item.clone());
                            }
                        }
                        Value::List(merged.into())
                    }
                    _ => Value::unknown("union() of values that are not objects or lists"),
                },
            },
            "range" => match (values.first(), values.get(1)) {
                (Some(Value::Number(start)), Some(Value::Number(count)))
                    if *count >= 0.0 && (*count as usize) <= MAX_LOOP_VALUES =>
                {
                    Value::List(
                        (0..*count as usize)
                            .map(|i| Value::Number(start + i as f64))
                            .collect(),
                    )
                }
                _ => first_unknown().unwrap_or_else(|| {
                    Value::unknown(format!("range() of at most {MAX_LOOP_VALUES} numbers"))
                }),
            },
            "split" => match (values.first(), values.get(1)) {
                (Some(Value::String(s)), Some(Value::String(d))) if !d.is_empty() => Value::List(
                    s.split(d.as_str())
                        .map(|p| Value::String(p.into()))
                        .collect(),
                ),
                _ => first_unknown().unwrap_or_else(|| Value::unknown("split() needs text")),
            },
            "bool" => match values.first() {
                Some(Value::Bool(b)) => Value::Bool(*b),
                Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
                Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
                Some(Value::Number(n)) => Value::Bool(*n != 0.0),
                Some(u @ Value::Unknown(_)) => u.clone(),
                _ => Value::unknown("bool() of a value that is not a boolean"),
            },
            "less" | "lessorequals" | "greater" | "greaterorequals" => {
                let ordering = match (values.first(), values.get(1)) {
                    (Some(Value::Number(a)), Some(Value::Number(b))) => a.partial_cmp(b),
                    (Some(Value::String(a)), Some(Value::String(b))) => Some(a.cmp(b)),
                    _ => None,
                };
                match ordering {
                    Some(o) => Value::Bool(match lower.as_str() {
                        "less" => o.is_lt(),
                        "lessorequals" => o.is_le(),
                        "greater" => o.is_gt(),
                        _ => o.is_ge(),
                    }),
                    None => first_unknown().unwrap_or_else(|| {
                        Value::unknown(format!("{name}() compares two numbers or two texts"))
                    }),
                }
            }
            // `items(object)`: its entries as `{key, value}` objects, in key order
            // (learn.microsoft.com, "Object functions for ARM templates", items).
            "items" => match values.first() {
                Some(Value::Map(m)) => Value::List(
                    m.iter()
                        .map(|(k, v)| {
                            let mut entry = BTreeMap::new();
                            entry.insert("key".to_string(), Value::String(k.to_compact_string()));
                            entry.insert("value".to_string(), v.clone());
                            Value::Map(crate::value::map_of(entry))
                        })
                        .collect(),
                ),
                Some(u @ Value::Unknown(_)) => u.clone(),
                _ => Value::unknown("items() of a value that is not an object"),
            },
            // What a Bicep expression compiles to when its value cannot be known, with why.
            "unknowninbicep" => Value::unknown(text(0).unwrap_or_default()),
            "div" | "mod" => match (values.first(), values.get(1)) {
                (Some(Value::Number(a)), Some(Value::Number(b))) if *b != 0.0 => {
                    Value::Number(if lower == "div" {
                        (a / b).trunc()
                    } else {
                        a % b
                    })
                }
                _ => first_unknown().unwrap_or_else(|| {
                    Value::unknown(format!("{name}() needs two numbers, the second not 0"))
                }),
            },
            "add" | "sub" | "mul" => match (values.first(), values.get(1)) {
                (Some(Value::Number(a)), Some(Value::Number(b))) => {
                    Value::Number(match lower.as_str() {
                        "add" => a + b,
                        "sub" => a - b,
                        _ => a * b,
                    })
                }
                _ => first_unknown()
                    .unwrap_or_else(|| Value::unknown(format!("{name}() needs two numbers"))),
            },
            // The encoded form hides the text a boot script check needs; the text is kept.
            "base64" => values.into_iter().next().unwrap_or(Value::Null),
            "resourceid" => resource_id(&values),
            // A deployed resource's properties are unknown, but which resource they belong to
            // is not: `reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip'))`
            // names the address an A record points at.
            "reference" | "list" | "listkeys" => {
                let reason =
                    format!("{name}() reads a deployed resource and is known only at deployment");
                match values
                    .first()
                    .and_then(Value::as_str)
                    .and_then(address_of_id)
                {
                    Some(address) => Value::unknown_ref(reason, address),
                    None => Value::unknown(reason),
                }
            }
            "uniquestring" | "newguid" | "utcnow" => {
                Value::unknown(format!("{name}() is computed at deployment"))
            }
            _ => Value::unknown(format!(
                "template function {name}() is not evaluated by residency"
            )),
        }
    }
}

/// `format('{0}-{1}', a, b)`: .NET composite formatting without format specifiers.
fn format_placeholders(pattern: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                let index = spec.split([',', ':']).next().unwrap_or("").trim();
                if let Some(v) = index.parse::<usize>().ok().and_then(|i| args.get(i)) {
                    out.push_str(&v.to_text().unwrap_or_default());
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `resourceId([subscriptionId], [resourceGroupName], type, name1, name2, ...)` as the id ARM
/// forms, with `?` for the parts known only at deployment:
/// `/subscriptions/?/resourceGroups/?/providers/Microsoft.Sql/servers/srv/databases/db`.
fn resource_id(values: &[Value]) -> Value {
    let texts: Vec<String> = values
        .iter()
        .map(|v| v.to_text().unwrap_or_else(|| "?".into()))
        .collect();
    let Some(type_at) = texts
        .iter()
        .position(|t| t.contains('/') && t.contains('.'))
    else {
        return Value::unknown("resourceId() without a resource type");
    };
    let resource_type = &texts[type_at];
    let names = &texts[type_at + 1..];
    let mut segments = resource_type.split('/');
    let namespace = segments.next().unwrap_or_default();
    let mut path = format!("/subscriptions/?/resourceGroups/?/providers/{namespace}");
    let mut names = names.iter();
    for segment in segments {
        path.push_str(&format!(
            "/{segment}/{}",
            names.next().map(String::as_str).unwrap_or("?")
        ));
    }
    Value::String(path.into())
}

// --- Expressions ------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Str(String),
    Num(f64),
    Call(String, Vec<Expr>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

/// A recursive-descent reader for the template expression grammar: function calls, string
/// literals in single quotes (`''` escapes one), numbers, `.property` and `[index]`.
struct Parser<'s> {
    chars: Vec<char>,
    at: usize,
    depth: usize,
    _source: &'s str,
}

impl<'s> Parser<'s> {
    fn new(source: &'s str) -> Parser<'s> {
        Parser {
            chars: source.chars().collect(),
            at: 0,
            depth: 0,
            _source: source,
        }
    }

    fn parse_all(&mut self) -> Result<Expr, String> {
        let e = self.expr()?;
        self.skip_ws();
        if self.at < self.chars.len() {
            return Err(format!(
                "unexpected '{}' at column {}",
                self.chars[self.at],
                self.at + 2
            ));
        }
        Ok(e)
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.at).copied()
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected '{c}' at column {}", self.at + 2))
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("expression nests too deeply".into());
        }
        let mut e = self.atom()?;
        loop {
            match self.peek() {
                Some('.') => {
                    self.at += 1;
                    e = Expr::Prop(Box::new(e), self.ident()?);
                }
                Some('[') => {
                    self.at += 1;
                    let index = self.expr()?;
                    self.expect(']')?;
                    e = Expr::Index(Box::new(e), Box::new(index));
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(e)
    }

    fn ident(&mut self) -> Result<String, String> {
        self.skip_ws();
        let start = self.at;
        while self
            .chars
            .get(self.at)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        {
            self.at += 1;
        }
        if start == self.at {
            return Err(format!("expected a name at column {}", self.at + 2));
        }
        Ok(self.chars[start..self.at].iter().collect())
    }

    fn atom(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some('\'') => {
                self.at += 1;
                let mut s = String::new();
                loop {
                    match self.chars.get(self.at) {
                        None => return Err("unterminated string".into()),
                        Some('\'') if self.chars.get(self.at + 1) == Some(&'\'') => {
                            s.push('\'');
                            self.at += 2;
                        }
                        Some('\'') => {
                            self.at += 1;
                            return Ok(Expr::Str(s));
                        }
                        Some(c) => {
                            s.push(*c);
                            self.at += 1;
                        }
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || c == '-' => {
                let start = self.at;
                self.at += 1;
                while self
                    .chars
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.')
                {
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                text.parse()
                    .map(Expr::Num)
                    .map_err(|_| format!("bad number {text}"))
            }
            Some(_) => {
                let mut name = self.ident()?;
                // User-defined functions are `namespace.name(...)`.
                while self.peek() == Some('.')
                    && self
                        .chars
                        .get(self.at + 1)
                        .is_some_and(|c| c.is_alphabetic())
                {
                    let save = self.at;
                    self.at += 1;
                    let part = self.ident()?;
                    if self.peek() == Some('(') {
                        name = format!("{name}.{part}");
                    } else {
                        self.at = save;
                        break;
                    }
                }
                self.expect('(')?;
                let mut args = Vec::new();
                if self.peek() == Some(')') {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
                        match self.peek() {
                            Some(',') => self.at += 1,
                            Some(')') => {
                                self.at += 1;
                                break;
                            }
                            _ => {
                                return Err(format!(
                                    "expected ',' or ')' at column {}",
                                    self.at + 2
                                ))
                            }
                        }
                    }
                }
                Ok(Expr::Call(name, args))
            }
            None => Err("empty expression".into()),
        }
    }
}

// --- Resources ----------------------------------------------------------------------------------

struct Resolved<'f, 'l> {
    file: &'f str,
    resources: Vec<Resource>,
    warnings: Vec<Diagnostic>,
    linked: &'l Linked<'f>,
    /// Templates being resolved, outermost first: a link back into one is a cycle.
    stack: Vec<String>,
    /// Templates linked by relative path and resolved here.
    used: Vec<String>,
    /// Values of secure parameters met so far.
    secrets: Secrets,
}

/// The parent of a nested resource: its full type, full name and id.
struct Parent {
    kind: String,
    name: String,
}

/// Known resource types in the casing the documentation uses, so that a template writing
/// `microsoft.storage/storageaccounts` matches the tables (ARM types are case-insensitive).
const CANONICAL_TYPES: &[&str] = &[
    "Microsoft.Communication/emailServices",
    "Microsoft.Communication/emailServices/domains",
    "Microsoft.Communication/communicationServices",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/objectReplicationPolicies",
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.RecoveryServices/vaults",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
    "Microsoft.RecoveryServices/vaults/backupstorageconfig",
    "Microsoft.DataProtection/backupVaults/backupInstances",
    "Microsoft.DataProtection/backupVaults",
    "Microsoft.Sql/servers",
    "Microsoft.Sql/servers/databases",
    "Microsoft.Sql/servers/failoverGroups",
    "Microsoft.Insights/diagnosticSettings",
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.EventGrid/systemTopics",
    "Microsoft.EventHub/namespaces",
    "Microsoft.EventHub/namespaces/authorizationRules",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/extensions",
    "Microsoft.Compute/disks",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/networkSecurityGroups/securityRules",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/virtualNetworks/subnets",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.Network/dnsZones",
    "Microsoft.Network/dnsZones/A",
    "Microsoft.Network/dnsZones/AAAA",
    "Microsoft.Network/dnsZones/MX",
    "Microsoft.Resources/deployments",
    "Microsoft.Resources/resourceGroups",
];

fn canonical(kind: &str) -> String {
    CANONICAL_TYPES
        .iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
        .map_or_else(|| kind.to_string(), |k| k.to_string())
}

/// The address a resource id names (`Microsoft.Network/dnsZones/A/zone/mail` for
/// `/subscriptions/…/providers/Microsoft.Network/dnsZones/zone/A/mail`): the full type, then
/// the full name, as resources here are addressed.
fn address_of_id(id: &str) -> Option<String> {
    let at = id.to_ascii_lowercase().rfind("/providers/")?;
    let mut segments = id[at + "/providers/".len()..].split('/');
    let namespace = segments.next()?;
    let rest: Vec<&str> = segments.collect();
    if rest.len() < 2 || rest.len() % 2 != 0 {
        return None;
    }
    let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
    let names: Vec<&str> = rest.iter().skip(1).step_by(2).copied().collect();
    Some(format!(
        "{}/{}",
        canonical(&format!("{namespace}/{}", types.join("/"))),
        names.join("/")
    ))
}

/// The id of a resource from its full type and name, as `resourceId()` forms it.
fn id_of(kind: &str, name: &str) -> String {
    let mut values = vec![Value::String(kind.to_compact_string())];
    values.extend(
        name.split('/')
            .map(|n| Value::String(n.to_compact_string())),
    );
    resource_id(&values)
        .as_str()
        .unwrap_or_default()
        .to_string()
}

impl<'f> Resolved<'f, '_> {
    fn collect(
        &mut self,
        scope: &Scope,
        resources: Option<&Node>,
        parent: Option<&Parent>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(resources) = resources else { return };
        // languageVersion 2.0 keys resources by symbolic name.
        let items: Vec<&Node> = match &resources.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            NodeKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
            _ => Vec::new(),
        };
        for node in items {
            if node.get("existing").and_then(|e| match e.kind {
                NodeKind::Bool(b) => Some(b),
                _ => None,
            }) == Some(true)
            {
                continue;
            }
            let copies = node
                .get("copy")
                .map(|c| scope.eval(c.get("count").unwrap_or(c)));
            match copies {
                Some(Value::Number(n)) if n >= 0.0 && (n as usize) <= MAX_COPIES => {
                    for i in 0..n as usize {
                        scope.copy_index.set(Some(i));
                        self.one(scope, node, parent, depth);
                    }
                    scope.copy_index.set(None);
                }
                _ => self.one(scope, node, parent, depth),
            }
        }
    }

    fn one(&mut self, scope: &Scope, node: &Node, parent: Option<&Parent>, depth: usize) {
        if self.resources.len() >= MAX_RESOURCES {
            if !self
                .warnings
                .iter()
                .any(|w| w.message.starts_with("more than"))
            {
                self.warnings.push(Diagnostic {
                    code: Code::TooManyInstances,
                    file: self.file.to_string(),
                    line: node.line,
                    message: format!(
                        "more than {MAX_RESOURCES} resources from one template (nested copy loops); the rest are not read"
                    ),
                });
            }
            return;
        }
        if let Some(condition) = node.get("condition") {
            if scope.eval(condition).as_bool() == Some(false) {
                return;
            }
        }
        let written_type = node.get("type").and_then(Node::as_str).unwrap_or_default();
        let written_name = node.get("name");
        let name_value = written_name.map(|n| scope.eval(n)).unwrap_or(Value::Null);
        let name_text = name_value.to_text().unwrap_or_else(|| {
            written_name
                .and_then(Node::as_str)
                .unwrap_or("?")
                .to_string()
        });
        let (kind, name) = match parent {
            Some(p) if !written_type.contains('.') => (
                format!("{}/{written_type}", p.kind),
                format!("{}/{name_text}", p.name),
            ),
            _ => (written_type.to_string(), name_text),
        };
        // `Microsoft.X/y/providers/diagnosticSettings` nested under a resource is a diagnostic
        // setting of that resource.
        let (kind, name, owner) = match kind.to_ascii_lowercase().find("/providers/") {
            Some(at) => {
                let owner_kind = kind[..at].to_string();
                let owner_segments = owner_kind.matches('/').count();
                let owner_name: Vec<&str> = name.split('/').take(owner_segments).collect();
                let own = name
                    .split('/')
                    .skip(owner_segments + 1)
                    .collect::<Vec<_>>()
                    .join("/");
                (
                    canonical(&format!(
                        "Microsoft.Insights/{}",
                        &kind[at + "/providers/".len()..]
                    )),
                    own,
                    Some(id_of(&owner_kind, &owner_name.join("/"))),
                )
            }
            None => (canonical(&kind), name, None),
        };
        if kind == "Microsoft.Resources/deployments" {
            self.deployment(scope, node, &name, depth);
            return;
        }
        let mut attributes = BTreeMap::new();
        let mut origins = BTreeMap::new();
        for (key, value) in node.entries() {
            if matches!(
                key.as_str(),
                "resources" | "copy" | "dependsOn" | "condition" | "type" | "apiVersion"
            ) {
                continue;
            }
            scope.used_input.set(false);
            attributes.insert(
                key.clone(),
                if key == "name" {
                    Value::String(name.to_compact_string())
                } else {
                    scope.eval(value)
                },
            );
            if scope.used_input.get() {
                origins.insert(key.clone(), Origin::Variable);
            }
        }
        let short = name.rsplit('/').next().unwrap_or(&name).to_string();
        attributes.insert("$name".into(), Value::String(short.into()));
        attributes.insert("$id".into(), Value::String(id_of(&kind, &name).into()));
        if kind.matches('/').count() > 1 {
            // The top-level resource a child belongs to (a protected item's vault).
            let root_kind: String = kind.splitn(3, '/').take(2).collect::<Vec<_>>().join("/");
            let root_name = name.split('/').next().unwrap_or_default();
            attributes.insert(
                "$root".into(),
                Value::String(id_of(&root_kind, root_name).into()),
            );
        }
        if let Some(owner) = owner {
            attributes.insert("$parent".into(), Value::String(owner.into()));
        } else if kind.matches('/').count() > 1 {
            let segments = kind.matches('/').count();
            let parent_kind = kind.rsplit_once('/').map(|(k, _)| k).unwrap_or_default();
            let parent_name: Vec<&str> = name.split('/').take(segments - 1).collect();
            attributes.insert(
                "$parent".into(),
                Value::String(id_of(parent_kind, &parent_name.join("/")).into()),
            );
        }
        if let Some(scope_attr) = attributes.get_mut("scope") {
            // A `scope` written as `Microsoft.X/y/name` (no subscription) is still an id.
            if let Some(s) = scope_attr
                .as_str()
                .filter(|s| !s.starts_with('/') && s.contains('/'))
            {
                *scope_attr = Value::String(compact_str::format_compact!(
                    "/subscriptions/?/resourceGroups/?/providers/{s}"
                ));
            }
        }
        let line = type_line(node);
        self.resources.push(Resource {
            address: format!("{kind}/{name}"),
            kind: kind.as_str().into(),
            // A linked template's resources belong to the deployment that links it.
            scope: self.stack.first().map_or(self.file, String::as_str).into(),
            format: SourceFormat::Arm,
            file: self.file.into(),
            line,
            end_line: node.last_line(),
            attributes: Value::Map(crate::value::map_of(attributes)),
            origins,
            provider: std::sync::Arc::new(ProviderSetting {
                name: "azurerm".into(),
                alias: None,
                region: Value::Null,
                origin: Origin::Literal,
            }),
            placed_by: PlacedBy::Catalog,
        });
        let me = Parent { kind, name };
        self.collect(scope, node.get("resources"), Some(&me), depth + 1);
    }

    /// The location `resourceGroup()` has inside a deployment: the deploying scope's, or, for a
    /// deployment into a named resource group, the location of that group where this
    /// (subscription-level) template creates it; unknown otherwise.
    fn target_group(&self, scope: &Scope, node: &Node, name: &str) -> Value {
        let Some(group) = node.get("resourceGroup").map(|g| scope.eval(g)) else {
            return scope.resource_group.clone();
        };
        let group_name = group.to_text();
        let declared = group_name.as_deref().and_then(|g| {
            self.resources.iter().find(|r| {
                r.kind == "Microsoft.Resources/resourceGroups"
                    && r.attr("$name")
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(g))
            })
        });
        match declared.map(|r| r.attr("location")) {
            Some(location @ Value::String(_)) => location.clone(),
            Some(u @ Value::Unknown(_)) => u.clone(),
            _ => Value::unknown(format!(
                "deployment {name} targets resource group {}, whose location is not in the template",
                group_name.unwrap_or_else(|| "?".into())
            )),
        }
    }

    /// A deployment whose `templateLink.relativePath` names a scanned template: that template's
    /// resources, with the parameters the deployment passes (a linked template always has its
    /// own scope), reported at their own file and line.
    fn linked_template(
        &mut self,
        scope: &Scope,
        node: &Node,
        name: &str,
        file: &'f ArmFile,
        depth: usize,
    ) {
        let line = type_line(node);
        if self.stack.contains(&file.display) || depth > MAX_DEPTH {
            self.warnings.push(Diagnostic {
                code: Code::LinkNotFollowed,
                file: self.file.to_string(),
                line,
                message: format!(
                    "deployment {name} links {} again (a cycle of linked templates); not followed",
                    file.display
                ),
            });
            return;
        }
        let properties = node.get("properties");
        let given = passed_parameters(scope, properties);
        let resource_group = self.target_group(scope, node, name);
        let nested = Scope::new(&file.root, &given, resource_group, None);
        self.secrets.extend(nested.secrets.clone());
        let saved = self.file;
        self.file = &file.display;
        self.stack.push(file.display.clone());
        if !self.used.contains(&file.display) {
            self.used.push(file.display.clone());
        }
        self.collect(&nested, file.root.get("resources"), None, depth + 1);
        self.stack.pop();
        self.file = saved;
    }

    /// An inline nested deployment: its template's resources, evaluated in the outer scope or
    /// (`expressionEvaluationOptions.scope: inner`) with the parameters it is given.
    fn deployment(&mut self, scope: &Scope, node: &Node, name: &str, depth: usize) {
        let line = type_line(node);
        let properties = node.get("properties");
        let Some(template) = properties.and_then(|p| p.get("template")) else {
            let link = properties.and_then(|p| p.get("templateLink"));
            let relative = link
                .and_then(|l| l.get("relativePath"))
                .map(|n| scope.eval(n));
            // `uri(parameters('_artifactsLocation'), 'nested/x.json')` and its forms name a
            // file beside the calling template, as the quickstarts deploy them.
            let beside = link
                .and_then(|l| l.get("uri"))
                .and_then(Node::as_str)
                .and_then(|uri| {
                    artifacts_path(uri).or_else(|| {
                        // `[variables('vnetTemplateUri')]` whose variable is built that way.
                        let name = uri
                            .trim()
                            .strip_prefix("[variables('")?
                            .strip_suffix("')]")?;
                        scope
                            .variables
                            .get(&name.to_ascii_lowercase())
                            .and_then(|n| n.as_str())
                            .and_then(artifacts_path)
                    })
                });
            let local = relative
                .as_ref()
                .and_then(Value::as_str)
                .map(str::to_string)
                .or(beside)
                .map(|r| crate::discover::beside(self.file, &r));
            let linked = local.as_deref().and_then(|path| (self.linked)(path));
            if let Some(file) = linked {
                self.linked_template(scope, node, name, file, depth);
                return;
            }
            if let Some(link) = link {
                let written = link
                    .get("uri")
                    .map(|n| scope.eval(n))
                    .or(relative)
                    .or_else(|| link.get("id").map(|n| scope.eval(n)));
                // The link as written when its value cannot be known, never `?`.
                let target = match written.as_ref().and_then(Value::to_text) {
                    Some(text) if !text.contains('?') => text,
                    _ => link
                        .get("uri")
                        .or_else(|| link.get("relativePath"))
                        .or_else(|| link.get("id"))
                        .and_then(Node::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| "(a link that is not a string)".into()),
                };
                self.warnings.push(Diagnostic {
                    code: Code::LinkNotFollowed,
                    file: self.file.to_string(),
                    line,
                    message: if let Some(path) = &local {
                        format!(
                            "deployment {name} links template {path}, which is not among the scanned files; scan its directory too"
                        )
                    } else {
                        format!(
                            "deployment {name} links template {target}, which residency does not fetch; scan that template's file too"
                        )
                    },
                });
            }
            return;
        };
        // A deployment into another resource group cannot use this one's location.
        let resource_group = self.target_group(scope, node, name);
        let inner = properties
            .and_then(|p| p.get("expressionEvaluationOptions"))
            .and_then(|o| o.get("scope"))
            .and_then(Node::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        if inner {
            let given = passed_parameters(scope, properties);
            let nested = Scope::new(template, &given, resource_group, None);
            self.secrets.extend(nested.secrets.clone());
            self.collect(&nested, template.get("resources"), None, depth + 1);
        } else {
            let nested = Scope::new(template, &HashMap::default(), resource_group, Some(scope));
            self.collect(&nested, template.get("resources"), None, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::load_json;

    fn scope_with(params: &str, rg: Option<&str>) -> (Node, HashMap<String, Value>, Value) {
        let root = load_json(params).unwrap();
        let rg = rg.map_or(Value::unknown(RG_UNKNOWN), |l| Value::String(l.into()));
        (root, HashMap::default(), rg)
    }

    #[test]
    fn expressions() {
        let (root, given, rg) = scope_with(
            r#"{"parameters":{"prefix":{"type":"string","defaultValue":"Mail"},
                "location":{"type":"string","defaultValue":"[resourceGroup().location]"}},
               "variables":{"name":"[toLower(concat(parameters('prefix'), '-', 'store'))]",
                "sku":"[if(equals(parameters('prefix'), 'mail'), 'Standard_GRS', 'Standard_LRS')]"}}"#,
            Some("westeurope"),
        );
        let scope = Scope::new(&root, &given, rg, None);
        assert_eq!(
            scope.eval_text("[variables('name')]"),
            Value::String("mail-store".into())
        );
        assert_eq!(
            scope.eval_text("[parameters('location')]"),
            Value::String("westeurope".into())
        );
        assert_eq!(
            scope.eval_text("[variables('sku')]"),
            Value::String("Standard_GRS".into())
        );
        assert_eq!(
            scope.eval_text("[format('{0}-{1}', 'a', 2)]"),
            Value::String("a-2".into())
        );
        assert_eq!(
            scope.eval_text("[['literal']"),
            Value::String("['literal']".into())
        );
        assert_eq!(
            scope.eval_text("[resourceId('Microsoft.Sql/servers/databases', 'srv', 'db')]"),
            Value::String("/subscriptions/?/resourceGroups/?/providers/Microsoft.Sql/servers/srv/databases/db".into())
        );
        assert_eq!(
            scope.eval_text("[createArray('a','b')[1]]"),
            Value::String("b".into())
        );
        assert_eq!(scope.eval_text("['it''s']"), Value::String("it's".into()));
        assert!(scope
            .eval_text("[uniqueString(resourceGroup().id)]")
            .is_unknown());
        assert!(scope.eval_text("[concat('a']").is_unknown());
        assert_eq!(
            scope.eval_text("[not json"),
            Value::String("[not json".into())
        );
    }

    #[test]
    fn property_and_variable_copy_loops() {
        let root = load_json(
            r#"{"parameters":{"regions":{"type":"array","defaultValue":["West Europe","North Europe"]}},
               "variables":{"copy":[{"name":"names","count":2,"input":"[concat('n', copyIndex('names'))]"}]}}"#,
        )
        .unwrap();
        let scope = Scope::new(&root, &HashMap::default(), Value::unknown(RG_UNKNOWN), None);
        assert_eq!(
            scope.eval_text("[variables('names')]"),
            Value::List([Value::String("n0".into()), Value::String("n1".into())].into())
        );
        let props = load_json(
            r#"{"copy":[{"name":"locations","count":"[length(parameters('regions'))]",
                "input":{"locationName":"[parameters('regions')[copyIndex('locations')]]","failoverPriority":"[copyIndex('locations')]"}}]}"#,
        )
        .unwrap();
        let value = scope.eval(&props);
        let locations = value.get("locations").items();
        assert_eq!(locations.len(), 2);
        assert_eq!(
            locations[1].get("locationName").as_str(),
            Some("North Europe")
        );
        assert_eq!(locations[1].get("failoverPriority"), &Value::Number(1.0));
    }

    #[test]
    fn resource_group_location_unknown_without_the_option() {
        let (root, given, rg) = scope_with(r#"{}"#, None);
        let scope = Scope::new(&root, &given, rg, None);
        assert_eq!(
            scope
                .eval_text("[resourceGroup().location]")
                .unknown_reason(),
            Some(RG_UNKNOWN)
        );
    }
}
