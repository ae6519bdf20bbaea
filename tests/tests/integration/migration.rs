//! Moving the data between the stores (`migrate-data`'s library) on moto: a round
//! trip S3 → DynamoDB → S3 keeps every record equal in value; an interrupted copy
//! resumes from its checkpoint and adds nothing twice; the export keeps the object's
//! dragons the table lacks, reports conflicts, and never replaces an object written
//! meanwhile.

use std::collections::BTreeMap;
use std::time::Duration;

use dragons_contract::{
    DataFormat, Dragon, data_store::DataStore, name, query_engine::QueryEngine,
};
use dragons_harness::{fixtures::DataSet, moto::Moto};
use dragons_ops::migrate::{self, Event, MigrateError, Tally};
use dragons_ops::object_writer::{ObjectWriter, PART_BYTES, Replaces, WriteError};
use dragons_ops::sample;
use handlers::aws::{AnyStore, DynamoStore, S3Store};
use serde_json::Value;

use crate::stores::TestStore;
use crate::util::object_and_etag;

/// More records than one page (1,000) holds, so every walk goes over pages.
const RECORDS: u64 = 2_500;

/// A copy that is stopped after its first page and resumed: two pages.
const RESUMED: u64 = 1_400;

fn lines(count: u64, seed: u64) -> Vec<u8> {
    sample::write_lines(count, seed, Vec::new()).unwrap()
}

/// The records of a JSON Lines or array body, each as a value, counted.
fn values(body: &[u8], format: DataFormat) -> BTreeMap<String, usize> {
    let records: Vec<Value> = match format {
        DataFormat::JsonLines => body
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect(),
        DataFormat::JsonArray => serde_json::from_slice(body).unwrap(),
    };
    let mut counted = BTreeMap::new();
    for record in records {
        // A value's text with its keys sorted: equal values, equal texts.
        *counted.entry(record.to_string()).or_default() += 1;
    }
    counted
}

fn s3_store(store: &TestStore) -> &S3Store {
    match &*store.store {
        AnyStore::S3(store) => store,
        AnyStore::DynamoDb(_) => unreachable!("an object store"),
    }
}

fn table(store: &TestStore) -> &DynamoStore {
    match &*store.store {
        AnyStore::DynamoDb(store) => store,
        AnyStore::S3(_) => unreachable!("a table store"),
    }
}

/// Collects what a migration reports.
#[derive(Default)]
struct Heard {
    progress: Vec<Tally>,
    conflicts: Vec<(Dragon, Dragon)>,
    invalid: usize,
}

impl Heard {
    fn listen(&mut self) -> impl FnMut(Event<'_>) + '_ {
        |event| match event {
            Event::Progress(tally) => self.progress.push(*tally),
            Event::Conflict { kept, source } => {
                self.conflicts.push((kept.clone(), source.clone()));
            }
            Event::Invalid { .. } => self.invalid += 1,
        }
    }
}

async fn export(table: &TestStore, object: &TestStore) -> (Tally, Heard) {
    let data = object.data.as_ref().unwrap();
    let mut heard = Heard::default();
    let (tally, version) = migrate::to_object(
        self::table(table),
        s3_store(object),
        &object.clients.s3,
        &data.location,
        &mut heard.listen(),
    )
    .await
    .unwrap();
    assert!(version.is_some(), "the bucket is versioned");
    (tally, heard)
}

#[tokio::test]
async fn a_round_trip_through_the_table_keeps_every_record_equal_in_value() {
    let moto = Moto::shared().unwrap();
    let original = lines(RECORDS, 14);
    let object =
        TestStore::object(&moto, "dragons.jsonl", original.clone(), QueryEngine::Scan).await;
    let target = TestStore::holding(DataStore::DynamoDb, &moto, Vec::new()).await;

    let mut heard = Heard::default();
    let tally = migrate::to_table(
        s3_store(&object),
        table(&target),
        None,
        16,
        &mut heard.listen(),
    )
    .await
    .unwrap();
    assert_eq!(
        tally,
        Tally {
            read: RECORDS,
            written: RECORDS,
            ..Tally::default()
        }
    );
    assert_eq!(heard.progress.len(), 3, "one report per page of 1,000");
    let mut names =
        dragons_harness::fixtures::record_names(&original, DataFormat::JsonLines).unwrap();
    names.sort();
    assert_eq!(target.names().await, names);

    // Back into the same object: the table's dragons, the object's all already there.
    let (tally, heard) = export(&target, &object).await;
    assert_eq!(
        tally,
        Tally {
            read: 2 * RECORDS,
            written: RECORDS,
            already_there: RECORDS,
            ..Tally::default()
        }
    );
    assert!(heard.conflicts.is_empty());
    let data = object.data.as_ref().unwrap();
    let (exported, _) = object_and_etag(&object.clients.s3, &data.location).await;
    assert_eq!(
        values(&exported, DataFormat::JsonLines),
        values(&original, DataFormat::JsonLines)
    );

    // Into a new array document: the same records, in the key's format.
    let fresh = DataSet::create(&object.clients, "dragons.json", b"[]".to_vec())
        .await
        .unwrap();
    object
        .clients
        .s3
        .delete_object()
        .bucket(&fresh.location.bucket)
        .key(&fresh.location.key)
        .send()
        .await
        .unwrap();
    let reader = S3Store::new(
        object.clients.clone(),
        fresh.parameters.clone(),
        QueryEngine::Scan,
    );
    let (tally, _) = migrate::to_object(
        table(&target),
        &reader,
        &object.clients.s3,
        &fresh.location,
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!((tally.read, tally.written), (RECORDS, RECORDS));
    let (document, _) = object_and_etag(&object.clients.s3, &fresh.location).await;
    assert_eq!(
        values(&document, DataFormat::JsonArray),
        values(&original, DataFormat::JsonLines)
    );
}

#[tokio::test]
async fn an_interrupted_copy_resumes_from_its_checkpoint_and_adds_nothing_twice() {
    let moto = Moto::shared().unwrap();
    let object = TestStore::object(
        &moto,
        "dragons.jsonl",
        lines(RESUMED, 15),
        QueryEngine::Scan,
    )
    .await;
    let target = TestStore::holding(DataStore::DynamoDb, &moto, Vec::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("to-table.json");

    // Stopped a little after its first page: part of the second page may be written.
    let first_page = tokio::sync::Notify::new();
    let mut stop_after_a_page = |event: Event<'_>| {
        if let Event::Progress(_) = event {
            first_page.notify_one();
        }
    };
    let copy = migrate::to_table(
        s3_store(&object),
        table(&target),
        Some(&checkpoint),
        16,
        &mut stop_after_a_page,
    );
    tokio::select! {
        biased;
        () = async {
            first_page.notified().await;
            tokio::time::sleep(Duration::from_millis(40)).await;
        } => {}
        finished = copy => panic!("the copy ended before it was stopped: {finished:?}"),
    }
    let saved: Value = serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
    assert_eq!(saved["tally"]["read"], 1000, "{saved}");
    let before = target.names().await.len();
    assert!(before >= 1000, "the first page is in the table: {before}");

    let tally = migrate::to_table(
        s3_store(&object),
        table(&target),
        Some(&checkpoint),
        16,
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(tally.read, RESUMED, "resumed after the first page: {tally}");
    assert_eq!(tally.written + tally.already_there, RESUMED, "{tally}");
    assert_eq!(
        tally.already_there as usize,
        before - 1000,
        "only what the stopped page had written is found again: {tally}"
    );
    assert_eq!(target.names().await.len(), RESUMED as usize);
    let finished = migrate::to_table(
        s3_store(&object),
        table(&target),
        Some(&checkpoint),
        16,
        &mut |_| panic!("a finished copy has nothing to do"),
    )
    .await
    .unwrap();
    assert_eq!(finished, tally, "a finished checkpoint answers its totals");

    // Run again from the start (no checkpoint): nothing new.
    let again = migrate::to_table(s3_store(&object), table(&target), None, 16, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((again.written, again.already_there), (0, RESUMED));

    // A checkpoint that names no place in the data: refused, nothing written.
    let snapshot = target.snapshot().await;
    std::fs::write(&checkpoint, r#"{"after":"bm90LWEtY3Vyc29y","tally":{"read":1,"written":1,"already_there":0,"conflicts":0,"invalid":0}}"#).unwrap();
    let refused = migrate::to_table(
        s3_store(&object),
        table(&target),
        Some(&checkpoint),
        16,
        &mut |_| {},
    )
    .await;
    assert!(
        matches!(refused, Err(MigrateError::StaleCheckpoint { .. })),
        "{refused:?}"
    );
    assert_eq!(target.snapshot().await, snapshot);
}

fn dragon(name: &str, description: &str) -> Dragon {
    Dragon {
        dragon_name_str: name.into(),
        family_str: "red".into(),
        description_str: description.into(),
        location_city_str: "Oslo".into(),
        location_country_str: "norway".into(),
        location_state_str: String::new(),
        location_neighborhood_str: "Grünerløkka\n\"north\"".into(),
    }
}

fn jsonl(dragons: &[&Dragon]) -> Vec<u8> {
    dragons
        .iter()
        .flat_map(|dragon| {
            let mut line = serde_json::to_vec(dragon).unwrap();
            line.push(b'\n');
            line
        })
        .collect()
}

#[tokio::test]
async fn the_export_keeps_the_objects_dragons_the_table_lacks_and_reports_conflicts() {
    let moto = Moto::shared().unwrap();
    let both = dragon("Ember", "in both, equal");
    let object_side = dragon("Ash", "the object's");
    let table_side = dragon("ASH", "the table's, same name key");
    let object_only = dragon("Cinder", "added to the object after the move");
    let table_only = dragon("Drake", "added to the table");
    assert_eq!(
        name::key(&object_side.dragon_name_str),
        name::key(&table_side.dragon_name_str)
    );
    let object = TestStore::object(
        &moto,
        "dragons.jsonl",
        jsonl(&[&both, &object_side, &object_only]),
        QueryEngine::Scan,
    )
    .await;
    let target = TestStore::holding(
        DataStore::DynamoDb,
        &moto,
        jsonl(&[&both, &table_side, &table_only]),
    )
    .await;

    let (tally, heard) = export(&target, &object).await;
    assert_eq!(
        tally,
        Tally {
            read: 6,
            written: 4,
            already_there: 1,
            conflicts: 1,
            invalid: 0,
        }
    );
    assert_eq!(heard.conflicts, [(table_side.clone(), object_side)]);
    let data = object.data.as_ref().unwrap();
    let (exported, _) = object_and_etag(&object.clients.s3, &data.location).await;
    assert_eq!(
        values(&exported, DataFormat::JsonLines),
        values(
            &jsonl(&[&both, &table_side, &table_only, &object_only]),
            DataFormat::JsonLines
        )
    );
}

#[tokio::test]
async fn an_object_write_replaces_only_the_object_it_began_from() {
    let moto = Moto::shared().unwrap();
    let store =
        TestStore::object(&moto, "dragons.jsonl", b"old\n".to_vec(), QueryEngine::Scan).await;
    let s3 = &store.clients.s3;
    let location = &store.data.as_ref().unwrap().location;
    let (_, etag) = object_and_etag(s3, location).await;
    let writer = |replaces| {
        ObjectWriter::new(
            s3.clone(),
            &location.bucket,
            &location.key,
            DataFormat::JsonLines.content_type(),
            replaces,
        )
    };

    // Over two parts, replacing the object it began from: written whole.
    let big: Vec<u8> = (0..PART_BYTES + PART_BYTES / 2)
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    let mut write = writer(Replaces::Etag(etag.clone()));
    for chunk in big.chunks(1 << 20) {
        write.write(chunk).await.unwrap();
    }
    write.finish().await.unwrap();
    let (body, written_etag) = object_and_etag(s3, location).await;
    assert!(body == big, "the object holds every byte written, in order");
    assert!(written_etag.ends_with("-2\""), "two parts: {written_etag}");

    // A small write from a stale ETag (someone wrote since): refused, nothing changes.
    let mut stale = writer(Replaces::Etag(etag));
    stale.write(b"new\n").await.unwrap();
    let refused = stale.finish().await;
    assert!(
        matches!(refused, Err(WriteError::Changed { .. })),
        "{refused:?}"
    );
    // A multipart write that expected no object, where one now is: refused, and the
    // upload's parts are gone.
    let mut late = writer(Replaces::Nothing);
    late.write(&big).await.unwrap();
    let refused = late.finish().await;
    assert!(
        matches!(refused, Err(WriteError::Changed { .. })),
        "{refused:?}"
    );
    assert_eq!(object_and_etag(s3, location).await.1, written_etag);
    let uploads = s3
        .list_multipart_uploads()
        .bucket(&location.bucket)
        .send()
        .await
        .unwrap();
    assert!(uploads.uploads().is_empty(), "{uploads:?}");
    // (moto ignores If-Match on CompleteMultipartUpload, which S3 honours: the stale
    // ETag case is checked above on the single-request path only.)
}
