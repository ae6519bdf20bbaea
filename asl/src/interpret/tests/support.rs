//! Helpers for the scenario tests: the scripted runner and machine parsing.

use serde_json::Value;

use crate::StateMachine;
pub use crate::interpret::ScriptedRunner as Fake;

/// Parses a machine from JSON, panicking on a malformed test definition.
pub fn machine(definition: &Value) -> StateMachine {
    StateMachine::from_json(&definition.to_string())
        .unwrap_or_else(|e| panic!("bad test machine: {e}"))
}
