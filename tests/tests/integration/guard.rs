//! The template under a second rule set: AWS CloudFormation Guard (`cfn-guard`,
//! pinned, from crates.io) with the AWS Guard Rules Registry's rules for the services
//! of the stack (vendored in `tools/guard-rules/`, see its README). Every variant
//! passes; every rule that does not fit a resource is suppressed in its `Metadata`
//! (`guard.SuppressedRules`) with a reason (`guard.Reasons`), and each suppression is
//! needed on some variant.

use std::collections::BTreeSet;
use std::path::Path;

use dragons_harness::in_workspace;
use dragons_harness::tools::{Tool, arg};
use serde_json::Value;

use crate::lint::VARIANTS;
use crate::util::{resolved, template};

/// `value` with each `Ref` to a parameter replaced by its value, as CloudFormation
/// resolves it (the rules compare property values, not references).
fn with_parameter_values(value: &mut Value, parameters: &serde_json::Map<String, Value>) {
    if let Some(name) = value.get("Ref").and_then(Value::as_str)
        && let Some(parameter) = parameters.get(name)
    {
        *value = parameter["Default"].clone();
        return;
    }
    match value {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| with_parameter_values(item, parameters)),
        Value::Object(entries) => entries
            .values_mut()
            .for_each(|entry| with_parameter_values(entry, parameters)),
        _ => {}
    }
}

/// The stack as deployed with `overrides`, its parameters' values in place.
fn deployed(overrides: &[(&str, &str)]) -> Value {
    let mut variant = resolved(&template(), overrides);
    let parameters = variant["Parameters"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    with_parameter_values(&mut variant["Resources"], &parameters);
    variant
}

/// Every `/Resources/<id>/…` path under `value`: the resources a report names.
fn resources_named(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(path) => {
            if let Some(id) = path
                .strip_prefix("/Resources/")
                .and_then(|rest| rest.split('/').next())
            {
                out.insert(id.to_owned());
            }
        }
        Value::Array(items) => items.iter().for_each(|item| resources_named(item, out)),
        Value::Object(entries) => entries
            .values()
            .for_each(|entry| resources_named(entry, out)),
        _ => {}
    }
}

/// What cfn-guard finds not compliant in the template at `path`: per rule, the
/// resources its report names (`None` for a rule whose check names none, such as
/// one over a filtered set that came out empty).
fn guard_failures(path: &Path) -> BTreeSet<(String, Option<String>)> {
    let rules = arg(&in_workspace("tools/guard-rules"));
    let data = arg(path);
    let run = Tool::CfnGuard
        .run([
            "validate",
            "--rules",
            &rules,
            "--data",
            &data,
            "--structured",
            "--output-format",
            "json",
            "--show-summary",
            "none",
        ])
        .unwrap();
    // 0: all compliant, 19: some rule failed; anything else is a broken run.
    assert!(
        matches!(run.code, Some(0 | 19)),
        "cfn-guard crashed: {run:?}"
    );
    let reports: Value = run.json().unwrap();
    let mut failures = BTreeSet::new();
    for report in reports.as_array().unwrap() {
        for clause in report["not_compliant"].as_array().unwrap() {
            let rule = clause["Rule"]["name"].as_str().unwrap().to_owned();
            let mut resources = BTreeSet::new();
            resources_named(clause, &mut resources);
            if resources.is_empty() {
                failures.insert((rule, None));
            } else {
                failures.extend(resources.into_iter().map(|id| (rule.clone(), Some(id))));
            }
        }
    }
    assert_eq!(run.code == Some(0), failures.is_empty(), "{run:?}");
    failures
}

/// How many rules the vendored registry files hold.
fn rule_count() -> usize {
    let mut count = 0;
    for service in std::fs::read_dir(in_workspace("tools/guard-rules")).unwrap() {
        let service = service.unwrap().path();
        if !service.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&service).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            count += text
                .lines()
                .filter(|line| line.starts_with("rule "))
                .count();
        }
    }
    count
}

#[test]
fn cfn_guard_registry_rules_pass_every_variant_and_every_suppression_is_needed() {
    assert!(
        rule_count() > 50,
        "the registry's rules for the stack's services"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut suppressed = BTreeSet::new();
    let mut failed_without = BTreeSet::new();
    for (n, overrides) in VARIANTS.iter().enumerate() {
        let variant = deployed(overrides);
        let path = dir.path().join(format!("{n}.template.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&variant).unwrap()).unwrap();
        let failures = guard_failures(&path);
        assert!(
            failures.is_empty(),
            "{overrides:?}: cfn-guard failed: {failures:?}"
        );

        let mut stripped = variant.clone();
        for (id, resource) in stripped["Resources"].as_object_mut().unwrap() {
            let Some(guard) = resource
                .get_mut("Metadata")
                .and_then(Value::as_object_mut)
                .and_then(|metadata| metadata.remove("guard"))
            else {
                continue;
            };
            for rule in guard["SuppressedRules"].as_array().unwrap() {
                let rule = rule.as_str().unwrap();
                let reason = guard["Reasons"][rule].as_str().unwrap_or_default();
                assert!(
                    reason.len() > 40,
                    "{id}: {rule} is suppressed without a real reason"
                );
                suppressed.insert((rule.to_owned(), id.clone()));
            }
        }
        let path = dir.path().join(format!("{n}.stripped.template.json"));
        std::fs::write(&path, serde_json::to_string(&stripped).unwrap()).unwrap();
        failed_without.extend(guard_failures(&path));
    }
    // Without its suppressions, cfn-guard fails exactly the suppressed rules, on
    // the resources that carry them, on some variant. A failure that names no
    // resource counts for every resource suppressing its rule.
    let unnamed: BTreeSet<&str> = failed_without
        .iter()
        .filter(|(_, id)| id.is_none())
        .map(|(rule, _)| rule.as_str())
        .collect();
    let named: BTreeSet<(String, String)> = failed_without
        .iter()
        .filter_map(|(rule, id)| Some((rule.clone(), id.clone()?)))
        .collect();
    let explained: BTreeSet<(String, String)> = suppressed
        .iter()
        .filter(|(rule, _)| !unnamed.contains(rule.as_str()))
        .cloned()
        .collect();
    assert_eq!(named, explained, "suppressions and the failures they hide");
    for rule in unnamed {
        assert!(
            suppressed.iter().any(|(suppressed, _)| suppressed == rule),
            "{rule} fails, naming no resource, and nothing suppresses it"
        );
    }
}
