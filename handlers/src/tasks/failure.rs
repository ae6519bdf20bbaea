//! The error a workflow Lambda answers with. Its `error_type` is chosen on purpose:
//! Step Functions matches Retry and Catch on it.

use dragons_contract::{
    TaskErrorType,
    store::{AddError, StoreError},
};
use lambda_runtime::Diagnostic;

/// What subscribers are told when the store failed (the details are in the log).
pub const STORE_FAILED: &str = "the dragon data could not be read or written";

/// A failed task: the ASL error name and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type}: {message}")]
pub struct TaskFailure {
    /// The error name the state machine matches.
    pub error_type: TaskErrorType,
    /// For a rejection, the reason (subscribers see it); otherwise a short summary
    /// without internals.
    pub message: String,
}

impl TaskFailure {
    /// A rejected dragon, with the reason.
    pub fn rejected(reason: impl Into<String>) -> Self {
        Self {
            error_type: TaskErrorType::DragonValidationError,
            message: reason.into(),
        }
    }
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

impl From<AddError> for TaskFailure {
    fn from(error: AddError) -> Self {
        match error {
            AddError::NameTaken(_) => Self::rejected(error.to_string()),
            AddError::Conflict { .. } => Self {
                error_type: TaskErrorType::DragonWriteConflict,
                message: error.to_string(),
            },
            AddError::Store(error) => error.into(),
        }
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
