//! `start-at-missing`: `StartAt` must name a state.

use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    // An empty machine is reported by `empty-states` alone.
    if !machine.states.is_empty() && !machine.states.contains_key(&machine.start_at) {
        out.push(Diagnostic::machine(
            Rule::StartAtMissing,
            format!("StartAt `{}` names no state", machine.start_at),
        ));
    }
}
