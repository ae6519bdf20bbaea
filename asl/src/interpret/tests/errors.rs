//! Errors: Retry backoff, Catch order, `States.ALL`/`States.TaskFailed`, timeouts, Fail
//! states and the loop guard.

use std::time::Duration;

use serde_json::{Value, json};

use super::support::{Fake, machine};
use crate::errors;
use crate::interpret::{HistoryEvent, Interpreter, Status, TaskError, TestClock, task_fn};

const WORK: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

/// A machine whose `Work` Task has `retry` and `catch`, with handlers for the catchers.
fn work_machine(retry: Value, catch: Value) -> Value {
    json!({
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": WORK, "Retry": retry, "Catch": catch,
                     "TimeoutSeconds": 30, "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "HandleA": {"Type": "Pass", "End": true},
            "HandleTaskFailed": {"Type": "Pass", "End": true},
            "HandleAll": {"Type": "Pass", "End": true}
        }
    })
}

fn secs(seconds: &[f64]) -> Vec<Duration> {
    seconds
        .iter()
        .map(|s| Duration::from_secs_f64(*s))
        .collect()
}

/// `IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3`: sleeps of 1, 2 and 4 seconds,
/// then the catcher takes over.
#[tokio::test]
async fn retry_backs_off_then_catches() {
    let clock = TestClock::new();
    let runner = Fake::failing(10, "Flaky");
    let definition = work_machine(
        json!([{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "BackoffRate": 2.0,
                "MaxAttempts": 3}]),
        json!([{"ErrorEquals": [errors::ALL], "Next": "HandleAll", "ResultPath": "$.error"}]),
    );
    let outcome = Interpreter::new(&machine(&definition))
        .runner(WORK, runner.clone())
        .clock(clock.clone())
        .run(json!({"id": 1}))
        .await;
    assert_eq!(clock.sleeps(), secs(&[1.0, 2.0, 4.0]));
    assert_eq!(runner.calls().len(), 4);
    assert_eq!(outcome.states_entered(), ["Work", "HandleAll"]);
    assert_eq!(
        outcome.output,
        Some(json!({"id": 1, "error": {"Error": "Flaky", "Cause": "Flaky happened"}}))
    );
    let attempts: Vec<u64> = outcome
        .history
        .iter()
        .filter_map(|e| match e {
            HistoryEvent::TaskRetried { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert!(matches!(
        outcome.history.get(4),
        Some(HistoryEvent::StateFailed { caught_by: Some(next), .. }) if next == "HandleAll"
    ));
}

/// Defaults: IntervalSeconds 1, BackoffRate 2, MaxAttempts 3; a success ends the retries.
#[tokio::test]
async fn retry_succeeds_on_a_later_attempt() {
    let clock = TestClock::new();
    let definition = work_machine(json!([{"ErrorEquals": ["Flaky"]}]), json!([]));
    let outcome = Interpreter::new(&machine(&definition))
        .runner(WORK, Fake::failing(2, "Flaky"))
        .clock(clock.clone())
        .run(json!({"id": 1}))
        .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!({"id": 1})));
    assert_eq!(clock.sleeps(), secs(&[1.0, 2.0]));
}

/// `MaxDelaySeconds` caps the growing interval.
#[tokio::test]
async fn max_delay_caps_the_backoff() {
    let clock = TestClock::new();
    let definition = work_machine(
        json!([{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3.0,
                "MaxAttempts": 4, "MaxDelaySeconds": 10}]),
        json!([]),
    );
    let outcome = Interpreter::new(&machine(&definition))
        .runner(WORK, Fake::failing(10, "Flaky"))
        .clock(clock.clone())
        .run(json!({}))
        .await;
    assert_eq!(clock.sleeps(), secs(&[2.0, 6.0, 10.0, 10.0]));
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Flaky"));
}

/// The first retrier matching an error decides, even when exhausted (`MaxAttempts: 0`);
/// each retrier counts its own attempts.
#[tokio::test]
async fn first_matching_retrier_decides_and_counts_alone() {
    let clock = TestClock::new();
    let definition = work_machine(
        json!([
            {"ErrorEquals": ["Never"], "MaxAttempts": 0},
            {"ErrorEquals": ["A"], "IntervalSeconds": 1, "MaxAttempts": 1},
            {"ErrorEquals": [errors::ALL], "IntervalSeconds": 5, "MaxAttempts": 2}
        ]),
        json!([{"ErrorEquals": [errors::ALL], "Next": "HandleAll"}]),
    );
    let fail = |name: &str| Err(TaskError::new(name, "scripted"));
    let runner = Fake::replying([fail("A"), fail("B"), fail("C"), fail("A"), fail("Never")]);
    let outcome = Interpreter::new(&machine(&definition))
        .runner(WORK, runner.clone())
        .clock(clock.clone())
        .run(json!({}))
        .await;
    // A: 1 s (retrier 1, attempt 1); B: 5 s, C: 10 s (retrier 2); the second A exhausts
    // retrier 1 and is caught.
    assert_eq!(clock.sleeps(), secs(&[1.0, 5.0, 10.0]));
    assert_eq!(runner.calls().len(), 4);
    assert_eq!(
        outcome.output,
        Some(json!({"Error": "A", "Cause": "scripted"}))
    );

    let clock = TestClock::new();
    let outcome = Interpreter::new(&machine(&definition))
        .runner(WORK, Fake::failing(1, "Never"))
        .clock(clock.clone())
        .run(json!({}))
        .await;
    assert!(clock.sleeps().is_empty());
    assert_eq!(outcome.states_entered(), ["Work", "HandleAll"]);
}

fn catch_order() -> Value {
    json!([
        {"ErrorEquals": ["A"], "Next": "HandleA"},
        {"ErrorEquals": [errors::TASK_FAILED], "Next": "HandleTaskFailed"},
        {"ErrorEquals": [errors::ALL], "Next": "HandleAll"}
    ])
}

/// Catchers are tried in order: a named error, then `States.TaskFailed` (everything but
/// `States.Timeout`), then `States.ALL`.
#[tokio::test]
async fn first_matching_catcher_wins() {
    let definition = machine(&work_machine(json!([]), catch_order()));
    for (error, handler) in [("A", "HandleA"), ("Other", "HandleTaskFailed")] {
        let outcome = Interpreter::new(&definition)
            .runner(WORK, Fake::failing(1, error))
            .run(json!({}))
            .await;
        assert_eq!(outcome.states_entered(), ["Work", handler], "{error}");
    }
    let never = task_fn(|_, _| std::future::pending::<Result<Value, TaskError>>());
    let outcome = Interpreter::new(&definition)
        .runner(WORK, never)
        .clock(TestClock::new().expire_timeouts())
        .run(json!({}))
        .await;
    assert_eq!(outcome.states_entered(), ["Work", "HandleAll"]);
    assert_eq!(
        outcome.output.map(|o| o["Error"].clone()),
        Some(json!(errors::TIMEOUT))
    );
}

/// `States.TaskFailed` in a retrier retries task errors but not `States.Timeout`.
#[tokio::test]
async fn task_failed_retrier_skips_timeouts() {
    let definition = machine(&work_machine(
        json!([{"ErrorEquals": [errors::TASK_FAILED], "MaxAttempts": 2}]),
        json!([]),
    ));
    let clock = TestClock::new().expire_timeouts();
    let never = task_fn(|_, _| std::future::pending::<Result<Value, TaskError>>());
    let outcome = Interpreter::new(&definition)
        .runner(WORK, never)
        .clock(clock.clone())
        .run(json!({}))
        .await;
    assert_eq!(outcome.error.as_deref(), Some(errors::TIMEOUT));
    assert!(clock.sleeps().is_empty());

    let clock = TestClock::new();
    let outcome = Interpreter::new(&definition)
        .runner(WORK, Fake::failing(2, "Lambda.Unknown"))
        .clock(clock.clone())
        .run(json!({}))
        .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(clock.sleeps().len(), 2);
}

/// A task that completes is not timed out, even when timeouts expire at once.
#[tokio::test]
async fn completed_tasks_beat_the_timeout() {
    let definition = machine(&work_machine(json!([]), json!([])));
    let outcome = Interpreter::new(&definition)
        .runner(WORK, Fake::default())
        .clock(TestClock::new().expire_timeouts())
        .run(json!({"ok": true}))
        .await;
    assert_eq!(outcome.output, Some(json!({"ok": true})));
}

/// A resource without a runner is `States.Runtime`: neither retried nor caught.
#[tokio::test]
async fn unregistered_resource_is_a_runtime_error() {
    let definition = machine(&work_machine(
        json!([{"ErrorEquals": [errors::ALL]}]),
        catch_order(),
    ));
    let clock = TestClock::new();
    let outcome = Interpreter::new(&definition)
        .clock(clock.clone())
        .run(json!({}))
        .await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
    assert!(outcome.cause.unwrap_or_default().contains(WORK));
    assert!(clock.sleeps().is_empty());

    let fallback = Fake::default();
    let outcome = Interpreter::new(&definition)
        .fallback_runner(fallback.clone())
        .run(json!({"via": "fallback"}))
        .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(
        fallback.calls(),
        [(WORK.to_owned(), json!({"via": "fallback"}))]
    );
}

/// The catcher's ResultPath applies to the state's raw input, not the InputPath selection.
#[tokio::test]
async fn catch_result_path_applies_to_the_raw_input() {
    let definition = json!({
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": WORK, "InputPath": "$.sub",
                     "Catch": [{"ErrorEquals": ["Boom"], "Next": "Recover",
                                "ResultPath": "$.failure"}],
                     "End": true},
            "Recover": {"Type": "Pass", "End": true}
        }
    });
    let runner = Fake::failing(1, "Boom");
    let outcome = Interpreter::new(&machine(&definition))
        .runner(WORK, runner.clone())
        .run(json!({"sub": {"x": 1}, "other": 2}))
        .await;
    assert_eq!(runner.inputs(), [json!({"x": 1})]);
    assert_eq!(
        outcome.output,
        Some(json!({"sub": {"x": 1}, "other": 2,
                    "failure": {"Error": "Boom", "Cause": "Boom happened"}}))
    );
}

/// A Fail state ends the execution with its Error and Cause.
#[tokio::test]
async fn fail_state_reports_error_and_cause() {
    let definition = json!({
        "StartAt": "Stop",
        "States": {"Stop": {"Type": "Fail", "Error": "ErrorA", "Cause": "Kaiju attack"}}
    });
    let outcome = Interpreter::new(&machine(&definition)).run(json!({})).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.output, None);
    assert_eq!(outcome.error.as_deref(), Some("ErrorA"));
    assert_eq!(outcome.cause.as_deref(), Some("Kaiju attack"));

    let bare = json!({"StartAt": "Stop", "States": {"Stop": {"Type": "Fail"}}});
    let outcome = Interpreter::new(&machine(&bare)).run(json!({})).await;
    assert_eq!(
        (outcome.status, outcome.error, outcome.cause),
        (Status::Failed, None, None)
    );
}

/// An endless loop stops at the transition limit with `States.Runtime`.
#[tokio::test]
async fn loop_guard_stops_endless_loops() {
    let definition = json!({
        "StartAt": "Ping",
        "States": {
            "Ping": {"Type": "Pass", "Next": "Pong"},
            "Pong": {"Type": "Pass", "Next": "Ping"}
        }
    });
    let outcome = Interpreter::new(&machine(&definition))
        .max_transitions(50)
        .run(json!({}))
        .await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
    assert_eq!(outcome.states_entered().len(), 50);
    assert!(outcome.cause.unwrap_or_default().contains("50"));
}

/// A Choice without a match or Default fails with `States.NoChoiceMatched`.
#[tokio::test]
async fn no_choice_matched() {
    let definition = json!({
        "StartAt": "Pick",
        "States": {
            "Pick": {"Type": "Choice",
                     "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]},
            "One": {"Type": "Succeed"}
        }
    });
    let outcome = Interpreter::new(&machine(&definition))
        .run(json!({"n": 2}))
        .await;
    assert_eq!(outcome.error.as_deref(), Some(errors::NO_CHOICE_MATCHED));
}

/// The machine's `TimeoutSeconds` stops the state in progress: its history ends with the
/// state aborted, after the events of the states before it.
#[tokio::test]
async fn the_execution_timeout_aborts_the_state_in_progress() {
    let mut definition = work_machine(json!([]), json!([]));
    definition["TimeoutSeconds"] = json!(60);
    definition["States"]["Work"]
        .as_object_mut()
        .map(|work| work.remove("TimeoutSeconds"));
    let never = task_fn(|_, _| std::future::pending::<Result<Value, TaskError>>());
    let outcome = Interpreter::new(&machine(&definition))
        .runner(WORK, never)
        .clock(TestClock::new().expire_timeouts())
        .run(json!({}))
        .await;
    assert_eq!(outcome.error.as_deref(), Some(errors::TIMEOUT));
    assert!(matches!(
        outcome.history.as_slice(),
        [
            HistoryEvent::StateEntered { name, .. },
            HistoryEvent::StateAborted { name: aborted, state_type: "Task" },
        ] if name == "Work" && aborted == "Work"
    ));
}
