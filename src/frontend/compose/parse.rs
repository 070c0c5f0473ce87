//! Which YAML files are Compose files: by name (`compose.yaml`, `compose.yml`,
//! `docker-compose.yml`, `docker-compose.yaml`, `compose.override.yaml`,
//! `docker-compose.<anything>.yml`), with a `services` mapping at the top.

use crate::diag::{Code, Diagnostic};
use crate::syntax::tree::{Node, NodeKind};

#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub display: String,
    pub root: Node,
    pub lines: Vec<(usize, String)>,
}

/// Whether a file's name is one `docker compose` reads (or one of its overrides).
pub fn is_compose_name(display: &str) -> bool {
    let name = display
        .rsplit('/')
        .next()
        .unwrap_or(display)
        .to_ascii_lowercase();
    let Some(stem) = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))
    else {
        return false;
    };
    stem == "compose"
        || stem == "docker-compose"
        || stem.starts_with("compose.")
        || stem.starts_with("docker-compose.")
}

/// The base file of a directory (`compose.yaml`, `docker-compose.yml`) sorts before its
/// overrides, which `docker compose` applies in order.
pub fn is_override(display: &str) -> bool {
    let name = display.rsplit('/').next().unwrap_or(display);
    let stem = name
        .trim_end_matches(".yml")
        .trim_end_matches(".yaml")
        .to_ascii_lowercase();
    stem != "compose" && stem != "docker-compose"
}

/// A Compose file from its loaded YAML: `None` when it has no `services` (a file that only
/// shares its name is not ours), an error when `services` is not a mapping.
pub fn from_documents(
    documents: &[Node],
    text: &str,
    display: &str,
) -> Result<Option<ComposeFile>, Diagnostic> {
    let Some(root) = documents.first() else {
        return Ok(None);
    };
    let Some(services) = root.get("services") else {
        return Ok(None);
    };
    if !matches!(services.kind, NodeKind::Map(_) | NodeKind::Null) {
        return Err(Diagnostic::new(
            Code::Shape,
            services.line,
            format!(
                "services must be a mapping of service names, not {}",
                services.kind_name()
            ),
        ));
    }
    Ok(Some(ComposeFile {
        display: display.to_string(),
        root: root.clone(),
        lines: crate::syntax::marker_lines(text),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_docker_compose_reads() {
        for yes in [
            "compose.yaml",
            "mail/compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
            "docker-compose.override.yml",
            "docker-compose.prod.yaml",
            "compose.override.yaml",
        ] {
            assert!(is_compose_name(yes), "{yes}");
        }
        for no in [
            "values.yaml",
            "compose.json",
            "my-compose.yml",
            "docker-compose",
        ] {
            assert!(!is_compose_name(no), "{no}");
        }
        assert!(!is_override("x/compose.yaml"));
        assert!(is_override("x/docker-compose.override.yml"));
    }
}
