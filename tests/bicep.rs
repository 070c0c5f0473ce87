//! Bicep end to end: `.bicep` and `.bicepparam` files reach the same resources, flows and
//! findings as the ARM templates `bicep build` would write, at the Bicep files' lines.

mod common;

use common::{findings_at, json, root, run, run_in, scan_json};

fn s(text: &str) -> String {
    text.to_string()
}

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures").join(name)
}

#[test]
fn modules_loops_bicepparam_and_registry_modules() {
    let (code, report) = scan_json(
        &fixture("bicep"),
        &["--resource-group-location", "westeurope"],
    );
    assert_eq!(code, 1);
    // dataLocation comes from main.bicepparam ('United States'); the module loop deploys one
    // copy per region of the parameter's default, each reported at the module's line.
    assert_eq!(
        findings_at(&report),
        [
            (s("MSI001"), s("Microsoft.Communication/emailServices/fabrikam-email"), s("main.bicep"), 29),
            (s("MSI001"), s("Microsoft.Communication/communicationServices/fabrikam-acs"), s("main.bicep"), 45),
            (s("MSI004"), s("Microsoft.Storage/storageAccounts/fabrikammailarchive"), s("main.bicep"), 56),
            (s("MSI004"), s("Microsoft.Storage/storageAccounts/fabrikammailarchive (geo-redundant secondary)"), s("main.bicep"), 56),
            (s("MSI001"), s("Microsoft.Storage/storageAccounts/fabrikamcopy1"), s("modules/storage.bicep"), 4),
            (s("MSI004"), s("Microsoft.Storage/storageAccounts/fabrikamcopy0"), s("modules/storage.bicep"), 4),
        ]
    );
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "link-not-followed");
    assert_eq!(warnings[0]["line"], 82);
    assert!(warnings[0]["message"].as_str().unwrap().starts_with(
        "module network comes from a registry (br/public:avm/res/network/virtual-network:0.5.2)"
    ));
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    // The existing key vault is declared elsewhere: not a resource of this deployment.
    assert_eq!(report["summary"]["resources"], 6);

    // --parameter wins over the .bicepparam file.
    let (_, report) = scan_json(
        &fixture("bicep"),
        &[
            "--resource-group-location",
            "westeurope",
            "--parameter",
            "dataLocation=Europe",
        ],
    );
    let email = &findings_at(&report)[0];
    assert_eq!(
        (email.0.as_str(), email.1.as_str()),
        (
            "MSI004",
            "Microsoft.Communication/emailServices/fabrikam-email"
        )
    );

    // Without the resource group's location, the archive is unknown, with the reason.
    let (_, report) = scan_json(&fixture("bicep"), &[]);
    let archive = report["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "Microsoft.Storage/storageAccounts/fabrikammailarchive")
        .unwrap();
    assert!(archive["copies"][0]["unknown_reason"]
        .as_str()
        .unwrap()
        .contains("resource group"));
}

/// The same deployment written as ARM JSON and as Bicep gives the same data map (file and
/// line aside): storage geo-pairs, diagnostic settings by `scope`, Cosmos DB locations from a
/// property loop.
#[test]
fn bicep_and_the_equivalent_arm_template_give_the_same_map() {
    let map = |side: &str| {
        let (code, out, err) = run(&[
            "map",
            fixture("bicep-equivalence").join(side).to_str().unwrap(),
            "--resource-group-location",
            "westeurope",
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let mut map = json(&out);
        for dataset in map["datasets"].as_array_mut().unwrap() {
            let d = dataset.as_object_mut().unwrap();
            for key in ["file", "line", "deployment"] {
                d.remove(key);
            }
            for copy in d["copies"].as_array_mut().unwrap() {
                let c = copy.as_object_mut().unwrap();
                for key in ["file", "line", "deployment"] {
                    c.remove(key);
                }
            }
        }
        map
    };
    let (bicep, arm) = (map("bicep"), map("arm"));
    assert_eq!(bicep, arm);
    assert_eq!(bicep["datasets"].as_array().unwrap().len(), 2);
    let copies: usize = bicep["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["copies"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        copies, 7,
        "store, log, its geo pair, archive, two geo locations, backup"
    );
}

/// A construct the grammar cannot read is an error entry at its line (exit 3), and the rest
/// of the file is still read; `bicep build`'s JSON beside its source is not read twice; a
/// suppression comment in Bicep works; hostile nesting is refused.
#[test]
fn unreadable_constructs_built_json_suppressions_and_nesting() {
    let tree = tempfile::tempdir().unwrap();
    let dir = tree.path();
    std::fs::write(
        dir.join("main.bicep"),
        "var defaults = {\n  ...base\n}\n\nresource mail 'Microsoft.Communication/emailServices@2023-04-01' = {\n  name: 'mail'\n  location: 'global'\n  properties: {\n    dataLocation: 'United States'\n  }\n}\n",
    )
    .unwrap();
    let (code, report) = scan_json(dir, &[]);
    assert_eq!(
        code, 1,
        "the high finding decides, before the unreadable input"
    );
    assert_eq!(scan_json(dir, &["--fail-on", "never"]).0, 3);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0]["file"].as_str(), errors[0]["line"].as_u64()),
        (Some("main.bicep"), Some(2))
    );
    assert_eq!(errors[0]["code"], "syntax");
    assert_eq!(
        findings_at(&report),
        [(
            s("MSI001"),
            s("Microsoft.Communication/emailServices/mail"),
            s("main.bicep"),
            5
        )]
    );

    // The JSON `bicep build` writes beside it (metadata._generator.name = bicep) is the same
    // deployment: one finding, not two.
    std::fs::write(
        dir.join("main.bicep"),
        "// residency:ignore MSI001 -- US data location approved by counsel, LEGAL-9\nresource mail 'Microsoft.Communication/emailServices@2023-04-01' = {\n  name: 'mail'\n  location: 'global'\n  properties: {\n    dataLocation: 'United States'\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.json"),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": {"_generator": {"name": "bicep", "version": "0.30.23.60470"}},
  "resources": [{"type": "Microsoft.Communication/emailServices", "apiVersion": "2023-04-01",
    "name": "mail", "location": "global", "properties": {"dataLocation": "United States"}}]}"#,
    )
    .unwrap();
    let (code, report) = scan_json(dir, &[]);
    assert_eq!(code, 0, "the finding is suppressed in the Bicep source");
    let found = findings_at(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].2, "main.bicep");
    assert_eq!(report["findings"][0]["suppressed"], true);

    // Nesting a hostile file uses to exhaust the stack is an error entry.
    std::fs::write(
        dir.join("deep.bicep"),
        format!("var x = {}1{}\n", "[".repeat(20_000), "]".repeat(20_000)),
    )
    .unwrap();
    let (code, out, _) = run_in(dir, &["scan", ".", "--format", "json"]);
    assert_eq!(code, 3);
    let report = json(&out);
    assert!(report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["file"] == "deep.bicep" && e["code"] == "too-deep"));
}

/// A `.bicepparam` file whose template is not scanned says so; one without `using` too.
#[test]
fn parameter_files_without_their_template_are_warnings() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("prod.bicepparam"),
        "using './absent.bicep'\n\nparam dataLocation = 'Europe'\n",
    )
    .unwrap();
    let (code, report) = scan_json(tree.path(), &[]);
    assert_eq!(code, 0);
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["code"] == "unmatched-parameters"
            && w["message"].as_str().unwrap().contains("absent.bicep")),
        "{warnings:?}"
    );
}

/// `targetScope = 'subscription'`: a module deployed into a resource group the template
/// creates takes that group's location (`resourceGroup().location` inside it); a loop over
/// `items(object)`; a group the template does not describe is unknown, with the reason.
#[test]
fn subscription_scope_modules_take_their_resource_group() {
    let (code, out, err) = run(&[
        "map",
        fixture("bicep-subscription").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let map = json(&out);
    let mut places: Vec<(String, String)> = map["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["copies"].as_array().unwrap().clone())
        .map(|c| {
            (
                c["resource"].as_str().unwrap().to_string(),
                c["region"].as_str().map(str::to_string).unwrap_or_else(|| {
                    format!("unknown: {}", c["unknown_reason"].as_str().unwrap())
                }),
            )
        })
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            (s("Microsoft.Storage/storageAccounts/archivestore"), s("westeurope")),
            (s("Microsoft.Storage/storageAccounts/journalstore"), s("eastus")),
            (s("Microsoft.Storage/storageAccounts/mailstore"), s("swedencentral")),
            (
                s("Microsoft.Storage/storageAccounts/otherstore"),
                s("unknown: deployment elsewhere targets resource group other-rg, whose location is not in the template")
            ),
        ]
    );
}

/// `main.parameters.json` beside `main.bicep` gives its parameters; the Azure Developer CLI's
/// `${AZURE_LOCATION}` placeholders are unknown (azd fills them at deployment), never a
/// region named `${AZURE_LOCATION}`.
#[test]
fn azd_parameter_files_apply_and_their_placeholders_are_unknown() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.bicep"),
        "param location string\nparam archiveName string\n\nresource archive 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: archiveName\n  location: location\n  sku: {\n    name: 'Standard_LRS'\n  }\n  tags: {\n    'data-class': 'mailbox'\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        tree.path().join("main.parameters.json"),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"location": {"value": "${AZURE_LOCATION}"}, "archiveName": {"value": "mailarchive"}}}"#,
    )
    .unwrap();
    let (_, report) = scan_json(tree.path(), &[]);
    let copy = &report["datasets"][0]["copies"][0];
    assert_eq!(
        copy["resource"],
        "Microsoft.Storage/storageAccounts/mailarchive"
    );
    assert_eq!(
        copy["unknown_reason"],
        "parameter location is environment variable AZURE_LOCATION, which azd substitutes at deployment (pass --parameter location=VALUE)"
    );
    let (code, report) = scan_json(tree.path(), &["--parameter", "location=eastus"]);
    assert_eq!(code, 1);
    assert_eq!(report["datasets"][0]["copies"][0]["countries"][0], "US");
}
