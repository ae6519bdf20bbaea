//! `invalid-wait`: a Wait sets exactly one of Seconds (a number or, in JSONata, an
//! expression), Timestamp, SecondsPath, TimestampPath.

use crate::model::{State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let State::Wait(wait) = state else {
            continue;
        };
        let set = [
            wait.seconds.is_some() || wait.seconds_expression.is_some(),
            wait.timestamp.is_some(),
            wait.seconds_path.is_some(),
            wait.timestamp_path.is_some(),
        ]
        .into_iter()
        .filter(|&is_set| is_set)
        .count();
        if set != 1 {
            out.push(Diagnostic::state(
                Rule::InvalidWait,
                name,
                format!(
                    "must set exactly one of Seconds, Timestamp, SecondsPath, TimestampPath ({set} set)"
                ),
            ));
        }
    }
}
