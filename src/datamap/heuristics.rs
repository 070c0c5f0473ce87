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

/// Images published under a mail suite's own name whose every image is its mail server
/// (Stalwart's, iRedMail's all-in-one `iredmail/mariadb`).
const MAIL_SUITE_IMAGES: &[&str] = &["stalwartlabs/", "iredmail/"];

/// Whether an image reference is a mail server: its own name (the last path segment, without
/// tag or digest) names mail software, or it comes from a suite whose images all are. A suite's
/// other images are not: mailcow's and Mailu's registries also hold their DNS resolvers, web
/// front ends and admin panels (`ghcr.io/mailcow/unbound`, `mailu/nginx`), and only their
/// `dovecot` and `postfix` images hold mail.
pub fn is_mail_server_image(reference: &str) -> bool {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let name = last.split(':').next().unwrap_or(last);
    mail_software().is_match(name)
        || name.eq_ignore_ascii_case("mox")
        || MAIL_SUITE_IMAGES
            .iter()
            .any(|suite| without_digest.to_ascii_lowercase().contains(suite))
}

/// A Kubernetes workload running a mail server image, or a container that listens on a mail
/// port.
fn container_mail_server(r: &Resource) -> Option<String> {
    for image in r.attr("$images").items() {
        let image = image.as_str().unwrap_or_default();
        if is_mail_server_image(image) {
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

#[cfg(test)]
mod image_tests {
    use super::is_mail_server_image;

    #[test]
    fn mail_server_images_by_their_own_name() {
        for yes in [
            "ghcr.io/docker-mailserver/docker-mailserver:14",
            "mailserver/docker-mailserver",
            "ghcr.io/mailcow/dovecot:2.3.21.1-2",
            "ghcr.io/mailcow/postfix:3.10.12-1",
            "mailu/postfix:$VERSION",
            "stalwartlabs/mail-server:latest",
            "iredmail/mariadb:stable",
            "foxcpp/maddy:0.8",
            "r.xmox.nl/mox:v0.0.15",
            "boky/postfix@sha256:abc",
        ] {
            assert!(is_mail_server_image(yes), "{yes}");
        }
        for no in [
            "ghcr.io/mailcow/unbound:1.25.1-1",
            "ghcr.io/mailcow/nginx:1.30.4-1",
            "mailu/admin:2024.06",
            "mailu/nginx:$VERSION",
            "nginx:latest",
            "postgres:16",
        ] {
            assert!(!is_mail_server_image(no), "{no}");
        }
    }
}
