//! Kubernetes objects written as Terraform resources (`kubernetes_stateful_set_v1`,
//! `kubernetes_deployment`, `kubernetes_persistent_volume_claim_v1`, `kubernetes_service_v1`,
//! `kubernetes_storage_class_v1`, `kubernetes_manifest`, ...): turned into the manifests they
//! create, so that one resolver (workloads, claims, storage classes, node selectors, Velero)
//! reads both. The provider's schema writes the API's fields in snake case and repeated
//! fields as repeated blocks (`container`, `volume`, `port`); the API writes them in camel case
//! and plural (`containers`, `volumes`, `ports`).

use super::helm;
use super::parse::Manifests;
use crate::model::Resource;
use crate::syntax::tree::{Node, NodeKind};
use crate::value::Value;

/// Terraform types and the kind and API version of the object each creates.
const KINDS: &[(&str, &str, &str)] = &[
    ("kubernetes_deployment", "Deployment", "apps/v1"),
    ("kubernetes_stateful_set", "StatefulSet", "apps/v1"),
    ("kubernetes_daemonset", "DaemonSet", "apps/v1"),
    ("kubernetes_daemon_set", "DaemonSet", "apps/v1"),
    ("kubernetes_replica_set", "ReplicaSet", "apps/v1"),
    ("kubernetes_pod", "Pod", "v1"),
    ("kubernetes_job", "Job", "batch/v1"),
    ("kubernetes_cron_job", "CronJob", "batch/v1"),
    (
        "kubernetes_persistent_volume_claim",
        "PersistentVolumeClaim",
        "v1",
    ),
    ("kubernetes_persistent_volume", "PersistentVolume", "v1"),
    ("kubernetes_service", "Service", "v1"),
    (
        "kubernetes_storage_class",
        "StorageClass",
        "storage.k8s.io/v1",
    ),
];

/// Block names whose API field is a list under another name.
const FIELDS: &[(&str, &str)] = &[
    ("container", "containers"),
    ("init_container", "initContainers"),
    ("volume", "volumes"),
    ("port", "ports"),
    ("volume_mount", "volumeMounts"),
    ("volume_claim_template", "volumeClaimTemplates"),
    ("toleration", "tolerations"),
    ("node_selector_term", "nodeSelectorTerms"),
    ("match_expressions", "matchExpressions"),
    ("match_label_expressions", "matchLabelExpressions"),
    ("allowed_topologies", "allowedTopologies"),
    ("storage_provisioner", "provisioner"),
    ("env", "env"),
];

/// Fields the provider nests one level deeper than the API does.
const FLATTENED: &[&str] = &["persistent_volume_source"];

/// The manifests of the `kubernetes_*` resources among Terraform's, one per file.
pub fn manifests(resources: &[Resource]) -> Vec<Manifests> {
    let mut by_file: Vec<Manifests> = Vec::new();
    for r in resources {
        let Some(object) = object(r) else { continue };
        let cluster = cluster_of(r, resources);
        match by_file.iter_mut().find(|m| m.display == r.file) {
            Some(m) => {
                m.objects.push(object);
                m.cluster = m.cluster.take().or(cluster);
            }
            None => by_file.push(Manifests {
                display: r.file.to_string(),
                objects: vec![object],
                lines: Vec::new(),
                cluster,
            }),
        }
    }
    by_file
}

/// Where the cluster a `kubernetes_*` or `helm_release` resource is applied to runs: its
/// provider's `host` names a cluster resource of the same deployment (`aws_eks_cluster.x`,
/// `azurerm_kubernetes_cluster.x`, `google_container_cluster.x`, or a data source reading one),
/// whose cloud and region (or location) the configuration gives.
fn cluster_of(r: &Resource, all: &[Resource]) -> Option<(String, String)> {
    let address = r.provider.region.refers_to()?;
    let cluster = all
        .iter()
        .find(|c| c.scope == r.scope && c.address == address)?;
    let provider = crate::locate::catalog_provider(cluster)?;
    let region = match cluster.attr("location") {
        Value::String(location) => location.to_string(),
        _ => cluster.provider.region.as_str()?.to_string(),
    };
    Some((provider.to_string(), region))
}

/// The object a Terraform resource creates, at the resource's line.
fn object(r: &Resource) -> Option<Node> {
    if r.kind == "kubernetes_manifest" {
        return Some(node(r.attr("manifest"), r.line, false, 0));
    }
    if r.kind == "helm_release" {
        return helm_release(r);
    }
    let base = r.kind.strip_suffix("_v1").unwrap_or(&r.kind);
    let (_, kind, api) = KINDS.iter().find(|(t, _, _)| *t == base)?;
    let mut entries = vec![
        ("apiVersion".to_string(), text(api, r.line)),
        ("kind".to_string(), text(kind, r.line)),
    ];
    for key in ["metadata", "spec"] {
        let value = r.attr(key);
        if !value.is_null() {
            // The provider writes `metadata` and `spec` as blocks (lists of one).
            let single = value.items().into_iter().next().unwrap_or(value);
            entries.push((key.to_string(), node(single, r.line, true, 0)));
        }
    }
    // A storage class's fields sit at its top level.
    for key in ["storage_provisioner", "parameters", "allowed_topologies"] {
        let value = r.attr(key);
        if !value.is_null() {
            entries.push((field(key).0, node(value, r.line, true, 0)));
        }
    }
    Some(Node {
        line: r.line,
        kind: NodeKind::Map(entries),
    })
}

/// A `helm_release`: a workload whose one "image" is its chart (`repository/chart`), so that a
/// mail server's chart (docker-mailserver, Mailu, Stalwart, ...) is recognised as its image
/// would be. What the chart creates (its claims) is not known without rendering it.
fn helm_release(r: &Resource) -> Option<Node> {
    let chart = r.attr("chart").as_str()?;
    let name = r.attr("name").as_str().unwrap_or(chart);
    let namespace = r.attr("namespace").as_str().unwrap_or("default");
    let reference = match r.attr("repository").as_str() {
        Some(repository) if !chart.contains('/') => {
            format!("{}/{chart}", repository.trim_end_matches('/'))
        }
        _ => chart.to_string(),
    };
    let map = |entries: Vec<(&str, Node)>| Node {
        line: r.line,
        kind: NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
    };
    let container = map(vec![("image", text(&reference, r.line))]);
    let seq = |items: Vec<Node>| Node {
        line: r.line,
        kind: NodeKind::Seq(items),
    };
    // The claims its values ask the chart for: new ones as claim templates (placed like a
    // StatefulSet's), existing ones as the pod volumes that mount them.
    let mut templates = Vec::new();
    let mut volumes = Vec::new();
    for claim in helm::claims(&helm::values(r)) {
        match claim.existing {
            Some(existing) => volumes.push(map(vec![
                ("name", text(&claim.name, r.line)),
                (
                    "persistentVolumeClaim",
                    map(vec![("claimName", text(&existing, r.line))]),
                ),
            ])),
            None => {
                let mut spec = Vec::new();
                if let Some(class) = &claim.storage_class {
                    spec.push(("storageClassName", text(class, r.line)));
                }
                templates.push(map(vec![
                    ("metadata", map(vec![("name", text(&claim.name, r.line))])),
                    ("spec", map(spec)),
                ]));
            }
        }
    }
    Some(map(vec![
        ("apiVersion", text("helm.sh/v3", r.line)),
        ("kind", text("HelmRelease", r.line)),
        (
            "metadata",
            map(vec![
                ("name", text(name, r.line)),
                ("namespace", text(namespace, r.line)),
            ]),
        ),
        (
            "spec",
            map(vec![
                ("containers", seq(vec![container])),
                ("volumes", seq(volumes)),
                ("volumeClaimTemplates", seq(templates)),
            ]),
        ),
    ]))
}

fn text(value: &str, line: usize) -> Node {
    Node {
        line,
        kind: NodeKind::String(value.to_string()),
    }
}

/// The API's name for a provider field, and whether it is a list.
fn field(key: &str) -> (String, bool) {
    if let Some((_, api)) = FIELDS.iter().find(|(tf, _)| *tf == key) {
        return (api.to_string(), !matches!(*api, "provisioner"));
    }
    let mut out = String::new();
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    (out, false)
}

/// A value as a manifest node. `rename` converts the provider's field names (a
/// `kubernetes_manifest` is written in the API's own names already). Unknown values are null:
/// the resolver treats them as not given.
fn node(value: &Value, line: usize, rename: bool, depth: usize) -> Node {
    let kind = if depth > crate::syntax::tree::MAX_DEPTH {
        NodeKind::Null
    } else {
        match value {
            Value::String(s) => NodeKind::String(s.to_string()),
            Value::Number(n) => NodeKind::Number(*n),
            Value::Bool(b) => NodeKind::Bool(*b),
            Value::List(items) => NodeKind::Seq(
                items
                    .iter()
                    .map(|i| node(i, line, rename, depth + 1))
                    .collect(),
            ),
            Value::Map(entries) => {
                let mut out: Vec<(String, Node)> = Vec::new();
                for (key, v) in entries {
                    if rename && FLATTENED.contains(&key.as_str()) {
                        let inner = v.items().into_iter().next().unwrap_or(v);
                        if let NodeKind::Map(children) = node(inner, line, rename, depth + 1).kind {
                            out.extend(children);
                        }
                        continue;
                    }
                    let (name, list) = if rename {
                        field(key)
                    } else {
                        (key.to_string(), false)
                    };
                    let mut child = node(v, line, rename, depth + 1);
                    if list && !matches!(child.kind, NodeKind::Seq(_)) {
                        child = Node {
                            line,
                            kind: NodeKind::Seq(vec![child]),
                        };
                    }
                    // Other blocks the provider writes as lists of one are single objects
                    // in the API (`template`, `spec`, `selector`, `persistent_volume_claim`).
                    if !list && rename {
                        if let NodeKind::Seq(items) = &child.kind {
                            if items.len() == 1 && matches!(items[0].kind, NodeKind::Map(_)) {
                                child = items[0].clone();
                            }
                        }
                    }
                    out.push((name, child));
                }
                NodeKind::Map(out)
            }
            _ => NodeKind::Null,
        }
    };
    Node { line, kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_fields_become_api_fields() {
        assert_eq!(
            field("volume_claim_template"),
            ("volumeClaimTemplates".into(), true)
        );
        assert_eq!(
            field("storage_class_name"),
            ("storageClassName".into(), false)
        );
        assert_eq!(field("node_selector"), ("nodeSelector".into(), false));
        assert_eq!(field("storage_provisioner"), ("provisioner".into(), false));
    }
}
