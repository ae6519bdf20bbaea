//! The report workflow's definition run in `asl`'s interpreter, with scripted runners
//! for its placeholder resources: every path through it, its retries and what it
//! publishes.

use std::time::Duration;

use asl::interpret::{Interpreter, Outcome, ScriptedRunner as Fake, Status, TestClock};
use serde_json::{Value, json};

use crate::workflow::{
    ADD_FUNCTION_ARN, SNS_PUBLISH, TOPIC_ARN, VALIDATE_FUNCTION_ARN, definition, placeholder,
};

fn validate() -> String {
    placeholder(VALIDATE_FUNCTION_ARN)
}

fn add() -> String {
    placeholder(ADD_FUNCTION_ARN)
}

/// The fakes of one run.
struct Fakes {
    validate: Fake,
    add: Fake,
    sns: Fake,
    clock: TestClock,
}

impl Fakes {
    fn new(validate: Fake, add: Fake) -> Self {
        Self {
            validate,
            add,
            sns: Fake::replying([]),
            clock: TestClock::new(),
        }
    }

    async fn run(&self) -> Outcome {
        let machine = definition();
        asl::validate(&machine).unwrap();
        Interpreter::new(&machine)
            .name(crate::names::STATE_MACHINE)
            .runner(validate(), self.validate.clone())
            .runner(add(), self.add.clone())
            .runner(SNS_PUBLISH, self.sns.clone())
            .clock(self.clock.clone())
            .jitter_seed(42)
            .run(input())
            .await
    }
}

fn input() -> Value {
    json!({
        "dragon": {
            "dragon_name_str": "Atlas",
            "family_str": "red",
            "description_str": "Line one\nline \"two\"",
            "location_city_str": "Seattle",
            "location_country_str": "USA",
            "location_state_str": "WA",
            "location_neighborhood_str": "Capitol Hill"
        },
        "reporter": {"sub": "3f1c-user-sub", "username": "mira"}
    })
}

/// The SNS publish request the workflow sends for `outcome` with `message`.
fn publication(subject: &str, outcome: &str, message: &str) -> Value {
    json!({
        "Message": message,
        "MessageAttributes": {
            "outcome": {"DataType": "String", "StringValue": outcome},
            "reporter": {"DataType": "String", "StringValue": "3f1c-user-sub"}
        },
        "Subject": subject,
        "TopicArn": placeholder(TOPIC_ARN)
    })
}

#[tokio::test]
async fn valid_report_is_added_and_announced() {
    let fakes = Fakes::new(
        Fake::replying([Ok(json!({"status": "VALID", "dragon_name_str": "Atlas"}))]),
        Fake::replying([Ok(added())]),
    );
    let outcome = fakes.run().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.states_entered(),
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
    // The output is the last task's answer.
    assert_eq!(outcome.output, Some(added()));
    assert_eq!(fakes.validate.calls(), [(validate(), input())]);
    // AddDragon also learns which execution it works for (it is idempotent per report).
    let mut add_input = input();
    add_input["report"] = json!({"id": "execution-0", "submittedAt": "2024-01-01T00:00:00.000Z"});
    assert_eq!(fakes.add.inputs(), [add_input]);
    let added: crate::AddInput = serde_json::from_value(fakes.add.inputs()[0].clone()).unwrap();
    assert_eq!(added.report.id, "execution-0");
    assert_eq!(
        fakes.sns.calls(),
        [(
            SNS_PUBLISH.to_owned(),
            publication(
                "Dragon report accepted",
                "added",
                "The dragon Atlas was added."
            )
        )]
    );
    assert!(fakes.clock.sleeps().is_empty());
}

/// AddDragon's answer for Atlas.
fn added() -> Value {
    serde_json::to_value(crate::TaskAnswer::Added {
        added: "Atlas".into(),
        attempts: 1,
        replayed: false,
    })
    .unwrap()
}

/// A task's rejection of Atlas.
fn rejection(reason: &str) -> Value {
    serde_json::to_value(crate::TaskAnswer::rejected(reason)).unwrap()
}

#[tokio::test]
async fn rejected_report_is_announced_and_succeeds_as_rejected() {
    let rejected = rejection("a dragon named Atlas already exists");
    let fakes = Fakes::new(Fake::replying([Ok(rejected.clone())]), Fake::replying([]));
    let outcome = fakes.run().await;
    // An outcome, not a fault: no Fail state stands for a rejection.
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.states_entered(),
        [
            "ValidateDragon",
            "CheckValidation",
            "NotifyRejection",
            "RejectedOutput",
            "ReportRejected"
        ]
    );
    assert_eq!(outcome.error, None);
    // The output is the rejection and its reason, for the reporter who asks for the
    // report's status.
    assert_eq!(outcome.output, Some(rejected));
    assert!(fakes.add.calls().is_empty());
    assert_eq!(
        fakes.sns.inputs(),
        [publication(
            "Dragon report rejected",
            "rejected",
            "The dragon Atlas was not added: a dragon named Atlas already exists"
        )]
    );
    // A rejection is not retried.
    assert!(outcome.retries().is_empty());
}

#[tokio::test]
async fn a_publish_that_fails_once_is_retried_after_a_jittered_wait() {
    let mut fakes = Fakes::new(Fake::replying([]), Fake::replying([]));
    fakes.sns = Fake::failing(1, "SNS.InternalErrorException");
    let outcome = fakes.run().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.states_entered(),
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
    let retries = outcome.retries();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].0, "NotifySuccess");
    assert_eq!(retries[0].1, "SNS.InternalErrorException");
    assert!(
        retries[0].2 <= Duration::from_secs(1),
        "full jitter under 1 s"
    );
    assert_eq!(
        fakes.sns.calls().len(),
        2,
        "published on the second attempt"
    );
}

#[tokio::test]
async fn a_publish_that_keeps_failing_ends_each_outcome_in_its_fail_state() {
    // Added, but nobody could be told: a Fail state that says so.
    let mut fakes = Fakes::new(Fake::replying([]), Fake::replying([]));
    fakes.sns = Fake::failing(4, "SNS.ThrottledException");
    let outcome = fakes.run().await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.states_entered(),
        [
            "ValidateDragon",
            "CheckValidation",
            "AddDragon",
            "CheckAddition",
            "NotifySuccess",
            "ReportAddedUnannounced"
        ]
    );
    assert_eq!(
        outcome.error.as_deref(),
        Some(crate::workflow::ending::ADDED_UNANNOUNCED)
    );
    assert_eq!(
        fakes.sns.calls().len(),
        4,
        "the publish and its three retries"
    );
    assert_eq!(fakes.clock.sleeps().len(), 3, "a wait before each retry");

    // Rejected, and nobody could be told: still rejected, with its reason.
    let rejected = rejection("the name is taken");
    let mut fakes = Fakes::new(Fake::replying([Ok(rejected.clone())]), Fake::replying([]));
    fakes.sns = Fake::failing(4, "SNS.ThrottledException");
    let outcome = fakes.run().await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(rejected));
    assert_eq!(outcome.states_entered().last(), Some(&"ReportRejected"));

    // Failed, and nobody could be told: still the failure.
    let mut fakes = Fakes::new(Fake::replying([]), Fake::failing(9, "DragonStoreError"));
    fakes.sns = Fake::failing(4, "SNS.ThrottledException");
    let outcome = fakes.run().await;
    assert_eq!(
        outcome.error.as_deref(),
        Some(crate::workflow::ending::FAILED)
    );
    assert_eq!(outcome.states_entered().last(), Some(&"ReportFailed"));
}

#[tokio::test]
async fn duplicate_found_while_adding_is_a_rejection() {
    let duplicate = rejection("a dragon named Atlas was just added");
    let fakes = Fakes::new(Fake::replying([]), Fake::replying([Ok(duplicate.clone())]));
    let outcome = fakes.run().await;
    assert_eq!(
        outcome.states_entered(),
        [
            "ValidateDragon",
            "CheckValidation",
            "AddDragon",
            "CheckAddition",
            "NotifyRejection",
            "RejectedOutput",
            "ReportRejected"
        ]
    );
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(duplicate));
    assert_eq!(
        fakes.sns.inputs()[0]["Message"],
        json!("The dragon Atlas was not added: a dragon named Atlas was just added")
    );
}

#[tokio::test]
async fn write_conflicts_are_retried_with_jittered_backoff() {
    let fakes = Fakes::new(Fake::replying([]), Fake::failing(3, "DragonWriteConflict"));
    let outcome = fakes.run().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:#?}");
    assert_eq!(
        outcome.states_entered(),
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
    assert_eq!(fakes.add.calls().len(), 4);
    let retries = outcome.retries();
    assert_eq!(retries.len(), 3);
    assert!(
        retries
            .iter()
            .all(|(state, error, _)| *state == "AddDragon" && *error == "DragonWriteConflict")
    );
    // FULL jitter: each sleep is below IntervalSeconds 1 × BackoffRate 2^n.
    let sleeps = fakes.clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (n, sleep) in sleeps.iter().enumerate() {
        assert!(*sleep < Duration::from_secs(1 << n), "sleep {n}: {sleep:?}");
    }
    assert_eq!(fakes.sns.inputs().len(), 1);
}

#[tokio::test]
async fn persistent_write_conflicts_end_in_the_failure_branch() {
    let fakes = Fakes::new(
        Fake::replying([]),
        Fake::failing(100, "DragonWriteConflict"),
    );
    let outcome = fakes.run().await;
    assert_eq!(
        outcome.states_entered(),
        [
            "ValidateDragon",
            "CheckValidation",
            "AddDragon",
            "NotifyFailure",
            "ReportFailed"
        ]
    );
    // MaxAttempts 6, MaxDelaySeconds 10: 7 calls, each sleep below min(2^n, 10) s.
    assert_eq!(fakes.add.calls().len(), 7);
    let sleeps = fakes.clock.sleeps();
    assert_eq!(sleeps.len(), 6);
    for (n, sleep) in sleeps.iter().enumerate() {
        assert!(
            *sleep < Duration::from_secs((1 << n).min(10)),
            "sleep {n}: {sleep:?}"
        );
    }
    assert_eq!(
        fakes.sns.inputs(),
        [publication(
            "Dragon report failed",
            "failed",
            "The dragon Atlas was not added: the report could not be processed \
             (DragonWriteConflict). Please report it again later."
        )]
    );
    assert_eq!(outcome.error.as_deref(), Some("DragonReportFailed"));
}

#[tokio::test]
async fn a_timed_out_add_is_retried_as_the_add_is_idempotent() {
    let fakes = Fakes::new(Fake::replying([]), Fake::failing(1, asl::errors::TIMEOUT));
    let outcome = fakes.run().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:#?}");
    assert_eq!(fakes.add.calls().len(), 2);
    assert_eq!(fakes.add.inputs()[0], fakes.add.inputs()[1]);
}

#[tokio::test]
async fn an_unavailable_store_is_retried_and_a_failed_one_is_not() {
    let fakes = Fakes::new(
        Fake::failing(2, "DragonStoreUnavailable"),
        Fake::replying([]),
    );
    let outcome = fakes.run().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:#?}");
    assert_eq!(fakes.validate.calls().len(), 3);
    let fakes = Fakes::new(Fake::failing(1, "DragonStoreError"), Fake::replying([]));
    let outcome = fakes.run().await;
    assert_eq!(fakes.validate.calls().len(), 1);
    assert_eq!(
        outcome.states_entered(),
        ["ValidateDragon", "NotifyFailure", "ReportFailed"]
    );
}

#[tokio::test]
async fn lambda_service_errors_are_retried_then_caught() {
    let fakes = Fakes::new(
        Fake::failing(4, "Lambda.ServiceException"),
        Fake::replying([]),
    );
    let outcome = fakes.run().await;
    assert_eq!(fakes.validate.calls().len(), 4);
    assert_eq!(
        fakes.clock.sleeps(),
        [1, 2, 4].map(Duration::from_secs).to_vec()
    );
    assert_eq!(
        outcome.states_entered(),
        ["ValidateDragon", "NotifyFailure", "ReportFailed"]
    );
    assert!(fakes.add.calls().is_empty());
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("DragonReportFailed"));
}
