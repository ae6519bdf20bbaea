//! The error names the workflow's Lambda tasks fail with (their `error_type`): the
//! state machine's Retry and Catch match on exactly these strings. Faults only: a
//! rejected report is an answer ([`crate::TaskAnswer`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A task's `error_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskErrorType {
    /// A conditional write kept losing to other writers: retried with back-off.
    DragonWriteConflict,
    /// The store failed in a way retrying will not fix (missing or malformed data,
    /// refused access): announced as a failure.
    DragonStoreError,
    /// The store was unreachable, slow or throttling: retried with back-off, then
    /// announced as a failure.
    DragonStoreUnavailable,
}

impl TaskErrorType {
    /// The exact string the Lambda reports and the definition matches.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DragonWriteConflict => "DragonWriteConflict",
            Self::DragonStoreError => "DragonStoreError",
            Self::DragonStoreUnavailable => "DragonStoreUnavailable",
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
            TaskErrorType::DragonWriteConflict,
            TaskErrorType::DragonStoreError,
            TaskErrorType::DragonStoreUnavailable,
        ] {
            assert_eq!(
                serde_json::to_value(name).unwrap(),
                serde_json::Value::from(name.as_str())
            );
            assert_eq!(name.to_string(), name.as_str());
        }
    }
}
