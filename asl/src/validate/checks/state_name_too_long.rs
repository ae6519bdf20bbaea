//! `state-name-too-long`: state names are limited to 80 characters.

use crate::model::StateMachine;
use crate::validate::{Diagnostic, Rule};

const MAX_CHARS: usize = 80;

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for name in machine.states.keys() {
        let chars = name.chars().count();
        if chars > MAX_CHARS {
            out.push(Diagnostic::state(
                Rule::StateNameTooLong,
                name,
                format!("name has {chars} characters (maximum {MAX_CHARS})"),
            ));
        }
    }
}
