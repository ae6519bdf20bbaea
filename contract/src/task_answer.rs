//! What the workflow's Lambda tasks answer when they did their work: the step done,
//! or the report rejected (a broken rule, a name already taken). A rejection is an
//! answer, not an error: the task succeeds, the workflow's Choice states send it to
//! the rejected ending, and the execution ends in a Succeed state whose output is the
//! [`TaskAnswer::Rejected`] answer. Errors ([`crate::TaskErrorType`]) are for faults.

use serde::{Deserialize, Serialize};

/// A task's answer, tagged by `status`: `{"status": "REJECTED", "reason": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskAnswer {
    /// ValidateDragon: the dragon keeps every rule and its name is free.
    Valid {
        /// The dragon's name.
        dragon_name_str: String,
    },
    /// AddDragon: the dragon was added.
    Added {
        /// The dragon's name.
        added: String,
        /// How many conditional writes it took.
        attempts: u32,
        /// Whether this execution had added it already (a retried task).
        replayed: bool,
    },
    /// The report broke a rule: nothing was added.
    Rejected {
        /// Why, in words for the reporter.
        reason: String,
    },
}

impl TaskAnswer {
    /// A rejection, with its reason.
    pub fn rejected(reason: impl Into<String>) -> Self {
        Self::Rejected {
            reason: reason.into(),
        }
    }
}

/// The `status` of a [`TaskAnswer::Rejected`], which the workflow's Choice states test.
pub const REJECTED: &str = "REJECTED";

/// The log field a task writes a report's outcome in (`report_outcome`), which the
/// template's metric filters count.
pub const OUTCOME_LOG_FIELD: &str = "report_outcome";

/// A report's outcome as a task logs it ([`OUTCOME_LOG_FIELD`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedOutcome {
    /// The dragon was added.
    Added,
    /// The report was rejected.
    Rejected,
}

impl LoggedOutcome {
    /// Both outcomes.
    pub const ALL: [Self; 2] = [Self::Added, Self::Rejected];

    /// The field's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Rejected => "rejected",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn answers_are_tagged_by_status() {
        assert_eq!(
            serde_json::to_value(TaskAnswer::rejected("taken")).unwrap(),
            json!({"status": REJECTED, "reason": "taken"})
        );
        assert_eq!(
            serde_json::to_value(TaskAnswer::Valid {
                dragon_name_str: "Quill".into()
            })
            .unwrap(),
            json!({"status": "VALID", "dragon_name_str": "Quill"})
        );
        let added = json!({"status": "ADDED", "added": "Quill", "attempts": 1, "replayed": false});
        assert_eq!(
            serde_json::from_value::<TaskAnswer>(added.clone()).unwrap(),
            TaskAnswer::Added {
                added: "Quill".into(),
                attempts: 1,
                replayed: false
            }
        );
    }
}
