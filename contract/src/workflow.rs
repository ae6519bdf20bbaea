//! The report workflow ("report-dragon", a Standard state machine), built with `asl`:
//! ValidateDragon → AddDragon → NotifySuccess; a rejection (a task's `REJECTED` answer)
//! announced and ended in a Succeed state whose output says so; a fault announced and
//! ended in a Fail state. Its resources are `${…}` placeholders that the template
//! fills through `DefinitionSubstitutions` and local-api fills with its own runners.

use asl::{
    Catcher, Choice, ChoiceRule, Condition, Fail, Pass, Retrier, StateMachine, Succeed, Task,
};
use serde_json::{Value, json};

use crate::{TaskErrorType, task_answer};

/// Placeholder (substitution key) of the ValidateDragon function's ARN.
pub const VALIDATE_FUNCTION_ARN: &str = "ValidateDragonFunctionArn";
/// Placeholder (substitution key) of the AddDragon function's ARN.
pub const ADD_FUNCTION_ARN: &str = "AddDragonFunctionArn";
/// Placeholder (substitution key) of the notification topic's ARN.
pub const TOPIC_ARN: &str = "DragonReportsTopicArn";
/// Every placeholder the definition holds.
pub const PLACEHOLDERS: [&str; 3] = [VALIDATE_FUNCTION_ARN, ADD_FUNCTION_ARN, TOPIC_ARN];
/// The service integration that publishes to SNS.
pub const SNS_PUBLISH: &str = "arn:aws:states:::sns:publish";

/// Transient Lambda service errors, retried on every Lambda task.
const LAMBDA_TRANSIENT: [&str; 4] = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];

/// How a run that failed ends: its Fail state's error name. The report-status route
/// reads the outcome from it ([`crate::report_status`]). A rejected report is no
/// failure: its run succeeds with a [`TaskAnswer::Rejected`](crate::TaskAnswer) output.
pub mod ending {
    /// The report could not be processed (a store kept failing, or something else).
    pub const FAILED: &str = "DragonReportFailed";
    /// The dragon was added, but the notification could not be sent.
    pub const ADDED_UNANNOUNCED: &str = "DragonAddedUnannounced";
}

/// `${name}`: how a placeholder appears in the definition.
pub fn placeholder(name: &str) -> String {
    format!("${{{name}}}")
}

fn lambda_task(function_arn: &str) -> Task {
    let mut store_unavailable = Retrier::new([TaskErrorType::DragonStoreUnavailable.as_str()])
        .interval_seconds(2)
        .max_attempts(3)
        .backoff_rate(2.0);
    store_unavailable.jitter_strategy = Some("FULL".to_owned());
    Task::new(placeholder(function_arn))
        .timeout_seconds(90)
        .retry(
            Retrier::new(LAMBDA_TRANSIENT)
                .interval_seconds(1)
                .max_attempts(3)
                .backoff_rate(2.0),
        )
        .retry(store_unavailable)
}

/// Anything that went wrong: no details for subscribers beyond the error name.
fn to_failure() -> Catcher {
    Catcher::new([asl::errors::ALL], "NotifyFailure").result_path("$.error")
}

fn discarding_result(mut task: Task) -> Task {
    task.result_path = Some(None);
    task
}

/// A publish to SNS with `parameters`, retried on any failure (SNS names its errors
/// `SNS.<exception>`: throttling, internal and KMS errors, client timeouts; publishing
/// again at worst repeats a message, never loses one), then handed to `then` with
/// the error beside the state's input.
fn publish(parameters: Value, then: &str) -> Task {
    let mut retry = Retrier::new([asl::errors::TASK_FAILED, asl::errors::TIMEOUT])
        .interval_seconds(1)
        .max_attempts(3)
        .backoff_rate(2.0);
    retry.max_delay_seconds = Some(5);
    retry.jitter_strategy = Some("FULL".to_owned());
    discarding_result(Task::new(SNS_PUBLISH).parameters(parameters))
        .timeout_seconds(30)
        .retry(retry)
        .catch(Catcher::new([asl::errors::ALL], then).result_path("$.notificationError"))
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

/// The AddDragon task's input: the report and the execution it belongs to (an
/// [`AddInput`](crate::AddInput)), so that a retried task knows its own dragon.
fn add_input() -> Value {
    json!({
        "dragon.$": "$.dragon",
        "reporter.$": "$.reporter",
        "report": {
            "id.$": "$$.Execution.Name",
            "submittedAt.$": "$$.Execution.StartTime",
        },
    })
}

/// Where a task's [`TaskAnswer`](crate::TaskAnswer) goes in the state's data.
const ANSWER: &str = "$.answer";

/// A task that keeps its answer at [`ANSWER`].
fn answering(mut task: Task) -> Task {
    task.result_path = Some(Some(ANSWER.to_owned()));
    task
}

/// A Choice that sends a rejected answer to the rejection's notice, any other on to
/// `next`.
fn unless_rejected(next: &str) -> Choice {
    Choice::new()
        .rule(
            ChoiceRule::and(vec![
                ChoiceRule::test(format!("{ANSWER}.status"), Condition::IsPresent(true)),
                ChoiceRule::test(
                    format!("{ANSWER}.status"),
                    Condition::StringEquals(task_answer::REJECTED.to_owned()),
                ),
            ])
            .next("NotifyRejection"),
        )
        .otherwise(next)
}

/// A Pass state that keeps only the last task's answer, then `next` (a Succeed state
/// takes no `OutputPath` in CloudFormation's schema).
fn keeping_the_answer(next: &str) -> Pass {
    Pass {
        output_path: Some(Some(ANSWER.to_owned())),
        next: Some(next.to_owned()),
        ..Pass::default()
    }
}

/// The report workflow. Input: a [`Report`](crate::Report),
/// `{"dragon": {...}, "reporter": {"sub", "username"}}`. Output, when it succeeds: the
/// last task's [`TaskAnswer`](crate::TaskAnswer), `ADDED` or `REJECTED` with the reason.
pub fn definition() -> StateMachine {
    let mut retry_conflicts = Retrier::new([TaskErrorType::DragonWriteConflict.as_str()])
        .interval_seconds(1)
        .max_attempts(6)
        .backoff_rate(2.0);
    retry_conflicts.max_delay_seconds = Some(10);
    retry_conflicts.jitter_strategy = Some("FULL".to_owned());
    StateMachine::new("ValidateDragon")
        .comment("Validates a reported dragon, adds it to the data object and tells subscribers the outcome.")
        .state(
            "ValidateDragon",
            answering(lambda_task(VALIDATE_FUNCTION_ARN))
                .catch(to_failure())
                .next("CheckValidation"),
        )
        .state("CheckValidation", unless_rejected("AddDragon"))
        .state(
            "AddDragon",
            answering(lambda_task(ADD_FUNCTION_ARN).parameters(add_input()))
                // The add is idempotent per execution: a timed-out attempt that did
                // write is told so on its retry.
                .retry(
                    Retrier::new([asl::errors::TIMEOUT])
                        .interval_seconds(2)
                        .max_attempts(2)
                        .backoff_rate(2.0),
                )
                .retry(retry_conflicts)
                .catch(to_failure())
                .next("CheckAddition"),
        )
        .state("CheckAddition", unless_rejected("NotifySuccess"))
        .state(
            "NotifySuccess",
            publish(
                notification(
                    "Dragon report accepted",
                    "added",
                    "States.Format('The dragon {} was added.', $.dragon.dragon_name_str)",
                ),
                "ReportAddedUnannounced",
            )
            .next("AddedOutput"),
        )
        .state("AddedOutput", keeping_the_answer("ReportAccepted"))
        .state("ReportAccepted", Succeed::new())
        .state(
            "ReportAddedUnannounced",
            Fail::new(
                ending::ADDED_UNANNOUNCED,
                "The dragon was added, but the notification could not be sent.",
            ),
        )
        .state(
            "NotifyRejection",
            publish(
                notification(
                    "Dragon report rejected",
                    "rejected",
                    "States.Format('The dragon {} was not added: {}', $.dragon.dragon_name_str, $.answer.reason)",
                ),
                "RejectedOutput",
            )
            .next("RejectedOutput"),
        )
        // A rejection is an outcome, not a fault: the execution succeeds, its output
        // the rejection and its reason (for the reporter who asks for the status).
        .state("RejectedOutput", keeping_the_answer("ReportRejected"))
        .state("ReportRejected", Succeed::new())
        .state(
            "NotifyFailure",
            publish(
                notification(
                    "Dragon report failed",
                    "failed",
                    "States.Format('The dragon {} was not added: the report could not be processed ({}). Please report it again later.', $.dragon.dragon_name_str, $.error.Error)",
                ),
                "ReportFailed",
            )
            .next("ReportFailed"),
        )
        .state(
            "ReportFailed",
            Fail::new(ending::FAILED, "The report could not be processed; please report it again later."),
        )
}
