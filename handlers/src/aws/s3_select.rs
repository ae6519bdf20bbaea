//! The S3 Select engine: S3 runs the query over a window of the object at a time
//! and streams back the records its statement admits; each is checked exactly here
//! (a name's key is more than SQL can compute: [`select_sql`]), so only matches are
//! served. JSON Lines only: S3 Select cannot scan a range of a JSON document, so
//! array documents are always scanned.

use aws_sdk_s3::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    operation::{head_object::HeadObjectError, select_object_content::SelectObjectContentError},
    types::{
        ExpressionType, InputSerialization, JsonInput, JsonOutput, JsonType, OutputSerialization,
        ScanRange, SelectObjectContentEventStream, error::SelectObjectContentEventStreamError,
    },
};

use aws_smithy_types::event_stream::RawMessage;

use dragons_contract::{DataFormat, DragonQuery, page::PageBuilder};

use super::{location::DataLocation, paged::Paged, sdk_error};
use crate::domain::{
    filter::QueryFilter,
    page_scan::SCAN_BUDGET_BYTES,
    records::{Flow, MalformedDocument, Record, RecordSplitter},
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
    #[error("S3 Select returned a malformed record: {0}")]
    Malformed(String),
    /// HeadObject (the object's size) failed.
    #[error("S3 HeadObject failed")]
    Head(#[source] Box<SdkError<HeadObjectError>>),
    /// The cursor does not fit the object.
    #[error("the cursor does not fit the data object")]
    Cursor,
}

impl From<MalformedDocument> for SelectError {
    fn from(error: MalformedDocument) -> Self {
        Self::Malformed(error.to_string())
    }
}

impl SelectError {
    /// Whether S3 Select is closed to this account (so `auto` should scan instead).
    pub fn is_closed_to_account(&self) -> bool {
        let code = match self {
            Self::Request(error) => error.code(),
            Self::Stream(error) => error.code(),
            Self::Head(_) | Self::Malformed(_) | Self::Cursor => None,
        };
        code.is_some_and(|code| UNAVAILABLE_CODES.contains(&code))
    }

    /// Whether S3 was unreachable or throttling.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Request(error) => sdk_error::is_transient(error),
            Self::Stream(error) => sdk_error::is_transient(error),
            Self::Head(error) => sdk_error::is_transient(error),
            Self::Malformed(_) | Self::Cursor => false,
        }
    }
}

/// The longest stretch of the object one SelectObjectContent scans (its ScanRange).
pub const WINDOW_BYTES: u64 = 8 * 1024 * 1024;
/// How many windows one page scans at most before it ends unfilled (as much as the
/// scan engine reads).
const WINDOWS_PER_PAGE: u64 = SCAN_BUDGET_BYTES / WINDOW_BYTES;

/// Where an S3 Select walk resumes: the window (its start offset) and how many of its
/// matches the walk has had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectCursor {
    /// The offset the window starts at: a multiple of [`WINDOW_BYTES`].
    pub window: u64,
    /// Matches of the window already served.
    pub skip: u32,
}

impl SelectCursor {
    /// The cursor's bytes.
    pub fn encode(self) -> Vec<u8> {
        [&self.window.to_be_bytes()[..], &self.skip.to_be_bytes()].concat()
    }

    /// The cursor in `bytes`, if they hold one.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; 12] = bytes.try_into().ok()?;
        let (window, skip) = bytes.split_at(8);
        Some(Self {
            window: u64::from_be_bytes(window.try_into().ok()?),
            skip: u32::from_be_bytes(skip.try_into().ok()?),
        })
    }
}

/// One page of the records matching `query` in a JSON Lines data object, queried
/// with S3 Select window by window (`ScanRange`): at most `limit` records, after
/// `after`. SelectObjectContent reads the current version only (it takes no version
/// id); writers only ever append, so a record keeps its window for a whole walk.
pub async fn page(
    s3: &Client,
    location: &DataLocation,
    query: &DragonQuery,
    limit: usize,
    after: Option<SelectCursor>,
) -> Result<Paged<SelectCursor>, SelectError> {
    let size = s3
        .head_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .send()
        .await
        .map_err(|error| SelectError::Head(Box::new(error)))?
        .content_length()
        .map_or(0, |length| u64::try_from(length).unwrap_or(0));
    let start = after.unwrap_or(SelectCursor { window: 0, skip: 0 });
    if !start.window.is_multiple_of(WINDOW_BYTES) || (after.is_some() && start.window >= size) {
        return Err(SelectError::Cursor);
    }
    let mut page = PageBuilder::new(limit);
    let mut skip = start.skip;
    let mut window = start.window;
    for _ in 0..WINDOWS_PER_PAGE {
        if window >= size {
            return Ok(paged(page, None));
        }
        let last = (window + WINDOW_BYTES).min(size) - 1;
        let mut ended = None;
        let mut served = 0_u32;
        select_window(s3, location, query, window, last, |record| {
            if served < skip {
                served += 1;
                return Flow::Continue;
            }
            if !page.push(record) {
                ended = Some(Some(SelectCursor {
                    window,
                    skip: served,
                }));
                return Flow::Stop;
            }
            served += 1;
            if query.name.is_some() {
                ended = Some(None);
                return Flow::Stop;
            }
            Flow::Continue
        })
        .await?;
        if let Some(next) = ended {
            return Ok(paged(page, next));
        }
        skip = 0;
        window += WINDOW_BYTES;
    }
    let next = (window < size).then_some(SelectCursor { window, skip: 0 });
    Ok(paged(page, next))
}

fn paged(page: PageBuilder, next: Option<SelectCursor>) -> Paged<SelectCursor> {
    let page = page.finish(None);
    Paged {
        body: page.body,
        count: page.count,
        next,
    }
}

/// Runs `query` with S3 Select over the bytes `first..=last` of the object, handing
/// each record of S3's answer (one line) that matches the query exactly to
/// `on_record` until it says stop.
async fn select_window(
    s3: &Client,
    location: &DataLocation,
    query: &DragonQuery,
    first: u64,
    last: u64,
    mut on_record: impl FnMut(&[u8]) -> Flow,
) -> Result<(), SelectError> {
    let range = |offset: u64| i64::try_from(offset).unwrap_or(i64::MAX);
    let mut output = s3
        .select_object_content()
        .bucket(&location.bucket)
        .key(&location.key)
        .expression_type(ExpressionType::Sql)
        .expression(select_sql(query))
        .input_serialization(
            InputSerialization::builder()
                .json(JsonInput::builder().r#type(JsonType::Lines).build())
                .build(),
        )
        .output_serialization(
            OutputSerialization::builder()
                .json(JsonOutput::builder().record_delimiter("\n").build())
                .build(),
        )
        .scan_range(
            ScanRange::builder()
                .start(range(first))
                .end(range(last))
                .build(),
        )
        .send()
        .await
        .map_err(|error| SelectError::Request(Box::new(error)))?;
    // S3 Select answers one record per line, whatever the event boundaries.
    let mut lines = RecordSplitter::new(DataFormat::JsonLines);
    let filter = QueryFilter::new(query.clone());
    let mut index = 0;
    let mut check = |record: Record<'_>| {
        let matches = filter
            .matches(record.bytes, index)
            .map_err(|error| SelectError::Malformed(error.to_string()))?;
        index += 1;
        Ok::<_, SelectError>(if matches {
            on_record(record.bytes)
        } else {
            Flow::Continue
        })
    };
    while let Some(event) = output
        .payload
        .recv()
        .await
        .map_err(|error| SelectError::Stream(Box::new(error)))?
    {
        if let SelectObjectContentEventStream::Records(event) = event
            && let Some(payload) = event.payload()
            && lines.push(payload.as_ref(), &mut check)? == Flow::Stop
        {
            return Ok(());
        }
    }
    lines.finish(&mut check)?;
    Ok(())
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
    fn cursors_round_trip() {
        let cursor = SelectCursor {
            window: 3 * WINDOW_BYTES,
            skip: 17,
        };
        assert_eq!(SelectCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(SelectCursor::decode(&[1; 11]), None);
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
