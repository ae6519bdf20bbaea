//! The template under cfn-lint and checkov, as CI runs them.

use std::collections::BTreeSet;
use std::path::Path;

use dragons_harness::in_workspace;
use dragons_harness::tools::{Tool, arg};
use serde_json::Value;

use crate::util::template;

const TEMPLATE: &str = "cfn-out/dragons.template.json";

fn cfn_lint(dir: &Path, extra: &[&str]) -> Vec<Value> {
    let template = arg(&in_workspace(TEMPLATE));
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
        3,
        "one W3002 per Lambda function's local Code path"
    );
}

fn checkov(path: &str) -> Value {
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

fn checks(report: &Value, kind: &str) -> BTreeSet<(String, String)> {
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

#[test]
fn every_checkov_skip_is_needed() {
    let mut stripped = template();
    let mut skipped = BTreeSet::new();
    for (id, resource) in stripped["Resources"].as_object_mut().unwrap() {
        if let Some(metadata) = resource.as_object_mut().unwrap().remove("Metadata") {
            for skip in metadata["checkov"]["skip"].as_array().unwrap() {
                skipped.insert((skip["id"].as_str().unwrap().to_owned(), id.clone()));
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stripped.template.json");
    std::fs::write(&path, serde_json::to_string(&stripped).unwrap()).unwrap();
    let failed = checks(&checkov(&arg(&path)), "failed_checks");
    assert_eq!(
        failed, skipped,
        "without its skips, checkov must fail exactly the skipped checks"
    );
}
