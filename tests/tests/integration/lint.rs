//! The template under cfn-lint, checkov and cfn-guard (AWS Control Tower's proactive
//! controls), as CI runs them.

use std::collections::BTreeSet;
use std::path::Path;

use dragons_contract::data_store::DataStore;
use dragons_harness::in_workspace;
use dragons_harness::tools::{Tool, arg, control_tower_rules};
use serde_json::Value;

use crate::util::{resolved, resources_of_type, template};

const TEMPLATE: &str = "cfn-out/dragons.template.json";

fn cfn_lint(dir: &Path, extra: &[&str]) -> Vec<Value> {
    cfn_lint_file(dir, extra, &in_workspace(TEMPLATE))
}

pub fn cfn_lint_file(dir: &Path, extra: &[&str], template: &Path) -> Vec<Value> {
    let template = arg(template);
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    args.push(&template);
    let run = Tool::CfnLint.run_in(dir, args).unwrap();
    assert!(
        matches!(run.code, Some(0 | 2 | 4 | 6 | 8 | 10 | 12 | 14)),
        "cfn-lint crashed: {run:?}"
    );
    run.json().unwrap().as_array().unwrap().clone()
}

#[test]
fn cfn_lint_reports_nothing_with_the_committed_config() {
    let config = arg(&in_workspace(".cfnlintrc.yaml"));
    let findings = cfn_lint(&in_workspace("."), &["--config-file", &config]);
    assert!(findings.is_empty(), "cfn-lint findings: {findings:#?}");
}

#[test]
fn cfn_lint_without_config_finds_only_the_documented_w3002() {
    // Outside the workspace, so cfn-lint does not pick up `.cfnlintrc.yaml` by itself.
    let elsewhere = tempfile::tempdir().unwrap();
    let findings = cfn_lint(elsewhere.path(), &[]);
    let rules: BTreeSet<&str> = findings
        .iter()
        .map(|f| f["Rule"]["Id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, BTreeSet::from(["W3002"]), "{findings:#?}");
    assert_eq!(
        findings.len(),
        resources_of_type(&template(), "AWS::Lambda::Function").len(),
        "one W3002 per Lambda function's local Code path"
    );
}

pub fn checkov(path: &str) -> Value {
    let run = Tool::Checkov
        .run([
            "-f",
            path,
            "--framework",
            "cloudformation",
            "--quiet",
            "--compact",
            "--skip-download",
            "-o",
            "json",
        ])
        .unwrap();
    assert!(matches!(run.code, Some(0 | 1)), "checkov crashed: {run:?}");
    run.json().unwrap()
}

pub fn checks(report: &Value, kind: &str) -> BTreeSet<(String, String)> {
    report["results"][kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            let resource = check["resource"].as_str().unwrap();
            let id = resource.rsplit('.').next().unwrap().to_owned();
            (check["check_id"].as_str().unwrap().to_owned(), id)
        })
        .collect()
}

#[test]
fn checkov_fails_nothing_and_every_skip_has_a_reason() {
    let report = checkov(TEMPLATE);
    let failed = checks(&report, "failed_checks");
    assert!(failed.is_empty(), "checkov failed: {failed:?}");
    assert!(report["summary"]["passed"].as_u64().unwrap() > 50);
    let template = template();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        for skip in resource["Metadata"]["checkov"]["skip"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let reason = skip["comment"].as_str().unwrap_or_default();
            assert!(
                reason.len() > 40,
                "{id}: skip {} has no real reason",
                skip["id"]
            );
        }
    }
}

/// The stack variants the rule sets check (parameters not named keep their
/// defaults): each data store as the defaults have it, and each with every other
/// choice the parameters offer (self sign-up, required MFA, the account's API
/// Gateway logging role, no web app).
pub const VARIANTS: [&[(&str, &str)]; 4] = [
    &[("DataStore", "s3"), ("WebApp", "true")],
    &[("DataStore", "dynamodb"), ("WebApp", "true")],
    &[
        ("DataStore", "s3"),
        ("WebApp", "false"),
        ("SelfSignUp", "true"),
        ("Mfa", "ON"),
        ("CreateApiGatewayAccount", "true"),
    ],
    &[
        ("DataStore", "dynamodb"),
        ("WebApp", "false"),
        ("SelfSignUp", "true"),
        ("Mfa", "ON"),
        ("CreateApiGatewayAccount", "true"),
    ],
];

/// The value a variant gives `parameter`.
fn value_of<'a>(overrides: &[(&str, &'a str)], parameter: &str) -> &'a str {
    overrides
        .iter()
        .find(|(name, _)| *name == parameter)
        .map(|(_, value)| *value)
        .unwrap()
}

/// The store a variant keeps its data in.
fn store_of(overrides: &[(&str, &str)]) -> DataStore {
    let name = value_of(overrides, "DataStore");
    DataStore::ALL
        .into_iter()
        .find(|store| store.name() == name)
        .unwrap()
}

/// The stack as deployed with `overrides` (checkov, like CloudFormation, leaves out
/// resources whose condition is false).
fn variant(overrides: &[(&str, &str)]) -> Value {
    resolved(&template(), overrides)
}

#[test]
fn every_checkov_skip_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let mut skipped = BTreeSet::new();
    let mut failed = BTreeSet::new();
    for (n, overrides) in VARIANTS.iter().enumerate() {
        let mut stripped = variant(overrides);
        for (id, resource) in stripped["Resources"].as_object_mut().unwrap() {
            if let Some(metadata) = resource.as_object_mut().unwrap().remove("Metadata") {
                for skip in metadata["checkov"]["skip"].as_array().into_iter().flatten() {
                    skipped.insert((skip["id"].as_str().unwrap().to_owned(), id.clone()));
                }
            }
        }
        let path = dir.path().join(format!("{n}.template.json"));
        std::fs::write(&path, serde_json::to_string(&stripped).unwrap()).unwrap();
        failed.extend(checks(&checkov(&arg(&path)), "failed_checks"));
    }
    assert_eq!(
        failed, skipped,
        "without its skips, checkov must fail exactly the skipped checks on some variant"
    );
}

#[test]
fn each_variant_passes_cfn_lint_and_checkov() {
    let config = arg(&in_workspace(".cfnlintrc.yaml"));
    let dir = tempfile::tempdir().unwrap();
    for (n, overrides) in VARIANTS.iter().enumerate() {
        let store = store_of(overrides);
        let web = value_of(overrides, "WebApp") == "true";
        let name = format!("{overrides:?}");
        let variant = variant(overrides);
        let path = dir.path().join(format!("{n}.template.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&variant).unwrap()).unwrap();
        let findings = cfn_lint_file(&in_workspace("."), &["--config-file", &config], &path);
        assert!(
            findings.is_empty(),
            "{name}: cfn-lint findings: {findings:#?}"
        );
        let report = checkov(&arg(&path));
        let failed = checks(&report, "failed_checks");
        assert!(failed.is_empty(), "{name}: checkov failed: {failed:?}");
        let has_table = variant["Resources"].get("DragonsTable").is_some();
        assert_eq!(
            has_table,
            store == DataStore::DynamoDb,
            "{name}: the table exists only on DynamoDB"
        );
        let has_site = variant["Resources"].get("SiteDistribution").is_some();
        assert_eq!(
            has_site, web,
            "{name}: the distribution exists only with WebApp=true"
        );
    }
}

/// Every (control id, resource) that AWS Control Tower's proactive controls fail in
/// `template` under cfn-guard, and how many rule files applied (passed or failed,
/// not skipped for want of their resource type).
pub fn control_tower_failures(template: &Path) -> (BTreeSet<(String, String)>, usize) {
    let rules = arg(&control_tower_rules().unwrap());
    let template = arg(template);
    let run = Tool::CfnGuard
        .run([
            "validate",
            "--rules",
            &rules,
            "--data",
            &template,
            "--output-format",
            "json",
            "--show-summary",
            "none",
        ])
        .unwrap();
    // 0: every rule passed or skipped; 19: some rule failed; anything else: an error.
    assert!(
        matches!(run.code, Some(0 | 19)),
        "cfn-guard failed to run: {run:?}"
    );
    let mut failures = BTreeSet::new();
    let mut applied = 0;
    // One JSON document per rule file, one after the other.
    for report in serde_json::Deserializer::from_str(&run.stdout).into_iter::<Value>() {
        let report = report.unwrap();
        if report["status"] != "SKIP" {
            applied += 1;
        }
        for finding in report["not_compliant"].as_array().into_iter().flatten() {
            let mut controls = BTreeSet::new();
            let mut resources = BTreeSet::new();
            collect_finding(finding, &mut controls, &mut resources);
            assert!(
                !controls.is_empty(),
                "a finding names no control: {finding:#}"
            );
            for control in &controls {
                for resource in &resources {
                    failures.insert((control.clone(), resource.clone()));
                }
            }
        }
    }
    (failures, applied)
}

/// The control ids (`[CT.S3.PR.8]` in a rule's message) and the resources (the
/// `/Resources/<id>/…` paths a failed clause looked at) of one finding.
fn collect_finding(
    value: &Value,
    controls: &mut BTreeSet<String>,
    resources: &mut BTreeSet<String>,
) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                match (key.as_str(), field) {
                    ("custom_message", Value::String(message)) => {
                        if let Some(start) = message.find("[CT.") {
                            let id = &message[start + 1..];
                            if let Some(end) = id.find(']') {
                                controls.insert(id[..end].to_owned());
                            }
                        }
                    }
                    ("path", Value::String(path)) => {
                        if let Some(rest) = path.strip_prefix("/Resources/") {
                            let id = rest.split('/').next().unwrap_or(rest);
                            resources.insert(id.to_owned());
                        }
                    }
                    _ => collect_finding(field, controls, resources),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_finding(item, controls, resources);
            }
        }
        _ => {}
    }
}

#[test]
fn cfn_guard_is_the_version_the_control_tower_rules_are_built_for() {
    let rules = control_tower_rules().unwrap();
    // .../@cdklabs/cdk-validator-cfnguard/rules/control-tower/cfn-guard → the package.
    let package = rules.ancestors().nth(3).unwrap();
    let pinned: Value =
        serde_json::from_slice(&std::fs::read(package.join("guard-version.json")).unwrap())
            .unwrap();
    let run = Tool::CfnGuard.run(["--version"]).unwrap();
    assert_eq!(
        run.stdout.trim(),
        format!("cfn-guard {}", pinned["version"].as_str().unwrap()),
        "the cfn-guard run must be the one the rules' package is built and tested with"
    );
}

#[test]
fn control_tower_controls_fail_only_where_suppressed_and_every_suppression_is_needed() {
    let rules = control_tower_rules().unwrap();
    for service in [
        "apigateway",
        "cloudfront",
        "cloudwatch",
        "dynamodb",
        "lambda",
        "s3",
    ] {
        assert!(
            rules.join(service).is_dir(),
            "no Control Tower rules for {service}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failed = BTreeSet::new();
    for (n, overrides) in VARIANTS.iter().enumerate() {
        let path = dir.path().join(format!("{n}.template.json"));
        std::fs::write(&path, serde_json::to_string(&variant(overrides)).unwrap()).unwrap();
        let (failures, applied) = control_tower_failures(&path);
        assert!(
            applied >= 15,
            "{overrides:?}: only {applied} rule files applied"
        );
        failed.extend(failures);
    }
    let template = template();
    let mut suppressed = BTreeSet::new();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        let guard = &resource["Metadata"]["guard"];
        for rule in guard["SuppressedRules"].as_array().into_iter().flatten() {
            let rule = rule.as_str().unwrap();
            let reason = guard["Reasons"][rule].as_str().unwrap_or_default();
            assert!(
                reason.len() > 40,
                "{id}: {rule} is suppressed without a real reason"
            );
            if rule.starts_with("CT.") {
                suppressed.insert((rule.to_owned(), id.clone()));
            }
        }
    }
    assert_eq!(
        failed, suppressed,
        "the controls must fail exactly the (control, resource) pairs suppressed in Metadata.guard"
    );
}

#[test]
fn the_openapi_document_is_valid_openapi() {
    let document = in_workspace("cfn-out/openapi.json");
    let run = Tool::OpenapiSpecValidator.run([arg(&document)]).unwrap();
    assert_eq!(run.code, Some(0), "{run:?}");
    // And the validator does refuse a broken one: a response with no description.
    let mut broken: Value = serde_json::from_slice(&std::fs::read(&document).unwrap()).unwrap();
    let responses = broken["paths"]["/dragons"]["get"]["responses"]["200"]
        .as_object_mut()
        .unwrap();
    responses.remove("description");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let run = Tool::OpenapiSpecValidator.run([arg(&path)]).unwrap();
    assert_ne!(run.code, Some(0), "{run:?}");
}
