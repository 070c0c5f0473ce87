//! Compose files into resources: each directory's files merged as `docker compose` merges them,
//! each service a container workload (`compose_service`: its images, ports, named volumes and
//! host paths) and each named volume a store (`compose_volume`), placed on the host
//! `--host-region` names.

use super::parse::{is_override, ComposeFile};
use crate::discover::display_parent;
use crate::frontend::Collected;
use crate::model::{Inputs, Origin, PlacedBy, ProviderSetting, Resource, SourceFormat};
use crate::syntax::tree::{node_value, Node, NodeKind};
use crate::value::Value;
use crate::value::ValueMap;
use compact_str::ToCompactString;
use std::collections::BTreeMap;

/// Why a Compose file's services have no known place.
pub const HOST_UNKNOWN: &str = "the host that runs this Compose file is not described in the scan; pass --host-region PROVIDER:REGION";

/// A service as the merged files describe it.
#[derive(Default)]
struct Service {
    file: String,
    line: usize,
    end_line: usize,
    images: Vec<String>,
    ports: Vec<f64>,
    named: Vec<(String, usize)>,
    host_paths: Vec<String>,
}

/// A named volume: where it is declared (or first used).
struct Volume {
    file: String,
    line: usize,
    end_line: usize,
    attributes: ValueMap,
}

pub fn resources(
    mut files: Vec<ComposeFile>,
    inputs: &Inputs,
    _collected: &mut Collected,
) -> Vec<Resource> {
    // One project per directory: the base file first, then its overrides by name.
    files.sort_by(|a, b| {
        (
            display_parent(&a.display),
            is_override(&a.display),
            &a.display,
        )
            .cmp(&(
                display_parent(&b.display),
                is_override(&b.display),
                &b.display,
            ))
    });
    let mut out = Vec::new();
    let mut start = 0;
    while start < files.len() {
        let dir = display_parent(&files[start].display);
        let end = files[start..]
            .iter()
            .position(|f| display_parent(&f.display) != dir)
            .map_or(files.len(), |n| start + n);
        out.extend(project(&files[start..end], inputs));
        start = end;
    }
    out
}

/// The resources of one directory's Compose files.
fn project(files: &[ComposeFile], inputs: &Inputs) -> Vec<Resource> {
    let deployment = files[0].display.clone();
    let mut services: BTreeMap<String, Service> = BTreeMap::new();
    let mut volumes: BTreeMap<String, Volume> = BTreeMap::new();
    for file in files {
        for (name, node) in file
            .root
            .get("volumes")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let attributes = match node_value(node) {
                Value::Map(m) => m,
                _ => ValueMap::new(),
            };
            volumes.insert(
                name.clone(),
                Volume {
                    file: file.display.clone(),
                    line: node.line.max(1),
                    end_line: node.last_line().max(1),
                    attributes,
                },
            );
        }
        for (name, node) in file
            .root
            .get("services")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let service = services.entry(name.clone()).or_insert_with(|| Service {
                file: file.display.clone(),
                line: node.line,
                end_line: node.last_line(),
                ..Service::default()
            });
            if let Some(image) = node.get("image").and_then(Node::as_str) {
                // A later file's image replaces the earlier one.
                service.images = vec![interpolated(image)];
            }
            for key in ["ports", "expose"] {
                for port in node.get(key).map(Node::items).unwrap_or_default() {
                    service.ports.extend(port_numbers(port));
                }
            }
            for volume in node.get("volumes").map(Node::items).unwrap_or_default() {
                match mount(volume) {
                    Some(Mount::Named(v)) => service.named.push((v, volume.line)),
                    Some(Mount::Host(path)) => service.host_paths.push(path),
                    None => {}
                }
            }
        }
    }
    let place = |r: &mut Resource| match &inputs.host_region {
        Some((provider, region)) => {
            if let Value::Map(m) = &mut r.attributes {
                m.insert(
                    "$provider".into(),
                    Value::String(provider.to_compact_string()),
                );
            }
            let provider = std::sync::Arc::make_mut(&mut r.provider);
            provider.region = Value::String(region.to_compact_string());
            provider.origin = Origin::Variable;
        }
        None => std::sync::Arc::make_mut(&mut r.provider).region = Value::unknown(HOST_UNKNOWN),
    };
    let mut out = Vec::new();
    for (name, service) in &services {
        let mut attributes = BTreeMap::new();
        attributes.insert("$name".into(), Value::String(name.to_compact_string()));
        attributes.insert(
            "$images".into(),
            Value::List(
                service
                    .images
                    .iter()
                    .cloned()
                    .map(|s| Value::String(s.into()))
                    .collect(),
            ),
        );
        attributes.insert(
            "$ports".into(),
            Value::List(service.ports.iter().copied().map(Value::Number).collect()),
        );
        attributes.insert(
            "$claims".into(),
            Value::List(
                service
                    .named
                    .iter()
                    .map(|(v, _)| Value::String(v.to_compact_string()))
                    .collect(),
            ),
        );
        if !service.host_paths.is_empty() {
            attributes.insert(
                "$host_paths".into(),
                Value::List(
                    service
                        .host_paths
                        .iter()
                        .cloned()
                        .map(|s| Value::String(s.into()))
                        .collect(),
                ),
            );
        }
        let mut r = resource(
            &deployment,
            &format!("services.{name}"),
            "compose_service",
            &service.file,
            service.line,
            service.end_line,
            attributes.into_iter().collect(),
        );
        place(&mut r);
        out.push(r);
        // A volume a service uses without declaring it is still the host's storage.
        for (volume, line) in &service.named {
            volumes.entry(volume.clone()).or_insert_with(|| Volume {
                file: service.file.clone(),
                line: *line,
                end_line: *line,
                attributes: ValueMap::new(),
            });
        }
    }
    for (name, volume) in volumes {
        let mut attributes = volume.attributes;
        attributes.insert("$name".into(), Value::String(name.to_compact_string()));
        let mut r = resource(
            &deployment,
            &format!("volumes.{name}"),
            "compose_volume",
            &volume.file,
            volume.line,
            volume.end_line,
            attributes,
        );
        place(&mut r);
        out.push(r);
    }
    out
}

fn resource(
    deployment: &str,
    address: &str,
    kind: &str,
    file: &str,
    line: usize,
    end_line: usize,
    attributes: ValueMap,
) -> Resource {
    Resource {
        address: address.to_string(),
        kind: kind.into(),
        scope: deployment.into(),
        format: SourceFormat::Compose,
        file: file.into(),
        line,
        end_line: end_line.max(line),
        attributes: Value::Map(attributes),
        origins: BTreeMap::new(),
        provider: std::sync::Arc::new(ProviderSetting {
            name: "compose".into(),
            alias: None,
            region: Value::Null,
            origin: Origin::Literal,
        }),
        placed_by: PlacedBy::FrontEnd,
    }
}

/// `${VAR:-default}` and `${VAR-default}` as their default (what `docker compose` uses when
/// the variable is unset); other text as written.
fn interpolated(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('}') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = &rest[at + 2..at + end];
        match inner.split_once(":-").or_else(|| inner.split_once('-')) {
            Some((_, default)) => out.push_str(default),
            None => out.push_str(&rest[at..at + end + 1]),
        }
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The port numbers a `ports` or `expose` entry names, published and in the container: `25`,
/// `"587:587"`, `"0.0.0.0:465:465/tcp"`, `"${SMTP_PORT:-25}:25"`, `"110-111"`, or the long form
/// `{target: 993, published: "993"}`.
fn port_numbers(node: &Node) -> Vec<f64> {
    let text = match &node.kind {
        NodeKind::Number(n) => return vec![*n],
        NodeKind::String(s) => interpolated(s),
        NodeKind::Map(_) => {
            return ["target", "published"]
                .iter()
                .filter_map(|k| node.get(k))
                .flat_map(port_numbers)
                .collect()
        }
        _ => return Vec::new(),
    };
    let mut numbers = Vec::new();
    let without_protocol = text.split('/').next().unwrap_or_default();
    for part in without_protocol.split(':') {
        let (low, high) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>(), b.trim().parse::<u32>()),
            None => (part.trim().parse::<u32>(), part.trim().parse::<u32>()),
        };
        // An address (`0.0.0.0`) does not parse; a range is expanded when it is short.
        if let (Ok(low), Ok(high)) = (low, high) {
            if high >= low && high - low <= 1000 {
                numbers.extend((low..=high).map(f64::from));
            }
        }
    }
    numbers
}

enum Mount {
    Named(String),
    Host(String),
}

/// A `volumes` entry of a service: a named volume, or a place on the host (a bind mount, or
/// an anonymous volume Docker keeps on the host). `tmpfs` is memory, not storage.
fn mount(node: &Node) -> Option<Mount> {
    match &node.kind {
        NodeKind::String(s) => {
            let text = interpolated(s);
            let parts: Vec<&str> = text.split(':').collect();
            match parts.as_slice() {
                [target] => Some(Mount::Host(format!("anonymous volume {target}"))),
                [source, ..] if is_host_path(source) => Some(Mount::Host(source.to_string())),
                [source, ..] => Some(Mount::Named(source.to_string())),
                [] => None,
            }
        }
        NodeKind::Map(_) => {
            let kind = node.get("type").and_then(Node::as_str).unwrap_or("volume");
            let source = node.get("source").and_then(Node::as_str).map(interpolated);
            let target = node.get("target").and_then(Node::as_str).unwrap_or("?");
            match (kind, source) {
                ("bind", Some(s)) => Some(Mount::Host(s)),
                ("volume", Some(s)) => Some(Mount::Named(s)),
                ("volume", None) => Some(Mount::Host(format!("anonymous volume {target}"))),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_host_path(source: &str) -> bool {
    source.starts_with(['.', '/', '~', '$']) || source.contains('\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::load_yaml;

    #[test]
    fn ports_and_mounts_as_compose_writes_them() {
        let doc = load_yaml(
            "ports:\n  - 25\n  - \"587:587\"\n  - \"0.0.0.0:465:465/tcp\"\n  - \"${IMAP:-143}:143\"\n  - \"110-111:110-111\"\n  - target: 993\n    published: \"993\"\nvolumes:\n  - ./data/mail:/var/mail\n  - maildata:/var/mail-state\n  - /srv/backup:/backup:ro\n  - /var/lib/x\n  - type: tmpfs\n    target: /tmp\n  - type: volume\n    source: logs\n    target: /var/log\n",
        )
        .unwrap();
        let ports: Vec<f64> = doc[0]
            .get("ports")
            .unwrap()
            .items()
            .iter()
            .flat_map(port_numbers)
            .collect();
        assert_eq!(
            ports,
            [
                25.0, 587.0, 587.0, 465.0, 465.0, 143.0, 143.0, 110.0, 111.0, 110.0, 111.0, 993.0,
                993.0
            ]
        );
        let mounts: Vec<String> = doc[0]
            .get("volumes")
            .unwrap()
            .items()
            .iter()
            .filter_map(mount)
            .map(|m| match m {
                Mount::Named(n) => format!("named {n}"),
                Mount::Host(h) => format!("host {h}"),
            })
            .collect();
        assert_eq!(
            mounts,
            [
                "host ./data/mail",
                "named maildata",
                "host /srv/backup",
                "host anonymous volume /var/lib/x",
                "named logs"
            ]
        );
        assert_eq!(
            interpolated("${DMS_IMAGE:-ghcr.io/docker-mailserver/docker-mailserver}:${TAG-14}"),
            "ghcr.io/docker-mailserver/docker-mailserver:14"
        );
    }
}
