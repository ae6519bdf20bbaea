//! JSON round-trips, minimal and deterministic output.

use std::error::Error;

use asl::{Condition, Pass, State, StateMachine, Succeed, Task};
use serde_json::{Value, json};

/// Parses `definition`, serializes it back and checks nothing was lost or added.
fn assert_round_trip(definition: &Value) -> Result<StateMachine, Box<dyn Error>> {
    let machine = StateMachine::from_json(&definition.to_string())?;
    let json = machine.to_json_pretty();
    let reparsed: Value = serde_json::from_str(&json)?;
    assert_eq!(&reparsed, definition);
    assert_eq!(StateMachine::from_json(&json)?, machine);
    Ok(machine)
}

#[test]
fn round_trips_task_with_retry_catch_and_null_result_path() {
    let definition = json!({
        "Comment": "An example of the Amazon States Language using Retry and Catch",
        "StartAt": "HelloWorld",
        "TimeoutSeconds": 3600,
        "States": {
            "HelloWorld": {
                "Type": "Task",
                "Comment": "say hello",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:topic",
                    "Message.$": "States.Format('Hello {}', $.name)",
                    "Attributes": [{"Key.$": "$.key", "Value": 1.5}]
                },
                "ResultSelector": {"id.$": "$.MessageId"},
                "InputPath": "$.input",
                "OutputPath": null,
                "ResultPath": null,
                "TimeoutSeconds": 300,
                "HeartbeatSeconds": 60,
                "Retry": [
                    {"ErrorEquals": ["CustomError"], "IntervalSeconds": 1, "MaxAttempts": 2,
                     "BackoffRate": 2.0, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
                    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 30,
                     "MaxAttempts": 2, "BackoffRate": 2.0},
                    {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 5,
                     "BackoffRate": 2.0}
                ],
                "Catch": [
                    {"ErrorEquals": ["java.lang.Exception"], "ResultPath": "$.error-info",
                     "Next": "RecoveryState"},
                    {"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "EndState"}
                ],
                "Next": "EndState"
            },
            "RecoveryState": {"Type": "Fail", "Error": "Recovered", "Cause": "caught"},
            "EndState": {"Type": "Succeed", "InputPath": null, "OutputPath": "$.out"}
        }
    });
    let machine = assert_round_trip(&definition).unwrap();
    let State::Task(task) = &machine.states["HelloWorld"] else {
        panic!("HelloWorld is not a Task");
    };
    assert_eq!(task.result_path, Some(None));
    assert_eq!(task.input_path, Some(Some("$.input".to_owned())));
    assert_eq!(
        task.catch[0].result_path,
        Some(Some("$.error-info".to_owned()))
    );
    assert_eq!(task.catch[1].result_path, Some(None));
    assert_eq!(task.retry[0].backoff_rate, Some(2.0));
    assert!(machine.to_json_pretty().contains("\"ResultPath\": null"));
}

#[test]
fn round_trips_choice_with_and_or_not() {
    let definition = json!({
        "StartAt": "ChoiceStateX",
        "States": {
            "ChoiceStateX": {
                "Type": "Choice",
                "Choices": [
                    {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
                    {"And": [
                        {"Variable": "$.value", "IsPresent": true},
                        {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                        {"Variable": "$.value", "NumericLessThan": 30.5}
                    ], "Next": "ValueInTwenties"},
                    {"Or": [
                        {"Variable": "$.name", "StringMatches": "log-*.txt"},
                        {"Variable": "$.when", "TimestampLessThanPath": "$.deadline"},
                        {"Variable": "$.flag", "BooleanEquals": false}
                    ], "Next": "Public"}
                ],
                "Default": "DefaultState"
            },
            "Public": {"Type": "Pass", "Result": {"x": [1, 2]}, "ResultPath": "$.r", "Next": "Wait"},
            "ValueInTwenties": {"Type": "Wait", "TimestampPath": "$.until", "Next": "Wait"},
            "Wait": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "End": true},
            "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"}
        }
    });
    let machine = assert_round_trip(&definition).unwrap();
    let State::Choice(choice) = &machine.states["ChoiceStateX"] else {
        panic!("ChoiceStateX is not a Choice");
    };
    let Condition::Not(negated) = &choice.choices[0].condition else {
        panic!("first rule is not a Not");
    };
    assert_eq!(negated.variable.as_deref(), Some("$.type"));
    assert_eq!(
        negated.condition,
        Condition::StringEquals("Private".to_owned())
    );
    assert_eq!(negated.next, None);
    let Condition::And(all) = &choice.choices[1].condition else {
        panic!("second rule is not an And");
    };
    assert_eq!(
        all[2].condition,
        Condition::NumericLessThan(json!(30.5).as_number().unwrap().clone())
    );
}

#[test]
fn absent_fields_are_not_emitted() {
    let machine = StateMachine::new("T")
        .state(
            "T",
            Task::new("arn:aws:lambda:us-east-1:1:function:f").next("P"),
        )
        .state("P", Pass::new().end())
        .state("S", Succeed::new());
    let json: Value = serde_json::from_str(&machine.to_json_pretty()).unwrap();
    assert_eq!(
        json,
        json!({
            "StartAt": "T",
            "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Next": "P"},
                "P": {"Type": "Pass", "End": true},
                "S": {"Type": "Succeed"}
            }
        })
    );
}

#[test]
fn output_is_deterministic_and_keeps_state_order() {
    let machine = StateMachine::new("Zeta")
        .state("Zeta", Pass::new().next("Alpha"))
        .state("Alpha", Pass::new().next("Mid"))
        .state("Mid", Succeed::new());
    let json = machine.to_json_pretty();
    assert!(json.ends_with("}\n"));
    assert_eq!(json, machine.clone().to_json_pretty());
    let position = |name: &str| json.find(&format!("\"{name}\": {{")).unwrap();
    assert!(position("Zeta") < position("Alpha"));
    assert!(position("Alpha") < position("Mid"));
    // Field order is fixed too: Type first, then Next.
    assert!(
        json.contains("\"Zeta\": {\n      \"Type\": \"Pass\",\n      \"Next\": \"Alpha\"\n    }")
    );
    let reparsed = StateMachine::from_json(&json).unwrap();
    assert_eq!(
        reparsed.states.keys().collect::<Vec<_>>(),
        ["Zeta", "Alpha", "Mid"]
    );
    assert_eq!(reparsed.to_json_pretty(), json);
}

#[test]
fn unknown_and_malformed_definitions_are_errors() {
    let unknown_type = r#"{"StartAt": "L", "States": {"L": {"Type": "Loop", "End": true}}}"#;
    let err = StateMachine::from_json(unknown_type).unwrap_err();
    assert!(err.to_string().contains("Loop"), "{err}");
    let err = StateMachine::from_json(r#"{"States": {}}"#).unwrap_err();
    assert!(err.to_string().contains("StartAt"), "{err}");
}

#[test]
fn unknown_fields_are_refused_with_their_path() {
    let typo = r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPth": "$.e"}}}"#;
    let err = StateMachine::from_json(typo).unwrap_err();
    assert_eq!(err.path(), "States.F");
    assert!(
        err.to_string().contains("unknown field `ErrorPth`"),
        "{err}"
    );
    let nested = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
        "Branches": [{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "r",
            "End": true, "Retry": [{"ErrorEquals": ["E"], "MaxAttempt": 2}]}}}]}}});
    let err = StateMachine::from_json(&nested.to_string()).unwrap_err();
    assert_eq!(err.path(), "States.P");
    assert!(
        err.to_string()
            .contains("Branches[0].States.T: Retry[0].MaxAttempt: unknown field `MaxAttempt`"),
        "{err}"
    );
    let top =
        r#"{"StartAt": "S", "Version": "1.0", "Timeout": 3, "States": {"S": {"Type": "Succeed"}}}"#;
    let err = StateMachine::from_json(top).unwrap_err();
    assert!(err.to_string().contains("unknown field `Timeout`"), "{err}");
}

#[test]
fn round_trips_map_and_parallel() {
    let definition = json!({
        "QueryLanguage": "JSONPath",
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Pass", "End": true}}
                },
                "ResultPath": "$.results",
                "Assign": {"count.$": "States.ArrayLength($.items)"},
                "Next": "Both"
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                "End": true
            },
            "Failed": {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.Cause"}
        }
    });
    let machine = assert_round_trip(&definition).unwrap();
    let State::Map(map) = &machine.states["Each"] else {
        panic!("Each is not a Map");
    };
    assert_eq!(
        map.processor().map(|(field, _)| field),
        Some("ItemProcessor")
    );
    assert_eq!(machine.states["Both"].children().len(), 2);
}
