//! A sub-workflow: a Parallel branch or a Map state's item processor.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{QueryLanguage, State};

/// A self-contained set of states with its own `StartAt` (a Parallel branch, a Map
/// `ItemProcessor` or legacy `Iterator`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Branch {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Map only: how the items are processed (`INLINE` or `DISTRIBUTED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor_config: Option<ProcessorConfig>,
    /// `JSONPath` or `JSONata` for the states of this sub-workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Name of the first state to run.
    pub start_at: String,
    /// States by name, in definition order.
    pub states: IndexMap<String, State>,
}

impl Branch {
    /// A sub-workflow starting at the state named `start_at`.
    pub fn new(start_at: impl Into<String>) -> Self {
        Self {
            start_at: start_at.into(),
            ..Self::default()
        }
    }

    /// Adds (or replaces) the state `name`.
    #[must_use]
    pub fn state(mut self, name: impl Into<String>, state: impl Into<State>) -> Self {
        self.states.insert(name.into(), state.into());
        self
    }
}

/// A Map state's `ItemProcessor.ProcessorConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ProcessorConfig {
    /// `INLINE` (the default) or `DISTRIBUTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ProcessorMode>,
    /// Distributed mode: `STANDARD` or `EXPRESS` child workflow executions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_type: Option<ExecutionType>,
}

/// How a Map state processes its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProcessorMode {
    /// Iterations run inside the parent execution.
    Inline,
    /// Each item (or batch) runs as a child workflow execution.
    Distributed,
}

/// The kind of child workflow executions of a distributed Map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionType {
    /// Standard workflows.
    Standard,
    /// Express workflows.
    Express,
}
