//! Error handling of Task states: `Retry` retriers and `Catch` catchers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::nullable;

/// One entry of a Task's `Retry` list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Retrier {
    /// Free-text description (the service accepts it on every retrier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Error names this retrier handles.
    pub error_equals: Vec<String>,
    /// Seconds before the first retry (ASL default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<u64>,
    /// Maximum number of retries (ASL default 3; 0 means never retry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u64>,
    /// Multiplier applied to the interval after each attempt (ASL default 2.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_rate: Option<f64>,
    /// Upper bound on the retry interval, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay_seconds: Option<u64>,
    /// `"FULL"` or `"NONE"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jitter_strategy: Option<String>,
}

impl Retrier {
    /// A retrier for the given error names, with ASL defaults for everything else.
    pub fn new<S: Into<String>>(error_equals: impl IntoIterator<Item = S>) -> Self {
        Self {
            error_equals: error_equals.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Sets `IntervalSeconds`.
    #[must_use]
    pub fn interval_seconds(mut self, seconds: u64) -> Self {
        self.interval_seconds = Some(seconds);
        self
    }

    /// Sets `MaxAttempts`.
    #[must_use]
    pub fn max_attempts(mut self, attempts: u64) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Sets `BackoffRate`.
    #[must_use]
    pub fn backoff_rate(mut self, rate: f64) -> Self {
        self.backoff_rate = Some(rate);
        self
    }
}

/// One entry of a Task's `Catch` list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Catcher {
    /// Free-text description (the service accepts it on every catcher).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Error names this catcher handles.
    pub error_equals: Vec<String>,
    /// State to transition to when an error matches.
    pub next: String,
    /// Where the error output goes: absent (`None`), discarded (`Some(None)`, JSON `null`)
    /// or a reference path (`Some(Some(path))`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub result_path: Option<Option<String>>,
    /// Workflow variables to set when this catcher handles an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata: the input of the catcher's `Next` state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
}

impl Catcher {
    /// A catcher sending the given error names to state `next`.
    pub fn new<S: Into<String>>(
        error_equals: impl IntoIterator<Item = S>,
        next: impl Into<String>,
    ) -> Self {
        Self {
            error_equals: error_equals.into_iter().map(Into::into).collect(),
            next: next.into(),
            ..Self::default()
        }
    }
}
