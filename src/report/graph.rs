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
                        copy.resource.to_string(),
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
                                label: vec![name.to_string()],
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

/// Mermaid's default limits: a diagram longer than `maxTextSize` characters, or with more than
/// `maxEdges` edges, is not drawn at all (mermaid.js.org/config/schema-docs/config.html,
/// `maxTextSize` 50000 and `maxEdges` 500).
pub const MERMAID_MAX_TEXT: usize = 50_000;
pub const MERMAID_MAX_EDGES: usize = 500;

/// The diagram a Markdown summary shows: the whole map when Mermaid draws it, else the map
/// summarised (one node per place and role, with counts). The flag says it was summarised.
pub fn mermaid_within_limits(datasets: &[Dataset]) -> (String, bool) {
    let edges: usize = groups(datasets).iter().map(|g| g.edges.len()).sum();
    if edges <= MERMAID_MAX_EDGES {
        let whole = mermaid(datasets);
        if whole.chars().count() <= MERMAID_MAX_TEXT {
            return (whole, false);
        }
    }
    let by_role = |c: &Copy| (place_of_countries(c), wire_name(&c.role));
    let by_place = |c: &Copy| (place_of_countries(c), "copies".to_string());
    let by_shade = |c: &Copy| {
        let place = match shade(c) {
            Shade::Us => "the United States",
            Shade::Unknown => "location unknown",
            _ => "outside the United States",
        };
        (place.to_string(), "copies".to_string())
    };
    for key in [
        &by_role as &dyn Fn(&Copy) -> (String, String),
        &by_place,
        &by_shade,
    ] {
        let summary = mermaid_summary(datasets, key);
        if summary.lines().filter(|l| l.contains("-->")).count() <= MERMAID_MAX_EDGES
            && summary.chars().count() <= MERMAID_MAX_TEXT
        {
            return (summary, true);
        }
    }
    (mermaid_summary(datasets, &by_shade), true)
}

/// Where a copy is, as a summary node names it: its countries, or unknown.
fn place_of_countries(copy: &Copy) -> String {
    if copy.countries.is_empty() {
        "location unknown".to_string()
    } else {
        copy.countries.join(", ")
    }
}

/// The map in a few nodes: the mail sources, and one node per `key` (place and role) with the
/// number of copies there, coloured as the copies are.
fn mermaid_summary(datasets: &[Dataset], key: &dyn Fn(&Copy) -> (String, String)) -> String {
    let mut counts: BTreeMap<(String, String), (usize, Shade)> = BTreeMap::new();
    for copy in datasets.iter().flat_map(|d| &d.copies) {
        let entry = counts.entry(key(copy)).or_insert((0, shade(copy)));
        entry.0 += 1;
        // A node holding US copies is red, whatever else it holds.
        if shade(copy) == Shade::Us {
            entry.1 = Shade::Us;
        }
    }
    let mut out = String::from("flowchart LR\n");
    let sources = match datasets.len() {
        1 => "1 mail source".to_string(),
        n => format!("{n} mail sources"),
    };
    let _ = writeln!(out, "  sources[\"{sources}\"]");
    let mut classes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (i, ((place, role), (count, shade))) in counts.iter().enumerate() {
        let copies = if *count == 1 { "copy" } else { "copies" };
        let label = if role == "copies" {
            format!("{}<br/>{count} {copies}", mermaid_text(place))
        } else {
            format!("{} · {role}<br/>{count} {copies}", mermaid_text(place))
        };
        let _ = writeln!(out, "  p{i}[\"{label}\"]");
        let _ = writeln!(out, "  sources --> p{i}");
        let class = match shade {
            Shade::Us => "us",
            Shade::Unknown => "unknown",
            _ => "abroad",
        };
        classes.entry(class).or_default().push(format!("p{i}"));
    }
    for (class, ids) in classes {
        let _ = writeln!(out, "  class {} {class}", ids.join(","));
    }
    out.push_str(CLASS_DEFS);
    out
}

const CLASS_DEFS: &str = "  classDef us fill:#fde2e1,stroke:#b42318,color:#000\n  classDef unknown fill:#fef0c7,stroke:#b54708,color:#000\n  classDef abroad fill:#dcfae6,stroke:#067647,color:#000\n";

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
    out.push_str(CLASS_DEFS);
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
