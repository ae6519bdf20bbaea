//! The context object (`$$`): facts about the execution and the current state.

use std::time::SystemTime;

use serde_json::{Value, json};

use super::random::Rng;
use super::timestamp;
use super::variables::Variables;

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
    /// The workflow variables in scope (`$name`), `None` when there are none.
    pub variables: Option<&'a Variables<'a>>,
    /// `$$.Map.Item.Index` and `$$.Map.Item.Value`, while a Map state builds an item's input.
    pub map_item: Option<(usize, &'a Value)>,
    /// The execution's random source (`States.MathRandom`, `States.UUID`).
    pub rng: &'a Rng,
}

impl<'a> Context<'a> {
    /// The value of the workflow variable `name`, if it is in scope.
    pub fn variable(&self, name: &str) -> Option<&'a Value> {
        self.variables?.get(name)
    }

    /// The context object as JSON.
    pub fn to_value(self) -> Value {
        let mut context = json!({
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
        });
        if let (Some((index, value)), Some(fields)) = (self.map_item, context.as_object_mut()) {
            fields.insert(
                "Map".to_owned(),
                json!({"Item": {"Index": index, "Value": value}}),
            );
        }
        context
    }
}

#[cfg(test)]
impl Context<'static> {
    /// A context for unit tests that do not read `$$`.
    pub fn for_tests() -> Self {
        static NULL: Value = Value::Null;
        static RNG: Rng = Rng::new(0);
        Self {
            execution_name: "test-execution",
            execution_input: &NULL,
            start_time: SystemTime::UNIX_EPOCH,
            state_name: "TestState",
            entered_time: SystemTime::UNIX_EPOCH,
            retry_count: 0,
            machine_name: "test-machine",
            variables: None,
            map_item: None,
            rng: &RNG,
        }
    }
}
