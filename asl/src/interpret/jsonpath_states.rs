//! The states in the JSONPath query language (the default): `InputPath` selects the
//! effective input, `Parameters` builds a payload from it, a Choice rule compares a
//! `Variable`, the `…Path` fields read numbers (and, in `wait`, timestamps), `Assign` reads
//! the effective
//! input (or result) as `$`, and `OutputPath` selects the output. (A Task, Map, Parallel or
//! Pass state's result becomes its output in `completion`, a catcher's error output in
//! `catch`.)

use serde_json::Value;

use super::choice;
use super::context::Context;
use super::io_processing::{effective_input, input_path, output_path, whole_number};
use super::parameters;
use super::runner::TaskError;
use super::workflow::{Completed, next_state};
use crate::model::{Choice, Fail, Pass, State, Task};

/// A Task's payload (`InputPath`, then `Parameters`) and its timeout in seconds
/// (`TimeoutSeconds` or `TimeoutSecondsPath`, read from the effective input);
/// `HeartbeatSecondsPath` is checked.
pub(super) fn task_input(
    task: &Task,
    raw: &Value,
    context: &Context<'_>,
) -> Result<(Value, Option<u64>), TaskError> {
    let effective = input_path(task.input_path.as_ref(), raw, context)?;
    let timeout = match (task.timeout_seconds, &task.timeout_seconds_path) {
        (Some(seconds), _) => Some(seconds),
        (None, Some(path)) => Some(whole_number(
            "TimeoutSecondsPath",
            path,
            1,
            &effective,
            context,
        )?),
        (None, None) => None,
    };
    if let Some(path) = &task.heartbeat_seconds_path {
        whole_number("HeartbeatSecondsPath", path, 1, &effective, context)?;
    }
    let payload = match &task.parameters {
        Some(template) => parameters::apply(template, &effective, context)?,
        None => effective.into_owned(),
    };
    Ok((payload, timeout))
}

/// A Pass state's result: `Result`, else its effective input (`InputPath`, then
/// `Parameters`, whose output over the payload quota is the terminal error).
pub(super) fn pass_result(
    pass: &Pass,
    raw: &Value,
    context: &Context<'_>,
) -> Result<Value, TaskError> {
    if let Some(result) = &pass.result {
        return Ok(result.clone());
    }
    effective_input(
        pass.input_path.as_ref(),
        pass.parameters.as_ref(),
        raw,
        context,
    )
}

/// `Assign` (reading `effective` as `$`) and `OutputPath` of a state without a result,
/// going to `next`.
fn pass_on<'m>(
    assign: Option<&Value>,
    path: Option<&Option<String>>,
    effective: Value,
    next: Option<&'m str>,
    context: &Context<'_>,
) -> Result<Completed<'m>, TaskError> {
    let assigned = assign
        .map(|assign| parameters::assign(assign, &effective, context))
        .transpose()?;
    let output = output_path(path, effective, context)?;
    Ok(Completed {
        output,
        next,
        assigned,
    })
}

/// A Choice state: `InputPath`, the first matching rule (or `Default`), its `Assign`,
/// `OutputPath`.
pub(super) fn choice<'m>(
    choice: &'m Choice,
    raw: &Value,
    context: &Context<'_>,
) -> Result<Completed<'m>, TaskError> {
    let effective = input_path(choice.input_path.as_ref(), raw, context)?;
    let (next, rule) = choice::decide(choice, |_, rule| {
        Ok(choice::matches(rule, &effective, context)?)
    })?;
    let assign = match rule {
        Some(rule) => rule.assign.as_ref(),
        None => choice.assign.as_ref(),
    };
    pass_on(
        assign,
        choice.output_path.as_ref(),
        effective.into_owned(),
        Some(next),
        context,
    )
}

/// A Wait (once it has waited) or Succeed state: `Assign` (reading its effective input
/// `effective` as `$`) and `OutputPath`, going to its `Next`.
pub(super) fn pass_through<'m>(
    state: &'m State,
    effective: Value,
    context: &Context<'_>,
) -> Result<Completed<'m>, TaskError> {
    let next = next_state(state)?;
    pass_on(
        state.assign(),
        state.output_path(),
        effective,
        next,
        context,
    )
}

/// The error a Fail state ends with: `Error`/`Cause`, or `ErrorPath`/`CausePath` (a path
/// or an intrinsic giving a string) evaluated against its input.
pub(super) fn fail(fail: &Fail, input: &Value, context: &Context<'_>) -> TaskError {
    let text = |field: &str, literal: &Option<String>, path: &Option<String>| match (literal, path)
    {
        (Some(text), _) => Ok(text.clone()),
        (None, Some(path)) => match parameters::expression_value(field, path, input, context) {
            Ok(Value::String(text)) => Ok(text),
            Ok(other) => Err(TaskError::runtime(format!(
                "{field} `{path}` is {other}, not a string"
            ))),
            Err(e) => Err(TaskError::runtime(e.to_string())),
        },
        (None, None) => Ok(String::new()),
    };
    let error = text("ErrorPath", &fail.error, &fail.error_path);
    let cause = text("CausePath", &fail.cause, &fail.cause_path);
    match (error, cause) {
        (Ok(error), Ok(cause)) => TaskError::new(error, cause),
        (Err(e), _) | (_, Err(e)) => e,
    }
}
