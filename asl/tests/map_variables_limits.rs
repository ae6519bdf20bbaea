//! Issue 28's families, one test per rule: what the developer guide documents about
//! variables in Map states, the Map state's `…Path` fields, Map iterations that end early,
//! distributed Maps entered again, and the 256 KiB payload quota; where the guide's text
//! is not precise enough, the rule is the one executions recorded on the service show (the
//! AWS-validated snapshots of LocalStack's Step Functions suite; each test says which).

mod support;

use asl::Rule;
use asl::interpret::{Interpreter, TaskError, TestClock, task_fn};
use serde_json::{Value, json};
use support::{failed, machine, rules, run, run_with_result, succeeded};

/// A Map over `[1, 2, 3]` whose fields are `fields`, after a Pass assigning `assign`.
fn map_after_assign(assign: Value, fields: Value, distributed: bool) -> Value {
    let config = if distributed {
        json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"})
    } else {
        json!({"Mode": "INLINE"})
    };
    let mut map = json!({"Type": "Map", "ItemsPath": "$.Values",
        "ItemProcessor": {"ProcessorConfig": config, "StartAt": "Item",
                          "States": {"Item": {"Type": "Pass", "End": true}}},
        "End": true});
    if let (Some(map), Some(fields)) = (map.as_object_mut(), fields.as_object()) {
        map.extend(fields.clone());
    }
    json!({"StartAt": "Start", "States": {
        "Start": {"Type": "Pass", "Assign": assign, "Result": {"Values": [1, 2, 3]},
                  "Next": "MapState"},
        "MapState": map}})
}

// ---- Variables in a Map's fields ------------------------------------------------------

/// Recorded (`MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH`): a variable holding the text
/// `"1"` is a valid `MaxConcurrencyPath` value.
#[tokio::test]
async fn max_concurrency_path_reads_an_integer_written_as_text_from_a_variable() {
    let definition = map_after_assign(
        json!({"maxConcurrency": "1"}),
        json!({"MaxConcurrencyPath": "$maxConcurrency"}),
        false,
    );
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(succeeded(&outcome), Some(&json!([1, 2, 3])));
}

/// Recorded (`MAP_STATE_REFERENCE_IN_TOLERATED_FAILURE_PATH`): the tolerated-failure paths
/// read numbers written as text from variables.
#[tokio::test]
async fn tolerated_failure_paths_read_numbers_written_as_text_from_variables() {
    let definition = map_after_assign(
        json!({"toleratedFailurePercentage": "1", "toleratedFailureCount": "1"}),
        json!({"MaxConcurrency": 1,
               "ToleratedFailurePercentagePath": "$toleratedFailurePercentage",
               "ToleratedFailureCountPath": "$toleratedFailureCount"}),
        true,
    );
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(succeeded(&outcome), Some(&json!([1, 2, 3])));
}

/// Recorded (`MAP_STATE_REFERENCE_IN_MAX_PER_BATCH_PATH`): the batcher's paths read
/// integers written as text from variables.
#[tokio::test]
async fn item_batcher_paths_read_integers_written_as_text_from_variables() {
    let definition = map_after_assign(
        json!({"maxItemsPerBatch": "2", "maxBytesPerBatch": "15000"}),
        json!({"ItemBatcher": {"MaxItemsPerBatchPath": "$maxItemsPerBatch",
                               "MaxInputBytesPerBatchPath": "$maxBytesPerBatch"}}),
        true,
    );
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(
        succeeded(&outcome),
        Some(&json!([{"Items": [1, 2]}, {"Items": [3]}]))
    );
}

/// Recorded (`test_max_concurrency_path`, `…_tolerated_failure_count_path`,
/// `…_percentage_path`): a value that is no number (`{}`, `"NoNumber"`) is `States.Runtime`,
/// naming the field, the value and the path.
#[tokio::test]
async fn map_path_values_that_are_not_numbers_are_runtime_errors() {
    let cases = [
        (
            "MaxConcurrencyPath",
            json!({}),
            "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: $.limit",
        ),
        (
            "MaxConcurrencyPath",
            json!("NoNumber"),
            "The MaxConcurrencyPath field refers to value \"NoNumber\" which is not a valid integer: $.limit",
        ),
        (
            "ToleratedFailureCountPath",
            json!("NoNumber"),
            "The ToleratedFailureCountPath field refers to value \"NoNumber\" which is not a valid integer: $.limit",
        ),
        (
            "ToleratedFailurePercentagePath",
            json!({}),
            "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: $.limit",
        ),
    ];
    for (field, value, cause) in cases {
        let mut definition = map_after_assign(json!({}), json!({field: "$.limit"}), true);
        definition["States"]["Start"]["Result"]["limit"] = value.clone();
        let outcome = run(&definition, json!({})).await;
        assert_eq!(
            failed(&outcome),
            ("States.Runtime", cause),
            "{field} {value}"
        );
    }
}

/// Recorded (`test_map_state_tolerated_failure_percentage_path[-1|-1.1|100.1]`): a
/// percentage outside 0–100 fails the execution with `States.Runtime`; 0, 1.1 and 100 run.
#[tokio::test]
async fn tolerated_failure_percentage_outside_0_to_100_is_a_runtime_error() {
    for (percentage, valid) in [
        (json!(-1), false),
        (json!(-1.1), false),
        (json!(100.1), false),
        (json!(0), true),
        (json!(1.1), true),
        (json!(100), true),
    ] {
        let mut definition = map_after_assign(
            json!({}),
            json!({"ToleratedFailurePercentagePath": "$.percentage"}),
            true,
        );
        definition["States"]["Start"]["Result"]["percentage"] = percentage.clone();
        let outcome = run(&definition, json!({})).await;
        if valid {
            assert_eq!(succeeded(&outcome), Some(&json!([1, 2, 3])), "{percentage}");
        } else {
            assert_eq!(
                failed(&outcome),
                (
                    "States.Runtime",
                    "ToleratedFailurePercentage must be between 0 and 100."
                ),
                "{percentage}"
            );
        }
    }
}

/// Recorded (`test_map_state_tolerated_failure_count_path[-1]`).
#[tokio::test]
async fn tolerated_failure_count_below_zero_is_a_runtime_error() {
    let mut definition = map_after_assign(
        json!({}),
        json!({"ToleratedFailureCountPath": "$.count"}),
        true,
    );
    definition["States"]["Start"]["Result"]["count"] = json!(-1);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(
        failed(&outcome),
        (
            "States.Runtime",
            "ToleratedFailureCount cannot be negative."
        )
    );
}

/// The `ItemSelector` is evaluated by the Map state, in the scope around it: a `.$` key
/// reads the outer variables even when the processor is distributed (whose own states see
/// none), and a plain key keeps a `$…` string as it is (recorded:
/// `MAP_STATE_REFERENCE_IN_ITEM_SELECTOR`).
#[tokio::test]
async fn item_selector_reads_outer_variables_only_through_dollar_keys() {
    let definition = map_after_assign(
        json!({"bucket": "test-name"}),
        json!({"ItemSelector": {"value.$": "$$.Map.Item.Value", "bucketName": "$bucket",
                                "bucket.$": "$bucket", "index.$": "$$.Map.Item.Index"}}),
        true,
    );
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    let item = |value: u64, index: u64| json!({"value": value, "bucketName": "$bucket", "bucket": "test-name", "index": index});
    assert_eq!(
        succeeded(&outcome),
        Some(&json!([item(1, 0), item(2, 1), item(3, 2)]))
    );
}

/// "Assign" is evaluated once the state's work is done, and the new values take effect in
/// the next state: the Map state's own `ItemSelector` and `MaxConcurrencyPath` read the
/// values from before it (the guide's evaluation order).
#[tokio::test]
async fn a_map_state_own_assign_is_not_seen_by_its_item_selector() {
    let mut definition = map_after_assign(
        json!({"round": 1, "limit": 1}),
        json!({"ItemSelector": {"round.$": "$round"}, "MaxConcurrencyPath": "$limit",
               "Assign": {"round": 2, "limit": "not a number", "seen.$": "$[0].round"},
               "Next": "After"}),
        false,
    );
    if let Some(map) = definition["States"]["MapState"].as_object_mut() {
        map.remove("End");
    }
    definition["States"]["After"] = json!({"Type": "Pass", "Parameters": {"round.$": "$round", "seen.$": "$seen"}, "End": true});
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(succeeded(&outcome), Some(&json!({"round": 2, "seen": 1})));
}

/// Recorded (`BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE`, `BASE_SCOPE_MAP`): an inner Map's
/// iterations read the variables of the outer iteration and of the top level; what an
/// iteration assigns is gone after the Map.
#[tokio::test]
async fn nested_iterations_read_every_outer_scope_and_assign_only_their_own() {
    let definition = json!({"StartAt": "Input", "States": {
        "Input": {"Type": "Pass", "Result": {"levels": [[9, 44, 6], [82, 25, 76]]},
                  "Assign": {"bias": 4}, "Next": "Levels"},
        "Levels": {"Type": "Map", "MaxConcurrency": 1, "ResultPath": "$.sums",
            "ItemsPath": "$.levels", "ItemProcessor": {"StartAt": "Vector", "States": {
                "Vector": {"Type": "Pass", "Assign": {"x.$": "$[0]", "y.$": "$[1]"},
                           "Next": "Sum"},
                "Sum": {"Type": "Map", "ItemsPath": "$[2:3]",
                    "ItemProcessor": {"StartAt": "Add", "States": {
                        "Add": {"Type": "Pass", "Parameters": {
                            "sum.$": "States.MathAdd(States.MathAdd(States.MathAdd($x, $y), $), $bias)"},
                            "End": true}}},
                    "End": true}}},
            "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"bias.$": "$bias", "x.$": "$x"}, "End": true}}});
    let outcome = run(&definition, json!({})).await;
    // `$x` was assigned inside the iterations only.
    let (error, _) = failed(&outcome);
    assert_ne!(error, "");
    let entered = outcome.states_entered();
    assert_eq!(entered.iter().filter(|s| **s == "Add").count(), 2);
    let mut definition = definition;
    definition["States"]["After"] = json!({"Type": "Pass", "InputPath": "$.sums", "End": true});
    let outcome = run(&definition, json!({})).await;
    assert_eq!(
        succeeded(&outcome),
        Some(&json!([[{"sum": 63}], [{"sum": 187}]]))
    );
}

// ---- Map iterations that end early --------------------------------------------------

/// Recorded (`test_map_state_break_condition`): a Choice inside an iteration sends item 4
/// (the number 3) to a Fail state; the Map state fails with that Fail state's error and
/// cause, and with `MaxConcurrency` 1 the later items never start. The Choice's `And`
/// stops at the first false rule, so `NumericEquals` never sees `"Hello"` or `{}`.
#[tokio::test]
async fn a_fail_state_ending_an_iteration_fails_the_map_and_stops_later_iterations() {
    let definition = json!({"StartAt": "StartState", "States": {
        "StartState": {"Type": "Pass", "Result": [1, "Hello", {}, 3.3, 3, 4, 5],
                       "ResultPath": "$.arr", "Next": "MapState"},
        "MapState": {"Type": "Map", "ResultPath": null, "InputPath": "$.arr",
            "MaxConcurrency": 1,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Equals3",
                "States": {
                    "Equals3": {"Type": "Choice", "Choices": [{"And": [
                        {"IsPresent": true, "Variable": "$"},
                        {"And": [{"IsNumeric": true, "Variable": "$"},
                                 {"NumericEquals": 3, "Variable": "$"}]}],
                        "Next": "Break"}], "Default": "Pass"},
                    "Break": {"Type": "Fail", "Error": "SomeFailure",
                              "Cause": "This state machines raises a 'SomeFailure' failure."},
                    "Pass": {"Type": "Pass", "End": true}}},
            "Next": "Final"},
        "Final": {"Type": "Pass", "End": true}}});
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(
        failed(&outcome),
        (
            "SomeFailure",
            "This state machines raises a 'SomeFailure' failure."
        )
    );
    let entered = outcome.states_entered();
    assert_eq!(entered.iter().filter(|s| **s == "Equals3").count(), 5);
    assert_eq!(entered.iter().filter(|s| **s == "Pass").count(), 4);
    assert!(!entered.contains(&"Final"));
}

/// Recorded (`test_map_state_catch`, `test_map_state_retry`): a catcher on the Map state
/// receives the failed iteration's error output; a retrier runs every iteration again.
#[tokio::test]
async fn an_iteration_failure_is_retried_and_caught_as_the_map_state_error() {
    let map = |extra: Value| {
        let mut map = json!({"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "HandleItemFail", "States": {
                "HandleItemFail": {"Type": "Fail", "Error": "HandleItemFailError",
                                   "Cause": "HandleItemFailCause"}}},
            "End": true});
        if let (Some(map), Some(extra)) = (map.as_object_mut(), extra.as_object()) {
            map.extend(extra.clone());
        }
        json!({"StartAt": "MapState", "States": {"MapState": map,
            "Caught": {"Type": "Pass", "End": true}}})
    };
    let caught = map(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]}));
    let outcome = run(&caught, json!({"items": [1]})).await;
    assert_eq!(
        succeeded(&outcome),
        Some(&json!({"Error": "HandleItemFailError", "Cause": "HandleItemFailCause"}))
    );
    let retried = map(json!({"Retry": [{"ErrorEquals": ["HandleItemFailError"],
                                        "IntervalSeconds": 1, "MaxAttempts": 2}]}));
    let outcome = run(&retried, json!({"items": [1]})).await;
    assert_eq!(
        failed(&outcome),
        ("HandleItemFailError", "HandleItemFailCause")
    );
    let entered = outcome.states_entered();
    assert_eq!(
        entered.iter().filter(|s| **s == "HandleItemFail").count(),
        3
    );
}

/// A distributed Map counts an iteration ended by a Fail state against its tolerated
/// failures: within the threshold the Map succeeds, over it the Map fails with
/// `States.ExceedToleratedFailureThreshold` (the distributed Map page).
#[tokio::test]
async fn iterations_ended_by_a_fail_state_count_against_the_tolerated_failures() {
    let definition = |tolerated: u64| {
        json!({"StartAt": "MapState", "States": {"MapState": {"Type": "Map",
            "ToleratedFailureCount": tolerated,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                  "ExecutionType": "STANDARD"},
                "StartAt": "Odd?", "States": {
                    "Odd?": {"Type": "Choice", "Choices": [
                        {"Variable": "$", "NumericEquals": 1, "Next": "Stop"}],
                        "Default": "Keep"},
                    "Stop": {"Type": "Fail", "Error": "Odd"},
                    "Keep": {"Type": "Succeed"}}},
            "End": true}}})
    };
    let outcome = run(&definition(1), json!([0, 1, 2])).await;
    let output = succeeded(&outcome).cloned().unwrap_or_default();
    assert_eq!(output[0], json!(0));
    assert_eq!(output[2], json!(2));
    let outcome = run(&definition(0), json!([0, 1, 2])).await;
    assert_eq!(failed(&outcome).0, "States.ExceedToleratedFailureThreshold");
}

// ---- Distributed Maps entered again --------------------------------------------------

/// Recorded (`MAP_STATE_CONFIG_DISTRIBUTED_REENTRANT`): a loop enters the same distributed
/// Map three times, each time over the previous result.
#[tokio::test]
async fn a_distributed_map_entered_again_by_a_loop_runs_afresh_each_time() {
    let definition = json!({"StartAt": "StartState", "States": {
        "StartState": {"Type": "Pass", "Parameters": {"Iterations": 3,
            "Values.$": "States.ArrayRange(0, 3, 1)"}, "Next": "BeforeIteration"},
        "BeforeIteration": {"Type": "Pass", "Parameters": {
            "Iterations.$": "States.MathAdd($.Iterations, -1)", "Values.$": "$.Values"},
            "Next": "IterationBody"},
        "IterationBody": {"Type": "Map", "MaxConcurrency": 1, "ItemsPath": "$.Values",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                  "ExecutionType": "STANDARD"},
                "StartAt": "ProcessValue",
                "States": {"ProcessValue": {"Type": "Pass", "End": true}}},
            "ResultPath": "$.Values", "Next": "CheckIteration"},
        "CheckIteration": {"Type": "Choice", "Choices": [
            {"Variable": "$.Iterations", "NumericEquals": 0, "Next": "Terminate"}],
            "Default": "BeforeIteration"},
        "Terminate": {"Type": "Succeed"}}});
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(
        succeeded(&outcome),
        Some(&json!({"Iterations": 0, "Values": [0, 1, 2, 3]}))
    );
    let entered = outcome.states_entered();
    assert_eq!(entered.iter().filter(|s| **s == "ProcessValue").count(), 12);
}

/// Recorded (`MAP_STATE_NESTED_CONFIG_DISTRIBUTED`): a distributed Map inside a distributed
/// Map's processor.
#[tokio::test]
async fn a_distributed_map_runs_inside_a_distributed_map() {
    let distributed = json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"});
    let definition = json!({"StartAt": "SetupState", "States": {
        "SetupState": {"Type": "Pass", "Result": {"values": [{"sub-values": [
            {"num": 1, "str": "A"}, {"num": 2, "str": "B"}]}]}, "Next": "MapState"},
        "MapState": {"Type": "Map", "MaxConcurrency": 1, "ItemsPath": "$.values",
            "ItemProcessor": {"ProcessorConfig": distributed, "StartAt": "SubMapState",
                "States": {"SubMapState": {"Type": "Map", "MaxConcurrency": 1,
                    "ItemsPath": "$.sub-values", "ResultPath": "$.result",
                    "ItemProcessor": {"ProcessorConfig": distributed,
                        "StartAt": "SubMapStateSuccess",
                        "States": {"SubMapStateSuccess": {"Type": "Succeed"}}},
                    "End": true}}},
            "End": true}}});
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    let values = json!([{"num": 1, "str": "A"}, {"num": 2, "str": "B"}]);
    assert_eq!(
        succeeded(&outcome),
        Some(&json!([{"sub-values": values, "result": values}]))
    );
}

// ---- The payload quota ---------------------------------------------------------------

/// 257 Ki ASCII characters, as the recorded Lambda returns: over the quota.
fn over_the_quota() -> Value {
    json!("a".repeat(257 * 1024))
}

/// Recorded (`test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response`):
/// a task result over 256 KiB is a task failure, `States.DataLimitExceeded`, that a
/// `States.ALL` catcher catches (the guide's note that `States.ALL` cannot catch it
/// describes the terminal case below, a state's own input or output).
#[tokio::test]
async fn a_task_result_over_the_quota_is_a_task_failure_states_all_catches() {
    let definition = json!({"StartAt": "InvokeLambda", "States": {
        "InvokeLambda": {"Type": "Task", "Resource": "big", "Next": "ProcessResult",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "HandleGeneralError"}]},
        "ProcessResult": {"Type": "Pass", "End": true},
        "HandleGeneralError": {"Type": "Pass", "End": true}}});
    let outcome = run_with_result(&definition, over_the_quota()).await;
    let output = succeeded(&outcome).cloned().unwrap_or_default();
    assert_eq!(output["Error"], json!("States.DataLimitExceeded"));
    assert_eq!(
        output["Cause"],
        json!(
            "The state/task 'big' returned a result with a size exceeding the maximum number of bytes service limit."
        )
    );
    assert!(outcome.states_entered().contains(&"HandleGeneralError"));
}

/// Recorded (`test_start_large_input`): a Pass state whose output is over the quota fails
/// the execution with `States.DataLimitExceeded`.
#[tokio::test]
async fn a_state_output_over_the_quota_fails_the_execution() {
    let definition = json!({"StartAt": "State_1", "States": {
        "State_1": {"Type": "Pass", "Result": {"Arg1": over_the_quota()}, "End": true}}});
    let outcome = run(&definition, json!({})).await;
    assert_eq!(
        failed(&outcome),
        (
            "States.DataLimitExceeded",
            "The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit."
        )
    );
}

/// A state's own output over the quota is the terminal error: neither `States.ALL` nor a
/// catcher naming it handles it (the error-handling page).
#[tokio::test]
async fn a_task_state_output_over_the_quota_is_not_caught() {
    let half = json!("a".repeat(140 * 1024));
    let definition = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "big", "ResultPath": "$.copy", "End": true,
            "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Caught"},
                      {"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Caught": {"Type": "Succeed"}}});
    let outcome = Interpreter::new(&machine(&definition))
        .runner(
            "big",
            task_fn(move |_, input| async move { Ok::<_, TaskError>(input) }),
        )
        .clock(TestClock::new())
        .run(json!({"data": half}))
        .await;
    assert_eq!(failed(&outcome).0, "States.DataLimitExceeded");
    assert!(!outcome.states_entered().contains(&"Caught"));
}

/// "After `Parameters` processing, the input of a state is larger than the payload size
/// quota" (the error-handling page): a Pass or Parallel state whose `Parameters` build
/// more than 256 KiB fails, though its `OutputPath` would keep little of it.
#[tokio::test]
async fn a_state_input_over_the_quota_after_parameters_fails() {
    let big = "a".repeat(200 * 1024);
    let pass = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
        "Parameters": {"a.$": "$.text", "b.$": "$.text", "small": 1},
        "OutputPath": "$.small", "End": true}}});
    let outcome = run(&pass, json!({"text": big})).await;
    assert_eq!(failed(&outcome).0, "States.DataLimitExceeded");
    let parallel = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel",
        "Parameters": {"a.$": "$.text", "b.$": "$.text"},
        "Branches": [{"StartAt": "Small", "States": {"Small": {"Type": "Pass",
            "Result": 1, "End": true}}}],
        "End": true}}});
    let outcome = run(&parallel, json!({"text": big})).await;
    assert_eq!(failed(&outcome).0, "States.DataLimitExceeded");
    // Under the quota the same states run.
    let outcome = run(&pass, json!({"text": "small"})).await;
    assert_eq!(succeeded(&outcome), Some(&json!(1)));
}

// ---- JSONata numeric fields and the Pass state's fields -------------------------------

/// The guide's JSONata states take `{% … %}` strings for their numeric fields: Wait
/// `Seconds`, Task `TimeoutSeconds`/`HeartbeatSeconds`, Map `MaxConcurrency`, the tolerated
/// failures and the batcher's sizes; they parse, validate, run and serialize back as given.
#[tokio::test]
async fn jsonata_numeric_fields_take_expressions() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": "{% $states.input.wait %}", "Next": "Work"},
        "Work": {"Type": "Task", "Resource": "big",
                 "TimeoutSeconds": "{% $states.input.wait + 1 %}",
                 "HeartbeatSeconds": "{% 1 %}", "Output": "{% $states.input %}",
                 "Next": "Each"},
        "Each": {"Type": "Map", "Items": "{% $states.input.items %}",
                 "MaxConcurrency": "{% $states.input.limit %}",
                 "ToleratedFailurePercentage": "{% 50 %}",
                 "ToleratedFailureCount": "{% 1 %}",
                 "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.limit %}",
                                 "MaxInputBytesPerBatch": "{% 1000 %}"},
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                       "ExecutionType": "STANDARD"},
                     "StartAt": "Count", "States": {"Count": {"Type": "Pass",
                         "Output": "{% $count($states.input.Items) %}", "End": true}}},
                 "End": true}}});
    let parsed = machine(&definition);
    assert_eq!(rules(&definition), []);
    let round_trip: Value = serde_json::from_str(&parsed.to_json_pretty()).unwrap_or_default();
    assert_eq!(round_trip, definition);
    let outcome = Interpreter::new(&parsed)
        .runner(
            "big",
            task_fn(|_, input| async move { Ok::<_, TaskError>(input) }),
        )
        .clock(TestClock::new())
        .run(json!({"wait": 2, "limit": 2, "items": [1, 2, 3]}))
        .await;
    assert_eq!(succeeded(&outcome), Some(&json!([2, 1])));
    // A number that is not a whole number of seconds is `States.QueryEvaluationError`.
    let outcome = run(&definition, json!({"wait": 1.5, "limit": 2, "items": []})).await;
    assert_eq!(failed(&outcome).0, "States.QueryEvaluationError");
    // In a JSONPath state, or as a string that is no expression, they are refused.
    let mut jsonpath = definition.clone();
    jsonpath["QueryLanguage"] = json!("JSONPath");
    assert!(rules(&jsonpath).contains(&Rule::JsonAtaFieldInJsonPathState));
    let mut plain = definition;
    plain["States"]["Nap"]["Seconds"] = json!("5");
    assert_eq!(rules(&plain), [Rule::InvalidJsonAta]);
}

/// The Pass page: `Result` is JSONPath only; a JSONata Pass state outputs its `Output`
/// (default: its input).
#[tokio::test]
async fn a_jsonata_pass_state_outputs_output_and_has_no_result() {
    let with_output = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": {"sum": "{% $states.input.a + 1 %}"}, "End": true}}});
    let outcome = run(&with_output, json!({"a": 1})).await;
    assert_eq!(succeeded(&outcome), Some(&json!({"sum": 2})));
    let with_result = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": {"fixed": true}, "End": true}}});
    assert_eq!(rules(&with_result), [Rule::JsonPathFieldInJsonAtaState]);
    let outcome = run(&with_result, json!({"a": 1})).await;
    assert_eq!(failed(&outcome).0, "States.Runtime");
}
