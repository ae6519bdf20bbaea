//! The S3 store's adds on moto across S3's 5 MiB part minimum, in both formats, on
//! data loaded with its names index (as `upload-data` loads it) and without one:
//! every byte kept, one name added once under concurrency, a retry after 60 versions
//! added, an abandoned or failed upload leaving the object as it was.
//!
//! moto does not enforce `If-Match` on CompleteMultipartUpload nor `CopySourceIfMatch`
//! on UploadPartCopy (LOCAL-AWS.md), so concurrent adds of different names past 5 MiB
//! would overwrite each other on moto where AWS refuses the stale one: that guard is
//! tested against a fake that enforces it (`handlers::aws::append` unit tests), and
//! here only below 5 MiB (`report_tasks`, PutObject's `If-Match`, which moto enforces)
//! and for one name (the markers' `If-None-Match: *`, which moto enforces).

use std::{ops::Range, sync::Arc, time::Duration};

use aws_sdk_s3::primitives::ByteStream;
use dragons_contract::{
    DataFormat, Dragon, ReportRef, TaskAnswer,
    query_engine::QueryEngine,
    store::{AddError, Added, DragonWriter},
};
use dragons_harness::{
    fixtures::{DataSet, clients, record_names},
    moto::Moto,
};
use dragons_ops::{names_index::put_indexed, sample};
use handlers::{
    aws::{
        AwsClients, S3Store,
        append::{
            CallError, Condition, DataObject, MIN_PART, ObjectCalls, ObjectMeta, Outcome, S3Calls,
            Scanned, Stored, Tail,
        },
    },
    domain::{
        catalog::NameFinder,
        name_index::{BaseIndex, LINEAGE_METADATA},
        validation::DragonValidator,
    },
    tasks::{add_dragon::add_dragon, validate_dragon::validate_dragon},
};
use serde_json::json;

use crate::util::object_and_etag;

/// An object of `format` a little smaller than S3's part minimum (by `margin` bytes
/// and less than one record more), of sample dragons.
fn just_below(format: DataFormat, margin: u64) -> (Vec<u8>, Vec<Dragon>) {
    let mut dragons = Vec::new();
    // `[\n`, `\n]\n` around the records of an array document.
    let mut size = if format == DataFormat::JsonArray {
        5
    } else {
        0
    };
    for dragon in sample::records(sample::DEFAULT_SEED) {
        let record = match format {
            // The record and its newline.
            DataFormat::JsonLines => serde_json::to_vec(&dragon).unwrap().len() + 1,
            // Pretty, indented by two on each of its 9 lines, and `,\n` after it.
            DataFormat::JsonArray => serde_json::to_vec_pretty(&dragon).unwrap().len() + 18 + 2,
        };
        if size + record as u64 > MIN_PART - margin {
            break;
        }
        size += record as u64;
        dragons.push(dragon);
    }
    let body = match format {
        DataFormat::JsonLines => dragons
            .iter()
            .flat_map(|dragon| [serde_json::to_vec(dragon).unwrap(), b"\n".to_vec()])
            .flatten()
            .collect(),
        DataFormat::JsonArray => {
            let mut body = serde_json::to_vec_pretty(&dragons).unwrap();
            body.extend_from_slice(b"\n");
            body
        }
    };
    assert!(
        (MIN_PART - margin - 2048..=MIN_PART - margin).contains(&(body.len() as u64)),
        "{} bytes",
        body.len()
    );
    (body, dragons)
}

/// A data set at `key` holding `body`, loaded with its names index (as `upload-data`
/// does) or put as it is.
struct Loaded {
    clients: AwsClients,
    data: DataSet,
    store: Arc<S3Store>,
    before: Vec<u8>,
}

impl Loaded {
    async fn new(moto: &Moto, key: &str, body: Vec<u8>, names: &[Dragon], indexed: bool) -> Self {
        crate::util::show_logs();
        let clients = clients(&moto.endpoint()).await;
        let data = if indexed {
            let data = DataSet::create(&clients, key, Vec::new()).await.unwrap();
            let mut index = BaseIndex::for_records(names.len());
            for dragon in names {
                index.push(&dragon.dragon_name_str);
            }
            let format = DataFormat::for_key(key);
            put_indexed(
                &clients.s3,
                &data.location,
                index,
                ByteStream::from(body.clone()),
                format.content_type(),
            )
            .await
            .unwrap();
            data
        } else {
            DataSet::create(&clients, key, body.clone()).await.unwrap()
        };
        let store = Arc::new(S3Store::new(
            clients.clone(),
            data.parameters.clone(),
            QueryEngine::Scan,
        ));
        Self {
            clients,
            data,
            store,
            before: body,
        }
    }

    fn format(&self) -> DataFormat {
        DataFormat::for_key(&self.data.location.key)
    }

    async fn object(&self) -> (Vec<u8>, String) {
        object_and_etag(&self.clients.s3, &self.data.location).await
    }

    async fn names(&self) -> Vec<String> {
        record_names(&self.object().await.0, self.format()).unwrap()
    }

    async fn lineage(&self) -> Option<String> {
        self.clients
            .s3
            .head_object()
            .bucket(&self.data.location.bucket)
            .key(&self.data.location.key)
            .send()
            .await
            .unwrap()
            .metadata()
            .and_then(|metadata| metadata.get(LINEAGE_METADATA))
            .cloned()
    }

    /// Multipart uploads of the data object neither completed nor aborted.
    async fn open_uploads(&self) -> usize {
        self.clients
            .s3
            .list_multipart_uploads()
            .bucket(&self.data.location.bucket)
            .prefix(&self.data.location.key)
            .send()
            .await
            .unwrap()
            .uploads()
            .len()
    }
}

fn dragon(name: &str) -> Dragon {
    Dragon {
        dragon_name_str: name.into(),
        family_str: "bronze".into(),
        description_str: "Crossed the \"five mebibyte\" line.\nTwice.".into(),
        location_city_str: "Łódź".into(),
        location_country_str: "poland".into(),
        location_state_str: String::new(),
        location_neighborhood_str: "księży młyn".into(),
    }
}

fn report(id: &str) -> ReportRef {
    ReportRef {
        id: id.into(),
        submitted_at: "2026-01-01T00:00:00.000Z".into(),
    }
}

/// Adds like the state machine does: a write conflict is retried (up to 6 times).
async fn add_as_the_workflow_does(
    store: &S3Store,
    dragon: &Dragon,
    report: &ReportRef,
) -> Result<Added, AddError> {
    let mut tries = 0;
    loop {
        match store.add(dragon, report).await {
            Err(AddError::Conflict { .. }) if tries < 6 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50 * tries)).await;
            }
            answer => return answer,
        }
    }
}

#[tokio::test]
async fn adds_cross_the_part_minimum_keeping_every_byte_in_both_formats() {
    let moto = Moto::shared().unwrap();
    for (key, indexed) in [
        ("dragons.jsonl", true),
        ("dragons.json", true),
        ("dragons.jsonl", false),
        ("dragons.json", false),
    ] {
        let format = DataFormat::for_key(key);
        let (body, loaded) = just_below(format, 1200);
        let data = Loaded::new(&moto, key, body, &loaded, indexed).await;
        let lineage = data.lineage().await;
        assert_eq!(lineage.is_some(), indexed);
        let added: Vec<String> = (0..12).map(|n| format!("Boundary {n:02}")).collect();
        for (n, name) in added.iter().enumerate() {
            let answer = data
                .store
                .add(&dragon(name), &report(&format!("b{n}")))
                .await;
            assert_eq!(
                answer.unwrap(),
                Added {
                    attempts: 1,
                    replayed: false
                },
                "{key} {name}"
            );
        }
        let (after, _) = data.object().await;
        assert!(
            after.len() as u64 > MIN_PART,
            "{key}: the adds crossed 5 MiB"
        );
        // Every byte before the first insert is as it was; then the new records in order.
        let kept = match format {
            DataFormat::JsonLines => data.before.len(),
            // Up to the last record's `}`: the first insert goes right after it.
            DataFormat::JsonArray => {
                let closed = data.before.trim_ascii_end();
                closed[..closed.len() - 1].trim_ascii_end().len()
            }
        };
        assert!(
            after[..kept] == data.before[..kept],
            "{key}: old bytes kept"
        );
        let names = data.names().await;
        assert_eq!(names.len(), loaded.len() + added.len(), "{key}");
        assert_eq!(names[loaded.len()..], added[..], "{key}");
        assert_eq!(data.open_uploads().await, 0, "{key}");
        // An indexed object keeps its lineage; another one gets one with its first add.
        let now = data.lineage().await;
        assert!(now.is_some(), "{key}");
        if indexed {
            assert_eq!(now, lineage, "{key}");
        }
        for name in ["BOUNDARY 00", "boundary 11", &loaded[7].dragon_name_str] {
            assert!(
                data.store.is_name_taken(name).await.unwrap(),
                "{key} {name}"
            );
            assert!(matches!(
                data.store.add(&dragon(name), &report("late")).await,
                Err(AddError::NameTaken(_))
            ));
        }
        assert!(!data.store.is_name_taken("Boundary 12").await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_name_reported_ten_times_at_once_is_added_once_across_the_part_minimum() {
    let moto = Moto::shared().unwrap();
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
    for key in ["dragons.jsonl", "dragons.json"] {
        // The object crosses 5 MiB during the rounds: just below it, then past it.
        let (body, loaded) = just_below(DataFormat::for_key(key), 100);
        let data = Loaded::new(&moto, key, body, &loaded, true).await;
        for round in 0..3 {
            let writers: Vec<_> = spellings
                .iter()
                .enumerate()
                .map(|(n, spelling)| {
                    let store = Arc::clone(&data.store);
                    let name = format!("{spelling} {round}");
                    tokio::spawn(async move {
                        add_as_the_workflow_does(
                            &store,
                            &dragon(&name),
                            &report(&format!("t{round}-{n}")),
                        )
                        .await
                    })
                })
                .collect();
            let mut added = 0;
            for writer in writers {
                match writer.await.unwrap() {
                    Ok(_) => added += 1,
                    Err(AddError::NameTaken(_)) => {}
                    Err(error) => panic!("{key} round {round}: {error}"),
                }
            }
            assert_eq!(added, 1, "{key} round {round}");
        }
        let (after, _) = data.object().await;
        assert!(after.len() as u64 > MIN_PART, "{key}");
        let names = data.names().await;
        assert_eq!(names.len(), loaded.len() + 3, "{key}");
        for round in 0..3 {
            let key_of = |name: &str| dragons_contract::name::key(name);
            let twins = names
                .iter()
                .filter(|name| key_of(name) == key_of(&format!("twïn {round}")))
                .count();
            assert_eq!(twins, 1, "{key} round {round}");
        }
    }
}

#[tokio::test]
async fn a_retried_add_after_sixty_versions_reads_back_added() {
    let moto = Moto::shared().unwrap();
    let (body, loaded) = just_below(DataFormat::JsonLines, 600);
    let data = Loaded::new(&moto, "dragons.jsonl", body, &loaded, true).await;
    let validator = DragonValidator::new().unwrap();
    let input = json!({
        "dragon": dragon("Quill"),
        "reporter": { "sub": "user-1", "username": "tester" },
        "report": { "id": "execution-quill", "submittedAt": "2026-01-01T00:00:00.000Z" },
    });
    let first = add_dragon(&validator, data.store.as_ref(), input.clone())
        .await
        .unwrap();
    assert!(
        matches!(
            first,
            TaskAnswer::Added {
                replayed: false,
                ..
            }
        ),
        "{first:?}"
    );
    let (_, etag) = data.object().await;
    for n in 0..60 {
        data.store
            .add(
                &dragon(&format!("Witness {n:02}")),
                &report(&format!("w{n}")),
            )
            .await
            .unwrap();
    }
    let (after, newer) = data.object().await;
    assert_ne!(etag, newer);
    assert!(after.len() as u64 > MIN_PART);
    let versions = data
        .clients
        .s3
        .list_object_versions()
        .bucket(&data.data.location.bucket)
        .prefix(&data.data.location.key)
        .send()
        .await
        .unwrap();
    let of_data = versions
        .versions()
        .iter()
        .filter(|version| version.key() == Some(data.data.location.key.as_str()))
        .count();
    assert!(of_data > 60, "{of_data} versions of the data object");
    // The state machine retries the task with the same input: added, not "taken".
    let retried = add_dragon(&validator, data.store.as_ref(), input)
        .await
        .unwrap();
    assert_eq!(
        retried,
        TaskAnswer::Added {
            added: "Quill".into(),
            attempts: 1,
            replayed: true
        }
    );
    // Another report of the name is refused by both tasks.
    let other = json!({
        "dragon": dragon("QUILL"),
        "reporter": { "sub": "user-2", "username": "other" },
        "report": { "id": "execution-other", "submittedAt": "2026-01-01T00:00:00.000Z" },
    });
    for refused in [
        validate_dragon(&validator, data.store.as_ref(), other.clone()).await,
        add_dragon(&validator, data.store.as_ref(), other).await,
    ] {
        assert_eq!(
            refused,
            Ok(TaskAnswer::rejected(
                "a dragon named `QUILL` already exists"
            ))
        );
    }
    let names = data.names().await;
    assert_eq!(names.iter().filter(|name| *name == "Quill").count(), 1);
    assert_eq!(names.len(), loaded.len() + 61);
}

/// S3 as it is, but the completion of a multipart upload never answers (the function
/// is stopped) or fails.
struct Stopping<'a> {
    s3: S3Calls<'a>,
    completion: Completion,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Completion {
    Hangs,
    Fails,
}

impl ObjectCalls for Stopping<'_> {
    async fn tail(&self, key: &str, last: u64) -> Result<Option<Tail>, CallError> {
        self.s3.tail(key, last).await
    }

    async fn read(
        &self,
        key: &str,
        etag: &str,
        range: Range<u64>,
    ) -> Result<Option<Vec<u8>>, CallError> {
        self.s3.read(key, etag, range).await
    }

    async fn scan(&self, key: &str, etag: &str, finder: NameFinder) -> Result<Scanned, CallError> {
        self.s3.scan(key, etag, finder).await
    }

    async fn get(&self, key: &str, most: u64) -> Result<Option<Stored>, CallError> {
        self.s3.get(key, most).await
    }

    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        condition: Condition,
        meta: &ObjectMeta,
    ) -> Result<Outcome, CallError> {
        self.s3.put(key, body, condition, meta).await
    }

    async fn create_upload(&self, key: &str, meta: &ObjectMeta) -> Result<String, CallError> {
        self.s3.create_upload(key, meta).await
    }

    async fn copy_part(
        &self,
        key: &str,
        upload: &str,
        part: i32,
        etag: &str,
        range: Range<u64>,
    ) -> Result<Option<String>, CallError> {
        self.s3.copy_part(key, upload, part, etag, range).await
    }

    async fn upload_part(
        &self,
        key: &str,
        upload: &str,
        part: i32,
        body: Vec<u8>,
    ) -> Result<String, CallError> {
        self.s3.upload_part(key, upload, part, body).await
    }

    async fn complete(
        &self,
        _key: &str,
        _upload: &str,
        _parts: &[(i32, String)],
        _etag: &str,
    ) -> Result<Outcome, CallError> {
        if self.completion == Completion::Hangs {
            std::future::pending::<()>().await;
        }
        Err(CallError {
            operation: "CompleteMultipartUpload",
            transient: false,
            cause: "the test refuses every completion".into(),
        })
    }

    async fn abort(&self, key: &str, upload: &str) -> Result<(), CallError> {
        self.s3.abort(key, upload).await
    }
}

#[tokio::test]
async fn an_abandoned_or_failed_upload_leaves_the_object_untouched() {
    let moto = Moto::shared().unwrap();
    let (body, loaded) = just_below(DataFormat::JsonLines, 600);
    let data = Loaded::new(&moto, "dragons.jsonl", body, &loaded, true).await;
    // Past the part minimum.
    for n in 0..8 {
        data.store
            .add(&dragon(&format!("Filler {n}")), &report(&format!("f{n}")))
            .await
            .unwrap();
    }
    let before = data.object().await;
    assert!(before.0.len() as u64 >= MIN_PART);
    let location = &data.data.location;
    let stopped = Stopping {
        s3: S3Calls::new(&data.clients.s3, &location.bucket),
        completion: Completion::Hangs,
    };
    let object = DataObject::new(&stopped, &location.key);
    let abandoned = tokio::time::timeout(
        Duration::from_secs(5),
        object.add(&dragon("Quill"), &report("r1")),
    )
    .await;
    assert!(
        abandoned.is_err(),
        "the add was stopped before it completed"
    );
    assert_eq!(data.object().await, before, "the object is untouched");
    assert_eq!(data.open_uploads().await, 1, "left to the lifecycle rule");
    // A completion that fails: the upload is aborted, the object untouched.
    let failing = Stopping {
        completion: Completion::Fails,
        ..stopped
    };
    let object = DataObject::new(&failing, &location.key);
    let failed = object.add(&dragon("Quill"), &report("r1")).await;
    assert!(matches!(failed, Err(AddError::Store(_))), "{failed:?}");
    assert_eq!(data.object().await, before);
    assert_eq!(
        data.open_uploads().await,
        1,
        "only the abandoned one is left"
    );
    // Claimed but never added: the name is not taken, and the report's retry adds it.
    assert!(!data.store.is_name_taken("Quill").await.unwrap());
    let added = data
        .store
        .add(&dragon("Quill"), &report("r1"))
        .await
        .unwrap();
    assert_eq!(
        added,
        Added {
            attempts: 1,
            replayed: false
        }
    );
    let names = data.names().await;
    assert_eq!(names.len(), loaded.len() + 9);
    assert_eq!(names.last().map(String::as_str), Some("Quill"));
}
