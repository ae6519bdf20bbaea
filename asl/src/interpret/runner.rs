//! Task runners: what a Task state's `Resource` does when the interpreter invokes it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::errors;

/// An ASL error: its name (matched by `ErrorEquals`) and a human-readable cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "PascalCase")]
#[error("{error}: {cause}")]
pub struct TaskError {
    /// The error name, such as `DragonValidationError` or `States.Timeout`.
    pub error: String,
    /// What went wrong.
    pub cause: String,
}

impl TaskError {
    /// An error named `error` with `cause`.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// A `States.Runtime` error (which no retrier or catcher handles) with `cause`.
    pub(crate) fn runtime(cause: impl Into<String>) -> Self {
        Self::new(errors::RUNTIME, cause)
    }

    /// A `States.QueryEvaluationError` (a JSONata expression failed) with `cause`.
    pub(crate) fn query_evaluation(cause: impl Into<String>) -> Self {
        Self::new(errors::QUERY_EVALUATION_ERROR, cause)
    }

    /// The error output a `Catch` passes on: `{"Error": …, "Cause": …}` (without `Cause`
    /// when there is none).
    pub fn to_error_output(&self) -> Value {
        if self.cause.is_empty() {
            json!({"Error": self.error})
        } else {
            json!({"Error": self.error, "Cause": self.cause})
        }
    }
}

/// Runs the work of a Task state.
///
/// Implement it with `#[asl::async_trait]` (re-exported, so no direct dependency is needed):
///
/// ```
/// use asl::interpret::{TaskError, TaskRunner};
/// use serde_json::Value;
///
/// struct Echo;
///
/// #[asl::async_trait]
/// impl TaskRunner for Echo {
///     async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskError> {
///         Ok(input)
///     }
/// }
/// ```
#[async_trait]
pub trait TaskRunner: Send + Sync {
    /// Invokes `resource` with the state's effective input; an `Err` is the task's error.
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskError>;
}

#[async_trait]
impl<T: TaskRunner + ?Sized> TaskRunner for Arc<T> {
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskError> {
        (**self).run(resource, input).await
    }
}

/// A [`TaskRunner`] made from an async closure; see [`task_fn`].
#[derive(Debug, Clone)]
pub struct FnRunner<F>(F);

/// A [`TaskRunner`] calling `f(resource, input)`.
pub fn task_fn<F, Fut>(f: F) -> FnRunner<F>
where
    F: Fn(String, Value) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Value, TaskError>> + Send,
{
    FnRunner(f)
}

#[async_trait]
impl<F, Fut> TaskRunner for FnRunner<F>
where
    F: Fn(String, Value) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Value, TaskError>> + Send,
{
    async fn run(&self, resource: &str, input: Value) -> Result<Value, TaskError> {
        (self.0)(resource.to_owned(), input).await
    }
}

/// The runners of an interpreter: one per resource, and a fallback for the others.
#[derive(Default, Clone)]
pub(crate) struct Runners {
    /// The runner of each resource, by its exact `Resource` text.
    pub by_resource: HashMap<String, Arc<dyn TaskRunner>>,
    /// The runner of the resources without one of their own.
    pub fallback: Option<Arc<dyn TaskRunner>>,
}

impl Runners {
    /// The runner of `resource`: its own, else the fallback; `States.Runtime` without
    /// either.
    pub fn find(&self, resource: &str) -> Result<&dyn TaskRunner, TaskError> {
        match self.by_resource.get(resource).or(self.fallback.as_ref()) {
            Some(runner) => Ok(runner.as_ref()),
            None => Err(TaskError::runtime(format!(
                "no task runner is registered for resource `{resource}`"
            ))),
        }
    }
}
