//! The state types of a state machine.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::nullable;
use super::{Catcher, ChoiceRule, Retrier};

/// A state, tagged by its ASL `"Type"` field.
///
/// Map and Parallel states are not supported; parsing them fails.
///
/// Deserialization reads the state as a JSON value first and then dispatches on
/// `"Type"` (instead of serde's internally tagged enums, which buffer numbers in a
/// form that fails under serde_json's `arbitrary_precision`, enabled elsewhere in
/// the workspace).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "Type")]
pub enum State {
    /// Performs work through a `Resource`.
    Task(Task),
    /// Passes its input (or a fixed `Result`) to its output.
    Pass(Pass),
    /// Branches on the first matching rule.
    Choice(Choice),
    /// Delays for a duration or until a timestamp.
    Wait(Wait),
    /// Stops the execution successfully.
    Succeed(Succeed),
    /// Stops the execution with an error.
    Fail(Fail),
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut value = Value::deserialize(deserializer)?;
        let kind = match value.as_object_mut().map(|state| state.remove("Type")) {
            Some(Some(Value::String(kind))) => kind,
            Some(_) => return Err(D::Error::missing_field("Type")),
            None => return Err(D::Error::custom("a state must be a JSON object")),
        };
        let state = match kind.as_str() {
            "Task" => serde_json::from_value(value).map(Self::Task),
            "Pass" => serde_json::from_value(value).map(Self::Pass),
            "Choice" => serde_json::from_value(value).map(Self::Choice),
            "Wait" => serde_json::from_value(value).map(Self::Wait),
            "Succeed" => serde_json::from_value(value).map(Self::Succeed),
            "Fail" => serde_json::from_value(value).map(Self::Fail),
            other => {
                return Err(D::Error::custom(format!(
                    "unsupported state type `{other}` (expected Task, Pass, Choice, Wait, Succeed or Fail)"
                )));
            }
        };
        state.map_err(D::Error::custom)
    }
}

impl State {
    /// The ASL type name (`"Task"`, `"Choice"`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Task(_) => "Task",
            Self::Pass(_) => "Pass",
            Self::Choice(_) => "Choice",
            Self::Wait(_) => "Wait",
            Self::Succeed(_) => "Succeed",
            Self::Fail(_) => "Fail",
        }
    }

    /// The `Next` field of a Task, Pass or Wait state.
    pub fn next(&self) -> Option<&str> {
        match self {
            Self::Task(s) => s.next.as_deref(),
            Self::Pass(s) => s.next.as_deref(),
            Self::Wait(s) => s.next.as_deref(),
            Self::Choice(_) | Self::Succeed(_) | Self::Fail(_) => None,
        }
    }

    /// Whether the state has `"End": true`.
    pub fn is_end(&self) -> bool {
        let end = match self {
            Self::Task(s) => s.end,
            Self::Pass(s) => s.end,
            Self::Wait(s) => s.end,
            Self::Choice(_) | Self::Succeed(_) | Self::Fail(_) => None,
        };
        end == Some(true)
    }

    /// Whether an execution can stop here: Succeed, Fail, or `"End": true`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeed(_) | Self::Fail(_)) || self.is_end()
    }

    /// Every transition out of this state as `(field, target)`, where `field` locates it
    /// (`"Next"`, `"Default"`, `"Choices[0].Next"`, `"Catch[1].Next"`).
    pub fn transitions(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = self
            .next()
            .map(|n| ("Next".to_owned(), n))
            .into_iter()
            .collect();
        match self {
            Self::Task(task) => out.extend(
                task.catch
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("Catch[{i}].Next"), c.next.as_str())),
            ),
            Self::Choice(choice) => {
                out.extend(choice.choices.iter().enumerate().filter_map(|(i, rule)| {
                    Some((format!("Choices[{i}].Next"), rule.next.as_deref()?))
                }));
                out.extend(choice.default.as_deref().map(|d| ("Default".to_owned(), d)));
            }
            Self::Pass(_) | Self::Wait(_) | Self::Succeed(_) | Self::Fail(_) => {}
        }
        out
    }
}

/// A Task state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Task {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// URI of the work to perform (Lambda ARN, `arn:aws:states:::…` integration, …).
    pub resource: String,
    /// Payload template for the resource; keys ending in `.$` are paths or intrinsics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Payload template applied to the resource's result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_selector: Option<Value>,
    /// Input filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub input_path: Option<Option<String>>,
    /// Output filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub output_path: Option<Option<String>>,
    /// Where the result goes: absent, discarded (`Some(None)`) or a reference path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub result_path: Option<Option<String>>,
    /// Maximum run time in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Maximum time between heartbeats in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_seconds: Option<u64>,
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

impl Task {
    /// A Task invoking `resource`, with no transition yet.
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            ..Self::default()
        }
    }

    /// Sets `Parameters`.
    #[must_use]
    pub fn parameters(mut self, parameters: Value) -> Self {
        self.parameters = Some(parameters);
        self
    }

    /// Sets `ResultSelector`.
    #[must_use]
    pub fn result_selector(mut self, selector: Value) -> Self {
        self.result_selector = Some(selector);
        self
    }

    /// Sets `ResultPath` to a reference path.
    #[must_use]
    pub fn result_path(mut self, path: impl Into<String>) -> Self {
        self.result_path = Some(Some(path.into()));
        self
    }

    /// Sets `TimeoutSeconds`.
    #[must_use]
    pub fn timeout_seconds(mut self, seconds: u64) -> Self {
        self.timeout_seconds = Some(seconds);
        self
    }

    /// Sets `HeartbeatSeconds`.
    #[must_use]
    pub fn heartbeat_seconds(mut self, seconds: u64) -> Self {
        self.heartbeat_seconds = Some(seconds);
        self
    }

    /// Appends a retrier to `Retry`.
    #[must_use]
    pub fn retry(mut self, retrier: Retrier) -> Self {
        self.retry.push(retrier);
        self
    }

    /// Appends a catcher to `Catch`.
    #[must_use]
    pub fn catch(mut self, catcher: Catcher) -> Self {
        self.catch.push(catcher);
        self
    }
}

/// A Pass state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Pass {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Fixed output replacing the (filtered) input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// Payload template; keys ending in `.$` are paths or intrinsics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    /// Input filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub input_path: Option<Option<String>>,
    /// Output filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub output_path: Option<Option<String>>,
    /// Where the result goes: absent, discarded (`Some(None)`) or a reference path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub result_path: Option<Option<String>>,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends the execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
}

impl Pass {
    /// A Pass state with no transition yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `Result`.
    #[must_use]
    pub fn result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }

    /// Sets `ResultPath` to a reference path.
    #[must_use]
    pub fn result_path(mut self, path: impl Into<String>) -> Self {
        self.result_path = Some(Some(path.into()));
        self
    }
}

/// A Choice state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Choice {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Input filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub input_path: Option<Option<String>>,
    /// Output filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub output_path: Option<Option<String>>,
    /// Rules tried in order; the first match decides the next state.
    #[serde(default)]
    pub choices: Vec<ChoiceRule>,
    /// State to go to when no rule matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl Choice {
    /// A Choice state with no rules yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a rule to `Choices`.
    #[must_use]
    pub fn rule(mut self, rule: ChoiceRule) -> Self {
        self.choices.push(rule);
        self
    }

    /// Sets `Default`, the state to go to when no rule matches.
    #[must_use]
    pub fn otherwise(mut self, state: impl Into<String>) -> Self {
        self.default = Some(state.into());
        self
    }
}

/// A Wait state; exactly one of the four duration fields should be set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Wait {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
    /// RFC 3339 timestamp to wait until.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Path to the number of seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_path: Option<String>,
    /// Path to the timestamp to wait until.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_path: Option<String>,
    /// Input filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub input_path: Option<Option<String>>,
    /// Output filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub output_path: Option<Option<String>>,
    /// Next state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Whether this state ends the execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<bool>,
}

impl Wait {
    /// A Wait state waiting `seconds`, with no transition yet.
    pub fn seconds(seconds: u64) -> Self {
        Self {
            seconds: Some(seconds),
            ..Self::default()
        }
    }
}

/// A Succeed state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Succeed {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Input filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub input_path: Option<Option<String>>,
    /// Output filter: absent, `null` (`Some(None)`) or a path.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    pub output_path: Option<Option<String>>,
}

impl Succeed {
    /// A Succeed state.
    pub fn new() -> Self {
        Self::default()
    }
}

/// A Fail state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Fail {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Error name reported by the failed execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Human-readable cause reported by the failed execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

impl Fail {
    /// A Fail state reporting `error` with `cause`.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            comment: None,
            error: Some(error.into()),
            cause: Some(cause.into()),
        }
    }
}

/// `next`/`end` builders shared by the states that carry a transition.
macro_rules! transition_builders {
    ($($ty:ident),*) => {$(
        impl $ty {
            /// Sets `Next`, the state to go to on completion.
            #[must_use]
            pub fn next(mut self, state: impl Into<String>) -> Self {
                self.next = Some(state.into());
                self
            }

            /// Sets `"End": true`, making this a terminal state.
            #[must_use]
            pub fn end(mut self) -> Self {
                self.end = Some(true);
                self
            }
        }
    )*};
}
transition_builders!(Task, Pass, Wait);

/// `comment` builders and `From<_> for State` for every state type.
macro_rules! state_type {
    ($($ty:ident),*) => {$(
        impl $ty {
            /// Sets `Comment`.
            #[must_use]
            pub fn comment(mut self, comment: impl Into<String>) -> Self {
                self.comment = Some(comment.into());
                self
            }
        }

        impl From<$ty> for State {
            fn from(state: $ty) -> Self {
                Self::$ty(state)
            }
        }
    )*};
}
state_type!(Task, Pass, Choice, Wait, Succeed, Fail);
