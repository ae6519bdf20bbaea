//! One test per rule: a minimal machine breaking exactly that rule.

use serde_json::{Value, json};

use super::{Rule, ValidationErrors, diagnostics, validate};
use crate::model::StateMachine;

pub(super) fn machine(definition: Value) -> StateMachine {
    serde_json::from_value(definition).unwrap()
}

/// `(rule, state)` of every diagnostic, in report order.
pub(super) fn reported(definition: Value) -> Vec<(Rule, Option<String>)> {
    diagnostics(&machine(definition))
        .into_iter()
        .map(|d| (d.rule, d.state))
        .collect()
}

pub(super) fn at(rule: Rule, state: &str) -> (Rule, Option<String>) {
    (rule, Some(state.to_owned()))
}

#[test]
fn empty_states() {
    let got = reported(json!({"StartAt": "A", "States": {}}));
    assert_eq!(got, [(Rule::EmptyStates, None)]);
}

#[test]
fn start_at_missing() {
    let got = reported(json!({"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}));
    assert_eq!(got, [(Rule::StartAtMissing, None)]);
}

#[test]
fn next_target_missing() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "IsPresent": true, "Next": "B"}
            ], "Default": "Ghost"},
            "B": {"Type": "Task", "Resource": "arn:r", "End": true,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Phantom"}]}
        }
    }));
    assert_eq!(
        got,
        [
            at(Rule::NextTargetMissing, "A"),
            at(Rule::NextTargetMissing, "B")
        ]
    );
}

#[test]
fn unreachable_state() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Succeed"}}
    }));
    assert_eq!(got, [at(Rule::UnreachableState, "Orphan")]);
}

#[test]
fn no_terminal_state() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Wait", "Seconds": 1, "Next": "A"}
        }
    }));
    assert_eq!(got, [(Rule::NoTerminalState, None)]);
}

#[test]
fn end_with_next() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B", "End": true},
            "B": {"Type": "Succeed"}
        }
    }));
    assert_eq!(got, [at(Rule::EndWithNext, "A")]);
}

#[test]
fn missing_transition() {
    // `End: false` counts as absent.
    let got = reported(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "BooleanEquals": true, "Next": "B"}
            ], "Default": "C"},
            "B": {"Type": "Pass", "End": false},
            "C": {"Type": "Succeed"}
        }
    }));
    assert_eq!(got, [at(Rule::MissingTransition, "B")]);
}

#[test]
fn state_name_too_long() {
    // 80 two-byte characters are fine: the limit counts characters, not bytes.
    let fine = "é".repeat(80);
    let long = "a".repeat(81);
    let got = reported(json!({
        "StartAt": fine,
        "States": {
            fine.clone(): {"Type": "Pass", "Next": long},
            long.clone(): {"Type": "Succeed"}
        }
    }));
    assert_eq!(got, [at(Rule::StateNameTooLong, &long)]);
}

#[test]
fn choice_without_rules() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Choice", "Choices": [], "Default": "B"},
            "B": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "IsNull": false}
            ], "Default": "C"},
            "C": {"Type": "Succeed"}
        }
    }));
    assert_eq!(
        got,
        [
            at(Rule::ChoiceWithoutRules, "A"),
            at(Rule::ChoiceWithoutRules, "B")
        ]
    );
}

#[test]
fn invalid_error_equals() {
    let got = diagnostics(&machine(json!({
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task", "Resource": "arn:r", "End": true,
                "Retry": [
                    {"ErrorEquals": ["States.ALL"]},
                    {"ErrorEquals": ["Custom"]}
                ],
                "Catch": [
                    {"ErrorEquals": [], "Next": "B"},
                    {"ErrorEquals": ["States.ALL", "States.Timeout"], "Next": "B"}
                ]
            },
            "B": {"Type": "Succeed"}
        }
    })));
    let got: Vec<_> = got
        .iter()
        .map(|d| (d.rule, d.state.as_deref(), d.message.as_str()))
        .collect();
    let rule = Rule::InvalidErrorEquals;
    assert_eq!(
        got,
        [
            (
                rule,
                Some("A"),
                "Retry[0].ErrorEquals uses `States.ALL` but is not the last entry"
            ),
            (rule, Some("A"), "Catch[0].ErrorEquals is empty"),
            (
                rule,
                Some("A"),
                "Catch[1].ErrorEquals must contain `States.ALL` alone"
            ),
        ]
    );
}

#[test]
fn invalid_retry() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {"A": {
            "Type": "Task", "Resource": "arn:r", "End": true,
            "Retry": [
                {"ErrorEquals": ["Slow"], "BackoffRate": 0.5},
                {"ErrorEquals": ["Busy"], "IntervalSeconds": 0, "BackoffRate": 1.0}
            ]
        }}
    }));
    assert_eq!(
        got,
        [at(Rule::InvalidRetry, "A"), at(Rule::InvalidRetry, "A")]
    );
}

#[test]
fn invalid_path() {
    let got = diagnostics(&machine(json!({
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass", "InputPath": "input", "OutputPath": null,
                "ResultPath": "$..x",
                "Parameters": {
                    "ok.$": "$.y",
                    "fmt.$": "States.Format('{}', $.x)",
                    "bad.$": "y",
                    "literal": "not a path, fine",
                    "nested": [{"deep.$": 3}]
                },
                "Next": "B"
            },
            "B": {"Type": "Choice", "Choices": [
                {"Not": {"Variable": "x", "IsPresent": true}, "Next": "C"},
                {"Variable": "$.a", "StringEqualsPath": "b", "Next": "C"}
            ], "Default": "C"},
            "C": {"Type": "Wait", "SecondsPath": "s", "End": true}
        }
    })));
    let got: Vec<_> = got
        .iter()
        .map(|d| {
            (
                d.rule,
                d.state.as_deref().unwrap(),
                d.message.split(' ').next().unwrap(),
            )
        })
        .collect();
    let rule = Rule::InvalidPath;
    assert_eq!(
        got,
        [
            (rule, "A", "InputPath"),
            (rule, "A", "ResultPath"),
            (rule, "A", "Parameters.bad.$"),
            (rule, "A", "Parameters.nested[0].deep.$"),
            (rule, "B", "Choices[0].Not.Variable"),
            (rule, "B", "Choices[1]"),
            (rule, "C", "SecondsPath"),
        ]
    );
}

#[test]
fn invalid_wait() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Wait", "Seconds": 5, "Timestamp": "2024-01-01T00:00:00Z", "Next": "B"},
            "B": {"Type": "Wait", "End": true}
        }
    }));
    assert_eq!(
        got,
        [at(Rule::InvalidWait, "A"), at(Rule::InvalidWait, "B")]
    );
}

#[test]
fn invalid_timeout() {
    let got = reported(json!({
        "StartAt": "A",
        "TimeoutSeconds": 0,
        "States": {
            "A": {"Type": "Task", "Resource": "arn:r", "TimeoutSeconds": 10,
                  "HeartbeatSeconds": 10, "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:r", "TimeoutSeconds": 0, "End": true}
        }
    }));
    assert_eq!(
        got,
        [
            (Rule::InvalidTimeout, None),
            at(Rule::InvalidTimeout, "A"),
            at(Rule::InvalidTimeout, "B")
        ]
    );
}

#[test]
fn reports_every_broken_rule_at_once() {
    let got = reported(json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B", "End": true},
            "B": {"Type": "Wait", "Next": "C"},
            "C": {"Type": "Succeed"},
            "Lost": {"Type": "Succeed"}
        }
    }));
    assert_eq!(
        got,
        [
            at(Rule::UnreachableState, "Lost"),
            at(Rule::EndWithNext, "A"),
            at(Rule::InvalidWait, "B"),
        ]
    );
}

#[test]
fn valid_machine_has_no_diagnostics() {
    let machine = machine(json!({
        "Comment": "Validate an order, then route it",
        "StartAt": "Validate",
        "TimeoutSeconds": 300,
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": "validate",
                    "Payload.$": "$",
                    "Message.$": "States.Format('Order {} received', $.id)",
                    "Meta": {"Trace.$": "$$.Execution.Id", "Tags": [{"Key.$": "$.tag"}]}
                },
                "ResultSelector": {"order.$": "$.Payload"},
                "ResultPath": "$.validated",
                "TimeoutSeconds": 30,
                "HeartbeatSeconds": 10,
                "Retry": [
                    {"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2,
                     "MaxAttempts": 3, "BackoffRate": 2.0},
                    {"ErrorEquals": ["States.ALL"]}
                ],
                "Catch": [
                    {"ErrorEquals": ["States.Timeout"], "Next": "Failed", "ResultPath": null},
                    {"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.error"}
                ],
                "Next": "Route"
            },
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"And": [
                        {"Variable": "$.validated.order.total", "NumericGreaterThan": 100},
                        {"Not": {"Variable": "$.validated.order.vip", "BooleanEquals": true}}
                    ], "Next": "Review"},
                    {"Variable": "$.validated.order.kind", "StringEqualsPath": "$.expected", "Next": "Done"}
                ],
                "Default": "Failed"
            },
            "Review": {"Type": "Pass", "Result": {"review": true}, "ResultPath": "$.review", "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "OrderFailed", "Cause": "validation failed"}
        }
    }));
    assert_eq!(diagnostics(&machine), []);
    assert_eq!(validate(&machine), Ok(()));
}

#[test]
fn validation_errors_display_lists_every_diagnostic() {
    let err = validate(&machine(json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Pass"}, "B": {"Type": "Succeed"}}
    })))
    .unwrap_err();
    let ValidationErrors(diagnostics) = &err;
    assert_eq!(diagnostics.len(), 3);
    assert_eq!(
        err.to_string(),
        "state machine has 3 validation error(s):\n  \
         - [unreachable-state] state `B`: not reachable from StartAt `A`\n  \
         - [no-terminal-state] no Succeed, Fail or `\"End\": true` state is reachable from StartAt\n  \
         - [missing-transition] state `A`: Pass state has neither Next nor `\"End\": true`"
    );
}

#[test]
fn sub_workflows_are_checked_with_their_location() {
    let got = reported(json!({
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "Ok", "States": {"Ok": {"Type": "Succeed"}}},
                {"StartAt": "Gone", "States": {"A": {"Type": "Pass", "End": true}}}
            ]}
        }
    }));
    assert_eq!(
        got,
        [(Rule::StartAtMissing, Some("P.Branches[1]".to_owned()))]
    );
    let got = reported(json!({
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 1, "Timestamp": "2024-01-01T00:00:00Z",
                             "End": true}}}}}
    }));
    assert_eq!(got, [at(Rule::InvalidWait, "M.ItemProcessor.W")]);
}
