//! `empty-states`: the machine must define at least one state.

use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    if machine.states.is_empty() {
        out.push(Diagnostic::machine(
            Rule::EmptyStates,
            "the machine defines no states",
        ));
    }
}
