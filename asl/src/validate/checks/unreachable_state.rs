//! `unreachable-state`: every state must be reachable from `StartAt`.

use super::reachable;
use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    let Some(reachable) = reachable(machine) else {
        return;
    };
    for name in machine.states.keys() {
        if !reachable.contains(name.as_str()) {
            out.push(Diagnostic::state(
                Rule::UnreachableState,
                name,
                format!("not reachable from StartAt `{}`", machine.start_at),
            ));
        }
    }
}
