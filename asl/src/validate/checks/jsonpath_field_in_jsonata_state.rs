//! `jsonpath-field-in-jsonata-state`: a state in the JSONata query language sets none of
//! the fields only JSONPath has: `InputPath`, `Parameters`, `ResultSelector`, `ResultPath`,
//! `OutputPath`, Pass's `Result`, `ItemsPath`, the `…Path` forms of numbers and timestamps, Fail's
//! `ErrorPath`/`CausePath`, a catcher's `ResultPath`, or a Choice rule without `Condition`.

use super::foreign_fields;
use crate::model::{QueryLanguage, StateMachine};
use crate::validate::fields::{PathField, jsonpath_fields};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    foreign_fields(
        machine,
        out,
        QueryLanguage::JsonAta,
        Rule::JsonPathFieldInJsonAtaState,
        |state| {
            jsonpath_fields(state)
                .into_iter()
                .map(|(field, value)| match value {
                    PathField::Rule => format!("{field} (a rule without Condition)"),
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
    fn jsonata_states_set_no_jsonpath_field() {
        let mut got = reported(
            json!({"QueryLanguage": "JSONata", "StartAt": "Task", "States": {
            "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Arguments": {"FunctionName": "f"}, "ResultPath": "$.r",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Pick"}],
                     "Next": "Pick"},
            "Pick": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.n > 1 %}", "Next": "Path"},
                {"Variable": "$.n", "NumericEquals": 0, "Next": "Path"}], "Default": "Path"},
            "Path": {"Type": "Pass", "QueryLanguage": "JSONPath", "InputPath": "$.x", "Next": "Done"},
            "Done": {"Type": "Succeed", "Output": "{% $states.input %}"}}}),
        );
        // JSON objects keep their keys sorted here, so compare in name order.
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            ["Pick", "Task", "Task"].map(|s| at(Rule::JsonPathFieldInJsonAtaState, s))
        );
    }
}
