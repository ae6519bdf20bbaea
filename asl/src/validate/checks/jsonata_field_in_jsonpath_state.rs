//! `jsonata-field-in-jsonpath-state`: a state in the JSONPath query language (the default)
//! sets none of the fields only JSONata has: `Arguments`, `Output`, Map's `Items`, a
//! catcher's `Output`, a Choice rule's `Condition` or `Output`, or a numeric field
//! (`TimeoutSeconds`, `Seconds`, `MaxConcurrency`, …) written as a `{% … %}` string.

use super::{all_rules, language};
use crate::model::{Condition, QueryLanguage, State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        if language(machine, state) != QueryLanguage::JsonPath {
            continue;
        }
        for field in jsonata_fields(state) {
            out.push(Diagnostic::state(
                Rule::JsonAtaFieldInJsonPathState,
                name,
                format!(
                    "{field} is a JSONata field; this state's QueryLanguage is JSONPath (the default)"
                ),
            ));
        }
    }
}

/// The JSONata-only fields `state` sets.
fn jsonata_fields(state: &State) -> Vec<String> {
    let (arguments, output) = match state {
        State::Task(task) => (task.arguments.is_some(), task.output.is_some()),
        State::Parallel(parallel) => (parallel.arguments.is_some(), parallel.output.is_some()),
        State::Pass(pass) => (false, pass.output.is_some()),
        State::Choice(choice) => (false, choice.output.is_some()),
        State::Wait(wait) => (false, wait.output.is_some()),
        State::Succeed(succeed) => (false, succeed.output.is_some()),
        State::Map(map) => (false, map.output.is_some()),
        State::Fail(_) => (false, false),
    };
    let mut out = Vec::new();
    if arguments {
        out.push("Arguments".to_owned());
    }
    if output {
        out.push("Output".to_owned());
    }
    if let State::Map(map) = state
        && map.items.is_some()
    {
        out.push("Items".to_owned());
    }
    out.extend(
        state
            .numeric_expressions()
            .into_iter()
            .map(|(field, _)| format!("{field} (a string)")),
    );
    for (i, catcher) in state.catchers().iter().enumerate() {
        if catcher.output.is_some() {
            out.push(format!("Catch[{i}].Output"));
        }
    }
    if let State::Choice(choice) = state {
        let mut rules = Vec::new();
        all_rules("Choices", &choice.choices, &mut rules);
        for (location, rule) in rules {
            if matches!(rule.condition, Condition::Condition(_)) {
                out.push(format!("{location}.Condition"));
            }
            if rule.output.is_some() {
                out.push(format!("{location}.Output"));
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
