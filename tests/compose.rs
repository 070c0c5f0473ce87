//! Docker Compose end to end: a service running a mail server image (or publishing a mail
//! port) is a mail server; its named volumes and bind mounts are its copies, placed on the host
//! `--host-region` names, else unknown with the reason.

mod common;

use common::{findings_at, root, run_in, scan_json};

fn s(text: &str) -> String {
    text.to_string()
}

fn fixture() -> std::path::PathBuf {
    root().join("tests/fixtures/compose")
}

/// Every copy as `resource | region | countries`, in map order.
fn places(report: &serde_json::Value) -> Vec<String> {
    report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap().iter().map(common::place))
        .collect()
}

#[test]
fn a_mail_server_and_its_volumes_on_the_host_the_option_names() {
    // Without a host: one dataset, every copy unknown with the reason; no finding is a pass.
    let (code, report) = scan_json(&fixture(), &[]);
    assert_eq!(code, 0);
    let datasets = report["datasets"].as_array().unwrap();
    assert_eq!(
        datasets.len(),
        1,
        "the web server opening 443 is not a mail server"
    );
    let dataset = &datasets[0];
    assert_eq!(dataset["source"], "services.mailserver");
    assert_eq!(dataset["basis"], "heuristic");
    assert_eq!(
        dataset["reason"],
        "it runs the mail server image ghcr.io/docker-mailserver/docker-mailserver:14"
    );
    assert_eq!(
        dataset["copies"][0]["unknown_reason"],
        "the host that runs this Compose file is not described in the scan; pass --host-region PROVIDER:REGION"
    );
    assert_eq!(
        findings_at(&report),
        [
            (
                s("MSI003"),
                s("services.mailserver"),
                s("mail/compose.yaml"),
                4
            ),
            (
                s("MSI003"),
                s("services.mailserver (bind mount)"),
                s("mail/compose.yaml"),
                4
            ),
            (s("MSI003"), s("volumes.queue"), s("mail/compose.yaml"), 29),
        ]
    );

    // On a host in Falkenstein: every copy in Germany.
    let (code, report) = scan_json(&fixture(), &["--host-region", "hetzner:fsn1"]);
    assert_eq!(code, 0);
    assert_eq!(
        places(&report),
        [
            "services.mailserver | fsn1 | DE",
            "volumes.queue | fsn1 | DE",
            "services.mailserver (bind mount) | fsn1 | DE",
        ]
    );
    // Overrides merge into the base file as `docker compose` merges them: an image set in
    // `compose.override.yaml` makes the base file's service a mail server, reported where the
    // base file declares it.
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("compose.yaml"),
        "services:\n  relay:\n    image: alpine:3\n    volumes:\n      - spool:/var/spool/postfix\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("compose.override.yaml"),
        "services:\n  relay:\n    image: boky/postfix:v4\n",
    )
    .unwrap();
    let (_, merged) = scan_json(tree.path(), &["--host-region", "hetzner:fsn1"]);
    assert_eq!(
        places(&merged),
        ["services.relay | fsn1 | DE", "volumes.spool | fsn1 | DE"]
    );
    assert_eq!(merged["datasets"][0]["file"], "compose.yaml");
    assert_eq!(merged["datasets"][0]["line"], 2);

    // On a host in Virginia: a high finding for every copy, exit 1.
    let (code, report) = scan_json(&fixture(), &["--host-region", "aws:us-east-1"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["findings"]["high"], 3);
}

#[test]
fn host_region_from_the_config_file_and_bad_values() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir(tree.path().join("mail")).unwrap();
    std::fs::copy(
        fixture().join("mail/compose.yaml"),
        tree.path().join("mail/compose.yaml"),
    )
    .unwrap();
    std::fs::write(
        tree.path().join("residency.toml"),
        "host_region = \"ovh:GRA11\"\n",
    )
    .unwrap();
    let (code, report) = scan_json(tree.path(), &[]);
    assert_eq!(code, 0);
    assert!(
        places(&report).iter().all(|p| p.ends_with("| FR")),
        "{:?}",
        places(&report)
    );
    std::fs::write(
        tree.path().join("residency.toml"),
        "host_region = \"nowhere:x\"\n",
    )
    .unwrap();
    let (code, _, stderr) = run_in(tree.path(), &["scan", "."]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("host_region: unknown provider \"nowhere\""),
        "{stderr}"
    );
    let (code, _, stderr) = run_in(
        tree.path(),
        &["scan", ".", "--no-config", "--host-region", "eu-west-1"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("PROVIDER:REGION"), "{stderr}");
}

/// A Compose file that does not parse is an error entry (a mail server may be in it); a YAML
/// file that only shares the name and defines no services is not ours.
#[test]
fn broken_compose_files_are_errors_and_others_are_not_ours() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("docker-compose.yml"),
        "services:\n  mail:\n    image: [unclosed\n",
    )
    .unwrap();
    std::fs::create_dir(tree.path().join("other")).unwrap();
    std::fs::write(
        tree.path().join("other/compose.yaml"),
        "name: not-a-project\nversion: 3\n",
    )
    .unwrap();
    let (code, report) = scan_json(tree.path(), &[]);
    assert_eq!(code, 3);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], "docker-compose.yml");
    assert_eq!(errors[0]["code"], "syntax");
}

/// (source, reason, copies as `resource | region | countries`) of each dataset of a tree.
fn datasets_of(dir: &std::path::Path, extra: &[&str]) -> Vec<(String, String, Vec<String>)> {
    let (code, report) = scan_json(dir, extra);
    assert!(matches!(code, 0 | 1), "{report}");
    common::datasets_with_places(&report)
}

#[test]
fn a_vm_that_copies_or_starts_the_project_is_its_host() {
    let hosts = root().join("tests/fixtures/compose-hosts");
    // The droplet's file provisioner copies the project's directory.
    assert_eq!(
        datasets_of(&hosts.join("droplet"), &[]),
        [(
            s("services.mailserver"),
            s("it runs the mail server image ghcr.io/docker-mailserver/docker-mailserver:14; it runs on digitalocean_droplet.mail, whose file provisioner copies mailserver to it"),
            vec![
                s("services.mailserver | fra1 | DE"),
                s("volumes.mail-data | fra1 | DE"),
                s("services.mailserver (bind mount) | fra1 | DE"),
            ]
        )]
    );
    // The instance's boot script clones the repository and runs docker compose in mailu/
    // (and names Mailu, so the instance is a mail server of its own too).
    assert_eq!(
        datasets_of(&hosts.join("ec2"), &[]),
        [
            (
                s("services.smtp"),
                s("it runs the mail server image ghcr.io/mailu/postfix:2024.06; it runs on aws_instance.mail, whose boot script runs docker compose in mailu"),
                vec![
                    s("services.smtp | eu-north-1 | SE"),
                    s("services.smtp (bind mount) | eu-north-1 | SE"),
                ]
            ),
            (
                s("services.imap"),
                s("it runs the mail server image ghcr.io/mailu/dovecot:2024.06; it runs on aws_instance.mail, whose boot script runs docker compose in mailu"),
                vec![
                    s("services.imap | eu-north-1 | SE"),
                    s("services.imap (bind mount) | eu-north-1 | SE"),
                ]
            ),
            (
                s("aws_instance.mail"),
                s("its boot script (user_data) installs mailu"),
                vec![s("aws_instance.mail | eu-north-1 | SE")]
            ),
        ]
    );
    // A null_resource connects to the instance's reserved address and copies the file.
    assert_eq!(
        datasets_of(&hosts.join("null-resource"), &[]),
        [(
            s("services.stalwart"),
            s("it runs the mail server image stalwartlabs/stalwart:v0.11; it runs on google_compute_instance.mail: null_resource.stack copies ./stack/mail/compose.yaml to it"),
            vec![
                s("services.stalwart | europe-west6 | CH"),
                s("volumes.stalwart-data | europe-west6 | CH"),
            ]
        )]
    );
    // Two droplets could run it: unknown, with both named; --host-region settles it.
    let (code, report) = scan_json(&hosts.join("two-vms"), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        report["datasets"][0]["copies"][0]["unknown_reason"],
        "2 VMs in the scan could run this Compose file (digitalocean_droplet.a, digitalocean_droplet.b); pass --host-region PROVIDER:REGION"
    );
    assert_eq!(
        places(
            &scan_json(
                &hosts.join("two-vms"),
                &["--host-region", "digitalocean:ams3"]
            )
            .1
        ),
        [
            s("services.postfix | ams3 | NL"),
            s("volumes.spool | ams3 | NL")
        ]
    );
}
