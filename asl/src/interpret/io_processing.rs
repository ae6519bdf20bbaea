//! The JSONPath input and output processing shared by the states: `InputPath` (and
//! `Parameters` after it), `ResultPath`, `OutputPath`, and the numbers read by `…Path`
//! fields.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use super::context::Context;
use super::parameters;
use super::paths::{self, Path};
use super::payload;
use super::runner::TaskError;
use crate::errors;

/// The value the path `path` of the field `field` selects from `input`; `States.Runtime`
/// naming the field when it selects nothing or is malformed.
pub(crate) fn value_at<'v>(
    field: &str,
    path: &str,
    input: &'v Value,
    context: &Context<'v>,
) -> Result<Cow<'v, Value>, TaskError> {
    paths::resolve(path, input, context).map_err(|e| TaskError::runtime(format!("{field}: {e}")))
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
        Some(Some(path)) => value_at("InputPath", path, raw, context),
    }
}

/// The effective input of a Pass or Parallel state: `InputPath`, then the `Parameters`
/// template applied to what it selects (over the payload quota, the state's terminal
/// `States.DataLimitExceeded`).
pub(crate) fn effective_input(
    path: Option<&Option<String>>,
    parameters: Option<&Value>,
    raw: &Value,
    context: &Context<'_>,
) -> Result<Value, TaskError> {
    let effective = input_path(path, raw, context)?;
    match parameters {
        Some(template) => {
            let input = parameters::apply(template, &effective, context)?;
            payload::check(&input, "the state's input after Parameters")?;
            Ok(input)
        }
        None => Ok(effective.into_owned()),
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
        Some(Some(path)) => value_at("OutputPath", path, &value, context).map(Cow::into_owned),
    }
}

/// The whole number of at least `min` at `path`, the value of the field `field`
/// (`TimeoutSecondsPath`, `HeartbeatSecondsPath`, `SecondsPath`).
pub(crate) fn whole_number(
    field: &str,
    path: &str,
    min: u64,
    input: &Value,
    context: &Context<'_>,
) -> Result<u64, TaskError> {
    let value = value_at(field, path, input, context)?;
    value.as_u64().filter(|n| *n >= min).ok_or_else(|| {
        TaskError::runtime(format!(
            "{field} `{path}` is {value}, not an integer of at least {min}"
        ))
    })
}
