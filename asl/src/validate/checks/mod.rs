//! One module per validation rule, each exposing `check(machine, out)`.

mod choice_without_rules;
mod empty_states;
mod end_with_next;
mod invalid_error_equals;
mod invalid_path;
mod invalid_retry;
mod invalid_timeout;
mod invalid_wait;
mod missing_transition;
mod next_target_missing;
mod no_terminal_state;
mod start_at_missing;
mod state_name_too_long;
mod unreachable_state;

use std::collections::HashSet;

use super::Diagnostic;
use crate::model::StateMachine;

/// A check appends a diagnostic for every violation of its rule.
type Check = fn(&StateMachine, &mut Vec<Diagnostic>);

/// Every check, in report order.
pub(super) const ALL: [Check; 14] = [
    empty_states::check,
    start_at_missing::check,
    next_target_missing::check,
    unreachable_state::check,
    no_terminal_state::check,
    end_with_next::check,
    missing_transition::check,
    state_name_too_long::check,
    choice_without_rules::check,
    invalid_error_equals::check,
    invalid_retry::check,
    invalid_path::check,
    invalid_wait::check,
    invalid_timeout::check,
];

/// Names of the states reachable from `StartAt`, or `None` if `StartAt` names no state
/// (reported by `start-at-missing`; reachability is then meaningless).
fn reachable(machine: &StateMachine) -> Option<HashSet<&str>> {
    let (start, _) = machine.states.get_key_value(&machine.start_at)?;
    let mut seen = HashSet::new();
    let mut pending = vec![start.as_str()];
    while let Some(name) = pending.pop() {
        if seen.insert(name)
            && let Some(state) = machine.states.get(name)
        {
            pending.extend(state.transitions().into_iter().map(|(_, target)| target));
        }
    }
    Some(seen)
}
