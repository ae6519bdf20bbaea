//! The S3 Select engine: S3 runs the query and streams back the matching records.

use aws_sdk_s3::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    operation::select_object_content::SelectObjectContentError,
    types::{
        ExpressionType, InputSerialization, JsonInput, JsonOutput, JsonType, OutputSerialization,
        SelectObjectContentEventStream, error::SelectObjectContentEventStreamError,
    },
};

use aws_smithy_types::event_stream::RawMessage;

use dragons_contract::{DataFormat, DragonQuery};

use super::{location::DataLocation, sdk_error};
use crate::domain::{
    filter::{DragonFilter, FilterError},
    select_sql::select_sql,
};

/// Error codes S3 answers when the account may not use S3 Select (closed to new
/// customers since July 2024) or the endpoint does not implement it.
const UNAVAILABLE_CODES: [&str; 2] = ["MethodNotAllowed", "NotImplemented"];

/// Why an S3 Select query failed.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    /// S3 refused or failed the request.
    #[error("S3 SelectObjectContent failed")]
    Request(#[source] Box<SdkError<SelectObjectContentError>>),
    /// The event stream broke off.
    #[error("the S3 Select event stream failed")]
    Stream(#[source] Box<SdkError<SelectObjectContentEventStreamError, RawMessage>>),
    /// S3 Select returned something that is not a record.
    #[error("S3 Select returned a malformed record")]
    Malformed(#[source] FilterError),
}

impl SelectError {
    /// Whether S3 Select is closed to this account (so `auto` should scan instead).
    pub fn is_closed_to_account(&self) -> bool {
        let code = match self {
            Self::Request(error) => error.code(),
            Self::Stream(error) => error.code(),
            Self::Malformed(_) => None,
        };
        code.is_some_and(|code| UNAVAILABLE_CODES.contains(&code))
    }

    /// Whether S3 was unreachable or throttling.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Request(error) => sdk_error::is_transient(error),
            Self::Stream(error) => sdk_error::is_transient(error),
            Self::Malformed(_) => false,
        }
    }
}

/// Runs `query` over the data object with S3 Select; returns the matches as a JSON array.
pub async fn select(
    s3: &Client,
    location: &DataLocation,
    query: &DragonQuery,
) -> Result<Vec<u8>, SelectError> {
    let format = DataFormat::for_key(&location.key);
    let json_type = match format {
        DataFormat::JsonLines => JsonType::Lines,
        DataFormat::JsonArray => JsonType::Document,
    };
    let mut output = s3
        .select_object_content()
        .bucket(&location.bucket)
        .key(&location.key)
        .expression_type(ExpressionType::Sql)
        .expression(select_sql(query, format))
        .input_serialization(
            InputSerialization::builder()
                .json(JsonInput::builder().r#type(json_type).build())
                .build(),
        )
        .output_serialization(
            OutputSerialization::builder()
                .json(JsonOutput::builder().record_delimiter("\n").build())
                .build(),
        )
        .send()
        .await
        .map_err(|error| SelectError::Request(Box::new(error)))?;
    // S3 Select answers one record per line; the line splitter checks each record
    // and joins them into the array, whatever the event boundaries.
    let mut records = DragonFilter::new(DragonQuery::default(), DataFormat::JsonLines);
    while let Some(event) = output
        .payload
        .recv()
        .await
        .map_err(|error| SelectError::Stream(Box::new(error)))?
    {
        if let SelectObjectContentEventStream::Records(event) = event
            && let Some(payload) = event.payload()
        {
            records
                .push(payload.as_ref())
                .map_err(SelectError::Malformed)?;
        }
    }
    records.finish().map_err(SelectError::Malformed)
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::{
        config::http::HttpResponse,
        error::{ConnectorError, ErrorMetadata},
        primitives::SdkBody,
    };

    use super::*;

    fn refused(status: u16, code: &str) -> SelectError {
        let error = SelectObjectContentError::generic(ErrorMetadata::builder().code(code).build());
        let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        SelectError::Request(Box::new(SdkError::service_error(error, raw)))
    }

    #[test]
    fn method_not_allowed_and_not_implemented_mean_closed_to_the_account() {
        assert!(refused(405, "MethodNotAllowed").is_closed_to_account());
        assert!(refused(501, "NotImplemented").is_closed_to_account());
    }

    #[test]
    fn other_failures_do_not_switch_engines() {
        for (status, code) in [
            (403, "AccessDenied"),
            (404, "NoSuchKey"),
            (400, "InvalidQuery"),
            (500, "InternalError"),
        ] {
            assert!(!refused(status, code).is_closed_to_account(), "{code}");
        }
        let unreachable = SdkError::<SelectObjectContentError, HttpResponse>::dispatch_failure(
            ConnectorError::io("connection refused".into()),
        );
        assert!(!SelectError::Request(Box::new(unreachable)).is_closed_to_account());
    }
}
