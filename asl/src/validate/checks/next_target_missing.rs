//! `next-target-missing`: every transition must name an existing state.

use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        for (field, target) in state.transitions() {
            if !machine.states.contains_key(target) {
                out.push(Diagnostic::state(
                    Rule::NextTargetMissing,
                    name,
                    format!("{field} `{target}` names no state"),
                ));
            }
        }
    }
}
