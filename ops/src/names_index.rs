//! Loading the data object with its names index, as `upload-data` does: every shard
//! of a new lineage's index first, then the object naming that lineage in its
//! metadata, so the writers find any loaded name in one small read (the index's
//! layout: `handlers::domain::name_index`). Then the index objects of older lineages,
//! which nothing reads any more, are removed (best effort).

use aws_sdk_s3::{
    Client,
    error::{DisplayErrorContext, SdkError},
    primitives::ByteStream,
    types::{Delete, ObjectIdentifier},
};
use futures_util::{StreamExt, TryStreamExt, stream};
use handlers::{
    aws::DataLocation,
    domain::name_index::{BaseIndex, names_prefix},
};

/// Shards written at once.
const CONCURRENT_PUTS: usize = 16;
/// Keys one DeleteObjects request removes at most (S3's limit).
const DELETE_BATCH: usize = 1000;

/// Why the object and its index could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing s3://{bucket}/{key} failed: {message}")]
pub struct LoadError {
    /// The bucket.
    pub bucket: String,
    /// The object (the data object, or a shard of its index).
    pub key: String,
    /// What S3 (or the connection) said.
    pub message: String,
}

fn failed<E: std::error::Error + Send + Sync + 'static, R: std::fmt::Debug>(
    location: &DataLocation,
    key: &str,
    error: &SdkError<E, R>,
) -> LoadError {
    LoadError {
        bucket: location.bucket.clone(),
        key: key.to_owned(),
        message: DisplayErrorContext(error).to_string(),
    }
}

/// Puts `body` (stored as `content_type`) at `location`, indexed by `index` (fed every
/// record's name); see the module docs. Nothing of a failed load is read: the object
/// names the new lineage only once its index is whole.
pub async fn put_indexed(
    s3: &Client,
    location: &DataLocation,
    index: BaseIndex,
    body: ByteStream,
    content_type: &str,
) -> Result<(), LoadError> {
    let lineage = index.lineage().clone();
    stream::iter(index.shards(&location.key))
        .map(|(key, bytes)| async move {
            s3.put_object()
                .bucket(&location.bucket)
                .key(&key)
                .content_type("application/json")
                .body(ByteStream::from(bytes))
                .send()
                .await
                .map_err(|error| failed(location, &key, &error))
        })
        .buffer_unordered(CONCURRENT_PUTS)
        .try_collect::<Vec<_>>()
        .await?;
    let mut put = s3
        .put_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .content_type(content_type)
        .body(body);
    for (name, value) in lineage.metadata() {
        put = put.metadata(name, value);
    }
    put.send()
        .await
        .map_err(|error| failed(location, &location.key, &error))?;
    let current = format!("{}{}/", names_prefix(&location.key), lineage.id);
    if let Err(error) = remove_other_lineages(s3, location, &current).await {
        tracing::warn!(%error, "the index objects of older loads could not be removed");
    }
    Ok(())
}

/// Deletes every object under the data key's names prefix but `current`'s.
async fn remove_other_lineages(
    s3: &Client,
    location: &DataLocation,
    current: &str,
) -> Result<(), LoadError> {
    let prefix = names_prefix(&location.key);
    let mut pages = s3
        .list_objects_v2()
        .bucket(&location.bucket)
        .prefix(&prefix)
        .into_paginator()
        .send();
    let mut stale = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| failed(location, &prefix, &error))?;
        stale.extend(
            page.contents()
                .iter()
                .filter_map(|object| object.key())
                .filter(|key| !key.starts_with(current))
                .map(str::to_owned),
        );
    }
    for batch in stale.chunks(DELETE_BATCH) {
        let objects = batch
            .iter()
            .map(|key| ObjectIdentifier::builder().key(key).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| LoadError {
                bucket: location.bucket.clone(),
                key: prefix.clone(),
                message: error.to_string(),
            })?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|error| LoadError {
                bucket: location.bucket.clone(),
                key: prefix.clone(),
                message: error.to_string(),
            })?;
        s3.delete_objects()
            .bucket(&location.bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|error| failed(location, &prefix, &error))?;
    }
    Ok(())
}
