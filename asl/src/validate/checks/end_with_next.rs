//! `end-with-next`: a state cannot both end the execution and have a `Next`.

use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        if let Some(next) = state.next()
            && state.is_end()
        {
            out.push(Diagnostic::state(
                Rule::EndWithNext,
                name,
                format!("has both `\"End\": true` and Next `{next}`"),
            ));
        }
    }
}
