//! `stack-gen diff`'s update table against the provider schemas the pinned cfn-lint
//! ships: the same create-only lists for every resource type the stack uses, and
//! the same behaviour for every value the stack sets.

use std::collections::BTreeMap;
use std::path::Path as FsPath;

use dragons_harness::tools::cfn_lint_schemas;
use serde_json::Value;
use stack_gen::diff::{Path, Segment, UpdateBehavior, rules, schema_verdict};

const RERUN: &str = "run `cargo run -p stack-gen`, then scripts/gen-update-table, and commit both";

fn read(path: &FsPath) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// AWS's schema of each resource type, as cfn-lint ships them for us-east-1.
fn schemas(types: impl Iterator<Item = String>) -> BTreeMap<String, Value> {
    let dir = cfn_lint_schemas().unwrap();
    let index = read(&dir.join("providers/us-east-1.json"));
    types
        .map(|type_name| {
            let file = index[&type_name]
                .as_str()
                .unwrap_or_else(|| panic!("cfn-lint has no schema for {type_name}"));
            let schema = read(&dir.join(format!("resources/{file}.json")));
            (type_name, schema)
        })
        .collect()
}

fn listed(schema: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = schema[key]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            p.as_str()
                .unwrap()
                .strip_prefix("/properties/")
                .unwrap()
                .to_owned()
        })
        .collect();
    out.sort();
    out
}

/// Every value the stack sets, down to plain values and intrinsic functions.
fn leaves(value: &Value, path: Path, out: &mut Vec<Path>) {
    let intrinsic = value
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.keys().all(|k| k == "Ref" || k.starts_with("Fn::")));
    match value {
        Value::Object(object) if !intrinsic => {
            for (key, child) in object {
                leaves(child, path.child(Segment::Key(key.clone())), out);
            }
        }
        Value::Array(elements) if !elements.is_empty() => {
            for (i, child) in elements.iter().enumerate() {
                leaves(child, path.child(Segment::Index(i)), out);
            }
        }
        _ => out.push(path),
    }
}

/// What the schema says of a change at `path`: replacement when a create-only path
/// is at or above it, conditional likewise, in place otherwise.
fn expected(schema: &Value, path: &Path) -> UpdateBehavior {
    let steps: Vec<Option<&str>> = path
        .segments()
        .iter()
        .map(|s| match s {
            Segment::Key(key) => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let above = |key: &str| {
        listed(schema, key).iter().any(|listed| {
            let parts: Vec<&str> = listed.split('/').collect();
            parts.len() <= steps.len()
                && parts.iter().zip(&steps).all(|(part, step)| match step {
                    Some(name) => part == name,
                    None => *part == "*",
                })
        })
    };
    if above("createOnlyProperties") {
        UpdateBehavior::Replacement
    } else if above("conditionalCreateOnlyProperties") {
        UpdateBehavior::Conditional
    } else {
        UpdateBehavior::InPlace
    }
}

#[test]
fn the_update_table_agrees_with_cfn_lints_schemas_for_everything_the_stack_sets() {
    let template = stack_gen::stack::build()
        .unwrap()
        .template
        .to_value()
        .unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let types = resources
        .values()
        .map(|r| r["Type"].as_str().unwrap().to_owned());
    let schemas = schemas(types);

    for (type_name, schema) in &schemas {
        let rules = rules(type_name).unwrap_or_else(|| panic!("{type_name} is missing: {RERUN}"));
        let read_only = listed(schema, "readOnlyProperties");
        let mut properties: Vec<String> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|p| !read_only.contains(p))
            .cloned()
            .collect();
        properties.sort();
        assert_eq!(
            rules.properties, properties,
            "{type_name} properties: {RERUN}"
        );
        assert_eq!(
            rules.create_only,
            listed(schema, "createOnlyProperties"),
            "{type_name} createOnlyProperties: {RERUN}"
        );
        assert_eq!(
            rules.conditional_create_only,
            listed(schema, "conditionalCreateOnlyProperties"),
            "{type_name} conditionalCreateOnlyProperties: {RERUN}"
        );
    }

    let mut counts: BTreeMap<UpdateBehavior, usize> = BTreeMap::new();
    for (id, resource) in resources {
        let type_name = resource["Type"].as_str().unwrap();
        let mut paths = Vec::new();
        leaves(&resource["Properties"], Path::root(), &mut paths);
        for path in paths {
            let want = expected(&schemas[type_name], &path);
            let value = Some(&Value::Null);
            let got = schema_verdict(type_name, &path, value, value).behavior;
            assert_eq!(
                got, want,
                "{id} ({type_name}) {path}: the table says {got:?}, AWS's schema {want:?}: {RERUN}"
            );
            *counts.entry(got).or_default() += 1;
        }
    }
    // Both kinds occur, so the comparison above means something.
    assert!(counts[&UpdateBehavior::Replacement] > 10, "{counts:?}");
    assert!(counts[&UpdateBehavior::InPlace] > 100, "{counts:?}");
}
