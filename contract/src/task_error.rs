//! The error names the workflow's Lambda tasks answer with (their `error_type`): the
//! state machine's Retry and Catch match on exactly these strings.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A task's `error_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskErrorType {
    /// The dragon may not be stored (a broken rule, or its name is taken): caught and
    /// announced as a rejection, never retried.
    DragonValidationError,
    /// A conditional write kept losing to other writers: retried with back-off.
    DragonWriteConflict,
    /// The store could not be read or written: announced as a failure.
    DragonStoreError,
}

impl TaskErrorType {
    /// The exact string the Lambda reports and the definition matches.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DragonValidationError => "DragonValidationError",
            Self::DragonWriteConflict => "DragonWriteConflict",
            Self::DragonStoreError => "DragonStoreError",
        }
    }
}

impl fmt::Display for TaskErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_to_the_names_the_definition_matches() {
        for name in [
            TaskErrorType::DragonValidationError,
            TaskErrorType::DragonWriteConflict,
            TaskErrorType::DragonStoreError,
        ] {
            assert_eq!(
                serde_json::to_value(name).unwrap(),
                serde_json::Value::from(name.as_str())
            );
            assert_eq!(name.to_string(), name.as_str());
        }
    }
}
