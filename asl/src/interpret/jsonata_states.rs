//! The states in the JSONata query language: `Arguments` builds a task's (or the branches')
//! input from `$states.input`; `Output` and `Assign` read the variables as they were
//! before the state; a Choice rule is a `Condition`; a Map's items come from `Items`
//! (default: the input). Without `Output`, a Pass, Choice, Wait or Succeed state outputs
//! its input. (A Task, Map or Parallel state's result becomes its output in
//! `completion`, a catcher's error output in `catch`.)

use serde_json::Value;

use super::choice;
use super::context::Context;
use super::jsonata::{Evaluator, States, expression};
use super::runner::TaskError;
use super::workflow::{Completed, next_state};
use crate::model::{Choice, Condition, Fail, Pass, State, Task};

/// `template`, the JSONata field `field` (`Arguments`, `Items`, `ItemSelector`), evaluated
/// with `$states.input` bound to `input`; `default()` without the field.
pub(super) fn field_or(
    field: &str,
    template: Option<&Value>,
    input: &Value,
    context: &Context<'_>,
    default: impl FnOnce() -> Value,
) -> Result<Value, TaskError> {
    match template {
        Some(template) => Evaluator::new(States::input(input), context).template(field, template),
        None => Ok(default()),
    }
}

/// A Task's input (`Arguments`, default: the state's input) and its timeout in seconds
/// (`TimeoutSeconds`, a number or an expression); `HeartbeatSeconds` is checked.
pub(super) fn task_input(
    task: &Task,
    input: &Value,
    context: &Context<'_>,
) -> Result<(Value, Option<u64>), TaskError> {
    let arguments = field_or("Arguments", task.arguments.as_ref(), input, context, || {
        input.clone()
    })?;
    let timeout = match (&task.timeout_seconds, &task.timeout_seconds_expression) {
        (Some(seconds), _) => Some(*seconds),
        (None, Some(expression)) => Some(integer_field(
            "TimeoutSeconds",
            expression,
            1,
            input,
            context,
        )?),
        (None, None) => None,
    };
    if let Some(expression) = &task.heartbeat_seconds_expression {
        integer_field("HeartbeatSeconds", expression, 1, input, context)?;
    }
    Ok((arguments, timeout))
}

/// The number the `{% … %}` `expression` of the numeric field `field` gives.
pub(super) fn number_field(
    field: &str,
    expression: &str,
    input: &Value,
    context: &Context<'_>,
) -> Result<f64, TaskError> {
    let value = Evaluator::new(States::input(input), context)
        .template(field, &Value::String(expression.to_owned()))?;
    value
        .as_f64()
        .ok_or_else(|| TaskError::query_evaluation(format!("{field} gave {value}, not a number")))
}

/// The whole number of at least `min` the `{% … %}` `expression` of `field` gives.
pub(super) fn integer_field(
    field: &str,
    expression: &str,
    min: u64,
    input: &Value,
    context: &Context<'_>,
) -> Result<u64, TaskError> {
    let number = number_field(field, expression, input, context)?;
    if number.fract() != 0.0 || number < min as f64 || number > u64::MAX as f64 {
        return Err(TaskError::query_evaluation(format!(
            "{field} gave {number}, not an integer of at least {min}"
        )));
    }
    Ok(number as u64)
}

/// `Output` (default: the input) and `Assign` of a state or Choice rule without a result,
/// going to `next`.
fn pass_on<'m>(
    output: Option<&Value>,
    assign: Option<&Value>,
    input: Value,
    next: Option<&'m str>,
    context: &Context<'_>,
) -> Result<Completed<'m>, TaskError> {
    let (output, assigned) =
        Evaluator::new(States::input(&input), context).finish(assign, output)?;
    Ok(Completed {
        output: output.unwrap_or(input),
        next,
        assigned,
    })
}

/// A Pass, Wait (once it has waited) or Succeed state: its `Output` (default: its input)
/// and `Assign`, going to its `Next`. (`Result` is a JSONPath field.)
pub(super) fn pass_through<'m>(
    state: &'m State,
    input: Value,
    context: &Context<'_>,
) -> Result<Completed<'m>, TaskError> {
    if let State::Pass(Pass {
        result: Some(_), ..
    }) = state
    {
        // The guide: `Result` is JSONPath only (`Output` is JSONata's).
        return Err(TaskError::runtime(
            "Result is a JSONPath field; a JSONata Pass state outputs its Output",
        ));
    }
    let next = next_state(state)?;
    pass_on(state.output(), state.assign(), input, next, context)
}

/// A Choice state: the first rule whose `Condition` holds (or `Default`), with its
/// output and variables.
pub(super) fn choice<'m>(
    choice: &'m Choice,
    input: Value,
    context: &Context<'_>,
) -> Result<Completed<'m>, TaskError> {
    let evaluator = Evaluator::new(States::input(&input), context);
    let (next, rule) = choice::decide(choice, |i, rule| match &rule.condition {
        Condition::Condition(condition) => {
            evaluator.condition(&format!("Choices[{i}].Condition"), condition)
        }
        _ => Err(TaskError::runtime(format!(
            "Choices[{i}] is a JSONPath rule; a JSONata state's rules have a Condition"
        ))),
    })?;
    let (output, assign) = match rule {
        Some(rule) => (rule.output.as_ref(), rule.assign.as_ref()),
        None => (choice.output.as_ref(), choice.assign.as_ref()),
    };
    pass_on(output, assign, input, Some(next), context)
}

/// A Fail state's error: `Error` and `Cause`, each a string or an expression giving one.
pub(super) fn fail(fail: &Fail, input: &Value, context: &Context<'_>) -> TaskError {
    let evaluator = Evaluator::new(States::input(input), context);
    let text = |field: &str, value: &Option<String>| match value {
        None => Ok(String::new()),
        Some(text) => match expression(text) {
            None => Ok(text.clone()),
            Some(expression) => match evaluator.evaluate(field, expression)? {
                Value::String(text) => Ok(text),
                other => Err(TaskError::query_evaluation(format!(
                    "{field} gave {other}, not a string"
                ))),
            },
        },
    };
    match (text("Error", &fail.error), text("Cause", &fail.cause)) {
        (Ok(error), Ok(cause)) => TaskError::new(error, cause),
        (Err(e), _) | (_, Err(e)) => e,
    }
}
