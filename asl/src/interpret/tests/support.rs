//! Helpers for the scenario tests: a scripted fake runner and machine parsing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use serde_json::Value;

use crate::StateMachine;
use crate::interpret::{TaskError, TaskRunner};

/// Parses a machine from JSON, panicking on a malformed test definition.
pub fn machine(definition: &Value) -> StateMachine {
    StateMachine::from_json(&definition.to_string())
        .unwrap_or_else(|e| panic!("bad test machine: {e}"))
}

/// A runner that records its calls and answers with scripted replies, then echoes its input.
#[derive(Debug, Clone, Default)]
pub struct Fake {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    replies: Arc<Mutex<VecDeque<Result<Value, TaskError>>>>,
}

impl Fake {
    /// A runner answering with `replies` in order.
    pub fn replying(replies: impl IntoIterator<Item = Result<Value, TaskError>>) -> Self {
        Self {
            calls: Arc::default(),
            replies: Arc::new(Mutex::new(replies.into_iter().collect())),
        }
    }

    /// A runner failing `times` times with `error`, then echoing.
    pub fn failing(times: usize, error: &str) -> Self {
        Self::replying((0..times).map(|_| Err(TaskError::new(error, format!("{error} happened")))))
    }

    /// Every call so far as `(resource, input)`.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every input received so far.
    pub fn inputs(&self) -> Vec<Value> {
        self.calls().into_iter().map(|(_, input)| input).collect()
    }
}

#[async_trait]
impl TaskRunner for Fake {
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskError> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((resource.to_owned(), input.clone()));
        let reply = self
            .replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        reply.unwrap_or(Ok(input))
    }
}
