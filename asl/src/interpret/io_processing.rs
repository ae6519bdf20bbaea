//! The JSONPath input and output processing shared by the states: `InputPath`,
//! `ResultSelector` + `Assign`, `ResultPath` and `OutputPath`.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use super::context::Context;
use super::parameters;
use super::paths::{self, Path};
use super::runner::TaskError;
use super::variables;
use crate::errors;

/// A `States.Runtime` error with `cause`.
pub(crate) fn runtime(cause: impl Into<String>) -> TaskError {
    TaskError::new(errors::RUNTIME, cause)
}

/// `InputPath`: absent keeps the raw input, `null` gives `{}`, a path selects from it.
pub(crate) fn input_path<'v>(
    path: Option<&Option<String>>,
    raw: &'v Value,
    context: &Context<'v>,
) -> Result<Cow<'v, Value>, TaskError> {
    match path {
        None => Ok(Cow::Borrowed(raw)),
        Some(None) => Ok(Cow::Owned(Value::Object(Map::new()))),
        Some(Some(path)) => {
            paths::resolve(path, raw, context).map_err(|e| runtime(format!("InputPath: {e}")))
        }
    }
}

/// `ResultPath`: absent replaces the raw input with the result, `null` keeps the raw input,
/// a reference path places the result inside (a copy of) the raw input.
pub(crate) fn result_path(
    path: Option<&Option<String>>,
    raw: &Value,
    result: Value,
) -> Result<Value, TaskError> {
    match path {
        None => Ok(result),
        Some(None) => Ok(raw.clone()),
        Some(Some(path)) => {
            let failure = |e: &dyn fmt::Display| {
                TaskError::new(
                    errors::RESULT_PATH_MATCH_FAILURE,
                    format!("ResultPath: {e}"),
                )
            };
            let path = Path::parse(path).map_err(|e| failure(&e))?;
            if path.as_str() == "$" {
                return Ok(result);
            }
            let mut combined = raw.clone();
            path.write(&mut combined, result).map_err(|e| failure(&e))?;
            Ok(combined)
        }
    }
}

/// `OutputPath`: absent keeps the value, `null` gives `{}`, a path selects from it.
pub(crate) fn output_path(
    path: Option<&Option<String>>,
    value: Value,
    context: &Context<'_>,
) -> Result<Value, TaskError> {
    match path {
        None => Ok(value),
        Some(None) => Ok(Value::Object(Map::new())),
        Some(Some(path)) => paths::resolve(path, &value, context)
            .map(Cow::into_owned)
            .map_err(|e| runtime(format!("OutputPath: {e}"))),
    }
}

/// The fields that turn the result of a Task, Map or Parallel state into its output.
pub(crate) struct Completion<'f> {
    /// `ResultSelector`.
    pub result_selector: Option<&'f Value>,
    /// `Assign`.
    pub assign: Option<&'f Value>,
    /// `ResultPath`.
    pub result_path: Option<&'f Option<String>>,
    /// `OutputPath`.
    pub output_path: Option<&'f Option<String>>,
}

impl Completion<'_> {
    /// `ResultSelector` → `Assign` (reading the selected result as `$`) → `ResultPath` →
    /// `OutputPath`: the state's output and the variables it assigns.
    pub fn apply(
        &self,
        raw: &Value,
        result: Value,
        context: &Context<'_>,
    ) -> Result<(Value, Option<Map<String, Value>>), TaskError> {
        let result = match self.result_selector {
            Some(template) => parameters::apply(template, &result, context)?,
            None => result,
        };
        let assigned = self
            .assign
            .map(|assign| variables::evaluate(assign, &result, context))
            .transpose()?;
        let combined = result_path(self.result_path, raw, result)?;
        let output = output_path(self.output_path, combined, context)?;
        Ok((output, assigned))
    }
}

/// The value at `path` as a positive whole number of seconds (`TimeoutSecondsPath`,
/// `HeartbeatSecondsPath`, `MaxConcurrencyPath`, …).
pub(crate) fn whole_number(
    field: &str,
    path: &str,
    input: &Value,
    context: &Context<'_>,
) -> Result<u64, TaskError> {
    let value =
        paths::resolve(path, input, context).map_err(|e| runtime(format!("{field}: {e}")))?;
    value.as_u64().ok_or_else(|| {
        runtime(format!(
            "{field} `{path}` is {value}, not a non-negative integer"
        ))
    })
}
