//! `missing-transition`: Task, Pass and Wait states need `Next` or `"End": true`.

use crate::model::{State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let needs_transition = matches!(state, State::Task(_) | State::Pass(_) | State::Wait(_));
        if needs_transition && state.next().is_none() && !state.is_end() {
            out.push(Diagnostic::state(
                Rule::MissingTransition,
                name,
                format!(
                    "{} state has neither Next nor `\"End\": true`",
                    state.type_name()
                ),
            ));
        }
    }
}
