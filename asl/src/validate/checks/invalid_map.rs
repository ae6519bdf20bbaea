//! `invalid-map`: a Map state has exactly one processor (`ItemProcessor` or the legacy
//! `Iterator`), at most one of each field and its `…Path` twin, a tolerated percentage
//! within 0–100, the distributed-mode fields (`ItemReader`, `ItemBatcher`, `ResultWriter`,
//! `ToleratedFailure…`, `Label`) only in `DISTRIBUTED` mode, S3 resources for its reader and
//! writer, and a bound in its batcher.

use super::unknown_service_integration::integration;
use crate::model::{Map, State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let State::Map(map) = state else {
            continue;
        };
        for problem in problems(map) {
            out.push(Diagnostic::state(Rule::InvalidMap, name, problem));
        }
    }
}

fn problems(map: &Map) -> Vec<String> {
    let mut out = Vec::new();
    let mut exclusive = |a: &str, a_set: bool, b: &str, b_set: bool| {
        if a_set && b_set {
            out.push(format!("sets both {a} and {b}"));
        }
    };
    exclusive(
        "ItemProcessor",
        map.item_processor.is_some(),
        "Iterator",
        map.iterator.is_some(),
    );
    exclusive(
        "ItemSelector",
        map.item_selector.is_some(),
        "Parameters",
        map.parameters.is_some(),
    );
    exclusive(
        "MaxConcurrency",
        map.max_concurrency.is_some() || map.max_concurrency_expression.is_some(),
        "MaxConcurrencyPath",
        map.max_concurrency_path.is_some(),
    );
    exclusive(
        "ToleratedFailureCount",
        map.tolerated_failure_count.is_some() || map.tolerated_failure_count_expression.is_some(),
        "ToleratedFailureCountPath",
        map.tolerated_failure_count_path.is_some(),
    );
    exclusive(
        "ToleratedFailurePercentage",
        map.tolerated_failure_percentage.is_some()
            || map.tolerated_failure_percentage_expression.is_some(),
        "ToleratedFailurePercentagePath",
        map.tolerated_failure_percentage_path.is_some(),
    );
    if map.processor().is_none() {
        out.push("has no ItemProcessor".to_owned());
    }
    if let Some(percentage) = map.tolerated_failure_percentage
        && !(0.0..=100.0).contains(&percentage)
    {
        out.push(format!(
            "ToleratedFailurePercentage is {percentage}, must be within 0 and 100"
        ));
    }
    if !map.is_distributed() {
        let distributed_only = [
            ("ItemReader", map.item_reader.is_some()),
            ("ItemBatcher", map.item_batcher.is_some()),
            ("ResultWriter", map.result_writer.is_some()),
            (
                "ToleratedFailureCount",
                map.tolerated_failure_count.is_some()
                    || map.tolerated_failure_count_expression.is_some(),
            ),
            (
                "ToleratedFailureCountPath",
                map.tolerated_failure_count_path.is_some(),
            ),
            (
                "ToleratedFailurePercentage",
                map.tolerated_failure_percentage.is_some()
                    || map.tolerated_failure_percentage_expression.is_some(),
            ),
            (
                "ToleratedFailurePercentagePath",
                map.tolerated_failure_percentage_path.is_some(),
            ),
            ("Label", map.label.is_some()),
        ];
        for (field, _) in distributed_only.iter().filter(|(_, set)| *set) {
            out.push(format!(
                "{field} needs the processor's Mode to be DISTRIBUTED"
            ));
        }
    }
    let s3 = |resource: &str, actions: &[&str]| {
        integration(resource).is_some_and(|action| actions.contains(&action))
    };
    if let Some(reader) = &map.item_reader
        && !s3(&reader.resource, &["s3:getObject", "s3:listObjectsV2"])
    {
        out.push(format!(
            "ItemReader.Resource `{}` is not arn:aws:states:::s3:getObject or s3:listObjectsV2",
            reader.resource
        ));
    }
    if let Some(writer) = &map.result_writer
        && let Some(resource) = &writer.resource
        && !s3(resource, &["s3:putObject"])
    {
        out.push(format!(
            "ResultWriter.Resource `{resource}` is not arn:aws:states:::s3:putObject"
        ));
    }
    if let Some(batcher) = &map.item_batcher
        && batcher.max_items_per_batch.is_none()
        && batcher.max_items_per_batch_path.is_none()
        && batcher.max_input_bytes_per_batch.is_none()
        && batcher.max_input_bytes_per_batch_path.is_none()
        && batcher.max_items_per_batch_expression.is_none()
        && batcher.max_input_bytes_per_batch_expression.is_none()
    {
        out.push("ItemBatcher sets no MaxItemsPerBatch or MaxInputBytesPerBatch".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn map_fields_fit_together() {
        let processor = |mode: &str| {
            json!({"ProcessorConfig": {"Mode": mode},
            "StartAt": "W", "States": {"W": {"Type": "Succeed"}}})
        };
        let mut got = reported(json!({"StartAt": "Inline", "States": {
            "Inline": {"Type": "Map", "ItemProcessor": processor("INLINE"), "Next": "Distributed"},
            "Distributed": {"Type": "Map", "ItemProcessor": processor("DISTRIBUTED"),
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                               "ReaderConfig": {"InputType": "JSON"},
                               "Parameters": {"Bucket": "b", "Key": "k"}},
                "ItemBatcher": {"MaxItemsPerBatch": 10},
                "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                 "Parameters": {"Bucket": "b", "Prefix": "p"}},
                "ToleratedFailurePercentage": 5, "Label": "run", "Next": "NoProcessor"},
            "NoProcessor": {"Type": "Map", "Next": "InlineTolerance"},
            "InlineTolerance": {"Type": "Map", "ItemProcessor": processor("INLINE"),
                "ToleratedFailureCount": 1, "Next": "BadReader"},
            "BadReader": {"Type": "Map", "ItemProcessor": processor("DISTRIBUTED"),
                "ItemReader": {"Resource": "arn:aws:states:::s3:query"},
                "ToleratedFailurePercentage": 150, "Next": "Both"},
            "Both": {"Type": "Map", "ItemProcessor": processor("INLINE"), "MaxConcurrency": 1,
                "MaxConcurrencyPath": "$.max", "End": true}
        }}));
        // JSON objects keep their keys sorted here, so compare in name order.
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            [
                "BadReader",
                "BadReader",
                "Both",
                "InlineTolerance",
                "NoProcessor"
            ]
            .map(|s| at(Rule::InvalidMap, s))
        );
    }
}
