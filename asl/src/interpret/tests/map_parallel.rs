//! Map and Parallel states: concurrency bounds, item selection, failure propagation,
//! tolerated failures and batching.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use super::support::{Fake, machine};
use crate::errors;
use crate::interpret::{Interpreter, Outcome, Status, TaskError, TestClock, task_fn};

async fn run(definition: Value, input: Value) -> Outcome {
    Interpreter::new(&machine(&definition))
        .clock(TestClock::new())
        .run(input)
        .await
}

fn map_over(map_fields: Value, processor_states: Value) -> Value {
    let mut map = json!({
        "Type": "Map",
        "ItemProcessor": {"StartAt": "Work", "States": processor_states},
        "End": true
    });
    if let (Some(map), Some(extra)) = (map.as_object_mut(), map_fields.as_object()) {
        map.extend(extra.clone());
    }
    json!({"StartAt": "Each", "States": {"Each": map}})
}

#[tokio::test]
async fn map_runs_each_item_with_the_selector_and_keeps_order() {
    let definition = map_over(
        json!({"ItemsPath": "$.items",
               "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index",
                                "tag.$": "$.tag"},
               "ResultPath": "$.out"}),
        json!({"Work": {"Type": "Pass", "End": true}}),
    );
    let outcome = run(definition, json!({"items": ["a", "b", "c"], "tag": 7})).await;
    assert_eq!(
        outcome.output,
        Some(json!({"items": ["a", "b", "c"], "tag": 7, "out": [
            {"v": "a", "i": 0, "tag": 7}, {"v": "b", "i": 1, "tag": 7}, {"v": "c", "i": 2, "tag": 7}
        ]}))
    );
    assert_eq!(outcome.states_entered(), ["Each", "Work", "Work", "Work"]);
}

/// `MaxConcurrency` bounds the iterations running at once; 0 runs them all together.
#[tokio::test]
async fn max_concurrency_bounds_running_iterations() {
    for (max, expected_peak) in [(1, 1), (2, 2), (0, 5)] {
        let (active, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (a, p) = (Arc::clone(&active), Arc::clone(&peak));
        let runner = task_fn(move |_, input| {
            let (a, p) = (Arc::clone(&a), Arc::clone(&p));
            async move {
                let now = a.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                a.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, TaskError>(input)
            }
        });
        let definition = map_over(
            json!({"MaxConcurrency": max}),
            json!({"Work": {"Type": "Task", "Resource": "work", "End": true}}),
        );
        let outcome = Interpreter::new(&machine(&definition))
            .runner("work", runner)
            .clock(TestClock::new())
            .run(json!([1, 2, 3, 4, 5]))
            .await;
        assert_eq!(outcome.output, Some(json!([1, 2, 3, 4, 5])), "max {max}");
        assert_eq!(peak.load(Ordering::SeqCst), expected_peak, "max {max}");
    }
}

/// An inline iteration's failure fails the Map with that error, which a Catch can handle.
#[tokio::test]
async fn a_failed_iteration_fails_an_inline_map() {
    let definition = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemProcessor": {"StartAt": "Check", "States": {
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$", "NumericGreaterThan": 2, "Next": "TooBig"}], "Default": "Ok"},
            "Ok": {"Type": "Succeed"},
            "TooBig": {"Type": "Fail", "Error": "TooBig", "Cause": "over two"}}},
            "Catch": [{"ErrorEquals": ["TooBig"], "ResultPath": "$.error", "Next": "Handled"}],
            "ItemsPath": "$.n", "End": true},
        "Handled": {"Type": "Pass", "End": true}}});
    let ok = run(definition.clone(), json!({"n": [1, 2]})).await;
    assert_eq!(ok.output, Some(json!([1, 2])));
    let caught = run(definition, json!({"n": [1, 3]})).await;
    assert_eq!(
        caught.output,
        Some(json!({"n": [1, 3], "error": {"Error": "TooBig", "Cause": "over two"}}))
    );
}

/// Items that are not an array are a runtime error.
#[tokio::test]
async fn items_must_be_an_array() {
    let definition = map_over(
        json!({"ItemsPath": "$.n"}),
        json!({"Work": {"Type": "Pass", "End": true}}),
    );
    let outcome = run(definition, json!({"n": {"a": 1}})).await;
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
}

/// Distributed: failures within the tolerated count leave their error output in place;
/// beyond it the Map fails with `States.ExceedToleratedFailureThreshold`.
#[tokio::test]
async fn distributed_map_tolerates_failures_up_to_the_threshold() {
    let processor = json!({"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Check", "States": {
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$", "NumericGreaterThan": 2, "Next": "TooBig"}], "Default": "Ok"},
            "Ok": {"Type": "Succeed"},
            "TooBig": {"Type": "Fail", "Error": "TooBig", "Cause": "over two"}}});
    let definition = |tolerance: Value| {
        let mut map = json!({"Type": "Map", "ItemProcessor": processor, "End": true});
        if let (Some(map), Some(extra)) = (map.as_object_mut(), tolerance.as_object()) {
            map.extend(extra.clone());
        }
        json!({"StartAt": "Each", "States": {"Each": map}})
    };
    let tolerated = run(
        definition(json!({"ToleratedFailureCount": 1})),
        json!([1, 3, 2]),
    )
    .await;
    assert_eq!(
        tolerated.output,
        Some(json!([1, {"Error": "TooBig", "Cause": "over two"}, 2]))
    );
    for tolerance in [
        json!({"ToleratedFailureCount": 1}),
        json!({"ToleratedFailurePercentage": 50}),
        json!({}),
    ] {
        let input = if tolerance.as_object().is_some_and(|t| t.is_empty()) {
            json!([1, 3])
        } else {
            json!([3, 4, 1])
        };
        let outcome = run(definition(tolerance.clone()), input).await;
        assert_eq!(
            outcome.error.as_deref(),
            Some(errors::EXCEED_TOLERATED_FAILURE_THRESHOLD),
            "{tolerance}"
        );
    }
}

#[tokio::test]
async fn item_batcher_groups_items() {
    let processor = json!({"ProcessorConfig": {"Mode": "DISTRIBUTED"},
        "StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": true}}});
    let definition = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map",
        "ItemProcessor": processor, "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"k": 1}},
        "End": true}}});
    let outcome = run(definition, json!([1, 2, 3])).await;
    assert_eq!(
        outcome.output,
        Some(
            json!([{"BatchInput": {"k": 1}, "Items": [1, 2]}, {"BatchInput": {"k": 1}, "Items": [3]}])
        )
    );
}

#[tokio::test]
async fn parallel_gives_each_branch_the_input_and_collects_outputs() {
    let fake = Fake::replying([Ok(json!("first")), Ok(json!("second"))]);
    let definition = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel",
        "Parameters": {"x.$": "$.x"},
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "work", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "fixed", "End": true}}}
        ],
        "ResultSelector": {"a.$": "$[0]", "b.$": "$[1]"},
        "ResultPath": "$.both", "End": true}}});
    let outcome = Interpreter::new(&machine(&definition))
        .runner("work", fake.clone())
        .clock(TestClock::new())
        .run(json!({"x": 1, "y": 2}))
        .await;
    assert_eq!(
        outcome.output,
        Some(json!({"x": 1, "y": 2, "both": {"a": "first", "b": "fixed"}}))
    );
    assert_eq!(fake.inputs(), [json!({"x": 1})]);
}

/// A failed branch fails the Parallel state with the branch's error; Retry reruns all.
#[tokio::test]
async fn a_failed_branch_fails_the_parallel_state() {
    let fake = Fake::failing(1, "Flaky");
    let definition = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel",
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "work", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}
        ],
        "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1}],
        "End": true}}});
    let outcome = Interpreter::new(&machine(&definition))
        .runner("work", fake.clone())
        .clock(TestClock::new())
        .run(json!({"v": 1}))
        .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!([{"v": 1}, {"v": 1}])));
    assert_eq!(outcome.retries().len(), 1);

    let failing = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel",
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Fail", "Error": "BranchBroke", "Cause": "no"}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}
        ], "End": true}}});
    let outcome = run(failing, json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some("BranchBroke"));
    assert_eq!(outcome.cause.as_deref(), Some("no"));
}
