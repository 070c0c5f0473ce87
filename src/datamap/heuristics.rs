//! Self-hosted mail on virtual machines: a VM is taken for a mail server when its boot script
//! installs one (postfix, dovecot, exim, Exchange Server, ...), or when a security group it uses
//! opens a mail port (25, 465, 587, 110, 143, 993, 995). Such datasets say `basis: heuristic`,
//! so a reader knows that no resource declared them as mail.

use super::index::{Index, Target};
use super::values_at;
use crate::model::Resource;
use crate::value::Value;
use compact_str::ToCompactString;
use regex::Regex;
use std::sync::OnceLock;

/// VM kinds and the attributes that carry their boot script (MAIL-DATA.md §1.7).
const VMS: &[(&str, &[&[&str]])] = &[
    ("aws_instance", &[&["user_data"], &["user_data_base64"]]),
    ("aws_lightsail_instance", &[&["user_data"]]),
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
    ("vultr_instance", &[&["user_data"]]),
    ("scaleway_instance_server", &[&["user_data"]]),
    (
        "Microsoft.Compute/virtualMachines",
        &[
            &["properties", "osProfile", "customData"],
            &["properties", "userData"],
        ],
    ),
    ("digitalocean_droplet", &[&["user_data"]]),
    // CloudFormation: `UserData`, and what `AWS::CloudFormation::Init` installs (`$init`).
    ("AWS::EC2::Instance", &[&["UserData"], &["$init"]]),
    ("AWS::Lightsail::Instance", &[&["UserData"]]),
];

/// Ports that only a mail server listens on: SMTP, submission, POP3, IMAP, their TLS forms,
/// and ManageSieve.
const MAIL_PORTS: &[f64] = &[25.0, 465.0, 587.0, 110.0, 143.0, 993.0, 995.0, 4190.0];

/// A rule that opens more ports than this is not about mail (an "all ports" rule opens 25
/// too, and says nothing about what listens there).
const WIDEST_MAIL_RULE: f64 = 1000.0;

/// Firewalls a VM names (`path` on the VM, looked up among `kinds`), and the rules that live
/// in resources of their own and name the firewall (`rules`: kinds and the path to it).
struct NamedFirewall {
    vm: &'static str,
    path: &'static [&'static str],
    kinds: &'static [&'static str],
    rules: &'static [(&'static str, &'static [&'static str])],
}

const NAMED_FIREWALLS: &[NamedFirewall] = &[
    NamedFirewall {
        vm: "aws_instance",
        path: &["vpc_security_group_ids"],
        kinds: &["aws_security_group"],
        rules: &[
            ("aws_security_group_rule", &["security_group_id"]),
            (
                "aws_vpc_security_group_ingress_rule",
                &["security_group_id"],
            ),
        ],
    },
    NamedFirewall {
        vm: "aws_instance",
        path: &["security_groups"],
        kinds: &["aws_security_group"],
        rules: &[],
    },
    NamedFirewall {
        vm: "AWS::EC2::Instance",
        path: &["SecurityGroupIds"],
        kinds: &["AWS::EC2::SecurityGroup"],
        rules: &[("AWS::EC2::SecurityGroupIngress", &["GroupId"])],
    },
    NamedFirewall {
        vm: "AWS::EC2::Instance",
        path: &["SecurityGroups"],
        kinds: &["AWS::EC2::SecurityGroup"],
        rules: &[("AWS::EC2::SecurityGroupIngress", &["GroupId"])],
    },
    NamedFirewall {
        vm: "AWS::EC2::Instance",
        path: &["NetworkInterfaces", "GroupSet"],
        kinds: &["AWS::EC2::SecurityGroup"],
        rules: &[("AWS::EC2::SecurityGroupIngress", &["GroupId"])],
    },
    NamedFirewall {
        vm: "hcloud_server",
        path: &["firewall_ids"],
        kinds: &["hcloud_firewall"],
        rules: &[],
    },
    NamedFirewall {
        vm: "scaleway_instance_server",
        path: &["security_group_id"],
        kinds: &["scaleway_instance_security_group"],
        rules: &[],
    },
    NamedFirewall {
        vm: "vultr_instance",
        path: &["firewall_group_id"],
        kinds: &["vultr_firewall_group"],
        rules: &[("vultr_firewall_rule", &["firewall_group_id"])],
    },
];

/// Firewalls that name the VMs they protect: kinds, the path to the VM, the VM kinds.
const NAMING_FIREWALLS: &[(&[&str], &[&str], &[&str])] = &[
    (
        &["digitalocean_firewall"],
        &["droplet_ids"],
        &["digitalocean_droplet"],
    ),
    (
        &["hcloud_firewall"],
        &["apply_to", "server"],
        &["hcloud_server"],
    ),
    (
        &["hcloud_firewall_attachment"],
        &["server_ids"],
        &["hcloud_server"],
    ),
    (&["linode_firewall"], &["linodes"], &["linode_instance"]),
];

/// A path to an attribute (`["records"]`, `["properties", "settings"]`).
type Path = &'static [&'static str];

/// Records that point a name at an address (A, AAAA): kinds, the path to the address, the
/// path to the name, and the path to the record type (empty when the kind has one type).
const ADDRESS_RECORDS: &[(&[&str], Path, Path, Path)] = &[
    (&["aws_route53_record"], &["records"], &["name"], &["type"]),
    (&["digitalocean_record"], &["value"], &["name"], &["type"]),
    (&["cloudflare_record"], &["value"], &["name"], &["type"]),
    (&["cloudflare_record"], &["content"], &["name"], &["type"]),
    (
        &["cloudflare_dns_record"],
        &["content"],
        &["name"],
        &["type"],
    ),
    (
        &["AWS::Route53::RecordSet"],
        &["ResourceRecords"],
        &["Name"],
        &["Type"],
    ),
    (
        &["azurerm_dns_a_record", "azurerm_dns_aaaa_record"],
        &["records"],
        &["name"],
        &[],
    ),
    (
        &["azurerm_dns_a_record", "azurerm_dns_aaaa_record"],
        &["target_resource_id"],
        &["name"],
        &[],
    ),
    (
        &["Microsoft.Network/dnsZones/A"],
        &["properties", "ARecords", "ipv4Address"],
        &["name"],
        &[],
    ),
    (
        &["Microsoft.Network/dnsZones/AAAA"],
        &["properties", "AAAARecords", "ipv6Address"],
        &["name"],
        &[],
    ),
    (
        &[
            "Microsoft.Network/dnsZones/A",
            "Microsoft.Network/dnsZones/AAAA",
        ],
        &["properties", "targetResource", "id"],
        &["name"],
        &[],
    ),
    (
        &["google_dns_record_set"],
        &["rrdatas"],
        &["name"],
        &["type"],
    ),
    (
        &["hcloud_zone_rrset"],
        &["records", "value"],
        &["name"],
        &["type"],
    ),
    (&["hetznerdns_record"], &["value"], &["name"], &["type"]),
];

/// Addresses of their own that name the VM they are attached to (elastic, reserved, floating
/// and primary IPs): what an address record names instead of the VM.
const ELASTIC_IPS: &[(&str, &[&str])] = &[
    ("aws_eip", &["instance"]),
    ("AWS::EC2::EIP", &["InstanceId"]),
    ("digitalocean_reserved_ip", &["droplet_id"]),
    ("digitalocean_floating_ip", &["droplet_id"]),
    ("hcloud_floating_ip", &["server_id"]),
    ("hcloud_primary_ip", &["assignee_id"]),
];

/// Resources that attach an address to a VM: kinds, the path to the VM, the path to the
/// address, and the address kinds.
const IP_ASSOCIATIONS: &[(&str, Path, Path, &[&str])] = &[
    (
        "aws_eip_association",
        &["instance_id"],
        &["allocation_id"],
        &["aws_eip"],
    ),
    (
        "AWS::EC2::EIPAssociation",
        &["InstanceId"],
        &["AllocationId"],
        &["AWS::EC2::EIP"],
    ),
    (
        "digitalocean_reserved_ip_assignment",
        &["droplet_id"],
        &["ip_address"],
        &["digitalocean_reserved_ip"],
    ),
    (
        "digitalocean_floating_ip_assignment",
        &["droplet_id"],
        &["ip_address"],
        &["digitalocean_floating_ip"],
    ),
    (
        "hcloud_floating_ip_assignment",
        &["server_id"],
        &["floating_ip_id"],
        &["hcloud_floating_ip"],
    ),
];

/// Addresses a VM (or its network interface) names: the VM kinds, the path to its network
/// interfaces (empty: the VM names the address itself), the path to the address, and the
/// address kinds.
const NAMED_ADDRESSES: &[(&[&str], Path, Path, &[&str])] = &[
    (
        &[
            "azurerm_linux_virtual_machine",
            "azurerm_windows_virtual_machine",
            "azurerm_virtual_machine",
        ],
        &["network_interface_ids"],
        &["ip_configuration", "public_ip_address_id"],
        &["azurerm_public_ip"],
    ),
    (
        &["Microsoft.Compute/virtualMachines"],
        &["properties", "networkProfile", "networkInterfaces", "id"],
        &[
            "properties",
            "ipConfigurations",
            "properties",
            "publicIPAddress",
            "id",
        ],
        &["Microsoft.Network/publicIPAddresses"],
    ),
    (
        &["google_compute_instance"],
        &[],
        &["network_interface", "access_config", "nat_ip"],
        &["google_compute_address"],
    ),
    (
        &["hcloud_server"],
        &[],
        &["public_net", "ipv4"],
        &["hcloud_primary_ip"],
    ),
    (
        &["hcloud_server"],
        &[],
        &["public_net", "ipv6"],
        &["hcloud_primary_ip"],
    ),
];

/// Mail exchanger records: kinds, the path to the exchanger, the path to the record type.
const MX_RECORDS: &[(&str, &[&str], &[&str])] = &[
    ("aws_route53_record", &["records"], &["type"]),
    ("digitalocean_record", &["value"], &["type"]),
    ("cloudflare_record", &["value"], &["type"]),
    ("cloudflare_record", &["content"], &["type"]),
    ("cloudflare_dns_record", &["content"], &["type"]),
    ("AWS::Route53::RecordSet", &["ResourceRecords"], &["Type"]),
    ("azurerm_dns_mx_record", &["record", "exchange"], &[]),
    (
        "Microsoft.Network/dnsZones/MX",
        &["properties", "MXRecords", "exchange"],
        &[],
    ),
    ("google_dns_record_set", &["rrdatas"], &["type"]),
    ("hcloud_zone_rrset", &["records", "value"], &["type"]),
    ("hetznerdns_record", &["value"], &["type"]),
];

/// Azure links between network interfaces, subnets, security groups and their rules.
const NIC_NSG: (&[&str], Path) = (
    &["azurerm_network_interface_security_group_association"],
    &["network_interface_id"],
);
const SUBNET_NSG: (&[&str], Path) = (
    &["azurerm_subnet_network_security_group_association"],
    &["subnet_id"],
);
const NSG_RULES: (&[&str], Path) = (
    &["azurerm_network_security_rule"],
    &["network_security_group_name"],
);
const ARM_NSG_RULES: (&[&str], Path) = (
    &["Microsoft.Network/networkSecurityGroups/securityRules"],
    &["$parent"],
);

/// VM extensions that run scripts on a VM, the path to the VM, and where their script is.
const EXTENSIONS: &[(&[&str], Path, &[Path])] = &[
    (
        &["azurerm_virtual_machine_extension"],
        &["virtual_machine_id"],
        &[&["settings"], &["protected_settings"]],
    ),
    (
        &["Microsoft.Compute/virtualMachines/extensions"],
        &["$parent"],
        &[
            &["properties", "settings"],
            &["properties", "protectedSettings"],
        ],
    ),
];

/// The reverse links the recogniser looks up (firewalls, records and extensions that name a
/// VM or a firewall), for the index to build once.
pub fn links() -> Vec<super::index::Link> {
    let mut links = Vec::new();
    for (kinds, path, targets) in NAMING_FIREWALLS {
        links.push(super::index::Link {
            kinds,
            path,
            targets,
        });
    }
    for firewall in NAMED_FIREWALLS {
        for (kind, path) in firewall.rules {
            links.push(super::index::Link {
                kinds: std::slice::from_ref(kind),
                path,
                targets: firewall.kinds,
            });
        }
    }
    for (kinds, path, _, _) in ADDRESS_RECORDS {
        links.push(super::index::Link {
            kinds,
            path,
            targets: super::flows::ANY,
        });
    }
    for (kind, path) in ELASTIC_IPS {
        links.push(super::index::Link {
            kinds: std::slice::from_ref(kind),
            path,
            targets: super::flows::ANY,
        });
    }
    for (kind, path, _, _) in IP_ASSOCIATIONS {
        links.push(super::index::Link {
            kinds: std::slice::from_ref(kind),
            path,
            targets: super::flows::ANY,
        });
    }
    for (kinds, path, _) in EXTENSIONS {
        links.push(super::index::Link {
            kinds,
            path,
            targets: super::flows::ANY,
        });
    }
    for (kinds, path, targets) in [
        (NIC_NSG.0, NIC_NSG.1, &["azurerm_network_interface"][..]),
        (SUBNET_NSG.0, SUBNET_NSG.1, &["azurerm_subnet"][..]),
        (
            NSG_RULES.0,
            NSG_RULES.1,
            &["azurerm_network_security_group"][..],
        ),
        (ARM_NSG_RULES.0, ARM_NSG_RULES.1, super::flows::ANY),
    ] {
        links.push(super::index::Link {
            kinds,
            path,
            targets,
        });
    }
    links
}

fn mail_software() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(postfix|dovecot|exim4?|sendmail|opensmtpd|docker-mailserver|mailcow|mailu|stalwart|maddy|wildduck|haraka|modoboa|mjl/mox|mailinabox|mail-in-a-box|iredmail|zimbra|exchange ?server|xexchange|install\w*exchange|setup\.exe\s+/mode:install\s+/roles?:mailbox)\b",
        )
        .expect("valid pattern")
    })
}

/// Every text in a value: strings, the known part of unknown values, and map keys (a package
/// list is keyed by package name).
fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.to_string()),
        Value::Unknown(_) => {
            if let Some(t) = value.partial_text() {
                out.push(t.to_string());
            }
        }
        Value::List(items) => items.iter().for_each(|i| texts(i, out)),
        Value::Map(m) => {
            for (k, v) in m {
                out.push(k.to_string());
                texts(v, out);
            }
        }
        _ => {}
    }
}

/// The mail software a value's text names.
fn software_in(value: &Value) -> Option<String> {
    let mut found = Vec::new();
    texts(value, &mut found);
    found
        .iter()
        .find_map(|t| mail_software().find(t).map(|m| m.as_str().to_string()))
}

/// Every VM of the scan, kind by kind.
pub(super) fn vms<'a>(index: &Index<'a>) -> Vec<&'a Resource> {
    VMS.iter()
        .flat_map(|(kind, _)| index.of_kind(kind).iter().copied())
        .collect()
}

/// The boot scripts a VM declares (user data, custom data, startup scripts, cfn-init).
pub(super) fn boot_scripts(vm: &Resource) -> Vec<Value> {
    let Some((_, paths)) = VMS.iter().find(|(kind, _)| *kind == vm.kind) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|path| values_at(&vm.attributes, path))
        .map(|(_, v)| v.clone())
        .collect()
}

/// Why a VM is taken for a mail server, if it is: its boot installs mail software, a firewall
/// opens a mail port to it, or DNS sends a domain's mail to it.
pub fn mail_server(index: &Index, r: &Resource) -> Option<String> {
    // A container workload (its front end lists its images): judged by images and ports.
    if !r.attr("$images").is_null() {
        let why = container_mail_server(r)?;
        // A Compose service on a VM the scan describes: say which, and why.
        return Some(match super::compose_host::host(index, r) {
            super::compose_host::Host::Vm(_, host) if r.kind == "compose_service" => {
                format!("{why}; {host}")
            }
            _ => why,
        });
    }
    let (_, scripts) = VMS.iter().find(|(kind, _)| *kind == r.kind)?;
    for path in *scripts {
        for (_, script) in values_at(&r.attributes, path) {
            if let Some(software) = software_in(script) {
                return Some(format!(
                    "its boot script ({}) installs {software}",
                    path.join(".")
                ));
            }
        }
    }
    for (kinds, path, scripts) in EXTENSIONS {
        for extension in index.attached(kinds, path, r) {
            for script in *scripts {
                if let Some(software) = software_in(extension.attributes.path(script)) {
                    return Some(format!(
                        "its extension {} installs {software}",
                        extension.address
                    ));
                }
            }
        }
    }
    if let Some(why) = firewall_opens_mail_port(index, r) {
        return Some(why);
    }
    if let Some(why) = azure_nsg_opens_mail_port(index, r) {
        return Some(why);
    }
    dns_sends_mail_to(index, r)
}

/// Azure: a network security group on one of the VM's network interfaces, or on their subnets,
/// that lets a mail port in (its own rules, or rules declared on their own).
fn azure_nsg_opens_mail_port(index: &Index, vm: &Resource) -> Option<String> {
    let terraform = vm.kind.starts_with("azurerm_");
    let arm = vm.kind == "Microsoft.Compute/virtualMachines";
    if !terraform && !arm {
        return None;
    }
    let declared = |value: &Value, kinds: &[&str]| match index.target(value, vm, kinds) {
        Target::Declared(r) => Some(r),
        _ => None,
    };
    let mut nsgs = Vec::new();
    if terraform {
        for (_, id) in values_at(&vm.attributes, &["network_interface_ids"]) {
            let Some(nic) = declared(id, &["azurerm_network_interface"]) else {
                continue;
            };
            for assoc in index.attached(NIC_NSG.0, NIC_NSG.1, nic) {
                nsgs.extend(declared(
                    assoc.attr("network_security_group_id"),
                    &["azurerm_network_security_group"],
                ));
            }
            for (_, subnet) in values_at(&nic.attributes, &["ip_configuration", "subnet_id"]) {
                let Some(subnet) = declared(subnet, &["azurerm_subnet"]) else {
                    continue;
                };
                for assoc in index.attached(SUBNET_NSG.0, SUBNET_NSG.1, subnet) {
                    nsgs.extend(declared(
                        assoc.attr("network_security_group_id"),
                        &["azurerm_network_security_group"],
                    ));
                }
            }
        }
    } else {
        for (_, id) in values_at(
            &vm.attributes,
            &["properties", "networkProfile", "networkInterfaces", "id"],
        ) {
            let Some(nic) = declared(id, &["Microsoft.Network/networkInterfaces"]) else {
                continue;
            };
            nsgs.extend(declared(
                nic.attributes
                    .path(&["properties", "networkSecurityGroup", "id"]),
                &["Microsoft.Network/networkSecurityGroups"],
            ));
            for (_, subnet) in values_at(
                &nic.attributes,
                &[
                    "properties",
                    "ipConfigurations",
                    "properties",
                    "subnet",
                    "id",
                ],
            ) {
                nsgs.extend(arm_subnet_nsg(index, vm, subnet));
            }
        }
    }
    for nsg in nsgs {
        if let Some(port) = open_mail_port(&nsg.attributes) {
            return Some(format!(
                "network security group {} opens port {port}",
                nsg.address
            ));
        }
        for (kinds, path) in [NSG_RULES, ARM_NSG_RULES] {
            for rule in index.attached(kinds, path, nsg) {
                if let Some(port) = open_mail_port(&rule.attributes) {
                    return Some(format!(
                        "network security group rule {} opens port {port} of {}",
                        rule.address, nsg.address
                    ));
                }
            }
        }
    }
    None
}

/// The NSG of an ARM subnet: a `virtualNetworks/subnets` resource, or a subnet written inside
/// its virtual network's `properties.subnets`.
fn arm_subnet_nsg<'a>(index: &Index<'a>, vm: &Resource, subnet: &Value) -> Option<&'a Resource> {
    let nsg_of = |node: &Value| match index.target(
        node.path(&["properties", "networkSecurityGroup", "id"]),
        vm,
        &["Microsoft.Network/networkSecurityGroups"],
    ) {
        Target::Declared(r) => Some(r),
        _ => None,
    };
    if let Target::Declared(s) =
        index.target(subnet, vm, &["Microsoft.Network/virtualNetworks/subnets"])
    {
        return nsg_of(&s.attributes);
    }
    let id = subnet.as_str()?;
    let (network, name) = id.split_once("/subnets/")?;
    let network = Value::String(network.to_compact_string());
    let Target::Declared(vnet) = index.target(&network, vm, &["Microsoft.Network/virtualNetworks"])
    else {
        return None;
    };
    vnet.attributes
        .path(&["properties", "subnets"])
        .items()
        .into_iter()
        .find(|s| s.get("name").as_str() == Some(name))
        .and_then(nsg_of)
}

/// Google Cloud: an ingress firewall of the same deployment whose target tags include one of
/// the instance's tags (or that has none, and so applies to every instance of its network)
/// and that allows a mail port.
fn google_firewall(index: &Index, instance: &Resource) -> Option<String> {
    let tags: Vec<&str> = instance
        .attr("tags")
        .items()
        .into_iter()
        .filter_map(Value::as_str)
        .collect();
    for firewall in index.of_kind("google_compute_firewall") {
        if firewall.scope != instance.scope
            || firewall
                .attr("direction")
                .as_str()
                .is_some_and(|d| d.eq_ignore_ascii_case("EGRESS"))
            || !firewall.attr("target_service_accounts").is_null()
        {
            continue;
        }
        let targets: Vec<&str> = firewall
            .attr("target_tags")
            .items()
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        if !targets.is_empty() && !targets.iter().any(|t| tags.contains(t)) {
            continue;
        }
        if let Some(port) = open_mail_port(&firewall.attributes) {
            return Some(format!("firewall {} opens port {port}", firewall.address));
        }
    }
    None
}

/// What a provider calls its firewall, for reasons.
fn firewall_word(kind: &str) -> &'static str {
    if kind.contains("security_group") || kind.contains("SecurityGroup") {
        "security group"
    } else {
        "firewall"
    }
}

/// A firewall the VM uses (named by the VM, or naming it) that lets a mail port in.
fn firewall_opens_mail_port(index: &Index, r: &Resource) -> Option<String> {
    for firewall in NAMED_FIREWALLS.iter().filter(|f| f.vm == r.kind) {
        for (_, group) in values_at(&r.attributes, firewall.path) {
            let Target::Declared(sg) = index.target(group, r, firewall.kinds) else {
                continue;
            };
            let what = firewall_word(&sg.kind);
            if let Some(port) = open_mail_port(&sg.attributes) {
                return Some(format!("{what} {} opens port {port}", sg.address));
            }
            for (kind, path) in firewall.rules {
                for rule in index.attached(std::slice::from_ref(kind), path, sg) {
                    if let Some(port) = open_mail_port(&rule.attributes) {
                        return Some(format!(
                            "{what} rule {} opens port {port} of {}",
                            rule.address, sg.address
                        ));
                    }
                }
            }
        }
    }
    if r.kind == "google_compute_instance" {
        if let Some(why) = google_firewall(index, r) {
            return Some(why);
        }
    }
    for (kinds, path, targets) in NAMING_FIREWALLS {
        if !targets.contains(&r.kind.as_str()) {
            continue;
        }
        for firewall in index.attached(kinds, path, r) {
            if let Some(port) = open_mail_port(&firewall.attributes) {
                return Some(format!("firewall {} opens port {port}", firewall.address));
            }
        }
    }
    None
}

/// The mail port a firewall (or a rule) lets in: every ingress rule's ports as the providers
/// write them (`from_port`/`to_port`, `FromPort`/`ToPort`, `port`, `port_range`, `ports`,
/// `destination_port_range(s)`), an egress, outbound or deny rule aside, and a range wider
/// than [`WIDEST_MAIL_RULE`] ports aside.
fn open_mail_port(firewall: &Value) -> Option<u32> {
    let mut rules: Vec<&Value> = vec![firewall];
    for block in [
        "ingress",
        "inbound_rule",
        "inbound",
        "rule",
        "SecurityGroupIngress",
        "security_rule",
        "allow",
    ] {
        rules.extend(firewall.get(block).items());
    }
    // ARM: `properties.securityRules[].properties`, or a `securityRules` child's properties.
    rules.extend(
        firewall
            .path(&["properties", "securityRules"])
            .items()
            .into_iter()
            .map(|r| r.get("properties")),
    );
    rules.push(firewall.get("properties"));
    for rule in rules {
        let direction = ["type", "direction", "access"]
            .iter()
            .filter_map(|k| rule.get(k).as_str())
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>();
        if direction
            .iter()
            .any(|d| matches!(d.as_str(), "egress" | "out" | "outbound" | "deny"))
        {
            continue;
        }
        for (low, high) in port_ranges(rule) {
            if high - low > WIDEST_MAIL_RULE {
                continue;
            }
            if let Some(port) = MAIL_PORTS.iter().find(|p| **p >= low && **p <= high) {
                return Some(*port as u32);
            }
        }
    }
    None
}

/// The port ranges a rule names.
fn port_ranges(rule: &Value) -> Vec<(f64, f64)> {
    let mut ranges = Vec::new();
    for (from, to) in [("from_port", "to_port"), ("FromPort", "ToPort")] {
        if let (Value::Number(a), Value::Number(b)) = (rule.get(from), rule.get(to)) {
            ranges.push((*a, *b));
        }
    }
    for key in [
        "port",
        "port_range",
        "ports",
        "destination_port_range",
        "destination_port_ranges",
        "destinationPortRange",
        "destinationPortRanges",
    ] {
        for value in rule.get(key).items() {
            let text = match value {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.to_string(),
                _ => continue,
            };
            for part in text.split([',', ' ']).filter(|p| !p.is_empty()) {
                let (a, b) = part.split_once(['-', ':']).unwrap_or((part, part));
                if let (Ok(a), Ok(b)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
                    ranges.push((a, b));
                }
            }
        }
    }
    ranges
}

/// `mail.example.com.`, `10 mail.example.com`, `mail`: the host name, lower case, without
/// the priority or the final dot.
/// An ARM record's name is its zone and its own name (`example.com/mail`): the own name is
/// the host.
fn host_name(text: &str) -> String {
    let last = text.split_whitespace().last().unwrap_or_default();
    last.rsplit('/')
        .next()
        .unwrap_or(last)
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// An MX record that names `host` (a full name, or a name relative to its zone: `mail` is
/// `mail.example.com` when the MX record says so).
fn mx_record_for<'a>(index: &Index<'a>, host: &str) -> Option<(&'a Resource, String)> {
    let host = host_name(host);
    if host.is_empty() {
        return None;
    }
    for (kind, path, kind_path) in MX_RECORDS {
        for record in index.of_kind(kind) {
            if !kind_path.is_empty() && record.attributes.path(kind_path).as_str() != Some("MX") {
                continue;
            }
            for (_, exchanger) in values_at(&record.attributes, path) {
                let Some(exchanger) = exchanger.as_str().map(host_name) else {
                    continue;
                };
                let same = exchanger == host
                    || exchanger.split('.').next() == Some(host.as_str())
                    || host.split('.').next() == Some(exchanger.as_str());
                if same {
                    return Some((record, exchanger));
                }
            }
        }
    }
    None
}

/// An MX record whose exchanger is a name an address record points at this VM (directly, or
/// through an elastic IP attached to it): the strongest sign, since the domain's mail goes here.
fn dns_sends_mail_to(index: &Index, r: &Resource) -> Option<String> {
    for holder in address_holders(index, r) {
        for (kinds, path, name, kind_path) in ADDRESS_RECORDS {
            for record in index.attached(kinds, path, holder) {
                let record_type = record.attributes.path(kind_path).as_str().unwrap_or("A");
                if !kind_path.is_empty() && !matches!(record_type, "A" | "AAAA") {
                    continue;
                }
                let Some(host) = record.attributes.path(name).as_str() else {
                    continue;
                };
                if let Some((mx, exchanger)) = mx_record_for(index, host) {
                    return Some(format!(
                        "DNS sends mail to it: MX record {} names {exchanger}, which {} points at it",
                        mx.address, record.address
                    ));
                }
            }
        }
    }
    None
}

/// The VM and the addresses of its own that point at it: elastic, reserved, floating and
/// primary IPs attached to it, public IPs of its network interfaces, and addresses its network
/// interface names. An address record naming any of them points at the VM.
pub(super) fn address_holders<'a>(index: &Index<'a>, vm: &'a Resource) -> Vec<&'a Resource> {
    let mut holders: Vec<&'a Resource> = vec![vm];
    let declared = |value: &Value, kinds: &[&str]| match index.target(value, vm, kinds) {
        Target::Declared(r) => Some(r),
        _ => None,
    };
    for (kind, path) in ELASTIC_IPS {
        holders.extend(index.attached(std::slice::from_ref(kind), path, vm));
    }
    for (kind, to_vm, address, kinds) in IP_ASSOCIATIONS {
        for association in index.attached(std::slice::from_ref(kind), to_vm, vm) {
            holders.extend(declared(association.attributes.path(address), kinds));
        }
    }
    for (vm_kinds, interfaces, address, kinds) in NAMED_ADDRESSES {
        if !vm_kinds.contains(&vm.kind.as_str()) {
            continue;
        }
        if interfaces.is_empty() {
            for (_, ip) in values_at(&vm.attributes, address) {
                holders.extend(declared(ip, kinds));
            }
            continue;
        }
        for (_, id) in values_at(&vm.attributes, interfaces) {
            let nic = declared(
                id,
                &[
                    "azurerm_network_interface",
                    "Microsoft.Network/networkInterfaces",
                ],
            );
            for (_, ip) in nic
                .iter()
                .flat_map(|nic| values_at(&nic.attributes, address))
            {
                holders.extend(declared(ip, kinds));
            }
        }
    }
    holders
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
        // A chart is its repository and name (`bokysan.github.io/docker-postfix/mail`): a
        // chart repository belongs to one project, so all of it counts.
        if r.kind == "HelmRelease" && mail_software().is_match(image) {
            return Some(format!("it installs the mail server chart {image}"));
        }
        if r.kind != "HelmRelease" && is_mail_server_image(image) {
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
