//! Self-hosted mail on virtual machines: a VM is taken for a mail server when its boot script
//! installs one (postfix, dovecot, exim, Exchange Server, ...), or when a security group it uses
//! opens a mail port (25, 465, 587, 110, 143, 993, 995). Such datasets say `basis: heuristic`,
//! so a reader knows that no resource declared them as mail.

use super::index::{Index, Target};
use super::values_at;
use crate::model::Resource;
use crate::value::Value;
use regex::Regex;
use std::sync::OnceLock;

/// VM kinds and the attributes that carry their boot script (MAIL-DATA.md §1.7).
const VMS: &[(&str, &[&[&str]])] = &[
    ("aws_instance", &[&["user_data"], &["user_data_base64"]]),
    (
        "azurerm_linux_virtual_machine",
        &[&["custom_data"], &["user_data"]],
    ),
    (
        "azurerm_windows_virtual_machine",
        &[&["custom_data"], &["user_data"]],
    ),
    ("azurerm_virtual_machine", &[&["os_profile", "custom_data"]]),
    (
        "google_compute_instance",
        &[
            &["metadata_startup_script"],
            &["metadata", "startup-script"],
            &["metadata", "user-data"],
        ],
    ),
    ("hcloud_server", &[&["user_data"]]),
    ("oci_core_instance", &[&["metadata", "user_data"]]),
    ("alicloud_instance", &[&["user_data"]]),
    ("ibm_is_instance", &[&["user_data"]]),
    ("ovh_cloud_project_instance", &[&["user_data"]]),
    ("linode_instance", &[&["metadata", "user_data"]]),
    (
        "Microsoft.Compute/virtualMachines",
        &[
            &["properties", "osProfile", "customData"],
            &["properties", "userData"],
        ],
    ),
    ("digitalocean_droplet", &[&["user_data"]]),
];

/// Ports that only a mail server listens on: SMTP, submission, POP3, IMAP and their TLS forms.
const MAIL_PORTS: &[f64] = &[25.0, 465.0, 587.0, 110.0, 143.0, 993.0, 995.0];

fn mail_software() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(postfix|dovecot|exim4?|sendmail|opensmtpd|docker-mailserver|mailcow|mailu|stalwart|maddy|wildduck|haraka|modoboa|mjl/mox|iredmail|zimbra|exchange ?server|setup\.exe\s+/mode:install\s+/roles:mailbox)\b",
        )
        .expect("valid pattern")
    })
}

/// Why a VM is taken for a mail server, if it is.
pub fn mail_server(index: &Index, r: &Resource) -> Option<String> {
    // A container workload (its front end lists its images): judged by images and ports.
    if !r.attr("$images").is_null() {
        return container_mail_server(r);
    }
    let (_, scripts) = VMS.iter().find(|(kind, _)| *kind == r.kind)?;
    for path in *scripts {
        for (_, script) in values_at(&r.attributes, path) {
            let text = script
                .as_str()
                .or_else(|| script.partial_text())
                .unwrap_or_default();
            if let Some(m) = mail_software().find(text) {
                return Some(format!(
                    "its boot script ({}) installs {}",
                    path.join("."),
                    m.as_str()
                ));
            }
        }
    }
    if r.kind == "aws_instance" {
        for (_, group) in values_at(&r.attributes, &["vpc_security_group_ids"])
            .into_iter()
            .chain(values_at(&r.attributes, &["security_groups"]))
        {
            if let Target::Declared(sg) = index.target(group, r, &["aws_security_group"]) {
                if let Some(port) = open_mail_port(sg) {
                    return Some(format!("security group {} opens port {port}", sg.address));
                }
            }
        }
    }
    None
}

/// A Kubernetes workload running a mail server image, or a container that listens on a mail
/// port.
fn container_mail_server(r: &Resource) -> Option<String> {
    for image in r.attr("$images").items() {
        let image = image.as_str().unwrap_or_default();
        if mail_software().is_match(image) {
            return Some(format!("it runs the mail server image {image}"));
        }
    }
    let container_port = r.attr("$ports").items().iter().find_map(|p| match p {
        Value::Number(n) if MAIL_PORTS.contains(n) => Some(*n),
        _ => None,
    });
    if let Some(port) = container_port {
        return Some(format!("a container listens on mail port {port}"));
    }
    r.attr("$service_ports")
        .items()
        .iter()
        .find_map(|p| match p.get("port") {
            Value::Number(n) if MAIL_PORTS.contains(n) => Some(format!(
                "Service {} exposes mail port {n} to its pods",
                p.get("service").as_str().unwrap_or("?")
            )),
            _ => None,
        })
}

fn open_mail_port(sg: &Resource) -> Option<u32> {
    for (_, rule) in values_at(&sg.attributes, &["ingress"]) {
        let (Value::Number(from), Value::Number(to)) = (rule.get("from_port"), rule.get("to_port"))
        else {
            continue;
        };
        if let Some(port) = MAIL_PORTS.iter().find(|p| **p >= *from && **p <= *to) {
            return Some(*port as u32);
        }
    }
    None
}
