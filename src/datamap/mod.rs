//! The data map: which resources are sources of mailbox data, and every place that data is
//! carried to (stored, replicated, backed up, archived, logged, processed), each with its
//! placement, its key custody and the chains of resources that led there.
//!
//! The map is a graph walk. `flows.rs` lists every kind of edge as data; this module starts at
//! each source and follows the edges breadth first, so the first chain found to a copy is the
//! shortest, and a copy reached again by another route keeps that route too.

mod compose_host;
mod custody;
mod flows;
mod heuristics;
mod index;
mod via;

pub use custody::KeyRef;
use flows::{Flow, Reach, ANY, FLOWS, LOCATED_WITH, SOURCES};
use index::{Index, Link, Target};

use crate::hash::{HashMap, HashSet};
use crate::locate::{self, Basis, Placement};
use crate::model::Origin;
use crate::model::Resource;
use crate::value::{Key, Value};
use serde::Serialize;
use std::collections::VecDeque;
use via::Via;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Store,
    Replica,
    Backup,
    Archive,
    Log,
    Processing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataClass {
    /// Bodies and attachments.
    Content,
    /// Addresses, headers, delivery logs.
    Metadata,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyCustody {
    Provider,
    CustomerManaged,
    External,
    ClientSide,
}

/// The name a unit enum has in the report (`store`, `customer-managed`, `provider-default`),
/// for text output, messages and policy fields, so they always match the JSON.
pub fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One place where a dataset's data rests or passes through.
#[derive(Debug, Clone, Serialize)]
pub struct Copy {
    pub resource: arcstr::ArcStr,
    /// The deployment the copy belongs to: the Terraform root module (`envs/prod`), the
    /// CloudFormation or ARM template, the cluster's manifests, the tenants file.
    ///
    /// Deployment and file are shared with the resource that declares the copy (and with
    /// every other copy of that deployment and file), not copied into each copy.
    pub deployment: arcstr::ArcStr,
    pub file: arcstr::ArcStr,
    pub line: usize,
    #[serde(skip)]
    pub end_line: usize,
    pub role: Role,
    pub data: DataClass,
    /// Provider, region and country codes are shared keys (one pointer each, see `Key`): a
    /// large scan has a hundred thousand copies and a few dozen distinct values of each.
    pub provider: Option<Key>,
    pub region: Option<Key>,
    pub countries: Vec<Key>,
    /// Shared with the catalog (and every other copy in the region): not copied per copy.
    pub operator: Option<std::sync::Arc<crate::catalog::Entity>>,
    pub parent: Option<std::sync::Arc<crate::catalog::Entity>>,
    pub key_custody: KeyCustody,
    /// The key named for this copy, and the regions its material is in.
    /// Boxed: most copies name no key, and a key's name and regions took 48 bytes in each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<Box<KeyRef>>,
    pub basis: Basis,
    pub unknown_reason: Option<String>,
    /// The shortest chain of resources from the dataset's source to this copy (both ends
    /// included), with the links (a replication configuration, a backup plan) in between.
    pub via: Vec<arcstr::ArcStr>,
    /// Other chains that reach the same copy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_via: Vec<Vec<arcstr::ArcStr>>,
    /// Whether the resource is declared in the scanned files.
    pub declared: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    /// The deployment the source belongs to (see `Copy::deployment`): two deployments of one
    /// module are two datasets.
    pub deployment: String,
    /// Address of the resource mail enters through.
    pub source: String,
    pub kind: String,
    pub file: String,
    pub line: usize,
    /// How the source was recognised: `service` (a mail service's resource), `tag` (the mail
    /// tag), or `heuristic` (a VM that looks like a mail server; see `reason`).
    pub basis: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub copies: Vec<Copy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataMap {
    pub datasets: Vec<Dataset>,
}

/// Whether the datasets come from more than one deployment, so that reports must name the
/// deployment to tell two deployments of one module apart.
pub fn several_deployments(datasets: &[Dataset]) -> bool {
    datasets
        .iter()
        .any(|d| d.deployment != datasets[0].deployment)
}

/// The tag (AWS, Azure) or label (Google) that marks a resource as holding mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailTag {
    pub key: String,
    pub value: String,
}

impl Default for MailTag {
    fn default() -> Self {
        MailTag {
            key: "data-class".into(),
            value: "mailbox".into(),
        }
    }
}

/// The values at a path of keys below `root`, each with the block that holds it. Nested blocks
/// and lists are walked through (`rule.destination.bucket` visits every rule and destination),
/// and a list at the end gives each of its items (`resources = [a, b]`).
pub(crate) fn values_at<'v>(root: &'v Value, path: &[&str]) -> Vec<(&'v Value, &'v Value)> {
    let mut current = vec![(root, root)];
    for key in path {
        current = current
            .into_iter()
            .flat_map(|(_, node)| node.items())
            .flat_map(|block| match (*key, block) {
                // `*`: every value of a map (a function's environment variables).
                ("*", Value::Map(entries)) => entries.values().map(|v| (block, v)).collect(),
                _ => vec![(block, block.get(key))],
            })
            .filter(|(_, v)| !v.is_null())
            .collect();
    }
    current
        .into_iter()
        .flat_map(|(block, v)| v.items().into_iter().map(move |item| (block, item)))
        .collect()
}

/// The flows that leave resources of a kind, in table order; built once.
fn flows_from(kind: &str) -> &'static [&'static Flow] {
    static BY_KIND: std::sync::OnceLock<HashMap<&'static str, Vec<&'static Flow>>> =
        std::sync::OnceLock::new();
    static ANY_ONLY: std::sync::OnceLock<Vec<&'static Flow>> = std::sync::OnceLock::new();
    let by_kind = BY_KIND.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<&'static Flow>> = HashMap::default();
        let kinds: HashSet<&'static str> = FLOWS
            .iter()
            .flat_map(|f| f.from.iter().copied())
            .filter(|k| *k != "*")
            .collect();
        for kind in kinds {
            let list = FLOWS
                .iter()
                .filter(|f| f.from == ANY || f.from.contains(&kind))
                .collect();
            map.insert(kind, list);
        }
        map
    });
    match by_kind.get(kind) {
        Some(list) => list,
        None => ANY_ONLY.get_or_init(|| FLOWS.iter().filter(|f| f.from == ANY).collect()),
    }
}

/// Every link the index must know: the `NamedBy` edges and the key lookups.
fn links() -> Vec<Link> {
    let mut links: Vec<Link> = FLOWS
        .iter()
        .filter_map(|f| match f.reach {
            Reach::NamedBy { kinds, path } => Some(Link {
                kinds,
                path,
                targets: f.from,
            }),
            _ => None,
        })
        .collect();
    links.extend(custody::links().map(|(kinds, path)| Link {
        kinds,
        path,
        targets: ANY,
    }));
    links.push(Link {
        kinds: &["aws_kms_replica_key"],
        path: &["primary_key_arn"],
        targets: ANY,
    });
    links.extend(heuristics::links());
    links
}

/// What reaches a copy: its role, its data, its key, and the resource that declares the edge.
struct Arrival {
    role: Role,
    data: DataClass,
    key: Option<(KeyCustody, Option<KeyRef>)>,
}

struct Builder<'i, 'a> {
    index: &'i Index<'a>,
    copies: Vec<Copy>,
    /// Position in `copies` by resource, file (of a declared copy) and deployment, to merge a
    /// copy reached twice. File and deployment are the resources' shared strings.
    seen: HashMap<(arcstr::ArcStr, Option<arcstr::ArcStr>, arcstr::ArcStr), usize>,
    /// Resources already walked from, per data class.
    walked: HashSet<(*const Resource, bool)>,
    queue: VecDeque<(&'a Resource, DataClass, Via)>,
}

impl<'a> Builder<'_, 'a> {
    /// Records a copy, or adds the route to a copy already recorded. `at` declares the copy:
    /// the copy's own resource when `label` is its address, otherwise the resource that names
    /// the target. Returns whether the copy is new.
    fn record(
        &mut self,
        label: arcstr::ArcStr,
        at: &Resource,
        arrival: Arrival,
        placement: Placement,
        via: &Via,
    ) -> bool {
        let declared = label == at.address;
        let chain = via.then(&label);
        let seen_key = (
            label.clone(),
            declared.then(|| at.file.clone()),
            at.scope.clone(),
        );
        if let Some(&i) = self.seen.get(&seen_key) {
            let copy = &mut self.copies[i];
            // A cycle back to a copy (replication both ways) is not another route to it.
            if copy.also_via.len() < via::MAX_OTHER_ROUTES && !via.contains(&label) {
                let route = chain.shown();
                if copy.via != route && !copy.also_via.contains(&route) {
                    copy.also_via.push(route);
                }
            }
            if arrival.data == DataClass::Content {
                copy.data = DataClass::Content;
            }
            return false;
        }
        let (key_custody, key) = arrival.key.unwrap_or((KeyCustody::Provider, None));
        // A copy whose region is unknown is still controlled by whoever controls every
        // partition of its provider (Oracle for every OCI realm): known from the catalog.
        let parent = placement.parent.or_else(|| {
            placement
                .operator
                .is_none()
                .then_some(placement.provider.as_deref())
                .flatten()
                .and_then(|p| self.index.sole_parent(p).cloned())
        });
        self.seen.insert(seen_key, self.copies.len());
        self.copies.push(Copy {
            resource: label,
            deployment: at.scope.clone(),
            file: at.file.clone(),
            line: at.line,
            end_line: at.end_line,
            role: arrival.role,
            data: arrival.data,
            provider: placement.provider.map(Key::from),
            region: placement.region.map(Key::from),
            countries: placement.countries.into_iter().map(Key::from).collect(),
            operator: placement.operator,
            parent,
            key_custody,
            key: key.map(Box::new),
            basis: placement.basis,
            unknown_reason: placement.unknown_reason,
            via: chain.shown(),
            also_via: Vec::new(),
            declared,
        });
        true
    }

    fn placement(&self, r: &Resource, depth: usize) -> Placement {
        place(self.index, r, depth)
    }

    /// Records a declared resource as a copy and queues it to be walked from.
    fn reach(
        &mut self,
        r: &'a Resource,
        role: Role,
        data: DataClass,
        key: Option<(KeyCustody, Option<KeyRef>)>,
        holds: bool,
        via: &Via,
    ) {
        // One shared copy of the address for the copy, its route and the routes after it.
        let mut shared = None;
        let mut label = || {
            shared
                .get_or_insert_with(|| arcstr::ArcStr::from(r.address.as_str()))
                .clone()
        };
        if holds {
            let key = key.or_else(|| Some(custody::of_resource(self.index, r)));
            let arrival = Arrival { role, data, key };
            self.record(label(), r, arrival, self.placement(r, 0), via);
        }
        if self
            .walked
            .insert((r as *const Resource, data == DataClass::Content))
        {
            self.queue.push_back((r, data, via.then(&label())));
        }
    }

    /// Follows every flow out of `node`.
    fn walk(&mut self, node: &'a Resource, incoming: DataClass, via: &Via) {
        for flow in flows_from(&node.kind) {
            let data = flow.data.unwrap_or(incoming);
            // Copies that are part of the node itself (a replica region, a geo-redundant pair)
            // are protected by the node's own key.
            let own_key = || Some(custody::of_resource(self.index, node));
            let arrival = |key| Arrival {
                role: flow.role,
                data,
                key,
            };
            let provider = locate::catalog_provider(node);
            match &flow.reach {
                Reach::Names { path, targets } => {
                    for (block, value) in values_at(&node.attributes, path) {
                        let key = flow
                            .key
                            .map(|k| block.path(k))
                            .filter(|k| !k.is_null())
                            .map(|k| custody::of_key(self.index, k, node));
                        self.follow(node, value, targets, flow, data, key, via);
                    }
                }
                Reach::DeclaredNames { path, targets } => {
                    for (_, value) in values_at(&node.attributes, path) {
                        if let Target::Declared(r) = self.index.target(value, node, targets) {
                            self.reach(r, flow.role, data, None, flow.holds, via);
                        }
                    }
                }
                Reach::NamedBy { kinds, path } => {
                    let index = self.index;
                    for r in index.attached(kinds, path, node) {
                        self.reach(r, flow.role, data, None, flow.holds, via);
                    }
                }
                Reach::InDeployment { kinds } => {
                    let index = self.index;
                    for kind in kinds.iter() {
                        for r in index.of_kind(kind) {
                            if r.scope == node.scope {
                                self.reach(r, flow.role, data, None, flow.holds, via);
                            }
                        }
                    }
                }
                Reach::Regions { path } => {
                    let own = self.placement(node, 0).region;
                    for (_, value) in values_at(&node.attributes, path) {
                        let Some(provider) = provider else { continue };
                        let placement = locate::place_value(
                            &self.index.lookups,
                            provider,
                            value,
                            Origin::Literal,
                            flow.what,
                        );
                        if placement.region.is_some() && placement.region == own {
                            continue; // the resource's own region is the store itself
                        }
                        // The same unknown as the resource's own location (an ARM Cosmos DB
                        // account listing `[parameters('location')]` first) is not a second place.
                        if value.is_unknown() && value == node.attr("location") {
                            continue;
                        }
                        let label = match &placement.region {
                            Some(region) => {
                                arcstr::format!("{} ({} {region})", node.address, flow.what)
                            }
                            None => arcstr::format!("{} ({})", node.address, flow.what),
                        };
                        self.record(label, node, arrival(own_key()), placement, via);
                    }
                }
                Reach::Paired {
                    path,
                    values,
                    default,
                } => {
                    let named = values_at(&node.attributes, path);
                    let setting = named.first().map(|(_, v)| *v).unwrap_or(&Value::Null);
                    let placement = match setting {
                        Value::Null => match default {
                            Some(d) if values.contains(d) => {
                                self.paired(node, Basis::ProviderDefault)
                            }
                            _ => continue,
                        },
                        Value::String(s) if values.iter().any(|v| v.eq_ignore_ascii_case(s)) => {
                            self.paired(node, Basis::Implicit)
                        }
                        Value::Unknown(u) => Placement::unknown(
                            provider,
                            format!(
                                "whether {} copies to the paired region cannot be known: {}",
                                node.address, u.reason
                            ),
                        ),
                        _ => continue,
                    };
                    let label = arcstr::format!("{} ({})", node.address, flow.what);
                    self.record(label, node, arrival(own_key()), placement, via);
                }
                Reach::Here { path } => {
                    if values_at(&node.attributes, path).is_empty() {
                        continue;
                    }
                    let label = arcstr::format!("{} ({})", node.address, flow.what);
                    let placement = self.placement(node, 0);
                    self.record(label, node, arrival(None), placement, via);
                }
                Reach::External { path } => {
                    for (_, value) in values_at(&node.attributes, path) {
                        let name = value
                            .as_str()
                            .map(str::to_string)
                            .or_else(|| value.partial_text().map(str::to_string))
                            .unwrap_or_else(|| "?".to_string());
                        let placement = Placement::unknown(
                            None,
                            format!("mail leaves for the {} {name}, whose location cannot be read from the files", flow.what),
                        );
                        let label = arcstr::format!("{} ({} {name})", node.address, flow.what);
                        self.record(label, node, arrival(None), placement, via);
                    }
                }
                Reach::Unplaced {
                    unset,
                    enabled,
                    reason,
                } => {
                    // `true`, or Vultr's `backups = "enabled"`.
                    let on = values_at(&node.attributes, enabled).iter().any(|(_, v)| {
                        v.as_bool() == Some(true)
                            || v.as_str()
                                .is_some_and(|t| t.eq_ignore_ascii_case("enabled"))
                    });
                    if !on || !values_at(&node.attributes, unset).is_empty() {
                        continue;
                    }
                    let label = arcstr::format!("{} ({})", node.address, flow.what);
                    let placement = Placement::unknown(provider, *reason);
                    self.record(label, node, arrival(own_key()), placement, via);
                }
                Reach::CatalogMetadata => {
                    let placement = self.placement(node, 0);
                    let (Some(provider), Some(region)) = (provider, placement.region.as_deref())
                    else {
                        continue;
                    };
                    let Some(found) = self.index.lookups.catalog.region(provider, region) else {
                        continue;
                    };
                    if found.metadata_countries.is_empty() {
                        continue;
                    }
                    let placement = Placement {
                        countries: found.metadata_countries.clone(),
                        basis: Basis::Implicit,
                        ..placement
                    };
                    let label = arcstr::format!("{} ({})", node.address, flow.what);
                    self.record(label, node, arrival(own_key()), placement, via);
                }
            }
        }
    }

    /// Follows a value that names a target.
    #[allow(clippy::too_many_arguments)]
    fn follow(
        &mut self,
        from: &'a Resource,
        value: &Value,
        targets: &[&str],
        flow: &Flow,
        data: DataClass,
        key: Option<(KeyCustody, Option<KeyRef>)>,
        via: &Via,
    ) {
        let what = flow.what;
        let arrival = Arrival {
            role: flow.role,
            data,
            key: key.clone(),
        };
        match self.index.target(value, from, targets) {
            Target::Declared(r) => self.reach(r, flow.role, data, key, flow.holds, via),
            Target::Undeclared {
                label,
                region,
                elsewhere,
            } => {
                // A URL or an address is outside every cloud the files describe.
                let outside = label.contains("://") || label.contains('@');
                let provider = locate::catalog_provider(from).filter(|_| !outside);
                let placement = match (region, provider, elsewhere) {
                    (Some(region), Some(p), _) => locate::place_region(&self.index.lookups, p, &region, Basis::Implicit),
                    _ if outside => Placement::unknown(
                        None,
                        format!("mail is sent to the {what} {label}, outside the infrastructure the files describe; its location cannot be read"),
                    ),
                    (_, _, Some(candidate)) => Placement::unknown(
                        provider,
                        format!("{what} {label} is not declared in this deployment ({}); {candidate} has that name in another deployment, and deployments are not joined by name", from.scope),
                    ),
                    _ => Placement::unknown(
                        provider,
                        format!("{what} {label} is not declared in the scanned files"),
                    ),
                };
                self.record(label.into(), from, arrival, placement, via);
            }
            Target::Unknown(reason) => {
                // The target is a resource of the same cloud (an SNS topic of an SES rule).
                let placement = Placement::unknown(
                    locate::catalog_provider(from),
                    format!("the {what} cannot be determined: {reason}"),
                );
                let label = arcstr::format!("{} ({what})", from.address);
                self.record(label, from, arrival, placement, via);
            }
            Target::None => {}
        }
    }

    /// The geo-redundant copy of a resource: its region's pair in the catalog.
    fn paired(&self, r: &Resource, basis: Basis) -> Placement {
        let own = self.placement(r, 0);
        let provider = own.provider.clone();
        let Some(region) = own
            .region
            .as_deref()
            .filter(|_| own.unknown_reason.is_none())
        else {
            return Placement::unknown(
                provider.as_deref(),
                format!(
                    "the paired region of {} cannot be known: {}",
                    r.address,
                    own.unknown_reason
                        .as_deref()
                        .unwrap_or("its region is unknown")
                ),
            );
        };
        let p = provider.as_deref().unwrap_or_default();
        match self.index.lookups.catalog.region(p, region).and_then(|f| f.paired_region.clone()) {
            Some(pair) => locate::place_region(&self.index.lookups, p, &pair, basis),
            None => Placement::unknown(
                provider.as_deref(),
                format!("region {region} has no paired region in residency's catalog; the provider chooses where the secondary copy goes"),
            ),
        }
    }
}

/// Where a declared resource is: its own location, or that of the resource it lives in.
pub(crate) fn place(index: &Index, r: &Resource, depth: usize) -> Placement {
    // A Compose project is where the VM that runs it is, when the scan describes that VM.
    if matches!(r.kind.as_str(), "compose_service" | "compose_volume") {
        return match compose_host::host(index, r) {
            compose_host::Host::Vm(vm, _) if depth < 8 => place(index, vm, depth + 1),
            // `--host-region` settles it; without it, say why the scan cannot.
            compose_host::Host::Several(vms) if r.provider.region.is_unknown() => {
                Placement::unknown(
                    None,
                    format!(
                        "{} VMs in the scan could run this Compose file ({}); pass --host-region PROVIDER:REGION",
                        vms.len(),
                        vms.join(", ")
                    ),
                )
            }
            _ => locate::locate(&index.lookups, r),
        };
    }
    let Some((_, path)) = LOCATED_WITH.iter().find(|(kind, _)| *kind == r.kind) else {
        return locate::locate(&index.lookups, r);
    };
    let named = values_at(&r.attributes, path);
    let value = named.first().map(|(_, v)| *v).unwrap_or(&Value::Null);
    match index.target(value, r, ANY) {
        Target::Declared(parent) if depth < 8 => place(index, parent, depth + 1),
        Target::Declared(_) => Placement::unknown(None, "resources name each other in a loop"),
        Target::Undeclared { label, .. } => Placement::unknown(
            locate::catalog_provider(r),
            format!(
                "{} is where {label} is, which is not declared in the scanned files",
                r.address
            ),
        ),
        Target::Unknown(reason) => Placement::unknown(
            locate::catalog_provider(r),
            format!("{} is where its {} is: {reason}", r.address, path.join(".")),
        ),
        Target::None => Placement::unknown(
            locate::catalog_provider(r),
            format!("{} does not set {}", r.address, path.join(".")),
        ),
    }
}

/// The dataset of one source: a breadth-first walk from it.
fn trace(index: &Index, start: &Start) -> Dataset {
    let Start {
        resource: r,
        role,
        data,
        basis,
        reason,
    } = start;
    let (r, role, data) = (*r, *role, *data);
    let mut b = Builder {
        index,
        copies: Vec::new(),
        seen: HashMap::default(),
        walked: HashSet::default(),
        queue: VecDeque::new(),
    };
    b.reach(r, role, data, None, true, &Via::default());
    while let Some((node, data, via)) = b.queue.pop_front() {
        b.walk(node, data, &via);
    }
    Dataset {
        deployment: r.scope.to_string(),
        source: r.address.clone(),
        kind: r.kind.to_string(),
        file: r.file.to_string(),
        line: r.line,
        basis,
        reason: reason.clone(),
        copies: b.copies,
    }
}

/// A mail source and how it was recognised.
/// Where a dataset starts if `r` holds mail: a mail service, a resource tagged as mail, or one
/// the heuristics take for a mail server.
fn start_of<'r>(r: &'r Resource, tag: &MailTag, index: &Index) -> Option<Start<'r>> {
    let start = |role, data, basis, reason| Start {
        resource: r,
        role,
        data,
        basis,
        reason,
    };
    if let Some((_, role, data)) = SOURCES.iter().find(|(kind, _, _)| *kind == r.kind) {
        return Some(start(*role, *data, "service", None));
    }
    if has_mail_tag(r, tag) {
        return Some(start(Role::Store, DataClass::Content, "tag", None));
    }
    heuristics::mail_server(index, r)
        .map(|why| start(Role::Store, DataClass::Content, "heuristic", Some(why)))
}

struct Start<'a> {
    resource: &'a Resource,
    role: Role,
    data: DataClass,
    basis: &'static str,
    reason: Option<String>,
}

fn has_mail_tag(r: &Resource, tag: &MailTag) -> bool {
    let matches_map = |v: &Value| v.get(&tag.key).as_str() == Some(tag.value.as_str());
    let matches_list = |v: &Value| {
        v.items().iter().any(|t| {
            t.get("Key").as_str() == Some(tag.key.as_str())
                && t.get("Value").as_str() == Some(tag.value.as_str())
        })
    };
    // DigitalOcean tags are plain strings: `data-class:mailbox`.
    let matches_strings = |v: &Value| {
        v.items().iter().filter_map(|t| t.as_str()).any(|t| {
            t.split_once([':', '='])
                .is_some_and(|(k, val)| k == tag.key && val == tag.value)
        })
    };
    matches_map(r.attr("tags"))
        || matches_strings(r.attr("tags"))
        || matches_map(r.attr("labels"))
        // Oracle Cloud: free-form tags.
        || matches_map(r.attr("freeform_tags"))
        // Kubernetes objects: metadata labels.
        || matches_map(r.attributes.path(&["metadata", "labels"]))
        || matches_list(r.attr("Tags"))
        || matches_list(r.attr("FileSystemTags"))
        // A DynamoDB global table is tagged per replica.
        || r.attr("Replicas").items().iter().any(|rep| matches_list(rep.get("Tags")))
}

pub fn build(resources: &[Resource], tag: &MailTag, lookups: locate::Lookups) -> DataMap {
    let index = Index::new(resources, &links(), lookups);
    let index = &index;
    // Which resources start a dataset, and then each dataset's walk over the shared index, are
    // independent per resource and per dataset: both run on every core, in consecutive slices
    // whose results are put back in order.
    let sources: Vec<Start> = crate::parallel::on_every_core(resources, 1, |part| {
        part.iter()
            .filter_map(|r| start_of(r, tag, index))
            .collect::<Vec<_>>()
    });
    let mut datasets: Vec<Dataset> = crate::parallel::on_every_core(&sources, 1, |part| {
        part.iter()
            .map(|start| trace(index, start))
            .collect::<Vec<_>>()
    });
    // A source that another source's mail flows into (a WorkMail organization behind a receipt
    // rule, an archive behind a rule set) is part of that dataset, not a dataset of its own.
    // Keys include the deployment: the same module's source in another deployment is not
    // reached by this one.
    // (Borrowed from the datasets: a set of copied strings was three allocations per copy.
    // The sources are looked up, not the copies collected: at 100 MB a set of the 116,000
    // copies was 6 MB at the scan's peak, one of the 28,000 sources a fifth of it.)
    let sources_at: HashMap<(&str, &str, &str), Vec<usize>> =
        datasets
            .iter()
            .enumerate()
            .fold(HashMap::default(), |mut at, (i, d)| {
                at.entry((d.source.as_str(), d.file.as_str(), d.deployment.as_str()))
                    .or_insert_with(Vec::new)
                    .push(i);
                at
            });
    let mut kept = vec![true; datasets.len()];
    for d in &datasets {
        for c in &d.copies {
            if c.resource == d.source && c.file == d.file {
                continue;
            }
            let key = (c.resource.as_str(), c.file.as_str(), c.deployment.as_str());
            for &i in sources_at.get(&key).into_iter().flatten() {
                kept[i] = false;
            }
        }
    }
    drop(sources_at);
    let mut kept = kept.into_iter();
    datasets.retain(|_| kept.next().unwrap_or(true));
    datasets.sort_by(|a, b| {
        (&a.file, a.line, &a.source, &a.deployment).cmp(&(
            &b.file,
            b.line,
            &b.source,
            &b.deployment,
        ))
    });
    DataMap { datasets }
}
