//! `upload-data`'s library: the sample data lands where the stack's SSM parameters
//! say, as JSON Lines or as an array document as the key names, with its names index
//! (and without the index of what it replaced); bad input writes nothing; a merge
//! keeps a dragon added since, a replace drops it.

use dragons_contract::{ReportRef, query_engine::QueryEngine, store::DragonWriter};
use dragons_ops::upload::{Input, Mode, Position, UploadError, upload as upload_input};
use handlers::{
    aws::{AwsClients, DataLocation, S3Store},
    domain::name_index::{BASE_METADATA, LINEAGE_METADATA, names_prefix},
};
use serde_json::Value;

use dragons_harness::fixtures::{DataSet, clients};
use dragons_harness::moto::Moto;

use crate::util::{object_and_etag, sample_lines, sample_records};

/// Uploads `lines` (parsed as `upload-data` parses a file) where `parameters` point.
async fn upload(
    clients: &AwsClients,
    parameters: &handlers::aws::ParameterNames,
    lines: &str,
    mode: Mode,
) -> Result<DataLocation, UploadError> {
    let location = DataLocation::fetch(&clients.ssm, parameters).await.unwrap();
    let input = Input::parse(lines)?;
    upload_input(&clients.s3, &location, &input, mode, &mut |_| {}).await?;
    Ok(location)
}

#[tokio::test]
async fn the_data_lands_at_the_parameters_location_in_the_keys_format() {
    let moto = Moto::shared().unwrap();
    let clients = clients(&moto.endpoint()).await;
    let data = DataSet::create(&clients, "dragons.jsonl", Vec::new())
        .await
        .unwrap();
    let lines = String::from_utf8(sample_lines()).unwrap();
    let object = |location: DataLocation| {
        let s3 = clients.s3.clone();
        async move { object_and_etag(&s3, &location).await.0 }
    };

    let location = upload(&clients, &data.parameters, &lines, Mode::Merge)
        .await
        .unwrap();
    assert_eq!(location, data.location);
    assert_eq!(object(location).await, sample_lines());

    let array_key = DataLocation {
        bucket: data.location.bucket.clone(),
        key: "dragons.json".to_owned(),
    };
    data.point_to(&clients, &array_key).await.unwrap();
    let location = upload(&clients, &data.parameters, &lines, Mode::Merge)
        .await
        .unwrap();
    let document: Value = serde_json::from_slice(&object(location).await).unwrap();
    assert_eq!(document, Value::Array(sample_records()));

    let broken = format!("{lines}{{\"dragon_name_str\":\"Nope\"}}\n");
    let error = upload(&clients, &data.parameters, &broken, Mode::Merge)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::InvalidRecord { position: Position::Line(line), .. } if line == sample_records().len() + 1),
        "{error}"
    );
    // Names are unique by their key: a second spelling of one is refused too.
    let first = sample_records()[0]["dragon_name_str"]
        .as_str()
        .unwrap()
        .to_uppercase();
    let mut again = sample_records()[0].clone();
    again["dragon_name_str"] = Value::from(first.clone());
    let twice = format!("{lines}{again}\n");
    let error = upload(&clients, &data.parameters, &twice, Mode::Merge)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, UploadError::DuplicateName { first: Position::Line(1), name, .. } if *name == first),
        "{error}"
    );
    let document: Value = serde_json::from_slice(&object(array_key).await).unwrap();
    assert_eq!(
        document,
        Value::Array(sample_records()),
        "a refused upload writes nothing"
    );
}

/// The keys under the names index of the object at `location`.
async fn index_keys(clients: &AwsClients, location: &DataLocation) -> Vec<String> {
    let listed = clients
        .s3
        .list_objects_v2()
        .bucket(&location.bucket)
        .prefix(names_prefix(&location.key))
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|object| object.key().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_names_index_is_written_before_the_object_and_replaced_with_it() {
    let moto = Moto::shared().unwrap();
    let clients = clients(&moto.endpoint()).await;
    let data = DataSet::create(&clients, "dragons.jsonl", Vec::new())
        .await
        .unwrap();
    let lines = String::from_utf8(sample_lines()).unwrap();
    let store = S3Store::new(clients.clone(), data.parameters.clone(), QueryEngine::Scan);
    let lineage = |clients: AwsClients, location: DataLocation| async move {
        let head = clients
            .s3
            .head_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .send()
            .await
            .unwrap();
        let metadata = head.metadata().unwrap();
        (
            metadata[LINEAGE_METADATA].clone(),
            metadata[BASE_METADATA].clone(),
        )
    };

    upload(&clients, &data.parameters, &lines, Mode::Merge)
        .await
        .unwrap();
    let (first, bits) = lineage(clients.clone(), data.location.clone()).await;
    let shards = index_keys(&clients, &data.location).await;
    assert_eq!(
        shards.len(),
        1 << bits.parse::<u32>().unwrap(),
        "{shards:?}"
    );
    let prefix = format!("{}{first}/base/", names_prefix(&data.location.key));
    assert!(
        shards.iter().all(|key| key.starts_with(&prefix)),
        "{shards:?}"
    );
    // Every loaded name is taken, by its key; another is not.
    for record in sample_records() {
        let name = record["dragon_name_str"].as_str().unwrap().to_uppercase();
        assert!(store.is_name_taken(&name).await.unwrap(), "{name}");
    }
    assert!(!store.is_name_taken("Not Loaded").await.unwrap());
    let dragon = serde_json::from_value(serde_json::json!({
        "dragon_name_str": "Not Loaded",
        "family_str": "red",
        "description_str": "Added after the load.",
        "location_city_str": "Bergen",
        "location_country_str": "norway",
        "location_state_str": "",
        "location_neighborhood_str": "",
    }))
    .unwrap();
    let report = ReportRef {
        id: "r1".into(),
        submitted_at: "2026-01-01T00:00:00Z".into(),
    };
    store.add(&dragon, &report).await.unwrap();
    assert_eq!(
        index_keys(&clients, &data.location).await.len(),
        shards.len() + 1
    );
    assert!(store.is_name_taken("not loaded").await.unwrap());

    // Merged again: a new lineage whose base holds the added dragon too; the old
    // lineage's shards and markers are gone.
    upload(&clients, &data.parameters, &lines, Mode::Merge)
        .await
        .unwrap();
    let (second, _) = lineage(clients.clone(), data.location.clone()).await;
    assert_ne!(first, second);
    let keys = index_keys(&clients, &data.location).await;
    assert_eq!(keys.len(), shards.len());
    assert!(keys.iter().all(|key| key.contains(&second)), "{keys:?}");
    assert!(store.is_name_taken("not loaded").await.unwrap());

    // Replaced: the dragon only the object held is dropped.
    upload(&clients, &data.parameters, &lines, Mode::Replace)
        .await
        .unwrap();
    let (third, _) = lineage(clients.clone(), data.location.clone()).await;
    assert_ne!(second, third);
    assert!(!store.is_name_taken("not loaded").await.unwrap());
}
