//! `no-terminal-state`: some terminal state must be reachable from `StartAt`.

use super::reachable;
use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    let Some(reachable) = reachable(machine) else {
        return;
    };
    let terminal = reachable
        .iter()
        .filter_map(|name| machine.states.get(*name))
        .any(|state| state.is_terminal());
    if !terminal {
        out.push(Diagnostic::machine(
            Rule::NoTerminalState,
            "no Succeed, Fail or `\"End\": true` state is reachable from StartAt",
        ));
    }
}
