//! Kubernetes: workloads, the storage they mount, and where both physically are. Manifests do
//! not name a cloud region directly; what they can say is read in this order:
//!
//! 1. a PersistentVolume's `nodeAffinity` (or labels) on `topology.kubernetes.io/region` or
//!    `/zone` (and the deprecated `failure-domain.beta.kubernetes.io/...` labels);
//! 2. the StorageClass's `allowedTopologies` on the same labels;
//! 3. the pod's `nodeSelector` or required node affinity on the same labels;
//! 4. `--cluster-region PROVIDER:REGION`;
//!
//! and otherwise the place is unknown, with the reason. The cloud is the one the volume's CSI
//! driver or StorageClass provisioner belongs to (`ebs.csi.aws.com` is AWS), else the one
//! `--cluster-region` names, else the only cloud in the catalog with that region id.
//!
//! Each StatefulSet `volumeClaimTemplates` entry becomes a PersistentVolumeClaim of its own.
//! Velero `Schedule`/`Backup` objects that include a workload's namespace add a backup copy at
//! their `BackupStorageLocation` (its `spec.config.region`), and, for a workload with volumes,
//! a snapshot copy at their `VolumeSnapshotLocation` (named, or the only one declared; none when
//! `snapshotVolumes: false`).
//!
//! Labels: "Well-Known Labels, Annotations and Taints" in the Kubernetes reference
//! (kubernetes.io/docs/reference/labels-annotations-taints/).

use crate::frontend::kubernetes::parse::Manifests;
use crate::hash::HashMap;
use crate::model::{Inputs, Origin, PlacedBy, ProviderSetting, Resource, SourceFormat};
use crate::syntax::tree::node_value;
use crate::syntax::tree::Node;
use crate::value::Value;
use crate::value::ValueMap;
use compact_str::ToCompactString;
use std::collections::BTreeMap;

/// Kinds whose pods run containers, with the path to their pod spec.
const WORKLOADS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    // A Helm release made by Terraform (`frontend::kubernetes::terraform`): its chart in
    // place of an image.
    ("HelmRelease", &["spec"]),
];

/// Why a claim's place is unknown when nothing in the manifests says.
const CLAIM_UNPLACED: &str = "no PersistentVolume, StorageClass topology or node selector places this claim; pass --cluster-region PROVIDER:REGION";

const REGION_LABELS: &[&str] = &[
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/region",
];
const ZONE_LABELS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
    "topology.ebs.csi.aws.com/zone",
    "topology.gke.io/zone",
    "topology.disk.csi.azure.com/zone",
];

/// CSI drivers and in-tree provisioners, and the cloud whose disks they create.
const DRIVERS: &[(&str, &str)] = &[
    ("ebs.csi.aws.com", "aws"),
    ("efs.csi.aws.com", "aws"),
    ("kubernetes.io/aws-ebs", "aws"),
    ("pd.csi.storage.gke.io", "gcp"),
    ("filestore.csi.storage.gke.io", "gcp"),
    ("kubernetes.io/gce-pd", "gcp"),
    ("disk.csi.azure.com", "azure"),
    ("file.csi.azure.com", "azure"),
    ("kubernetes.io/azure-disk", "azure"),
    ("kubernetes.io/azure-file", "azure"),
    ("csi.hetzner.cloud", "hetzner"),
    ("dobs.csi.digitalocean.com", "digitalocean"),
    ("csi.scaleway.com", "scaleway"),
];

/// Velero's names for object-store plugins, and the catalog's providers.
const VELERO_PROVIDERS: &[(&str, &str)] = &[
    ("aws", "aws"),
    ("velero.io/aws", "aws"),
    ("gcp", "gcp"),
    ("velero.io/gcp", "gcp"),
    ("azure", "azure"),
    ("velero.io/azure", "azure"),
];

fn text<'n>(node: &'n Node, path: &[&str]) -> Option<&'n str> {
    path.iter()
        .try_fold(node, |n, k| n.get(k))
        .and_then(Node::as_str)
}

fn at<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(node, |n, k| n.get(k))
}

/// An object's kind, name and namespace.
struct Object<'n> {
    node: &'n Node,
    file: &'n str,
    kind: &'n str,
    name: &'n str,
    namespace: Option<&'n str>,
}

impl<'n> Object<'n> {
    fn new(node: &'n Node, file: &'n str) -> Object<'n> {
        Object {
            node,
            file,
            kind: text(node, &["kind"]).unwrap_or_default(),
            name: text(node, &["metadata", "name"]).unwrap_or("?"),
            namespace: text(node, &["metadata", "namespace"]),
        }
    }
}

/// What a manifest says about where something is: a region or zone label value, and the
/// cloud if a driver names it.
#[derive(Clone, Default)]
struct Hint {
    provider: Option<String>,
    /// Region ids or zone names the object is constrained to.
    places: Vec<String>,
    /// Which object and field said so, for the reason text.
    said_by: String,
}

/// Values of `In` expressions on region and zone labels in node selector terms.
fn topology_values(terms: &[Node], key_field: &str, values_field: &str) -> Vec<String> {
    let mut out = Vec::new();
    for term in terms {
        for expr in term
            .get("matchExpressions")
            .or_else(|| term.get("matchLabelExpressions"))
            .map(Node::items)
            .unwrap_or_default()
        {
            let key = text(expr, &[key_field]).unwrap_or_default();
            let operator = text(expr, &["operator"]).unwrap_or("In");
            if operator == "In" && (REGION_LABELS.contains(&key) || ZONE_LABELS.contains(&key)) {
                out.extend(
                    expr.get(values_field)
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string)),
                );
            }
        }
    }
    out
}

fn pv_hint(pv: &Object) -> Hint {
    let terms = at(
        pv.node,
        &["spec", "nodeAffinity", "required", "nodeSelectorTerms"],
    )
    .map(Node::items)
    .unwrap_or_default();
    let mut places = topology_values(terms, "key", "values");
    for label in REGION_LABELS.iter().chain(ZONE_LABELS) {
        if let Some(v) = at(pv.node, &["metadata", "labels"]).and_then(|l| l.get(label)?.as_str()) {
            places.push(v.to_string());
        }
    }
    // In-tree EBS volumes name their zone: `aws://eu-west-1a/vol-...`.
    if let Some(zone) = text(pv.node, &["spec", "awsElasticBlockStore", "volumeID"])
        .and_then(|id| id.strip_prefix("aws://"))
        .and_then(|rest| rest.split('/').next())
        .filter(|z| !z.is_empty())
    {
        places.push(zone.to_string());
    }
    let driver = text(pv.node, &["spec", "csi", "driver"]).or_else(|| {
        let spec = pv.node.get("spec")?;
        [
            ("awsElasticBlockStore", "kubernetes.io/aws-ebs"),
            ("gcePersistentDisk", "kubernetes.io/gce-pd"),
            ("azureDisk", "kubernetes.io/azure-disk"),
            ("azureFile", "kubernetes.io/azure-file"),
        ]
        .iter()
        .find(|(field, _)| spec.get(field).is_some())
        .map(|(_, d)| *d)
    });
    Hint {
        provider: driver.and_then(driver_provider),
        places,
        said_by: format!("PersistentVolume {}", pv.name),
    }
}

fn storage_class_hint(sc: &Object) -> Hint {
    let terms = sc
        .node
        .get("allowedTopologies")
        .map(Node::items)
        .unwrap_or_default();
    Hint {
        provider: text(sc.node, &["provisioner"]).and_then(driver_provider),
        places: topology_values(terms, "key", "values"),
        said_by: format!("StorageClass {}", sc.name),
    }
}

fn pod_hint(pod_spec: Option<&Node>, owner: &Object) -> Hint {
    let Some(spec) = pod_spec else {
        return Hint::default();
    };
    let mut places = Vec::new();
    for label in REGION_LABELS.iter().chain(ZONE_LABELS) {
        if let Some(v) = spec
            .get("nodeSelector")
            .and_then(|s| s.get(label)?.as_str())
        {
            places.push(v.to_string());
        }
    }
    let terms = at(
        spec,
        &[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ],
    )
    .map(Node::items)
    .unwrap_or_default();
    places.extend(topology_values(terms, "key", "values"));
    Hint {
        provider: None,
        places,
        said_by: format!("{} {}", owner.kind, owner.name),
    }
}

fn driver_provider(driver: &str) -> Option<String> {
    DRIVERS
        .iter()
        .find(|(d, _)| *d == driver)
        .map(|(_, p)| p.to_string())
}

/// Azure zone labels are `westeurope-1`; AWS and Google zones are stripped by the catalog.
fn zone_to_region(provider: &str, place: &str) -> String {
    if provider == "azure" {
        if let Some((region, zone)) = place.rsplit_once('-') {
            if zone.chars().all(|c| c.is_ascii_digit()) {
                return region.to_string();
            }
        }
    }
    place.to_string()
}

/// The providers whose catalog knows a region or zone id.
fn providers_knowing(cat: &crate::catalog::Catalog, place: &str) -> Vec<String> {
    cat.providers
        .iter()
        .map(|p| p.provider.clone())
        .filter(|p| cat.region(p, &zone_to_region(p, place)).is_some())
        .collect()
}

/// A place for the resolver to record: the provider, the region (or why it is unknown), and
/// whether it came from a command-line option.
struct Place {
    provider: Option<String>,
    region: Value,
    origin: Origin,
}

/// Turns the first hint that constrains anything into a place; falls back to
/// `--cluster-region`, else unknown with `missing` as the reason. The cloud is the one the
/// hints name, else `--cluster-region`'s, else `cluster`'s (the one cloud whose storage
/// drivers the manifests use), else the only cloud whose catalog has the region.
fn place(hints: &[Hint], inputs: &Inputs, cluster: Option<&str>, missing: &str) -> Place {
    let provider_hint = hints.iter().find_map(|h| h.provider.clone());
    if let Some(hint) = hints.iter().find(|h| !h.places.is_empty()) {
        let named = provider_hint
            .clone()
            .or_else(|| inputs.cluster_region.as_ref().map(|(p, _)| p.clone()))
            .or_else(|| cluster.map(str::to_string));
        let known = match named {
            Some(_) => Vec::new(),
            None => providers_knowing(&inputs.catalog, &hint.places[0]),
        };
        let provider = named.or_else(|| (known.len() == 1).then(|| known[0].clone()));
        let Some(provider) = provider else {
            let why = if known.len() > 1 {
                format!(
                    "{} places it in {}, a region id of {}; pass --cluster-region PROVIDER:REGION",
                    hint.said_by,
                    hint.places[0],
                    known.join(" and ")
                )
            } else {
                format!(
                    "{} places it in {}, but no cloud is named; pass --cluster-region PROVIDER:REGION",
                    hint.said_by, hint.places[0]
                )
            };
            return Place {
                provider: None,
                region: Value::unknown(why),
                origin: Origin::Literal,
            };
        };
        let cat = &inputs.catalog;
        let mut regions: Vec<String> = hint
            .places
            .iter()
            .map(|p| {
                let p = zone_to_region(&provider, p);
                cat.region(&provider, &p).map(|r| r.id.clone()).unwrap_or(p)
            })
            .collect();
        regions.sort();
        regions.dedup();
        let region = if regions.len() == 1 {
            Value::String(regions.remove(0).into())
        } else {
            Value::unknown(format!(
                "{} allows several regions ({}); pods and volumes may be in any of them",
                hint.said_by,
                regions.join(", ")
            ))
        };
        return Place {
            provider: Some(provider),
            region,
            origin: Origin::Literal,
        };
    }
    match &inputs.cluster_region {
        Some((provider, region)) => Place {
            provider: Some(provider.clone()),
            region: Value::String(region.to_compact_string()),
            origin: Origin::Variable,
        },
        None => Place {
            provider: provider_hint,
            region: Value::unknown(missing),
            origin: Origin::Literal,
        },
    }
}

/// The resources of all manifests, as one cluster: workloads (with their StatefulSet claim
/// templates), claims, and Velero storage locations, each placed as the module doc says.
pub fn resolve(files: &[Manifests], inputs: &Inputs) -> Vec<Resource> {
    let objects: Vec<Object> = files
        .iter()
        .flat_map(|f| f.objects.iter().map(|o| Object::new(o, &f.display)))
        .collect();
    let cluster = Cluster::new(&objects, inputs);
    let mut out = Vec::new();
    let mut claim_users: HashMap<String, Vec<Hint>> = HashMap::default();
    for o in &objects {
        cluster.workload(o, &mut claim_users, &mut out);
    }
    for o in objects.iter().filter(|o| o.kind == "PersistentVolumeClaim") {
        let mut hints = cluster.claim_hints(o.name, o.node.get("spec"));
        hints.extend(claim_users.get(o.name).cloned().unwrap_or_default());
        let mut r = resource(o, o.node, o.kind, o.name);
        set_place(
            &mut r,
            place(&hints, inputs, cluster.cluster(), CLAIM_UNPLACED),
        );
        out.push(r);
    }
    for o in objects
        .iter()
        .filter(|o| matches!(o.kind, "BackupStorageLocation" | "VolumeSnapshotLocation"))
    {
        out.push(velero_location(o));
    }
    out
}

/// What placing the cluster's objects needs from all of them: storage classes and volumes by
/// name, the default class, which volume is bound to which claim, Velero backups, services,
/// and the one cloud whose storage drivers the manifests use.
struct Cluster<'o, 'n> {
    inputs: &'o Inputs,
    storage_classes: HashMap<&'n str, &'o Object<'n>>,
    volumes: HashMap<&'n str, &'o Object<'n>>,
    default_class: Option<&'o Object<'n>>,
    /// Which PersistentVolume is bound to which claim, from either side.
    bound: HashMap<&'n str, &'o Object<'n>>,
    backups: Vec<VeleroBackup>,
    services: Vec<&'o Object<'n>>,
    /// The clouds whose storage drivers the manifests use.
    drivers: Vec<String>,
}

impl<'o, 'n> Cluster<'o, 'n> {
    fn new(objects: &'o [Object<'n>], inputs: &'o Inputs) -> Self {
        let by_kind = |kind: &str| -> HashMap<&'n str, &'o Object<'n>> {
            objects
                .iter()
                .filter(|o| o.kind == kind)
                .map(|o| (o.name, o))
                .collect()
        };
        let volumes = by_kind("PersistentVolume");
        let mut bound = HashMap::default();
        for pv in volumes.values() {
            if let Some(claim) = text(pv.node, &["spec", "claimRef", "name"]) {
                bound.insert(claim, *pv);
            }
        }
        let mut drivers: Vec<String> = objects
            .iter()
            .filter_map(|o| match o.kind {
                "StorageClass" => storage_class_hint(o).provider,
                "PersistentVolume" => pv_hint(o).provider,
                _ => None,
            })
            .collect();
        drivers.sort();
        drivers.dedup();
        Cluster {
            inputs,
            storage_classes: by_kind("StorageClass"),
            volumes,
            default_class: objects.iter().find(|o| {
                o.kind == "StorageClass"
                    && text(
                        o.node,
                        &[
                            "metadata",
                            "annotations",
                            "storageclass.kubernetes.io/is-default-class",
                        ],
                    ) == Some("true")
            }),
            bound,
            backups: velero_backups(objects),
            services: objects.iter().filter(|o| o.kind == "Service").collect(),
            drivers,
        }
    }

    /// The one cloud whose storage drivers the manifests use, if there is exactly one.
    fn cluster(&self) -> Option<&str> {
        (self.drivers.len() == 1).then(|| self.drivers[0].as_str())
    }

    /// Where a claim is, from its volume or class; the consuming pod's place is the fallback.
    fn claim_hints(&self, claim_name: &str, spec: Option<&Node>) -> Vec<Hint> {
        let mut hints = Vec::new();
        let volume = spec
            .and_then(|s| text(s, &["volumeName"]))
            .and_then(|v| self.volumes.get(v).copied())
            .or_else(|| self.bound.get(claim_name).copied());
        if let Some(pv) = volume {
            hints.push(pv_hint(pv));
            if let Some(sc) = text(pv.node, &["spec", "storageClassName"])
                .and_then(|c| self.storage_classes.get(c))
            {
                hints.push(storage_class_hint(sc));
            }
        }
        let class = spec
            .and_then(|s| text(s, &["storageClassName"]))
            .and_then(|c| self.storage_classes.get(c).copied())
            .or(self.default_class);
        if let Some(sc) = class {
            hints.push(storage_class_hint(sc));
        }
        hints
    }

    /// A workload (with a claim per StatefulSet claim template), its images, ports, services,
    /// claims, host paths and Velero copies; records which pods use which claim.
    fn workload(
        &self,
        o: &Object,
        claim_users: &mut HashMap<String, Vec<Hint>>,
        out: &mut Vec<Resource>,
    ) {
        let Some((_, spec_path)) = WORKLOADS.iter().find(|(k, _)| *k == o.kind) else {
            return;
        };
        let pod_spec = at(o.node, spec_path);
        let pod = pod_hint(pod_spec, o);
        let mut claims: Vec<Value> = Vec::new();
        let mut host_paths: Vec<Value> = Vec::new();
        // A claim template replaces the pod volume of the same name (the StatefulSet
        // controller mounts the claim it creates there).
        let templated: Vec<&str> = at(o.node, &["spec", "volumeClaimTemplates"])
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|t| text(t, &["metadata", "name"]))
            .collect();
        for volume in pod_spec
            .and_then(|s| s.get("volumes"))
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter(|v| !text(v, &["name"]).is_some_and(|n| templated.contains(&n)))
        {
            if let Some(claim) = text(volume, &["persistentVolumeClaim", "claimName"]) {
                claims.push(Value::String(claim.to_compact_string()));
                claim_users
                    .entry(claim.to_string())
                    .or_default()
                    .push(pod.clone());
            }
            if let Some(path) = text(volume, &["hostPath", "path"]) {
                host_paths.push(Value::String(path.to_compact_string()));
            }
        }
        // StatefulSet claim templates: one claim per template (per replica in the cluster).
        for template in at(o.node, &["spec", "volumeClaimTemplates"])
            .map(Node::items)
            .unwrap_or_default()
        {
            let template_name = text(template, &["metadata", "name"]).unwrap_or("?");
            let claim_name = format!("{template_name}-{}", o.name);
            claims.push(Value::String(claim_name.to_compact_string()));
            let mut hints = self.claim_hints(&claim_name, template.get("spec"));
            hints.push(pod.clone());
            let mut r = resource(o, template, "PersistentVolumeClaim", &claim_name);
            set_place(
                &mut r,
                place(&hints, self.inputs, self.cluster(), CLAIM_UNPLACED),
            );
            r.line = template.line;
            r.end_line = template.last_line();
            out.push(r);
        }
        let containers: Vec<&Node> = ["containers", "initContainers"]
            .iter()
            .flat_map(|c| {
                pod_spec
                    .and_then(|s| s.get(c))
                    .map(Node::items)
                    .unwrap_or_default()
            })
            .collect();
        let images: Vec<Value> = containers
            .iter()
            .filter_map(|c| text(c, &["image"]).map(|i| Value::String(i.to_compact_string())))
            .collect();
        let ports: Vec<Value> = containers
            .iter()
            .flat_map(|c| c.get("ports").map(Node::items).unwrap_or_default())
            .filter_map(|p| match p.get("containerPort").map(|n| &n.kind) {
                Some(crate::syntax::tree::NodeKind::Number(n)) => Some(Value::Number(*n)),
                _ => None,
            })
            .collect();
        // Services whose selector picks this workload's pods, and the ports they expose.
        let pod_labels = if o.kind == "Pod" {
            at(o.node, &["metadata", "labels"])
        } else {
            at(o.node, &["spec", "template", "metadata", "labels"])
        };
        let service_ports: Vec<Value> = self
            .services
            .iter()
            .filter(|svc| svc.namespace == o.namespace && selects(svc.node, pod_labels))
            .flat_map(|svc| {
                at(svc.node, &["spec", "ports"])
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .flat_map(|p| [p.get("port"), p.get("targetPort")])
                    .filter_map(|n| match n.map(|n| &n.kind) {
                        Some(crate::syntax::tree::NodeKind::Number(n)) => {
                            let mut m = BTreeMap::new();
                            m.insert(
                                "service".to_string(),
                                Value::String(svc.name.to_compact_string()),
                            );
                            m.insert("port".to_string(), Value::Number(*n));
                            Some(Value::Map(crate::value::map_of(m)))
                        }
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let claims_empty = claims.is_empty();
        let mut r = resource(o, o.node, o.kind, o.name);
        if !service_ports.is_empty() {
            set_attr(&mut r, "$service_ports", Value::List(service_ports.into()));
        }
        set_attr(&mut r, "$images", Value::List(images.into()));
        set_attr(&mut r, "$ports", Value::List(ports.into()));
        set_attr(&mut r, "$claims", Value::List(claims.into()));
        if !host_paths.is_empty() {
            set_attr(&mut r, "$host_paths", Value::List(host_paths.into()));
        }
        let namespace = o.namespace.unwrap_or("default");
        let stores: Vec<Value> = self
            .backups
            .iter()
            .filter(|b| b.includes(namespace))
            .map(|b| Value::String(b.location.to_compact_string()))
            .collect();
        if !stores.is_empty() {
            set_attr(&mut r, "$backups", Value::List(stores.into()));
        }
        // Snapshots are of the workload's volumes: only a workload with claims has any.
        let snapshots: Vec<Value> = self
            .backups
            .iter()
            .filter(|b| b.includes(namespace) && !claims_empty)
            .flat_map(|b| {
                b.snapshots
                    .iter()
                    .map(|s| Value::String(s.to_compact_string()))
            })
            .collect();
        if !snapshots.is_empty() {
            set_attr(&mut r, "$snapshots", Value::List(snapshots.into()));
        }
        set_place(
            &mut r,
            place(
                &[pod],
                self.inputs,
                self.cluster(),
                "no node selector or affinity places its pods; pass --cluster-region PROVIDER:REGION",
            ),
        );
        out.push(r);
    }
}

/// A Velero storage location, placed by its provider and `spec.config.region`.
fn velero_location(o: &Object) -> Resource {
    let mut r = resource(o, o.node, o.kind, o.name);
    let provider = text(o.node, &["spec", "provider"]).and_then(|p| {
        VELERO_PROVIDERS
            .iter()
            .find(|(v, _)| *v == p)
            .map(|(_, c)| c.to_string())
    });
    let region = text(o.node, &["spec", "config", "region"]);
    let found = match (provider, region) {
        (Some(p), Some(region)) => Place {
            provider: Some(p),
            region: Value::String(region.to_compact_string()),
            origin: Origin::Literal,
        },
        (p, _) => Place {
            provider: p,
            region: Value::unknown(format!(
                "{} {} does not name its region (spec.config.region)",
                o.kind, o.name
            )),
            origin: Origin::Literal,
        },
    };
    set_place(&mut r, found);
    r
}

/// A Velero `Schedule` or `Backup` and the storage location it writes to.
struct VeleroBackup {
    namespaces: Vec<String>,
    excluded: Vec<String>,
    location: String,
    /// Where volume snapshots go (`volumeSnapshotLocations`, else the only
    /// VolumeSnapshotLocation); empty when `snapshotVolumes: false` or none is declared.
    snapshots: Vec<String>,
}

impl VeleroBackup {
    fn includes(&self, namespace: &str) -> bool {
        let listed = self.namespaces.is_empty()
            || self.namespaces.iter().any(|n| n == "*" || n == namespace);
        listed && !self.excluded.iter().any(|n| n == namespace)
    }
}

fn velero_backups(objects: &[Object]) -> Vec<VeleroBackup> {
    // Without `storageLocation`, Velero uses the location marked `default: true`, and its
    // installation names that one `default`.
    let locations = || objects.iter().filter(|o| o.kind == "BackupStorageLocation");
    let default_location = locations()
        .find(|o| {
            matches!(
                at(o.node, &["spec", "default"]).map(|n| &n.kind),
                Some(crate::syntax::tree::NodeKind::Bool(true))
            )
        })
        .or_else(|| locations().find(|o| o.name == "default"))
        .map(|o| o.name.to_string());
    let snapshot_locations: Vec<String> = objects
        .iter()
        .filter(|o| o.kind == "VolumeSnapshotLocation")
        .map(|o| o.name.to_string())
        .collect();
    let list = |node: Option<&Node>| -> Vec<String> {
        node.map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect()
    };
    objects
        .iter()
        .filter(|o| {
            (o.kind == "Schedule" || o.kind == "Backup")
                && text(o.node, &["apiVersion"]).is_some_and(|v| v.starts_with("velero.io/"))
        })
        .filter_map(|o| {
            let spec = if o.kind == "Schedule" {
                at(o.node, &["spec", "template"])
            } else {
                o.node.get("spec")
            }?;
            let snapshots_off = matches!(
                spec.get("snapshotVolumes").map(|n| &n.kind),
                Some(crate::syntax::tree::NodeKind::Bool(false))
            );
            let named = list(spec.get("volumeSnapshotLocations"));
            let snapshots = if snapshots_off {
                Vec::new()
            } else if !named.is_empty() {
                named
            } else if snapshot_locations.len() == 1 {
                snapshot_locations.clone()
            } else {
                Vec::new()
            };
            Some(VeleroBackup {
                namespaces: list(spec.get("includedNamespaces")),
                excluded: list(spec.get("excludedNamespaces")),
                snapshots,
                location: text(spec, &["storageLocation"])
                    .map(str::to_string)
                    .or_else(|| default_location.clone())?,
            })
        })
        .collect()
}

fn resource(owner: &Object, node: &Node, kind: &str, name: &str) -> Resource {
    let mut attributes = match node_value(node) {
        Value::Map(m) => m,
        _ => ValueMap::new(),
    };
    attributes.insert("$name".into(), Value::String(name.to_compact_string()));
    let address = match owner.namespace {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    };
    Resource {
        address,
        kind: kind.into(),
        scope: arcstr::literal!("kubernetes"),
        format: SourceFormat::Kubernetes,
        file: owner.file.into(),
        line: owner.node.line,
        end_line: owner.node.last_line(),
        attributes: Value::Map(attributes),
        origins: BTreeMap::new(),
        provider: std::sync::Arc::new(ProviderSetting {
            name: "kubernetes".into(),
            alias: None,
            region: Value::Null,
            origin: Origin::Literal,
        }),
        placed_by: PlacedBy::FrontEnd,
    }
}

/// Whether a Service's non-empty `spec.selector` matches every one of its labels in `labels`.
fn selects(service: &Node, labels: Option<&Node>) -> bool {
    let selector = at(service, &["spec", "selector"])
        .map(Node::entries)
        .unwrap_or_default();
    !selector.is_empty()
        && selector
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)).and_then(Node::as_str) == v.as_str())
}

/// Sets a derived attribute (`$images`, `$claims`, ...); resources made here are maps.
fn set_attr(r: &mut Resource, key: &str, value: Value) {
    if let Value::Map(m) = &mut r.attributes {
        m.insert(key.into(), value);
    }
}

fn set_place(r: &mut Resource, place: Place) {
    if let Some(p) = &place.provider {
        set_attr(r, "$provider", Value::String(p.to_compact_string()));
    }
    let provider = std::sync::Arc::make_mut(&mut r.provider);
    provider.region = place.region;
    provider.origin = place.origin;
}
