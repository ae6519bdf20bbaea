//! An independent check of the definition: moto's own Step Functions executor
//! (execution mode on, Lambda tasks answered with canned results) takes the same
//! branches and publishes the same messages as the `asl` interpreter does with the
//! same task results; and the report-status handler reads moto's executions back.

use std::{collections::BTreeMap, time::Duration};

use asl::interpret::{Interpreter, TaskError, task_fn};
use aws_sdk_lambda::{
    primitives::Blob,
    types::{FunctionCode, Runtime},
};
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEventType};
use dragons_contract::workflow::{
    ADD_FUNCTION_ARN, SNS_PUBLISH, TOPIC_ARN, VALIDATE_FUNCTION_ARN, definition,
};
use dragons_contract::{names::STAGE, report_status};
use handlers::aws::executions::SfnExecutions;
use local_api::proxy_event::ProxyRequest;
use local_api::step_functions::{SnsPublish, substitute};
use serde_json::{Value, json};

use dragons_harness::fixtures::{Notification, REGION, Subscriber, sdk_config, unique_name};
use dragons_harness::moto::Moto;

use crate::report_workflow::{dragon, report};

/// An empty zip archive: moto stores the code without running it.
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// What one execution did: its status, the states it entered, what it published.
#[derive(Debug, PartialEq)]
struct Run {
    succeeded: bool,
    states: Vec<String>,
    notifications: Vec<Notification>,
}

/// Queues canned answers for moto's Lambda (one per invocation, in order).
fn queue_lambda_results(moto: &Moto, results: &[String]) {
    let (status, body) = moto
        .post_json(
            "/moto-api/static/lambda-simple/response",
            &json!({ "results": results, "region": REGION }),
        )
        .unwrap();
    assert!(status.contains(" 201 "), "{status}: {body}");
}

#[tokio::test]
async fn moto_takes_the_same_branches_and_publishes_the_same_messages() {
    let moto = Moto::shared().unwrap();
    let (status, body) = moto
        .post_json(
            "/moto-api/config",
            &json!({ "stepfunctions": { "execute_state_machine": true }, "lambda": { "use_docker": false } }),
        )
        .unwrap();
    assert!(
        status.contains(" 201 ") || status.contains(" 200 "),
        "{status}: {body}"
    );
    let config = sdk_config(&moto.endpoint()).await;
    let iam = aws_sdk_iam::Client::new(&config);
    let lambda = aws_sdk_lambda::Client::new(&config);
    let sfn = aws_sdk_sfn::Client::new(&config);

    let role = iam
        .create_role()
        .role_name(unique_name("report-dragon"))
        .assume_role_policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}).to_string(),
        )
        .send()
        .await
        .unwrap()
        .role
        .unwrap()
        .arn;
    let mut arns = BTreeMap::new();
    for (placeholder, function) in [
        (VALIDATE_FUNCTION_ARN, "validate"),
        (ADD_FUNCTION_ARN, "add"),
    ] {
        let created = lambda
            .create_function()
            .function_name(unique_name(function))
            .runtime(Runtime::Providedal2023)
            .handler("bootstrap")
            .role(&role)
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(EMPTY_ZIP.to_vec()))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        arns.insert(placeholder, created.function_arn.unwrap());
    }
    let subscriber = Subscriber::create(&config).await.unwrap();
    arns.insert(TOPIC_ARN, subscriber.topic_arn.clone());
    let machine = substitute(&definition(), &arns).unwrap();
    let machine_arn = sfn
        .create_state_machine()
        .name(unique_name("report-dragon"))
        .definition(serde_json::to_string(&machine).unwrap())
        .role_arn(&role)
        .send()
        .await
        .unwrap()
        .state_machine_arn;

    let on_moto = |input: Value| {
        let (sfn, machine_arn, subscriber) = (&sfn, &machine_arn, &subscriber);
        async move {
            let name = unique_name("execution");
            let execution_arn = sfn
                .start_execution()
                .state_machine_arn(machine_arn)
                .name(&name)
                .input(input.to_string())
                .send()
                .await
                .unwrap()
                .execution_arn;
            let mut status = ExecutionStatus::Running;
            for _ in 0..200 {
                status = sfn
                    .describe_execution()
                    .execution_arn(&execution_arn)
                    .send()
                    .await
                    .unwrap()
                    .status;
                if status != ExecutionStatus::Running {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let history = sfn
                .get_execution_history()
                .execution_arn(&execution_arn)
                .send()
                .await
                .unwrap();
            let states = history
                .events
                .iter()
                .filter(|event| event.r#type.as_str().ends_with("StateEntered"))
                .filter_map(|event| {
                    event
                        .state_entered_event_details
                        .as_ref()
                        .map(|d| d.name.clone())
                })
                .collect();
            let failure = history
                .events
                .iter()
                .find(|e| e.r#type == HistoryEventType::LambdaFunctionFailed);
            let error = failure
                .and_then(|event| event.lambda_function_failed_event_details.as_ref())
                .and_then(|details| details.error.clone());
            let run = Run {
                succeeded: status == ExecutionStatus::Succeeded,
                states,
                notifications: subscriber.drain(Duration::from_secs(2)).await.unwrap(),
            };
            (run, error, name)
        }
    };
    let executions = SfnExecutions::new(sfn.clone(), &machine_arn).unwrap();
    let status_of = |name: String, sub: &'static str| {
        let executions = &executions;
        async move {
            let path = report_status::location(&format!("/{STAGE}/dragons"), &name);
            let request = local_api::proxy_event::lambda_request(&ProxyRequest {
                method: "GET",
                path: &path,
                stage: STAGE,
                resource: "/dragons/reports/{reportId}",
                path_parameters: vec![(report_status::REPORT_ID_PARAMETER, name.clone())],
                request_id: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                claims: json!({ "sub": sub })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                source_ip: "127.0.0.1",
                ..Default::default()
            })
            .unwrap();
            let response = handlers::api::report_status::report_status(executions, &request).await;
            let body: Value = serde_json::from_slice(response.body()).unwrap();
            (response.status().as_u16(), body)
        }
    };
    let sns = SnsPublish::new(aws_sdk_sns::Client::new(&config));
    let in_interpreter = |answer: Result<Value, TaskError>, input: Value| {
        let lambda = task_fn(move |_resource: String, _input: Value| {
            let answer = answer.clone();
            async move { answer }
        });
        let interpreter = Interpreter::new(&machine)
            .runner(&arns[VALIDATE_FUNCTION_ARN], lambda.clone())
            .runner(&arns[ADD_FUNCTION_ARN], lambda)
            .runner(SNS_PUBLISH, sns.clone());
        let subscriber = &subscriber;
        async move {
            let outcome = interpreter.run(input).await;
            Run {
                succeeded: outcome.succeeded(),
                states: outcome
                    .states_entered()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                notifications: subscriber.drain(Duration::from_secs(2)).await.unwrap(),
            }
        }
    };

    // Success: both Lambda tasks answer.
    let input = report(dragon("Quill"), "user-42");
    let valid = json!({ "status": "VALID", "dragon_name_str": "Quill" });
    let answer = json!({ "status": "ADDED", "added": "Quill", "attempts": 1, "replayed": false });
    queue_lambda_results(&moto, &[valid.to_string(), answer.to_string()]);
    let (moto_run, _, name) = on_moto(input.clone()).await;
    assert!(moto_run.succeeded, "{moto_run:#?}");
    let (code, status) = status_of(name.clone(), "user-42").await;
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["status"], "ADDED", "{status}");
    assert_eq!(status["reportId"], name.as_str());
    assert_eq!(status["dragon"], dragon("Quill"));
    assert!(
        status["submittedAt"].is_string() && status["finishedAt"].is_string(),
        "{status}"
    );
    // Anyone but the reporter, and a name no execution has, get the same 404.
    let not_found = (404, json!({ "message": "No such report" }));
    assert_eq!(status_of(name, "user-43").await, not_found);
    assert_eq!(
        status_of("no-such-execution".into(), "user-42").await,
        not_found
    );
    assert_eq!(
        moto_run.states,
        [
            "ValidateDragon",
            "CheckValidation",
            "AddDragon",
            "CheckAddition",
            "NotifySuccess",
            "AddedOutput",
            "ReportAccepted"
        ]
    );
    assert_eq!(moto_run.notifications.len(), 1);
    assert_eq!(
        moto_run.notifications[0].message,
        "The dragon Quill was added."
    );
    assert_eq!(in_interpreter(Ok(answer), input).await, moto_run);

    // Rejection: the task answers REJECTED; the execution succeeds, and the status
    // route reads the rejection and its reason from its output.
    let input = report(dragon("Quill"), "user-44");
    let rejected =
        json!({ "status": "REJECTED", "reason": "a dragon named `Quill` already exists" });
    queue_lambda_results(&moto, &[rejected.to_string()]);
    let (moto_run, _, name) = on_moto(input.clone()).await;
    assert!(moto_run.succeeded, "{moto_run:#?}");
    assert_eq!(
        moto_run.states,
        [
            "ValidateDragon",
            "CheckValidation",
            "NotifyRejection",
            "RejectedOutput",
            "ReportRejected"
        ]
    );
    let (code, status) = status_of(name, "user-44").await;
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["status"], "REJECTED", "{status}");
    assert_eq!(status["reason"], "a dragon named `Quill` already exists");
    assert_eq!(moto_run.notifications[0].attributes["outcome"], "rejected");
    assert_eq!(
        moto_run.notifications[0].message,
        "The dragon Quill was not added: a dragon named `Quill` already exists"
    );
    assert_eq!(in_interpreter(Ok(rejected), input).await, moto_run);

    // Failure: Lambda fails the task (an answer over Lambda's 6 MB limit makes moto
    // report a function error, as Lambda does); Catch States.ALL notifies.
    let input = report(dragon("Rune"), "user-43");
    queue_lambda_results(&moto, &["x".repeat(6_100_000)]);
    let (moto_run, error, name) = on_moto(input.clone()).await;
    let error = error.expect("moto reports the Lambda failure");
    let (code, status) = status_of(name, "user-43").await;
    assert_eq!(code, 200, "{status}");
    assert_eq!(status["status"], "FAILED", "{status}");
    assert_eq!(status["reason"], report_status::FAILED_REASON);
    assert!(!moto_run.succeeded, "{moto_run:#?}");
    assert_eq!(
        moto_run.states,
        ["ValidateDragon", "NotifyFailure", "ReportFailed"]
    );
    assert_eq!(moto_run.notifications[0].attributes["outcome"], "failed");
    assert!(
        moto_run.notifications[0]
            .message
            .contains(&format!("({error})")),
        "{moto_run:#?}"
    );
    let failure = TaskError::new(
        error.clone(),
        json!({ "errorType": error, "errorMessage": "too large" }).to_string(),
    );
    assert_eq!(in_interpreter(Err(failure), input).await, moto_run);
}

#[tokio::test]
async fn a_running_execution_reads_back_as_running() {
    // moto without its executor: an execution stays RUNNING until stopped.
    let moto = Moto::start().unwrap();
    let config = sdk_config(&moto.endpoint()).await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let machine_arn = sfn
        .create_state_machine()
        .name(unique_name("report-dragon"))
        .definition(serde_json::to_string(&definition()).unwrap())
        .role_arn("arn:aws:iam::123456789012:role/report-dragon")
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let name = unique_name("running");
    sfn.start_execution()
        .state_machine_arn(&machine_arn)
        .name(&name)
        .input(report(dragon("Quill"), "user-44").to_string())
        .send()
        .await
        .unwrap();
    let executions = SfnExecutions::new(sfn, &machine_arn).unwrap();
    let execution = dragons_contract::report_status::ExecutionReader::describe(&executions, &name)
        .await
        .unwrap()
        .unwrap();
    let status = report_status::view(&name, &execution, "user-44").unwrap();
    assert_eq!(status.status, report_status::ReportState::Running);
    assert_eq!(status.dragon, dragon("Quill"));
    assert!(
        status.finished_at.is_none() && status.reason.is_none(),
        "{status:?}"
    );
    assert!(report_status::view(&name, &execution, "user-45").is_none());
}
