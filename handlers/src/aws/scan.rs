//! The scan engine: one page read from the data object with GetObject by byte ranges,
//! filtered chunk by chunk as it arrives ([`PageScan`]), so memory stays at one chunk
//! plus the page whatever the object's size.
//!
//! - A page reads ranges from where it starts, the first 256 KiB, each next one twice
//!   as long up to 8 MiB, and stops reading once the page is decided: its cost grows
//!   with the page, never with the records before it.
//! - Every range of a walk names the object version its first page read, so a walk
//!   sees one version whatever writers add meanwhile (an unversioned object is read as
//!   it is: writers only ever append, so records never move).
//! - The next page's cursor is that version and the page's [`Anchor`]: the record it
//!   starts at, which the next read must find again, or the cursor is refused.

use aws_sdk_s3::{
    Client, error::SdkError, operation::get_object::GetObjectError, primitives::ByteStreamError,
};
use dragons_contract::{DataFormat, DragonQuery};

use super::{location::DataLocation, paged::Paged, sdk_error};
use crate::domain::{
    page_scan::{self, Anchor, PageScan, ScanError as PageScanError},
    records::Flow,
};

/// The first range a page reads.
const FIRST_RANGE: u64 = 256 * 1024;
/// The longest range a page reads at once.
const MAX_RANGE: u64 = 8 * 1024 * 1024;

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
    Malformed(#[source] crate::domain::filter::FilterError),
    /// The cursor does not fit the object: made up, or its version is gone.
    #[error("the cursor does not fit the data object: {0}")]
    Cursor(&'static str),
}

impl ScanError {
    /// Whether S3 was unreachable or throttling, or the body broke off.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Request(error) => sdk_error::is_transient(error),
            Self::Body(_) => true,
            Self::Malformed(_) | Self::Cursor(_) => false,
        }
    }
}

impl From<PageScanError> for ScanError {
    fn from(error: PageScanError) -> Self {
        match error {
            PageScanError::Malformed(error) => Self::Malformed(error),
            PageScanError::AnchorMismatch => {
                Self::Cursor("no record starts where the page token says")
            }
        }
    }
}

/// A scan cursor: the object version the walk reads (`None`: unversioned), and the
/// next page's anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanCursor {
    /// The version every page of the walk reads.
    pub version: Option<String>,
    /// Where the next page starts.
    pub anchor: Anchor,
}

impl ScanCursor {
    /// The cursor's bytes: the version's length and bytes, then the anchor.
    pub fn encode(&self) -> Vec<u8> {
        let version = self.version.as_deref().unwrap_or_default().as_bytes();
        let mut bytes = Vec::with_capacity(1 + version.len() + 21);
        bytes.push(u8::try_from(version.len()).unwrap_or(0));
        bytes.extend_from_slice(version);
        bytes.extend_from_slice(&page_scan::encode(self.anchor));
        bytes
    }

    /// The cursor in `bytes`, if they hold one.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (&length, rest) = bytes.split_first()?;
        let (version, anchor) = rest.split_at_checked(usize::from(length))?;
        let version = std::str::from_utf8(version).ok()?;
        Some(Self {
            version: (!version.is_empty()).then(|| version.to_owned()),
            anchor: page_scan::decode(anchor)?,
        })
    }
}

/// The total size in a `Content-Range` answer (`bytes 0-99/1234`).
fn total_size(content_range: Option<&str>) -> Option<u64> {
    content_range?.rsplit_once('/')?.1.parse().ok()
}

/// One page of the records matching `query` in the data object, at most `limit`,
/// after `after`.
pub async fn page(
    s3: &Client,
    location: &DataLocation,
    query: &DragonQuery,
    limit: usize,
    after: Option<&ScanCursor>,
) -> Result<Paged<ScanCursor>, ScanError> {
    let format = DataFormat::for_key(&location.key);
    let (mut version, mut scan) = match after {
        None => (None, PageScan::first(query.clone(), format, limit)),
        Some(cursor) => (
            cursor.version.clone(),
            PageScan::resume(query.clone(), format, limit, cursor.anchor),
        ),
    };
    let mut offset = scan.start();
    let mut size = None;
    let mut length = FIRST_RANGE;
    'ranges: while size.is_none_or(|size| offset < size) {
        let last = offset + length - 1;
        let object = s3
            .get_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .range(format!("bytes={offset}-{last}"))
            .set_version_id(version.clone())
            .send()
            .await;
        let object = match object {
            Ok(object) => object,
            Err(error) => match error.raw_response().map(|raw| raw.status().as_u16()) {
                // Nothing at this offset: an empty object, or a cursor past the end.
                Some(416) if offset == 0 => break 'ranges,
                Some(416) => return Err(ScanError::Cursor("it points past the end of the data")),
                Some(404) if version.is_some() && after.is_some() => {
                    return Err(ScanError::Cursor("the data it was made for is gone"));
                }
                _ => return Err(ScanError::Request(Box::new(error))),
            },
        };
        if version.is_none() {
            version = object
                .version_id()
                .filter(|id| *id != "null")
                .map(str::to_owned);
        }
        size = total_size(object.content_range()).or(size);
        let mut body = object.body;
        while let Some(chunk) = body.try_next().await.map_err(ScanError::Body)? {
            if scan.push(&chunk)? == Flow::Stop {
                break 'ranges;
            }
        }
        offset = last + 1;
        length = (length * 2).min(MAX_RANGE);
    }
    let page = scan.finish()?;
    Ok(Paged {
        body: page.body,
        count: page.count,
        next: page.next.map(|anchor| ScanCursor { version, anchor }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_no_cursor() {
        let anchor = Anchor {
            start: 12_345,
            len: 321,
            hash: 0xdead_beef,
            consumed: true,
        };
        for version in [None, Some("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY".to_owned())] {
            let cursor = ScanCursor { version, anchor };
            assert_eq!(ScanCursor::decode(&cursor.encode()), Some(cursor));
        }
        assert_eq!(ScanCursor::decode(&[]), None);
        assert_eq!(ScanCursor::decode(&[40, 1, 2]), None);
        assert_eq!(ScanCursor::decode(&[0; 10]), None);
    }

    #[test]
    fn the_total_size_is_read_from_content_range() {
        assert_eq!(total_size(Some("bytes 0-99/1234")), Some(1234));
        assert_eq!(total_size(Some("bytes */1234")), Some(1234));
        assert_eq!(total_size(Some("bytes 0-99/*")), None);
        assert_eq!(total_size(None), None);
    }
}
