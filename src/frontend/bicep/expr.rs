//! Bicep expressions as ARM template expressions, as `bicep build` writes them: `prefix` is
//! `parameters('prefix')` or `variables('prefix')`, `'${a}-mail'` is `concat(parameters('a'),
//! '-mail')`, `c ? a : b` is `if(c, a, b)`, `a == b` is `equals(a, b)`, `storage.id` is
//! `resourceId('Microsoft.Storage/storageAccounts', <its name>)`, `storage.location` is the
//! location the resource declares. Anything the ARM evaluator cannot know (a deployed
//! resource's properties, a module's outputs, lambdas) becomes a call it reports as unknown,
//! with the reason.

use super::syntax::{child_of_kind, named_children, text};
use crate::hash::{HashMap, HashSet};
use tree_sitter::Node;

/// Expressions nest at most this deep (a hostile file cannot exhaust the stack).
pub const MAX_DEPTH: usize = 200;

/// A declared resource, by its symbolic name.
#[derive(Clone)]
pub struct Symbol<'t> {
    /// The full type (`Microsoft.Storage/storageAccounts/blobServices`).
    pub kind: String,
    /// Its body (the object after `=`), for its name and location.
    pub body: Option<Node<'t>>,
    /// The symbolic name of its parent (nested, or `parent:`).
    pub parent: Option<String>,
    /// `for item in collection` (with `(item, index)`), when the resource is a loop.
    pub looped: Option<Loop<'t>>,
}

/// A `for` loop's variables and collection.
#[derive(Clone)]
pub struct Loop<'t> {
    pub item: Option<String>,
    pub index: Option<String>,
    pub collection: Node<'t>,
}

/// Loop variables in scope, innermost last: name and the ARM text it stands for.
pub type Env = Vec<(String, String)>;

/// Every name a Bicep file declares.
#[derive(Default)]
pub struct Names<'t> {
    pub params: HashSet<String>,
    pub vars: HashSet<String>,
    pub resources: HashMap<String, Symbol<'t>>,
    pub modules: HashSet<String>,
}

/// An ARM string literal.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The value of a Bicep string that has no interpolation, escapes resolved; `None` when it
/// interpolates.
pub fn literal_string(node: Node, source: &str) -> Option<String> {
    let mut out = String::new();
    for part in named_children(node) {
        match part.kind() {
            "string_content" => out.push_str(text(part, source)),
            "escape_sequence" => out.push_str(&unescape(text(part, source))),
            "interpolation" => return None,
            _ => {}
        }
    }
    if named_children(node).is_empty() {
        // A multi-line string ('''...''') keeps its text verbatim.
        let raw = text(node, source);
        if let Some(inner) = raw.strip_prefix("'''").and_then(|r| r.strip_suffix("'''")) {
            return Some(inner.trim_start_matches(['\r', '\n']).to_string());
        }
    }
    Some(out)
}

fn unescape(escape: &str) -> String {
    match escape {
        "\\n" => "\n".into(),
        "\\r" => "\r".into(),
        "\\t" => "\t".into(),
        "\\\\" => "\\".into(),
        "\\'" => "'".into(),
        "\\$" => "$".into(),
        other => other
            .strip_prefix("\\u{")
            .and_then(|h| h.strip_suffix('}'))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
            .map_or_else(|| other.to_string(), |c| c.to_string()),
    }
}

impl<'t> Names<'t> {
    /// The ARM expression (without brackets) for a Bicep expression.
    pub fn expr(&self, node: Node<'t>, source: &'t str, env: &Env, depth: usize) -> String {
        if depth > MAX_DEPTH {
            return unknown("the expression nests too deeply");
        }
        let sub = |n: Node<'t>| self.expr(n, source, env, depth + 1);
        match node.kind() {
            "string" => match literal_string(node, source) {
                Some(s) => quote(&s),
                // `'${a}-mail'` is `format('{0}-mail', a)`, as `bicep build` writes it.
                None => {
                    let mut pattern = String::new();
                    let mut args = Vec::new();
                    for part in named_children(node) {
                        let literal = match part.kind() {
                            "string_content" => text(part, source).to_string(),
                            "escape_sequence" => unescape(text(part, source)),
                            "interpolation" => {
                                pattern.push_str(&format!("{{{}}}", args.len()));
                                args.push(named_children(part).first().map_or_else(
                                    || unknown("an empty interpolation"),
                                    |e| sub(*e),
                                ));
                                continue;
                            }
                            _ => continue,
                        };
                        pattern.push_str(&literal.replace('{', "{{").replace('}', "}}"));
                    }
                    format!("format({}, {})", quote(&pattern), args.join(", "))
                }
            },
            "number" => text(node, source).to_string(),
            "boolean" => format!("{}()", text(node, source)),
            "null" => "null()".into(),
            "identifier" | "compatible_identifier" => {
                let name = text(node, source);
                let shadowed = env.iter().any(|(n, _)| n == name);
                if !shadowed && self.resources.contains_key(name) {
                    // A resource used as a value is its id (`scope: storage`).
                    return self.resource_reference(name, source, env, None, depth);
                }
                self.identifier(name, env)
            }
            "parenthesized_expression" => named_children(node)
                .first()
                .map_or_else(|| unknown("empty parentheses"), |e| sub(*e)),
            "array" => {
                let items: Vec<String> = named_children(node).into_iter().map(sub).collect();
                format!("createArray({})", items.join(", "))
            }
            "object" => {
                let mut args = Vec::new();
                for property in named_children(node) {
                    if property.kind() != "object_property" {
                        continue;
                    }
                    let parts = named_children(property);
                    if let [key, value, ..] = parts.as_slice() {
                        args.push(quote(&self.key(*key, source)));
                        args.push(sub(*value));
                    }
                }
                format!("createObject({})", args.join(", "))
            }
            "ternary_expression" => {
                let field = |f: &str| node.child_by_field_name(f);
                match (
                    field("condition"),
                    field("consequence"),
                    field("alternative"),
                ) {
                    (Some(c), Some(a), Some(b)) => {
                        format!("if({}, {}, {})", sub(c), sub(a), sub(b))
                    }
                    _ => unknown("an incomplete conditional"),
                }
            }
            "binary_expression" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return unknown("an incomplete operation");
                };
                let operator = node
                    .child_by_field_name("operator")
                    .map(|o| text(o, source))
                    .unwrap_or_default();
                let (l, r) = (sub(left), sub(right));
                match operator {
                    "==" => format!("equals({l}, {r})"),
                    "!=" => format!("not(equals({l}, {r}))"),
                    "=~" => format!("equals(toLower({l}), toLower({r}))"),
                    "!~" => format!("not(equals(toLower({l}), toLower({r})))"),
                    "&&" => format!("and({l}, {r})"),
                    "||" => format!("or({l}, {r})"),
                    "<" => format!("less({l}, {r})"),
                    "<=" => format!("lessOrEquals({l}, {r})"),
                    ">" => format!("greater({l}, {r})"),
                    ">=" => format!("greaterOrEquals({l}, {r})"),
                    "+" => format!("add({l}, {r})"),
                    "-" => format!("sub({l}, {r})"),
                    "*" => format!("mul({l}, {r})"),
                    "/" => format!("div({l}, {r})"),
                    "%" => format!("mod({l}, {r})"),
                    "??" => format!("coalesce({l}, {r})"),
                    other => unknown(&format!("the operator {other}")),
                }
            }
            "unary_expression" => {
                let Some(argument) = node.child_by_field_name("argument") else {
                    return unknown("an incomplete operation");
                };
                let operator = node
                    .child_by_field_name("operator")
                    .map(|o| text(o, source))
                    .unwrap_or_default();
                match operator {
                    "!" => format!("not({})", sub(argument)),
                    "-" => format!("sub(0, {})", sub(argument)),
                    _ => sub(argument),
                }
            }
            "call_expression" => self.call(node, source, env, depth),
            "member_expression" => self.member(node, source, env, depth),
            "subscript_expression" => {
                let (Some(object), Some(index)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("index"),
                ) else {
                    return unknown("an incomplete index");
                };
                // `storages[i]`: one instance of a resource loop.
                if let Some(symbol) = self.symbol_of(object, source) {
                    return self.resource_reference(&symbol, source, env, Some(sub(index)), depth);
                }
                format!("{}[{}]", sub(object), sub(index))
            }
            "resource_expression" => match self.symbol_of(node, source) {
                Some(symbol) => self.resource_reference(&symbol, source, env, None, depth),
                None => unknown("a child resource that is not declared"),
            },
            "for_statement" => unknown("a for-expression outside a property, variable or resource"),
            "lambda_expression" => unknown("a lambda"),
            "ERROR" => unknown("Bicep that could not be read"),
            other => unknown(&format!("a {other}")),
        }
    }

    /// An object key: an identifier or a string.
    pub fn key(&self, node: Node<'t>, source: &'t str) -> String {
        match node.kind() {
            "string" => literal_string(node, source).unwrap_or_default(),
            _ => text(node, source).to_string(),
        }
    }

    fn identifier(&self, name: &str, env: &Env) -> String {
        if let Some((_, arm)) = env.iter().rev().find(|(n, _)| n == name) {
            return arm.clone();
        }
        if self.params.contains(name) {
            return format!("parameters({})", quote(name));
        }
        if self.vars.contains(name) {
            return format!("variables({})", quote(name));
        }
        if self.modules.contains(name) {
            return unknown(&format!("module {name} is known only at deployment"));
        }
        unknown(&format!("{name} is not declared"))
    }

    /// The symbol an expression names directly (`storage`, `storage::blob`).
    pub fn symbol_of(&self, node: Node<'t>, source: &'t str) -> Option<String> {
        match node.kind() {
            "identifier" => {
                let name = text(node, source);
                self.resources.contains_key(name).then(|| name.to_string())
            }
            "resource_expression" => {
                let child = node.child_by_field_name("resource")?;
                let name = text(child, source);
                self.resources.contains_key(name).then(|| name.to_string())
            }
            _ => None,
        }
    }

    fn call(&self, node: Node<'t>, source: &'t str, env: &Env, depth: usize) -> String {
        let function = node.child_by_field_name("function");
        let arguments: Vec<Node<'t>> = node
            .child_by_field_name("arguments")
            .map(named_children)
            .unwrap_or_default();
        // `az.resourceGroup()` and `sys.concat()` are the same functions.
        let name = function.map_or("", |f| match f.kind() {
            "member_expression" => f
                .child_by_field_name("property")
                .map_or("", |p| text(p, source)),
            _ => text(f, source),
        });
        let args: Vec<String> = arguments
            .iter()
            .map(|a| self.expr(*a, source, env, depth + 1))
            .collect();
        match name {
            "any" => args
                .into_iter()
                .next()
                .unwrap_or_else(|| unknown("any() without a value")),
            "lambda" | "filter" | "map" | "reduce" | "sort" | "toObject" | "groupBy"
            | "mapValues" => unknown(&format!("{name}() with a lambda")),
            "loadTextContent" | "loadJsonContent" | "loadYamlContent" | "loadFileAsBase64" => {
                unknown(&format!("{name}() reads a file at build time"))
            }
            // `nameof(x)`, `nameof(a.b)`: the name written, folded at build time.
            "nameof" => match arguments.first() {
                Some(a) => quote(
                    match a.kind() {
                        "member_expression" => a.child_by_field_name("property"),
                        "subscript_expression" => a.child_by_field_name("index"),
                        _ => Some(*a),
                    }
                    .map(|n| match n.kind() {
                        "string" => literal_string(n, source).unwrap_or_default(),
                        _ => text(n, source).to_string(),
                    })
                    .unwrap_or_default()
                    .as_str(),
                ),
                None => unknown("nameof() without an argument"),
            },
            "readEnvironmentVariable" => unknown(&format!(
                "read from environment variable {} when the parameters are built",
                arguments
                    .first()
                    .and_then(|a| literal_string(*a, source))
                    .unwrap_or_default()
            )),
            _ => format!("{name}({})", args.join(", ")),
        }
    }

    fn member(&self, node: Node<'t>, source: &'t str, env: &Env, depth: usize) -> String {
        let (Some(object), Some(property)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("property"),
        ) else {
            return unknown("an incomplete property access");
        };
        let property = text(property, source);
        // `storage.id`, `storage.name`, `storage::blob.id`, `storages[0].id`.
        let (symbol, index) = match object.kind() {
            "subscript_expression" => (
                object
                    .child_by_field_name("object")
                    .and_then(|o| self.symbol_of(o, source)),
                object
                    .child_by_field_name("index")
                    .map(|i| self.expr(i, source, env, depth + 1)),
            ),
            _ => (self.symbol_of(object, source), None),
        };
        if let Some(symbol) = symbol {
            return self.resource_member(&symbol, property, source, env, index, depth);
        }
        if object.kind() == "identifier" && self.modules.contains(text(object, source)) {
            return unknown(&format!(
                "module {}'s {property} is known only at deployment",
                text(object, source)
            ));
        }
        format!("{}.{property}", self.expr(object, source, env, depth + 1))
    }

    /// `symbol.id`, `.name`, `.type`, `.location`; other members are the deployed resource's.
    fn resource_member(
        &self,
        symbol: &str,
        property: &str,
        source: &'t str,
        env: &Env,
        index: Option<String>,
        depth: usize,
    ) -> String {
        let Some(declared) = self.resources.get(symbol) else {
            return unknown(&format!("{symbol} is not declared"));
        };
        match property {
            "id" => self.resource_reference(symbol, source, env, index, depth),
            "name" => self.name_of(symbol, source, env, index, depth),
            "type" => quote(&declared.kind),
            "location" => match declared
                .body
                .and_then(|b| property_value(b, "location", source))
            {
                Some(location) => {
                    let env = self.loop_env(declared, source, env, index, depth);
                    self.expr(location, source, &env, depth + 1)
                }
                None => unknown(&format!("{symbol} declares no location")),
            },
            _ => format!(
                "reference({}).{property}",
                self.resource_reference(symbol, source, env, index, depth)
            ),
        }
    }

    /// The resource's id: `resourceId('<type>', <name>)`.
    pub fn resource_reference(
        &self,
        symbol: &str,
        source: &'t str,
        env: &Env,
        index: Option<String>,
        depth: usize,
    ) -> String {
        let Some(declared) = self.resources.get(symbol) else {
            return unknown(&format!("{symbol} is not declared"));
        };
        format!(
            "resourceId({}, {})",
            quote(&declared.kind),
            self.name_of(symbol, source, env, index, depth)
        )
    }

    /// The loop variables of a looped resource bound to one instance: `index` when given
    /// (`storages[1]`), else the loop's own `copyIndex()`.
    fn loop_env(
        &self,
        declared: &Symbol<'t>,
        source: &'t str,
        env: &Env,
        index: Option<String>,
        depth: usize,
    ) -> Env {
        let mut env = env.clone();
        if let Some(l) = &declared.looped {
            let at = index.unwrap_or_else(|| "copyIndex()".into());
            let collection = self.expr(l.collection, source, &env, depth + 1);
            if let Some(item) = &l.item {
                env.push((item.clone(), format!("{collection}[{at}]")));
            }
            if let Some(i) = &l.index {
                env.push((i.clone(), at));
            }
        }
        env
    }

    /// The full name of a declared resource (a child's is `parent/child`).
    pub fn name_of(
        &self,
        symbol: &str,
        source: &'t str,
        env: &Env,
        index: Option<String>,
        depth: usize,
    ) -> String {
        if depth > MAX_DEPTH {
            return unknown("resources nest too deeply");
        }
        let Some(declared) = self.resources.get(symbol) else {
            return unknown(&format!("{symbol} is not declared"));
        };
        let env = self.loop_env(declared, source, env, index, depth);
        let own = match declared
            .body
            .and_then(|b| property_value(b, "name", source))
        {
            Some(name) => self.expr(name, source, &env, depth + 1),
            None => unknown(&format!("{symbol} has no name")),
        };
        match &declared.parent {
            Some(parent) => format!(
                "format('{{0}}/{{1}}', {}, {own})",
                self.name_of(parent, source, &env, None, depth + 1)
            ),
            None => own,
        }
    }
}

/// A call the ARM evaluator reports as unknown, with the reason.
pub fn unknown(why: &str) -> String {
    format!("unknownInBicep({})", quote(why))
}

/// The value of `key:` in a Bicep object (a resource or module body, possibly inside `if`).
pub fn property_value<'t>(body: Node<'t>, key: &str, source: &str) -> Option<Node<'t>> {
    let object = if body.kind() == "object" {
        body
    } else {
        child_of_kind(body, "object")?
    };
    named_children(object)
        .into_iter()
        .filter(|p| p.kind() == "object_property")
        .find_map(|p| {
            let parts = named_children(p);
            match parts.as_slice() {
                [k, v, ..] if text(*k, source).trim_matches('\'') == key => Some(*v),
                _ => None,
            }
        })
}
