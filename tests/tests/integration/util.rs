//! Helpers shared by the integration tests: the committed template and walking it.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The committed template (`cfn-out/dragons.template.json`), parsed.
pub fn template() -> Value {
    let path = dragons_tests::in_workspace("cfn-out/dragons.template.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The resources of one type: `(logical id, resource)`.
pub fn resources_of_type<'a>(
    template: &'a Value,
    kind: &str,
) -> Vec<(&'a String, &'a Map<String, Value>)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(id, resource)| resource.as_object().map(|r| (id, r)))
        .filter(|(_, resource)| resource["Type"] == kind)
        .collect()
}

/// The logical ids (and pseudo parameters) an expression refers to, through
/// `Ref`, `Fn::GetAtt` and `${...}` variables of `Fn::Sub`.
pub fn referenced(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect(value, &mut out);
    out
}

fn collect(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("Ref", Value::String(id)) => {
                        out.insert(id.clone());
                    }
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        out.insert(parts[0].as_str().unwrap().to_owned());
                    }
                    ("Fn::Sub", Value::String(pattern)) => {
                        for variable in pattern.split("${").skip(1) {
                            let name = variable.split('}').next().unwrap();
                            if !name.starts_with('!') {
                                out.insert(name.split('.').next().unwrap().to_owned());
                            }
                        }
                    }
                    _ => collect(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
        _ => {}
    }
}

/// A JSON string or list of strings as a sorted set.
pub fn strings(value: &Value) -> BTreeSet<String> {
    match value {
        Value::String(s) => BTreeSet::from([s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_owned())
            .collect(),
        other => panic!("expected a string or a list of strings, got {other}"),
    }
}
