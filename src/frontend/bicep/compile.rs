//! A Bicep file compiled into the ARM template tree `bicep build` would write (or, for a
//! `.bicepparam` file, the ARM parameter file), each node at its Bicep line, so that the ARM
//! front end resolves it with ARM's rules and reports the Bicep file's lines.

use super::expr::{self, literal_string, property_value, quote, Env, Loop, Names, Symbol};
use super::syntax::{child_of_kind, has_token, line, named_children, text};
use crate::diag::{Code, Diagnostic};
use crate::syntax::tree::{Node as ArmNode, NodeKind};
use tree_sitter::{Node, Tree};

/// The compiled document and what could not be compiled.
pub struct Compiled {
    pub root: ArmNode,
    pub warnings: Vec<Diagnostic>,
    /// For a `.bicepparam` file, the template its `using` names (a report path).
    pub using: Option<String>,
}

const TEMPLATE_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
const SUBSCRIPTION_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
const PARAMETERS_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#";

fn node(line: usize, kind: NodeKind) -> ArmNode {
    ArmNode { line, kind }
}

fn string(line: usize, text: impl Into<String>) -> ArmNode {
    node(line, NodeKind::String(text.into()))
}

fn map(line: usize, entries: Vec<(&str, ArmNode)>) -> ArmNode {
    node(
        line,
        NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
    )
}

/// A template expression as ARM writes it in a string: `[expr]`.
fn expression(line: usize, arm: String) -> ArmNode {
    string(line, format!("[{arm}]"))
}

struct Compiler<'t> {
    source: &'t str,
    display: &'t str,
    names: Names<'t>,
    warnings: Vec<Diagnostic>,
}

/// One top-level statement with the decorators written above it.
struct Statement<'t> {
    node: Node<'t>,
    decorators: Vec<Node<'t>>,
}

pub fn compile(
    tree: &Tree,
    source: &str,
    display: &str,
    params_file: bool,
) -> Result<Compiled, Diagnostic> {
    let root = tree.root_node();
    let mut statements = Vec::new();
    let mut decorators = Vec::new();
    for child in named_children(root) {
        if child.kind() == "decorators" {
            decorators.extend(
                named_children(child)
                    .into_iter()
                    .filter(|d| d.kind() == "decorator"),
            );
            continue;
        }
        statements.push(Statement {
            node: child,
            decorators: std::mem::take(&mut decorators),
        });
    }
    let mut compiler = Compiler {
        source,
        display,
        names: Names::default(),
        warnings: Vec::new(),
    };
    compiler.declare(&statements, None);
    if params_file {
        return Ok(compiler.parameters_file(&statements));
    }
    Ok(compiler.template(&statements))
}

impl<'t> Compiler<'t> {
    fn text(&self, node: Node) -> &'t str {
        text(node, self.source)
    }

    /// The name a declaration declares (its first identifier).
    fn declared_name(&self, node: Node) -> Option<&'t str> {
        child_of_kind(node, "identifier").map(|n| self.text(n))
    }

    /// Records every declared name first: Bicep lets a declaration use one written below it.
    fn declare(&mut self, statements: &[Statement<'t>], parent: Option<(&str, &str)>) {
        for statement in statements {
            let n = statement.node;
            let Some(name) = self.declared_name(n) else {
                continue;
            };
            match n.kind() {
                "parameter_declaration" => {
                    self.names.params.insert(name.to_string());
                }
                "variable_declaration" => {
                    self.names.vars.insert(name.to_string());
                }
                "module_declaration" => {
                    self.names.modules.insert(name.to_string());
                }
                "resource_declaration" => self.declare_resource(n, name, parent),
                _ => {}
            }
        }
    }

    fn declare_resource(&mut self, n: Node<'t>, name: &str, parent: Option<(&str, &str)>) {
        let written = child_of_kind(n, "string")
            .and_then(|s| literal_string(s, self.source))
            .unwrap_or_default();
        let written_type = written.split('@').next().unwrap_or_default().to_string();
        let (body, looped) = self.body_and_loop(n);
        // A nested resource's type is relative to its parent's; `parent:` names the parent.
        let parent_symbol = parent.map(|(p, _)| p.to_string()).or_else(|| {
            body.and_then(|b| property_value(b, "parent", self.source))
                .and_then(|p| {
                    self.names.symbol_of(p, self.source).or_else(|| {
                        // The parent may be declared below; its name is the identifier.
                        (p.kind() == "identifier").then(|| self.text(p).to_string())
                    })
                })
        });
        let kind = match parent {
            Some((_, parent_kind)) if !written_type.contains('.') => {
                format!("{parent_kind}/{written_type}")
            }
            _ => written_type,
        };
        self.names.resources.insert(
            name.to_string(),
            Symbol {
                kind: kind.clone(),
                body,
                parent: parent_symbol,
                looped,
            },
        );
        // Nested resources are declared inside the body's properties.
        if let Some(object) = body.and_then(|b| {
            if b.kind() == "object" {
                Some(b)
            } else {
                child_of_kind(b, "object")
            }
        }) {
            let nested: Vec<Statement<'t>> = named_children(object)
                .into_iter()
                .filter(|p| p.kind() == "object_property")
                .filter_map(|p| child_of_kind(p, "resource_declaration"))
                .map(|node| Statement {
                    node,
                    decorators: Vec::new(),
                })
                .collect();
            self.declare(&nested, Some((name, &kind)));
        }
    }

    /// Binds a `for` loop's item and index names to ARM's `copyIndex()` and returns the
    /// `copy` block that repeats the declaration over the collection.
    fn bind_loop(&self, each: &Loop<'t>, name: &str, l: usize, env: &mut Env) -> ArmNode {
        let collection = self.expr(each.collection, env);
        if let Some(item) = &each.item {
            env.push((item.clone(), format!("{collection}[copyIndex()]")));
        }
        if let Some(index) = &each.index {
            env.push((index.clone(), "copyIndex()".into()));
        }
        map(
            l,
            vec![
                ("name", string(l, name)),
                ("count", expression(l, format!("length({collection})"))),
            ],
        )
    }

    /// A body's condition (for `if (...) { ... }`) and its object.
    fn condition_and_object(
        &self,
        body: Node<'t>,
        env: &Env,
    ) -> (Option<String>, Option<Node<'t>>) {
        match body.kind() {
            "if_statement" => (
                named_children(body)
                    .into_iter()
                    .find(|c| c.kind() != "object")
                    .map(|c| self.expr(c, env)),
                child_of_kind(body, "object"),
            ),
            _ => (None, Some(body)),
        }
    }

    /// A declaration's body (the object, or the `if` around it) and its `for` loop.
    fn body_and_loop(&self, n: Node<'t>) -> (Option<Node<'t>>, Option<Loop<'t>>) {
        if let Some(object) = child_of_kind(n, "object") {
            return (Some(object), None);
        }
        if let Some(condition) = child_of_kind(n, "if_statement") {
            return (Some(condition), None);
        }
        let Some(for_statement) = child_of_kind(n, "for_statement") else {
            return (None, None);
        };
        (
            for_statement.child_by_field_name("body"),
            self.loop_of(for_statement),
        )
    }

    /// `for x in xs`, `for (x, i) in xs`, `for i in range(0, n)`.
    fn loop_of(&self, for_statement: Node<'t>) -> Option<Loop<'t>> {
        let parts = named_children(for_statement);
        let (item, index) = match for_statement.child_by_field_name("initializer") {
            Some(init) if init.kind() != "for_loop_parameters" => {
                (Some(self.text(init).to_string()), None)
            }
            _ => match child_of_kind(for_statement, "for_loop_parameters") {
                Some(params) => (
                    child_of_kind(params, "loop_variable").map(|v| self.text(v).to_string()),
                    child_of_kind(params, "loop_enumerator").map(|v| self.text(v).to_string()),
                ),
                None => (None, None),
            },
        };
        let body = for_statement.child_by_field_name("body");
        // The collection: the expression after `in`, before the body.
        let collection = parts.into_iter().find(|p| {
            Some(p.id()) != body.map(|b| b.id())
                && !matches!(
                    p.kind(),
                    "for_loop_parameters" | "loop_variable" | "loop_enumerator"
                )
                && Some(p.id())
                    != for_statement
                        .child_by_field_name("initializer")
                        .map(|i| i.id())
        })?;
        Some(Loop {
            item,
            index,
            collection,
        })
    }

    fn expr(&self, n: Node<'t>, env: &Env) -> String {
        self.names.expr(n, self.source, env, 0)
    }

    /// A Bicep value as the ARM JSON `bicep build` writes: literals stay literals, objects and
    /// arrays stay objects and arrays (a `for` inside an object becomes a property `copy`
    /// loop), anything else is a `[...]` expression.
    fn value(&self, n: Node<'t>, env: &Env, depth: usize) -> ArmNode {
        let l = line(n);
        if depth > expr::MAX_DEPTH {
            return expression(l, expr::unknown("the value nests too deeply"));
        }
        match n.kind() {
            "string" => match literal_string(n, self.source) {
                // A literal that starts with `[` is escaped as ARM escapes it.
                Some(s) if s.starts_with('[') => string(l, format!("[{s}")),
                Some(s) => string(l, s),
                None => expression(l, self.expr(n, env)),
            },
            "number" => match self.text(n).parse::<f64>() {
                Ok(v) => node(l, NodeKind::Number(v)),
                Err(_) => expression(l, self.expr(n, env)),
            },
            "boolean" => node(l, NodeKind::Bool(self.text(n) == "true")),
            "null" => node(l, NodeKind::Null),
            "array" => node(
                l,
                NodeKind::Seq(
                    named_children(n)
                        .into_iter()
                        .map(|i| self.value(i, env, depth + 1))
                        .collect(),
                ),
            ),
            "object" => self.object(n, env, depth),
            _ => expression(l, self.expr(n, env)),
        }
    }

    fn object(&self, n: Node<'t>, env: &Env, depth: usize) -> ArmNode {
        let mut entries = Vec::new();
        let mut loops = Vec::new();
        for property in named_children(n) {
            if property.kind() != "object_property" {
                continue;
            }
            let parts = named_children(property);
            let [key, value, ..] = parts.as_slice() else {
                continue;
            };
            if value.kind() == "resource_declaration" || key.kind() == "resource_declaration" {
                continue;
            }
            let key = self.names.key(*key, self.source);
            match self.for_array(*value) {
                Some(for_statement) => {
                    loops.push(self.copy_loop(&key, for_statement, env, depth));
                }
                None => entries.push((key, self.value(*value, env, depth + 1))),
            }
        }
        if !loops.is_empty() {
            entries.push(("copy".to_string(), node(line(n), NodeKind::Seq(loops))));
        }
        node(line(n), NodeKind::Map(entries))
    }

    /// The `for` of `[for x in xs: ...]`.
    fn for_array(&self, n: Node<'t>) -> Option<Node<'t>> {
        if n.kind() == "for_statement" {
            return Some(n);
        }
        if n.kind() != "array" {
            return None;
        }
        match named_children(n).as_slice() {
            [only] if only.kind() == "for_statement" => Some(*only),
            _ => None,
        }
    }

    /// A property or variable `copy` loop: `{name, count, input}` with the loop variables
    /// bound to `collection[copyIndex('name')]`.
    fn copy_loop(&self, name: &str, for_statement: Node<'t>, env: &Env, depth: usize) -> ArmNode {
        let l = line(for_statement);
        let Some(each) = self.loop_of(for_statement) else {
            return map(l, vec![("name", string(l, name))]);
        };
        let collection = self.expr(each.collection, env);
        let at = format!("copyIndex({})", quote(name));
        let mut inner = env.clone();
        if let Some(item) = &each.item {
            inner.push((item.clone(), format!("{collection}[{at}]")));
        }
        if let Some(index) = &each.index {
            inner.push((index.clone(), at));
        }
        let body = for_statement.child_by_field_name("body");
        // `[for x in xs: if (c) value]`: a filter ARM has no loop form for.
        let input = match body {
            Some(b) if b.kind() == "if_statement" => {
                expression(l, expr::unknown("a filtered for-expression"))
            }
            Some(b) => self.value(b, &inner, depth + 1),
            None => expression(l, expr::unknown("an empty loop")),
        };
        map(
            l,
            vec![
                ("name", string(l, name)),
                ("count", expression(l, format!("length({collection})"))),
                ("input", input),
            ],
        )
    }

    fn template(mut self, statements: &[Statement<'t>]) -> Compiled {
        let mut schema = TEMPLATE_SCHEMA;
        let mut parameters = Vec::new();
        let mut variables = Vec::new();
        let mut variable_loops = Vec::new();
        let mut resources = Vec::new();
        let mut outputs = Vec::new();
        let env = Env::new();
        for statement in statements {
            let n = statement.node;
            let l = line(n);
            let name = self.declared_name(n).unwrap_or_default().to_string();
            match n.kind() {
                "target_scope_assignment" => {
                    let scope = child_of_kind(n, "string")
                        .and_then(|s| literal_string(s, self.source))
                        .unwrap_or_default();
                    if scope == "subscription" {
                        schema = SUBSCRIPTION_SCHEMA;
                    }
                }
                "parameter_declaration" => {
                    parameters.push((name, self.parameter(n, &statement.decorators)));
                }
                "variable_declaration" => {
                    let Some(value) = named_children(n).into_iter().nth(1) else {
                        continue;
                    };
                    match self.for_array(value) {
                        Some(for_statement) => {
                            variable_loops.push(self.copy_loop(&name, for_statement, &env, 0));
                        }
                        None => variables.push((name, self.value(value, &env, 0))),
                    }
                }
                "resource_declaration" => {
                    self.resource(n, &name, None, &mut resources);
                }
                "module_declaration" => {
                    if let Some(deployment) = self.module(n, &name) {
                        resources.push(deployment);
                    }
                }
                "output_declaration" => {
                    if let Some(value) = named_children(n).last() {
                        let compiled = self.value(*value, &env, 0);
                        outputs.push((name, map(l, vec![("value", compiled)])));
                    }
                }
                "import_statement" | "import_with_statement" | "import_functionality" => {
                    self.warnings.push(Diagnostic::new(
                        Code::LinkNotFollowed,
                        l,
                        format!(
                            "`{}` is not followed; what it imports is unknown",
                            self.text(n).lines().next().unwrap_or_default()
                        ),
                    ));
                }
                _ => {}
            }
        }
        if !variable_loops.is_empty() {
            variables.push(("copy".to_string(), node(1, NodeKind::Seq(variable_loops))));
        }
        let entries = |list: Vec<(String, ArmNode)>| node(1, NodeKind::Map(list));
        Compiled {
            root: map(
                1,
                vec![
                    ("$schema", string(1, schema)),
                    ("contentVersion", string(1, "1.0.0.0")),
                    ("parameters", entries(parameters)),
                    ("variables", entries(variables)),
                    ("resources", node(1, NodeKind::Seq(resources))),
                    ("outputs", entries(outputs)),
                ],
            ),
            warnings: self.warnings,
            using: None,
        }
    }

    /// `param name type = default`, with `@secure()` as ARM's secure types.
    fn parameter(&self, n: Node<'t>, decorators: &[Node<'t>]) -> ArmNode {
        let l = line(n);
        let parts = named_children(n);
        let written_type = parts
            .iter()
            .find(|p| p.kind() == "type")
            .map(|t| self.text(*t).trim().to_string())
            .unwrap_or_else(|| "string".into());
        let secure = decorators.iter().any(|d| {
            let t = self.text(*d);
            t.starts_with("@secure") || t.starts_with("@sys.secure")
        });
        let arm_type = match (written_type.as_str(), secure) {
            ("string", true) => "securestring",
            ("object", true) => "secureObject",
            ("int", _) => "int",
            ("bool", _) => "bool",
            ("array", _) => "array",
            ("object", _) => "object",
            _ => "string",
        };
        let mut entries = vec![("type", string(l, arm_type))];
        // The default is the last part after the name and type.
        if let Some(default) = parts.iter().skip(1).rfind(|p| p.kind() != "type") {
            entries.push(("defaultValue", self.value(*default, &Env::new(), 0)));
        }
        map(l, entries)
    }

    /// A resource (and its nested children), as ARM resources appended to `out`.
    fn resource(
        &mut self,
        n: Node<'t>,
        name: &str,
        parent_env: Option<&Env>,
        out: &mut Vec<ArmNode>,
    ) {
        let l = line(n);
        let Some(symbol) = self.names.resources.get(name).cloned() else {
            return;
        };
        let written = child_of_kind(n, "string")
            .and_then(|s| literal_string(s, self.source))
            .unwrap_or_default();
        let api = written.split('@').nth(1).unwrap_or_default().to_string();
        let existing = has_token(n, "existing");
        let mut env = parent_env.cloned().unwrap_or_default();
        let copy = symbol
            .looped
            .as_ref()
            .map(|each| self.bind_loop(each, name, l, &mut env));
        let Some(body) = symbol.body else { return };
        let (condition, object) = self.condition_and_object(body, &env);
        let Some(object) = object else { return };
        let mut entries: Vec<(String, ArmNode)> = vec![
            ("type".into(), string(l, symbol.kind.clone())),
            ("apiVersion".into(), string(l, api)),
            (
                "name".into(),
                expression(l, self.names.name_of(name, self.source, &env, None, 0))
                    .with_line(property_value(object, "name", self.source).map_or(l, line)),
            ),
        ];
        if existing {
            entries.push(("existing".into(), node(l, NodeKind::Bool(true))));
        }
        if let Some(condition) = condition {
            entries.push(("condition".into(), expression(l, condition)));
        }
        if let Some(copy) = copy {
            entries.push(("copy".into(), copy));
        }
        let compiled = self.object(object, &env, 0);
        if let NodeKind::Map(properties) = compiled.kind {
            for (key, value) in properties {
                match key.as_str() {
                    "name" | "parent" | "dependsOn" => {}
                    // `scope: resourceGroup(...)` on an existing resource says where it is,
                    // which ARM does not write as a property.
                    "scope"
                        if value
                            .as_str()
                            .is_some_and(|s| s.starts_with("[resourceGroup(")) => {}
                    _ => entries.push((key, value)),
                }
            }
        }
        out.push(node(l, NodeKind::Map(entries)));
        // Nested resources follow their parent, with the parent's loop variables bound.
        for property in named_children(object) {
            if let Some(child) = child_of_kind(property, "resource_declaration") {
                if let Some(child_name) = self.declared_name(child) {
                    let child_name = child_name.to_string();
                    self.resource(child, &child_name, Some(&env), out);
                }
            }
        }
    }

    /// A module: a deployment that links the module file by relative path, with its
    /// parameters; a registry or template-spec module is a warning.
    fn module(&mut self, n: Node<'t>, name: &str) -> Option<ArmNode> {
        let l = line(n);
        let path = child_of_kind(n, "string").and_then(|s| literal_string(s, self.source))?;
        if path.starts_with("br:")
            || path.starts_with("br/")
            || path.starts_with("ts:")
            || path.starts_with("ts/")
        {
            self.warnings.push(Diagnostic::new(
                Code::LinkNotFollowed,
                l,
                format!(
                    "module {name} comes from a registry ({path}), which residency does not fetch; its resources are not scanned (scan the template `bicep build` writes, which holds it, in a directory of its own: `bicep build main.bicep --outdir built`)"
                ),
            ));
            return None;
        }
        let (body, looped) = self.body_and_loop(n);
        let body = body?;
        let mut env = Env::new();
        let copy = looped
            .as_ref()
            .map(|each| self.bind_loop(each, name, l, &mut env));
        let (condition, object) = self.condition_and_object(body, &env);
        let object = object?;
        let deployment_name = match property_value(object, "name", self.source) {
            Some(v) => self.expr(v, &env),
            None => quote(name),
        };
        let mut parameters = Vec::new();
        if let Some(params) = property_value(object, "params", self.source) {
            if let NodeKind::Map(entries) = self.object(params, &env, 0).kind {
                for (key, value) in entries {
                    let vl = value.line;
                    parameters.push((key, map(vl, vec![("value", value)])));
                }
            }
        }
        let mut entries: Vec<(String, ArmNode)> = vec![
            ("type".into(), string(l, "Microsoft.Resources/deployments")),
            ("apiVersion".into(), string(l, "2022-09-01")),
            ("name".into(), expression(l, deployment_name)),
        ];
        if let Some(condition) = condition {
            entries.push(("condition".into(), expression(l, condition)));
        }
        if let Some(copy) = copy {
            entries.push(("copy".into(), copy));
        }
        // `scope: resourceGroup('name')` (or a resource group declared here) deploys into
        // that group.
        if let Some(scope) = property_value(object, "scope", self.source) {
            if let Some(group) = self.resource_group_of(scope, &env) {
                entries.push(("resourceGroup".into(), expression(line(scope), group)));
            }
        }
        entries.push((
            "properties".into(),
            map(
                l,
                vec![
                    ("mode", string(l, "Incremental")),
                    (
                        "expressionEvaluationOptions",
                        map(l, vec![("scope", string(l, "inner"))]),
                    ),
                    (
                        "templateLink",
                        map(l, vec![("relativePath", string(l, path))]),
                    ),
                    ("parameters", node(l, NodeKind::Map(parameters))),
                ],
            ),
        ));
        Some(node(l, NodeKind::Map(entries)))
    }

    /// The resource group a module's `scope` names: `resourceGroup('rg')`,
    /// `resourceGroup(subscriptionId, 'rg')`, or a declared resource group `rg`.
    fn resource_group_of(&self, scope: Node<'t>, env: &Env) -> Option<String> {
        match scope.kind() {
            "call_expression" => {
                let function = scope.child_by_field_name("function")?;
                let name = self.text(function);
                if !name.ends_with("resourceGroup") {
                    return None;
                }
                let args: Vec<Node<'t>> = scope
                    .child_by_field_name("arguments")
                    .map(named_children)
                    .unwrap_or_default();
                args.last().map(|a| self.expr(*a, env))
            }
            "identifier" => {
                let symbol = self.names.resources.get(self.text(scope))?;
                symbol
                    .kind
                    .eq_ignore_ascii_case("Microsoft.Resources/resourceGroups")
                    .then(|| {
                        self.names
                            .name_of(self.text(scope), self.source, env, None, 0)
                    })
            }
            _ => None,
        }
    }

    /// A `.bicepparam` file: `using './main.bicep'` and `param x = value`, as the ARM parameter
    /// file of that template.
    fn parameters_file(mut self, statements: &[Statement<'t>]) -> Compiled {
        let mut using = None;
        let mut parameters = Vec::new();
        let env = Env::new();
        for statement in statements {
            let n = statement.node;
            match n.kind() {
                "using_statement" => {
                    using = child_of_kind(n, "string")
                        .and_then(|s| literal_string(s, self.source))
                        .map(|path| crate::discover::beside(self.display, &path));
                }
                "variable_declaration" => {
                    let parts = named_children(n);
                    if let (Some(name), Some(value)) = (parts.first(), parts.last()) {
                        if parts.len() >= 2 {
                            let compiled = self.value(*value, &env, 0);
                            parameters.push((
                                self.text(*name).to_string(),
                                map(compiled.line, vec![("value", compiled)]),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        if using.is_none() {
            self.warnings.push(Diagnostic::new(
                Code::UnmatchedParameters,
                1,
                "this Bicep parameter file has no `using` statement, so no template takes its values",
            ));
        }
        Compiled {
            root: map(
                1,
                vec![
                    ("$schema", string(1, PARAMETERS_SCHEMA)),
                    ("contentVersion", string(1, "1.0.0.0")),
                    ("parameters", node(1, NodeKind::Map(parameters))),
                ],
            ),
            warnings: self.warnings,
            using,
        }
    }
}

trait WithLine {
    fn with_line(self, line: usize) -> Self;
}

impl WithLine for ArmNode {
    fn with_line(mut self, line: usize) -> Self {
        self.line = line;
        self
    }
}
