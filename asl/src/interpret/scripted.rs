//! A scripted task runner for testing workflows: it records every call and answers
//! with replies given in advance, then echoes its input.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use serde_json::Value;

use super::runner::{TaskError, TaskRunner};

/// Answers calls with scripted replies in order, then by echoing the input; clones
/// share the script and the record of calls.
#[derive(Debug, Clone, Default)]
pub struct ScriptedRunner {
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    replies: Arc<Mutex<VecDeque<Result<Value, TaskError>>>>,
}

impl ScriptedRunner {
    /// A runner answering with `replies` in order.
    pub fn replying(replies: impl IntoIterator<Item = Result<Value, TaskError>>) -> Self {
        Self {
            calls: Arc::default(),
            replies: Arc::new(Mutex::new(replies.into_iter().collect())),
        }
    }

    /// A runner failing `times` times with the error `error`, then echoing.
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
impl TaskRunner for ScriptedRunner {
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
