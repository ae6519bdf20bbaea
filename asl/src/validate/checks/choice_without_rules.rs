//! `choice-without-rules`: a Choice needs rules, and each top-level rule a `Next`.

use crate::model::{State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let State::Choice(choice) = state else {
            continue;
        };
        if choice.choices.is_empty() {
            out.push(Diagnostic::state(
                Rule::ChoiceWithoutRules,
                name,
                "Choices is empty",
            ));
        }
        for (i, rule) in choice.choices.iter().enumerate() {
            if rule.next.is_none() {
                out.push(Diagnostic::state(
                    Rule::ChoiceWithoutRules,
                    name,
                    format!("Choices[{i}] has no Next"),
                ));
            }
        }
    }
}
