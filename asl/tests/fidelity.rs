//! Where `asl` once differed from Step Functions (issue 28), one test per rule, each
//! built from what the developer guide documents:
//!
//! - `Comment` on a retrier or catcher (the guide's Retry/Catch field lists);
//! - Choice timestamps in the documented RFC 3339 profile (uppercase `T` and `Z`, a
//!   leap second included), literal and `…Path` operands alike;
//! - workflow variables read by a Map's `ItemSelector`, `MaxConcurrencyPath` and
//!   `ToleratedFailurePercentagePath`, and by a Pass state;
//! - `States.DataLimitExceeded` (a task result over 256 KiB of UTF-8) caught by a catcher
//!   that names it (`States.ALL` catching it too: `tests/map_variables_limits.rs`);
//! - Map iterations a Choice ends early, and a distributed Map entered again;
//! - Lambda ARNs with placeholder regions and accounts, which CreateStateMachine accepts;
//! - and the rules left after issue 28: a JSONata `Condition` written as a JSON boolean, a
//!   `Parameters` path that selects nothing (`States.Runtime`), the whole documented
//!   context object (`$$` and `$states.context`), and the events of the iterations and
//!   branches a failed one stops. Where the guide is not precise, these follow executions
//!   recorded on the service (the AWS-validated snapshots of LocalStack's Step Functions
//!   suite), each test naming the one it follows.

mod support;

use asl::Rule;
use std::future::pending;

use asl::interpret::{HistoryEvent, Interpreter, Status, TaskError, TestClock, task_fn};
use serde_json::{Value, json};
use support::{failed, machine, rules, run, run_with_result, succeeded};

#[test]
fn comment_is_accepted_on_retriers_and_catchers() {
    let definition = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                 "Retry": [{"Comment": "throttling clears up", "ErrorEquals": ["Throttled"]}],
                 "Catch": [{"Comment": "give up", "ErrorEquals": ["States.ALL"], "Next": "Done"}],
                 "End": true},
        "Done": {"Type": "Succeed"}}});
    let parsed = machine(&definition);
    assert_eq!(asl::validate(&parsed), Ok(()));
    let asl::State::Task(task) = &parsed.states["Work"] else {
        panic!("Work is not a Task");
    };
    assert_eq!(
        task.retry[0].comment.as_deref(),
        Some("throttling clears up")
    );
    assert_eq!(task.catch[0].comment.as_deref(), Some("give up"));
    let json: Value = serde_json::from_str(&parsed.to_json_pretty()).unwrap_or_default();
    assert_eq!(
        json["States"]["Work"]["Catch"][0]["Comment"],
        json!("give up")
    );
}

/// A leap second (`:60`) is a valid `time-second` of the documented profile, at any time
/// of day and any offset; a space, a lowercase `t` or no offset are not.
#[tokio::test]
async fn choice_timestamps_follow_the_documented_profile() {
    let choice = |operand: Value| {
        json!({"StartAt": "Pick", "States": {
            "Pick": {"Type": "Choice", "Choices": [
                {"And": [{"Variable": "$.at", "TimestampGreaterThanEquals": operand},
                         {"Variable": "$.at", "TimestampLessThanPath": "$.until"}],
                 "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": "yes", "End": true},
            "No": {"Type": "Pass", "Result": "no", "End": true}}})
    };
    let leap = json!("2016-03-14T10:59:60+09:00");
    assert_eq!(rules(&choice(leap.clone())), []);
    let outcome = run(
        &choice(leap),
        json!({"at": "2016-03-14T02:00:00Z", "until": "2016-03-14T11:00:00.5+09:00"}),
    )
    .await;
    assert_eq!(outcome.output, Some(json!("yes")));
    // A `…Path` value is read the same way.
    let outcome = run(
        &choice(json!("2016-03-14T01:00:00Z")),
        json!({"at": "2016-03-14T01:30:00Z", "until": "2016-03-14T10:59:60+09:00"}),
    )
    .await;
    assert_eq!(outcome.output, Some(json!("yes")));
    for refused in [
        "2016-03-14 01:59:00Z",
        "2016-03-14t01:59:00Z",
        "2016-03-14T01:59:00",
    ] {
        assert_eq!(
            rules(&choice(json!(refused))),
            [Rule::InvalidTimestamp],
            "{refused}"
        );
    }
}

#[tokio::test]
async fn variables_are_read_by_map_item_selector_and_map_paths() {
    let definition = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass",
                "Assign": {"prefix": "item-", "limit": 2, "tolerated": 50}, "Next": "Each"},
        "Each": {"Type": "Map", "MaxConcurrencyPath": "$limit",
                 "ToleratedFailurePercentagePath": "$tolerated",
                 "ItemSelector": {"name.$": "States.Format('{}{}', $prefix, $$.Map.Item.Value)",
                                  "limit.$": "$limit"},
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                       "ExecutionType": "STANDARD"},
                                   "StartAt": "Echo",
                                   "States": {"Echo": {"Type": "Pass", "End": true}}},
                 "End": true}}});
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!(["a", "b"])).await;
    assert_eq!(
        outcome.output,
        Some(json!([{"name": "item-a", "limit": 2}, {"name": "item-b", "limit": 2}])),
        "{:?}: {:?}",
        outcome.error,
        outcome.cause
    );
}

#[tokio::test]
async fn variables_are_read_by_a_plain_pass_state() {
    let definition = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"greeting": "hello"}, "Next": "Show"},
        "Show": {"Type": "Pass", "InputPath": "$greeting", "End": true}}});
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({})).await;
    assert_eq!(
        outcome.output,
        Some(json!("hello")),
        "{:?}: {:?}",
        outcome.error,
        outcome.cause
    );
}

/// 100,000 three-byte characters: 300,002 bytes of UTF-8 JSON, under 256 Ki characters.
fn result_over_the_quota_in_bytes_only() -> Value {
    json!("€".repeat(100_000))
}

#[tokio::test]
async fn data_limit_exceeded_is_caught_by_a_catcher_naming_it() {
    let definition = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "big", "End": true,
                 "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "ResultPath": "$.error",
                            "Next": "Caught"},
                           {"ErrorEquals": ["States.ALL"], "Next": "Other"}]},
        "Caught": {"Type": "Pass", "Parameters": {"error.$": "$.error.Error"}, "End": true},
        "Other": {"Type": "Fail", "Error": "WrongCatcher"}}});
    let outcome = run_with_result(&definition, result_over_the_quota_in_bytes_only()).await;
    assert_eq!(
        outcome.output,
        Some(json!({"error": "States.DataLimitExceeded"})),
        "{:?}: {:?}",
        outcome.error,
        outcome.cause
    );
    // Under the quota in bytes, the same result goes through.
    let outcome = run_with_result(&definition, json!("€".repeat(80_000))).await;
    assert_eq!(outcome.status, Status::Succeeded);
}

/// A Choice inside the iteration sends some items to a Succeed state before the last
/// state of the processor: those iterations end there, with that state's output.
#[tokio::test]
async fn map_iterations_a_choice_ends_early_give_their_output_there() {
    let definition = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1,
                 "ItemProcessor": {"StartAt": "Small?", "States": {
                     "Small?": {"Type": "Choice", "Choices": [
                         {"Variable": "$.n", "NumericLessThan": 10, "Next": "Skip"}],
                         "Default": "Double"},
                     "Skip": {"Type": "Succeed", "OutputPath": "$.n"},
                     "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"},
                                "Next": "Last"},
                     "Last": {"Type": "Pass", "OutputPath": "$.n", "End": true}}},
                 "ResultPath": "$.results", "Next": "Done"},
        "Done": {"Type": "Pass", "OutputPath": "$.results", "End": true}}});
    assert_eq!(rules(&definition), []);
    let outcome = run(
        &definition,
        json!({"items": [{"n": 1}, {"n": 20}, {"n": 3}]}),
    )
    .await;
    assert_eq!(
        outcome.output,
        Some(json!([1, 40, 3])),
        "{:?}: {:?}",
        outcome.error,
        outcome.cause
    );
    let entered: Vec<&str> = outcome.states_entered();
    assert_eq!(entered.iter().filter(|s| **s == "Skip").count(), 2);
    assert_eq!(entered.iter().filter(|s| **s == "Last").count(), 1);
}

/// A distributed Map entered twice in one execution (a loop back to it) runs its items
/// afresh each time, with the variables of that time.
#[tokio::test]
async fn distributed_maps_can_be_entered_again() {
    let definition = json!({"StartAt": "Start", "States": {
        "Start": {"Type": "Pass", "Assign": {"round": 1}, "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items",
                 "ItemSelector": {"item.$": "$$.Map.Item.Value", "round.$": "$round"},
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                       "ExecutionType": "EXPRESS"},
                                   "StartAt": "Tag", "States": {
                     "Tag": {"Type": "Pass",
                             "Parameters": {"tag.$": "States.Format('{}-{}', $.round, $.item)"},
                             "End": true}}},
                 "ResultPath": "$.results",
                 "Assign": {"round.$": "States.MathAdd($round, 1)",
                            "last.$": "$"},
                 "Next": "Again?"},
        "Again?": {"Type": "Choice", "Choices": [
            {"Variable": "$round", "NumericLessThanEquals": 2, "Next": "Each"}],
            "Default": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"last.$": "$last"}, "End": true}}});
    assert_eq!(rules(&definition), []);
    let outcome = run(&definition, json!({"items": ["a", "b"]})).await;
    assert_eq!(
        outcome.output,
        Some(json!({"last": [{"tag": "2-a"}, {"tag": "2-b"}]})),
        "{:?}: {:?}",
        outcome.error,
        outcome.cause
    );
    let entered = outcome.states_entered();
    assert_eq!(entered.iter().filter(|s| **s == "Each").count(), 2);
    assert_eq!(entered.iter().filter(|s| **s == "Tag").count(), 4);
}

#[test]
fn lambda_arns_with_placeholder_regions_and_accounts_are_accepted() {
    let task = |resource: &str, next: Value| {
        let mut state = json!({"Type": "Task", "Resource": resource});
        match next {
            Value::String(next) => state["Next"] = json!(next),
            _ => state["End"] = json!(true),
        }
        state
    };
    let accepted = json!({"StartAt": "A", "States": {
        "A": task("arn:aws:lambda:REGION:ACCOUNT_ID:function:work", json!("B")),
        "B": task("arn:aws:lambda:region:111122223333:function:work:prod", json!("C")),
        "C": task("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:work", json!("D")),
        "D": task("arn:aws:lambda:us-east-1:account-id:function:work:$LATEST", json!("E")),
        "E": task("arn:aws-cn:lambda:<region>:<account>:function:work", Value::Null)}});
    assert_eq!(rules(&accepted), []);
    // The function part is still checked.
    let refused = json!({"StartAt": "A", "States": {
        "A": task("arn:aws:lambda:REGION:ACCOUNT_ID:function:bad name", Value::Null)}});
    assert_eq!(rules(&refused), [Rule::InvalidLambdaArn]);
}

// ---- Issue 28's leftovers -------------------------------------------------------------

/// Recorded (`test_choice_condition_constant_jsonata`): the service accepts a JSONata
/// rule whose `Condition` is the JSON boolean `true`, and the rule matches. (asl-validator
/// 4.0.0 refuses it: its schema wants a string.)
#[tokio::test]
async fn a_jsonata_condition_may_be_a_json_boolean() {
    let definition = |condition: bool| {
        json!({"StartAt": "ChoiceState", "States": {
            "ChoiceState": {"Type": "Choice", "QueryLanguage": "JSONata",
                            "Choices": [{"Condition": condition, "Next": "ConditionTrue"}],
                            "Default": "DefaultState"},
            "ConditionTrue": {"Type": "Pass", "End": true},
            "DefaultState": {"Type": "Fail", "Cause": "Condition is false"}}})
    };
    assert_eq!(rules(&definition(true)), []);
    let outcome = run(&definition(true), json!({})).await;
    assert_eq!(succeeded(&outcome), Some(&json!({})));
    assert_eq!(outcome.states_entered(), ["ChoiceState", "ConditionTrue"]);
    let outcome = run(&definition(false), json!({})).await;
    assert_eq!(failed(&outcome), ("", "Condition is false"));
    // The boolean stays a boolean when the definition is written out again.
    let written: Value =
        serde_json::from_str(&machine(&definition(true)).to_json_pretty()).unwrap_or_default();
    assert_eq!(
        written["States"]["ChoiceState"]["Choices"][0]["Condition"],
        json!(true)
    );
}

/// Recorded (`test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]` and
/// `[…_CONTEXTPATH]` for a Pass state; the AWS Step Functions workshop's execution of a
/// Lambda Task state): a `.$` path of `Parameters` that selects nothing fails the state
/// with `States.Runtime`, not `States.ParameterPathFailure`, so no catcher handles it,
/// and the cause names the path, the field and the input.
#[tokio::test]
async fn a_parameters_path_that_selects_nothing_is_a_runtime_error() {
    let pass = |path: &str| {
        json!({"StartAt": "pass", "States": {
            "pass": {"Type": "Pass", "Parameters": {"value.$": path}, "End": true}}})
    };
    let outcome = run(&pass("$.no_such_jsonpath"), json!({"int-literal": 0})).await;
    assert_eq!(
        failed(&outcome),
        (
            "States.Runtime",
            r#"The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'"#
        )
    );
    let outcome = run(
        &pass("$$.Execution.Input.no_such_jsonpath"),
        json!({"int-literal": 0}),
    )
    .await;
    let (error, cause) = failed(&outcome);
    assert_eq!(error, "States.Runtime");
    assert!(
        cause.starts_with(
            "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found"
        ),
        "{cause}"
    );

    let task = json!({"StartAt": "Check Address", "States": {
        "Check Address": {"Type": "Task", "Resource": "check",
                          "Parameters": {"address.$": "$.application.address"},
                          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                          "End": true},
        "Caught": {"Type": "Succeed"}}});
    let outcome = Interpreter::new(&machine(&task))
        .runner(
            "check",
            task_fn(|_, _| async { Ok::<_, TaskError>(json!("never called")) }),
        )
        .clock(TestClock::new())
        .run(json!({"flagged": false}))
        .await;
    assert_eq!(
        failed(&outcome),
        (
            "States.Runtime",
            r#"The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{"flagged":false}'"#
        )
    );
}

/// The context object as the guide documents it, read by JSONPath (`$$`) and by JSONata
/// (`$states.context`): `Execution` (`Id`, `Input`, `Name`, `RoleArn`, `StartTime`,
/// `RedriveCount`), `State` (`Name`, `EnteredTime`, and `RetryCount` in the states that
/// retry), `StateMachine` (`Id`, `Name`) and, for a `.waitForTaskToken` task, `Task.Token`.
/// The recorded executions (`test_query_context_object_values`, the retried Lambda task
/// of `test_base_scenarios`) show `RetryCount` in a Task state and not in a Pass state.
#[tokio::test]
async fn the_context_object_holds_every_documented_field() {
    let callback = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";
    let definition = json!({"StartAt": "Look", "States": {
        "Look": {"Type": "Pass", "Parameters": {"context.$": "$$"}, "ResultPath": "$.path",
                 "Next": "Callback"},
        "Callback": {"Type": "Task", "Resource": callback,
                     "Parameters": {"token.$": "$$.Task.Token",
                                    "retries.$": "$$.State.RetryCount",
                                    "id.$": "$$.Execution.Id"},
                     "ResultPath": "$.task", "Next": "Jsonata"},
        "Jsonata": {"Type": "Pass", "QueryLanguage": "JSONata",
                    "Output": {"path": "{% $states.input.path %}",
                               "task": "{% $states.input.task %}",
                               "jsonata": "{% $states.context %}"},
                    "End": true}}});
    assert_eq!(rules(&definition), []);
    let input = json!({"dragon": "Atlas"});
    let outcome = Interpreter::new(&machine(&definition))
        .name("Report")
        .runner(
            callback,
            task_fn(|_, input| async { Ok::<_, TaskError>(input) }),
        )
        .clock(TestClock::new())
        .run_named("exec-1", input.clone())
        .await;
    let output = succeeded(&outcome).cloned().unwrap_or_default();
    let execution = json!({
        "Id": "arn:aws:states:us-east-1:123456789012:execution:Report:exec-1",
        "Input": input,
        "Name": "exec-1",
        "RoleArn": "arn:aws:iam::123456789012:role/service-role/StepFunctions-Report-role",
        "StartTime": "2024-01-01T00:00:00.000Z",
        "RedriveCount": 0});
    let state_machine = json!({
        "Id": "arn:aws:states:us-east-1:123456789012:stateMachine:Report",
        "Name": "Report"});
    assert_eq!(
        output["path"]["context"],
        json!({"Execution": execution, "StateMachine": state_machine,
               "State": {"Name": "Look", "EnteredTime": "2024-01-01T00:00:00.000Z"}})
    );
    assert_eq!(
        output["jsonata"],
        json!({"Execution": execution, "StateMachine": state_machine,
               "State": {"Name": "Jsonata", "EnteredTime": "2024-01-01T00:00:00.000Z"}})
    );
    assert_eq!(output["task"]["retries"], json!(0));
    assert_eq!(output["task"]["id"], execution["Id"]);
    let token = output["task"]["token"].as_str().unwrap_or_default();
    assert!(token.len() >= 32, "{token}");
}

/// The ARNs of the context object name the region, account and role the interpreter is
/// given, with the region's partition.
#[tokio::test]
async fn the_context_object_names_the_configured_region_account_and_role() {
    let definition = json!({"StartAt": "Look", "States": {
        "Look": {"Type": "Pass",
                 "Parameters": {"execution.$": "$$.Execution.Id",
                                "machine.$": "$$.StateMachine.Id",
                                "role.$": "$$.Execution.RoleArn"},
                 "End": true}}});
    let outcome = Interpreter::new(&machine(&definition))
        .name("Report")
        .region("cn-north-1")
        .account_id("111122223333")
        .role_arn("arn:aws-cn:iam::111122223333:role/Reporter")
        .clock(TestClock::new())
        .run_named("exec-2", json!({}))
        .await;
    assert_eq!(
        succeeded(&outcome),
        Some(&json!({
            "execution": "arn:aws-cn:states:cn-north-1:111122223333:execution:Report:exec-2",
            "machine": "arn:aws-cn:states:cn-north-1:111122223333:stateMachine:Report",
            "role": "arn:aws-cn:iam::111122223333:role/Reporter"}))
    );
}

/// Recorded (`test_service_lambda_map_timeout`, `test_parallel_catch_error`): when an
/// inline iteration or a branch fails, the others still running stop; the history keeps
/// the events they recorded, and the state each was in ends aborted (the service's
/// `TaskStateAborted`).
#[tokio::test]
async fn iterations_and_branches_a_failure_stops_keep_their_events_and_end_aborted() {
    // Item (or branch) 1 fails at once; the others never finish.
    let work = task_fn(|_, input: Value| async move {
        if input["n"] == json!(1) {
            return Err(TaskError::new("Boom", "item 1 broke"));
        }
        pending::<()>().await;
        Ok(input)
    });
    let processor = json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "work", "End": true}}});
    let map = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemSelector": {"n.$": "$$.Map.Item.Value"},
                 "ItemProcessor": processor, "End": true}}});
    let branch = |item: u8| {
        json!({"StartAt": "Work", "States": {
            "Work": {"Type": "Task", "Resource": "work", "Parameters": {"n": item},
                     "End": true}}})
    };
    let parallel = json!({"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Branches": [branch(0), branch(1), branch(2)],
                 "End": true}}});
    for (definition, input) in [(map, json!([0, 1, 2])), (parallel, json!({}))] {
        let outcome = Interpreter::new(&machine(&definition))
            .runner("work", work.clone())
            .clock(TestClock::new())
            .run(input)
            .await;
        assert_eq!(failed(&outcome), ("Boom", "item 1 broke"));
        let work_events: Vec<&HistoryEvent> = outcome
            .history
            .iter()
            .filter(|event| event.state_name() == "Work")
            .collect();
        let kinds: Vec<Value> = work_events
            .iter()
            .map(|event| serde_json::to_value(event).unwrap_or_default()["event"].clone())
            .collect();
        assert_eq!(
            kinds,
            [
                "StateEntered",
                "StateAborted",
                "StateEntered",
                "StateFailed",
                "StateEntered",
                "StateAborted"
            ]
            .map(|kind| json!(kind)),
            "{definition}"
        );
    }
}
