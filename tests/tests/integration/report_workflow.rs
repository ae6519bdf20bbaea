//! The report workflow end to end, on both stores: the contract's definition run by
//! the `asl` interpreter with the real handlers and real SNS (an SQS subscriber) on
//! moto.

use std::{sync::Arc, time::Duration};

use asl::interpret::{Interpreter, Outcome, TestClock};
use dragons_contract::data_store::DataStore;
use handlers::domain::validation::DragonValidator;
use local_api::step_functions::{WorkflowResources, report_workflow};
use serde_json::{Value, json};

use dragons_harness::fixtures::{Notification, REGION, Subscriber, sdk_config};
use dragons_harness::moto::Moto;

use crate::stores::TestStore;
use crate::util::{sample_lines, sample_records};

struct Workflow {
    interpreter: Interpreter,
    data: TestStore,
    subscriber: Subscriber,
}

impl Workflow {
    async fn on(kind: DataStore, moto: &Moto) -> Self {
        crate::util::show_logs();
        let config = sdk_config(&moto.endpoint()).await;
        let data = TestStore::holding(kind, moto, sample_lines()).await;
        let subscriber = Subscriber::create(&config).await.unwrap();
        let resources = WorkflowResources {
            region: REGION.to_owned(),
            topic_arn: subscriber.topic_arn.clone(),
            validator: Arc::new(DragonValidator::new().unwrap()),
            store: Arc::clone(&data.store),
            sns: aws_sdk_sns::Client::new(&config),
        };
        // Retry back-off is the definition's; the test clock skips the waiting.
        let interpreter = report_workflow(&resources).unwrap().clock(TestClock::new());
        Self {
            interpreter,
            data,
            subscriber,
        }
    }

    async fn names(&self) -> Vec<String> {
        self.data.names().await
    }

    async fn notifications(&self) -> Vec<Notification> {
        self.subscriber.drain(Duration::from_secs(2)).await.unwrap()
    }
}

pub fn report(dragon: Value, sub: &str) -> Value {
    json!({ "dragon": dragon, "reporter": { "sub": sub, "username": "tester" } })
}

pub fn dragon(name: &str) -> Value {
    json!({
        "dragon_name_str": name,
        "family_str": "copper",
        "description_str": "Seen over the harbour at dawn;\nshe's \"friendly\" (mostly).",
        "location_city_str": "Reykjavík",
        "location_country_str": "iceland",
        "location_state_str": "",
        "location_neighborhood_str": "grandi"
    })
}

fn notification(subject: &str, outcome: &str, sub: &str, message: &str) -> Notification {
    Notification {
        subject: subject.to_owned(),
        message: message.to_owned(),
        attributes: [("outcome", outcome), ("reporter", sub)]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
    }
}

fn assert_path(outcome: &Outcome, states: &[&str]) {
    assert_eq!(outcome.states_entered(), states, "{outcome:#?}");
}

#[tokio::test]
async fn a_valid_report_adds_the_dragon_and_says_so() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let workflow = Workflow::on(kind, &moto).await;
        let outcome = workflow
            .interpreter
            .run(report(dragon("Quill"), "user-7"))
            .await;
        assert!(outcome.succeeded(), "{outcome:#?}");
        assert_path(
            &outcome,
            &[
                "ValidateDragon",
                "CheckValidation",
                "AddDragon",
                "CheckAddition",
                "NotifySuccess",
                "AddedOutput",
                "ReportAccepted",
            ],
        );
        assert!(
            workflow.names().await.contains(&"Quill".to_owned()),
            "{kind}"
        );
        assert_eq!(
            workflow.notifications().await,
            [notification(
                "Dragon report accepted",
                "added",
                "user-7",
                "The dragon Quill was added."
            )]
        );
    }
}

#[tokio::test]
async fn each_rejected_report_says_why_and_changes_nothing() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let workflow = Workflow::on(kind, &moto).await;
        let before = workflow.data.snapshot().await;
        let with = |field: &str, value: Value| {
            let mut dragon = dragon("Quill");
            dragon[field] = value;
            dragon
        };
        let mut missing = dragon("Quill");
        missing.as_object_mut().unwrap().remove("family_str");
        let cases = [
            (missing, "`family_str` is missing"),
            (with("colour", json!("red")), "unknown field `colour`"),
            (
                with("location_country_str", json!("")),
                "`location_country_str` is empty",
            ),
            (
                with("dragon_name_str", json!("n".repeat(81))),
                "`dragon_name_str` is longer than 80 characters",
            ),
            (
                with("family_str", json!("a\tb")),
                "`family_str` contains a control character",
            ),
            (
                with("location_city_str", json!(["x"])),
                "`location_city_str` is not a string",
            ),
            (dragon("ATLAS"), "a dragon named `ATLAS` already exists"),
        ];
        for (dragon, reason) in cases {
            let name = dragon["dragon_name_str"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let outcome = workflow.interpreter.run(report(dragon, "user-8")).await;
            // An outcome, not a fault: the execution succeeds, its output the reason.
            assert!(outcome.succeeded(), "{outcome:#?}");
            assert_eq!(
                outcome.output,
                Some(json!({ "status": "REJECTED", "reason": reason })),
                "{outcome:#?}"
            );
            assert_path(
                &outcome,
                &[
                    "ValidateDragon",
                    "CheckValidation",
                    "NotifyRejection",
                    "RejectedOutput",
                    "ReportRejected",
                ],
            );
            let message = format!("The dragon {name} was not added: {reason}");
            assert_eq!(
                workflow.notifications().await,
                [notification(
                    "Dragon report rejected",
                    "rejected",
                    "user-8",
                    &message
                )]
            );
        }
        assert_eq!(
            workflow.data.snapshot().await,
            before,
            "{kind}: a rejected report must write nothing"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reports_lose_nothing_and_add_a_name_once() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let workflow = Arc::new(Workflow::on(kind, &moto).await);
        let run_all = |reports: Vec<Value>| {
            let runs: Vec<_> = reports
                .into_iter()
                .map(|report| {
                    let workflow = Arc::clone(&workflow);
                    tokio::spawn(async move { workflow.interpreter.run(report).await })
                })
                .collect();
            async move {
                let mut outcomes = Vec::new();
                for run in runs {
                    outcomes.push(run.await.unwrap());
                }
                outcomes
            }
        };
        let outcomes = run_all(
            (0..50)
                .map(|n| report(dragon(&format!("Flock-{n:02}")), "user-9"))
                .collect(),
        )
        .await;
        assert!(outcomes.iter().all(Outcome::succeeded), "{outcomes:#?}");
        let stored = workflow.names().await;
        assert_eq!(stored.len(), sample_records().len() + 50);
        assert!((0..50).all(|n| stored.contains(&format!("Flock-{n:02}"))));
        let added = workflow.notifications().await;
        assert_eq!(added.len(), 50);
        assert!(added.iter().all(|n| n.attributes["outcome"] == "added"));

        let outcomes = run_all(
            (0..10)
                .map(|n| report(dragon(if n % 2 == 0 { "Echo" } else { "eCHO" }), "user-9"))
                .collect(),
        )
        .await;
        // Every run succeeds: one added, the others rejected (an outcome, not a fault).
        assert!(outcomes.iter().all(Outcome::succeeded), "{outcomes:#?}");
        let statuses: Vec<&str> = outcomes
            .iter()
            .map(|outcome| outcome.output.as_ref().unwrap()["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses.iter().filter(|s| **s == "ADDED").count(), 1);
        assert_eq!(statuses.iter().filter(|s| **s == "REJECTED").count(), 9);
        let stored = workflow.names().await;
        assert_eq!(
            stored
                .iter()
                .filter(|name| name.eq_ignore_ascii_case("echo"))
                .count(),
            1
        );
        let messages = workflow.notifications().await;
        let outcomes: Vec<&str> = messages
            .iter()
            .map(|n| n.attributes["outcome"].as_str())
            .collect();
        assert_eq!(outcomes.iter().filter(|o| **o == "added").count(), 1);
        assert_eq!(outcomes.iter().filter(|o| **o == "rejected").count(), 9);
    }
}
