//! The state types of a state machine.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::nullable;
use super::{Branch, Catcher, ChoiceRule, Map, Parallel, QueryLanguage, Retrier};

/// A state, tagged by its ASL `"Type"` field.
///
/// Deserialization reads the state as a JSON value first and then dispatches on
/// `"Type"` (instead of serde's internally tagged enums, which buffer numbers in a
/// form that fails under serde_json's `arbitrary_precision`, enabled elsewhere in
/// the workspace). Unknown fields are refused, naming the field and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "Type")]
#[allow(
    clippy::large_enum_variant,
    reason = "states are built once per definition; boxing would change the variants' shape for every caller"
)]
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
    /// Runs a sub-workflow for each item of an array.
    Map(Map),
    /// Runs several sub-workflows on the same input, concurrently.
    Parallel(Parallel),
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
        fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
            serde_path_to_error::deserialize(value).map_err(|e| {
                let path = e.path().to_string();
                if path == "." {
                    e.into_inner().to_string()
                } else {
                    format!("{path}: {}", e.into_inner())
                }
            })
        }
        if let Some(fields) = value.as_object_mut() {
            route_expressions(&kind, fields);
        }
        let state = match kind.as_str() {
            "Task" => typed(value).map(Self::Task),
            "Pass" => typed(value).map(Self::Pass),
            "Choice" => typed(value).map(Self::Choice),
            "Wait" => typed(value).map(Self::Wait),
            "Succeed" => typed(value).map(Self::Succeed),
            "Fail" => typed(value).map(Self::Fail),
            "Map" => typed(value).map(Self::Map),
            "Parallel" => typed(value).map(Self::Parallel),
            other => {
                return Err(D::Error::custom(format!(
                    "unknown state type `{other}` (expected Task, Pass, Choice, Wait, Succeed, Fail, Map or Parallel)"
                )));
            }
        };
        state.map_err(D::Error::custom)
    }
}

/// The numeric fields a JSONata state may write as a `{% … %}` string, by state type (and,
/// for a Map, in its `ItemBatcher`).
const EXPRESSION_FIELDS: [(&str, &[&str]); 3] = [
    ("Task", &["TimeoutSeconds", "HeartbeatSeconds"]),
    ("Wait", &["Seconds"]),
    (
        "Map",
        &[
            "MaxConcurrency",
            "ToleratedFailurePercentage",
            "ToleratedFailureCount",
        ],
    ),
];

/// The numeric fields of a Map's `ItemBatcher` that may be `{% … %}` strings.
const BATCHER_EXPRESSION_FIELDS: [&str; 2] = ["MaxItemsPerBatch", "MaxInputBytesPerBatch"];

/// Moves each numeric field written as a string to the `…{%}` key its expression field
/// reads (the model keeps numbers and expressions in fields of their own).
fn route_expressions(kind: &str, fields: &mut serde_json::Map<String, Value>) {
    fn route(names: &[&str], fields: &mut serde_json::Map<String, Value>) {
        for name in names {
            if let Some(Value::String(_)) = fields.get(*name)
                && let Some(text) = fields.remove(*name)
            {
                fields.insert(format!("{name}{{%}}"), text);
            }
        }
    }
    for (state_type, names) in EXPRESSION_FIELDS {
        if state_type == kind {
            route(names, fields);
        }
    }
    if kind == "Map"
        && let Some(Value::Object(batcher)) = fields.get_mut("ItemBatcher")
    {
        route(&BATCHER_EXPRESSION_FIELDS, batcher);
    }
}

/// `Some(&state.field)` when `state` is one of the listed variants (which all have the
/// field, of one type), `None` otherwise.
macro_rules! field {
    ($state:expr, $field:ident: $($variant:ident)|+) => {
        match $state {
            $(State::$variant(s) => Some(&s.$field),)+
            #[allow(unreachable_patterns, reason = "the list may name every variant")]
            _ => None,
        }
    };
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
            Self::Map(_) => "Map",
            Self::Parallel(_) => "Parallel",
        }
    }

    /// The `Next` field of a Task, Pass, Wait, Map or Parallel state.
    pub fn next(&self) -> Option<&str> {
        field!(self, next: Task | Pass | Wait | Map | Parallel)?.as_deref()
    }

    /// Whether the state has `"End": true`.
    pub fn is_end(&self) -> bool {
        field!(self, end: Task | Pass | Wait | Map | Parallel) == Some(&Some(true))
    }

    /// Whether an execution can stop here: Succeed, Fail, or `"End": true`.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeed(_) | Self::Fail(_)) || self.is_end()
    }

    /// The state's own `QueryLanguage`, if it names one.
    pub fn query_language(&self) -> Option<QueryLanguage> {
        *field!(self, query_language: Task | Pass | Choice | Wait | Succeed | Fail | Map | Parallel)?
    }

    /// The `Assign` object of the state (Succeed and Fail have none).
    pub fn assign(&self) -> Option<&Value> {
        field!(self, assign: Task | Pass | Choice | Wait | Map | Parallel)?.as_ref()
    }

    /// JSONata: the `Output` of the state (Fail has none).
    pub fn output(&self) -> Option<&Value> {
        field!(self, output: Task | Pass | Choice | Wait | Succeed | Map | Parallel)?.as_ref()
    }

    /// JSONata: the `Arguments` of a Task or Parallel state.
    pub fn arguments(&self) -> Option<&Value> {
        field!(self, arguments: Task | Parallel)?.as_ref()
    }

    /// The `InputPath` of the state (Fail has none): absent, `null` or a path.
    pub fn input_path(&self) -> Option<&Option<String>> {
        field!(self, input_path: Task | Pass | Choice | Wait | Succeed | Map | Parallel)?.as_ref()
    }

    /// The `OutputPath` of the state (Fail has none): absent, `null` or a path.
    pub fn output_path(&self) -> Option<&Option<String>> {
        field!(self, output_path: Task | Pass | Choice | Wait | Succeed | Map | Parallel)?.as_ref()
    }

    /// The `ResultPath` of a Task, Pass, Map or Parallel state: absent, `null` or a path.
    pub fn result_path(&self) -> Option<&Option<String>> {
        field!(self, result_path: Task | Pass | Map | Parallel)?.as_ref()
    }

    /// The `Parameters` of a Task, Pass, Map (the legacy name of `ItemSelector`) or
    /// Parallel state.
    pub fn parameters(&self) -> Option<&Value> {
        field!(self, parameters: Task | Pass | Map | Parallel)?.as_ref()
    }

    /// The `ResultSelector` of a Task, Map or Parallel state.
    pub fn result_selector(&self) -> Option<&Value> {
        field!(self, result_selector: Task | Map | Parallel)?.as_ref()
    }

    /// The numeric fields written as JSONata `{% … %}` strings, as `(field, text)`.
    pub(crate) fn numeric_expressions(&self) -> Vec<(&'static str, &str)> {
        let fields: Vec<(&'static str, &Option<String>)> = match self {
            Self::Task(task) => vec![
                ("TimeoutSeconds", &task.timeout_seconds_expression),
                ("HeartbeatSeconds", &task.heartbeat_seconds_expression),
            ],
            Self::Wait(wait) => vec![("Seconds", &wait.seconds_expression)],
            Self::Map(map) => {
                let mut fields = vec![
                    ("MaxConcurrency", &map.max_concurrency_expression),
                    (
                        "ToleratedFailurePercentage",
                        &map.tolerated_failure_percentage_expression,
                    ),
                    (
                        "ToleratedFailureCount",
                        &map.tolerated_failure_count_expression,
                    ),
                ];
                if let Some(batcher) = &map.item_batcher {
                    fields.extend([
                        (
                            "ItemBatcher.MaxItemsPerBatch",
                            &batcher.max_items_per_batch_expression,
                        ),
                        (
                            "ItemBatcher.MaxInputBytesPerBatch",
                            &batcher.max_input_bytes_per_batch_expression,
                        ),
                    ]);
                }
                fields
            }
            _ => Vec::new(),
        };
        fields
            .into_iter()
            .filter_map(|(field, text)| Some((field, text.as_deref()?)))
            .collect()
    }

    /// The `Retry` list of a Task, Map or Parallel state (empty for the others).
    pub fn retriers(&self) -> &[Retrier] {
        field!(self, retry: Task | Map | Parallel).map_or(&[], Vec::as_slice)
    }

    /// The `Catch` list of a Task, Map or Parallel state (empty for the others).
    pub fn catchers(&self) -> &[Catcher] {
        field!(self, catch: Task | Map | Parallel).map_or(&[], Vec::as_slice)
    }

    /// The sub-workflows of a Map (its processor) or Parallel (its branches) state, with
    /// the field locating each (`"ItemProcessor"`, `"Branches[1]"`).
    pub fn children(&self) -> Vec<(String, &Branch)> {
        match self {
            Self::Map(map) => map
                .processor()
                .map(|(field, branch)| (field.to_owned(), branch))
                .into_iter()
                .collect(),
            Self::Parallel(parallel) => parallel
                .branches
                .iter()
                .enumerate()
                .map(|(i, branch)| (format!("Branches[{i}]"), branch))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every transition out of this state as `(field, target)`, where `field` locates it
    /// (`"Next"`, `"Default"`, `"Choices[0].Next"`, `"Catch[1].Next"`).
    pub fn transitions(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = self
            .next()
            .map(|n| ("Next".to_owned(), n))
            .into_iter()
            .collect();
        out.extend(
            self.catchers()
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("Catch[{i}].Next"), c.next.as_str())),
        );
        if let Self::Choice(choice) = self {
            out.extend(choice.choices.iter().enumerate().filter_map(|(i, rule)| {
                Some((format!("Choices[{i}].Next"), rule.next.as_deref()?))
            }));
            out.extend(choice.default.as_deref().map(|d| ("Default".to_owned(), d)));
        }
        out
    }
}

/// A Task state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Task {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Workflow variables to set when the state completes (name → value or, for keys ending
    /// in `.$`, a path or intrinsic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata: the state's output (replaces `OutputPath`/`ResultPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// JSONata: the payload (replaces `Parameters`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
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
    /// Path to the maximum run time in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds_path: Option<String>,
    /// JSONata: `TimeoutSeconds` written as a `{% … %}` expression (a positive integer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(serialize = "TimeoutSeconds", deserialize = "TimeoutSeconds{%}")
    )]
    pub timeout_seconds_expression: Option<String>,
    /// Maximum time between heartbeats in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_seconds: Option<u64>,
    /// Path to the maximum time between heartbeats in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_seconds_path: Option<String>,
    /// JSONata: `HeartbeatSeconds` written as a `{% … %}` expression (a positive integer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(serialize = "HeartbeatSeconds", deserialize = "HeartbeatSeconds{%}")
    )]
    pub heartbeat_seconds_expression: Option<String>,
    /// Cross-account role to assume for the task (`RoleArn` or `RoleArn.$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Value>,
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

/// The end of the `Resource` of a Task that waits for a callback with its task token.
pub(crate) const WAIT_FOR_TASK_TOKEN: &str = ".waitForTaskToken";

impl Task {
    /// Whether the Task waits for a callback with its task token (`$$.Task.Token`).
    pub(crate) fn waits_for_task_token(&self) -> bool {
        self.resource.ends_with(WAIT_FOR_TASK_TOKEN)
    }

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
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Pass {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Workflow variables to set when the state completes (name → value or, for keys ending
    /// in `.$`, a path or intrinsic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata: the state's output (replaces `OutputPath`/`ResultPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
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
}

/// A Choice state.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Choice {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Workflow variables to set when the state completes (name → value or, for keys ending
    /// in `.$`, a path or intrinsic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata: the state's output (replaces `OutputPath`/`ResultPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
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
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Wait {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Workflow variables to set when the state completes (name → value or, for keys ending
    /// in `.$`, a path or intrinsic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Value>,
    /// JSONata: the state's output (replaces `OutputPath`/`ResultPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
    /// JSONata: `Seconds` written as a `{% … %}` expression (a non-negative integer).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename(serialize = "Seconds", deserialize = "Seconds{%}")
    )]
    pub seconds_expression: Option<String>,
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
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Succeed {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// JSONata: the state's output (replaces `OutputPath`/`ResultPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
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
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Fail {
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `JSONPath` (the default) or `JSONata`, overriding the machine's `QueryLanguage`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_language: Option<QueryLanguage>,
    /// Error name reported by the failed execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Human-readable cause reported by the failed execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Path (or intrinsic) giving the error name from the state input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_path: Option<String>,
    /// Path (or intrinsic) giving the cause from the state input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_path: Option<String>,
}

impl Fail {
    /// A Fail state reporting `error` with `cause`.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: Some(error.into()),
            cause: Some(cause.into()),
            ..Self::default()
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
transition_builders!(Task, Pass, Wait, Map, Parallel);

/// The `result_path` builder of the states and the catcher that have a `ResultPath`.
macro_rules! result_path_builder {
    ($($ty:ident),*) => {$(
        impl $ty {
            /// Sets `ResultPath` to a reference path.
            #[must_use]
            pub fn result_path(mut self, path: impl Into<String>) -> Self {
                self.result_path = Some(Some(path.into()));
                self
            }
        }
    )*};
}
result_path_builder!(Task, Pass, Map, Parallel, Catcher);

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
state_type!(Task, Pass, Choice, Wait, Succeed, Fail, Map, Parallel);
