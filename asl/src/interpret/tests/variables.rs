//! Workflow variables: `Assign`, `$name` references, evaluation order, scopes across Map
//! and Parallel; Fail `ErrorPath`/`CausePath`; `TimeoutSecondsPath`; the payload quota.

use serde_json::{Value, json};

use super::support::{Fake, machine};
use crate::errors;
use crate::interpret::{Interpreter, Outcome, TaskError, TestClock};

async fn run(definition: Value, input: Value) -> Outcome {
    Interpreter::new(&machine(&definition))
        .clock(TestClock::new())
        .run(input)
        .await
}

#[tokio::test]
async fn assigned_variables_are_read_by_later_states() {
    let definition = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"count": 1, "name.$": "$.name"}, "Next": "Bump"},
        "Bump": {"Type": "Pass", "Assign": {"count.$": "States.MathAdd($count, 1)", "before.$": "$count"},
                 "Next": "Show"},
        "Show": {"Type": "Pass", "Parameters": {"count.$": "$count", "before.$": "$before",
                 "greeting.$": "States.Format('hi {}', $name)"}, "End": true}}});
    let outcome = run(definition, json!({"name": "Atlas"})).await;
    assert_eq!(
        outcome.output,
        Some(json!({"count": 2, "before": 1, "greeting": "hi Atlas"}))
    );
}

/// A Choice assigns from the matched rule, or from the state when `Default` is taken.
#[tokio::test]
async fn choice_assigns_from_the_matched_rule_or_the_state() {
    let definition = json!({"StartAt": "Pick", "States": {
        "Pick": {"Type": "Choice", "Assign": {"picked": "default"},
                 "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1,
                              "Assign": {"picked": "big", "n.$": "$.n"}, "Next": "Show"}],
                 "Default": "Show"},
        "Show": {"Type": "Pass", "Parameters": {"picked.$": "$picked"}, "End": true}}});
    let big = run(definition.clone(), json!({"n": 5})).await;
    assert_eq!(big.output, Some(json!({"picked": "big"})));
    let small = run(definition, json!({"n": 0})).await;
    assert_eq!(small.output, Some(json!({"picked": "default"})));
}

/// An undefined variable is a path that selects nothing: `States.Runtime`.
#[tokio::test]
async fn undefined_variables_fail() {
    let definition = json!({"StartAt": "Show", "States": {
        "Show": {"Type": "Pass", "Parameters": {"x.$": "$nothing"}, "End": true}}});
    let outcome = run(definition, json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
}

/// A Task's Assign reads its result (after ResultSelector); a Catch's reads the error.
#[tokio::test]
async fn task_and_catch_assign_what_they_produced() {
    let fake = Fake::replying([Ok(json!({"id": 7})), Err(TaskError::new("Boom", "broke"))]);
    let definition = json!({"StartAt": "First", "States": {
        "First": {"Type": "Task", "Resource": "work", "ResultSelector": {"theId.$": "$.id"},
                  "Assign": {"id.$": "$.theId"}, "ResultPath": null, "Next": "Second"},
        "Second": {"Type": "Task", "Resource": "work",
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error"},
                              "Next": "Report"}], "End": true},
        "Report": {"Type": "Pass", "Parameters": {"id.$": "$id", "err.$": "$err"}, "End": true}}});
    let outcome = Interpreter::new(&machine(&definition))
        .runner("work", fake)
        .clock(TestClock::new())
        .run(json!({}))
        .await;
    assert_eq!(outcome.output, Some(json!({"id": 7, "err": "Boom"})));
}

/// Branches read outer variables; what they assign stays inside them.
#[tokio::test]
async fn inner_scopes_read_outer_variables_and_keep_their_own() {
    let definition = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"base": 10}, "Next": "Each"},
        "Each": {"Type": "Map", "ItemProcessor": {"StartAt": "Inner", "States": {
            "Inner": {"Type": "Pass", "Assign": {"local.$": "$"}, "Next": "Use"},
            "Use": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($base, $local)"}, "End": true}}},
            "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"seen.$": "$local"}, "End": true}}});
    let outcome = run(definition.clone(), json!([1, 2])).await;
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
    let mut ok = definition;
    ok["States"]["Each"]["End"] = json!(true);
    if let Some(each) = ok["States"]["Each"].as_object_mut() {
        each.remove("Next");
    }
    let outcome = run(ok, json!([1, 2])).await;
    assert_eq!(outcome.output, Some(json!([{"sum": 11}, {"sum": 12}])));
}

#[tokio::test]
async fn fail_reads_error_and_cause_paths() {
    let definition = json!({"StartAt": "Stop", "States": {
        "Stop": {"Type": "Fail", "ErrorPath": "$.code",
                 "CausePath": "States.Format('{} went wrong', $.what)"}}});
    let outcome = run(definition.clone(), json!({"code": "E42", "what": "it"})).await;
    assert_eq!(outcome.error.as_deref(), Some("E42"));
    assert_eq!(outcome.cause.as_deref(), Some("it went wrong"));
    let outcome = run(definition, json!({"code": 42, "what": "it"})).await;
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
}

#[tokio::test]
async fn timeout_seconds_path_bounds_the_task() {
    let definition = json!({"StartAt": "Slow", "States": {
        "Slow": {"Type": "Task", "Resource": "slow", "TimeoutSecondsPath": "$.limit", "End": true}}});
    let slow = crate::interpret::task_fn(|_, _| async {
        std::future::pending::<()>().await;
        Ok::<_, TaskError>(json!(null))
    });
    let outcome = Interpreter::new(&machine(&definition))
        .runner("slow", slow)
        .clock(TestClock::new().expire_timeouts())
        .run(json!({"limit": 5}))
        .await;
    assert_eq!(outcome.error.as_deref(), Some(errors::TIMEOUT));
    let outcome = run(definition, json!({"limit": 0})).await;
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
}

/// The machine's `TimeoutSeconds` bounds the whole execution.
#[tokio::test]
async fn machine_timeout_seconds_bounds_the_execution() {
    let definition = json!({"StartAt": "Slow", "TimeoutSeconds": 60, "States": {
        "Slow": {"Type": "Task", "Resource": "slow", "End": true}}});
    let slow = crate::interpret::task_fn(|_, _| async {
        std::future::pending::<()>().await;
        Ok::<_, TaskError>(json!(null))
    });
    let outcome = Interpreter::new(&machine(&definition))
        .runner("slow", slow)
        .clock(TestClock::new().expire_timeouts())
        .run(json!({}))
        .await;
    assert_eq!(outcome.error.as_deref(), Some(errors::TIMEOUT));
    assert!(outcome.cause.is_some_and(|c| c.contains("execution")));
}

/// A state's output over 256 KiB fails with `States.DataLimitExceeded`, which no catcher
/// of the state handles (a task's result over the quota is another matter: a task failure).
#[tokio::test]
async fn outputs_over_the_quota_fail_uncaught() {
    let big = "x".repeat(300 * 1024);
    let definition = json!({"StartAt": "Big", "States": {
        "Big": {"Type": "Pass", "Result": big, "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    let outcome = run(definition, json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some(errors::DATA_LIMIT_EXCEEDED));
    let fake = Fake::replying([Ok(json!("x".repeat(150 * 1024)))]);
    let caught = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "work", "ResultPath": "$.result", "End": true,
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"},
                           {"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}});
    let outcome = Interpreter::new(&machine(&caught))
        .runner("work", fake)
        .clock(TestClock::new())
        .run(json!({"input": "x".repeat(150 * 1024)}))
        .await;
    assert_eq!(outcome.error.as_deref(), Some(errors::DATA_LIMIT_EXCEEDED));
}

/// The interpreter's futures can be spawned on a multi-threaded runtime.
#[test]
fn executions_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let interpreter = Interpreter::new(&machine(
        &json!({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}),
    ));
    let future = interpreter.run(json!({}));
    assert_send(&future);
}
