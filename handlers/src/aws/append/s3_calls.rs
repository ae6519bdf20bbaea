//! [`ObjectCalls`] over the S3 client: one SDK request per call, a refused condition
//! (412 PreconditionFailed, 409 ConditionalRequestConflict, 404 on `If-Match` of a
//! deleted object) answered as [`Outcome::Refused`] or `None`, anything else an error
//! that says whether it is worth retrying.

use std::{ops::Range, time::SystemTime};

use aws_sdk_s3::{
    Client,
    config::http::HttpResponse,
    error::{ProvideErrorMetadata, SdkError},
    operation::{get_object::GetObjectError, head_object::HeadObjectError},
    primitives::ByteStream,
    types::{CompletedMultipartUpload, CompletedPart},
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::calls::{CallError, Condition, ObjectCalls, ObjectMeta, Outcome, Scanned, Stored, Tail};
use crate::{
    aws::sdk_error::is_transient,
    domain::{catalog::NameFinder, name_index::Lineage, records::Flow},
};

/// What a copy source's key keeps unencoded: RFC 3986's unreserved characters and `/`.
const COPY_SOURCE_KEEPS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The S3 requests of one bucket.
#[derive(Debug, Clone, Copy)]
pub struct S3Calls<'a> {
    s3: &'a Client,
    bucket: &'a str,
}

impl<'a> S3Calls<'a> {
    /// Requests to `bucket` through `s3`.
    pub fn new(s3: &'a Client, bucket: &'a str) -> Self {
        Self { s3, bucket }
    }
}

fn failed<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    CallError {
        operation,
        transient: is_transient(&error),
        cause: Box::new(error),
    }
}

fn body_failed(
    operation: &'static str,
    error: impl std::error::Error + Send + Sync + 'static,
) -> CallError {
    // The connection broke off mid-body: another try may get it all.
    CallError {
        operation,
        transient: true,
        cause: Box::new(error),
    }
}

/// Whether S3 refused a conditional request: 412 Precondition Failed, 409
/// ConditionalRequestConflict (concurrent conditional writes), or 404 for an
/// `If-Match` on an object that is gone.
fn refused<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    let status = error.raw_response().map(|raw| raw.status().as_u16());
    matches!(status, Some(409 | 412))
        || matches!(
            error.code(),
            Some("PreconditionFailed" | "ConditionalRequestConflict")
        )
}

fn not_found<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    matches!(error.code(), Some("NoSuchKey" | "NotFound"))
        || error
            .raw_response()
            .is_some_and(|raw| raw.status().as_u16() == 404)
}

fn length(value: Option<i64>) -> u64 {
    value.map_or(0, |length| u64::try_from(length).unwrap_or(0))
}

fn lineage(metadata: Option<&std::collections::HashMap<String, String>>) -> Option<Lineage> {
    let metadata = metadata?;
    Lineage::from_metadata(|name| metadata.get(name).map(String::as_str))
}

/// The HTTP range header for `range` (not empty).
fn http_range(range: &Range<u64>) -> String {
    format!("bytes={}-{}", range.start, range.end - 1)
}

impl S3Calls<'_> {
    async fn head(&self, key: &str) -> Result<Option<Tail>, CallError> {
        match self
            .s3
            .head_object()
            .bucket(self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => Ok(Some(Tail {
                size: length(object.content_length()),
                etag: object.e_tag().unwrap_or_default().to_owned(),
                lineage: lineage(object.metadata()),
                bytes: Vec::new(),
            })),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(HeadObjectError::is_not_found) =>
            {
                Ok(None)
            }
            Err(error) => Err(failed("HeadObject", error)),
        }
    }
}

impl ObjectCalls for S3Calls<'_> {
    async fn tail(&self, key: &str, last: u64) -> Result<Option<Tail>, CallError> {
        let answer = self
            .s3
            .get_object()
            .bucket(self.bucket)
            .key(key)
            .range(format!("bytes=-{last}"))
            .send()
            .await;
        let object = match answer {
            Ok(object) => object,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(GetObjectError::is_no_such_key) =>
            {
                return Ok(None);
            }
            // An empty object has no last bytes to range over.
            Err(error)
                if error
                    .raw_response()
                    .is_some_and(|raw| raw.status().as_u16() == 416) =>
            {
                return self.head(key).await;
            }
            Err(error) => return Err(failed("GetObject", error)),
        };
        let content_length = length(object.content_length());
        let size = object
            .content_range()
            .and_then(|range| range.rsplit_once('/'))
            .and_then(|(_, total)| total.parse().ok())
            .unwrap_or(content_length);
        let etag = object.e_tag().unwrap_or_default().to_owned();
        let lineage = lineage(object.metadata());
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|error| body_failed("GetObject", error))?
            .to_vec();
        Ok(Some(Tail {
            size,
            etag,
            lineage,
            bytes,
        }))
    }

    async fn read(
        &self,
        key: &str,
        etag: &str,
        range: Range<u64>,
    ) -> Result<Option<Vec<u8>>, CallError> {
        if range.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let answer = self
            .s3
            .get_object()
            .bucket(self.bucket)
            .key(key)
            .if_match(etag)
            .range(http_range(&range))
            .send()
            .await;
        match answer {
            Ok(object) => Ok(Some(
                object
                    .body
                    .collect()
                    .await
                    .map_err(|error| body_failed("GetObject", error))?
                    .to_vec(),
            )),
            Err(error) if refused(&error) || not_found(&error) => Ok(None),
            Err(error) => Err(failed("GetObject", error)),
        }
    }

    async fn scan(
        &self,
        key: &str,
        etag: &str,
        mut finder: NameFinder,
    ) -> Result<Scanned, CallError> {
        let answer = self
            .s3
            .get_object()
            .bucket(self.bucket)
            .key(key)
            .if_match(etag)
            .send()
            .await;
        let mut body = match answer {
            Ok(object) => object.body,
            Err(error) if refused(&error) || not_found(&error) => return Ok(Scanned::Changed),
            Err(error) => return Err(failed("GetObject", error)),
        };
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|error| body_failed("GetObject", error))?
        {
            match finder.push(&chunk) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Stop) => return Ok(Scanned::Found),
                Err(error) => return Ok(Scanned::Malformed(error)),
            }
        }
        Ok(match finder.finish() {
            Ok(Some(_)) => Scanned::Found,
            Ok(None) => Scanned::Absent,
            Err(error) => Scanned::Malformed(error),
        })
    }

    async fn get(&self, key: &str, most: u64) -> Result<Option<Stored>, CallError> {
        let answer = self
            .s3
            .get_object()
            .bucket(self.bucket)
            .key(key)
            .send()
            .await;
        let object = match answer {
            Ok(object) => object,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(GetObjectError::is_no_such_key) =>
            {
                return Ok(None);
            }
            Err(error) => return Err(failed("GetObject", error)),
        };
        let size = length(object.content_length());
        if size > most {
            return Err(CallError {
                operation: "GetObject",
                transient: false,
                cause: format!("{key} holds {size} bytes, more than the {most} expected").into(),
            });
        }
        let etag = object.e_tag().unwrap_or_default().to_owned();
        let age = object
            .last_modified()
            .and_then(|modified| SystemTime::try_from(*modified).ok())
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .unwrap_or_default();
        let body = object
            .body
            .collect()
            .await
            .map_err(|error| body_failed("GetObject", error))?
            .to_vec();
        Ok(Some(Stored { body, etag, age }))
    }

    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        condition: Condition,
        meta: &ObjectMeta,
    ) -> Result<Outcome, CallError> {
        let mut put = self
            .s3
            .put_object()
            .bucket(self.bucket)
            .key(key)
            .content_type(meta.content_type)
            .body(ByteStream::from(body));
        for (name, value) in &meta.metadata {
            put = put.metadata(*name, value);
        }
        let put = match condition {
            Condition::IfMatch(etag) => put.if_match(etag),
            Condition::IfNoneMatch => put.if_none_match("*"),
        };
        match put.send().await {
            Ok(_) => Ok(Outcome::Written),
            Err(error) if refused(&error) || not_found(&error) => Ok(Outcome::Refused),
            Err(error) => Err(failed("PutObject", error)),
        }
    }

    async fn create_upload(&self, key: &str, meta: &ObjectMeta) -> Result<String, CallError> {
        let mut create = self
            .s3
            .create_multipart_upload()
            .bucket(self.bucket)
            .key(key)
            .content_type(meta.content_type);
        for (name, value) in &meta.metadata {
            create = create.metadata(*name, value);
        }
        let created = create
            .send()
            .await
            .map_err(|error| failed("CreateMultipartUpload", error))?;
        created.upload_id.ok_or_else(|| CallError {
            operation: "CreateMultipartUpload",
            transient: false,
            cause: "S3 answered without an upload id".into(),
        })
    }

    async fn copy_part(
        &self,
        key: &str,
        upload: &str,
        part: i32,
        etag: &str,
        range: Range<u64>,
    ) -> Result<Option<String>, CallError> {
        let source = format!(
            "{}/{}",
            self.bucket,
            utf8_percent_encode(key, COPY_SOURCE_KEEPS)
        );
        let answer = self
            .s3
            .upload_part_copy()
            .bucket(self.bucket)
            .key(key)
            .upload_id(upload)
            .part_number(part)
            .copy_source(source)
            .copy_source_if_match(etag)
            .copy_source_range(http_range(&range))
            .send()
            .await;
        match answer {
            Ok(copied) => Ok(Some(
                copied
                    .copy_part_result
                    .and_then(|result| result.e_tag)
                    .unwrap_or_default(),
            )),
            Err(error) if refused(&error) || not_found(&error) => Ok(None),
            Err(error) => Err(failed("UploadPartCopy", error)),
        }
    }

    async fn upload_part(
        &self,
        key: &str,
        upload: &str,
        part: i32,
        body: Vec<u8>,
    ) -> Result<String, CallError> {
        let uploaded = self
            .s3
            .upload_part()
            .bucket(self.bucket)
            .key(key)
            .upload_id(upload)
            .part_number(part)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|error| failed("UploadPart", error))?;
        Ok(uploaded.e_tag.unwrap_or_default())
    }

    async fn complete(
        &self,
        key: &str,
        upload: &str,
        parts: &[(i32, String)],
        etag: &str,
    ) -> Result<Outcome, CallError> {
        let parts = parts
            .iter()
            .map(|(number, etag)| {
                CompletedPart::builder()
                    .part_number(*number)
                    .e_tag(etag)
                    .build()
            })
            .collect();
        let answer = self
            .s3
            .complete_multipart_upload()
            .bucket(self.bucket)
            .key(key)
            .upload_id(upload)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .if_match(etag)
            .send()
            .await;
        match answer {
            Ok(_) => Ok(Outcome::Written),
            // NoSuchUpload is a 404 too, but says nothing of the object: an earlier
            // try of this very request (resent by the SDK) may have completed it.
            // Another round finds out (its claim is read back).
            Err(error) if error.code() == Some("NoSuchUpload") => Err(CallError {
                operation: "CompleteMultipartUpload",
                transient: true,
                cause: Box::new(error),
            }),
            Err(error) if refused(&error) || not_found(&error) => Ok(Outcome::Refused),
            Err(error) => Err(failed("CompleteMultipartUpload", error)),
        }
    }

    async fn abort(&self, key: &str, upload: &str) -> Result<(), CallError> {
        self.s3
            .abort_multipart_upload()
            .bucket(self.bucket)
            .key(key)
            .upload_id(upload)
            .send()
            .await
            .map_err(|error| failed("AbortMultipartUpload", error))?;
        Ok(())
    }
}
