//! Wait, Choice, Succeed and Pass states in whole machines, and the history they leave.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::support::{Fake, machine};
use crate::errors;
use crate::interpret::{Clock, HistoryEvent, Interpreter, Outcome, Status, TestClock, TokioClock};

async fn wait(state: Value, input: Value, clock: &TestClock) -> Outcome {
    let mut state = state;
    if let Some(fields) = state.as_object_mut() {
        fields.insert("Type".into(), json!("Wait"));
        fields.insert("End".into(), json!(true));
    }
    let definition = json!({"StartAt": "Pause", "States": {"Pause": state}});
    Interpreter::new(&machine(&definition))
        .clock(clock.clone())
        .run(input)
        .await
}

/// Every form of Wait sleeps through the clock, never in real time.
#[tokio::test]
async fn wait_states_sleep_through_the_clock() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_067_200); // 2024-01-01
    let input =
        json!({"delay": 90, "until": "2024-01-01T00:05:00Z", "past": "2023-12-31T00:00:00Z"});
    let cases = [
        (json!({"Seconds": 10}), 10),
        (json!({"Timestamp": "2024-01-01T00:01:00Z"}), 60),
        (json!({"Timestamp": "2024-01-01T01:00:00+01:00"}), 0),
        (json!({"SecondsPath": "$.delay"}), 90),
        (json!({"TimestampPath": "$.until"}), 300),
        (json!({"TimestampPath": "$.past"}), 0),
    ];
    for (state, expected) in cases {
        let clock = TestClock::starting_at(start);
        let outcome = wait(state.clone(), input.clone(), &clock).await;
        assert_eq!(outcome.output.as_ref(), Some(&input), "{state}");
        assert_eq!(clock.sleeps(), [Duration::from_secs(expected)], "{state}");
        assert_eq!(
            clock.now(),
            start + Duration::from_secs(expected),
            "{state}: the clock advances"
        );
    }
}

/// A SecondsPath that is not a non-negative integer is a runtime error.
#[tokio::test]
async fn wait_rejects_bad_durations() {
    let clock = TestClock::new();
    for (state, input) in [
        (json!({"SecondsPath": "$.delay"}), json!({"delay": -1})),
        (json!({"SecondsPath": "$.delay"}), json!({"delay": "10"})),
        (json!({"SecondsPath": "$.delay"}), json!({})),
        (json!({"TimestampPath": "$.at"}), json!({"at": "tomorrow"})),
        (json!({"Timestamp": "2024-01-01"}), json!({})),
    ] {
        let outcome = wait(state.clone(), input, &clock).await;
        assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME), "{state}");
    }
    assert!(clock.sleeps().is_empty());
}

/// The real clock works under a tokio runtime.
#[tokio::test]
async fn tokio_clock_waits() {
    let definition = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0,
                                                             "End": true}}});
    let outcome = Interpreter::new(&machine(&definition))
        .clock(TokioClock)
        .run(json!({"a": 1}))
        .await;
    assert_eq!(outcome.output, Some(json!({"a": 1})));
}

/// The specification's Choice example as a whole machine, with InputPath and OutputPath.
#[tokio::test]
async fn choice_state_branches() {
    let definition = json!({
        "StartAt": "ChoiceStateX",
        "States": {
            "ChoiceStateX": {
                "Type": "Choice",
                "InputPath": "$.event",
                "OutputPath": "$.value",
                "Choices": [
                    {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
                    {"And": [
                        {"Variable": "$.value", "IsPresent": true},
                        {"Variable": "$.value", "IsNumeric": true},
                        {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                        {"Variable": "$.value", "NumericLessThan": 30}
                    ], "Next": "ValueInTwenties"}
                ],
                "Default": "RecordEvent"
            },
            "Public": {"Type": "Succeed"},
            "ValueInTwenties": {"Type": "Succeed"},
            "RecordEvent": {"Type": "Succeed"}
        }
    });
    let interpreter = Interpreter::new(&machine(&definition));
    for (value, branch) in [(json!(25), "ValueInTwenties"), (json!(35), "RecordEvent")] {
        let outcome = interpreter
            .run(json!({"event": {"type": "Private", "value": value}}))
            .await;
        assert_eq!(outcome.states_entered(), ["ChoiceStateX", branch]);
        assert_eq!(outcome.output, Some(value));
    }
    let outcome = interpreter
        .run(json!({"event": {"type": "Public", "value": 1}}))
        .await;
    assert_eq!(outcome.states_entered(), ["ChoiceStateX", "Public"]);
}

/// The history lists every state entered and exited, in order, with inputs and outputs.
#[tokio::test]
async fn history_records_every_transition() {
    let definition = json!({
        "StartAt": "Start",
        "States": {
            "Start": {"Type": "Pass", "Result": {"n": 1}, "Next": "Work"},
            "Work": {"Type": "Task", "Resource": "work", "ResultPath": "$.done", "Next": "Finish"},
            "Finish": {"Type": "Succeed", "OutputPath": "$.done"}
        }
    });
    let outcome = Interpreter::new(&machine(&definition))
        .runner("work", Fake::replying([Ok(json!(true))]))
        .run(json!({}))
        .await;
    let entered = |name: &str, state_type, input| HistoryEvent::StateEntered {
        name: name.to_owned(),
        state_type,
        input,
    };
    let exited = |name: &str, state_type, output, next: Option<&str>| HistoryEvent::StateExited {
        name: name.to_owned(),
        state_type,
        output,
        next: next.map(str::to_owned),
    };
    assert_eq!(
        outcome.history,
        [
            entered("Start", "Pass", json!({})),
            exited("Start", "Pass", json!({"n": 1}), Some("Work")),
            entered("Work", "Task", json!({"n": 1})),
            exited(
                "Work",
                "Task",
                json!({"n": 1, "done": true}),
                Some("Finish")
            ),
            entered("Finish", "Succeed", json!({"n": 1, "done": true})),
            exited("Finish", "Succeed", json!(true), None),
        ]
    );
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!(true)));
    let serialized = serde_json::to_value(&outcome.history).unwrap_or_default();
    assert_eq!(serialized[1]["event"], json!("StateExited"));
}

/// A missing `Next` target fails at run time rather than panicking.
#[tokio::test]
async fn missing_next_state_is_a_runtime_error() {
    let definition = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}});
    let outcome = Interpreter::new(&machine(&definition)).run(json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
    assert!(outcome.cause.unwrap_or_default().contains("Nowhere"));
}

/// Executions can be spawned on a multi-threaded runtime and share one interpreter.
#[test]
fn executions_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_sync<T: Sync>(_: &T) {}
    let definition = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let interpreter = Interpreter::new(&machine(&definition));
    let execution = interpreter.run(json!({}));
    assert_send(&execution);
    assert_send(&interpreter);
    assert_sync(&interpreter);
    let _ = format!("{interpreter:?}");
}
