//! Comparing the template's other sections: parameters, conditions and outputs by
//! name, and the top-level entries (description, mappings, transforms, ...).

use serde::Serialize;
use serde_json::{Map, Value};

use super::display::short_pair;
use super::path::Path;
use super::values;

/// The sections [`super::compare`] reads on their own.
pub const OWN_SECTIONS: [&str; 4] = ["Resources", "Parameters", "Conditions", "Outputs"];

/// How an entry changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryChangeKind {
    /// Only in the new template.
    Added,
    /// Only in the base template.
    Removed,
    /// In both, with differences.
    Modified,
}

/// One changed value inside an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Where, inside the entry.
    pub path: Path,
    /// Before, shortened.
    pub old: Option<String>,
    /// After, shortened.
    pub new: Option<String>,
}

/// One added, removed or modified parameter, condition, output or top-level entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    /// Its name.
    pub id: String,
    /// How it changed.
    pub kind: EntryChangeKind,
    /// What changed inside (for a modified entry), or its value (added or removed).
    pub changes: Vec<FieldChange>,
    /// What a reviewer should know, when something follows from the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn field_changes(old: Option<&Value>, new: Option<&Value>) -> Vec<FieldChange> {
    let changes = match (old, new) {
        (Some(old), Some(new)) => values::changes(&Path::root(), old, new),
        (old, new) => vec![values::ValueChange {
            path: Path::root(),
            old: old.cloned(),
            new: new.cloned(),
        }],
    };
    changes
        .iter()
        .map(|change| {
            let (old, new) = short_pair(change.old.as_ref(), change.new.as_ref());
            FieldChange {
                path: change.path.clone(),
                old,
                new,
            }
        })
        .collect()
}

fn entries<'a>(section: Option<&'a Value>, name: &str) -> Result<&'a Map<String, Value>, String> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    match section {
        None => Ok(EMPTY.get_or_init(Map::new)),
        Some(Value::Object(entries)) => Ok(entries),
        Some(_) => Err(format!("`{name}` is not an object")),
    }
}

/// Says what follows from an entry's change, if anything.
pub type Note = fn(EntryChangeKind, Option<&Value>, Option<&Value>) -> Option<String>;

/// The changes of one named section (`Parameters`, `Conditions`, `Outputs`), with
/// `note` saying what follows from a change, if anything.
pub fn compare(
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    note: Note,
) -> Result<Vec<EntryChange>, String> {
    let (old, new) = (entries(old, name)?, entries(new, name)?);
    let mut ids: Vec<&String> = old.keys().chain(new.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let (before, after) = (old.get(id), new.get(id));
        let kind = match (before, after) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(_), Some(_)) => EntryChangeKind::Modified,
            (None, _) => EntryChangeKind::Added,
            (_, None) => EntryChangeKind::Removed,
        };
        out.push(EntryChange {
            id: id.clone(),
            kind,
            changes: field_changes(before, after),
            note: note(kind, before, after),
        });
    }
    Ok(out)
}

/// What follows from a parameter change.
pub fn parameter_note(
    kind: EntryChangeKind,
    _old: Option<&Value>,
    new: Option<&Value>,
) -> Option<String> {
    let has_default = new.is_some_and(|p| p.get("Default").is_some());
    (kind != EntryChangeKind::Removed && !has_default)
        .then(|| "no Default: every deploy must pass a value".to_owned())
}

/// What follows from an output change.
pub fn output_note(
    kind: EntryChangeKind,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Option<String> {
    let export = |output: Option<&Value>| output.and_then(|o| o.get("Export")).cloned();
    let (before, after) = (export(old), export(new));
    (before.is_some() && before != after && kind != EntryChangeKind::Added).then(|| {
        "its export changes or goes: CloudFormation refuses that while another stack imports it"
            .to_owned()
    })
}

/// No note.
pub fn no_note(_: EntryChangeKind, _: Option<&Value>, _: Option<&Value>) -> Option<String> {
    None
}

/// The changes of the top-level entries outside [`OWN_SECTIONS`].
pub fn compare_top_level(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<EntryChange> {
    let keep = |entries: &Map<String, Value>| -> Value {
        Value::Object(
            entries
                .iter()
                .filter(|(key, _)| !OWN_SECTIONS.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        )
    };
    let (old, new) = (keep(old), keep(new));
    // Both are objects, so this cannot fail.
    compare("template", Some(&old), Some(&new), no_note).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_entries_by_name_with_notes() {
        let old = json!({"Stage": {"Type": "String", "Default": "v1"}, "Gone": {"Type": "String"}});
        let new =
            json!({"Stage": {"Type": "String", "Default": "v2"}, "Email": {"Type": "String"}});
        let changes = compare("Parameters", Some(&old), Some(&new), parameter_note).unwrap();
        let summary: Vec<(&str, EntryChangeKind)> =
            changes.iter().map(|c| (c.id.as_str(), c.kind)).collect();
        assert_eq!(
            summary,
            [
                ("Email", EntryChangeKind::Added),
                ("Gone", EntryChangeKind::Removed),
                ("Stage", EntryChangeKind::Modified)
            ]
        );
        assert_eq!(
            changes[0].note.as_deref(),
            Some("no Default: every deploy must pass a value")
        );
        assert_eq!(changes[2].changes[0].path.to_string(), "Default");
        assert_eq!(changes[2].changes[0].new.as_deref(), Some("\"v2\""));
        assert!(compare("Parameters", Some(&json!([])), None, no_note).is_err());
    }

    #[test]
    fn a_changed_export_is_noted() {
        let old = json!({"Url": {"Value": "a", "Export": {"Name": "x"}}});
        let new = json!({"Url": {"Value": "a", "Export": {"Name": "y"}}});
        let changes = compare("Outputs", Some(&old), Some(&new), output_note).unwrap();
        assert!(changes[0].note.as_deref().unwrap().contains("imports"));
    }

    #[test]
    fn top_level_entries_other_than_the_sections() {
        let old = json!({"Description": "a", "Resources": {"X": 1}});
        let new = json!({"Description": "b", "Resources": {"X": 2}});
        let changes = compare_top_level(old.as_object().unwrap(), new.as_object().unwrap());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].id, "Description");
    }
}
