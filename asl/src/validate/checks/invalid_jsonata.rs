//! `invalid-jsonata`: every `{% … %}` string of a JSONata state (in `Arguments`, `Output`,
//! `Assign`, `Items`, `ItemSelector`, a `Condition`, Fail's `Error`/`Cause`, Wait's
//! `Timestamp`, a catcher's fields) is an expression the JSONata parser accepts, and a
//! numeric field written as a string (`TimeoutSeconds`, `Seconds`, `MaxConcurrency`, …) is
//! such an expression.

use serde_json::Value;

use super::{all_rules, language};
use crate::interpret::jsonata;
use crate::model::{Condition, QueryLanguage, State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        if language(machine, state) != QueryLanguage::JsonAta {
            continue;
        }
        let fields = fields(state);
        let mut strings = Vec::new();
        for (field, value) in &fields {
            collect(field, value, &mut strings);
        }
        for (field, text) in state.numeric_expressions() {
            if jsonata::expression(text).is_none() {
                out.push(Diagnostic::state(
                    Rule::InvalidJsonAta,
                    name,
                    format!("{field} `{text}` is neither a number nor a {{% … %}} expression"),
                ));
            }
            strings.push((field.to_owned(), text));
        }
        for (field, text) in strings {
            let Some(expression) = jsonata::expression(text) else {
                continue;
            };
            if let Some(problem) = jsonata::syntax_error(expression) {
                out.push(Diagnostic::state(
                    Rule::InvalidJsonAta,
                    name,
                    format!("{field} `{text}` is not a JSONata expression: {problem}"),
                ));
            }
        }
    }
}

/// The fields of `state` that may hold expressions, with their locations.
fn fields(state: &State) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut add = |field: &str, value: Option<&Value>| {
        if let Some(value) = value {
            out.push((field.to_owned(), value.clone()));
        }
    };
    let text = |text: &Option<String>| text.clone().map(Value::String);
    match state {
        State::Task(task) => {
            add("Arguments", task.arguments.as_ref());
            add("Output", task.output.as_ref());
        }
        State::Pass(pass) => add("Output", pass.output.as_ref()),
        State::Choice(choice) => {
            add("Output", choice.output.as_ref());
            let mut rules = Vec::new();
            all_rules("Choices", &choice.choices, &mut rules);
            for (location, rule) in rules {
                if let Condition::Condition(condition) = &rule.condition {
                    add(
                        &format!("{location}.Condition"),
                        Some(&Value::String(condition.clone())),
                    );
                }
                add(&format!("{location}.Output"), rule.output.as_ref());
                add(&format!("{location}.Assign"), rule.assign.as_ref());
            }
        }
        State::Wait(wait) => {
            add("Output", wait.output.as_ref());
            add("Timestamp", text(&wait.timestamp).as_ref());
        }
        State::Succeed(succeed) => add("Output", succeed.output.as_ref()),
        State::Fail(fail) => {
            add("Error", text(&fail.error).as_ref());
            add("Cause", text(&fail.cause).as_ref());
        }
        State::Map(map) => {
            add("Output", map.output.as_ref());
            add("Items", map.items.as_ref());
            add("ItemSelector", map.item_selector.as_ref());
        }
        State::Parallel(parallel) => {
            add("Arguments", parallel.arguments.as_ref());
            add("Output", parallel.output.as_ref());
        }
    }
    add("Assign", state.assign());
    for (i, catcher) in state.catchers().iter().enumerate() {
        add(&format!("Catch[{i}].Output"), catcher.output.as_ref());
        add(&format!("Catch[{i}].Assign"), catcher.assign.as_ref());
    }
    out
}

/// Every string of `value`, with its location below `field`.
fn collect<'v>(field: &str, value: &'v Value, out: &mut Vec<(String, &'v str)>) {
    match value {
        Value::String(text) => out.push((field.to_owned(), text)),
        Value::Object(fields) => {
            for (key, value) in fields {
                collect(&format!("{field}.{key}"), value, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(&format!("{field}[{i}]"), item, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn jsonata_expressions_parse() {
        let mut got = reported(
            json!({"QueryLanguage": "JSONata", "StartAt": "Good", "States": {
            "Good": {"Type": "Pass", "Output": {"a": "{% $states.input.a + 1 %}", "b": "plain"},
                     "Assign": {"n": "{% $count($states.input.items) %}"}, "Next": "Bad"},
            "Bad": {"Type": "Pass", "Output": {"list": ["{% 1 + %}"]}, "Next": "Pick"},
            "Pick": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.a = %}", "Next": "Done"}], "Default": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": "{% $states.input.wait %}", "Next": "Doze"},
            "Doze": {"Type": "Wait", "Seconds": "5", "Next": "Done"},
            "Done": {"Type": "Fail", "Error": "{% 'E' & %}", "Cause": "a cause"}}}),
        );
        // JSON objects keep their keys sorted here, so compare in name order.
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            ["Bad", "Done", "Doze", "Pick"].map(|s| at(Rule::InvalidJsonAta, s))
        );
    }
}
