//! The report workflow's Lambda tasks against moto, on both stores (the S3 object
//! and the DynamoDB table): validation rules, the duplicate check by name key,
//! idempotent adds, and conditional writes under contention.

use std::sync::Arc;

use dragons_contract::{
    DataFormat, Dragon, TaskAnswer, TaskErrorType, data_store::DataStore, query_engine::QueryEngine,
};
use handlers::{
    domain::validation::DragonValidator,
    tasks::{TaskFailure, add_dragon::add_dragon, validate_dragon::validate_dragon},
};
use serde_json::{Value, json};

use dragons_harness::moto::Moto;

use crate::stores::TestStore;
use crate::util::{object_and_etag, sample_lines, sample_records};

struct Tasks {
    validator: DragonValidator,
    data: TestStore,
}

impl Tasks {
    async fn over(kind: DataStore, moto: &Moto) -> Self {
        Self::on(TestStore::holding(kind, moto, sample_lines()).await)
    }

    fn on(data: TestStore) -> Self {
        crate::util::show_logs();
        Self {
            validator: DragonValidator::new().unwrap(),
            data,
        }
    }

    async fn names(&self) -> Vec<String> {
        self.data.names().await
    }

    async fn validate(&self, dragon: Value) -> Result<TaskAnswer, TaskFailure> {
        validate_dragon(&self.validator, self.data.store.as_ref(), report(dragon)).await
    }

    async fn add(&self, dragon: Value) -> Result<TaskAnswer, TaskFailure> {
        add_dragon(&self.validator, self.data.store.as_ref(), report(dragon)).await
    }
}

/// The task input for `dragon`, reported by a fresh execution.
fn report(dragon: Value) -> Value {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let id = format!(
        "execution-{}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    json!({
        "dragon": dragon,
        "reporter": { "sub": "user-1", "username": "tester" },
        "report": { "id": id, "submittedAt": "2026-01-01T00:00:00.000Z" },
    })
}

fn dragon(name: &str) -> Value {
    json!({
        "dragon_name_str": name,
        "family_str": "bronze",
        "description_str": "Reported by a \"careful\" observer.\nTwice.",
        "location_city_str": "São Paulo",
        "location_country_str": "brasil",
        "location_state_str": "",
        "location_neighborhood_str": "vila madalena"
    })
}

fn with(field: &str, value: Value) -> Value {
    let mut dragon = dragon("Quill");
    dragon[field] = value;
    dragon
}

/// The reason of a rejection: an answer, not a failure (and the test fails on any
/// other).
fn rejected(answer: Result<TaskAnswer, TaskFailure>) -> String {
    match answer {
        Ok(TaskAnswer::Rejected { reason }) => reason,
        other => panic!("not a rejection: {other:?}"),
    }
}

/// AddDragon's answer for Quill.
fn added_quill(replayed: bool) -> TaskAnswer {
    TaskAnswer::Added {
        added: "Quill".into(),
        attempts: 1,
        replayed,
    }
}

#[tokio::test]
async fn a_valid_dragon_passes_validation_and_is_added_once() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let tasks = Tasks::over(kind, &moto).await;
        let before = match &tasks.data.data {
            Some(data) => {
                object_and_etag(&tasks.data.clients.s3, &data.location)
                    .await
                    .0
            }
            None => Vec::new(),
        };
        assert_eq!(
            tasks.validate(dragon("Quill")).await,
            Ok(TaskAnswer::Valid {
                dragon_name_str: "Quill".into()
            })
        );
        let added = tasks.add(dragon("Quill")).await.unwrap();
        assert_eq!(added, added_quill(false), "{kind}");
        match &tasks.data.data {
            Some(data) => {
                let (after, _) = object_and_etag(&tasks.data.clients.s3, &data.location).await;
                assert!(
                    after.starts_with(&before),
                    "existing bytes must stay as they were"
                );
                let last: Dragon =
                    serde_json::from_slice(after[before.len()..].trim_ascii()).unwrap();
                assert_eq!(serde_json::to_value(last).unwrap(), dragon("Quill"));
            }
            None => {
                let item = tasks.data.item("quill").await.expect("the item is stored");
                let stored = handlers::aws::dynamo::dragon(item).unwrap();
                assert_eq!(serde_json::to_value(stored).unwrap(), dragon("Quill"));
            }
        }
        let reason = rejected(tasks.validate(dragon("QUILL")).await);
        assert_eq!(reason, "a dragon named `QUILL` already exists");
        let reason = rejected(tasks.add(dragon("quill")).await);
        assert_eq!(reason, "a dragon named `quill` already exists");
        assert_eq!(
            tasks.names().await.len(),
            sample_records().len() + 1,
            "{kind}"
        );
    }
}

#[tokio::test]
async fn every_broken_rule_is_rejected_with_its_reason_and_changes_nothing() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let tasks = Tasks::over(kind, &moto).await;
        let before = tasks.data.snapshot().await;
        let mut missing = dragon("Quill");
        missing.as_object_mut().unwrap().remove("location_city_str");
        let cases = [
            (missing, "`location_city_str` is missing"),
            (with("wingspan", json!("12 m")), "unknown field `wingspan`"),
            (with("family_str", json!(7)), "`family_str` is not a string"),
            (
                with("dragon_name_str", json!("")),
                "`dragon_name_str` is empty",
            ),
            (
                with("family_str", json!("f".repeat(41))),
                "`family_str` is longer than 40 characters",
            ),
            (
                with("description_str", json!("d".repeat(2001))),
                "`description_str` is longer than 2000 characters",
            ),
            (
                with("location_city_str", json!("Nice\nCity")),
                "`location_city_str` contains a control character",
            ),
            (
                with("description_str", json!("bell\u{7}")),
                "`description_str` contains a control character",
            ),
            (dragon("atlas"), "a dragon named `atlas` already exists"),
            (json!("Quill"), "the dragon is not a JSON object"),
        ];
        for (dragon, reason) in cases {
            assert_eq!(rejected(tasks.validate(dragon.clone()).await), reason);
            assert_eq!(rejected(tasks.add(dragon).await), reason);
        }
        let malformed = json!({ "dragon": dragon("Quill") });
        let reason =
            rejected(validate_dragon(&tasks.validator, tasks.data.store.as_ref(), malformed).await);
        assert!(reason.starts_with("the report is malformed"), "{reason}");
        assert_eq!(
            tasks.data.snapshot().await,
            before,
            "{kind}: nothing may be written"
        );
    }
}

#[tokio::test]
async fn an_array_document_and_a_missing_object_are_written_in_their_format() {
    let moto = Moto::shared().unwrap();
    let array = serde_json::to_vec_pretty(&sample_records()).unwrap();
    let tasks = Tasks::on(TestStore::object(&moto, "dragons.json", array, QueryEngine::Scan).await);
    tasks.add(dragon("Quill")).await.unwrap();
    let data = tasks.data.data.as_ref().unwrap();
    let (after, _) = object_and_etag(&tasks.data.clients.s3, &data.location).await;
    let records: Vec<Dragon> = serde_json::from_slice(&after).unwrap();
    assert_eq!(records.len(), sample_records().len() + 1);

    // No object yet: the first dragon creates it (`If-None-Match: *`).
    let fresh =
        Tasks::on(TestStore::object(&moto, "dragons.jsonl", Vec::new(), QueryEngine::Scan).await);
    let fresh_data = fresh.data.data.as_ref().unwrap();
    let missing_key = handlers::aws::DataLocation {
        bucket: fresh_data.location.bucket.clone(),
        key: "new/dragons.jsonl".to_owned(),
    };
    fresh_data
        .point_to(&fresh.data.clients, &missing_key)
        .await
        .unwrap();
    fresh.add(dragon("Quill")).await.unwrap();
    fresh.add(dragon("Rune")).await.unwrap();
    let object = fresh
        .data
        .clients
        .s3
        .get_object()
        .bucket(&missing_key.bucket)
        .key(&missing_key.key)
        .send()
        .await
        .unwrap();
    let body = object.body.collect().await.unwrap().to_vec();
    assert_eq!(
        dragons_harness::fixtures::record_names(&body, DataFormat::JsonLines).unwrap(),
        ["Quill", "Rune"]
    );
}

/// The report workflow's retrier for `DragonWriteConflict` on the AddDragon state,
/// read from the contract's definition (not a second copy of its numbers).
fn write_conflict_retrier() -> asl::model::Retrier {
    let definition = dragons_contract::workflow::definition();
    let Some(asl::model::State::Task(add)) = definition.states.get("AddDragon") else {
        panic!("the workflow has no AddDragon task");
    };
    add.retry
        .iter()
        .find(|retrier| {
            retrier
                .error_equals
                .iter()
                .any(|error| error == TaskErrorType::DragonWriteConflict.as_str())
        })
        .cloned()
        .expect("AddDragon retries DragonWriteConflict")
}

/// Adds like the state machine does: a write conflict is retried as many times as
/// its retrier says, after its back-off (interval × rate^n, capped, full jitter:
/// a spread of the delay chosen from the writer's seed).
async fn add_as_the_workflow_does(
    tasks: &Tasks,
    dragon: Value,
    seed: u64,
) -> Result<TaskAnswer, TaskFailure> {
    let retrier = write_conflict_retrier();
    let max_attempts = retrier.max_attempts.unwrap_or(3);
    let interval = retrier.interval_seconds.unwrap_or(1) as f64;
    let rate = retrier.backoff_rate.unwrap_or(2.0);
    let cap = retrier.max_delay_seconds.map_or(f64::MAX, |cap| cap as f64);
    let mut tries = 0;
    loop {
        match tasks.add(dragon.clone()).await {
            Err(error)
                if error.error_type == TaskErrorType::DragonWriteConflict
                    && tries < max_attempts =>
            {
                let delay = (interval * rate.powi(tries as i32)).min(cap);
                // Full jitter: a fraction of the delay, different per writer and try.
                let spread = ((seed * 7919 + tries * 104_729) % 1000) as f64 / 1000.0;
                tokio::time::sleep(std::time::Duration::from_secs_f64(delay * spread)).await;
                tries += 1;
            }
            answer => return answer,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_lose_a_dragon_and_add_one_name_once() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let tasks = Arc::new(Tasks::over(kind, &moto).await);
        let writers: Vec<_> = (0..50)
            .map(|n| {
                let tasks = Arc::clone(&tasks);
                tokio::spawn(async move {
                    add_as_the_workflow_does(&tasks, dragon(&format!("Swarm-{n:02}")), n as u64)
                        .await
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap().unwrap();
        }
        let stored = tasks.names().await;
        for n in 0..50 {
            assert!(
                stored.contains(&format!("Swarm-{n:02}")),
                "Swarm-{n:02} was lost"
            );
        }
        assert_eq!(stored.len(), sample_records().len() + 50);

        // One name in ten spellings: case, full width, and a decomposed accent.
        let spellings = [
            "Twïn",
            "TWÏN",
            "twïn",
            "Ｔｗïｎ",
            "Twi\u{308}n",
            "TWI\u{308}N",
            "tWïN",
            "Ｔｗｉ\u{308}ｎ",
            "twÏn",
            "TwÏN",
        ];
        let same: Vec<_> = (0u64..)
            .zip(spellings)
            .map(|(seed, name)| {
                let tasks = Arc::clone(&tasks);
                tokio::spawn(
                    async move { add_as_the_workflow_does(&tasks, dragon(name), seed).await },
                )
            })
            .collect();
        let mut added = 0;
        for writer in same {
            match writer.await.unwrap() {
                Ok(TaskAnswer::Added { .. }) => added += 1,
                Ok(TaskAnswer::Rejected { .. }) => {}
                other => panic!("neither added nor rejected: {other:?}"),
            }
        }
        assert_eq!(added, 1);
        let twins = tasks
            .names()
            .await
            .iter()
            .filter(|name| dragons_contract::name::key(name) == dragons_contract::name::key("twïn"))
            .count();
        assert_eq!(twins, 1);
    }
}

#[tokio::test]
async fn unicode_spellings_of_a_name_are_one_name_and_invisible_characters_are_refused() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let tasks = Tasks::over(kind, &moto).await;
        tasks.add(dragon("Renée")).await.unwrap();
        let before = tasks.data.snapshot().await;
        for spelling in ["RENÉE", "Rene\u{301}e", "ＲＥＮＥ\u{301}Ｅ", "renée"] {
            assert_eq!(
                rejected(tasks.add(dragon(spelling)).await),
                format!("a dragon named `{spelling}` already exists"),
                "{spelling:?}"
            );
        }
        for (name, code) in [
            ("Atlas\u{200b}", "U+200B"),
            ("At\u{202e}las", "U+202E"),
            ("\u{feff}Quill", "U+FEFF"),
            ("Quill\u{e0041}", "U+E0041"),
        ] {
            assert_eq!(
                rejected(tasks.validate(dragon(name)).await),
                format!(
                    "`dragon_name_str` contains a control, format or invisible character ({code})"
                )
            );
            assert_eq!(
                rejected(tasks.add(dragon(name)).await),
                format!(
                    "`dragon_name_str` contains a control, format or invisible character ({code})"
                )
            );
        }
        assert_eq!(
            tasks.data.snapshot().await,
            before,
            "{kind}: nothing may be written"
        );
    }
}

#[tokio::test]
async fn a_retry_after_a_successful_write_is_added_not_rejected() {
    let moto = Moto::shared().unwrap();
    for kind in DataStore::ALL {
        let tasks = Tasks::over(kind, &moto).await;
        // The first attempt writes, then "times out": the state machine retries the same
        // execution's task with the same input.
        let input = report(dragon("Quill"));
        let first = add_dragon(&tasks.validator, tasks.data.store.as_ref(), input.clone())
            .await
            .unwrap();
        assert_eq!(first, added_quill(false));
        let retry = add_dragon(&tasks.validator, tasks.data.store.as_ref(), input.clone())
            .await
            .unwrap();
        assert_eq!(retry, added_quill(true));
        // Even after other reports wrote in between, the retry finds its own version.
        tasks.add(dragon("Retry-Witness-1")).await.unwrap();
        tasks.add(dragon("Retry-Witness-2")).await.unwrap();
        let late = add_dragon(&tasks.validator, tasks.data.store.as_ref(), input)
            .await
            .unwrap();
        assert_eq!(late, added_quill(true));
        // Another report of the name is still refused.
        assert_eq!(
            rejected(tasks.add(dragon("QUILL")).await),
            "a dragon named `QUILL` already exists"
        );
        let names = tasks.names().await;
        assert_eq!(names.iter().filter(|name| *name == "Quill").count(), 1);
        assert_eq!(names.len(), sample_records().len() + 3);
    }
}
