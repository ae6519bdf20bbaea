//! The context object (`$$`): facts about the execution and the current state.

use std::time::SystemTime;

use serde_json::{Value, json};

use super::timestamp;

/// What `$$` paths read; turned into JSON only when a `$$` path is resolved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// `$$.Execution.Name`.
    pub execution_name: &'a str,
    /// `$$.Execution.Input`.
    pub execution_input: &'a Value,
    /// `$$.Execution.StartTime`.
    pub start_time: SystemTime,
    /// `$$.State.Name`.
    pub state_name: &'a str,
    /// `$$.State.EnteredTime`.
    pub entered_time: SystemTime,
    /// `$$.State.RetryCount`.
    pub retry_count: u64,
    /// `$$.StateMachine.Name`.
    pub machine_name: &'a str,
}

impl Context<'_> {
    /// The context object as JSON.
    pub fn to_value(self) -> Value {
        json!({
            "Execution": {
                "Name": self.execution_name,
                "Input": self.execution_input,
                "StartTime": timestamp::format(self.start_time),
            },
            "State": {
                "Name": self.state_name,
                "EnteredTime": timestamp::format(self.entered_time),
                "RetryCount": self.retry_count,
            },
            "StateMachine": {
                "Name": self.machine_name,
            },
        })
    }
}

#[cfg(test)]
impl Context<'static> {
    /// A context for unit tests that do not read `$$`.
    pub fn for_tests() -> Self {
        static NULL: Value = Value::Null;
        Self {
            execution_name: "test-execution",
            execution_input: &NULL,
            start_time: SystemTime::UNIX_EPOCH,
            state_name: "TestState",
            entered_time: SystemTime::UNIX_EPOCH,
            retry_count: 0,
            machine_name: "test-machine",
        }
    }
}
