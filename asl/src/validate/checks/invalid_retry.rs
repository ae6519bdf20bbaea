//! `invalid-retry`: `BackoffRate` is at least 1.0 and `IntervalSeconds` positive.

use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        for (i, retrier) in state.retriers().iter().enumerate() {
            if let Some(rate) = retrier.backoff_rate
                && (rate.is_nan() || rate < 1.0)
            {
                out.push(Diagnostic::state(
                    Rule::InvalidRetry,
                    name,
                    format!("Retry[{i}].BackoffRate is {rate}, must be at least 1.0"),
                ));
            }
            if retrier.interval_seconds == Some(0) {
                out.push(Diagnostic::state(
                    Rule::InvalidRetry,
                    name,
                    format!("Retry[{i}].IntervalSeconds is 0, must be positive"),
                ));
            }
        }
    }
}
