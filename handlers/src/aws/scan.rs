//! The scan engine: GetObject, filtering the body chunk by chunk as it arrives, so
//! memory stays at one chunk plus the answer whatever the object's size.

use aws_sdk_s3::{
    Client, error::SdkError, operation::get_object::GetObjectError, primitives::ByteStreamError,
};

use dragons_contract::{DataFormat, DragonQuery};

use super::{location::DataLocation, sdk_error};
use crate::domain::filter::{DragonFilter, FilterError};

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// S3 refused or failed the GetObject request.
    #[error("S3 GetObject failed")]
    Request(#[source] Box<SdkError<GetObjectError>>),
    /// The body broke off while streaming.
    #[error("reading the S3 object body failed")]
    Body(#[source] ByteStreamError),
    /// The object is not valid dragon data.
    #[error("the data object is malformed")]
    Malformed(#[source] FilterError),
}

impl ScanError {
    /// Whether S3 was unreachable or throttling, or the body broke off.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Request(error) => sdk_error::is_transient(error),
            Self::Body(_) => true,
            Self::Malformed(_) => false,
        }
    }
}

/// Streams the data object through a [`DragonFilter`]; returns the matches as a JSON array.
pub async fn scan(
    s3: &Client,
    location: &DataLocation,
    query: &DragonQuery,
) -> Result<Vec<u8>, ScanError> {
    let object = s3
        .get_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .send()
        .await
        .map_err(|error| ScanError::Request(Box::new(error)))?;
    let mut filter = DragonFilter::new(query.clone(), DataFormat::for_key(&location.key));
    let mut body = object.body;
    while let Some(chunk) = body.try_next().await.map_err(ScanError::Body)? {
        filter.push(&chunk).map_err(ScanError::Malformed)?;
    }
    filter.finish().map_err(ScanError::Malformed)
}
