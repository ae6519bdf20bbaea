//! The states in the JSONata query language: `Arguments` builds a task's (or the branches')
//! input from `$states.input`; `Output` and `Assign` read `$states.result` (or, in a
//! catcher, `$states.errorOutput`) and the variables as they were before the state; a
//! Choice rule is a `Condition`; a Map's items come from `Items` (default: the input).
//! Without `Output`, a Task, Map or Parallel state outputs its result, a catcher its error
//! output, and the other states their input.

use std::time::Duration;

use serde_json::Value;

use super::context::Context;
use super::executor::{Assigned, Execution};
use super::io_processing::runtime;
use super::jsonata::{Evaluator, States, expression};
use super::payload;
use super::runner::TaskError;
use super::timestamp::Timestamp;
use crate::errors;
use crate::model::{Catcher, Choice, Condition, Fail, Map, Parallel, Task, Wait};

impl Execution<'_> {
    /// One Task attempt: `Arguments` → invoke → `Output` and `Assign`.
    pub(super) async fn jsonata_task_attempt(
        &self,
        task: &Task,
        input: &Value,
        context: &Context<'_>,
    ) -> Result<(Value, Assigned), TaskError> {
        let arguments = match &task.arguments {
            Some(arguments) => {
                Evaluator::new(States::input(input), context).template("Arguments", arguments)?
            }
            None => input.clone(),
        };
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
        payload::check(&arguments, "the task input")?;
        let result = self.invoke(task, arguments, timeout).await?;
        payload::check_result(&result, &task.resource)?;
        complete(
            task.output.as_ref(),
            task.assign.as_ref(),
            input,
            result,
            context,
        )
    }

    /// A Wait state's duration from `Seconds` or `Timestamp` (a timestamp or an expression
    /// giving one).
    pub(super) fn jsonata_wait_duration(
        &self,
        wait: &Wait,
        input: &Value,
        context: &Context<'_>,
    ) -> Result<Duration, TaskError> {
        match (&wait.seconds, &wait.timestamp) {
            (Some(seconds), _) => Ok(Duration::from_secs(*seconds)),
            (None, _) if wait.seconds_expression.is_some() => {
                let expression = wait.seconds_expression.as_deref().unwrap_or_default();
                let seconds = integer_field("Seconds", expression, 0, input, context)?;
                Ok(Duration::from_secs(seconds))
            }
            (None, Some(timestamp)) => {
                let value = Evaluator::new(States::input(input), context)
                    .template("Timestamp", &Value::String(timestamp.clone()))?;
                let target = value.as_str().and_then(Timestamp::parse).ok_or_else(|| {
                    TaskError::new(
                        errors::QUERY_EVALUATION_ERROR,
                        format!("Timestamp gave {value}, not a timestamp"),
                    )
                })?;
                Ok(target
                    .to_system_time()
                    .duration_since(self.now())
                    .unwrap_or(Duration::ZERO))
            }
            (None, None) => Err(runtime(
                "a JSONata Wait state needs Seconds or Timestamp (the …Path fields are JSONPath's)",
            )),
        }
    }
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
    value.as_f64().ok_or_else(|| {
        TaskError::new(
            errors::QUERY_EVALUATION_ERROR,
            format!("{field} gave {value}, not a number"),
        )
    })
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
        return Err(TaskError::new(
            errors::QUERY_EVALUATION_ERROR,
            format!("{field} gave {number}, not an integer of at least {min}"),
        ));
    }
    Ok(number as u64)
}

/// `Output` (default: `result`) and `Assign` of a state with a result.
pub(super) fn complete(
    output: Option<&Value>,
    assign: Option<&Value>,
    input: &Value,
    result: Value,
    context: &Context<'_>,
) -> Result<(Value, Assigned), TaskError> {
    let evaluator = Evaluator::new(
        States {
            input,
            result: Some(&result),
            error_output: None,
        },
        context,
    );
    let assigned = assign.map(|assign| evaluator.assign(assign)).transpose()?;
    let output = match output {
        Some(output) => evaluator.template("Output", output)?,
        None => result,
    };
    Ok((output, assigned))
}

/// `Output` (default: the input) and `Assign` of a Pass, Wait or Succeed state, or of the
/// matched Choice rule.
pub(super) fn pass_through(
    output: Option<&Value>,
    assign: Option<&Value>,
    input: Value,
    context: &Context<'_>,
) -> Result<(Value, Assigned), TaskError> {
    let evaluator = Evaluator::new(States::input(&input), context);
    let assigned = assign.map(|assign| evaluator.assign(assign)).transpose()?;
    let output = match output {
        Some(output) => evaluator.template("Output", output)?,
        None => input,
    };
    Ok((output, assigned))
}

/// The first rule whose `Condition` holds (or `Default`), with its output and variables.
pub(super) fn choose<'m>(
    choice: &'m Choice,
    input: Value,
    context: &Context<'_>,
) -> Result<(&'m str, Value, Assigned), TaskError> {
    let evaluator = Evaluator::new(States::input(&input), context);
    for (i, rule) in choice.choices.iter().enumerate() {
        let Condition::Condition(condition) = &rule.condition else {
            return Err(runtime(format!(
                "Choices[{i}] is a JSONPath rule; a JSONata state's rules have a Condition"
            )));
        };
        if evaluator.condition(&format!("Choices[{i}].Condition"), condition)? {
            let next = rule
                .next
                .as_deref()
                .ok_or_else(|| runtime(format!("Choices[{i}] matched but has no Next")))?;
            let (output, assigned) =
                pass_through(rule.output.as_ref(), rule.assign.as_ref(), input, context)?;
            return Ok((next, output, assigned));
        }
    }
    let Some(default) = choice.default.as_deref() else {
        return Err(TaskError::new(
            errors::NO_CHOICE_MATCHED,
            "no choice rule matched and there is no Default",
        ));
    };
    let (output, assigned) = pass_through(
        choice.output.as_ref(),
        choice.assign.as_ref(),
        input,
        context,
    )?;
    Ok((default, output, assigned))
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
                other => Err(TaskError::new(
                    errors::QUERY_EVALUATION_ERROR,
                    format!("{field} gave {other}, not a string"),
                )),
            },
        },
    };
    match (text("Error", &fail.error), text("Cause", &fail.cause)) {
        (Ok(error), Ok(cause)) => TaskError::new(error, cause),
        (Err(e), _) | (_, Err(e)) => e,
    }
}

/// A catcher's output (default: the error output) and variables.
pub(super) fn caught(
    catcher: &Catcher,
    input: &Value,
    error: &TaskError,
    context: &Context<'_>,
) -> Result<(Value, Assigned), TaskError> {
    let error_output = error.to_error_output();
    let evaluator = Evaluator::new(
        States {
            input,
            result: None,
            error_output: Some(&error_output),
        },
        context,
    );
    let assigned = catcher
        .assign
        .as_ref()
        .map(|assign| evaluator.assign(assign))
        .transpose()?;
    let output = match &catcher.output {
        Some(output) => evaluator.template("Output", output)?,
        None => error_output,
    };
    Ok((output, assigned))
}

/// A Map state's items: `Items` (an array, or an expression giving one), else the input.
pub(super) fn map_items(
    map: &Map,
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, TaskError> {
    match &map.items {
        Some(items) => Evaluator::new(States::input(input), context).template("Items", items),
        None => Ok(input.clone()),
    }
}

/// One iteration's input: `ItemSelector` evaluated with `$states.context.Map.Item`.
pub(super) fn map_item_input(
    map: &Map,
    input: &Value,
    item: &Value,
    item_context: &Context<'_>,
) -> Result<Value, TaskError> {
    match &map.item_selector {
        Some(selector) => {
            Evaluator::new(States::input(input), item_context).template("ItemSelector", selector)
        }
        None => Ok(item.clone()),
    }
}

/// The input of a Parallel state's branches: `Arguments`, else the state's input.
pub(super) fn parallel_input(
    parallel: &Parallel,
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, TaskError> {
    match &parallel.arguments {
        Some(arguments) => {
            Evaluator::new(States::input(input), context).template("Arguments", arguments)
        }
        None => Ok(input.clone()),
    }
}
