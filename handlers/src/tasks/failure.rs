//! The error a workflow Lambda fails with, for faults only (a rejection is an answer,
//! [`TaskAnswer::Rejected`]). Its `error_type` is chosen on purpose: Step Functions
//! matches Retry and Catch on it.

use dragons_contract::{
    TaskAnswer, TaskErrorType,
    store::{AddError, StoreError},
};
use lambda_runtime::Diagnostic;

/// What subscribers are told when the store failed (the details are in the log).
pub const STORE_FAILED: &str = "the dragon data could not be read or written";

/// A failed task: the ASL error name and a short message without internals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type}: {message}")]
pub struct TaskFailure {
    /// The error name the state machine matches.
    pub error_type: TaskErrorType,
    /// A short summary without internals.
    pub message: String,
}

impl From<StoreError> for TaskFailure {
    fn from(error: StoreError) -> Self {
        Self {
            error_type: if error.is_transient() {
                TaskErrorType::DragonStoreUnavailable
            } else {
                TaskErrorType::DragonStoreError
            },
            message: STORE_FAILED.to_owned(),
        }
    }
}

/// What a refused add means for the task: a name already taken is the report's
/// rejection (the `Ok` answer); a lost race or a store that failed is a failure.
pub fn refused(error: AddError) -> Result<TaskAnswer, TaskFailure> {
    match error {
        AddError::NameTaken(_) => Ok(TaskAnswer::rejected(error.to_string())),
        AddError::Conflict { .. } => Err(TaskFailure {
            error_type: TaskErrorType::DragonWriteConflict,
            message: error.to_string(),
        }),
        AddError::Store(error) => Err(error.into()),
    }
}

impl From<TaskFailure> for Diagnostic {
    fn from(failure: TaskFailure) -> Self {
        Diagnostic {
            error_type: failure.error_type.as_str().to_owned(),
            error_message: failure.message,
        }
    }
}
