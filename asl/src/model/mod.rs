//! Typed model of an ASL state machine and its JSON form.

mod choice;
pub mod errors;
mod nullable;
mod retry;
mod state;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub use choice::{ChoiceRule, Condition};
pub use retry::{Catcher, Retrier};
pub use state::{Choice, Fail, Pass, State, Succeed, Task, Wait};

/// A complete state machine definition.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StateMachine {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Name of the first state to run.
    pub start_at: String,
    /// Maximum run time of an execution in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// States by name, in definition order (kept when serializing).
    pub states: IndexMap<String, State>,
}

/// The JSON text is not a well-formed state machine of the supported subset.
#[derive(Debug, thiserror::Error)]
#[error("invalid state machine JSON: {0}")]
pub struct ParseError(serde_json::Error);

impl StateMachine {
    /// An empty machine starting at the state named `start_at`.
    pub fn new(start_at: impl Into<String>) -> Self {
        Self {
            start_at: start_at.into(),
            ..Self::default()
        }
    }

    /// Sets `Comment`.
    #[must_use]
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// Sets `TimeoutSeconds`.
    #[must_use]
    pub fn timeout_seconds(mut self, seconds: u64) -> Self {
        self.timeout_seconds = Some(seconds);
        self
    }

    /// Adds (or replaces) the state `name`; new states are appended in order.
    #[must_use]
    pub fn state(mut self, name: impl Into<String>, state: impl Into<State>) -> Self {
        self.states.insert(name.into(), state.into());
        self
    }

    /// Parses an ASL JSON definition.
    pub fn from_json(json: &str) -> Result<Self, ParseError> {
        serde_json::from_str(json).map_err(ParseError)
    }

    /// Pretty-printed ASL JSON with a trailing newline; byte-for-byte stable for a given value.
    pub fn to_json_pretty(&self) -> String {
        // Infallible: every map key is a string and no type has a fallible `Serialize`.
        let mut json = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| unreachable!("state machine serialization failed: {e}"));
        json.push('\n');
        json
    }
}
