//! Self-hosted mail servers, recognised the same way in every format: mail software installed
//! at boot (user data, cloud-init, `AWS::CloudFormation::Init`, VM extensions), a firewall that
//! opens a mail port to the VM (rules inside the firewall, in resources of their own, or
//! firewalls that name the VMs they protect), and DNS that sends a domain's mail to it (MX →
//! A record → the VM or its elastic IP). Each dataset says how it was recognised; a web server
//! is not a mail server.

mod common;

use common::{root, run, scan_json};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/mail-servers").join(name)
}

/// (source, reason, copies as `resource | region | countries`) of each dataset.
fn datasets(dir: &Path, extra: &[&str]) -> Vec<(String, String, Vec<String>)> {
    let mut args = vec!["map", dir.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    let (code, out, err) = run(&args);
    assert!(matches!(code, 0 | 3), "{err}");
    common::datasets_with_places(&serde_json::from_str(&out).unwrap())
}

/// (source, reason) of each dataset `datasets` gives, its copies left out.
fn sources_and_reasons(found: &[(String, String, Vec<String>)]) -> Vec<(&str, &str)> {
    found
        .iter()
        .map(|(s, r, _)| (s.as_str(), r.as_str()))
        .collect()
}

fn s(text: &str) -> String {
    text.to_string()
}

#[test]
fn cloudformation_instance_by_user_data_by_firewall_rule_and_by_cfn_init() {
    let found = datasets(&fixture("cloudformation"), &["--region", "eu-west-1"]);
    assert_eq!(
        found,
        [(
            s("MailInstance"),
            s("its boot script (UserData) installs mailinabox"),
            vec![
                s("MailInstance | eu-west-1 | IE"),
                s("MailInstance (block device) | eu-west-1 | IE"),
                s("MailData | eu-west-1 | IE"),
            ]
        )]
    );
    let original =
        std::fs::read_to_string(fixture("cloudformation").join("mailinabox.yaml")).unwrap();
    let tree = tempfile::tempdir().unwrap();
    // Without the boot script: the standalone ingress rule that opens 25 on its group.
    let no_script: String = original
        .lines()
        .filter(|l| !l.contains("mailinabox.email"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(tree.path().join("t.yaml"), &no_script).unwrap();
    let found = datasets(tree.path(), &["--region", "eu-west-1"]);
    assert_eq!(
        found[0].1,
        "security group rule SmtpIngress opens port 25 of MailSecurityGroup"
    );
    // Without the rule either: cfn-init installing postfix.
    let init_only = no_script
        .replace("              curl: []", "              postfix: []")
        .replace("          FromPort: 25\n      ToPort: 25", "")
        .replace(
            "      FromPort: 25\n      ToPort: 25\n",
            "      FromPort: 8080\n      ToPort: 8080\n",
        );
    std::fs::write(tree.path().join("t.yaml"), &init_only).unwrap();
    let found = datasets(tree.path(), &["--region", "eu-west-1"]);
    assert_eq!(found[0].1, "its boot script ($init) installs postfix");
    // Nothing of the three: not a mail server.
    let nothing = init_only.replace("postfix: []", "curl: []");
    std::fs::write(tree.path().join("t.yaml"), &nothing).unwrap();
    assert!(datasets(tree.path(), &["--region", "eu-west-1"]).is_empty());
}

#[test]
fn droplet_by_firewall_and_by_dns_alone() {
    let found = datasets(&fixture("digitalocean"), &[]);
    assert_eq!(
        found,
        [(
            s("digitalocean_droplet.mail"),
            s("firewall digitalocean_firewall.mail opens port 25"),
            vec![
                s("digitalocean_droplet.mail | lon1 | GB"),
                s("digitalocean_volume.vmail | lon1 | GB"),
            ]
        )]
    );
    // Without the firewall, DNS still sends the domain's mail to the droplet.
    let text = std::fs::read_to_string(fixture("digitalocean").join("main.tf")).unwrap();
    let start = text.find("resource \"digitalocean_firewall\"").unwrap();
    let end = text
        .find("resource \"digitalocean_record\" \"mail\"")
        .unwrap();
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        format!("{}{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let found = datasets(tree.path(), &[]);
    assert_eq!(
        found[0].1,
        "DNS sends mail to it: MX record digitalocean_record.mx names mail.example.com, which digitalocean_record.mail points at it"
    );
    // And without the MX record, nothing says it handles mail.
    let no_mx = format!("{}{}", &text[..start], &text[end..]);
    let no_mx = &no_mx[..no_mx
        .find("resource \"digitalocean_record\" \"mx\"")
        .unwrap()];
    std::fs::write(tree.path().join("main.tf"), no_mx).unwrap();
    assert!(datasets(tree.path(), &[]).is_empty());
}

/// Route 53 through an elastic IP, and firewall rules in resources of their own.
#[test]
fn route53_through_an_elastic_ip_and_separate_security_group_rules() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        r#"provider "aws" {
  region = "us-east-2"
}

resource "aws_security_group" "mail" {
  name = "mail"
}

resource "aws_vpc_security_group_ingress_rule" "imaps" {
  security_group_id = aws_security_group.mail.id
  from_port         = 993
  to_port           = 993
  ip_protocol       = "tcp"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_instance" "mx" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.small"
}

resource "aws_eip" "mx" {
  instance = aws_instance.mx.id
}

resource "aws_route53_record" "a" {
  zone_id = "Z1"
  name    = "mx1.example.com"
  type    = "A"
  ttl     = 300
  records = [aws_eip.mx.public_ip]
}

resource "aws_route53_record" "mx" {
  zone_id = "Z1"
  name    = "example.com"
  type    = "MX"
  ttl     = 300
  records = ["10 mx1.example.com"]
}

resource "aws_instance" "imap" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  vpc_security_group_ids = [aws_security_group.mail.id]
}
"#,
    )
    .unwrap();
    let found = datasets(tree.path(), &[]);
    let reasons = sources_and_reasons(&found);
    assert_eq!(
        reasons,
        [
            (
                "aws_instance.mx",
                "DNS sends mail to it: MX record aws_route53_record.mx names mx1.example.com, which aws_route53_record.a points at it"
            ),
            (
                "aws_instance.imap",
                "security group rule aws_vpc_security_group_ingress_rule.imaps opens port 993 of aws_security_group.mail"
            ),
        ]
    );
    assert!(found
        .iter()
        .all(|(_, _, copies)| copies[0].ends_with("| us-east-2 | US")));
}

/// A web server that opens 443 and an "all ports" range, installs nginx and has an A record
/// without an MX record is not a mail server.
#[test]
fn a_web_server_is_not_a_mail_server() {
    assert!(datasets(&fixture("not-mail"), &[]).is_empty());
}

/// Mailgun keeps a domain's messages in the region it is created in: `eu`, or `us` by default.
#[test]
fn hosted_senders_with_a_data_region() {
    let (code, report) = scan_json(&fixture("mailgun"), &[]);
    assert_eq!(code, 1);
    let found = datasets(&fixture("mailgun"), &[]);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].2, [s("mailgun_domain.eu | eu | AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE")]);
    assert_eq!(found[1].2, [s("mailgun_domain.default | us | US")]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["MSI005"], "whole messages processed in the US");
}

/// A boot script in a file beside the module, read through `templatefile()` or `file()` (as
/// the gate reads every scanned file: a path outside the scan is not read).
#[test]
fn boot_scripts_in_template_files_are_read() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir(tree.path().join("mail")).unwrap();
    std::fs::write(
        tree.path().join("mail/main.tf"),
        r#"resource "digitalocean_droplet" "miab" {
  name      = "box"
  region    = "ams3"
  size      = "s-1vcpu-2gb"
  image     = "ubuntu-22-04-x64"
  user_data = templatefile("${path.module}/miab-setup.tftpl", { hostname = "box.example.com" })
}

resource "digitalocean_droplet" "relay" {
  name      = "relay"
  region    = "ams3"
  size      = "s-1vcpu-1gb"
  image     = "ubuntu-22-04-x64"
  user_data = file("scripts/relay.sh")
}

resource "digitalocean_droplet" "outside" {
  name      = "outside"
  region    = "ams3"
  size      = "s-1vcpu-1gb"
  image     = "ubuntu-22-04-x64"
  user_data = file("../../outside.sh")
}
"#,
    )
    .unwrap();
    std::fs::write(
        tree.path().join("mail/miab-setup.tftpl"),
        "#!/bin/bash\nexport PRIMARY_HOSTNAME=${hostname}\ncurl -s https://mailinabox.email/setup.sh | sudo -E bash\n",
    )
    .unwrap();
    std::fs::create_dir(tree.path().join("mail/scripts")).unwrap();
    std::fs::write(
        tree.path().join("mail/scripts/relay.sh"),
        "#!/bin/sh\napt-get install -y postfix\n",
    )
    .unwrap();
    let found = datasets(tree.path(), &[]);
    let reasons = sources_and_reasons(&found);
    assert_eq!(
        reasons,
        [
            (
                "digitalocean_droplet.miab",
                "its boot script (user_data) installs mailinabox"
            ),
            (
                "digitalocean_droplet.relay",
                "its boot script (user_data) installs postfix"
            ),
        ]
    );
    assert_eq!(found[0].2, [s("digitalocean_droplet.miab | ams3 | NL")]);
}

/// Azure VMs: an ARM VM whose network interface has a security group opening 25, an ARM VM
/// whose DSC extension installs Exchange, and a Terraform VM whose subnet's security group
/// opens 587.
#[test]
fn azure_vms_by_network_security_groups_and_extensions() {
    let found = datasets(
        &fixture("azure-arm"),
        &["--resource-group-location", "westeurope"],
    );
    let reasons = sources_and_reasons(&found);
    assert_eq!(
        reasons,
        [
            (
                "Microsoft.Compute/virtualMachines/edge",
                "network security group Microsoft.Network/networkSecurityGroups/edge-nsg opens port 25"
            ),
            (
                "Microsoft.Compute/virtualMachines/exchange",
                "its extension Microsoft.Compute/virtualMachines/extensions/exchange/InstallExchange installs InstallAndConfigureExchange"
            ),
        ]
    );
    assert_eq!(
        found[1].2,
        [
            s("Microsoft.Compute/virtualMachines/exchange | westeurope | NL"),
            s("Microsoft.Compute/virtualMachines/exchange (OS disk) | westeurope | NL"),
            s("Microsoft.Compute/virtualMachines/exchange (data disks) | westeurope | NL"),
        ]
    );
    let found = datasets(&fixture("azure-terraform"), &[]);
    assert_eq!(
        found[0].1,
        "network security group azurerm_network_security_group.mail opens port 587"
    );
    assert_eq!(
        found[0].2[0],
        "azurerm_windows_virtual_machine.mail | swedencentral | SE"
    );
}

/// Google Cloud: a firewall applies to the instances its target tags name; the web instance
/// behind a 443-only firewall is not a mail server.
#[test]
fn google_instances_by_the_firewalls_their_tags_select() {
    let found = datasets(&fixture("google"), &[]);
    assert_eq!(
        found,
        [(
            s("google_compute_instance.mail"),
            s("firewall google_compute_firewall.smtp opens port 25"),
            vec![
                s("google_compute_instance.mail | europe-west3 | DE"),
                s("google_compute_instance.mail (boot disk) | europe-west3 | DE"),
            ]
        )]
    );
}

/// Kubernetes objects written with Terraform's kubernetes provider are read as the manifests
/// they create: the same recogniser, the same storage class placement.
#[test]
fn kubernetes_through_terraform_is_read_like_manifests() {
    let found = datasets(&fixture("kubernetes-terraform"), &[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "StatefulSet/mail/mailserver");
    assert_eq!(
        found[0].1,
        "it runs the mail server image ghcr.io/docker-mailserver/docker-mailserver:14"
    );
    assert_eq!(
        found[0].2,
        [
            s("StatefulSet/mail/mailserver | ? | "),
            s("PersistentVolumeClaim/mail/mail-data-mailserver | eu-central-1 | DE"),
        ]
    );
    let found = datasets(
        &fixture("kubernetes-terraform"),
        &["--cluster-region", "aws:eu-central-1"],
    );
    assert_eq!(
        found[0].2[0],
        "StatefulSet/mail/mailserver | eu-central-1 | DE"
    );
}

/// The shapes real Terraform writes Kubernetes in: claims made with `for_each = { for ... }`,
/// and volumes and mounts generated by `dynamic` blocks over a local list.
#[test]
fn for_expressions_and_dynamic_blocks_are_expanded() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        r#"locals {
  claims = [
    { name = "vmail", path = "/var/vmail" },
    { name = "postfix", path = "/var/spool/postfix" },
    { name = "cache", path = "/tmp/cache", skip = true },
  ]
  kept = [for c in local.claims : c if !try(c.skip, false)]
}

resource "kubernetes_persistent_volume_claim_v1" "claims" {
  for_each = { for claim in local.kept : claim.name => claim }
  metadata {
    namespace = "mail"
    name      = each.value.name
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = "hcloud-fsn1"
  }
}

resource "kubernetes_storage_class_v1" "fsn1" {
  metadata {
    name = "hcloud-fsn1"
  }
  storage_provisioner = "csi.hetzner.cloud"
  allowed_topologies {
    match_label_expressions {
      key    = "csi.hetzner.cloud/location"
      values = ["fsn1"]
    }
  }
}

resource "kubernetes_deployment_v1" "mail" {
  metadata {
    name      = "mail"
    namespace = "mail"
  }
  spec {
    selector {
      match_labels = { app = "mail" }
    }
    template {
      metadata {
        labels = { app = "mail" }
      }
      spec {
        container {
          name  = "iredmail"
          image = "iredmail/mariadb:stable"
          dynamic "volume_mount" {
            for_each = local.kept
            content {
              name       = volume_mount.value.name
              mount_path = volume_mount.value.path
            }
          }
        }
        dynamic "volume" {
          for_each = local.kept
          iterator = claim
          content {
            name = claim.value.name
            persistent_volume_claim {
              claim_name = claim.value.name
            }
          }
        }
      }
    }
  }
}
"#,
    )
    .unwrap();
    let found = datasets(tree.path(), &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    let copies: Vec<&str> = found[0]
        .2
        .iter()
        .map(|c| c.split(" | ").next().unwrap())
        .collect();
    assert_eq!(
        copies,
        [
            "Deployment/mail/mail",
            "PersistentVolumeClaim/mail/vmail",
            "PersistentVolumeClaim/mail/postfix"
        ]
    );
}

/// A `helm_release` of a mail server's chart is a mail server, placed where the cluster is.
#[test]
fn helm_releases_of_mail_charts() {
    let found = datasets(&fixture("helm"), &["--cluster-region", "hetzner:fsn1"]);
    let reasons = sources_and_reasons(&found);
    assert_eq!(
        reasons,
        [
            (
                "HelmRelease/mail/mailserver",
                "it installs the mail server chart https://docker-mailserver.github.io/docker-mailserver-helm/docker-mailserver"
            ),
            (
                "HelmRelease/mail/mail",
                "it installs the mail server chart https://bokysan.github.io/docker-postfix/mail"
            ),
        ]
    );
    assert_eq!(found[0].2, [s("HelmRelease/mail/mailserver | fsn1 | DE")]);
}

/// The kubernetes and helm providers configured from a cluster resource (`host =
/// aws_eks_cluster.main.endpoint`) place what they deploy where the cluster is, without
/// `--cluster-region`.
#[test]
fn the_cluster_a_provider_is_configured_from_places_its_workloads() {
    let found = datasets(&fixture("eks"), &[]);
    let places: Vec<&str> = found.iter().map(|(_, _, c)| c[0].as_str()).collect();
    assert_eq!(
        places,
        [
            "HelmRelease/mail/mailserver | eu-central-1 | DE",
            "Deployment/mail/relay | eu-central-1 | DE"
        ]
    );
}

#[test]
fn dns_finds_mail_hosts_on_azure_google_hetzner_and_through_ip_associations() {
    let dns = |name: &str| datasets(&fixture("dns").join(name), &[]);
    assert_eq!(
        dns("azure-terraform"),
        [(
            s("azurerm_linux_virtual_machine.mail"),
            s("DNS sends mail to it: MX record azurerm_dns_mx_record.apex names mail.example.org, which azurerm_dns_a_record.mail points at it"),
            vec![
                s("azurerm_linux_virtual_machine.mail | westeurope | NL"),
                s("azurerm_linux_virtual_machine.mail (OS disk) | westeurope | NL"),
            ]
        )]
    );
    assert_eq!(
        dns("azure-arm"),
        [(
            s("Microsoft.Compute/virtualMachines/vm-mx"),
            s("DNS sends mail to it: MX record Microsoft.Network/dnsZones/MX/example.fr/@ names mx.example.fr, which Microsoft.Network/dnsZones/A/example.fr/mx points at it"),
            vec![s("Microsoft.Compute/virtualMachines/vm-mx | francecentral | FR")]
        )]
    );
    // The web instance has an A record too, but no MX record names it.
    assert_eq!(
        dns("google"),
        [(
            s("google_compute_instance.mx"),
            s("DNS sends mail to it: MX record google_dns_record_set.mx names mx.example.net, which google_dns_record_set.mx_a points at it"),
            vec![
                s("google_compute_instance.mx | europe-west3 | DE"),
                s("google_compute_instance.mx (boot disk) | europe-west3 | DE"),
            ]
        )]
    );
    assert_eq!(
        dns("hetzner"),
        [(
            s("hcloud_server.mail"),
            s("DNS sends mail to it: MX record hcloud_zone_rrset.mx names mail.example.de, which hcloud_zone_rrset.mail_a points at it"),
            vec![s("hcloud_server.mail | fsn1 | DE")]
        )]
    );
    assert_eq!(
        dns("aws-association"),
        [(
            s("aws_instance.box"),
            s("DNS sends mail to it: MX record aws_route53_record.mx names box.example.ca, which aws_route53_record.box points at it"),
            vec![s("aws_instance.box | ca-central-1 | CA")]
        )]
    );
    // Without the MX records, none of them is a mail server.
    let tree = tempfile::tempdir().unwrap();
    for name in ["azure-terraform", "google", "hetzner", "aws-association"] {
        let text = std::fs::read_to_string(fixture("dns").join(name).join("main.tf")).unwrap();
        let cut = text
            .split("\nresource ")
            .filter(|block| {
                !block.contains("\"MX\"") && !block.starts_with("\"azurerm_dns_mx_record\"")
            })
            .collect::<Vec<_>>()
            .join("\nresource ");
        let dir = tree.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("main.tf"), cut).unwrap();
        assert_eq!(datasets(&dir, &[]), [], "{name}");
    }
}

#[test]
fn disks_of_lightsail_vultr_scaleway_and_linode_servers_are_their_copies() {
    let disks = |name: &str, extra: &[&str]| datasets(&fixture("disks").join(name), extra);
    assert_eq!(
        disks("lightsail", &[]),
        [(
            s("aws_lightsail_instance.box"),
            s("its boot script (user_data) installs mailinabox"),
            vec![
                s("aws_lightsail_instance.box | eu-central-1 | DE"),
                s("aws_lightsail_instance.box (automatic snapshots) | eu-central-1 | DE"),
                s("aws_lightsail_disk.mail | eu-central-1 | DE"),
            ]
        )]
    );
    assert_eq!(
        disks("lightsail-cfn", &["--region", "eu-west-2"]),
        [(
            s("MailBox"),
            s("its boot script (UserData) installs postfix"),
            vec![
                s("MailBox | eu-west-2 | GB"),
                s("MailDisk | eu-west-2 | GB"),
            ]
        )]
    );
    // The boot script is a file beside the configuration, read through `file()`; Vultr's
    // backups are a copy whose place its documentation does not give.
    assert_eq!(
        disks("vultr", &[]),
        [(
            s("vultr_instance.mail"),
            s("its boot script (user_data) installs iRedMail"),
            vec![
                s("vultr_instance.mail | ams | NL"),
                s("vultr_instance.mail (provider backups) | ? | "),
                s("vultr_block_storage.vmail | ams | NL"),
            ]
        )]
    );
    assert_eq!(
        disks("scaleway", &[]),
        [(
            s("scaleway_instance_server.mail"),
            s("its boot script (user_data) installs mailcow"),
            vec![
                s("scaleway_instance_server.mail | fr-par | FR"),
                s("scaleway_instance_server.mail (root volume) | fr-par | FR"),
                s("scaleway_instance_volume.data | fr-par | FR"),
            ]
        )]
    );
    assert_eq!(
        disks("linode", &[]),
        [(
            s("linode_instance.mail"),
            s("firewall linode_firewall.mail opens port 25"),
            vec![
                s("linode_instance.mail | eu-west | GB"),
                s("linode_volume.vmail | eu-west | GB"),
            ]
        )]
    );
    // Regions Linode opened later (Tokyo 3, London 2), the first read through `data.linode_region`.
    assert_eq!(
        disks("linode-newer", &[]),
        [(
            s("linode_instance.mail"),
            s("firewall linode_firewall.mail opens port 25"),
            vec![
                s("linode_instance.mail | jp-tyo-3 | JP"),
                s("linode_volume.vmail | gb-lon | GB"),
            ]
        )]
    );
    // Vultr's operator is a US company: the ruling's policy passes the copies in Amsterdam,
    // the CLOUD Act's flags them.
    let (code, out, _) = run(&[
        "scan",
        fixture("disks").join("vultr").to_str().unwrap(),
        "--format",
        "json",
        "--policy",
        "cloud-act-2018",
    ]);
    assert_eq!(code, 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"CLD001"), "{rules:?}");
}

#[test]
fn a_helm_releases_values_name_its_claims() {
    // values.yaml asks for mail-data on gp3 (the cluster's EBS class) and turns mail-log off;
    // a `set` entry points mail-state at a claim declared beside the release.
    let found = datasets(&fixture("helm-values"), &[]);
    assert_eq!(
        found,
        [(
            s("HelmRelease/mail/mailserver"),
            s("it installs the mail server chart https://docker-mailserver.github.io/docker-mailserver-helm/docker-mailserver"),
            vec![
                s("HelmRelease/mail/mailserver | eu-north-1 | SE"),
                s("PersistentVolumeClaim/mail/mail-state | eu-north-1 | SE"),
                s("PersistentVolumeClaim/mail/mail-data-mailserver | eu-north-1 | SE"),
            ]
        )]
    );
}

#[test]
fn resend_and_scaleway_senders_with_their_regions_and_resends_us_account_data() {
    let found = datasets(&fixture("senders"), &[]);
    assert_eq!(
        found
            .iter()
            .map(|(source, _, copies)| (source.as_str(), copies.clone()))
            .collect::<Vec<_>>(),
        [
            (
                "resend_domain.updates",
                vec![
                    s("resend_domain.updates | eu-west-1 | IE"),
                    s("resend_domain.updates (account data, message metadata and logs) | eu-west-1 | US"),
                ]
            ),
            (
                "resend_domain.default",
                vec![
                    s("resend_domain.default | us-east-1 | US"),
                    s("resend_domain.default (account data, message metadata and logs) | us-east-1 | US"),
                ]
            ),
            (
                "scaleway_tem_domain.main",
                vec![s("scaleway_tem_domain.main | fr-par | FR")]
            ),
        ]
    );
    let (code, report) = scan_json(&fixture("senders"), &[]);
    assert_eq!(code, 1);
    let rules: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["resource"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            (
                "MSI002",
                "resend_domain.updates (account data, message metadata and logs)"
            ),
            (
                "MSI002",
                "resend_domain.default (account data, message metadata and logs)"
            ),
            ("MSI005", "resend_domain.default"),
        ]
    );
}
