//! The VM a Compose project runs on, when the scan describes it: a Compose file says nothing
//! of its host, but the VM's own configuration often does. A VM is the host of the project in
//! directory `D` when
//!
//! - a `file` provisioner (on the VM, or on a `null_resource`/`terraform_data` whose connection
//!   is the VM or one of its addresses) copies one of `D`'s Compose files, `D`, or a directory
//!   that holds `D` to it; or
//! - its boot script (or a `remote-exec` provisioner) runs `docker compose` (or
//!   `docker-compose`) and names `D` by its directory name (`cd /opt/mailserver`,
//!   `git clone …/mailserver`).
//!
//! Only one VM may match: two candidates leave the project's place unknown, since guessing
//! between them would turn an unknown into a wrong answer.

use super::heuristics::{address_holders, boot_scripts, vms};
use super::index::{Index, Target};
use super::values_at;
use crate::discover::display_parent;
use crate::hash::HashMap;
use crate::model::Resource;
use crate::value::Value;
use regex::Regex;
use std::sync::OnceLock;

/// Resources that only run provisioners (against the host their `connection` names).
const PROVISIONER_HOLDERS: &[&str] = &["null_resource", "terraform_data"];

/// What the scan says of a Compose project's host.
pub enum Host<'a> {
    /// One VM runs it, and why it is taken for the host.
    Vm(&'a Resource, String),
    /// Several VMs could (their addresses): which one does cannot be told.
    Several(Vec<String>),
    /// No VM in the scan is recognisably its host.
    None,
}

/// The host of the Compose project a service or volume belongs to (found once per project
/// when the index is built: `hosts`).
pub fn host<'i, 'a>(index: &'i Index<'a>, compose: &Resource) -> &'i Host<'a> {
    static NONE: Host<'static> = Host::None;
    index
        .compose_hosts
        .get(compose.scope.as_str())
        .unwrap_or(&NONE)
}

/// The host of every Compose project of the scan, by its deployment.
pub fn hosts<'a>(index: &Index<'a>) -> HashMap<String, Host<'a>> {
    let mut hosts = HashMap::default();
    for r in index
        .of_kind("compose_service")
        .iter()
        .chain(index.of_kind("compose_volume"))
    {
        if !hosts.contains_key(r.scope.as_str()) {
            hosts.insert(r.scope.to_string(), find_host(index, r));
        }
    }
    hosts
}

/// The VM a Compose project runs on, and why it is taken for it.
fn find_host<'a>(index: &Index<'a>, compose: &Resource) -> Host<'a> {
    let project = Project::of(compose, index);
    let mut found: Vec<(&'a Resource, String)> = Vec::new();
    for vm in vms(index) {
        let why = project
            .copied_by(vm, vm)
            .or_else(|| project.run_by(vm, vm))
            .or_else(|| {
                // Provisioners of other resources that connect to this VM.
                let holders = address_holders(index, vm);
                PROVISIONER_HOLDERS
                    .iter()
                    .flat_map(|kind| index.of_kind(kind))
                    .filter(|p| connects_to(index, p, &holders))
                    .find_map(|p| project.copied_by(p, vm).or_else(|| project.run_by(p, vm)))
            });
        if let Some(why) = why {
            if !found.iter().any(|(r, _)| std::ptr::eq(*r, vm)) {
                found.push((vm, why));
            }
        }
    }
    match found.len() {
        0 => Host::None,
        1 => {
            let (vm, why) = found.remove(0);
            Host::Vm(vm, why)
        }
        _ => Host::Several(found.iter().map(|(r, _)| r.address.clone()).collect()),
    }
}

/// A Compose project: its directory and its files, as the scan displays them.
struct Project {
    directory: String,
    files: Vec<String>,
}

impl Project {
    fn of(compose: &Resource, index: &Index) -> Project {
        let directory = display_parent(&compose.scope).to_string();
        let mut files: Vec<String> = index
            .of_kind("compose_service")
            .iter()
            .chain(index.of_kind("compose_volume"))
            .filter(|r| r.scope == compose.scope)
            .map(|r| r.file.to_string())
            .collect();
        files.push(compose.scope.to_string());
        files.sort();
        files.dedup();
        Project { directory, files }
    }

    /// A `file` provisioner of `r` whose source is one of the project's files, its directory,
    /// or a directory above it.
    fn copied_by(&self, r: &Resource, vm: &Resource) -> Option<String> {
        for (_, source) in values_at(&r.attributes, &["provisioner", "source"]) {
            let Some(source) = source.as_str() else {
                continue;
            };
            let path = crate::discover::normalise_display(&join(display_parent(&r.file), source));
            let holds = |dir: &str| {
                dir.is_empty()
                    || self.directory == dir
                    || self.directory.starts_with(&format!("{dir}/"))
            };
            if self.files.contains(&path) || holds(&path) {
                return Some(if std::ptr::eq(r, vm) {
                    format!(
                        "it runs on {}, whose file provisioner copies {source} to it",
                        vm.address
                    )
                } else {
                    format!(
                        "it runs on {}: {} copies {source} to it",
                        vm.address, r.address
                    )
                });
            }
        }
        None
    }

    /// A boot script or `remote-exec` provisioner of `r` that runs `docker compose` and names
    /// the project's directory.
    fn run_by(&self, r: &Resource, vm: &Resource) -> Option<String> {
        let name = self.directory.rsplit('/').next().unwrap_or_default();
        if name.is_empty() || name == "." || name == ".." {
            return None;
        }
        let mut scripts = boot_scripts(r);
        scripts.extend(
            values_at(&r.attributes, &["provisioner", "inline"])
                .into_iter()
                .map(|(_, v)| v.clone()),
        );
        let mut texts = Vec::new();
        for script in &scripts {
            collect_texts(script, &mut texts);
        }
        let text = texts.join("\n");
        if !compose_command().is_match(&text) || !names_directory(&text, name) {
            return None;
        }
        Some(if std::ptr::eq(r, vm) {
            format!(
                "it runs on {}, whose boot script runs docker compose in {name}",
                vm.address
            )
        } else {
            format!(
                "it runs on {}: {} runs docker compose in {name} there",
                vm.address, r.address
            )
        })
    }
}

/// Whether a provisioner holder's `connection.host` (its own, or one of its provisioners')
/// names the VM or one of its addresses.
fn connects_to(index: &Index, r: &Resource, holders: &[&Resource]) -> bool {
    let mut hosts = values_at(&r.attributes, &["connection", "host"]);
    hosts.extend(values_at(
        &r.attributes,
        &["provisioner", "connection", "host"],
    ));
    hosts.into_iter().any(|(_, host)| {
        matches!(index.target(host, r, super::flows::ANY),
            Target::Declared(t) if holders.iter().any(|h| std::ptr::eq(*h, t)))
    })
}

fn compose_command() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"docker[ -]compose\b").expect("valid pattern"))
}

/// Whether `text` names a directory called `name` as a path component.
fn names_directory(text: &str, name: &str) -> bool {
    let pattern = format!(r#"(^|[/\s"'=:]){}(/|\s|$|["';&)])"#, regex::escape(name));
    Regex::new(&pattern).is_ok_and(|re| re.is_match(text))
}

/// Every text in a value, and the known text of unknown values (a template's text).
fn collect_texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.to_string()),
        Value::Unknown(u) => out.extend(u.partial.clone()),
        Value::List(items) => items.iter().for_each(|v| collect_texts(v, out)),
        Value::Map(m) => m.values().for_each(|v| collect_texts(v, out)),
        _ => {}
    }
}

/// A provisioner's source relative to the configuration that names it, unless it already
/// starts there (`${path.module}/…`).
fn join(dir: &str, source: &str) -> String {
    if dir.is_empty() || source.starts_with(&format!("{dir}/")) || source == dir {
        source.to_string()
    } else {
        format!("{dir}/{source}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_directory_names() {
        assert_eq!(
            crate::discover::normalise_display(&join("infra", "../mail/compose.yaml")),
            "mail/compose.yaml"
        );
        assert_eq!(
            crate::discover::normalise_display(&join("infra", "infra/x.yml")),
            "infra/x.yml"
        );
        assert_eq!(
            crate::discover::normalise_display(&join("", "./compose.yaml")),
            "compose.yaml"
        );
        assert!(names_directory(
            "cd /opt/mailserver && docker compose up -d",
            "mailserver"
        ));
        assert!(!names_directory(
            "cd /opt/mailserver2 && docker compose up",
            "mailserver"
        ));
        assert!(compose_command().is_match("docker-compose up -d"));
        assert!(!compose_command().is_match("apt-get install docker-ce"));
    }
}
