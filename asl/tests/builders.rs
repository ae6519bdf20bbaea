//! The builder API produces the intended ASL and valid machines.

use asl::{Catcher, Fail, Retrier, StateMachine, Succeed, Task, errors};
use serde_json::{Value, json};

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function";

fn dragon_machine() -> StateMachine {
    StateMachine::new("ValidateDragon")
        .comment("Adds a dragon and notifies the outcome")
        .state(
            "ValidateDragon",
            Task::new(format!("{LAMBDA}:validate-dragon"))
                .catch(Catcher::new([errors::ALL], "NotifyFailure").result_path("$.error"))
                .next("AddDragon"),
        )
        .state(
            "AddDragon",
            Task::new(format!("{LAMBDA}:add-dragon"))
                .result_path("$.added")
                .retry(
                    Retrier::new(["DragonStoreBusy"])
                        .interval_seconds(2)
                        .max_attempts(3)
                        .backoff_rate(2.0),
                )
                .catch(Catcher::new([errors::ALL], "NotifyFailure").result_path("$.error"))
                .timeout_seconds(30)
                .next("NotifySuccess"),
        )
        .state(
            "NotifySuccess",
            Task::new("arn:aws:states:::sns:publish")
                .parameters(json!({
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:dragons",
                    "Message.$": "States.Format('Dragon {} added', $.dragonName)",
                    "Subject.$": "$.dragonName"
                }))
                .next("Done"),
        )
        .state("Done", Succeed::new())
        .state(
            "NotifyFailure",
            Task::new("arn:aws:states:::sns:publish")
                .parameters(json!({
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:dragons",
                    "Message.$": "$.error.Cause"
                }))
                .next("Failed"),
        )
        .state(
            "Failed",
            Fail::new("DragonNotAdded", "adding the dragon failed"),
        )
}

#[test]
fn dragon_machine_is_valid() {
    assert_eq!(asl::diagnostics(&dragon_machine()), []);
}

#[test]
fn dragon_machine_serializes_to_asl() {
    let json: Value = serde_json::from_str(&dragon_machine().to_json_pretty()).unwrap();
    assert_eq!(json["StartAt"], "ValidateDragon");
    assert_eq!(
        json["States"]["AddDragon"],
        json!({
            "Type": "Task",
            "Resource": format!("{LAMBDA}:add-dragon"),
            "ResultPath": "$.added",
            "TimeoutSeconds": 30,
            "Retry": [{"ErrorEquals": ["DragonStoreBusy"], "IntervalSeconds": 2,
                       "MaxAttempts": 3, "BackoffRate": 2.0}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "NotifyFailure",
                       "ResultPath": "$.error"}],
            "Next": "NotifySuccess"
        })
    );
    assert_eq!(
        json["States"]["Failed"],
        json!({"Type": "Fail", "Error": "DragonNotAdded", "Cause": "adding the dragon failed"})
    );
    assert_eq!(
        json["States"]["NotifySuccess"]["Parameters"]["Message.$"],
        "States.Format('Dragon {} added', $.dragonName)"
    );
}

#[test]
fn broken_builder_machine_reports_rules() {
    let machine =
        dragon_machine().state("Orphan", Task::new(format!("{LAMBDA}:x")).next("Nowhere"));
    let rules: Vec<_> = asl::validate(&machine)
        .unwrap_err()
        .0
        .into_iter()
        .map(|d| (d.rule.as_str(), d.state))
        .collect();
    assert_eq!(
        rules,
        [
            ("next-target-missing", Some("Orphan".to_owned())),
            ("unreachable-state", Some("Orphan".to_owned())),
        ]
    );
}
