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
    if let Some(update) = &attributes.update_policy {
        out.insert(
            "UpdatePolicy".into(),
            json!({ "CodeDeployLambdaAliasUpdate": {
                "ApplicationName": { "Ref": update.application },
                "DeploymentGroupName": { "Ref": update.deployment_group },
            } }),
        );
    }
    let mut metadata = Map::new();
    if !attributes.checkov_skips.is_empty() {
        let mut skips: Vec<_> = attributes.checkov_skips.clone();
        skips.sort_by_key(|skip| skip.id);
        let skips: Vec<Value> = skips
            .iter()
            .map(|skip| json!({ "id": skip.id, "comment": skip.reason }))
            .collect();
        metadata.insert("checkov".into(), json!({ "skip": skips }));
    }
    if !attributes.guard_suppressions.is_empty() {
        let mut rules: Vec<_> = attributes.guard_suppressions.clone();
        rules.sort_by_key(|suppression| suppression.rule);
        let names: Vec<&str> = rules.iter().map(|suppression| suppression.rule).collect();
        let reasons: Map<String, Value> = rules
            .iter()
            .map(|suppression| (suppression.rule.to_owned(), suppression.reason.into()))
            .collect();
        metadata.insert(
            "guard".into(),
            json!({ "SuppressedRules": names, "Reasons": reasons }),
        );
    }
    if !metadata.is_empty() {
        out.insert("Metadata".into(), Value::Object(metadata));
    }
    out.insert("Properties".into(), Value::Object(entry.properties.clone()));
    Value::Object(out)
}

fn section<V: serde::Serialize>(
    entries: &std::collections::BTreeMap<String, V>,
) -> Result<Value, serde_json::Error> {
    entries
        .iter()
        .map(|(id, v)| Ok((id.clone(), serde_json::to_value(v)?)))
        .collect::<Result<Map<String, Value>, _>>()
        .map(Value::Object)
}

/// The whole template.
pub(super) fn template(template: &Template) -> Result<Value, serde_json::Error> {
    let mut out = Map::new();
    out.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
    out.insert("Description".into(), template.description.clone().into());
    if !template.parameters.is_empty() {
        out.insert("Parameters".into(), section(&template.parameters)?);
    }
    if !template.conditions.is_empty() {
        out.insert("Conditions".into(), section(&template.conditions)?);
    }
    let resources = template
        .resources
        .iter()
        .map(|(id, entry)| (id.clone(), resource(entry)))
        .collect();
    out.insert("Resources".into(), Value::Object(resources));
    if !template.outputs.is_empty() {
        out.insert("Outputs".into(), section(&template.outputs)?);
    }
    Ok(Value::Object(out))
}

/// Pretty JSON with a trailing newline.
pub(super) fn pretty(value: &Value) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}
