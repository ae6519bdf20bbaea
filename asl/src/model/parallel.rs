//! The Parallel state: several sub-workflows run concurrently on the same input.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::nullable;
use super::{Branch, Catcher, QueryLanguage, Retrier};

/// A Parallel state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Parallel {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Workflow variables to set when the state completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata: the state's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// JSONata: each branch's input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// The sub-workflows, each given a copy of the effective input.
    pub branches: Vec<Branch>,
    /// Input filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub input_path: Option<Option<String>>,
    /// Output filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub output_path: Option<Option<String>>,
    /// Where the array of branch outputs goes: absent, discarded or a reference path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub result_path: Option<Option<String>>,
    /// Template building each branch's input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Template applied to the array of branch outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    /// Retry policy, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry: Vec<Retrier>,
    /// Fallback transitions once retries are exhausted, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catch: Vec<Catcher>,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends the execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
}

impl Parallel {
    /// A Parallel state running `branches`, with no transition yet.
    pub fn new(branches: impl IntoIterator<Item = Branch>) -> Self {
        Self {
            branches: branches.into_iter().collect(),
            ..Self::default()
        }
    }
}
