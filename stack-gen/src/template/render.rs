//! Rendering a template to JSON. Object keys come out sorted (serde_json's map), so
//! the same template always gives the same bytes.

use serde_json::{Map, Value, json};

use super::{Entry, Template};

/// One resource: `Type`, `Condition`, `DependsOn`, retention, `Metadata`, `Properties`.
pub(super) fn resource(entry: &Entry) -> Value {
    let mut out = Map::new();
    out.insert("Type".into(), entry.resource_type.clone().into());
    let attributes = &entry.attributes;
    if let Some(condition) = &attributes.condition {
        out.insert("Condition".into(), condition.id().into());
    }
    if !attributes.depends_on.is_empty() {
        let mut depends_on = attributes.depends_on.clone();
        depends_on.sort();
        depends_on.dedup();
        out.insert("DependsOn".into(), depends_on.into());
    }
    if attributes.retain {
        out.insert("DeletionPolicy".into(), "Retain".into());
        out.insert("UpdateReplacePolicy".into(), "Retain".into());
    }
    if !attributes.checkov_skips.is_empty() {
        let mut skips: Vec<_> = attributes.checkov_skips.clone();
        skips.sort_by_key(|skip| skip.id);
        let skips: Vec<Value> = skips
            .iter()
            .map(|skip| json!({ "id": skip.id, "comment": skip.reason }))
            .collect();
        out.insert("Metadata".into(), json!({ "checkov": { "skip": skips } }));
    }
    out.insert("Properties".into(), Value::Object(entry.properties.clone()));
    Value::Object(out)
}

fn section<V>(
    entries: &std::collections::BTreeMap<String, V>,
    value: impl Fn(&V) -> Value,
) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(id, v)| (id.clone(), value(v)))
            .collect(),
    )
}

fn serialized<V: serde::Serialize>(value: &V) -> Value {
    // Every value here is built from strings, maps and lists: serialization cannot fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The whole template.
pub(super) fn template(template: &Template) -> Value {
    let mut out = Map::new();
    out.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
    out.insert("Description".into(), template.description.clone().into());
    if !template.parameters.is_empty() {
        out.insert(
            "Parameters".into(),
            section(&template.parameters, serialized),
        );
    }
    if !template.conditions.is_empty() {
        out.insert(
            "Conditions".into(),
            section(&template.conditions, serialized),
        );
    }
    out.insert("Resources".into(), section(&template.resources, resource));
    if !template.outputs.is_empty() {
        out.insert("Outputs".into(), section(&template.outputs, serialized));
    }
    Value::Object(out)
}

/// Pretty JSON with a trailing newline.
pub(super) fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
