//! The error a workflow Lambda answers with. Its `error_type` is chosen on purpose:
//! Step Functions matches Retry and Catch on it.

use lambda_runtime::Diagnostic;

use crate::{
    aws::CatalogFailure,
    domain::names::{DRAGON_STORE_ERROR, DRAGON_VALIDATION_ERROR, DRAGON_WRITE_CONFLICT},
};

/// A failed task: the ASL error name and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_type}: {message}")]
pub struct TaskError {
    /// `DragonValidationError`, `DragonWriteConflict` or `DragonStoreError`.
    pub error_type: &'static str,
    /// For a rejection, the reason (subscribers see it); otherwise a short summary
    /// without internals (the details are in the log).
    pub message: String,
}

impl TaskError {
    /// A rejected dragon, with the reason.
    pub fn rejected(reason: impl Into<String>) -> Self {
        Self {
            error_type: DRAGON_VALIDATION_ERROR,
            message: reason.into(),
        }
    }
}

impl From<CatalogFailure> for TaskError {
    fn from(failure: CatalogFailure) -> Self {
        match failure {
            CatalogFailure::Rejected(rejection) => Self::rejected(rejection.to_string()),
            CatalogFailure::Conflict { .. } => Self {
                error_type: DRAGON_WRITE_CONFLICT,
                message: failure.to_string(),
            },
            other => {
                tracing::error!(error = %crate::api::error_chain(&other), "the dragon store failed");
                Self {
                    error_type: DRAGON_STORE_ERROR,
                    message: "the dragon data could not be read or written".to_owned(),
                }
            }
        }
    }
}

impl From<TaskError> for Diagnostic {
    fn from(error: TaskError) -> Self {
        Diagnostic {
            error_type: error.error_type.to_owned(),
            error_message: error.message,
        }
    }
}
