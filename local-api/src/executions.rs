//! Executions started by `POST /dragons`: run in the background by the interpreter,
//! looked up by `GET /executions/{id}`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::SystemTime,
};

use asl::interpret::{Interpreter, Outcome, Status};
use serde_json::{Value, json};

/// An execution's ARN for a name, in the local account.
pub fn execution_arn(region: &str, machine: &str, name: &str) -> String {
    format!(
        "arn:aws:states:{region}:{}:execution:{machine}:{name}",
        crate::step_functions::LOCAL_ACCOUNT
    )
}

#[derive(Debug, Clone)]
enum State {
    Running,
    Done(Box<Outcome>),
}

#[derive(Debug, Clone)]
struct Execution {
    arn: String,
    started: SystemTime,
    input: Value,
    state: State,
}

/// The executions of one local API, shared by its handlers.
#[derive(Debug, Clone, Default)]
pub struct Executions {
    all: Arc<Mutex<HashMap<String, Execution>>>,
}

/// `StartExecution`'s answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    /// The execution's ARN.
    pub arn: String,
    /// When it started, in seconds since the epoch.
    pub start_date: f64,
}

impl Executions {
    /// Starts `name` with `input` unless an execution of that name exists (Step
    /// Functions is idempotent on the name for the same input).
    pub fn start(
        &self,
        interpreter: Arc<Interpreter>,
        arn: String,
        name: &str,
        input: Value,
    ) -> Started {
        let mut all = self.all.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(existing) = all.get(name) {
            return Started {
                arn: existing.arn.clone(),
                start_date: seconds(existing.started),
            };
        }
        let started = SystemTime::now();
        all.insert(
            name.to_owned(),
            Execution {
                arn: arn.clone(),
                started,
                input: input.clone(),
                state: State::Running,
            },
        );
        drop(all);
        let registry = Arc::clone(&self.all);
        let key = name.to_owned();
        tokio::spawn(async move {
            let outcome = interpreter.run_named(&key, input).await;
            let mut all = registry.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(execution) = all.get_mut(&key) {
                execution.state = State::Done(Box::new(outcome));
            }
        });
        Started {
            arn,
            start_date: seconds(started),
        }
    }

    /// `DescribeExecution`-like JSON for the execution named `name`.
    pub fn describe(&self, name: &str) -> Option<Value> {
        let all = self.all.lock().unwrap_or_else(PoisonError::into_inner);
        let execution = all.get(name)?;
        let mut answer = json!({
            "executionArn": execution.arn,
            "name": name,
            "startDate": seconds(execution.started),
            "input": execution.input,
            "status": "RUNNING",
        });
        if let State::Done(outcome) = &execution.state {
            answer["status"] = Value::from(match outcome.status {
                Status::Succeeded => "SUCCEEDED",
                Status::Failed => "FAILED",
            });
            answer["output"] = outcome.output.clone().unwrap_or(Value::Null);
            answer["error"] = outcome.error.clone().map_or(Value::Null, Value::from);
            answer["cause"] = outcome.cause.clone().map_or(Value::Null, Value::from);
            answer["states"] = Value::from(outcome.states_entered());
        }
        Some(answer)
    }
}

fn seconds(time: SystemTime) -> f64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}
