//! What CI uses without building residency: the GitHub Action's scripts, the pre-commit hook,
//! the Dockerfile. The workflow files themselves are checked by actionlint in `.ci/run`.

mod common;

use common::{json, root};
use std::collections::BTreeSet;
use std::process::Command;

/// Runs the action's scan script as its `Scan` step does, with the inputs as environment.
fn action_scan(inputs: &[(&str, &str)]) -> (i32, String, String, String) {
    let outputs = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new("bash")
        .arg(root().join(".github/scan.sh"))
        .current_dir(root())
        .env("RESIDENCY", env!("CARGO_BIN_EXE_residency"))
        .env("GITHUB_OUTPUT", outputs.path())
        .envs(inputs.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        std::fs::read_to_string(outputs.path()).unwrap(),
    )
}

#[test]
fn the_action_scans_writes_sarif_and_reports_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("residency.sarif");
    let sarif = sarif.to_str().unwrap();
    let (code, stdout, stderr, outputs) = action_scan(&[
        ("SCAN_PATHS", "sample-configs/dublin-with-us-replica"),
        ("SCAN_FORMAT", "github"),
        ("SCAN_OUTPUT", "-"),
        ("SCAN_SARIF", sarif),
        ("SCAN_FAIL_ON", "high"),
        ("SCAN_ARGS", "--min-severity info"),
    ]);
    // The script records the code; the action's Gate step fails on it.
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(outputs, format!("exit-code=1\nsarif-file={sarif}\n"));
    assert!(
        stdout.starts_with(
            "::error file=sample-configs/dublin-with-us-replica/modules/replica/main.tf,line=5,"
        ),
        "{stdout}"
    );
    let log = json(&std::fs::read_to_string(sarif).unwrap());
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);

    // Several paths and policies, no SARIF: the code follows --fail-on, and no SARIF output.
    let (code, stdout, _, outputs) = action_scan(&[
        (
            "SCAN_PATHS",
            "sample-configs/dublin-only sample-configs/hosted-tenants",
        ),
        ("SCAN_POLICY", "microsoft-ireland-2016,cloud-act-2018"),
        ("SCAN_FORMAT", "json"),
        ("SCAN_OUTPUT", "-"),
        ("SCAN_SARIF", ""),
        ("SCAN_FAIL_ON", "never"),
    ]);
    assert_eq!(code, 0);
    assert_eq!(outputs, "exit-code=0\nsarif-file=\n");
    let report = json(&stdout);
    let policies: Vec<&str> = report["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(policies, ["microsoft-ireland-2016", "cloud-act-2018"]);
    assert_eq!(report["summary"]["files"], 2);

    // A path that does not exist is exit 2, recorded, not a pass.
    let (code, _, _, outputs) = action_scan(&[("SCAN_PATHS", "no/such/dir"), ("SCAN_SARIF", "")]);
    assert_eq!(code, 0);
    assert_eq!(outputs, "exit-code=2\nsarif-file=\n");
}

/// The names between `${{ ` and ` }}` that start with `prefix` (`inputs.`, `steps.`).
fn references<'a>(text: &'a str, prefix: &str) -> BTreeSet<&'a str> {
    text.split("${{")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(str::trim)
        .filter_map(|expr| expr.strip_prefix(prefix))
        .map(|rest| rest.split(['.', ' ']).next().unwrap())
        .collect()
}

#[test]
fn the_action_uses_only_what_it_declares() {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let section = |name: &str| -> BTreeSet<String> {
        action
            .split(&format!("\n{name}:\n"))
            .nth(1)
            .unwrap()
            .lines()
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
            .map(|l| l.trim().trim_end_matches(':').to_string())
            .collect()
    };
    let inputs = section("inputs");
    assert!(inputs.contains("path") && inputs.contains("fail-on") && inputs.contains("sarif-file"));
    let outputs = section("outputs");
    assert_eq!(
        outputs,
        BTreeSet::from(["exit-code".to_string(), "sarif-file".to_string()])
    );
    for used in references(&action, "inputs.") {
        assert!(inputs.contains(used), "inputs.{used} is not declared");
    }
    // `if: inputs.fail == 'true'` is an expression without braces.
    assert!(inputs.contains("fail"));
    let ids: BTreeSet<&str> = action
        .lines()
        .filter_map(|l| l.trim().strip_prefix("id: "))
        .collect();
    for step in references(&action, "steps.") {
        assert!(ids.contains(step), "steps.{step} is not a step id");
    }
    // Every variable the scan script reads is set by the step that runs it.
    let script = std::fs::read_to_string(root().join(".github/scan.sh")).unwrap();
    let mut read: BTreeSet<&str> = BTreeSet::new();
    for part in script.split("SCAN_").skip(1) {
        let name = part
            .split(|c: char| !c.is_ascii_uppercase() && c != '_')
            .next()
            .unwrap();
        if !name.is_empty() {
            read.insert(name);
        }
    }
    for name in read {
        assert!(
            action.contains(&format!("SCAN_{name}: ${{{{ inputs.")),
            "SCAN_{name} is not set from an input"
        );
    }
    // Both scripts are valid bash.
    for script in [".github/scan.sh", ".github/install.sh"] {
        let status = Command::new("bash")
            .args(["-n", root().join(script).to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success(), "{script} is not valid bash");
    }
}

#[test]
fn the_pre_commit_hook_runs_on_every_kind_of_file_residency_reads() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let field = |name: &str| {
        hooks
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}: ")))
            .unwrap()
            .to_string()
    };
    assert_eq!(field("entry"), "residency scan --quiet");
    assert_eq!(field("pass_filenames"), "false");
    let files = regex::Regex::new(&field("files")).unwrap();
    // Every input among the samples and the fixtures of each front end.
    let mut inputs = 0;
    for dir in [
        "sample-configs",
        "tests/fixtures/flows",
        "tests/fixtures/arm",
        "tests/fixtures/kubernetes",
        "tests/fixtures/tfplan",
        "tests/fixtures/tenants",
    ] {
        for entry in walkdir::WalkDir::new(root().join(dir)) {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy();
            let read_by_residency = [
                ".tf",
                ".tf.json",
                ".tfvars",
                ".tfvars.json",
                ".tfstate",
                ".yaml",
                ".yml",
                ".json",
                ".toml",
            ]
            .iter()
            .any(|ext| name.ends_with(ext));
            if entry.file_type().is_file() && read_by_residency {
                inputs += 1;
                assert!(files.is_match(&name), "the hook skips {name}");
            }
        }
    }
    assert!(inputs > 20, "{inputs} inputs");
    assert!(!files.is_match("README.md") && !files.is_match("main.rs"));
    for described in [
        "Terraform",
        "plans",
        "state",
        "CloudFormation",
        "ARM",
        "Kubernetes",
        "tenants",
    ] {
        assert!(field("description").contains(described), "{described}");
    }
}

#[test]
fn the_docker_image_builds_a_static_binary_from_what_it_copies() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("--target x86_64-unknown-linux-musl"));
    assert_eq!(
        dockerfile.matches("\nFROM ").count() + usize::from(dockerfile.starts_with("FROM ")),
        2,
        "two stages"
    );
    assert!(dockerfile.contains("\nENTRYPOINT [\"residency\"]\n"));
    let user = dockerfile
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER");
    assert!(!user.starts_with('0') && user != "root", "runs as {user}");
    // The build stage copies everything the build reads: the manifests, the sources and every
    // file they embed.
    let copied: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
        .flat_map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            parts[1..parts.len() - 1].to_vec()
        })
        .collect();
    for needed in ["Cargo.toml", "Cargo.lock", "src"] {
        assert!(copied.contains(&needed), "{needed} is not copied");
    }
    for path in copied {
        assert!(root().join(path).exists(), "COPY {path}: no such file");
    }
    for entry in walkdir::WalkDir::new(root().join("src")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for embedded in text.split("include_str!(\"").skip(1) {
            let relative = embedded.split('"').next().unwrap();
            let file = entry.path().parent().unwrap().join(relative);
            let file = file.canonicalize().unwrap();
            let inside = file.strip_prefix(root().canonicalize().unwrap()).unwrap();
            let top = inside
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_str()
                .unwrap();
            assert!(
                dockerfile.contains(&format!("COPY {top} ")),
                "{} embeds {} but the Dockerfile does not copy {top}",
                entry.path().display(),
                inside.display()
            );
        }
    }
}

/// Runs the action's install script on a Linux x64 runner whose `gh` and `cargo` are stand-ins:
/// `gh release download` copies the files of `release` (none: no such release) and `cargo
/// install` writes a script. Returns (exit code, stdout, step outputs).
fn action_install(release: Option<&std::path::Path>) -> (i32, String, String) {
    let bin = tempfile::tempdir().unwrap();
    let runner = tempfile::tempdir().unwrap();
    let outputs = runner.path().join("outputs");
    let gh = match release {
        Some(dir) => format!(
            "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --dir ] && dest=$2; shift; done\ncp {}/* \"$dest\"/\n",
            dir.display()
        ),
        None => "#!/bin/sh\necho 'release not found' >&2\nexit 1\n".to_string(),
    };
    let cargo = "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\"\nprintf '#!/bin/sh\\necho residency built\\n' > \"$root/bin/residency\"\nchmod +x \"$root/bin/residency\"\n";
    for (name, text) in [("gh", gh.as_str()), ("cargo", cargo)] {
        let path = bin.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&path, permissions).unwrap();
    }
    let out = Command::new("bash")
        .arg(root().join(".github/install.sh"))
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.path().display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", runner.path())
        .env("ACTION_REPOSITORY", "example/residency")
        .env("RESIDENCY_VERSION", "")
        .output()
        .unwrap();
    let outputs = std::fs::read_to_string(&outputs).unwrap_or_default();
    let outputs = outputs.replace(&runner.path().display().to_string(), "$RUNNER_TEMP");
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        outputs,
    )
}

#[test]
fn the_action_installs_the_checked_release_binary_or_builds_it() {
    let version = env!("CARGO_PKG_VERSION");
    let asset = format!("residency-v{version}-x86_64-unknown-linux-musl.tar.gz");
    let release = tempfile::tempdir().unwrap();
    let staging = tempfile::tempdir().unwrap();
    std::fs::write(
        staging.path().join("residency"),
        "#!/bin/sh\necho residency from the release\n",
    )
    .unwrap();
    let mut permissions = std::fs::metadata(staging.path().join("residency"))
        .unwrap()
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(staging.path().join("residency"), permissions).unwrap();
    let archive = release.path().join(&asset);
    assert!(Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(staging.path())
        .arg("residency")
        .status()
        .unwrap()
        .success());
    let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
    let sum = String::from_utf8(sum.stdout).unwrap();
    let hash = sum.split_whitespace().next().unwrap();
    let sums = release.path().join("SHA256SUMS");
    std::fs::write(&sums, format!("{hash}  {asset}\n")).unwrap();

    // The release's binary, after its checksum.
    let (code, stdout, outputs) = action_install(Some(release.path()));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("residency from the release"), "{stdout}");
    assert_eq!(outputs, "binary=$RUNNER_TEMP/residency-install/residency\n");

    // A checksum that does not match stops the install.
    std::fs::write(&sums, format!("{}  {asset}\n", "0".repeat(64))).unwrap();
    let (code, _, outputs) = action_install(Some(release.path()));
    assert_ne!(code, 0);
    assert_eq!(outputs, "");

    // No release: built from the action's source, and the log says so.
    let (code, stdout, outputs) = action_install(None);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("::notice title=residency::no release binary residency-v"),
        "{stdout}"
    );
    assert!(stdout.contains("residency built"));
    assert_eq!(
        outputs,
        "binary=$RUNNER_TEMP/residency-install/cargo/bin/residency\n"
    );
}
