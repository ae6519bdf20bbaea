//! `upload-data`'s library: the sample data lands where the stack's SSM parameters
//! say, as JSON Lines or as an array document as the key names; bad input writes
//! nothing.

use dragons_ops::{UploadError, upload};
use handlers::aws::DataLocation;
use serde_json::Value;

use dragons_harness::fixtures::{DataSet, clients};
use dragons_harness::moto::Moto;

use crate::util::{object_and_etag, sample_lines, sample_records};

#[tokio::test]
async fn the_data_lands_at_the_parameters_location_in_the_keys_format() {
    let moto = Moto::shared().unwrap();
    let clients = clients(&moto.endpoint()).await;
    let data = DataSet::create(&clients, "dragons.jsonl", b"old".to_vec())
        .await
        .unwrap();
    let lines = String::from_utf8(sample_lines()).unwrap();
    let object = |location: DataLocation| {
        let s3 = clients.s3.clone();
        async move { object_and_etag(&s3, &location).await.0 }
    };

    let location = upload(&clients, &data.parameters, &lines).await.unwrap();
    assert_eq!(location, data.location);
    assert_eq!(object(location).await, sample_lines());

    let array_key = DataLocation {
        bucket: data.location.bucket.clone(),
        key: "dragons.json".to_owned(),
    };
    data.point_to(&clients, &array_key).await.unwrap();
    let location = upload(&clients, &data.parameters, &lines).await.unwrap();
    let document: Value = serde_json::from_slice(&object(location).await).unwrap();
    assert_eq!(document, Value::Array(sample_records()));

    let broken = format!("{lines}{{\"dragon_name_str\":\"Nope\"}}\n");
    let error = upload(&clients, &data.parameters, &broken)
        .await
        .unwrap_err();
    assert!(
        matches!(error, UploadError::InvalidRecord { line, .. } if line == sample_records().len() + 1),
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
    let error = upload(&clients, &data.parameters, &twice)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, UploadError::DuplicateName { first: 1, name, .. } if *name == first),
        "{error}"
    );
    let document: Value = serde_json::from_slice(&object(array_key).await).unwrap();
    assert_eq!(
        document,
        Value::Array(sample_records()),
        "a refused upload writes nothing"
    );
}
