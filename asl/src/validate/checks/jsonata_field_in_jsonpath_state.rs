//! `jsonata-field-in-jsonpath-state`: a state in the JSONPath query language (the default)
//! sets none of the fields only JSONata has: `Arguments`, `Output`, Map's `Items`, a
//! catcher's `Output`, a Choice rule's `Condition` or `Output`, or a numeric field
//! (`TimeoutSeconds`, `Seconds`, `MaxConcurrency`, …) written as a `{% … %}` string.

use super::foreign_fields;
use crate::model::{QueryLanguage, StateMachine};
use crate::validate::fields::{AtaField, jsonata_fields};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    foreign_fields(
        machine,
        out,
        QueryLanguage::JsonPath,
        Rule::JsonAtaFieldInJsonPathState,
        |state| {
            jsonata_fields(state)
                .into_iter()
                .map(|(field, value)| match value {
                    AtaField::Number(_) => format!("{field} (a string)"),
                    _ => field,
                })
                .collect()
        },
    );
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn jsonpath_states_set_no_jsonata_field() {
        let mut got = reported(json!({"StartAt": "Task", "States": {
            "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Arguments": {"FunctionName": "f"}, "Next": "Pick"},
            "Pick": {"Type": "Choice", "Choices": [
                {"Condition": "{% true %}", "Output": {"a": 1}, "Next": "Each"}],
                "Default": "Each"},
            "Each": {"Type": "Map", "Items": [1, 2], "ItemProcessor": {"StartAt": "P",
                     "States": {"P": {"Type": "Pass", "End": true}}}, "Next": "Fine"},
            "Fine": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}", "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": "{% 1 %}", "End": true}}}));
        // JSON objects keep their keys sorted here, so compare in name order.
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            ["Each", "Nap", "Pick", "Pick", "Task"]
                .map(|s| at(Rule::JsonAtaFieldInJsonPathState, s))
        );
    }
}
