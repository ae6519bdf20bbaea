//! Typed model of an ASL state machine and its JSON form.
//!
//! The state structs declare the fields they share (`Comment`, `QueryLanguage`,
//! `Assign`, the paths, `Retry`/`Catch`, `Next`/`End`) each on its own: serde's
//! `flatten`, which would let them share a struct, cannot be combined with
//! `deny_unknown_fields` (which refuses an unknown field with its path), and it buffers
//! values in a form that breaks numbers under serde_json's `arbitrary_precision`
//! (enabled in this workspace by `stratosphere`). `State`'s accessors (`assign()`,
//! `input_path()`, …) read a shared field of any state.

mod branch;
mod choice;
pub mod errors;
mod map;
mod nullable;
mod parallel;
mod query_language;
mod retry;
mod state;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub use branch::{Branch, ExecutionType, ProcessorConfig, ProcessorMode};
pub use choice::{ChoiceRule, Condition, JsonAtaCondition};
pub(crate) use choice::{Compared, Comparison, Operand};
pub use map::{ItemBatcher, ItemReader, Map, ResultWriter};
pub use parallel::Parallel;
pub use query_language::QueryLanguage;
pub use retry::{Catcher, Retrier};
pub(crate) use state::WAIT_FOR_TASK_TOKEN;
pub use state::{Choice, Fail, Pass, State, Succeed, Task, Wait};

/// A complete state machine definition.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StateMachine {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The ASL version (`"1.0"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The default query language of every state (`JSONPath` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Name of the first state to run.
    pub start_at: String,
    /// Maximum run time of an execution in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// States by name, in definition order (kept when serializing).
    pub states: IndexMap<String, State>,
}

/// The JSON text is not a well-formed state machine: malformed JSON, a missing or
/// mistyped field, or a field ASL does not define (named with where it is).
#[derive(Debug, thiserror::Error)]
#[error("invalid state machine JSON at `{path}`: {source}")]
pub struct ParseError {
    path: String,
    source: serde_json::Error,
}

impl ParseError {
    /// Where in the definition the problem is, such as `States.Fail.ErrorPath` (`.` for the
    /// top level).
    pub fn path(&self) -> &str {
        &self.path
    }
}

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
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let machine: Self =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|e| ParseError {
                path: e.path().to_string(),
                source: e.into_inner(),
            })?;
        deserializer.end().map_err(|source| ParseError {
            path: ".".to_owned(),
            source,
        })?;
        Ok(machine)
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
