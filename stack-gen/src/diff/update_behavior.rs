//! What CloudFormation does to a resource when a property changes, from AWS's
//! provider schemas (the generated [`super::update_table`]): a property under a
//! `createOnlyProperties` path replaces the resource, one under a
//! `conditionalCreateOnlyProperties` path may interrupt or replace it (AWS's
//! "Conditional"), any other updates it in place. The schemas do not tell "no
//! interruption" from "some interruptions", so neither can this table. Settings a
//! service refuses to change in place although its schema lets CloudFormation try
//! are in [`super::refused`].

use serde::Serialize;
use serde_json::Value;

use super::path::{Path, Segment};
use super::type_rules::TypeRules;
use super::values::is_intrinsic;
use super::{refused, update_table};

/// How a change reaches the resource, least to most disruptive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateBehavior {
    /// Updated in place.
    InPlace,
    /// AWS marks the property conditionally create-only: some changes interrupt or
    /// replace the resource.
    Conditional,
    /// The table does not know the type or property.
    Unknown,
    /// The service refuses the change in place: the stack update fails and rolls
    /// back; only a new resource (a new logical id) applies it.
    Refused,
    /// CloudFormation creates a new resource and deletes the old one.
    Replacement,
}

impl UpdateBehavior {
    /// A short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::InPlace => "in place",
            Self::Conditional => "may interrupt or replace",
            Self::Unknown => "unknown",
            Self::Refused => "needs replacement (refused in place)",
            Self::Replacement => "replacement",
        }
    }

    /// Whether the change replaces the resource, or may, or cannot be applied without.
    pub fn replaces(self) -> bool {
        self >= Self::Conditional
    }
}

/// The table's rules for a type.
pub fn rules(type_name: &str) -> Option<&'static TypeRules> {
    let types = update_table::TYPES;
    types
        .binary_search_by(|rules| rules.type_name.cmp(type_name))
        .ok()
        .and_then(|i| types.get(i))
}

/// Where the table comes from (cfn-lint's version and schema date).
pub fn table_source() -> &'static str {
    update_table::SOURCE
}

/// The behaviour of one property change, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What CloudFormation does.
    pub behavior: UpdateBehavior,
    /// Why, when it is not a plain in-place update.
    pub reason: Option<String>,
}

impl Verdict {
    fn new(behavior: UpdateBehavior, reason: impl Into<String>) -> Self {
        Self {
            behavior,
            reason: Some(reason.into()),
        }
    }
}

/// A step of a schema path: a property name or `*` (any array element).
fn schema_steps(path: &Path) -> Vec<Option<&str>> {
    path.segments()
        .iter()
        .filter_map(|segment| match segment {
            Segment::Key(key) => Some(Some(key.as_str())),
            element if element.is_element() => Some(None),
            _ => None,
        })
        .collect()
}

/// Whether a schema step matches a path step (`*` matches an array element).
fn step_matches(schema: &str, step: Option<&str>) -> bool {
    match step {
        Some(name) => schema == name,
        None => schema == "*",
    }
}

/// The values found at `steps` below `value` (`*` enters every element); `None` when
/// an intrinsic function stands in the way, so the value is not known here.
fn values_at<'a>(value: Option<&'a Value>, steps: &[&str]) -> Option<Vec<&'a Value>> {
    let Some(value) = value else {
        return Some(Vec::new());
    };
    if is_intrinsic(value) {
        return None;
    }
    let Some((first, rest)) = steps.split_first() else {
        return Some(vec![value]);
    };
    match (*first, value) {
        ("*", Value::Array(elements)) => {
            let mut out = Vec::new();
            for element in elements {
                out.extend(values_at(Some(element), rest)?);
            }
            Some(out)
        }
        (name, Value::Object(object)) => values_at(object.get(name), rest),
        _ => Some(Vec::new()),
    }
}

/// Whether a change at `path` (from `old` to `new`) touches the schema path `listed`.
fn touches(listed: &str, path: &Path, old: Option<&Value>, new: Option<&Value>) -> bool {
    let listed: Vec<&str> = listed.split('/').collect();
    let steps = schema_steps(path);
    let shared = listed.len().min(steps.len());
    if !listed
        .iter()
        .zip(&steps)
        .take(shared)
        .all(|(schema, step)| step_matches(schema, *step))
    {
        return false;
    }
    if listed.len() <= steps.len() {
        // The change is at or below the listed property.
        return true;
    }
    // The change replaces a value that holds the listed property: it is touched
    // when its value there differs, or cannot be known.
    let rest = &listed[steps.len()..];
    match (values_at(old, rest), values_at(new, rest)) {
        (Some(before), Some(after)) => before != after,
        _ => true,
    }
}

/// What CloudFormation does when the property at `path` of a `type_name` resource
/// goes from `old` to `new` (`None`: absent): [`schema_verdict`], unless the service
/// refuses the change in place ([`super::refused`]).
pub fn classify(type_name: &str, path: &Path, old: Option<&Value>, new: Option<&Value>) -> Verdict {
    let verdict = schema_verdict(type_name, path, old, new);
    if verdict.behavior == UpdateBehavior::InPlace
        && let Some(refusal) = refused::refusal(type_name, path, new)
    {
        return Verdict::new(UpdateBehavior::Refused, refusal);
    }
    verdict
}

/// What AWS's provider schema (as the update table holds it) says CloudFormation
/// does when the property at `path` goes from `old` to `new`.
pub fn schema_verdict(
    type_name: &str,
    path: &Path,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Verdict {
    let Some(rules) = rules(type_name) else {
        return Verdict::new(
            UpdateBehavior::Unknown,
            format!("{type_name} is not in the update table: rerun scripts/gen-update-table"),
        );
    };
    let Some(top) = path.top() else {
        return Verdict::new(UpdateBehavior::Unknown, "not a property path");
    };
    if !rules.properties.contains(&top) {
        return Verdict::new(
            UpdateBehavior::Unknown,
            format!("{top} is not a property of {type_name} in AWS's schema"),
        );
    }
    if let Some(listed) = rules
        .create_only
        .iter()
        .find(|listed| touches(listed, path, old, new))
    {
        return Verdict::new(
            UpdateBehavior::Replacement,
            format!("{} is create-only", listed.replace('/', ".")),
        );
    }
    if let Some(listed) = rules
        .conditional_create_only
        .iter()
        .find(|listed| touches(listed, path, old, new))
    {
        return Verdict::new(
            UpdateBehavior::Conditional,
            format!(
                "AWS marks {} conditionally create-only",
                listed.replace('/', ".")
            ),
        );
    }
    Verdict {
        behavior: UpdateBehavior::InPlace,
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn behavior(type_name: &str, path: Path, old: Value, new: Value) -> UpdateBehavior {
        classify(type_name, &path, Some(&old), Some(&new)).behavior
    }

    #[test]
    fn create_only_properties_replace() {
        let path = Path::key("Bucket");
        let (a, b) = (json!({"Ref": "A"}), json!({"Ref": "B"}));
        assert_eq!(
            behavior("AWS::S3::BucketPolicy", path.clone(), a.clone(), b.clone()),
            UpdateBehavior::Replacement
        );
        assert_eq!(
            behavior("AWS::S3::BucketPolicy", Path::key("PolicyDocument"), a, b),
            UpdateBehavior::InPlace
        );
        assert!(rules("AWS::S3::BucketPolicy").is_some());
        assert!(rules("AWS::Nope::Nothing").is_none());
    }

    #[test]
    fn unknown_types_and_properties_say_so() {
        let verdict = classify("AWS::Nope::Nothing", &Path::key("X"), None, None);
        assert_eq!(verdict.behavior, UpdateBehavior::Unknown);
        assert!(verdict.reason.unwrap().contains("scripts/gen-update-table"));
        let verdict = classify("AWS::S3::BucketPolicy", &Path::key("Nope"), None, None);
        assert_eq!(verdict.behavior, UpdateBehavior::Unknown);
    }

    #[test]
    fn nested_schema_paths_match_at_and_below_and_above() {
        // A listed nested path, matched at, below, and from a containing value.
        let listed = "A/*/B";
        let below = Path::key("A")
            .child(Segment::Index(0))
            .child(Segment::Key("B".into()))
            .child(Segment::Key("C".into()));
        assert!(touches(listed, &below, None, None));
        let sibling = Path::key("A")
            .child(Segment::Index(0))
            .child(Segment::Key("D".into()));
        assert!(!touches(listed, &sibling, None, None));
        let above = Path::key("A");
        let same_b = (json!([{"B": 1, "D": 1}]), json!([{"B": 1, "D": 2}]));
        assert!(!touches(listed, &above, Some(&same_b.0), Some(&same_b.1)));
        let other_b = (json!([{"B": 1}]), json!([{"B": 2}]));
        assert!(touches(listed, &above, Some(&other_b.0), Some(&other_b.1)));
        let unknown = (json!([{"B": 1}]), json!({"Fn::If": ["C", [], []]}));
        assert!(touches(listed, &above, Some(&unknown.0), Some(&unknown.1)));
    }

    #[test]
    fn severity_orders_the_behaviours() {
        assert!(UpdateBehavior::Replacement > UpdateBehavior::InPlace);
        assert!(UpdateBehavior::Refused.replaces());
        assert!(!UpdateBehavior::InPlace.replaces());
    }
}
