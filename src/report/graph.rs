//! The data map as a picture: Mermaid (renders in GitHub and GitLab Markdown) and Graphviz DOT.
//! Each dataset is a group; every resource on a chain is a node (copies show their role and
//! place, links such as a replication configuration are drawn plain), and every step of every
//! route is an edge. Copies in the United States are red, unknown places amber, the rest green.

use crate::catalog::US_AND_TERRITORIES;
use crate::datamap::{wire_name, Copy, Dataset};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How a node is coloured.
#[derive(Clone, Copy, PartialEq)]
enum Shade {
    /// A link on the chain, not a copy.
    Link,
    Us,
    Unknown,
    Abroad,
}

struct Node {
    id: String,
    label: Vec<String>,
    shade: Shade,
}

struct Group {
    title: String,
    nodes: Vec<Node>,
    edges: Vec<(String, String)>,
}

fn shade(copy: &Copy) -> Shade {
    if copy.countries.is_empty() {
        Shade::Unknown
    } else if copy
        .countries
        .iter()
        .any(|c| US_AND_TERRITORIES.contains(&c.as_str()))
    {
        Shade::Us
    } else {
        Shade::Abroad
    }
}

fn place(copy: &Copy) -> String {
    match (&copy.region, copy.countries.is_empty()) {
        (Some(region), false) => format!("{region} ({})", copy.countries.join(", ")),
        (Some(region), true) => format!("{region} (?)"),
        (None, _) => "location unknown".to_string(),
    }
}

/// Nodes and edges of each dataset, in a fixed order: copies in map order, then links in the
/// order their chains name them.
fn groups(datasets: &[Dataset]) -> Vec<Group> {
    datasets
        .iter()
        .enumerate()
        .map(|(d, dataset)| {
            let mut ids: BTreeMap<&str, String> = BTreeMap::new();
            let mut nodes = Vec::new();
            for copy in &dataset.copies {
                if ids.contains_key(copy.resource.as_str()) {
                    continue;
                }
                let id = format!("d{d}n{}", nodes.len());
                ids.insert(&copy.resource, id.clone());
                nodes.push(Node {
                    id,
                    label: vec![
                        copy.resource.clone(),
                        format!("{} · {}", wire_name(&copy.role), wire_name(&copy.data)),
                        place(copy),
                    ],
                    shade: shade(copy),
                });
            }
            let mut edges = Vec::new();
            for copy in &dataset.copies {
                for route in std::iter::once(&copy.via).chain(&copy.also_via) {
                    for name in route {
                        if !ids.contains_key(name.as_str()) {
                            let id = format!("d{d}n{}", nodes.len());
                            ids.insert(name, id.clone());
                            nodes.push(Node {
                                id,
                                label: vec![name.clone()],
                                shade: Shade::Link,
                            });
                        }
                    }
                    for pair in route.windows(2) {
                        let edge = (ids[pair[0].as_str()].clone(), ids[pair[1].as_str()].clone());
                        if !edges.contains(&edge) {
                            edges.push(edge);
                        }
                    }
                }
            }
            Group {
                title: format!("{} ({}:{})", dataset.source, dataset.file, dataset.line),
                nodes,
                edges,
            }
        })
        .collect()
}

fn mermaid_text(text: &str) -> String {
    super::escape::mermaid(text)
}

pub fn mermaid(datasets: &[Dataset]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, g) in groups(datasets).iter().enumerate() {
        let _ = writeln!(out, "  subgraph g{i}[\"{}\"]", mermaid_text(&g.title));
        for n in &g.nodes {
            let label = n
                .label
                .iter()
                .map(|l| mermaid_text(l))
                .collect::<Vec<_>>()
                .join("<br/>");
            match n.shade {
                Shade::Link => {
                    let _ = writeln!(out, "    {}(\"{label}\")", n.id);
                }
                _ => {
                    let _ = writeln!(out, "    {}[\"{label}\"]", n.id);
                }
            }
        }
        let _ = writeln!(out, "  end");
        for (from, to) in &g.edges {
            let _ = writeln!(out, "  {from} --> {to}");
        }
        for (class, shade) in [
            ("us", Shade::Us),
            ("unknown", Shade::Unknown),
            ("abroad", Shade::Abroad),
        ] {
            let ids: Vec<&str> = g
                .nodes
                .iter()
                .filter(|n| n.shade == shade)
                .map(|n| n.id.as_str())
                .collect();
            if !ids.is_empty() {
                let _ = writeln!(out, "  class {} {class}", ids.join(","));
            }
        }
    }
    out.push_str("  classDef us fill:#fde2e1,stroke:#b42318,color:#000\n");
    out.push_str("  classDef unknown fill:#fef0c7,stroke:#b54708,color:#000\n");
    out.push_str("  classDef abroad fill:#dcfae6,stroke:#067647,color:#000\n");
    out
}

fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn dot(datasets: &[Dataset]) -> String {
    let mut out = String::from(
        "digraph residency {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n",
    );
    for (i, g) in groups(datasets).iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{i} {{");
        let _ = writeln!(out, "    label=\"{}\";", dot_text(&g.title));
        for n in &g.nodes {
            let label = n
                .label
                .iter()
                .map(|l| dot_text(l))
                .collect::<Vec<_>>()
                .join("\\n");
            let (fill, line) = match n.shade {
                Shade::Link => ("#ffffff", "dashed"),
                Shade::Us => ("#fde2e1", "solid"),
                Shade::Unknown => ("#fef0c7", "solid"),
                Shade::Abroad => ("#dcfae6", "solid"),
            };
            let _ = writeln!(
                out,
                "    \"{}\" [label=\"{label}\", fillcolor=\"{fill}\", style=\"rounded,filled,{line}\"];",
                n.id
            );
        }
        for (from, to) in &g.edges {
            let _ = writeln!(out, "    \"{from}\" -> \"{to}\";");
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}
