//! The context object (`$$` in JSONPath, `$states.context` in JSONata): facts about the
//! execution, the state machine and the current state, as the guide documents them.

use std::time::SystemTime;

use serde_json::{Map, Value, json};

use super::random::Rng;
use super::timestamp;
use super::variables::Variables;

/// The parts of the context object that do not change during an execution.
#[derive(Debug)]
pub(crate) struct ExecutionFacts<'a> {
    /// `$$.Execution.Id`: the execution's ARN.
    pub id: String,
    /// `$$.Execution.Name`.
    pub name: &'a str,
    /// `$$.Execution.Input`.
    pub input: &'a Value,
    /// `$$.Execution.RoleArn`: the execution role.
    pub role_arn: String,
    /// `$$.Execution.StartTime`, formatted.
    pub start_time: String,
    /// `$$.StateMachine.Id`: the state machine's ARN.
    pub state_machine_id: String,
    /// `$$.StateMachine.Name`.
    pub state_machine_name: &'a str,
}

/// What `$$` paths read; turned into JSON only when a `$$` path is resolved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// `$$.Execution` and `$$.StateMachine`.
    pub execution: &'a ExecutionFacts<'a>,
    /// `$$.State.Name`.
    pub state_name: &'a str,
    /// `$$.State.EnteredTime`.
    pub entered_time: SystemTime,
    /// `$$.State.RetryCount`, in the states that retry (Task, Map, Parallel).
    pub retry_count: Option<u64>,
    /// `$$.Task.Token`, while a `.waitForTaskToken` Task builds its input.
    pub task_token: Option<&'a str>,
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
        let execution = self.execution;
        let mut state = Map::new();
        state.insert("Name".to_owned(), json!(self.state_name));
        state.insert(
            "EnteredTime".to_owned(),
            json!(timestamp::format(self.entered_time)),
        );
        if let Some(retry_count) = self.retry_count {
            state.insert("RetryCount".to_owned(), json!(retry_count));
        }
        let mut context = Map::new();
        context.insert(
            "Execution".to_owned(),
            json!({
                "Id": execution.id,
                "Input": execution.input,
                "Name": execution.name,
                "RoleArn": execution.role_arn,
                "StartTime": execution.start_time,
                "RedriveCount": 0,
            }),
        );
        context.insert(
            "StateMachine".to_owned(),
            json!({"Id": execution.state_machine_id, "Name": execution.state_machine_name}),
        );
        context.insert("State".to_owned(), Value::Object(state));
        if let Some(token) = self.task_token {
            context.insert("Task".to_owned(), json!({"Token": token}));
        }
        if let Some((index, value)) = self.map_item {
            context.insert(
                "Map".to_owned(),
                json!({"Item": {"Index": index, "Value": value}}),
            );
        }
        Value::Object(context)
    }
}

#[cfg(test)]
impl Context<'static> {
    /// A context for unit tests that do not read `$$`.
    pub fn for_tests() -> Self {
        static NULL: Value = Value::Null;
        static RNG: Rng = Rng::new(0);
        static EXECUTION: std::sync::LazyLock<ExecutionFacts<'static>> =
            std::sync::LazyLock::new(|| ExecutionFacts {
                id: "arn:aws:states:us-east-1:123456789012:execution:test-machine:test-execution"
                    .to_owned(),
                name: "test-execution",
                input: &NULL,
                role_arn: "arn:aws:iam::123456789012:role/test".to_owned(),
                start_time: timestamp::format(SystemTime::UNIX_EPOCH),
                state_machine_id: "arn:aws:states:us-east-1:123456789012:stateMachine:test-machine"
                    .to_owned(),
                state_machine_name: "test-machine",
            });
        Self {
            execution: &EXECUTION,
            state_name: "TestState",
            entered_time: SystemTime::UNIX_EPOCH,
            retry_count: None,
            task_token: None,
            variables: None,
            map_item: None,
            rng: &RNG,
        }
    }
}
