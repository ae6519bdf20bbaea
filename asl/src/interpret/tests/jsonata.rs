//! JSONata states: `Arguments`, `Output` and `Assign` with `$states`, catchers'
//! `$states.errorOutput`, Choice `Condition`s, Map `Items` and `ItemSelector` (reading
//! variables), Parallel `Arguments`, Fail and Wait expressions, and a query language set
//! per state overriding the machine's.

use serde_json::{Value, json};

use super::support::{Fake, machine};
use crate::errors;
use crate::interpret::{Interpreter, Outcome, TaskError, TestClock};

async fn run_with(definition: Value, fake: Fake, input: Value) -> Outcome {
    Interpreter::new(&machine(&definition))
        .runner("work", fake)
        .clock(TestClock::new())
        .run(input)
        .await
}

#[tokio::test]
async fn task_arguments_output_and_assign_read_states() {
    let fake = Fake::replying([Ok(json!({"id": 7, "total": 30}))]);
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "work",
                 "Arguments": {"order": "{% $states.input.order %}", "fixed": 1},
                 "Assign": {"orderId": "{% $states.result.id %}",
                            "before": "{% $exists($orderId) %}"},
                 "Output": "{% $merge([$states.input, {'total': $states.result.total}]) %}",
                 "Next": "Show"},
        "Show": {"Type": "Pass",
                 "Output": {"id": "{% $orderId %}", "before": "{% $before %}",
                            "total": "{% $states.input.total %}",
                            "state": "{% $states.context.State.Name %}"},
                 "End": true}}});
    let outcome = run_with(definition, fake.clone(), json!({"order": "A-1"})).await;
    assert_eq!(
        outcome.output,
        Some(json!({"id": 7, "before": false, "total": 30, "state": "Show"}))
    );
    assert_eq!(fake.inputs(), [json!({"order": "A-1", "fixed": 1})]);
}

/// `States.QueryEvaluationError` is caught by `States.ALL`; the catcher reads
/// `$states.errorOutput` and outputs it by default.
#[tokio::test]
async fn catchers_read_the_error_output() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "work",
                 "Arguments": "{% $states.input.missing %}",
                 "Catch": [{"ErrorEquals": ["States.ALL"],
                            "Assign": {"error": "{% $states.errorOutput.Error %}"},
                            "Next": "Show"}],
                 "End": true},
        "Show": {"Type": "Pass",
                 "Output": {"error": "{% $error %}", "input": "{% $states.input.Error %}"},
                 "End": true}}});
    let fake = Fake::replying([]);
    let outcome = run_with(definition, fake.clone(), json!({})).await;
    assert_eq!(
        outcome.output,
        Some(json!({"error": errors::QUERY_EVALUATION_ERROR,
                    "input": errors::QUERY_EVALUATION_ERROR})),
        "{:?}: {:?}",
        outcome.error,
        outcome.cause
    );
    assert!(fake.inputs().is_empty());
}

#[tokio::test]
async fn choice_conditions_pick_the_rule_with_its_output_and_assign() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Pick", "States": {
        "Pick": {"Type": "Choice",
                 "Choices": [{"Condition": "{% $states.input.n > 10 %}",
                              "Assign": {"size": "big"},
                              "Output": {"n": "{% $states.input.n * 2 %}"}, "Next": "Show"}],
                 "Default": "Show", "Assign": {"size": "small"}},
        "Show": {"Type": "Pass", "Output": {"size": "{% $size %}", "in": "{% $states.input %}"},
                 "End": true}}});
    let big = run_with(definition.clone(), Fake::replying([]), json!({"n": 20})).await;
    assert_eq!(big.output, Some(json!({"size": "big", "in": {"n": 40}})));
    let small = run_with(definition.clone(), Fake::replying([]), json!({"n": 1})).await;
    assert_eq!(small.output, Some(json!({"size": "small", "in": {"n": 1}})));
    let not_boolean = run_with(definition, Fake::replying([]), json!({"n": "x"})).await;
    assert_eq!(
        not_boolean.error.as_deref(),
        Some(errors::QUERY_EVALUATION_ERROR)
    );
}

/// Workflow variables are read by a JSONata Map's `Items` and `ItemSelector`, and by the
/// states of an inline iteration.
#[tokio::test]
async fn map_items_and_item_selector_read_variables() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"prefix": "item-", "items": [1, 2, 3]}, "Next": "Each"},
        "Each": {"Type": "Map", "Items": "{% $items[$ > 1] %}", "MaxConcurrency": 1,
                 "ItemSelector": {"name": "{% $prefix & $states.context.Map.Item.Value %}",
                                  "index": "{% $states.context.Map.Item.Index %}"},
                 "ItemProcessor": {"StartAt": "Tag", "States": {
                     "Tag": {"Type": "Pass",
                             "Output": "{% $states.input.name & '/' & $string($count($items)) %}",
                             "End": true}}},
                 "Output": {"tags": "{% $states.result %}"},
                 "Assign": {"tagged": "{% $count($states.result) %}"},
                 "Next": "Show"},
        "Show": {"Type": "Pass", "Output": "{% $merge([$states.input, {'tagged': $tagged}]) %}",
                 "End": true}}});
    let outcome = run_with(definition, Fake::replying([]), json!({})).await;
    assert_eq!(
        outcome.output,
        Some(json!({"tags": ["item-2/3", "item-3/3"], "tagged": 2}))
    );
}

#[tokio::test]
async fn map_items_must_be_an_array() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Each", "States": {
        "Each": {"Type": "Map", "Items": "{% $states.input.n %}",
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                 "End": true}}});
    let outcome = run_with(definition, Fake::replying([]), json!({"n": 3})).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some(errors::QUERY_EVALUATION_ERROR)
    );
}

#[tokio::test]
async fn parallel_arguments_feed_every_branch() {
    let branch = |output: &str| json!({"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": output, "End": true}}});
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Arguments": {"x": "{% $states.input.x + 1 %}"},
                 "Branches": [branch("{% $states.input.x * 10 %}"), branch("{% $states.input %}")],
                 "End": true}}});
    let outcome = run_with(definition, Fake::replying([]), json!({"x": 1})).await;
    assert_eq!(outcome.output, Some(json!([20, {"x": 2}])));
}

#[tokio::test]
async fn fail_error_and_cause_and_wait_timestamp_are_expressions() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "Next": "Stop"},
        "Stop": {"Type": "Fail", "Error": "{% 'E' & $states.input.code %}",
                 "Cause": "{% $states.input.why %}"}}});
    let outcome = run_with(
        definition.clone(),
        Fake::replying([]),
        json!({"at": "2016-03-14T01:59:00Z", "code": 42, "why": "it broke"}),
    )
    .await;
    assert_eq!(outcome.error.as_deref(), Some("E42"));
    assert_eq!(outcome.cause.as_deref(), Some("it broke"));
    let outcome = run_with(
        definition,
        Fake::replying([]),
        json!({"at": "soon", "code": 1, "why": "x"}),
    )
    .await;
    assert_eq!(
        outcome.error.as_deref(),
        Some(errors::QUERY_EVALUATION_ERROR)
    );
}

/// A state's own `QueryLanguage` overrides the machine's, both ways; a branch's states
/// take the language of the state around them.
#[tokio::test]
async fn query_language_is_set_per_state() {
    let definition = json!({"StartAt": "Path", "States": {
        "Path": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Ata"},
        "Ata": {"Type": "Pass", "QueryLanguage": "JSONata",
                "Output": {"n": "{% $states.input.n + 1 %}"}, "Next": "Each"},
        "Each": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% [$states.input.n] %}",
                 "ItemProcessor": {"StartAt": "Inner", "States": {
                     "Inner": {"Type": "Pass", "Output": "{% $states.input * 3 %}", "End": true}}},
                 "End": true}}});
    let outcome = run_with(definition, Fake::replying([]), json!({"n": 1})).await;
    assert_eq!(outcome.output, Some(json!([6])));
}

/// A failed task in a JSONata state is retried and caught as in JSONPath.
#[tokio::test]
async fn retry_and_catch_work_in_jsonata_states() {
    let fake = Fake::replying([
        Err(TaskError::new("Busy", "try again")),
        Err(TaskError::new("Broken", "gave up")),
    ]);
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "work",
                 "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}],
                 "Catch": [{"ErrorEquals": ["Broken"],
                            "Output": {"why": "{% $states.errorOutput.Cause %}",
                                       "input": "{% $states.input %}"},
                            "Next": "Done"}],
                 "End": true},
        "Done": {"Type": "Succeed"}}});
    let outcome = run_with(definition, fake, json!({"a": 1})).await;
    assert_eq!(
        outcome.output,
        Some(json!({"why": "gave up", "input": {"a": 1}}))
    );
}
