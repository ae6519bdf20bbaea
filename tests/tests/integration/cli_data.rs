//! `dragons upload-data` and `dragons migrate-data` as processes against a stack on
//! moto: the course's JSON array loads; a dragon added since through the add-dragon
//! task survives the same upload run again (merged by name key, nothing lost or
//! doubled); `--replace` says what it would drop and needs `--yes`; the data moves
//! into the table and back.

use dragons_contract::{DataFormat, query_engine::QueryEngine, store::DragonWriter};
use dragons_harness::fixtures::{clients, record_names};
use dragons_harness::moto::Moto;
use dragons_ops::stack::{Stack, ids};
use handlers::{
    aws::{DataLocation, S3Store},
    domain::validation::DragonValidator,
    tasks::add_dragon::add_dragon,
};
use serde_json::{Map, Value, json};

use crate::cli_stack::{deploy, dragons};
use crate::util::{object_and_etag, sample_records};

/// The course's file: one JSON array of dragons.
fn course_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("course.json");
    std::fs::write(
        &path,
        serde_json::to_vec_pretty(&Value::Array(sample_records())).unwrap(),
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

fn sample_names() -> Vec<String> {
    sample_records()
        .iter()
        .map(|r| r["dragon_name_str"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[tokio::test]
async fn upload_data_merges_the_course_array_and_keeps_a_dragon_added_since() {
    let moto = Moto::shared().unwrap();
    let endpoint = moto.endpoint();
    let dir = tempfile::tempdir().unwrap();
    let course = course_file(&dir);
    for key in ["dragons.jsonl", "dragons.json"] {
        let stack = deploy(
            &endpoint,
            &[ids::BUCKET_PARAMETER, ids::FILE_PARAMETER],
            &[("DataObjectKey", key)],
            Map::new(),
        )
        .await;
        let clients = clients(&endpoint).await;
        let cloudformation = aws_sdk_cloudformation::Client::new(
            &dragons_harness::fixtures::sdk_config(&endpoint).await,
        );
        let parameters = Stack::read(&cloudformation, &stack)
            .await
            .unwrap()
            .data_parameters()
            .unwrap();
        let location = DataLocation::fetch(&clients.ssm, &parameters)
            .await
            .unwrap();
        assert_eq!(location.key, key);
        let names = || {
            let s3 = clients.s3.clone();
            let location = location.clone();
            async move {
                let (body, _) = object_and_etag(&s3, &location).await;
                sorted(record_names(&body, DataFormat::for_key(&location.key)).unwrap())
            }
        };

        let first = dragons(
            &endpoint,
            &["upload-data", "--stack", &stack, "--data", &course],
        )
        .await
        .success();
        assert!(first.stdout.contains("wrote"), "{}", first.stdout);
        assert_eq!(names().await, sorted(sample_names()), "{key}");

        // A dragon reported since, added by the add-dragon task's own code.
        let store = S3Store::new(clients.clone(), parameters.clone(), QueryEngine::Scan);
        let added = json!({
            "dragon_name_str": "Ember Since",
            "family_str": "red",
            "description_str": "Reported after the upload.",
            "location_city_str": "Lisbon",
            "location_country_str": "portugal",
            "location_state_str": "",
            "location_neighborhood_str": "",
        });
        let input = json!({
            "dragon": added,
            "reporter": { "sub": "user-1", "username": "tester" },
            "report": { "id": format!("cli-{key}"), "submittedAt": "2026-01-01T00:00:00.000Z" },
        });
        add_dragon(&DragonValidator::new().unwrap(), &store, input)
            .await
            .unwrap();

        let again = dragons(
            &endpoint,
            &[
                "upload-data",
                "--stack",
                &stack,
                "--data",
                &course,
                "--output",
                "json",
            ],
        )
        .await
        .success()
        .json();
        assert_eq!(again["written"], true);
        assert_eq!(again["kept"], 1, "{again}");
        assert_eq!(again["added"], 0, "{again}");
        assert_eq!(again["unchanged"], sample_names().len(), "{again}");
        let mut expected = sample_names();
        expected.push("Ember Since".to_owned());
        assert_eq!(
            names().await,
            sorted(expected),
            "{key}: nothing lost or doubled"
        );
        // Still found by name, through the names index the upload wrote.
        assert!(store.is_name_taken("ember since").await.unwrap());

        // --replace says what it would drop, and drops nothing without --yes.
        let refused = dragons(
            &endpoint,
            &[
                "upload-data",
                "--stack",
                &stack,
                "--data",
                &course,
                "--replace",
            ],
        )
        .await;
        assert!(!refused.ok);
        assert!(
            refused.stderr.contains("would drop 1 dragon"),
            "{}",
            refused.stderr
        );
        assert_eq!(names().await.len(), sample_names().len() + 1);
        dragons(
            &endpoint,
            &[
                "upload-data",
                "--stack",
                &stack,
                "--data",
                &course,
                "--replace",
                "--yes",
            ],
        )
        .await
        .success();
        assert_eq!(names().await, sorted(sample_names()), "{key}");
        assert!(!store.is_name_taken("ember since").await.unwrap());
    }
}

#[tokio::test]
async fn upload_data_refuses_a_bad_file_and_writes_nothing() {
    let moto = Moto::shared().unwrap();
    let endpoint = moto.endpoint();
    let stack = deploy(
        &endpoint,
        &[ids::BUCKET_PARAMETER, ids::FILE_PARAMETER],
        &[],
        Map::new(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut records = sample_records();
    records.push(records[0].clone());
    let path = dir.path().join("twice.json");
    std::fs::write(&path, Value::Array(records).to_string()).unwrap();
    let run = dragons(
        &endpoint,
        &[
            "upload-data",
            "--stack",
            &stack,
            "--data",
            path.to_str().unwrap(),
        ],
    )
    .await;
    assert!(!run.ok);
    assert!(run.stderr.contains("names"), "{}", run.stderr);
    let missing = dragons(
        &endpoint,
        &[
            "upload-data",
            "--stack",
            "no-such-stack",
            "--data",
            path.to_str().unwrap(),
        ],
    )
    .await;
    assert!(!missing.ok);
    assert!(
        missing.stderr.contains("no-such-stack"),
        "{}",
        missing.stderr
    );
}

#[tokio::test]
async fn migrate_data_moves_the_stacks_dragons_into_its_table_and_back() {
    let moto = Moto::shared().unwrap();
    let endpoint = moto.endpoint();
    let stack = deploy(
        &endpoint,
        &[
            ids::BUCKET_PARAMETER,
            ids::FILE_PARAMETER,
            ids::TABLE_PARAMETER,
        ],
        &[("DataStore", "dynamodb")],
        Map::new(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let course = course_file(&dir);
    dragons(
        &endpoint,
        &["upload-data", "--stack", &stack, "--data", &course],
    )
    .await
    .success();
    let to_table = dragons(
        &endpoint,
        &[
            "migrate-data",
            "--stack",
            &stack,
            "--output",
            "json",
            "to-table",
        ],
    )
    .await
    .success()
    .json();
    assert_eq!(
        to_table["tally"]["written"],
        sample_names().len(),
        "{to_table}"
    );
    let to_object = dragons(
        &endpoint,
        &[
            "migrate-data",
            "--stack",
            &stack,
            "--output",
            "json",
            "to-object",
        ],
    )
    .await
    .success()
    .json();
    // Every dragon of the table written, each of the object's already there.
    let tally = &to_object["tally"];
    assert_eq!(tally["written"], sample_names().len(), "{to_object}");
    assert_eq!(tally["already_there"], sample_names().len(), "{to_object}");
    assert_eq!(tally["conflicts"], 0, "{to_object}");
}
