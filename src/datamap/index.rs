//! Lookups the traversal needs, built once per scan so that following an edge costs a hash
//! lookup: resources by address, by name, and by the resources that name them.

use super::flows::{ANY, NAME_ATTRIBUTES};
use super::values_at;
use crate::hash::HashMap;
use crate::model::Resource;
use crate::value::{Arn, Value};

/// A link from resources of `kinds` that name a target of `targets` at `path`.
#[derive(Clone, Copy)]
pub struct Link {
    pub kinds: &'static [&'static str],
    pub path: &'static [&'static str],
    pub targets: &'static [&'static str],
}

/// What `attached` is keyed by: a link (its kinds and path, compared by content) and the
/// resource named, by its place in the scan's resource list (which outlives the index). Keyed
/// by the link's own slices rather than a string made of them: the index has an entry per
/// named resource and link, and a lookup per resource the walk visits.
#[derive(PartialEq, Eq, Hash)]
struct Attachment<'k> {
    kinds: &'k [&'k str],
    path: &'k [&'k str],
    target: usize,
}

pub struct Index<'a> {
    /// The catalog and secrets every placement is looked up with.
    pub lookups: crate::locate::Lookups<'a>,
    /// Resources by scope (root module or template) and address.
    by_address: HashMap<(&'a str, &'a str), &'a Resource>,
    /// Resources by the name they set (a bucket name, a vault name), across scopes: a real
    /// name means the same resource wherever it is written.
    by_name: HashMap<&'a str, Vec<&'a Resource>>,
    /// ARM template resources by their id after `/providers/`, lowercased
    /// (`microsoft.sql/servers/srv/databases/db`): ids name the resource exactly, where the
    /// last segment alone can repeat (a geo-replica keeps its database's name).
    by_arm_id: HashMap<String, Vec<&'a Resource>>,
    /// Data sources that read a resource another configuration manages, by name (`data
    /// "aws_s3_bucket" "x" { bucket = "corp-mail" }`), with that managed resource: what
    /// Terraform reads at plan time is the real resource, wherever it is declared.
    reads: HashMap<usize, &'a Resource>,
    /// Instances of resources with `count` or `for_each` by their address without the key
    /// (`aws_s3_bucket.a` for `aws_s3_bucket.a[0]`), per scope.
    instances: HashMap<(&'a str, &'a str), Vec<&'a Resource>>,
    /// For each link, the resources that name a given resource.
    attached: HashMap<Attachment<'static>, Vec<&'a Resource>>,
    /// Resources by kind, in scan order (the MX records a mail server's name is looked up in).
    by_kind: HashMap<&'a str, Vec<&'a Resource>>,
    /// The host of each Compose project (by its deployment), worked out once when the index
    /// is built: every service and volume of a project is placed by it.
    pub compose_hosts: HashMap<String, super::compose_host::Host<'a>>,
    /// Each catalog provider's parent when every partition and region shares it: who
    /// controls a copy whose region is unknown (worked out once, not per copy).
    sole_parents: HashMap<String, std::sync::Arc<crate::catalog::Entity>>,
}

/// What a value that names a resource points at.
pub enum Target<'a> {
    Declared(&'a Resource),
    /// Named (a bucket name, an ARN, a URL) but not declared in the scanned files; an ARN may
    /// still say its region.
    Undeclared {
        label: String,
        region: Option<String>,
        /// A resource of that name in another deployment, which is not taken: deployments are
        /// not joined by name (`envs/prod: aws_s3_bucket.mail`).
        elsewhere: Option<String>,
    },
    /// A value that cannot be read (an unset variable, a computed attribute), with the reason.
    Unknown(String),
    None,
}

impl<'a> Index<'a> {
    pub fn new(
        resources: &'a [Resource],
        links: &[Link],
        lookups: crate::locate::Lookups<'a>,
    ) -> Index<'a> {
        let mut index = Index {
            lookups,
            // Sized once: growing a table of every resource rehashes it a dozen times.
            by_address: HashMap::with_capacity_and_hasher(resources.len(), Default::default()),
            by_name: HashMap::default(),
            by_arm_id: HashMap::default(),
            reads: HashMap::default(),
            instances: HashMap::default(),
            attached: HashMap::default(),
            by_kind: HashMap::default(),
            compose_hosts: HashMap::default(),
            sole_parents: lookups
                .catalog
                .providers
                .iter()
                .filter_map(|p| {
                    let parent = lookups.catalog.sole_parent(&p.provider)?;
                    Some((p.provider.clone(), parent))
                })
                .collect(),
        };
        let names: HashMap<&str, &str> = NAME_ATTRIBUTES.iter().copied().collect();
        // The tables by address and by what resources are called, each filled in scan order
        // by one thread: a hash per resource and table (100 MB: 141 ms on one core).
        let fill_by_address = |index: &mut Index<'a>| {
            for r in resources {
                // The first declaration of an address wins (a plan's resource before a state
                // of another workspace that joins the same root).
                index
                    .by_address
                    .entry((r.scope.as_str(), r.address.as_str()))
                    .or_insert(r);
                if let Some(base) = r
                    .address
                    .strip_suffix(']')
                    .and_then(|a| a.rfind('[').map(|i| &r.address[..i]))
                {
                    index
                        .instances
                        .entry((r.scope.as_str(), base))
                        .or_default()
                        .push(r);
                }
            }
        };
        let tables_by_name = || {
            let mut by_kind: HashMap<&'a str, Vec<&'a Resource>> = HashMap::default();
            let mut by_arm_id: HashMap<String, Vec<&'a Resource>> = HashMap::default();
            let mut by_name: HashMap<&'a str, Vec<&'a Resource>> = HashMap::default();
            for r in resources {
                by_kind.entry(r.kind.as_str()).or_default().push(r);
                if let Some(id) = r.attr("$id").as_str().and_then(arm_id_key) {
                    by_arm_id.entry(id).or_default().push(r);
                }
                if let Some(name) = names.get(r.kind.as_str()).and_then(|a| r.attr(a).as_str()) {
                    by_name.entry(name).or_default().push(r);
                }
            }
            (by_kind, by_arm_id, by_name)
        };
        let (by_kind, by_arm_id, by_name) = if crate::parallel::cores() > 1 {
            std::thread::scope(|scope| {
                let named = scope.spawn(tables_by_name);
                fill_by_address(&mut index);
                named
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
        } else {
            fill_by_address(&mut index);
            tables_by_name()
        };
        index.by_kind = by_kind;
        index.by_arm_id = by_arm_id;
        index.by_name = by_name;
        for r in resources.iter().filter(|r| is_data_source(r)) {
            let Some(name) = names.get(r.kind.as_str()).and_then(|a| r.attr(a).as_str()) else {
                continue;
            };
            let managed: Vec<&'a Resource> = index
                .by_name
                .get(name)
                .into_iter()
                .flatten()
                .copied()
                .filter(|m| m.kind == r.kind && !is_data_source(m))
                .collect();
            let read = managed
                .iter()
                .find(|m| m.scope == r.scope)
                .or(managed.first());
            if let Some(m) = read {
                index.reads.insert(r as *const Resource as usize, m);
            }
        }
        let mut links_by_kind: HashMap<&str, Vec<&Link>> = HashMap::default();
        for link in links {
            for kind in link.kinds {
                links_by_kind.entry(kind).or_default().push(link);
            }
        }
        let mut attached: HashMap<Attachment<'static>, Vec<&'a Resource>> = HashMap::default();
        for r in resources {
            for link in links_by_kind.get(r.kind.as_str()).into_iter().flatten() {
                for (_, value) in values_at(&r.attributes, link.path) {
                    if let Target::Declared(t) = index.target(value, r, link.targets) {
                        let list = attached
                            .entry(Attachment {
                                kinds: link.kinds,
                                path: link.path,
                                target: t as *const Resource as usize,
                            })
                            .or_default();
                        if !list.iter().any(|x| std::ptr::eq(*x, r)) {
                            list.push(r);
                        }
                    }
                }
            }
        }
        index.attached = attached;
        index.compose_hosts = super::compose_host::hosts(&index);
        index
    }

    /// The parent every partition of `provider` shares, if one does.
    pub fn sole_parent(&self, provider: &str) -> Option<&std::sync::Arc<crate::catalog::Entity>> {
        self.sole_parents.get(provider)
    }

    /// Every resource of a kind, in scan order.
    pub fn of_kind(&self, kind: &str) -> &[&'a Resource] {
        self.by_kind.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Resources of `kinds` that name `target` at `path`.
    pub fn attached<'s>(
        &'s self,
        kinds: &'static [&'static str],
        path: &'static [&'static str],
        target: &Resource,
    ) -> &'s [&'a Resource] {
        self.attached
            .get(&Attachment {
                kinds,
                path,
                target: target as *const Resource as usize,
            })
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The resource a value points at: a reference, a name, an ARN or an Azure resource id,
    /// looked up among `kinds` when it is a name.
    pub fn target(&self, value: &Value, from: &Resource, kinds: &[&str]) -> Target<'a> {
        if let Some(address) = value.refers_to() {
            let scope = value.refers_to_deployment().unwrap_or(&from.scope);
            return match self.find(address, scope) {
                Some(r) => Target::Declared(self.read_by(r)),
                None => Target::Unknown(format!("{address} is not declared in the scanned files")),
            };
        }
        match value {
            Value::String(text) => {
                let arn = Arn::parse(text);
                // S3 ARNs carry the bucket name first (`arn:aws:s3:::name/prefix`); other ARNs
                // and Azure ids end with the name.
                let found = match &arn {
                    Some(a) if a.service == "s3" => self.by_name_in(
                        a.resource.split('/').next().unwrap_or_default(),
                        kinds,
                        from,
                    ),
                    Some(a) => a
                        .resource
                        .rsplit([':', '/'])
                        .map(|part| self.by_name_in(part, kinds, from))
                        .find(|m| !m.is_none())
                        .unwrap_or(Match::None),
                    None if text.starts_with("/subscriptions/") => {
                        let by_id = arm_id_key(text)
                            .and_then(|k| self.by_arm_id.get(&k))
                            .map(|list| Match::among(list, kinds, from))
                            .unwrap_or(Match::None);
                        if by_id.is_none() {
                            self.by_name_in(
                                text.rsplit('/').next().unwrap_or_default(),
                                kinds,
                                from,
                            )
                        } else {
                            by_id
                        }
                    }
                    None => self.by_name_in(text, kinds, from),
                };
                match found {
                    Match::Here(r) => Target::Declared(self.read_by(r)),
                    found => Target::Undeclared {
                        label: text.to_string(),
                        region: arn
                            .filter(|a| a.service != "s3" && !a.region.is_empty())
                            .map(|a| a.region.to_string()),
                        elsewhere: match found {
                            Match::Elsewhere(r) => Some(format!("{}: {}", r.scope, r.address)),
                            _ => None,
                        },
                    },
                }
            }
            // An ARN with an unknown account (`arn:aws:sns:us-east-1:?:t`) still names its region.
            Value::Unknown(u) => match u.partial.as_deref().and_then(Arn::parse) {
                Some(arn)
                    if arn.service != "s3"
                        && !arn.region.is_empty()
                        && !arn.region.contains('?') =>
                {
                    Target::Undeclared {
                        label: u.partial.clone().unwrap_or_default(),
                        region: Some(arn.region.to_string()),
                        elsewhere: None,
                    }
                }
                _ => Target::Unknown(u.reason.clone()),
            },
            Value::Null => Target::None,
            _ => Target::Unknown("not a resource reference".into()),
        }
    }

    /// The resource of `kinds` that sets this name, in the deployment of `from` (a name or
    /// ARN means the same resource wherever it is written, but a deployment is only joined
    /// with itself).
    fn by_name_in(&self, name: &str, kinds: &[&str], from: &Resource) -> Match<'a> {
        if name.is_empty() || kinds.is_empty() {
            return Match::None;
        }
        self.by_name
            .get(name)
            .map(|list| Match::among(list, kinds, from))
            .unwrap_or(Match::None)
    }

    /// The managed resource a data source reads, or the resource itself.
    fn read_by(&self, r: &'a Resource) -> &'a Resource {
        self.reads
            .get(&(r as *const Resource as usize))
            .copied()
            .unwrap_or(r)
    }

    /// A reference only means something inside its own root module or template.
    /// A reference to a resource with `count` or `for_each` but no key (`aws_s3_bucket.a[*]`,
    /// `one(aws_s3_bucket.a[*].id)`) names its instances: when there is exactly one, that one.
    fn find(&self, address: &str, scope: &str) -> Option<&'a Resource> {
        if let Some(r) = self.by_address.get(&(scope, address)) {
            return Some(r);
        }
        match self.instances.get(&(scope, address)).map(Vec::as_slice) {
            Some([only]) => Some(only),
            _ => None,
        }
    }
}

/// Whether two scopes are one deployment: the same, or a nested stack and the stack that
/// deploys it (`parent.yaml > Archive` is part of `parent.yaml`).
fn same_deployment(a: &str, b: &str) -> bool {
    let root = |s: &str| s.split(" > ").next().unwrap_or(s).to_string();
    root(a) == root(b)
}

/// A Terraform data source (`data.aws_s3_bucket.x`, `module.m.data.aws_s3_bucket.x`).
fn is_data_source(r: &Resource) -> bool {
    r.address.starts_with("data.") || r.address.contains(".data.")
}

/// A resource found by name or id: in the deployment asking, only in another one, or nowhere.
enum Match<'a> {
    Here(&'a Resource),
    Elsewhere(&'a Resource),
    None,
}

impl<'a> Match<'a> {
    /// The one of `list` of `kinds` in the deployment of `from` that is declared nearest to it
    /// (the same file, else the most directories in common: two overlays that declare the same
    /// object each get their own), else the first in another deployment.
    fn among(list: &[&'a Resource], kinds: &[&str], from: &Resource) -> Match<'a> {
        let of_kind = |r: &&&'a Resource| kinds == ANY || kinds.contains(&r.kind.as_str());
        let nearness = |r: &Resource| {
            let same_file = r.file == from.file;
            let common = r
                .file
                .split('/')
                .zip(from.file.split('/'))
                .take_while(|(a, b)| a == b)
                .count();
            (same_file, common)
        };
        let mut here = list
            .iter()
            .filter(of_kind)
            .filter(|r| same_deployment(&r.scope, &from.scope));
        if let Some(first) = here.next() {
            // The first of the nearest, so the choice does not depend on anything but the files.
            let best = here.fold(*first, |best, r| {
                if nearness(r) > nearness(best) {
                    r
                } else {
                    best
                }
            });
            return Match::Here(best);
        }
        match list.iter().find(of_kind) {
            Some(r) => Match::Elsewhere(r),
            None => Match::None,
        }
    }

    fn is_none(&self) -> bool {
        matches!(self, Match::None)
    }
}

/// The part of an Azure resource id that names the resource, lowercased: what follows the first
/// `/providers/` (subscription and resource group are often unknown in templates).
fn arm_id_key(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    lower
        .split_once("/providers/")
        .map(|(_, rest)| rest.trim_end_matches('/').to_string())
}
