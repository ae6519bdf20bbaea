//! `invalid-jsonata`: every `{% … %}` string of a JSONata state (in `Arguments`, `Output`,
//! `Assign`, `Items`, `ItemSelector`, a `Condition`, Fail's `Error`/`Cause`, Wait's
//! `Timestamp`, a catcher's fields) is an expression the JSONata parser accepts, and a
//! numeric field written as a string (`TimeoutSeconds`, `Seconds`, `MaxConcurrency`, …) is
//! such an expression.

use serde_json::Value;

use super::{language, templates, walk};
use crate::interpret::jsonata;
use crate::model::{QueryLanguage, State, StateMachine};
use crate::validate::fields::{AtaField, jsonata_fields};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        if language(machine, state) != QueryLanguage::JsonAta {
            continue;
        }
        let mut report = |message: String| {
            out.push(Diagnostic::state(Rule::InvalidJsonAta, name, message));
        };
        let mut strings = Vec::new();
        for (field, value) in jsonata_fields(state) {
            match value {
                AtaField::Json(value) => collect(&field, value, &mut strings),
                AtaField::Condition(text) => strings.push((field, text)),
                AtaField::Number(text) => {
                    if jsonata::expression(text).is_none() {
                        report(format!(
                            "{field} `{text}` is neither a number nor a {{% … %}} expression"
                        ));
                    }
                    strings.push((field, text));
                }
            }
        }
        // The fields both languages have, which hold expressions in JSONata: `Assign`
        // (the state's, its catchers', its Choice rules'), `ItemSelector`, Wait's
        // `Timestamp`, Fail's `Error` and `Cause`.
        for (field, template) in templates(state) {
            if field.ends_with("Assign") || field == "ItemSelector" {
                collect(&field, template, &mut strings);
            }
        }
        let texts = match state {
            State::Wait(wait) => vec![("Timestamp", &wait.timestamp)],
            State::Fail(fail) => vec![("Error", &fail.error), ("Cause", &fail.cause)],
            _ => Vec::new(),
        };
        for (field, text) in texts {
            if let Some(text) = text {
                strings.push((field.to_owned(), text));
            }
        }
        for (field, text) in strings {
            let Some(expression) = jsonata::expression(text) else {
                continue;
            };
            if let Some(problem) = jsonata::syntax_error(expression) {
                report(format!(
                    "{field} `{text}` is not a JSONata expression: {problem}"
                ));
            }
        }
    }
}

/// Every string of `value`, with its location below `field`.
fn collect<'v>(field: &str, value: &'v Value, out: &mut Vec<(String, &'v str)>) {
    walk(field, value, &mut |location, value| {
        if let Value::String(text) = value {
            out.push((location.to_owned(), text));
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
