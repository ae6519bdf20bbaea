//! Loading the data object with its names index, as `upload-data` does: every shard
//! of a new lineage's index first, then the object naming that lineage in its
//! metadata, so the writers find any loaded name in one small read (the index's
//! layout: `handlers::domain::name_index`). Then the index objects of older lineages,
//! which nothing reads any more, are removed (best effort). [`put_indexed_if`] writes
//! the object only if it is still the one read (`If-Match` its ETag, `If-None-Match: *`
//! where there was none), so a load never overwrites an add it did not see.

use aws_sdk_s3::{
    Client,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    primitives::ByteStream,
    types::{Delete, ObjectIdentifier},
};
use futures_util::{StreamExt, TryStreamExt, stream};
use handlers::{
    aws::DataLocation,
    domain::name_index::{BaseIndex, names_prefix},
};

use crate::object_writer::Replaces;

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

/// Why a conditional load did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PutError {
    /// The object is no longer the one the load replaces (412, 409
    /// ConditionalRequestConflict, or 404 for `If-Match` on an object that is gone):
    /// read it again and retry.
    #[error("s3://{bucket}/{key} changed since it was read; nothing was replaced")]
    Changed {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
    },
    /// A write failed.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Puts `body` (stored as `content_type`) at `location`, indexed by `index` (fed every
/// record's name), whatever object is there; see the module docs. Nothing of a failed
/// load is read: the object names the new lineage only once its index is whole.
pub async fn put_indexed(
    s3: &Client,
    location: &DataLocation,
    index: BaseIndex,
    body: ByteStream,
    content_type: &str,
) -> Result<(), LoadError> {
    match put(s3, location, index, body, content_type, None).await {
        Ok(()) => Ok(()),
        Err(PutError::Load(error)) => Err(error),
        Err(PutError::Changed { bucket, key }) => Err(LoadError {
            bucket,
            key,
            message: "an unconditional write was refused as conditional".to_owned(),
        }),
    }
}

/// [`put_indexed`], only if the object at `location` is still `replaces`.
pub async fn put_indexed_if(
    s3: &Client,
    location: &DataLocation,
    index: BaseIndex,
    body: ByteStream,
    content_type: &str,
    replaces: &Replaces,
) -> Result<(), PutError> {
    put(s3, location, index, body, content_type, Some(replaces)).await
}

/// Whether S3 refused a conditional write because the object is not the one named.
fn lost_race<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    matches!(
        error.code(),
        Some("PreconditionFailed" | "ConditionalRequestConflict" | "NoSuchKey")
    )
}

async fn put(
    s3: &Client,
    location: &DataLocation,
    index: BaseIndex,
    body: ByteStream,
    content_type: &str,
    replaces: Option<&Replaces>,
) -> Result<(), PutError> {
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
    put = match replaces {
        None => put,
        Some(Replaces::Nothing) => put.if_none_match("*"),
        Some(Replaces::Etag(etag)) => put.if_match(etag),
    };
    match put.send().await {
        Ok(_) => {}
        Err(error) if replaces.is_some() && lost_race(&error) => {
            return Err(PutError::Changed {
                bucket: location.bucket.clone(),
                key: location.key.clone(),
            });
        }
        Err(error) => return Err(failed(location, &location.key, &error).into()),
    }
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
