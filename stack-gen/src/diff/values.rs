//! Comparing two JSON values: the deepest paths at which they differ.
//!
//! Intrinsic functions (`Ref`, `Fn::*`) are compared whole: a changed `Ref` target
//! is one change where the property is. Arrays whose elements are objects named by
//! a field (`Sid`, `PolicyName`, `Name`, ...) are matched by that field, so an
//! inserted statement is one addition rather than a shift of every later one.
//! Strings that hold JSON documents on both sides are compared inside.

use std::collections::BTreeMap;

use serde_json::Value;

use super::path::{Path, Segment};

/// Fields that name an element of an array of objects, in order of preference.
const NAMING_FIELDS: [&str; 7] = [
    "Sid",
    "PolicyName",
    "Name",
    "Key",
    "Id",
    "AttributeName",
    "IndexName",
];

/// One difference: the value at `path` before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueChange {
    /// Where.
    pub path: Path,
    /// Before.
    pub old: Option<Value>,
    /// After.
    pub new: Option<Value>,
}

/// Whether `value` is an intrinsic function call or a condition reference.
pub fn is_intrinsic(value: &Value) -> bool {
    match value.as_object() {
        Some(object) if object.len() == 1 => object
            .keys()
            .all(|key| key == "Ref" || key == "Condition" || key.starts_with("Fn::")),
        _ => false,
    }
}

/// The differences between `old` and `new`, below `path`.
pub fn changes(path: &Path, old: &Value, new: &Value) -> Vec<ValueChange> {
    let mut out = Vec::new();
    compare(path, old, new, &mut out);
    out
}

fn leaf(path: &Path, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<ValueChange>) {
    out.push(ValueChange {
        path: path.clone(),
        old: old.cloned(),
        new: new.cloned(),
    });
}

fn compare(path: &Path, old: &Value, new: &Value, out: &mut Vec<ValueChange>) {
    if old == new {
        return;
    }
    if is_intrinsic(old) || is_intrinsic(new) {
        return leaf(path, Some(old), Some(new), out);
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let child = path.child(Segment::Key(key.clone()));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => compare(&child, x, y, out),
                    (x, y) => leaf(&child, x, y, out),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => compare_arrays(path, a, b, out),
        (Value::String(a), Value::String(b)) => match (json_document(a), json_document(b)) {
            (Some(x), Some(y)) => compare(&path.child(Segment::Json), &x, &y, out),
            _ => leaf(path, Some(old), Some(new), out),
        },
        _ => leaf(path, Some(old), Some(new), out),
    }
}

/// A string's content when it is a JSON object or array.
fn json_document(text: &str) -> Option<Value> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// The elements of `array` by the value of `field`, when every element is an
/// object with a distinct string there.
fn named<'a>(array: &'a [Value], field: &str) -> Option<BTreeMap<&'a str, &'a Value>> {
    let mut out = BTreeMap::new();
    for element in array {
        let name = element.as_object()?.get(field)?.as_str()?;
        if out.insert(name, element).is_some() {
            return None;
        }
    }
    Some(out)
}

fn compare_arrays(path: &Path, a: &[Value], b: &[Value], out: &mut Vec<ValueChange>) {
    if !a.is_empty() && !b.is_empty() {
        for field in NAMING_FIELDS {
            if let (Some(x), Some(y)) = (named(a, field), named(b, field)) {
                return compare_named(path, field, a, b, &x, &y, out);
            }
        }
    }
    if a.iter().chain(b).all(|v| !v.is_object() && !v.is_array()) {
        // A list of plain values reads best whole: ["email"] → ["phone_number"].
        return leaf(path, Some(&Value::from(a)), Some(&Value::from(b)), out);
    }
    if a.len() == b.len() {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            compare(&path.child(Segment::Index(i)), x, y, out);
        }
        return;
    }
    // Different lengths: what differs lies between the common head and tail.
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (old_middle, new_middle) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let paired = old_middle.len().min(new_middle.len());
    for i in 0..paired {
        let child = path.child(Segment::Index(head + i));
        compare(&child, &old_middle[i], &new_middle[i], out);
    }
    for (i, x) in old_middle.iter().enumerate().skip(paired) {
        leaf(&path.child(Segment::Index(head + i)), Some(x), None, out);
    }
    for (i, y) in new_middle.iter().enumerate().skip(paired) {
        leaf(&path.child(Segment::Index(head + i)), None, Some(y), out);
    }
}

fn compare_named(
    path: &Path,
    field: &'static str,
    a: &[Value],
    b: &[Value],
    x: &BTreeMap<&str, &Value>,
    y: &BTreeMap<&str, &Value>,
    out: &mut Vec<ValueChange>,
) {
    let before = out.len();
    let names: std::collections::BTreeSet<&&str> = x.keys().chain(y.keys()).collect();
    for name in names {
        let child = path.child(Segment::Item {
            field,
            value: (*name).to_owned(),
        });
        match (x.get(*name), y.get(*name)) {
            (Some(old), Some(new)) => compare(&child, old, new, out),
            (old, new) => leaf(&child, old.copied(), new.copied(), out),
        }
    }
    if out.len() == before {
        // Same elements in another order: the order is the change.
        leaf(path, Some(&Value::from(a)), Some(&Value::from(b)), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(old: Value, new: Value) -> Vec<String> {
        changes(&Path::root(), &old, &new)
            .iter()
            .map(|c| c.path.to_string())
            .collect()
    }

    #[test]
    fn finds_the_deepest_differences() {
        assert_eq!(
            paths(
                json!({"A": {"B": 1, "C": [1, 2]}, "D": 1}),
                json!({"A": {"B": 2, "C": [1, 3]}, "E": 1})
            ),
            ["A.B", "A.C", "D", "E"]
        );
        assert!(paths(json!({"A": 1}), json!({"A": 1})).is_empty());
    }

    #[test]
    fn compares_intrinsics_whole() {
        assert_eq!(
            paths(
                json!({"Bucket": {"Ref": "A"}}),
                json!({"Bucket": {"Ref": "B"}})
            ),
            ["Bucket"]
        );
        assert_eq!(
            paths(
                json!({"Role": {"Fn::GetAtt": ["R", "Arn"]}}),
                json!({"Role": "arn:aws:iam::1:role/x"})
            ),
            ["Role"]
        );
    }

    #[test]
    fn matches_named_elements_by_name() {
        let old = json!({"Statement": [{"Sid": "A", "Action": "s3:GetObject"}, {"Sid": "B", "Action": "x:Y"}]});
        let new = json!({"Statement": [{"Sid": "N", "Action": "s3:*"}, {"Sid": "A", "Action": "s3:GetObject"}, {"Sid": "B", "Action": "x:Z"}]});
        assert_eq!(
            paths(old, new),
            ["Statement[Sid=B].Action", "Statement[Sid=N]"]
        );
        let reordered = paths(
            json!([{"Name": "a"}, {"Name": "b"}]),
            json!([{"Name": "b"}, {"Name": "a"}]),
        );
        assert_eq!(reordered, ["(whole value)"]);
    }

    #[test]
    fn finds_an_insertion_in_an_unnamed_list() {
        let old = json!([{"A": 1}, {"A": 2}]);
        let new = json!([{"A": 1}, {"A": 9}, {"A": 2}]);
        assert_eq!(paths(old, new), ["[1]"]);
        assert_eq!(paths(json!(["a", "b"]), json!(["a"])), ["(whole value)"]);
    }

    #[test]
    fn looks_inside_json_strings() {
        let old = json!({"Doc": "{\"Statement\": [{\"Effect\": \"Allow\"}]}"});
        let new = json!({"Doc": "{\"Statement\": [{\"Effect\": \"Deny\"}]}"});
        assert_eq!(paths(old, new), ["Doc(json).Statement[0].Effect"]);
    }
}
