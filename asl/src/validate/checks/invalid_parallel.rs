//! `invalid-parallel`: a Parallel state has at least one branch.

use crate::model::{State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        if let State::Parallel(parallel) = state
            && parallel.branches.is_empty()
        {
            out.push(Diagnostic::state(
                Rule::InvalidParallel,
                name,
                "Branches is empty",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn parallel_needs_branches() {
        let got = reported(json!({"StartAt": "None", "States": {
            "None": {"Type": "Parallel", "Branches": [], "Next": "One"},
            "One": {"Type": "Parallel", "Branches": [
                {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}], "End": true}
        }}));
        assert_eq!(got, [at(Rule::InvalidParallel, "None")]);
    }
}
