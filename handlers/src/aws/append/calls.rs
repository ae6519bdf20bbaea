//! The S3 requests an add and a name check make, as a small trait: [`S3Calls`]
//! sends them to S3; the unit tests answer them with a fake that holds AWS's
//! documented semantics where moto does not (`If-Match` on CompleteMultipartUpload,
//! `CopySourceIfMatch` on UploadPartCopy), so the decisions above them can be tested.
//!
//! [`S3Calls`]: super::s3_calls::S3Calls

use std::{future::Future, ops::Range, time::Duration};

use dragons_contract::store::Cause;

use crate::domain::{
    catalog::{CatalogError, NameFinder},
    name_index::Lineage,
};

/// A failed request (not a refused condition: those are answers, see [`Outcome`]).
#[derive(Debug, thiserror::Error)]
#[error("S3 {operation} failed")]
pub struct CallError {
    /// The operation (`PutObject`, `UploadPartCopy`...).
    pub operation: &'static str,
    /// Whether trying again may succeed (unreachable, slow, throttling, 5xx).
    pub transient: bool,
    /// What the SDK said.
    #[source]
    pub cause: Cause,
}

/// The data object's last bytes, read with its size, ETag and lineage in one request.
#[derive(Debug, Clone)]
pub struct Tail {
    /// The whole object's size.
    pub size: u64,
    /// Its ETag (as S3 sends it, quotes included).
    pub etag: String,
    /// The lineage its user metadata names (`None`: none, its names are scanned).
    pub lineage: Option<Lineage>,
    /// Its last bytes (all of them when it is small).
    pub bytes: Vec<u8>,
}

/// A small object (a marker or a shard of the names index) as read.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its bytes.
    pub body: Vec<u8>,
    /// Its ETag.
    pub etag: String,
    /// How long ago it was last written.
    pub age: Duration,
}

/// The condition of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `If-Match`: the object still has this ETag.
    IfMatch(String),
    /// `If-None-Match: *`: there is no object yet.
    IfNoneMatch,
}

/// What is stored with an object's bytes.
#[derive(Debug, Clone)]
pub struct ObjectMeta {
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its user metadata.
    pub metadata: Vec<(&'static str, String)>,
}

/// The answer to a conditional write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written.
    Written,
    /// Refused: the condition did not hold (412), a concurrent conditional write
    /// conflicted (409), or an `If-Match` object is gone (404). Nothing was written.
    Refused,
}

/// How a scan of the object for a name ended.
#[derive(Debug)]
pub enum Scanned {
    /// The object no longer has the ETag named: nothing was decided.
    Changed,
    /// A record has the name.
    Found,
    /// No record has it.
    Absent,
    /// The object is not a list of dragons.
    Malformed(CatalogError),
}

/// The S3 requests of the write path; see the module docs. Each returns when S3
/// answered; none retries on its own beyond what the SDK does.
pub trait ObjectCalls: Sync {
    /// The last `last` bytes of the object at `key` with its size, ETag and lineage
    /// (one ranged GetObject); `None` when there is no object.
    fn tail(
        &self,
        key: &str,
        last: u64,
    ) -> impl Future<Output = Result<Option<Tail>, CallError>> + Send;

    /// The bytes in `range` of the object at `key`, if it still has `etag`
    /// (`None`: it changed).
    fn read(
        &self,
        key: &str,
        etag: &str,
        range: Range<u64>,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, CallError>> + Send;

    /// Streams the object at `key`, if it still has `etag`, through `finder`.
    fn scan(
        &self,
        key: &str,
        etag: &str,
        finder: NameFinder,
    ) -> impl Future<Output = Result<Scanned, CallError>> + Send;

    /// The object at `key` (`None`: there is none); an error when it is larger than
    /// `most` bytes.
    fn get(
        &self,
        key: &str,
        most: u64,
    ) -> impl Future<Output = Result<Option<Stored>, CallError>> + Send;

    /// PutObject of `body` at `key` under `condition`.
    fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        condition: Condition,
        meta: &ObjectMeta,
    ) -> impl Future<Output = Result<Outcome, CallError>> + Send;

    /// CreateMultipartUpload of `key`; the upload's id.
    fn create_upload(
        &self,
        key: &str,
        meta: &ObjectMeta,
    ) -> impl Future<Output = Result<String, CallError>> + Send;

    /// UploadPartCopy of `range` of the object at `key` itself, if it still has
    /// `etag` (`CopySourceIfMatch`), as part `part`; the part's ETag, `None` when the
    /// object changed.
    fn copy_part(
        &self,
        key: &str,
        upload: &str,
        part: i32,
        etag: &str,
        range: Range<u64>,
    ) -> impl Future<Output = Result<Option<String>, CallError>> + Send;

    /// UploadPart of `body` as part `part`; the part's ETag.
    fn upload_part(
        &self,
        key: &str,
        upload: &str,
        part: i32,
        body: Vec<u8>,
    ) -> impl Future<Output = Result<String, CallError>> + Send;

    /// CompleteMultipartUpload of `parts` (number, ETag), if the object still has
    /// `etag` (`If-Match`).
    fn complete(
        &self,
        key: &str,
        upload: &str,
        parts: &[(i32, String)],
        etag: &str,
    ) -> impl Future<Output = Result<Outcome, CallError>> + Send;

    /// AbortMultipartUpload: the upload's parts are deleted.
    fn abort(&self, key: &str, upload: &str) -> impl Future<Output = Result<(), CallError>> + Send;
}
