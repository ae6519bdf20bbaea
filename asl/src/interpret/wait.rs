//! How long a Wait state waits: `Seconds` or `Timestamp`; in JSONPath also `SecondsPath`
//! and `TimestampPath`, read from the effective input; in JSONata `Seconds` and
//! `Timestamp` may be `{% … %}` expressions.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::context::Context;
use super::io_processing::{value_at, whole_number};
use super::jsonata::{Evaluator, States};
use super::jsonata_states::integer_field;
use super::runner::TaskError;
use super::timestamp::Timestamp;
use crate::model::{QueryLanguage, Wait};

/// The duration of `wait` in `language`, reading `input` (JSONPath: the effective input),
/// the time being `now`.
pub(super) fn duration(
    wait: &Wait,
    language: QueryLanguage,
    input: &Value,
    context: &Context<'_>,
    now: SystemTime,
) -> Result<Duration, TaskError> {
    let until = |target: Timestamp| {
        target
            .to_system_time()
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
    };
    if let Some(seconds) = wait.seconds {
        return Ok(Duration::from_secs(seconds));
    }
    match language {
        QueryLanguage::JsonPath => {
            let timestamp = |text: &str| {
                Timestamp::parse(text).map(until).ok_or_else(|| {
                    TaskError::runtime(format!("`{text}` is not an RFC 3339 timestamp"))
                })
            };
            match (&wait.timestamp, &wait.seconds_path, &wait.timestamp_path) {
                (Some(text), _, _) => timestamp(text),
                (None, Some(path), _) => {
                    whole_number("SecondsPath", path, 0, input, context).map(Duration::from_secs)
                }
                (None, None, Some(path)) => {
                    let value = value_at("TimestampPath", path, input, context)?;
                    let text = value.as_str().ok_or_else(|| {
                        TaskError::runtime(format!(
                            "TimestampPath `{path}` is {value}, not a timestamp string"
                        ))
                    })?;
                    timestamp(text)
                }
                (None, None, None) => Err(TaskError::runtime(
                    "the Wait state sets no duration or timestamp",
                )),
            }
        }
        QueryLanguage::JsonAta => match (&wait.seconds_expression, &wait.timestamp) {
            (Some(expression), _) => {
                integer_field("Seconds", expression, 0, input, context).map(Duration::from_secs)
            }
            (None, Some(text)) => {
                let value = Evaluator::new(States::input(input), context)
                    .template("Timestamp", &Value::String(text.clone()))?;
                value
                    .as_str()
                    .and_then(Timestamp::parse)
                    .map(until)
                    .ok_or_else(|| {
                        TaskError::query_evaluation(format!(
                            "Timestamp gave {value}, not a timestamp"
                        ))
                    })
            }
            (None, None) => Err(TaskError::runtime(
                "a JSONata Wait state needs Seconds or Timestamp (the …Path fields are JSONPath's)",
            )),
        },
    }
}
