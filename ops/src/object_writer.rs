//! `ObjectWriter`: writes one S3 object of a length not known up front in bounded
//! memory, through a multipart upload in parts of [`PART_BYTES`] (one PutObject when
//! it all fits in one part). Nothing is visible until [`ObjectWriter::finish`], and
//! then only if the object is still the one it replaces (`If-Match` its ETag, or
//! `If-None-Match: *` where there was none); a failed or dropped write changes nothing.

use aws_sdk_s3::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    primitives::ByteStream,
    types::{CompletedMultipartUpload, CompletedPart},
};

/// The size of every part but the last (S3's minimum is 5 MiB).
pub const PART_BYTES: usize = 8 << 20;

/// The object a write replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replaces {
    /// No object: the write creates it.
    Nothing,
    /// The object with this ETag.
    Etag(String),
}

/// Why the object could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Another writer changed the object after this write began.
    #[error("s3://{bucket}/{key} changed while it was being written; nothing was replaced")]
    Changed {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
    },
    /// An S3 call failed.
    #[error("writing s3://{bucket}/{key} failed: {operation}: {message}")]
    S3 {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The call.
        operation: &'static str,
        /// What S3 (or the connection) said.
        message: String,
    },
}

/// Whether S3 refused a conditional write because the object is no longer the one
/// named: 412 Precondition Failed, or 409 ConditionalRequestConflict.
fn lost_race<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    matches!(
        error.code(),
        Some("PreconditionFailed" | "ConditionalRequestConflict")
    )
}

/// An object being written; see the module docs.
#[derive(Debug)]
pub struct ObjectWriter {
    s3: Client,
    bucket: String,
    key: String,
    content_type: &'static str,
    replaces: Replaces,
    buffer: Vec<u8>,
    upload: Option<Upload>,
}

/// A multipart upload under way.
#[derive(Debug)]
struct Upload {
    id: String,
    parts: Vec<CompletedPart>,
}

impl ObjectWriter {
    /// A write of `bucket`/`key` (stored with `content_type`) that replaces `replaces`.
    pub fn new(
        s3: Client,
        bucket: impl Into<String>,
        key: impl Into<String>,
        content_type: &'static str,
        replaces: Replaces,
    ) -> Self {
        Self {
            s3,
            bucket: bucket.into(),
            key: key.into(),
            content_type,
            replaces,
            buffer: Vec::new(),
            upload: None,
        }
    }

    fn failed(&self, operation: &'static str, message: impl ToString) -> WriteError {
        WriteError::S3 {
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            operation,
            message: message.to_string(),
        }
    }

    fn changed(&self) -> WriteError {
        WriteError::Changed {
            bucket: self.bucket.clone(),
            key: self.key.clone(),
        }
    }

    /// Appends `bytes`, sending a part whenever a whole one is buffered.
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.buffer.extend_from_slice(bytes);
        while self.buffer.len() >= PART_BYTES {
            let rest = self.buffer.split_off(PART_BYTES);
            let part = std::mem::replace(&mut self.buffer, rest);
            if let Err(error) = self.send_part(part).await {
                self.abort().await;
                return Err(error);
            }
        }
        Ok(())
    }

    async fn send_part(&mut self, part: Vec<u8>) -> Result<(), WriteError> {
        if self.upload.is_none() {
            let created = self
                .s3
                .create_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .content_type(self.content_type)
                .send()
                .await
                .map_err(|error| self.failed("CreateMultipartUpload", error_text(&error)))?;
            let id = created
                .upload_id
                .ok_or_else(|| self.failed("CreateMultipartUpload", "no upload ID"))?;
            self.upload = Some(Upload {
                id,
                parts: Vec::new(),
            });
        }
        let Some(upload) = &self.upload else {
            return Err(self.failed("UploadPart", "no upload"));
        };
        let number = i32::try_from(upload.parts.len() + 1)
            .map_err(|_| self.failed("UploadPart", "too many parts"))?;
        let sent = self
            .s3
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&upload.id)
            .part_number(number)
            .body(ByteStream::from(part))
            .send()
            .await
            .map_err(|error| self.failed("UploadPart", error_text(&error)))?;
        let part = CompletedPart::builder()
            .part_number(number)
            .set_e_tag(sent.e_tag)
            .build();
        if let Some(upload) = &mut self.upload {
            upload.parts.push(part);
        }
        Ok(())
    }

    /// Makes the object visible if it is still the one it replaces; its version ID.
    pub async fn finish(mut self) -> Result<Option<String>, WriteError> {
        let (if_match, if_none_match) = match &self.replaces {
            Replaces::Nothing => (None, Some("*".to_owned())),
            Replaces::Etag(etag) => (Some(etag.clone()), None),
        };
        if self.upload.is_none() {
            let body = std::mem::take(&mut self.buffer);
            return match self
                .s3
                .put_object()
                .bucket(&self.bucket)
                .key(&self.key)
                .content_type(self.content_type)
                .set_if_match(if_match)
                .set_if_none_match(if_none_match)
                .body(ByteStream::from(body))
                .send()
                .await
            {
                Ok(put) => Ok(put.version_id),
                Err(error) if lost_race(&error) => Err(self.changed()),
                Err(error) => Err(self.failed("PutObject", error_text(&error))),
            };
        }
        if !self.buffer.is_empty() {
            let last = std::mem::take(&mut self.buffer);
            if let Err(error) = self.send_part(last).await {
                self.abort().await;
                return Err(error);
            }
        }
        let Some(upload) = self.upload.take() else {
            return Err(self.failed("CompleteMultipartUpload", "no upload"));
        };
        let completed = self
            .s3
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&upload.id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(upload.parts))
                    .build(),
            )
            .set_if_match(if_match)
            .set_if_none_match(if_none_match)
            .send()
            .await;
        match completed {
            Ok(completed) => Ok(completed.version_id),
            Err(error) => {
                let outcome = if lost_race(&error) {
                    self.changed()
                } else {
                    self.failed("CompleteMultipartUpload", error_text(&error))
                };
                self.upload = Some(Upload {
                    id: upload.id,
                    parts: Vec::new(),
                });
                self.abort().await;
                Err(outcome)
            }
        }
    }

    /// Gives the write up: the upload's parts are deleted (best effort: the bucket's
    /// lifecycle rule removes what an interrupted process leaves after a day).
    pub async fn abort(&mut self) {
        if let Some(upload) = self.upload.take() {
            let aborted = self
                .s3
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .upload_id(&upload.id)
                .send()
                .await;
            if let Err(error) = aborted {
                tracing::warn!(upload = %upload.id, error = %error_text(&error), "could not abort the upload");
            }
        }
        self.buffer.clear();
    }
}

/// An SDK error with its service code and message, for an operator to read.
fn error_text<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    error: &SdkError<E, R>,
) -> String {
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => aws_sdk_s3::error::DisplayErrorContext(error).to_string(),
    }
}
