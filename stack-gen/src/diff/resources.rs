//! Comparing the resources of two templates: added, removed, renamed (the same
//! resource under a new logical id, which CloudFormation creates anew and deletes
//! under the old id), and modified, with each property's update behaviour. A
//! replacement spreads through references: a resource whose create-only property
//! refers to a replaced one is replaced too, since the reference's value changes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::display::{short, short_pair};
use super::path::{Path, Segment};
use super::stateful;
use super::update_behavior::{UpdateBehavior, classify};
use super::values::{self, ValueChange};

/// Resource attributes compared besides `Type` and `Properties`.
const ATTRIBUTES: [&str; 7] = [
    "Condition",
    "DependsOn",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Metadata",
];

/// How a resource changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ResourceChangeKind {
    /// Only in the new template.
    Added,
    /// Only in the base template.
    Removed,
    /// In both, with differences.
    Modified,
    /// The same resource under a new logical id: created anew, the old one deleted.
    Renamed {
        /// The logical id in the base template.
        from: String,
    },
}

/// One changed property (or resource attribute) of a resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PropertyChange {
    /// Where, below `Properties` (or the attribute's name).
    pub path: Path,
    /// The value before, shortened; `None`: absent.
    pub old: Option<String>,
    /// The value after, shortened; `None`: absent.
    pub new: Option<String>,
    /// What CloudFormation does about it.
    pub behavior: UpdateBehavior,
    /// Why, when it is not a plain in-place update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One added, removed, renamed or modified resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    /// The logical id (the new one, for a rename).
    pub id: String,
    /// The resource type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// How it changed.
    #[serde(flatten)]
    pub kind: ResourceChangeKind,
    /// The most disruptive behaviour of its changes (a rename is a replacement);
    /// `None` for an added or removed resource.
    pub behavior: Option<UpdateBehavior>,
    /// What it holds, when it holds data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holds: Option<&'static str>,
    /// What becomes of that data, when the change puts it at risk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The changed properties.
    pub properties: Vec<PropertyChange>,
    /// The changed resource attributes (`DeletionPolicy`, `DependsOn`, ...).
    pub attributes: Vec<PropertyChange>,
}

impl ResourceChange {
    /// Whether CloudFormation replaces it, may, or cannot update it without.
    pub fn replaced(&self) -> bool {
        self.behavior.is_some_and(UpdateBehavior::replaces)
    }

    /// Whether it leaves the stack.
    pub fn removed(&self) -> bool {
        self.kind == ResourceChangeKind::Removed
    }

    /// Whether it holds data and is replaced or removed.
    pub fn data_at_risk(&self) -> bool {
        self.holds.is_some() && (self.replaced() || self.removed())
    }
}

/// A resource as a template states it.
struct Resource<'a> {
    type_name: &'a str,
    properties: &'a Map<String, Value>,
    entry: &'a Map<String, Value>,
}

impl Resource<'_> {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.entry.get(name).and_then(Value::as_str)
    }
}

fn resources(section: Option<&Value>) -> Result<BTreeMap<&str, Resource<'_>>, String> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let empty = EMPTY.get_or_init(Map::new);
    let Some(section) = section else {
        return Ok(BTreeMap::new());
    };
    let section = section.as_object().ok_or("`Resources` is not an object")?;
    let mut out = BTreeMap::new();
    for (id, entry) in section {
        let entry = entry
            .as_object()
            .ok_or_else(|| format!("resource `{id}` is not an object"))?;
        let type_name = entry
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("resource `{id}` has no `Type`"))?;
        let properties = match entry.get("Properties") {
            None => empty,
            Some(Value::Object(properties)) => properties,
            Some(_) => return Err(format!("the `Properties` of `{id}` are not an object")),
        };
        out.insert(
            id.as_str(),
            Resource {
                type_name,
                properties,
                entry,
            },
        );
    }
    Ok(out)
}

fn property_change(type_name: &str, change: &ValueChange) -> PropertyChange {
    let verdict = classify(
        type_name,
        &change.path,
        change.old.as_ref(),
        change.new.as_ref(),
    );
    let (old, new) = short_pair(change.old.as_ref(), change.new.as_ref());
    PropertyChange {
        path: change.path.clone(),
        old,
        new,
        behavior: verdict.behavior,
        reason: verdict.reason,
    }
}

fn attribute_changes(old: &Resource<'_>, new: &Resource<'_>) -> Vec<PropertyChange> {
    ATTRIBUTES
        .iter()
        .filter(|name| old.entry.get(**name) != new.entry.get(**name))
        .map(|name| {
            let (before, after) = short_pair(old.entry.get(*name), new.entry.get(*name));
            let reason = if *name == "Condition" {
                "the resource is created or deleted where the condition's value differs"
            } else {
                "a resource attribute: the resource itself is not updated"
            };
            PropertyChange {
                path: Path::key(name),
                old: before,
                new: after,
                behavior: UpdateBehavior::InPlace,
                reason: Some(reason.to_owned()),
            }
        })
        .collect()
}

fn modified(id: &str, old: &Resource<'_>, new: &Resource<'_>) -> Option<ResourceChange> {
    let properties = if old.type_name == new.type_name {
        let old_properties = Value::Object(old.properties.clone());
        let new_properties = Value::Object(new.properties.clone());
        values::changes(&Path::root(), &old_properties, &new_properties)
            .iter()
            .map(|change| property_change(new.type_name, change))
            .collect()
    } else {
        vec![PropertyChange {
            path: Path::key("Type"),
            old: Some(old.type_name.to_owned()),
            new: Some(new.type_name.to_owned()),
            behavior: UpdateBehavior::Refused,
            reason: Some(
                "CloudFormation does not change a resource's type: give it a new logical id to replace it"
                    .to_owned(),
            ),
        }]
    };
    let attributes = attribute_changes(old, new);
    if properties.is_empty() && attributes.is_empty() {
        return None;
    }
    let mut change = ResourceChange {
        id: id.to_owned(),
        resource_type: new.type_name.to_owned(),
        kind: ResourceChangeKind::Modified,
        behavior: None,
        holds: stateful::holds(new.type_name),
        data: None,
        properties,
        attributes,
    };
    settle(&mut change, new);
    Some(change)
}

/// Sets the overall behaviour and what becomes of the data.
fn settle(change: &mut ResourceChange, new: &Resource<'_>) {
    change.behavior = change
        .properties
        .iter()
        .chain(&change.attributes)
        .map(|p| p.behavior)
        .max();
    change.data = match (change.holds, change.behavior) {
        (Some(holds), Some(UpdateBehavior::Refused)) => Some(format!(
            "the update fails and rolls back; applying it needs a new resource, which starts without the old one's {holds}"
        )),
        (Some(holds), Some(behavior)) if behavior.replaces() => Some(stateful::on_replacement(
            new.type_name,
            new.attribute("UpdateReplacePolicy"),
            holds,
        )),
        _ => None,
    };
}

/// The logical ids `value` refers to (`Ref`, `Fn::GetAtt`, `${...}` in `Fn::Sub`),
/// each with the path of the intrinsic that names it.
fn references(value: &Value, path: &Path, out: &mut Vec<(Path, String)>) {
    match value {
        Value::Object(object) if values::is_intrinsic(value) => {
            for (name, argument) in object {
                match (name.as_str(), argument) {
                    ("Ref", Value::String(target)) => out.push((path.clone(), target.clone())),
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        if let Some(target) = parts.first().and_then(Value::as_str) {
                            out.push((path.clone(), target.to_owned()));
                        }
                    }
                    ("Fn::GetAtt", Value::String(target)) => {
                        let target = target.split('.').next().unwrap_or(target);
                        out.push((path.clone(), target.to_owned()));
                    }
                    ("Fn::Sub", Value::String(pattern)) => sub_references(pattern, &[], path, out),
                    ("Fn::Sub", Value::Array(parts)) => {
                        let variables: Vec<&str> = parts
                            .get(1)
                            .and_then(Value::as_object)
                            .map(|vars| vars.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        if let Some(pattern) = parts.first().and_then(Value::as_str) {
                            sub_references(pattern, &variables, path, out);
                        }
                        for part in parts.iter().skip(1) {
                            references(part, path, out);
                        }
                    }
                    (_, argument) => references(argument, path, out),
                }
            }
        }
        Value::Object(object) => {
            for (key, child) in object {
                references(child, &path.child(Segment::Key(key.clone())), out);
            }
        }
        Value::Array(elements) => {
            for (i, child) in elements.iter().enumerate() {
                references(child, &path.child(Segment::Index(i)), out);
            }
        }
        _ => {}
    }
}

fn sub_references(pattern: &str, variables: &[&str], path: &Path, out: &mut Vec<(Path, String)>) {
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        rest = &rest[end + 1..];
        let target = name.split('.').next().unwrap_or(name);
        if !name.starts_with('!') && !target.contains("::") && !variables.contains(&target) {
            out.push((path.clone(), target.to_owned()));
        }
    }
}

/// Adds, to resources that refer to replaced ones, the changes those references
/// bring, until no further resource is replaced.
fn spread_replacements(
    changes: &mut BTreeMap<String, ResourceChange>,
    old: &BTreeMap<&str, Resource<'_>>,
    new: &BTreeMap<&str, Resource<'_>>,
) {
    let mut replaced: BTreeSet<String> = changes
        .values()
        .filter(|c| c.behavior == Some(UpdateBehavior::Replacement))
        .filter(|c| c.kind == ResourceChangeKind::Modified)
        .map(|c| c.id.clone())
        .collect();
    let mut done = BTreeSet::new();
    while let Some(target) = replaced.iter().find(|id| !done.contains(*id)).cloned() {
        done.insert(target.clone());
        for (id, resource) in new {
            if !old.contains_key(id) || *id == target.as_str() {
                continue;
            }
            let mut found = Vec::new();
            references(
                &Value::Object(resource.properties.clone()),
                &Path::root(),
                &mut found,
            );
            for (path, _) in found.iter().filter(|(_, t)| *t == target) {
                let change = changes
                    .entry((*id).to_owned())
                    .or_insert_with(|| ResourceChange {
                        id: (*id).to_owned(),
                        resource_type: resource.type_name.to_owned(),
                        kind: ResourceChangeKind::Modified,
                        behavior: None,
                        holds: stateful::holds(resource.type_name),
                        data: None,
                        properties: Vec::new(),
                        attributes: Vec::new(),
                    });
                if change.properties.iter().any(|p| &p.path == path) {
                    continue;
                }
                let value = value_at(resource.properties, path);
                let verdict = classify(resource.type_name, path, value, value);
                let shown = value.map(short);
                change.properties.push(PropertyChange {
                    path: path.clone(),
                    old: shown.clone(),
                    new: shown.map(|s| format!("{s} (new value)")),
                    behavior: verdict.behavior,
                    reason: Some(match verdict.reason {
                        Some(reason) => {
                            format!("{target} is replaced, so its id changes; {reason}")
                        }
                        None => format!("{target} is replaced, so its id changes"),
                    }),
                });
                change.properties.sort_by(|a, b| a.path.cmp(&b.path));
                settle(change, resource);
                if change.behavior == Some(UpdateBehavior::Replacement) {
                    replaced.insert((*id).to_owned());
                }
            }
        }
    }
}

fn value_at<'a>(properties: &'a Map<String, Value>, path: &Path) -> Option<&'a Value> {
    let mut segments = path.segments().iter();
    let Some(Segment::Key(first)) = segments.next() else {
        return None;
    };
    let mut value = properties.get(first)?;
    for segment in segments {
        value = match segment {
            Segment::Key(key) => value.get(key)?,
            Segment::Index(i) => value.get(i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// The resource changes from `old` to `new` (each a template's `Resources`), by id.
pub fn compare(old: Option<&Value>, new: Option<&Value>) -> Result<Vec<ResourceChange>, String> {
    let (old, new) = (resources(old)?, resources(new)?);
    let mut changes = BTreeMap::new();
    let removed: Vec<&str> = old
        .keys()
        .filter(|id| !new.contains_key(*id))
        .copied()
        .collect();
    let mut added: Vec<&str> = new
        .keys()
        .filter(|id| !old.contains_key(*id))
        .copied()
        .collect();
    for id in removed {
        let before = &old[id];
        let renamed = added.iter().position(|a| {
            new[a].type_name == before.type_name && new[a].properties == before.properties
        });
        let holds = stateful::holds(before.type_name);
        let data = holds.map(|holds| {
            stateful::on_removal(before.type_name, before.attribute("DeletionPolicy"), holds)
        });
        let change = match renamed {
            Some(position) => {
                let to = added.remove(position);
                let after = &new[to];
                ResourceChange {
                    id: to.to_owned(),
                    resource_type: after.type_name.to_owned(),
                    kind: ResourceChangeKind::Renamed {
                        from: id.to_owned(),
                    },
                    behavior: Some(UpdateBehavior::Replacement),
                    holds,
                    data: data.map(|d| format!("the old one: {d}; the new one starts empty")),
                    properties: Vec::new(),
                    attributes: attribute_changes(before, after),
                }
            }
            None => ResourceChange {
                id: id.to_owned(),
                resource_type: before.type_name.to_owned(),
                kind: ResourceChangeKind::Removed,
                behavior: None,
                holds,
                data,
                properties: Vec::new(),
                attributes: Vec::new(),
            },
        };
        changes.insert(change.id.clone(), change);
    }
    for id in added {
        let after = &new[id];
        changes.insert(
            id.to_owned(),
            ResourceChange {
                id: id.to_owned(),
                resource_type: after.type_name.to_owned(),
                kind: ResourceChangeKind::Added,
                behavior: None,
                holds: stateful::holds(after.type_name),
                data: None,
                properties: Vec::new(),
                attributes: Vec::new(),
            },
        );
    }
    for (id, before) in &old {
        if let Some(after) = new.get(id)
            && let Some(change) = modified(id, before, after)
        {
            changes.insert((*id).to_owned(), change);
        }
    }
    spread_replacements(&mut changes, &old, &new);
    Ok(changes.into_values().collect())
}
