//! `invalid-error-equals`: `ErrorEquals` lists are non-empty and use `States.ALL` correctly.

use crate::model::{StateMachine, errors};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let retry = state.retriers().iter().map(|r| r.error_equals.as_slice());
        let catch = state.catchers().iter().map(|c| c.error_equals.as_slice());
        check_list(name, "Retry", retry, out);
        check_list(name, "Catch", catch, out);
    }
}

/// Checks the `ErrorEquals` of each entry of one `Retry` or `Catch` list.
fn check_list<'a>(
    state: &str,
    field: &str,
    lists: impl ExactSizeIterator<Item = &'a [String]>,
    out: &mut Vec<Diagnostic>,
) {
    let last = lists.len().saturating_sub(1);
    for (i, names) in lists.enumerate() {
        let mut report = |problem: &str| {
            out.push(Diagnostic::state(
                Rule::InvalidErrorEquals,
                state,
                format!("{field}[{i}].ErrorEquals {problem}"),
            ))
        };
        let has_all = names.iter().any(|n| n == errors::ALL);
        if names.is_empty() {
            report("is empty");
        }
        if has_all && names.len() > 1 {
            report("must contain `States.ALL` alone");
        }
        if has_all && i != last {
            report("uses `States.ALL` but is not the last entry");
        }
    }
}
