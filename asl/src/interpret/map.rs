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

use serde_json::{Map as Object, Value, json};

use super::concurrency::{BoxFuture, join_bounded};
use super::context::Context;
use super::executor::{Assigned, Execution, Journal, Workflow};
use super::io_processing::{Completion, input_path, runtime};
use super::jsonata_states;
use super::parameters;
use super::paths;
use super::payload;
use super::runner::TaskError;
use crate::errors;
use crate::model::{ItemBatcher, Map, QueryLanguage};

impl<'a> Execution<'a> {
    /// One attempt: InputPath → ItemsPath → ItemSelector (+ ItemBatcher) → the iterations →
    /// ResultSelector → Assign → ResultPath → OutputPath.
    pub(super) async fn map_attempt(
        &self,
        map: &'a Map,
        raw: &Value,
        context: &Context<'_>,
        language: QueryLanguage,
        journal: &mut Journal,
    ) -> Result<(Value, Assigned), TaskError> {
        let Some((_, processor)) = map.processor() else {
            return Err(runtime("the Map state has no ItemProcessor"));
        };
        if map.item_reader.is_some() || map.result_writer.is_some() {
            return Err(runtime(
                "ItemReader and ResultWriter (S3) are not supported by this interpreter",
            ));
        }
        let jsonata = language == QueryLanguage::JsonAta;
        let effective = if jsonata {
            std::borrow::Cow::Borrowed(raw)
        } else {
            input_path(map.input_path.as_ref(), raw, context)?
        };
        let items = match (&map.items_path, jsonata) {
            (_, true) => std::borrow::Cow::Owned(jsonata_states::map_items(map, raw, context)?),
            (Some(path), false) => paths::resolve(path, &effective, context)
                .map_err(|e| runtime(format!("ItemsPath: {e}")))?,
            (None, false) => std::borrow::Cow::Borrowed(effective.as_ref()),
        };
        let Value::Array(items) = items.as_ref() else {
            let source = match (jsonata, &map.items_path) {
                (true, _) => "Items".to_owned(),
                (false, path) => format!("ItemsPath `{}`", path.as_deref().unwrap_or("$")),
            };
            return Err(TaskError::new(
                if jsonata {
                    errors::QUERY_EVALUATION_ERROR
                } else {
                    errors::RUNTIME
                },
                format!("{source} is {items}, not an array"),
            ));
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_context = Context {
                map_item: Some((index, item)),
                ..*context
            };
            inputs.push(match map.selector() {
                Some(_) if jsonata => {
                    jsonata_states::map_item_input(map, raw, item, &item_context)?
                }
                Some(template) => parameters::apply(template, &effective, &item_context)?,
                None => item.clone(),
            });
        }
        let distributed = map.is_distributed();
        if let Some(batcher) = &map.item_batcher {
            inputs = batches(batcher, inputs, &effective, context)?;
        }
        let limit = match (map.max_concurrency, &map.max_concurrency_path) {
            (Some(max), _) => max,
            (None, Some(path)) => integer_at("MaxConcurrencyPath", path, &effective, context)?,
            (None, None) => match &map.max_concurrency_expression {
                Some(expression) => jsonata_states::integer_field(
                    "MaxConcurrency",
                    expression,
                    0,
                    &effective,
                    context,
                )?,
                None => 0,
            },
        };
        let workflow = Workflow::of(processor, language);
        // A distributed Map's child executions do not see the parent's variables.
        let outer = if distributed { None } else { context.variables };
        let iterations: Vec<BoxFuture<'_, (Result<Value, TaskError>, Journal)>> = inputs
            .into_iter()
            .map(|input| {
                let run: BoxFuture<'_, _> = Box::pin(async move {
                    let mut child = Journal::default();
                    let result = self.run_states(workflow, input, outer, &mut child).await;
                    (result, child)
                });
                run
            })
            .collect();
        let total = iterations.len();
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        // Inline, the first failure stops the others and its error ends the loop below.
        let outputs = join_bounded(iterations, limit, |(result, _)| {
            !distributed && result.is_err()
        })
        .await
        .unwrap_or_else(|finished| finished);
        let mut results = Vec::with_capacity(outputs.len());
        let mut failures = 0u64;
        for (result, child) in outputs {
            journal.history.extend(child.history);
            // A child execution of a distributed Map fails on its own.
            journal.terminal |= !distributed && child.terminal;
            match result {
                Ok(output) => results.push(output),
                Err(error) if distributed => {
                    failures += 1;
                    results.push(error.to_error_output());
                }
                Err(error) => return Err(error),
            }
        }
        if distributed {
            tolerate(map, failures, total, &effective, context)?;
        }
        let results = Value::Array(results);
        payload::check(&results, "the Map state's result")?;
        if jsonata {
            return jsonata_states::complete(
                map.output.as_ref(),
                map.assign.as_ref(),
                raw,
                results,
                context,
            );
        }
        Completion {
            result_selector: map.result_selector.as_ref(),
            assign: map.assign.as_ref(),
            result_path: map.result_path.as_ref(),
            output_path: map.output_path.as_ref(),
        }
        .apply(raw, results, context)
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
    let max_items = match (
        batcher.max_items_per_batch,
        &batcher.max_items_per_batch_path,
    ) {
        (Some(max), _) => Some(max),
        (None, Some(path)) => Some(integer_at(
            "MaxItemsPerBatchPath",
            path,
            effective,
            context,
        )?),
        (None, None) => batcher
            .max_items_per_batch_expression
            .as_deref()
            .map(|e| jsonata_states::integer_field("MaxItemsPerBatch", e, 1, effective, context))
            .transpose()?,
    };
    let max_bytes = match (
        batcher.max_input_bytes_per_batch,
        &batcher.max_input_bytes_per_batch_path,
    ) {
        (Some(max), _) => Some(max),
        (None, Some(path)) => Some(integer_at(
            "MaxInputBytesPerBatchPath",
            path,
            effective,
            context,
        )?),
        (None, None) => batcher
            .max_input_bytes_per_batch_expression
            .as_deref()
            .map(|e| {
                jsonata_states::integer_field("MaxInputBytesPerBatch", e, 1, effective, context)
            })
            .transpose()?,
    };
    if max_items.is_none() && max_bytes.is_none() {
        return Err(runtime(
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
                return Err(runtime("ToleratedFailureCount cannot be negative."));
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
        return Err(runtime(
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
    let value =
        paths::resolve(path, input, context).map_err(|e| runtime(format!("{field}: {e}")))?;
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
            Err(runtime(format!(
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
        return Err(runtime(format!(
            "Expected non-negative integer for {}, got '{number}' instead.",
            field.trim_end_matches("Path")
        )));
    }
    Ok(number as u64)
}
