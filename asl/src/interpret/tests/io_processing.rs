//! Input and output processing: InputPath, Parameters, ResultSelector, ResultPath,
//! OutputPath and the context object, mostly from the examples of the ASL specification
//! and the Step Functions documentation.

use serde_json::{Value, json};

use super::support::{Fake, machine};
use crate::errors;
use crate::interpret::{Interpreter, Outcome, Status, TestClock};

const HELLO: &str = "arn:aws:lambda:us-east-1:123456789012:function:HelloFunction";

/// One Task `state` (its `Type`, `Resource` and `End` are added) run on `input` with
/// `runner`.
async fn run_task(state: Value, runner: Fake, input: Value) -> Outcome {
    let mut state = state;
    if let Some(fields) = state.as_object_mut() {
        fields.insert("Type".into(), json!("Task"));
        fields.insert("Resource".into(), json!(HELLO));
        fields.insert("End".into(), json!(true));
    }
    let definition = json!({"StartAt": "Hello", "States": {"Hello": state}});
    Interpreter::new(&machine(&definition))
        .runner(HELLO, runner)
        .clock(TestClock::new())
        .run(input)
        .await
}

fn documentation_input() -> Value {
    json!({
        "comment": "This is a test of the input and output of a Task state.",
        "details": "Default example",
        "who": "AWS Step Functions"
    })
}

fn hello() -> Fake {
    Fake::replying([Ok(json!("Hello, AWS Step Functions!"))])
}

/// Documentation example: `ResultPath` absent (same as `$`) replaces the input.
#[tokio::test]
async fn result_path_dollar_replaces_the_input() {
    for state in [json!({}), json!({"ResultPath": "$"})] {
        let outcome = run_task(state, hello(), documentation_input()).await;
        assert_eq!(outcome.output, Some(json!("Hello, AWS Step Functions!")));
    }
}

/// Documentation example: `ResultPath: "$.taskresult"` adds the result to the input.
#[tokio::test]
async fn result_path_field_merges_into_the_input() {
    let outcome = run_task(
        json!({"ResultPath": "$.taskresult"}),
        hello(),
        documentation_input(),
    )
    .await;
    let mut expected = documentation_input();
    expected["taskresult"] = json!("Hello, AWS Step Functions!");
    assert_eq!(outcome.output, Some(expected));
}

/// Documentation example: `ResultPath: "$.strings.lambdaresult"` creates `strings`.
#[tokio::test]
async fn result_path_creates_missing_objects() {
    let outcome = run_task(
        json!({"ResultPath": "$.strings.lambdaresult"}),
        hello(),
        documentation_input(),
    )
    .await;
    let mut expected = documentation_input();
    expected["strings"] = json!({"lambdaresult": "Hello, AWS Step Functions!"});
    assert_eq!(outcome.output, Some(expected));
}

/// Documentation example: `ResultPath: null` discards the result.
#[tokio::test]
async fn result_path_null_discards_the_result() {
    let runner = hello();
    let outcome = run_task(
        json!({"ResultPath": null}),
        runner.clone(),
        documentation_input(),
    )
    .await;
    assert_eq!(outcome.output, Some(documentation_input()));
    assert_eq!(runner.inputs(), [documentation_input()]);
}

/// ASL specification, "Filters": InputPath selects what the task sees, ResultPath puts the
/// result into the *raw* input, OutputPath selects the output.
#[tokio::test]
async fn specification_filters_example() {
    let input = json!({"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}});
    let adder = Fake::replying([Ok(json!(7))]);
    let outcome = run_task(
        json!({"InputPath": "$.numbers", "ResultPath": "$.sum"}),
        adder.clone(),
        input.clone(),
    )
    .await;
    assert_eq!(adder.inputs(), [json!({"val1": 3, "val2": 4})]);
    assert_eq!(
        outcome.output,
        Some(json!({"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}, "sum": 7}))
    );

    let outcome = run_task(
        json!({"InputPath": "$.numbers", "ResultPath": "$.sum", "OutputPath": "$.sum"}),
        Fake::replying([Ok(json!(7))]),
        input,
    )
    .await;
    assert_eq!(outcome.output, Some(json!(7)));
}

/// Parameters build the payload from the effective input; ResultSelector reshapes the raw
/// result before ResultPath.
#[tokio::test]
async fn parameters_and_result_selector() {
    let runner = Fake::replying([Ok(json!({
        "ExecutedVersion": "$LATEST",
        "Payload": {"greeting": "hi Atlas"},
        "StatusCode": 200
    }))]);
    let outcome = run_task(
        json!({
            "InputPath": "$.who",
            "Parameters": {
                "FunctionName": HELLO,
                "Payload": {"name.$": "$.name", "label.$": "States.Format('{}-{}', $.name, $.n)"}
            },
            "ResultSelector": {"greeting.$": "$.Payload.greeting", "status.$": "$.StatusCode"},
            "ResultPath": "$.hello"
        }),
        runner.clone(),
        json!({"who": {"name": "Atlas", "n": 3}, "keep": true}),
    )
    .await;
    assert_eq!(
        runner.inputs(),
        [json!({"FunctionName": HELLO, "Payload": {"name": "Atlas", "label": "Atlas-3"}})]
    );
    assert_eq!(
        outcome.output,
        Some(json!({
            "who": {"name": "Atlas", "n": 3},
            "keep": true,
            "hello": {"greeting": "hi Atlas", "status": 200}
        }))
    );
}

/// `InputPath: null` hands the task `{}`; `OutputPath: null` outputs `{}`.
#[tokio::test]
async fn null_input_and_output_paths() {
    let runner = Fake::replying([Ok(json!("ignored"))]);
    let outcome = run_task(
        json!({"InputPath": null, "OutputPath": null}),
        runner.clone(),
        json!({"a": 1}),
    )
    .await;
    assert_eq!(runner.inputs(), [json!({})]);
    assert_eq!(outcome.output, Some(json!({})));
}

/// ASL specification, Pass state example: `Result` placed at `ResultPath`.
#[tokio::test]
async fn specification_pass_example() {
    let definition = json!({
        "StartAt": "No-op",
        "States": {
            "No-op": {
                "Type": "Pass",
                "Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
                "ResultPath": "$.coords",
                "End": true
            }
        }
    });
    let outcome = Interpreter::new(&machine(&definition))
        .run(json!({"georefOf": "Home"}))
        .await;
    assert_eq!(
        outcome.output,
        Some(json!({
            "georefOf": "Home",
            "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355}
        }))
    );
}

/// A Pass without Result passes its (filtered, templated) input as its result.
#[tokio::test]
async fn pass_parameters_read_input_and_context() {
    let definition = json!({
        "StartAt": "Shape",
        "States": {
            "Shape": {
                "Type": "Pass",
                "InputPath": "$.inner",
                "Parameters": {
                    "value.$": "$.v",
                    "state.$": "$$.State.Name",
                    "execution.$": "$$.Execution.Name",
                    "original.$": "$$.Execution.Input.inner.v",
                    "machine.$": "$$.StateMachine.Name",
                    "started.$": "$$.Execution.StartTime"
                },
                "ResultPath": "$.shaped",
                "OutputPath": "$.shaped",
                "End": true
            }
        }
    });
    let outcome = Interpreter::new(&machine(&definition))
        .name("shaper")
        .clock(TestClock::new())
        .run_named("run-42", json!({"inner": {"v": [1, 2]}}))
        .await;
    assert_eq!(
        outcome.output,
        Some(json!({
            "value": [1, 2],
            "state": "Shape",
            "execution": "run-42",
            "original": [1, 2],
            "machine": "shaper",
            "started": "2024-01-01T00:00:00.000Z"
        }))
    );
}

/// A `ResultPath` that cannot be applied is `States.ResultPathMatchFailure`, which a
/// catcher can handle.
#[tokio::test]
async fn result_path_match_failure_is_catchable() {
    let state = json!({
        "ResultPath": "$.a.b",
        "Catch": [{"ErrorEquals": [errors::RESULT_PATH_MATCH_FAILURE], "Next": "Handled"}]
    });
    let definition = json!({
        "StartAt": "Hello",
        "States": {
            "Hello": {"Type": "Task", "Resource": HELLO, "ResultPath": state["ResultPath"],
                      "Catch": state["Catch"], "End": true},
            "Handled": {"Type": "Succeed"}
        }
    });
    let outcome = Interpreter::new(&machine(&definition))
        .runner(HELLO, hello())
        .run(json!({"a": "not an object"}))
        .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.states_entered(), ["Hello", "Handled"]);
    let output = outcome.output.unwrap_or_default();
    assert_eq!(output["Error"], json!(errors::RESULT_PATH_MATCH_FAILURE));
}

/// An InputPath selecting nothing is `States.Runtime`, which `States.ALL` does not catch.
#[tokio::test]
async fn missing_input_path_is_an_uncatchable_runtime_error() {
    let runner = hello();
    let outcome = run_task(
        json!({
            "InputPath": "$.missing",
            "Retry": [{"ErrorEquals": [errors::ALL]}],
            "Catch": [{"ErrorEquals": [errors::ALL], "Next": "Hello"}]
        }),
        runner.clone(),
        json!({}),
    )
    .await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
    assert!(runner.calls().is_empty());
    assert!(outcome.retries().is_empty());
}

/// A `.$` path selecting nothing is `States.Runtime` (as recorded on the service).
#[tokio::test]
async fn missing_parameter_path_fails_the_task() {
    let outcome = run_task(
        json!({"Parameters": {"x.$": "$.missing"}}),
        hello(),
        json!({}),
    )
    .await;
    assert_eq!(outcome.error.as_deref(), Some(errors::RUNTIME));
    assert!(outcome.cause.unwrap_or_default().contains("$.missing"));
}
