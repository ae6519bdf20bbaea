//! `template-key-collision`: no payload template has two keys that are the same once `.$`
//! is stripped (`"a"` and `"a.$"`), since both would set the field `a`.

use serde_json::Value;

use super::{is_dynamic, templates, walk};
use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        for (field, template) in templates(state) {
            let mut collisions = Vec::new();
            collide(&field, template, &mut collisions);
            for collision in collisions {
                out.push(Diagnostic::state(
                    Rule::TemplateKeyCollision,
                    name,
                    collision,
                ));
            }
        }
    }
}

/// The keys of `template` (below `field`) that collide with another once `.$` is
/// stripped, outside the values of `.$` fields.
fn collide(field: &str, template: &Value, out: &mut Vec<String>) {
    walk(field, template, &mut |location, value| {
        if is_dynamic(location) {
            return false;
        }
        if let Value::Object(fields) = value {
            for key in fields.keys() {
                if let Some(plain) = key.strip_suffix(".$")
                    && fields.contains_key(plain)
                {
                    out.push(format!("{location} has both `{plain}` and `{key}`"));
                }
            }
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn keys_collide_once_the_suffix_is_stripped() {
        let got = reported(json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Parameters": {"a": 1, "b.$": "$.b", "c": {"d": 1}}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"a": 1, "a.$": "$.a"}, "Next": "C"},
            "C": {"Type": "Pass", "Assign": {"n": {"x": 1, "x.$": "$.x"}}, "End": true}
        }}));
        assert_eq!(
            got,
            [
                at(Rule::TemplateKeyCollision, "B"),
                at(Rule::TemplateKeyCollision, "C")
            ]
        );
    }
}
