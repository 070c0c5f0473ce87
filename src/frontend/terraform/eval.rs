//! Evaluating HCL expressions to `Value`s, the way Terraform would at plan time, as far as the
//! files allow. Whatever depends on something the files do not say (a computed attribute, a data
//! source, a function this evaluator does not know) becomes `Unknown` with the reason, and the
//! unknown travels through templates, functions and conditionals instead of being guessed.

use crate::value::{format_number, TextBuilder, Unknown, Value};
use compact_str::ToCompactString;
use hcl::expr::{BinaryOperator, Operation, TraversalOperator, UnaryOperator};
use hcl::template::Element;
use hcl::{Expression, ObjectKey, Template, TemplateExpr};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Evaluation stops at this depth (locals referring to locals ...) and reports it.
pub const MAX_DEPTH: usize = 64;

/// What an expression's names refer to: implemented by the Terraform module scope.
pub trait Resolver {
    /// The value of a traversal rooted at a name: `var.x`, `local.y`, `aws_s3_bucket.b.arn`,
    /// `module.m.out`, `data.t.n.attr`, `each.key`, `count.index`, `path.module`.
    fn traversal(&self, root: &str, ops: &[TraversalOperator]) -> Value;
    /// Nesting depth of the evaluation in progress.
    fn depth(&self) -> usize;
    /// The text of a file `file()` or `templatefile()` names; `None` when it cannot be read.
    fn module_file(&self, _path: &str) -> Option<String> {
        None
    }
    /// A scope with the variables of a `for` expression bound (`for k, v in coll`); `None`
    /// when the resolver cannot bind names.
    fn with_variables(&self, _vars: Vec<(String, Value)>) -> Option<Box<dyn Resolver + '_>> {
        None
    }
}

/// Elements a `for` expression evaluates at most; past it, its value is unknown.
const MAX_FOR_ELEMENTS: usize = 10_000;

/// `[for v in coll : expr if cond]` and `{for k, v in coll : key => value}` (with `...` grouping),
/// as Terraform evaluates them: a list's keys are its indexes, a map's its keys in order.
fn eval_for(f: &hcl::expr::ForExpr, r: &dyn Resolver) -> Value {
    let collection = eval(&f.collection_expr, r);
    let pairs: Vec<(Value, Value)> = match collection {
        Value::List(items) => items
            .into_vec()
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v))
            .collect(),
        Value::Map(m) => m
            .into_iter()
            .map(|(k, v)| (Value::String(k.as_str().into()), v))
            .collect(),
        u @ Value::Unknown(_) => return u,
        _ => return Value::unknown("a for expression over a value that is not a collection"),
    };
    if pairs.len() > MAX_FOR_ELEMENTS {
        return Value::unknown(format!(
            "a for expression over more than {MAX_FOR_ELEMENTS} elements is not evaluated"
        ));
    }
    let value_var = f.value_var.as_str().to_string();
    let key_var = f.key_var.as_ref().map(|k| k.as_str().to_string());
    let mut list = Vec::new();
    let mut object: BTreeMap<String, Value> = BTreeMap::new();
    // With `...`, each key's values, in order.
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, value) in pairs {
        let mut vars = vec![(value_var.clone(), value)];
        if let Some(k) = &key_var {
            vars.push((k.clone(), key));
        }
        let Some(scope) = r.with_variables(vars) else {
            return Value::unknown("for expressions are not evaluated here");
        };
        if let Some(cond) = &f.cond_expr {
            match eval(cond, scope.as_ref()) {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                _ => return Value::unknown("the condition of a for expression is not known"),
            }
        }
        let item = eval(&f.value_expr, scope.as_ref());
        match &f.key_expr {
            None => list.push(item),
            Some(key_expr) => {
                let Some(k) = eval(key_expr, scope.as_ref()).to_text() else {
                    return Value::unknown("a key of a for expression is not known");
                };
                if f.grouping {
                    groups.entry(k).or_default().push(item);
                } else {
                    object.insert(k, item);
                }
            }
        }
    }
    object.extend(
        groups
            .into_iter()
            .map(|(k, items)| (k, Value::List(items.into()))),
    );
    if f.key_expr.is_some() {
        Value::Map(crate::value::map_of(object))
    } else {
        Value::List(list.into())
    }
}

/// Evaluates an expression; every value passes the evaluation budget (`budget::admit`).
pub fn eval(expr: &Expression, r: &dyn Resolver) -> Value {
    if crate::frontend::budget::spent() {
        return crate::frontend::budget::refuse();
    }
    crate::frontend::budget::admit(eval_unbudgeted(expr, r))
}

fn eval_unbudgeted(expr: &Expression, r: &dyn Resolver) -> Value {
    if r.depth() > MAX_DEPTH {
        return Value::unknown("expression nesting is too deep to evaluate");
    }
    match expr {
        Expression::Null => Value::Null,
        Expression::Bool(b) => Value::Bool(*b),
        Expression::Number(n) => n.as_f64().map_or(Value::Null, Value::Number),
        Expression::String(s) => Value::String(s.to_compact_string()),
        Expression::Array(items) => Value::List(items.iter().map(|e| eval(e, r)).collect()),
        Expression::Object(object) => {
            let mut map = BTreeMap::new();
            for (key, value) in object {
                let key = match key {
                    ObjectKey::Identifier(id) => id.to_string(),
                    ObjectKey::Expression(e) => match eval(e, r).to_text() {
                        Some(k) => k,
                        None => return Value::unknown("an object key could not be evaluated"),
                    },
                    _ => return Value::unknown("unsupported object key"),
                };
                map.insert(key, eval(value, r));
            }
            Value::Map(crate::value::map_of(map))
        }
        Expression::TemplateExpr(t) => eval_template_text(
            match t.as_ref() {
                TemplateExpr::QuotedString(s) => s,
                TemplateExpr::Heredoc(h) => &h.template,
            },
            r,
        ),
        Expression::Variable(v) => r.traversal(v.as_str(), &[]),
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(v) => r.traversal(v.as_str(), &t.operators),
            other => apply_ops(eval(other, r), &t.operators, r),
        },
        Expression::FuncCall(call) => {
            let args: Vec<Value> = call.args.iter().map(|a| eval(a, r)).collect();
            // `file()` is the file's text; `templatefile()` renders it, which residency does
            // not: the template's text is kept as the known part of an unknown value, so that
            // what a boot script installs can still be read.
            let name = call.name.name.as_str();
            if matches!(name, "file" | "templatefile") {
                if let Some(text) = args
                    .first()
                    .and_then(Value::as_str)
                    .and_then(|p| r.module_file(p))
                {
                    return if name == "file" {
                        Value::String(text.into())
                    } else {
                        Value::from(Unknown {
                            reason:
                                "a rendered template is not evaluated; its text is read as written"
                                    .into(),
                            refers_to: None,
                            in_deployment: None,
                            partial: Some(text),
                        })
                    };
                }
            }
            let args = if call.expand_final {
                expand_final(args)
            } else {
                args
            };
            call_function(call.name.name.as_str(), &args)
        }
        Expression::Parenthesis(inner) => eval(inner, r),
        Expression::Conditional(c) => match eval(&c.cond_expr, r) {
            Value::Bool(true) => eval(&c.true_expr, r),
            Value::Bool(false) => eval(&c.false_expr, r),
            Value::Unknown(u) => {
                let (t, f) = (eval(&c.true_expr, r), eval(&c.false_expr, r));
                if t == f && !t.is_unknown() {
                    t
                } else {
                    // Both branches name the same resource (`x.id` or `x.arn`): whichever is
                    // taken, the value links to it.
                    let same = t.refers_to().filter(|a| f.refers_to() == Some(*a));
                    Value::from(Unknown {
                        reason: format!("depends on a condition that is not known: {}", u.reason),
                        refers_to: same.map(str::to_string),
                        in_deployment: None,
                        partial: None,
                    })
                }
            }
            _ => Value::unknown("a condition is not a boolean"),
        },
        Expression::Operation(op) => eval_operation(op, r),
        Expression::ForExpr(f) => eval_for(f, r),
        _ => Value::unknown("unsupported expression"),
    }
}

fn expand_final(mut args: Vec<Value>) -> Vec<Value> {
    match args.pop() {
        Some(Value::List(items)) => {
            args.extend(items);
            args
        }
        Some(other) => {
            args.push(Value::unknown(match other.unknown_reason() {
                Some(reason) => reason.to_string(),
                None => "expanded argument is not a list".to_string(),
            }));
            args
        }
        None => args,
    }
}

/// Applies `.attr`, `[index]` and splats to a value.
pub fn apply_ops(mut value: Value, ops: &[TraversalOperator], r: &dyn Resolver) -> Value {
    for op in ops {
        value = match (value, op) {
            (u @ Value::Unknown(_), _) => return u,
            (Value::Map(mut m), TraversalOperator::GetAttr(name)) => {
                match m.remove(name.as_str()) {
                    Some(v) => v,
                    None => return Value::unknown(format!("no attribute {name}")),
                }
            }
            // A nested block written once and read as `block[0]`, or its attribute read directly.
            (Value::List(items), TraversalOperator::GetAttr(name)) if items.len() == 1 => {
                apply_ops(
                    items.into_vec().remove(0),
                    &[TraversalOperator::GetAttr(name.clone())],
                    r,
                )
            }
            (v, TraversalOperator::Index(index)) => {
                let key = eval(index, r);
                index_value(v, &key)
            }
            (Value::List(items), TraversalOperator::LegacyIndex(i)) => {
                match items.into_vec().into_iter().nth(*i as usize) {
                    Some(v) => v,
                    None => return Value::unknown("index out of range"),
                }
            }
            _ => return Value::unknown("splat and other traversals are not evaluated"),
        };
    }
    value
}

fn index_value(value: Value, key: &Value) -> Value {
    match (value, key) {
        (_, Value::Unknown(u)) => Value::Unknown(u.clone()),
        (Value::List(items), Value::Number(n)) => items
            .into_vec()
            .into_iter()
            .nth(*n as usize)
            .unwrap_or_else(|| Value::unknown("index out of range")),
        (Value::Map(mut m), k) => match k.to_text().and_then(|k| m.remove(k.as_str())) {
            Some(v) => v,
            None => Value::unknown("no such key"),
        },
        _ => Value::unknown("value cannot be indexed"),
    }
}

/// Evaluates the text of a quoted string or heredoc with `${...}` interpolations.
pub fn eval_template_text(text: &str, r: &dyn Resolver) -> Value {
    let template = match Template::from_str(text) {
        Ok(t) => t,
        Err(_) => return Value::unknown("template could not be parsed"),
    };
    // "${expr}" alone keeps the expression's own type, as in Terraform.
    if let [Element::Interpolation(only)] = template.elements() {
        return eval(&only.expr, r);
    }
    let mut text = TextBuilder::default();
    for element in template.elements() {
        match element {
            Element::Literal(s) => text.literal(s),
            Element::Interpolation(i) => text.value(eval(&i.expr, r), || {
                "a list or map cannot be interpolated".into()
            }),
            Element::Directive(_) => text.unknown("template directives are not evaluated"),
        }
    }
    text.finish()
}

fn eval_operation(op: &Operation, r: &dyn Resolver) -> Value {
    match op {
        Operation::Unary(u) => match (u.operator, eval(&u.expr, r)) {
            (_, v @ Value::Unknown(_)) => v,
            (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
            (UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
            _ => Value::unknown("invalid operand"),
        },
        Operation::Binary(b) => {
            let (l, rv) = (eval(&b.lhs_expr, r), eval(&b.rhs_expr, r));
            use BinaryOperator::*;
            match (b.operator, &l, &rv) {
                (_, Value::Unknown(u), _) | (_, _, Value::Unknown(u)) => Value::Unknown(u.clone()),
                (Eq, _, _) => Value::Bool(l == rv),
                (NotEq, _, _) => Value::Bool(l != rv),
                (And, Value::Bool(x), Value::Bool(y)) => Value::Bool(*x && *y),
                (Or, Value::Bool(x), Value::Bool(y)) => Value::Bool(*x || *y),
                (op, Value::Number(x), Value::Number(y)) => match op {
                    Plus => Value::Number(x + y),
                    Minus => Value::Number(x - y),
                    Mul => Value::Number(x * y),
                    Div if *y != 0.0 => Value::Number(x / y),
                    Mod if *y != 0.0 => Value::Number(x % y),
                    Less => Value::Bool(x < y),
                    LessEq => Value::Bool(x <= y),
                    Greater => Value::Bool(x > y),
                    GreaterEq => Value::Bool(x >= y),
                    _ => Value::unknown("invalid arithmetic"),
                },
                _ => Value::unknown("invalid operands"),
            }
        }
    }
}

/// Terraform's built-in functions that location values are commonly built with.
pub fn call_function(name: &str, args: &[Value]) -> Value {
    // `try` and `coalesce` take the first usable argument, so unknowns are not fatal for them.
    match name {
        "try" => {
            return args
                .iter()
                .find(|a| !a.is_unknown())
                .cloned()
                .unwrap_or_else(|| Value::unknown("no argument of try() could be evaluated"))
        }
        "coalesce" => {
            for a in args {
                match a {
                    Value::Unknown(_) => return a.clone(),
                    Value::Null => {}
                    Value::String(s) if s.is_empty() => {}
                    _ => return a.clone(),
                }
            }
            return Value::unknown("coalesce() has no non-empty argument");
        }
        // The encoded text of a value (JSON is YAML too, so `yamlencode` gives the same
        // content in flow style). With unknown parts, the text with them as null is kept as
        // the known part: a Helm release's values stay readable.
        "jsonencode" | "yamlencode" => {
            let Some(value) = args.first() else {
                return Value::unknown(format!("{name}() needs one argument"));
            };
            return match value.to_json() {
                Some(text) => Value::String(text.into()),
                None => Value::from(Unknown {
                    reason: format!("{name}() of a value with unknown parts"),
                    refers_to: None,
                    in_deployment: None,
                    partial: Some(value.to_json_lossy()),
                }),
            };
        }
        _ => {}
    }
    if let Some(u) = args.iter().find(|a| a.is_unknown()) {
        return u.clone();
    }
    let text = |i: usize| args.get(i).and_then(Value::to_text);
    let result = match name {
        "lower" => text(0).map(|s| Value::String(s.to_lowercase().into())),
        "upper" => text(0).map(|s| Value::String(s.to_uppercase().into())),
        "trimspace" => text(0).map(|s| Value::String(s.trim().to_compact_string())),
        "tostring" => text(0).map(|s| Value::String(s.into())),
        "replace" => match (text(0), text(1), text(2)) {
            (Some(s), Some(from), Some(to)) if !from.starts_with('/') => {
                Some(crate::frontend::budget::replace(&s, &from, &to))
            }
            _ => None,
        },
        "format" => text(0).and_then(|f| format_fn(&f, &args[1..])),
        "join" => match (text(0), args.get(1)) {
            (Some(sep), Some(Value::List(items))) => items
                .iter()
                .map(Value::to_text)
                .collect::<Option<Vec<_>>>()
                .map(|parts| {
                    let size = parts.iter().map(String::len).sum::<usize>()
                        + sep.len().saturating_mul(parts.len());
                    if crate::frontend::budget::fits(size) {
                        Value::String(parts.join(&sep).into())
                    } else {
                        crate::frontend::budget::refuse()
                    }
                }),
            _ => None,
        },
        "split" => match (text(0), text(1)) {
            (Some(sep), Some(s))
                if s.matches(sep.as_str()).count() < crate::frontend::budget::MAX_ITEMS =>
            {
                Some(Value::List(
                    s.split(sep.as_str())
                        .map(|p| Value::String(p.to_compact_string()))
                        .collect(),
                ))
            }
            (Some(_), Some(_)) => Some(crate::frontend::budget::refuse()),
            _ => None,
        },
        "concat" => args
            .iter()
            .map(|a| match a {
                Value::List(items) => Some(items.clone()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|lists| {
                if lists.iter().map(|l| l.len()).sum::<usize>() > crate::frontend::budget::MAX_ITEMS
                {
                    crate::frontend::budget::refuse()
                } else {
                    Value::List(lists.concat().into())
                }
            }),
        "merge" => args
            .iter()
            .try_fold(crate::value::ValueMap::new(), |mut acc, a| match a {
                Value::Map(m) => {
                    acc.extend(m.clone());
                    Some(acc)
                }
                Value::Null => Some(acc),
                _ => None,
            })
            .map(Value::Map),
        "lookup" => match (args.first(), text(1)) {
            (Some(Value::Map(m)), Some(k)) => {
                m.get(k.as_str()).cloned().or_else(|| args.get(2).cloned())
            }
            _ => None,
        },
        "element" => match (args.first(), args.get(1)) {
            (Some(Value::List(items)), Some(Value::Number(n))) if !items.is_empty() => {
                Some(items[(*n as usize) % items.len()].clone())
            }
            _ => None,
        },
        "length" => match args.first() {
            Some(Value::List(items)) => Some(Value::Number(items.len() as f64)),
            Some(Value::Map(m)) => Some(Value::Number(m.len() as f64)),
            Some(Value::String(s)) => Some(Value::Number(s.chars().count() as f64)),
            _ => None,
        },
        "contains" => match args.first() {
            Some(Value::List(items)) => args.get(1).map(|v| Value::Bool(items.contains(v))),
            _ => None,
        },
        "tolist" | "toset" => match args.first() {
            Some(v @ Value::List(_)) => Some(v.clone()),
            _ => None,
        },
        "tomap" => match args.first() {
            Some(v @ Value::Map(_)) => Some(v.clone()),
            _ => None,
        },
        _ => return Value::unknown(format!("function {name}() is not evaluated by residency")),
    };
    result.unwrap_or_else(|| Value::unknown(format!("invalid arguments to {name}()")))
}

/// `format("%s-%s", a, b)` with the verbs location strings use: `%s`, `%d`, `%v`, `%%`.
fn format_fn(spec: &str, args: &[Value]) -> Option<Value> {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&next.next()?.to_text()?),
            'd' => match next.next()? {
                Value::Number(n) => out.push_str(&format_number(n.trunc())),
                _ => return None,
            },
            _ => return None,
        }
    }
    Some(Value::String(out.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vars;
    impl Resolver for Vars {
        fn traversal(&self, root: &str, ops: &[TraversalOperator]) -> Value {
            match root {
                "var" => match ops.first() {
                    Some(TraversalOperator::GetAttr(n)) if n.as_str() == "region" => {
                        Value::String("eu-west-1".into())
                    }
                    _ => Value::unknown("variable has no value"),
                },
                "aws_s3_bucket" => Value::unknown_ref("computed", "aws_s3_bucket.b"),
                _ => Value::unknown("unknown name"),
            }
        }
        fn depth(&self) -> usize {
            0
        }
    }

    fn ev(src: &str) -> Value {
        eval(&Expression::from_str(src).unwrap(), &Vars)
    }

    #[test]
    fn templates_functions_and_conditionals() {
        assert_eq!(ev("\"${var.region}\""), Value::String("eu-west-1".into()));
        assert_eq!(ev("upper(var.region)"), Value::String("EU-WEST-1".into()));
        assert_eq!(
            ev("format(\"%s-dr\", var.region)"),
            Value::String("eu-west-1-dr".into())
        );
        assert_eq!(
            ev("var.region == \"eu-west-1\" ? \"a\" : \"b\""),
            Value::String("a".into())
        );
        assert_eq!(
            ev("lookup({a = \"x\"}, \"a\", \"y\")"),
            Value::String("x".into())
        );
        assert_eq!(ev("coalesce(\"\", \"z\")"), Value::String("z".into()));
    }

    #[test]
    fn unknowns_travel_with_their_resource() {
        let v = ev("\"arn:aws:s3:::${aws_s3_bucket.b.id}\"");
        assert_eq!(v.refers_to(), Some("aws_s3_bucket.b"));
        assert!(ev("var.missing").is_unknown());
        let arn = ev("\"arn:aws:sns:${var.region}:${var.account}:mail\"");
        assert_eq!(arn.partial_text(), Some("arn:aws:sns:eu-west-1:?:mail"));
        assert!(ev("cidrsubnet(\"10.0.0.0/8\", 8, 1)").is_unknown());
        assert!(ev("var.missing == \"x\" ? \"a\" : \"b\"").is_unknown());
        assert_eq!(
            ev("var.missing == \"x\" ? \"a\" : \"a\""),
            Value::String("a".into())
        );
    }
}
