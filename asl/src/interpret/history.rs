//! The result of an execution and its history of state transitions.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// It reached a Succeed state or a state with `"End": true`.
    Succeeded,
    /// It reached a Fail state or hit an error no `Catch` handled.
    Failed,
}

/// One step of an execution, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "PascalCase")]
pub enum HistoryEvent {
    /// A state was entered with `input`.
    StateEntered {
        /// The state's name.
        name: String,
        /// The state's ASL type (`"Task"`, `"Choice"`, …).
        state_type: &'static str,
        /// The state's raw input.
        input: Value,
    },
    /// An attempt of a Task failed and will be retried after `delay`.
    TaskRetried {
        /// The state's name.
        name: String,
        /// Which retry this is, from 1, counted per retrier as `MaxAttempts` counts.
        attempt: u64,
        /// The error of the failed attempt.
        error: String,
        /// Its cause.
        cause: String,
        /// The backoff slept before the retry.
        delay: Duration,
    },
    /// A state completed with `output`, going on to `next` (`None` at the end).
    StateExited {
        /// The state's name.
        name: String,
        /// The state's ASL type.
        state_type: &'static str,
        /// The state's output (the next state's input).
        output: Value,
        /// The next state, `None` when the execution ends here.
        next: Option<String>,
    },
    /// A state failed; `caught_by` names the catcher's `Next` when a `Catch` handled it.
    StateFailed {
        /// The state's name.
        name: String,
        /// The state's ASL type.
        state_type: &'static str,
        /// The error name.
        error: String,
        /// Its cause.
        cause: String,
        /// The state a catcher went on to, `None` when the execution fails here.
        caught_by: Option<String>,
    },
    /// A state stopped unfinished: the state a Map iteration or Parallel branch was in when
    /// another one's failure stopped it (the service records `TaskStateAborted` and the
    /// like).
    StateAborted {
        /// The state's name.
        name: String,
        /// The state's ASL type.
        state_type: &'static str,
    },
}

impl HistoryEvent {
    /// The name of the state the event is about.
    pub fn state_name(&self) -> &str {
        match self {
            Self::StateEntered { name, .. }
            | Self::TaskRetried { name, .. }
            | Self::StateExited { name, .. }
            | Self::StateFailed { name, .. }
            | Self::StateAborted { name, .. } => name,
        }
    }
}

/// The end of an execution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Whether it succeeded.
    pub status: Status,
    /// The final output, on success.
    pub output: Option<Value>,
    /// The error name, on failure.
    pub error: Option<String>,
    /// The error cause, on failure.
    pub cause: Option<String>,
    /// Every event, in order.
    pub history: Vec<HistoryEvent>,
}

impl Outcome {
    /// Whether the execution succeeded.
    pub fn succeeded(&self) -> bool {
        self.status == Status::Succeeded
    }

    /// The names of the states entered, in order (repeated when entered again).
    pub fn states_entered(&self) -> Vec<&str> {
        self.history
            .iter()
            .filter_map(|event| match event {
                HistoryEvent::StateEntered { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The retries in order, as `(state, error, delay)`.
    pub fn retries(&self) -> Vec<(&str, &str, Duration)> {
        self.history
            .iter()
            .filter_map(|event| match event {
                HistoryEvent::TaskRetried {
                    name, error, delay, ..
                } => Some((name.as_str(), error.as_str(), *delay)),
                _ => None,
            })
            .collect()
    }
}
