//! The Map state: its processor runs for each item of an array (`ItemsPath`), each
//! iteration's input built by `ItemSelector`, at most `MaxConcurrency` at a time; the result
//! is the array of the iterations' outputs.
//!
//! Inline, the first failed iteration fails the state with its error. Distributed (the
//! processor's `Mode` is `DISTRIBUTED`), iterations run in a variable scope of their own,
//! `ItemBatcher` groups the items, and failures are counted against
//! `ToleratedFailureCount`/`ToleratedFailurePercentage`: over the threshold the state fails
//! with `States.ExceedToleratedFailureThreshold`, under it a failed item's output is its
//! error output. `ItemReader` and `ResultWriter` (S3) are not supported.

use std::borrow::Cow;

use serde_json::{Map as Object, Value, json};

use super::context::Context;
use super::io_processing::{input_path, value_at};
use super::jsonata_states;
use super::parameters;
use super::payload;
use super::runner::TaskError;
use super::workflow::{Journal, Scope, Subworkflows, Workflow, run_all};
use crate::errors;
use crate::model::{ItemBatcher, Map, QueryLanguage};

/// One attempt: InputPath → ItemsPath (JSONata: `Items`) → ItemSelector (+ ItemBatcher) →
/// the iterations, run by `runner`; gives the array of their outputs (the state's result).
pub(super) async fn attempt<'a, R: Subworkflows<'a>>(
    runner: &R,
    map: &'a Map,
    raw: &Value,
    context: &Context<'_>,
    language: QueryLanguage,
    journal: &mut Journal,
) -> Result<Value, TaskError> {
    let Some((_, processor)) = map.processor() else {
        return Err(TaskError::runtime("the Map state has no ItemProcessor"));
    };
    if map.item_reader.is_some() || map.result_writer.is_some() {
        return Err(TaskError::runtime(
            "ItemReader and ResultWriter (S3) are not supported by this interpreter",
        ));
    }
    let effective = match language {
        QueryLanguage::JsonPath => input_path(map.input_path.as_ref(), raw, context)?,
        QueryLanguage::JsonAta => Cow::Borrowed(raw),
    };
    let items = match (language, &map.items_path) {
        (QueryLanguage::JsonAta, _) => Cow::Owned(jsonata_states::field_or(
            "Items",
            map.items.as_ref(),
            raw,
            context,
            || raw.clone(),
        )?),
        (QueryLanguage::JsonPath, Some(path)) => value_at("ItemsPath", path, &effective, context)?,
        (QueryLanguage::JsonPath, None) => Cow::Borrowed(effective.as_ref()),
    };
    let Value::Array(items) = items.as_ref() else {
        return Err(match language {
            QueryLanguage::JsonAta => {
                TaskError::query_evaluation(format!("Items is {items}, not an array"))
            }
            QueryLanguage::JsonPath => TaskError::runtime(format!(
                "ItemsPath `{}` is {items}, not an array",
                map.items_path.as_deref().unwrap_or("$")
            )),
        });
    };
    let mut inputs = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_context = Context {
            map_item: Some((index, item)),
            ..*context
        };
        inputs.push(match (language, map.selector()) {
            (QueryLanguage::JsonAta, _) => jsonata_states::field_or(
                "ItemSelector",
                map.item_selector.as_ref(),
                raw,
                &item_context,
                || item.clone(),
            )?,
            (QueryLanguage::JsonPath, Some(template)) => {
                parameters::apply(template, &effective, &item_context)?
            }
            (QueryLanguage::JsonPath, None) => item.clone(),
        });
    }
    if let Some(batcher) = &map.item_batcher {
        inputs = batches(batcher, inputs, &effective, context)?;
    }
    let limit = integer(
        "MaxConcurrency",
        map.max_concurrency,
        map.max_concurrency_path.as_deref(),
        map.max_concurrency_expression.as_deref(),
        0,
        &effective,
        context,
    )?;
    let workflow = Workflow::of(processor, language);
    let scope = if map.is_distributed() {
        Scope::Distributed
    } else {
        Scope::Inline
    };
    let runs = inputs.into_iter().map(|input| (workflow, input)).collect();
    let limit = usize::try_from(limit.unwrap_or(0)).unwrap_or(usize::MAX);
    let outcomes = run_all(runner, runs, scope, context.variables, limit, journal).await?;
    let total = outcomes.len();
    let mut failures = 0u64;
    // Inline, a failure ended the state above; distributed, a failed item's result is its
    // error output.
    let results: Vec<Value> = outcomes
        .into_iter()
        .map(|outcome| {
            outcome.unwrap_or_else(|error| {
                failures += 1;
                error.to_error_output()
            })
        })
        .collect();
    if scope == Scope::Distributed {
        tolerate(map, failures, total, &effective, context)?;
    }
    let results = Value::Array(results);
    payload::check(&results, "the Map state's result")?;
    Ok(results)
}

/// A number of the Map state or its batcher: `literal`, else the non-negative integer at
/// `path` (the field `…Path`) in `input`, else the integer of at least `min` the JSONata
/// `expression` gives; `None` when none is set.
fn integer(
    field: &str,
    literal: Option<u64>,
    path: Option<&str>,
    expression: Option<&str>,
    min: u64,
    input: &Value,
    context: &Context<'_>,
) -> Result<Option<u64>, TaskError> {
    match (literal, path, expression) {
        (Some(literal), _, _) => Ok(Some(literal)),
        (None, Some(path), _) => {
            integer_at(&format!("{field}Path"), path, input, context).map(Some)
        }
        (None, None, Some(expression)) => {
            jsonata_states::integer_field(field, expression, min, input, context).map(Some)
        }
        (None, None, None) => Ok(None),
    }
}

/// Groups `inputs` into `{"Items": [...], "BatchInput": ...}` batches of at most
/// `MaxItemsPerBatch` items and `MaxInputBytesPerBatch` bytes.
fn batches(
    batcher: &ItemBatcher,
    inputs: Vec<Value>,
    effective: &Value,
    context: &Context<'_>,
) -> Result<Vec<Value>, TaskError> {
    let max_items = integer(
        "MaxItemsPerBatch",
        batcher.max_items_per_batch,
        batcher.max_items_per_batch_path.as_deref(),
        batcher.max_items_per_batch_expression.as_deref(),
        1,
        effective,
        context,
    )?;
    let max_bytes = integer(
        "MaxInputBytesPerBatch",
        batcher.max_input_bytes_per_batch,
        batcher.max_input_bytes_per_batch_path.as_deref(),
        batcher.max_input_bytes_per_batch_expression.as_deref(),
        1,
        effective,
        context,
    )?;
    if max_items.is_none() && max_bytes.is_none() {
        return Err(TaskError::runtime(
            "ItemBatcher sets neither MaxItemsPerBatch nor MaxInputBytesPerBatch",
        ));
    }
    let batch = |items: Vec<Value>| {
        let mut fields = Object::new();
        if let Some(input) = &batcher.batch_input {
            fields.insert("BatchInput".to_owned(), input.clone());
        }
        fields.insert("Items".to_owned(), Value::Array(items));
        Value::Object(fields)
    };
    let mut out = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut bytes = 0u64;
    for input in inputs {
        let size = payload::size(&input);
        let full_by_items = max_items.is_some_and(|max| current.len() as u64 >= max);
        let full_by_bytes = max_bytes.is_some_and(|max| bytes + size > max);
        if !current.is_empty() && (full_by_items || full_by_bytes) {
            out.push(batch(std::mem::take(&mut current)));
            bytes = 0;
        }
        bytes += size;
        current.push(input);
    }
    if !current.is_empty() {
        out.push(batch(current));
    }
    Ok(out)
}

/// `Ok` when `failures` of `total` items are within the tolerated thresholds (none set:
/// none tolerated).
fn tolerate(
    map: &Map,
    failures: u64,
    total: usize,
    effective: &Value,
    context: &Context<'_>,
) -> Result<(), TaskError> {
    let count = match (
        map.tolerated_failure_count,
        &map.tolerated_failure_count_path,
    ) {
        (Some(count), _) => Some(count),
        (None, Some(path)) => {
            let count = number_at(
                "ToleratedFailureCountPath",
                "integer",
                path,
                effective,
                context,
            )?;
            if count < 0.0 {
                return Err(TaskError::runtime(
                    "ToleratedFailureCount cannot be negative.",
                ));
            }
            Some(count as u64)
        }
        (None, None) => map
            .tolerated_failure_count_expression
            .as_deref()
            .map(|e| {
                jsonata_states::integer_field("ToleratedFailureCount", e, 0, effective, context)
            })
            .transpose()?,
    };
    let percentage = match (
        map.tolerated_failure_percentage,
        &map.tolerated_failure_percentage_path,
    ) {
        (Some(percentage), _) => Some(percentage),
        (None, Some(path)) => Some(number_at(
            "ToleratedFailurePercentagePath",
            "float",
            path,
            effective,
            context,
        )?),
        (None, None) => map
            .tolerated_failure_percentage_expression
            .as_deref()
            .map(|e| {
                jsonata_states::number_field("ToleratedFailurePercentage", e, effective, context)
            })
            .transpose()?,
    };
    if percentage.is_some_and(|percentage| !(0.0..=100.0).contains(&percentage)) {
        return Err(TaskError::runtime(
            "ToleratedFailurePercentage must be between 0 and 100.",
        ));
    }
    let over_count = count.is_some_and(|count| failures > count);
    let over_percentage = percentage.is_some_and(|percentage| {
        total > 0 && (failures as f64) * 100.0 / (total as f64) > percentage
    });
    let none_tolerated = count.is_none() && percentage.is_none() && failures > 0;
    if over_count || over_percentage || none_tolerated {
        return Err(TaskError::new(
            errors::EXCEED_TOLERATED_FAILURE_THRESHOLD,
            json!({"failed": failures, "total": total}).to_string(),
        ));
    }
    Ok(())
}

/// The number at `path` (for a Map state's `…Path` field), written as a JSON number or as
/// text (`"1"`, as a variable may hold it): an integer when `kind` is `"integer"`, else any
/// finite number. Anything else is `States.Runtime`, worded as the service words it.
fn number_at(
    field: &str,
    kind: &str,
    path: &str,
    input: &Value,
    context: &Context<'_>,
) -> Result<f64, TaskError> {
    let value = value_at(field, path, input, context)?;
    let number = match value.as_ref() {
        Value::Number(number) => number.as_f64(),
        Value::String(text) if kind == "integer" => text.parse::<i64>().ok().map(|n| n as f64),
        Value::String(text) => text.parse::<f64>().ok(),
        _ => None,
    };
    let integer = kind != "integer" || number.is_some_and(|n| n.fract() == 0.0);
    match number {
        Some(number) if number.is_finite() && integer => Ok(number),
        _ => {
            let shown = match value.as_ref() {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            Err(TaskError::runtime(format!(
                "The {field} field refers to value \"{shown}\" which is not a valid {kind}: {path}"
            )))
        }
    }
}

/// The non-negative integer at `path` (`MaxConcurrencyPath`, the batcher's paths).
fn integer_at(
    field: &str,
    path: &str,
    input: &Value,
    context: &Context<'_>,
) -> Result<u64, TaskError> {
    let number = number_at(field, "integer", path, input, context)?;
    if number < 0.0 {
        return Err(TaskError::runtime(format!(
            "Expected non-negative integer for {}, got '{number}' instead.",
            field.trim_end_matches("Path")
        )));
    }
    Ok(number as u64)
}
