//! `invalid-timeout`: timeouts are positive and a heartbeat is shorter than its timeout.

use crate::model::{State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    if machine.timeout_seconds == Some(0) {
        out.push(Diagnostic::machine(
            Rule::InvalidTimeout,
            "TimeoutSeconds is 0, must be positive",
        ));
    }
    for (name, state) in &machine.states {
        let State::Task(task) = state else {
            continue;
        };
        let mut report = |message: String| {
            out.push(Diagnostic::state(Rule::InvalidTimeout, name, message));
        };
        if task.timeout_seconds == Some(0) {
            report("TimeoutSeconds is 0, must be positive".to_owned());
        }
        if task.heartbeat_seconds == Some(0) {
            report("HeartbeatSeconds is 0, must be positive".to_owned());
        }
        if let (Some(heartbeat), Some(timeout)) = (task.heartbeat_seconds, task.timeout_seconds)
            && heartbeat >= timeout
        {
            report(format!(
                "HeartbeatSeconds ({heartbeat}) must be less than TimeoutSeconds ({timeout})"
            ));
        }
    }
}
