//! The "report-dragon" Standard state machine: its definition (typed `asl`, validated
//! before it is written), role and logging.

use std::collections::BTreeMap;

use asl::{Catcher, Fail, Pass, Retrier, StateMachine, Succeed, Task};
use handlers::domain::names::{DRAGON_VALIDATION_ERROR, DRAGON_WRITE_CONFLICT};
use serde_json::{Value, json};
use stratosphere::services::aws::{lambda, sns, stepfunctions};
use stratosphere::value::ExpString;

use super::StackError;
use crate::iam::{self, PolicyDocument, Service, Statement, actions};
use crate::template::{Handle, Pseudo, Sub, Template};

/// `DefinitionSubstitutions` key of the ValidateDragon function's ARN.
pub const VALIDATE_FUNCTION_ARN: &str = "ValidateDragonFunctionArn";
/// `DefinitionSubstitutions` key of the AddDragon function's ARN.
pub const ADD_FUNCTION_ARN: &str = "AddDragonFunctionArn";
/// `DefinitionSubstitutions` key of the notification topic's ARN.
pub const TOPIC_ARN: &str = "DragonReportsTopicArn";
/// The service integration that publishes to SNS.
pub const SNS_PUBLISH: &str = "arn:aws:states:::sns:publish";

/// Transient Lambda service errors, retried on every Lambda task.
const LAMBDA_TRANSIENT: [&str; 4] = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];

fn placeholder(name: &str) -> String {
    format!("${{{name}}}")
}

fn lambda_task(function_arn: &str) -> Task {
    Task::new(placeholder(function_arn))
        .timeout_seconds(60)
        .retry(
            Retrier::new(LAMBDA_TRANSIENT)
                .interval_seconds(1)
                .max_attempts(3)
                .backoff_rate(2.0),
        )
}

/// A rejected dragon: the Lambda's error `Cause` is its JSON error payload, whose
/// `errorMessage` says why.
fn to_rejection() -> Catcher {
    Catcher::new([DRAGON_VALIDATION_ERROR], "ReadRejectionReason").result_path("$.error")
}

/// Anything else that went wrong: no details for subscribers beyond the error name.
fn to_failure() -> Catcher {
    Catcher::new([asl::errors::ALL], "NotifyFailure").result_path("$.error")
}

fn discarding_result(mut task: Task) -> Task {
    task.result_path = Some(None);
    task
}

fn notification(subject: &str, outcome: &str, message: &str) -> Value {
    json!({
        "TopicArn": placeholder(TOPIC_ARN),
        "Subject": subject,
        "Message.$": message,
        "MessageAttributes": {
            "outcome": { "DataType": "String", "StringValue": outcome },
            "reporter": { "DataType": "String", "StringValue.$": "$.reporter.sub" },
        },
    })
}

/// The report workflow. Input: `{"dragon": {...}, "reporter": {"sub", "username"}}`.
pub fn definition() -> StateMachine {
    let mut retry_conflicts = Retrier::new([DRAGON_WRITE_CONFLICT])
        .interval_seconds(1)
        .max_attempts(6)
        .backoff_rate(2.0);
    retry_conflicts.max_delay_seconds = Some(10);
    retry_conflicts.jitter_strategy = Some("FULL".to_owned());
    StateMachine::new("ValidateDragon")
        .comment("Validates a reported dragon, adds it to the data object and tells subscribers the outcome.")
        .state(
            "ValidateDragon",
            discarding_result(lambda_task(VALIDATE_FUNCTION_ARN))
                .catch(to_rejection())
                .catch(to_failure())
                .next("AddDragon"),
        )
        .state(
            "AddDragon",
            discarding_result(lambda_task(ADD_FUNCTION_ARN))
                .retry(retry_conflicts)
                .catch(to_rejection())
                .catch(to_failure())
                .next("NotifySuccess"),
        )
        .state(
            "NotifySuccess",
            discarding_result(Task::new(SNS_PUBLISH).parameters(notification(
                "Dragon report accepted",
                "added",
                "States.Format('The dragon {} was added.', $.dragon.dragon_name_str)",
            )))
            .next("ReportAccepted"),
        )
        .state("ReportAccepted", Succeed::new())
        .state(
            "ReadRejectionReason",
            Pass {
                parameters: Some(json!({
                    "dragon.$": "$.dragon",
                    "reporter.$": "$.reporter",
                    "reason.$": "States.StringToJson($.error.Cause)",
                })),
                next: Some("NotifyRejection".to_owned()),
                ..Pass::default()
            },
        )
        .state(
            "NotifyRejection",
            discarding_result(Task::new(SNS_PUBLISH).parameters(notification(
                "Dragon report rejected",
                "rejected",
                "States.Format('The dragon {} was not added: {}', $.dragon.dragon_name_str, $.reason.errorMessage)",
            )))
            .next("ReportRejected"),
        )
        .state(
            "ReportRejected",
            Fail::new("DragonReportRejected", "The dragon was not added; the notification says why."),
        )
        .state(
            "NotifyFailure",
            discarding_result(Task::new(SNS_PUBLISH).parameters(notification(
                "Dragon report failed",
                "failed",
                "States.Format('The dragon {} was not added: the report could not be processed ({}). Please report it again later.', $.dragon.dragon_name_str, $.error.Error)",
            )))
            .next("ReportFailed"),
        )
        .state(
            "ReportFailed",
            Fail::new("DragonReportFailed", "The report could not be processed; the notification says so."),
        )
}

/// Adds the state machine with its log group and role.
pub fn add(
    template: &mut Template,
    definition: &StateMachine,
    validate: &Handle<lambda::Function_>,
    add: &Handle<lambda::Function_>,
    topic: &Handle<sns::Topic_>,
) -> Result<Handle<stepfunctions::StateMachine_>, StackError> {
    let log_group = super::logging::add(template, "StateMachineLogGroup")?;
    let role = template.add(
        "StateMachineRole",
        iam::role(
            Service::StepFunctions,
            "Role of the report-dragon state machine",
            "RunReportDragon",
            &PolicyDocument::new(vec![
                Statement::allow(
                    "InvokeWorkflowFunctions",
                    &[actions::LAMBDA_INVOKE_FUNCTION],
                    vec![validate.arn(), add.arn()],
                ),
                Statement::allow(
                    "PublishOutcome",
                    &[actions::SNS_PUBLISH],
                    vec![topic.reference()],
                ),
                Statement::allow_unscoped(
                    "DeliverExecutionLogs",
                    &[
                        actions::LOGS_CREATE_LOG_DELIVERY,
                        actions::LOGS_GET_LOG_DELIVERY,
                        actions::LOGS_UPDATE_LOG_DELIVERY,
                        actions::LOGS_DELETE_LOG_DELIVERY,
                        actions::LOGS_LIST_LOG_DELIVERIES,
                        actions::LOGS_PUT_RESOURCE_POLICY,
                        actions::LOGS_DESCRIBE_RESOURCE_POLICIES,
                        actions::LOGS_DESCRIBE_LOG_GROUPS,
                    ],
                ),
                Statement::allow_unscoped(
                    "WriteTraces",
                    &[
                        actions::XRAY_PUT_TRACE_SEGMENTS,
                        actions::XRAY_PUT_TELEMETRY_RECORDS,
                        actions::XRAY_GET_SAMPLING_RULES,
                        actions::XRAY_GET_SAMPLING_TARGETS,
                    ],
                ),
            ]),
        ),
    )?;
    let substitutions = [
        (VALIDATE_FUNCTION_ARN, validate.arn()),
        (ADD_FUNCTION_ARN, add.arn()),
        (TOPIC_ARN, topic.reference()),
    ]
    .into_iter()
    .map(|(name, value): (&str, ExpString)| Ok((name.to_owned(), serde_json::to_value(value)?)))
    .collect::<Result<BTreeMap<String, Value>, serde_json::Error>>()?;
    Ok(template.add(
        "ReportDragonStateMachine",
        stepfunctions::StateMachine! {
            definition: serde_json::to_value(definition)?,
            definition_substitutions: substitutions,
            logging_configuration: stepfunctions::statemachine::LoggingConfiguration! {
                destinations: vec![stepfunctions::statemachine::LogDestination! {
                    cloud_watch_logs_log_group: stepfunctions::statemachine::CloudWatchLogsLogGroup! {
                        log_group_arn: log_group.arn(),
                    },
                }],
                include_execution_data: false,
                level: "ERROR",
            },
            role_arn: role.arn(),
            state_machine_name: Sub::new().pseudo(Pseudo::StackName).text("-report-dragon").build(),
            state_machine_type: "STANDARD",
            tracing_configuration: stepfunctions::statemachine::TracingConfiguration! { enabled: true },
        },
    )?)
}
