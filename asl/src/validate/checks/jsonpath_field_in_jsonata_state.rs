//! `jsonpath-field-in-jsonata-state`: a state in the JSONata query language sets none of
//! the fields only JSONPath has: `InputPath`, `Parameters`, `ResultSelector`, `ResultPath`,
//! `OutputPath`, Pass's `Result`, `ItemsPath`, the `…Path` forms of numbers and timestamps, Fail's
//! `ErrorPath`/`CausePath`, a catcher's `ResultPath`, or a Choice rule without `Condition`.

use super::language;
use crate::model::{Condition, QueryLanguage, State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        if language(machine, state) != QueryLanguage::JsonAta {
            continue;
        }
        for field in jsonpath_fields(state) {
            out.push(Diagnostic::state(
                Rule::JsonPathFieldInJsonAtaState,
                name,
                format!("{field} is a JSONPath field; this state's QueryLanguage is JSONata"),
            ));
        }
    }
}

/// The JSONPath-only fields `state` sets.
fn jsonpath_fields(state: &State) -> Vec<String> {
    let mut set: Vec<(&str, bool)> = Vec::new();
    match state {
        State::Task(task) => set.extend([
            ("InputPath", task.input_path.is_some()),
            ("OutputPath", task.output_path.is_some()),
            ("ResultPath", task.result_path.is_some()),
            ("Parameters", task.parameters.is_some()),
            ("ResultSelector", task.result_selector.is_some()),
            ("TimeoutSecondsPath", task.timeout_seconds_path.is_some()),
            (
                "HeartbeatSecondsPath",
                task.heartbeat_seconds_path.is_some(),
            ),
        ]),
        State::Pass(pass) => set.extend([
            ("Result", pass.result.is_some()),
            ("InputPath", pass.input_path.is_some()),
            ("OutputPath", pass.output_path.is_some()),
            ("ResultPath", pass.result_path.is_some()),
            ("Parameters", pass.parameters.is_some()),
        ]),
        State::Choice(choice) => set.extend([
            ("InputPath", choice.input_path.is_some()),
            ("OutputPath", choice.output_path.is_some()),
        ]),
        State::Wait(wait) => set.extend([
            ("InputPath", wait.input_path.is_some()),
            ("OutputPath", wait.output_path.is_some()),
            ("SecondsPath", wait.seconds_path.is_some()),
            ("TimestampPath", wait.timestamp_path.is_some()),
        ]),
        State::Succeed(succeed) => set.extend([
            ("InputPath", succeed.input_path.is_some()),
            ("OutputPath", succeed.output_path.is_some()),
        ]),
        State::Fail(fail) => set.extend([
            ("ErrorPath", fail.error_path.is_some()),
            ("CausePath", fail.cause_path.is_some()),
        ]),
        State::Map(map) => set.extend([
            ("InputPath", map.input_path.is_some()),
            ("OutputPath", map.output_path.is_some()),
            ("ResultPath", map.result_path.is_some()),
            ("ItemsPath", map.items_path.is_some()),
            ("Parameters", map.parameters.is_some()),
            ("ResultSelector", map.result_selector.is_some()),
            ("MaxConcurrencyPath", map.max_concurrency_path.is_some()),
            (
                "ToleratedFailureCountPath",
                map.tolerated_failure_count_path.is_some(),
            ),
            (
                "ToleratedFailurePercentagePath",
                map.tolerated_failure_percentage_path.is_some(),
            ),
        ]),
        State::Parallel(parallel) => set.extend([
            ("InputPath", parallel.input_path.is_some()),
            ("OutputPath", parallel.output_path.is_some()),
            ("ResultPath", parallel.result_path.is_some()),
            ("Parameters", parallel.parameters.is_some()),
            ("ResultSelector", parallel.result_selector.is_some()),
        ]),
    }
    let mut out: Vec<String> = set
        .into_iter()
        .filter(|(_, is_set)| *is_set)
        .map(|(field, _)| field.to_owned())
        .collect();
    for (i, catcher) in state.catchers().iter().enumerate() {
        if catcher.result_path.is_some() {
            out.push(format!("Catch[{i}].ResultPath"));
        }
    }
    if let State::Choice(choice) = state {
        for (i, rule) in choice.choices.iter().enumerate() {
            if !matches!(rule.condition, Condition::Condition(_)) {
                out.push(format!("Choices[{i}] (a rule without Condition)"));
            }
        }
    }
    out
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
