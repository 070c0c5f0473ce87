//! CloudFormation: evaluates intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`,
//! `Fn::Select`, `Fn::FindInMap`, `Fn::If`, conditions, ...) with the template's parameters
//! (defaults, overridden by `--parameter NAME=VALUE`) and pseudo-parameters. The stack's region
//! is not in the template: it comes from `--region`, or stays unknown.

use crate::frontend::cloudformation::parse::Template;
use crate::hash::HashMap;
use crate::model::{Inputs, Origin, PlacedBy, ProviderSetting, Resource, SourceFormat};
use crate::redact::Secrets;
use crate::syntax::tree::{node_value, Node, NodeKind};
use crate::value::{TextBuilder, Unknown, Value};
use compact_str::ToCompactString;
use std::cell::Cell;
use std::collections::BTreeMap;

const MAX_DEPTH: usize = 64;

struct Ctx<'a> {
    template: &'a Template,
    /// What every scanned template exports, for `Fn::ImportValue`.
    exports: &'a Exports,
    params: HashMap<String, Value>,
    region: Value,
    used_var: Cell<bool>,
    /// Each named condition, evaluated once: conditions that refer to conditions would
    /// otherwise be evaluated again on every reference, exponentially in a chain of them.
    conditions: std::cell::RefCell<HashMap<String, Value>>,
}

pub fn stack_region(inputs: &Inputs) -> Value {
    match &inputs.region {
        Some(r) => Value::String(r.to_compact_string()),
        None => Value::unknown(
            "the stack's region is chosen when it is deployed and is not in the template; pass --region",
        ),
    }
}

/// What the scanned templates export (`Outputs: X: Export: Name: N`), by export name: a
/// resource of the exporting stack (when the value is its `Ref` or `Fn::GetAtt`), or the value.
#[derive(Default)]
pub struct Exports(HashMap<String, Export>);

pub enum Export {
    /// A resource of the exporting stack: importing it links to that resource.
    Resource {
        deployment: String,
        logical_id: String,
    },
    Value(Value),
}

impl Exports {
    /// The exports of every template, each evaluated with its own parameters. A name that two
    /// templates export is kept from the first (CloudFormation refuses the second).
    pub fn of(templates: &[Template], inputs: &Inputs) -> Exports {
        let none = Exports::default();
        let mut exports = HashMap::default();
        for template in templates {
            // Each template's exports are evaluated within a budget of their own.
            crate::frontend::budget::start();
            let ctx = context(template, inputs, None, &none, &mut Secrets::default());
            for (_, output) in template
                .outputs
                .as_ref()
                .map(Node::entries)
                .unwrap_or_default()
            {
                let Some(name) = output
                    .get("Export")
                    .and_then(|e| e.get("Name"))
                    .and_then(|n| ctx.eval(n, 0).as_str().map(str::to_string))
                else {
                    continue;
                };
                let Some(value) = output.get("Value") else {
                    continue;
                };
                let export = match ctx.named_resource(value) {
                    Some(logical_id) => Export::Resource {
                        deployment: template.display.clone(),
                        logical_id,
                    },
                    None => Export::Value(ctx.eval(value, 0)),
                };
                exports.entry(name).or_insert(export);
            }
            crate::frontend::budget::finish();
        }
        Exports(exports)
    }
}

/// The evaluation context of a template: its parameters (given, defaulted, or unknown), the
/// stack's region and the scanned exports; `NoEcho` parameter values go to `secrets`.
fn context<'a>(
    template: &'a Template,
    inputs: &Inputs,
    nesting: Option<&Nesting>,
    exports: &'a Exports,
    secrets: &mut Secrets,
) -> Ctx<'a> {
    let mut params = HashMap::default();
    for (name, decl) in &template.parameters {
        let ssm_type = decl
            .get("Type")
            .and_then(Node::as_str)
            .filter(|t| t.starts_with("AWS::SSM::Parameter::Value<"));
        // A nested stack gets the parameters its parent passes; a stack of its own, the
        // command line's.
        let given = match nesting {
            Some(n) => n.parameters.get(name).cloned(),
            None => inputs
                .parameters
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| Value::String(v.to_compact_string())),
        };
        let value = match given {
            // An SSM parameter type holds the *name* of a Systems Manager parameter, given or
            // defaulted; CloudFormation reads its value when the stack is deployed.
            _ if ssm_type.is_some() => Value::unknown(format!(
                "parameter {name} is of type {}: its value is read from Systems Manager when the stack is deployed",
                ssm_type.unwrap_or_default()
            )),
            Some(v) => v,
            None => match decl.get("Default") {
                Some(d) => node_value(d),
                None => Value::unknown(format!(
                    "parameter {name} has no default; pass --parameter {name}=VALUE"
                )),
            },
        };
        // `NoEcho` parameters are secrets: nothing derived from them is printed.
        let no_echo = decl
            .get("NoEcho")
            .is_some_and(|n| matches!(node_value(n).as_bool(), Some(true)));
        if no_echo {
            secrets.add(&value);
        }
        params.insert(name.clone(), value);
    }
    Ctx {
        template,
        exports,
        params,
        region: stack_region(inputs),
        used_var: Cell::new(false),
        conditions: Default::default(),
    }
}

/// The outputs of a template that return one of its resources (`Value: !Ref Bucket` or
/// `!GetAtt Bucket.Arn`), by output name: what `!GetAtt Stack.Outputs.Name` in a parent is.
pub fn returned_resources(template: &Template, inputs: &Inputs) -> HashMap<String, String> {
    let none = Exports::default();
    let ctx = context(template, inputs, None, &none, &mut Secrets::default());
    template
        .outputs
        .as_ref()
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(name, output)| {
            let id = ctx.named_resource(output.get("Value")?)?;
            Some((name.clone(), id))
        })
        .collect()
}

/// A template deployed as a nested stack (`AWS::CloudFormation::Stack` with a local
/// `TemplateURL`): the stack it belongs to and the parameters its parent passes.
pub struct Nesting {
    /// The nested stack's deployment: `parent.yaml > LogicalIdOfTheStackResource`.
    pub scope: String,
    pub parameters: HashMap<String, Value>,
}

/// The template's resources, with its parameters and intrinsics evaluated (imports from the
/// other scanned templates' `exports`; the parent's parameters when it is `nesting`); the values
/// of `NoEcho` parameters go to `secrets`.
pub fn resolve(
    template: &Template,
    inputs: &Inputs,
    nesting: Option<&Nesting>,
    exports: &Exports,
    secrets: &mut Secrets,
) -> Vec<Resource> {
    let scope: arcstr::ArcStr = nesting
        .map_or(template.display.as_str(), |n| n.scope.as_str())
        .into();
    let file: arcstr::ArcStr = template.display.as_str().into();
    let ctx = context(template, inputs, nesting, exports, secrets);
    // Every resource of a stack is created in the stack's region: one setting for all.
    let provider = std::sync::Arc::new(ProviderSetting {
        name: "aws".into(),
        alias: None,
        region: ctx.region.clone(),
        origin: Origin::Variable,
    });
    template
        .resources
        .iter()
        .map(|r| {
            let mut attributes = BTreeMap::new();
            let mut origins = BTreeMap::new();
            for (key, node) in r.properties.entries() {
                ctx.used_var.set(false);
                attributes.insert(key.clone(), ctx.eval(node, 0));
                if ctx.used_var.get() {
                    origins.insert(key.clone(), Origin::Variable);
                }
            }
            if let Some(init) = &r.init {
                attributes.insert("$init".into(), ctx.eval(init, 0));
            }
            Resource {
                address: r.logical_id.clone(),
                kind: r.rtype.as_str().into(),
                scope: scope.clone(),
                format: SourceFormat::Cloudformation,
                file: file.clone(),
                line: r.line,
                end_line: r.end_line,
                attributes: Value::Map(crate::value::map_of(attributes)),
                origins,
                provider: provider.clone(),
                placed_by: PlacedBy::Catalog,
            }
        })
        .collect()
}

impl Ctx<'_> {
    /// `Fn::ImportValue`: what another scanned template exports under that name. A resource
    /// is a link to it in its own stack; without a scanned export the value is unknown.
    fn import(&self, arg: &Node, depth: usize) -> Value {
        let name = self.eval(arg, depth);
        let Some(name) = name.as_str() else {
            return Value::unknown(
                "imported from another stack's outputs (the export name is not known)",
            );
        };
        match self.exports.0.get(name) {
            Some(Export::Resource {
                deployment,
                logical_id,
            }) => Value::from(Unknown {
                reason: format!("{logical_id} of {deployment}, imported as {name}"),
                refers_to: Some(logical_id.clone()),
                in_deployment: Some(deployment.clone()),
                partial: None,
            }),
            Some(Export::Value(value)) => value.clone(),
            None => Value::unknown(format!(
                "imported from another stack's export {name}, which no scanned template exports"
            )),
        }
    }

    /// The logical id of the resource a `Ref` or `Fn::GetAtt` names, if it is one of this
    /// template's resources.
    fn named_resource(&self, node: &Node) -> Option<String> {
        let (key, arg) = match &node.kind {
            NodeKind::Map(entries) if entries.len() == 1 => (&entries[0].0, &entries[0].1),
            _ => return None,
        };
        let id = match key.as_str() {
            "Ref" => arg.as_str().map(str::to_string),
            "Fn::GetAtt" => match &arg.kind {
                NodeKind::Seq(items) => items.first().and_then(Node::as_str).map(str::to_string),
                NodeKind::String(s) => s.split_once('.').map(|(id, _)| id.to_string()),
                _ => None,
            },
            _ => None,
        }?;
        self.template
            .resources
            .iter()
            .any(|r| r.logical_id == id)
            .then_some(id)
    }

    /// Evaluates a node; every value passes the evaluation budget (`budget::admit`).
    fn eval(&self, node: &Node, depth: usize) -> Value {
        if crate::frontend::budget::spent() {
            return Value::unknown(crate::frontend::budget::EXCEEDED);
        }
        crate::frontend::budget::admit(self.eval_unbudgeted(node, depth))
    }

    fn eval_unbudgeted(&self, node: &Node, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::unknown("intrinsic functions nest too deeply");
        }
        match &node.kind {
            NodeKind::Map(entries) if entries.len() == 1 => {
                let (key, arg) = &entries[0];
                if key == "Ref" || key == "Condition" || key.starts_with("Fn::") {
                    return self.intrinsic(key, arg, depth + 1);
                }
                Value::Map(
                    entries
                        .iter()
                        .map(|(k, v)| (k.as_str().into(), self.eval(v, depth + 1)))
                        .collect(),
                )
            }
            NodeKind::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_str().into(), self.eval(v, depth + 1)))
                    .collect(),
            ),
            NodeKind::Seq(items) => Value::List(
                items
                    .iter()
                    .map(|v| self.eval(v, depth + 1))
                    // `!Ref AWS::NoValue` (null) removes the item.
                    .filter(|v| !v.is_null())
                    .collect(),
            ),
            _ => node_value(node),
        }
    }

    fn args<'n>(&self, arg: &'n Node) -> &'n [Node] {
        match &arg.kind {
            NodeKind::Seq(items) => items,
            _ => std::slice::from_ref(arg),
        }
    }

    fn intrinsic(&self, name: &str, arg: &Node, depth: usize) -> Value {
        match name {
            "Ref" => match self.eval(arg, depth).as_str() {
                Some(target) => self.reference(target),
                None => Value::unknown("Ref needs a name"),
            },
            "Fn::GetAtt" => {
                let parts: Vec<Value> =
                    self.args(arg).iter().map(|a| self.eval(a, depth)).collect();
                let text: Vec<String> = parts.iter().filter_map(Value::to_text).collect();
                let (id, attr) = match text.as_slice() {
                    [one] => one
                        .split_once('.')
                        .map(|(a, b)| (a.to_string(), b.to_string())),
                    [id, attr, ..] => Some((id.clone(), attr.clone())),
                    _ => None,
                }
                .unwrap_or_default();
                // A nested stack's output (`Stack.Outputs.Name`) keeps its name, so the front
                // end can link it to the nested resource it returns.
                let target = if attr.starts_with("Outputs.") {
                    format!("{id}.{attr}")
                } else {
                    id.clone()
                };
                Value::unknown_ref(
                    format!("{id}.{attr} is known only after the stack is deployed"),
                    target,
                )
            }
            "Fn::Sub" => {
                let args = self.args(arg);
                let (text, vars) = match (&arg.kind, args) {
                    (NodeKind::Seq(_), [t, v, ..]) => (self.eval(t, depth), Some(v)),
                    _ => (self.eval(arg, depth), None),
                };
                let Some(text) = text.as_str() else {
                    return Value::unknown("Fn::Sub needs a string");
                };
                let local: HashMap<String, Value> = vars
                    .map(|v| {
                        v.entries()
                            .iter()
                            .map(|(k, n)| (k.clone(), self.eval(n, depth)))
                            .collect()
                    })
                    .unwrap_or_default();
                self.substitute(text, &local)
            }
            "Fn::Join" => match self.args(arg) {
                [sep, list] => {
                    let sep = self.eval(sep, depth);
                    match (sep.as_str(), self.eval(list, depth)) {
                        (_, u @ Value::Unknown(_)) => u,
                        (Some(sep), Value::List(items)) => {
                            if let Some(u) = items.iter().find(|i| i.is_unknown()) {
                                return u.clone();
                            }
                            items
                                .iter()
                                .map(Value::to_text)
                                .collect::<Option<Vec<_>>>()
                                .map_or(Value::unknown("Fn::Join of non-strings"), |p| {
                                    Value::String(p.join(sep).into())
                                })
                        }
                        _ => Value::unknown("Fn::Join needs a separator and a list"),
                    }
                }
                _ => Value::unknown("Fn::Join needs a separator and a list"),
            },
            "Fn::Select" => match self.args(arg) {
                [index, list] => match (self.eval(index, depth), self.eval(list, depth)) {
                    (u @ Value::Unknown(_), _) | (_, u @ Value::Unknown(_)) => u,
                    (i, Value::List(items)) => i
                        .to_text()
                        .and_then(|t| t.parse::<usize>().ok())
                        .and_then(|i| items.get(i).cloned())
                        .unwrap_or_else(|| Value::unknown("Fn::Select index out of range")),
                    _ => Value::unknown("Fn::Select needs an index and a list"),
                },
                _ => Value::unknown("Fn::Select needs an index and a list"),
            },
            "Fn::Split" => match self.args(arg) {
                [sep, text] => match (self.eval(sep, depth), self.eval(text, depth)) {
                    (_, u @ Value::Unknown(_)) => u,
                    (Value::String(sep), Value::String(text)) => Value::List(
                        text.split(sep.as_str())
                            .map(|p| Value::String(p.to_compact_string()))
                            .collect(),
                    ),
                    _ => Value::unknown("Fn::Split needs two strings"),
                },
                _ => Value::unknown("Fn::Split needs two strings"),
            },
            "Fn::FindInMap" => {
                let keys: Vec<Value> = self.args(arg).iter().map(|a| self.eval(a, depth)).collect();
                if let Some(u) = keys.iter().find(|k| k.is_unknown()) {
                    return u.clone();
                }
                let keys: Vec<String> = keys.iter().filter_map(Value::to_text).collect();
                let found = self
                    .template
                    .mappings
                    .as_ref()
                    .and_then(|m| keys.iter().try_fold(m, |node, k| node.get(k)));
                match (found, keys.len()) {
                    (Some(node), 3) => self.eval(node, depth),
                    _ => Value::unknown(format!("Fn::FindInMap {} has no entry", keys.join("."))),
                }
            }
            "Fn::If" => match self.args(arg) {
                [cond, yes, no] => match self.condition_named(cond, depth) {
                    Value::Bool(true) => self.eval(yes, depth),
                    Value::Bool(false) => self.eval(no, depth),
                    other => {
                        let (a, b) = (self.eval(yes, depth), self.eval(no, depth));
                        if a == b {
                            a
                        } else {
                            Value::from(Unknown {
                                reason: format!(
                                    "depends on a condition that is not known: {}",
                                    other.unknown_reason().unwrap_or("not a boolean")
                                ),
                                refers_to: None,
                                in_deployment: None,
                                partial: None,
                            })
                        }
                    }
                },
                _ => Value::unknown("Fn::If needs a condition and two values"),
            },
            "Condition" => self.condition_named(arg, depth),
            "Fn::Equals" => match self.args(arg) {
                [a, b] => match (self.eval(a, depth), self.eval(b, depth)) {
                    (u @ Value::Unknown(_), _) | (_, u @ Value::Unknown(_)) => u,
                    (a, b) => Value::Bool(a.to_text() == b.to_text()),
                },
                _ => Value::unknown("Fn::Equals needs two values"),
            },
            "Fn::And" | "Fn::Or" => {
                let values: Vec<Value> =
                    self.args(arg).iter().map(|a| self.eval(a, depth)).collect();
                if let Some(u) = values.iter().find(|v| v.is_unknown()) {
                    return u.clone();
                }
                let bools: Vec<bool> = values.iter().filter_map(Value::as_bool).collect();
                Value::Bool(if name == "Fn::And" {
                    bools.iter().all(|b| *b)
                } else {
                    bools.iter().any(|b| *b)
                })
            }
            "Fn::Not" => match self.args(arg).first().map(|a| self.eval(a, depth)) {
                Some(Value::Bool(b)) => Value::Bool(!b),
                Some(u @ Value::Unknown(_)) => u,
                _ => Value::unknown("Fn::Not needs a condition"),
            },
            "Fn::Base64" => self.eval(arg, depth),
            "Fn::ImportValue" => self.import(arg, depth),
            "Fn::GetAZs" => Value::unknown("availability zones are listed at deploy time"),
            // `AWS::LanguageExtensions`: the length of a list, and a value as JSON text.
            "Fn::Length" => match self.eval(arg, depth) {
                Value::List(items) => Value::Number(items.len() as f64),
                Value::Unknown(u) => Value::Unknown(u),
                _ => Value::unknown("Fn::Length needs a list"),
            },
            "Fn::ToJsonString" => {
                let value = self.eval(arg, depth);
                match value.to_json() {
                    Some(text) => Value::String(text.into()),
                    None => Value::unknown("Fn::ToJsonString of a value that is not known"),
                }
            }
            other => Value::unknown(format!("{other} is not evaluated by residency")),
        }
    }

    fn condition_named(&self, node: &Node, depth: usize) -> Value {
        let name = match &node.kind {
            NodeKind::String(s) => s.clone(),
            _ => return self.eval(node, depth),
        };
        if let Some(known) = self.conditions.borrow().get(&name) {
            return known.clone();
        }
        let value = match self.template.conditions.as_ref().and_then(|c| c.get(&name)) {
            Some(cond) if depth < MAX_DEPTH => self.eval(cond, depth + 1),
            _ => Value::unknown(format!("condition {name} is not defined")),
        };
        self.conditions.borrow_mut().insert(name, value.clone());
        value
    }

    fn reference(&self, target: &str) -> Value {
        if let Some(v) = self.params.get(target) {
            self.used_var.set(true);
            return v.clone();
        }
        match target {
            "AWS::Region" => {
                self.used_var.set(true);
                return self.region.clone();
            }
            "AWS::Partition" => {
                return match self.region.as_str() {
                    Some(r) if r.starts_with("cn-") => Value::String("aws-cn".into()),
                    Some(r) if r.starts_with("us-gov-") => Value::String("aws-us-gov".into()),
                    Some(r) if r.starts_with("eusc-") => Value::String("aws-eusc".into()),
                    Some(_) => Value::String("aws".into()),
                    None => self.region.clone(),
                }
            }
            "AWS::URLSuffix" => return Value::String("amazonaws.com".into()),
            "AWS::NoValue" => return Value::Null,
            t if t.starts_with("AWS::") => {
                return Value::unknown(format!("{t} is known only when the stack is deployed"))
            }
            _ => {}
        }
        match self
            .template
            .resources
            .iter()
            .find(|r| r.logical_id == target)
        {
            // `Ref` of a bucket is its name, which the template may set.
            Some(r) if r.rtype == "AWS::S3::Bucket" => match r.properties.get("BucketName") {
                Some(name) => match self.eval(name, 1) {
                    Value::String(s) => Value::String(s),
                    _ => Value::unknown_ref(format!("the name of {target} is generated"), target),
                },
                None => Value::unknown_ref(
                    format!("{target} has a generated name, known only after deployment"),
                    target,
                ),
            },
            Some(_) => Value::unknown_ref(
                format!("Ref {target} is known only after the stack is deployed"),
                target,
            ),
            None => Value::unknown(format!(
                "Ref to {target}, which the template does not declare"
            )),
        }
    }

    /// `${Param}`, `${Resource}`, `${Resource.Attr}`, `${AWS::Region}`; `${!Literal}` stays.
    fn substitute(&self, text: &str, local: &HashMap<String, Value>) -> Value {
        let mut out = TextBuilder::default();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.literal(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.literal(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.literal(&format!("${{{literal}}}"));
                continue;
            }
            let value = match local.get(name) {
                Some(v) => v.clone(),
                None => match name.split_once('.') {
                    Some((id, attr)) if !name.starts_with("AWS::") => Value::unknown_ref(
                        format!("{id}.{attr} is known only after the stack is deployed"),
                        id,
                    ),
                    _ => self.reference(name),
                },
            };
            out.value(value, || format!("${{{name}}} is not a string"));
        }
        out.literal(rest);
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::cloudformation::parse::parse;

    fn resources(text: &str, region: Option<&str>) -> Vec<Resource> {
        let t = parse(text, false, "t.yaml").unwrap().unwrap();
        let inputs = Inputs {
            region: region.map(str::to_string),
            ..Default::default()
        };
        resolve(
            &t,
            &inputs,
            None,
            &Exports::default(),
            &mut Secrets::default(),
        )
    }

    const TEMPLATE: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env:
    Type: String
    Default: prod
Mappings:
  Names:
    prod: { Suffix: live }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Inbox:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'mail-${Env}-${AWS::Region}'
      Tags:
        - Key: tier
          Value: !If [IsProd, !FindInMap [Names, !Ref Env, Suffix], test]
      Other: !Join ['-', [a, !Select [1, [x, y]]]]
      Arn: !GetAtt Replica.Arn
  Replica:
    Type: AWS::S3::Bucket
"#;

    #[test]
    fn intrinsics_with_region() {
        let r = resources(TEMPLATE, Some("eu-west-1"));
        let inbox = &r[0].attributes;
        assert_eq!(
            inbox.get("BucketName").as_str(),
            Some("mail-prod-eu-west-1")
        );
        assert_eq!(
            inbox.get("Tags").items()[0].get("Value").as_str(),
            Some("live")
        );
        assert_eq!(inbox.get("Other").as_str(), Some("a-y"));
        assert_eq!(inbox.get("Arn").refers_to(), Some("Replica"));
        assert_eq!(r[0].origin("BucketName"), Origin::Variable);
        assert_eq!(r[0].line, 12);
    }

    #[test]
    fn without_region_the_name_is_unknown() {
        let r = resources(TEMPLATE, None);
        assert!(r[0]
            .attributes
            .get("BucketName")
            .unknown_reason()
            .unwrap()
            .contains("--region"));
    }
}
