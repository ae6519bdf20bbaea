//! One page of the scan engine: the data object, fed in chunks from where the page
//! starts, split into records and filtered, until the page is decided. Its cost does
//! not grow with the records before it: a page starts where the previous one ended,
//! at an [`Anchor`] the next read checks, so a walk resumes by byte range.
//!
//! A page ends:
//! - when it holds its limit and the next matching record is found (that record is
//!   where the next page starts, so a last page has no next one);
//! - before a record that would take its body past the response budget;
//! - after the first match of a name query (names are unique);
//! - after [`SCAN_BUDGET_BYTES`] of data without filling, so that no request's time
//!   grows with the object (the page may then hold few records, or none, and still
//!   have a next one);
//! - at the end of the data.

use dragons_contract::{DataFormat, DragonQuery, page::PageBuilder};
use sha2::{Digest, Sha256};

use super::{
    filter::{FilterError, QueryFilter},
    records::{Flow, MalformedDocument, Record, RecordSplitter},
};

/// How much of the object one page reads at most before it ends unfilled.
pub const SCAN_BUDGET_BYTES: u64 = 64 * 1024 * 1024;

/// Where a page starts: the record there, which the read must find again (so a token
/// cannot point into the middle of a record), and whether it was already read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    /// The record's offset in the object.
    pub start: u64,
    /// Its length in bytes.
    pub len: u32,
    /// The first 8 bytes of its SHA-256.
    pub hash: u64,
    /// It was read by the page before (the next page starts after it).
    pub consumed: bool,
}

impl Anchor {
    fn of(record: &Record<'_>, consumed: bool) -> Self {
        Self {
            start: record.start,
            len: u32::try_from(record.bytes.len()).unwrap_or(u32::MAX),
            hash: record_hash(record.bytes),
            consumed,
        }
    }

    fn is(&self, record: &Record<'_>) -> bool {
        record.start == self.start
            && record.bytes.len() == self.len as usize
            && record_hash(record.bytes) == self.hash
    }
}

fn record_hash(bytes: &[u8]) -> u64 {
    let digest = Sha256::digest(bytes);
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// Why a page could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// The data is not valid dragon data.
    #[error(transparent)]
    Malformed(#[from] FilterError),
    /// The page's first record is not the one its anchor names.
    #[error("the data at the page's start is not the record the page token names")]
    AnchorMismatch,
}

impl From<MalformedDocument> for ScanError {
    fn from(error: MalformedDocument) -> Self {
        Self::Malformed(error.into())
    }
}

/// A page read: its records as one JSON array, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedPage {
    /// The records.
    pub body: Vec<u8>,
    /// How many.
    pub count: usize,
    /// Where the next page starts, when more records may remain.
    pub next: Option<Anchor>,
}

/// A page being read: feed it chunks from [`start`](Self::start) on until
/// [`push`](Self::push) says stop or the data ends, then [`finish`](Self::finish).
#[derive(Debug)]
pub struct PageScan {
    splitter: RecordSplitter,
    state: PageState,
}

/// What a page knows besides the splitter: what it wants, what it holds, and how it
/// ended.
#[derive(Debug)]
struct PageState {
    filter: QueryFilter,
    page: PageBuilder,
    start: u64,
    anchor: Option<Anchor>,
    records: usize,
    scan_budget: u64,
    /// `Some(next)` once the page is decided.
    ended: Option<Option<Anchor>>,
}

impl PageScan {
    /// The first page of a walk over data laid out as `format`.
    pub fn first(query: DragonQuery, format: DataFormat, limit: usize) -> Self {
        Self::new(query, RecordSplitter::new(format), 0, None, limit)
    }

    /// The page that starts at `anchor`.
    pub fn resume(query: DragonQuery, format: DataFormat, limit: usize, anchor: Anchor) -> Self {
        let splitter = RecordSplitter::resuming_at(format, anchor.start);
        Self::new(query, splitter, anchor.start, Some(anchor), limit)
    }

    fn new(
        query: DragonQuery,
        splitter: RecordSplitter,
        start: u64,
        anchor: Option<Anchor>,
        limit: usize,
    ) -> Self {
        Self {
            splitter,
            state: PageState {
                filter: QueryFilter::new(query),
                page: PageBuilder::new(limit),
                start,
                anchor,
                records: 0,
                scan_budget: SCAN_BUDGET_BYTES,
                ended: None,
            },
        }
    }

    /// Changes how much data a page reads at most before it ends unfilled.
    #[must_use]
    pub fn with_scan_budget(mut self, bytes: u64) -> Self {
        self.state.scan_budget = bytes;
        self
    }

    /// The offset of the object the page reads from.
    pub fn start(&self) -> u64 {
        self.state.start
    }

    /// Feeds the next chunk; [`Flow::Stop`] once the page is decided.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Flow, ScanError> {
        if self.state.ended.is_some() {
            return Ok(Flow::Stop);
        }
        let state = &mut self.state;
        self.splitter.push(chunk, |record| state.record(&record))
    }

    /// The page: at the end of the data, or once [`push`](Self::push) said stop.
    pub fn finish(self) -> Result<ScannedPage, ScanError> {
        let Self {
            splitter,
            mut state,
        } = self;
        let next = match state.ended.take() {
            Some(next) => next,
            None => {
                splitter.finish(|record| state.record(&record))?;
                if state.anchor.is_some() {
                    // The data ended before the page's first record.
                    return Err(ScanError::AnchorMismatch);
                }
                state.ended.take().flatten()
            }
        };
        let page = state.page.finish(None);
        Ok(ScannedPage {
            body: page.body,
            count: page.count,
            next,
        })
    }
}

impl PageState {
    /// Decides the page: `next` is where the next one starts.
    fn end(&mut self, next: Option<Anchor>) -> Flow {
        self.ended = Some(next);
        Flow::Stop
    }

    fn record(&mut self, record: &Record<'_>) -> Result<Flow, ScanError> {
        if let Some(anchor) = self.anchor.take() {
            if !anchor.is(record) {
                return Err(ScanError::AnchorMismatch);
            }
            if anchor.consumed {
                return Ok(Flow::Continue);
            }
        }
        let index = self.records;
        self.records += 1;
        if self.filter.matches(record.bytes, index)? {
            if self.page.is_full() || !self.page.push(record.bytes) {
                // The next page starts with this record.
                return Ok(self.end(Some(Anchor::of(record, false))));
            }
            if self.filter.query().name.is_some() {
                return Ok(self.end(None));
            }
        }
        if record.end() - self.start >= self.scan_budget {
            return Ok(self.end(Some(Anchor::of(record, true))));
        }
        Ok(Flow::Continue)
    }
}

/// An anchor as the bytes of a cursor: start, length, hash, consumed.
pub fn encode(anchor: Anchor) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(21);
    bytes.extend_from_slice(&anchor.start.to_be_bytes());
    bytes.extend_from_slice(&anchor.len.to_be_bytes());
    bytes.extend_from_slice(&anchor.hash.to_be_bytes());
    bytes.push(u8::from(anchor.consumed));
    bytes
}

/// The anchor in a cursor's bytes, if they hold one.
pub fn decode(bytes: &[u8]) -> Option<Anchor> {
    let bytes: &[u8; 21] = bytes.try_into().ok()?;
    let (start, rest) = bytes.split_at(8);
    let (len, rest) = rest.split_at(4);
    let (hash, consumed) = rest.split_at(8);
    Some(Anchor {
        start: u64::from_be_bytes(start.try_into().ok()?),
        len: u32::from_be_bytes(len.try_into().ok()?),
        hash: u64::from_be_bytes(hash.try_into().ok()?),
        consumed: match consumed {
            [0] => false,
            [1] => true,
            _ => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn record(n: usize, family: &str) -> Value {
        json!({"dragon_name_str": format!("D{n:03}"), "family_str": family, "description_str": "a \"quoted\"\nline"})
    }

    fn lines(count: usize) -> Vec<u8> {
        (0..count)
            .map(|n| format!("{}\n", record(n, if n % 3 == 0 { "red" } else { "blue" })))
            .collect::<String>()
            .into_bytes()
    }

    fn array(count: usize) -> Vec<u8> {
        serde_json::to_vec_pretty(
            &(0..count)
                .map(|n| record(n, if n % 3 == 0 { "red" } else { "blue" }))
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }

    /// Reads one page of `data`, fed `chunk` bytes at a time from its start.
    fn page(data: &[u8], scan: PageScan, chunk: usize) -> Result<ScannedPage, ScanError> {
        let mut scan = scan;
        for piece in data[scan.start() as usize..].chunks(chunk) {
            if scan.push(piece)? == Flow::Stop {
                break;
            }
        }
        scan.finish()
    }

    /// Every page of a walk, as the names each holds.
    fn walk(
        data: &[u8],
        format: DataFormat,
        query: &DragonQuery,
        limit: usize,
        budget: u64,
    ) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut next: Option<Anchor> = None;
        loop {
            let scan = match next {
                None => PageScan::first(query.clone(), format, limit),
                Some(anchor) => PageScan::resume(query.clone(), format, limit, anchor),
            }
            .with_scan_budget(budget);
            let found = page(data, scan, 1000).unwrap();
            let records: Vec<Value> = serde_json::from_slice(&found.body).unwrap();
            assert_eq!(records.len(), found.count);
            pages.push(
                records
                    .iter()
                    .map(|r| r["dragon_name_str"].as_str().unwrap().to_owned())
                    .collect(),
            );
            match found.next {
                Some(anchor) => {
                    assert_eq!(decode(&encode(anchor)), Some(anchor));
                    next = Some(anchor);
                }
                None => return pages,
            }
            assert!(pages.len() < 10_000, "the walk does not end");
        }
    }

    fn red() -> DragonQuery {
        DragonQuery {
            family: Some("red".into()),
            ..DragonQuery::default()
        }
    }

    #[test]
    fn a_walk_yields_every_match_once_in_order_in_both_formats() {
        for (data, format) in [
            (lines(250), DataFormat::JsonLines),
            (array(250), DataFormat::JsonArray),
        ] {
            for limit in [1, 7, 84, 100, 1000] {
                let pages = walk(&data, format, &red(), limit, SCAN_BUDGET_BYTES);
                let all: Vec<String> = pages.concat();
                let expected: Vec<String> = (0..250)
                    .filter(|n| n % 3 == 0)
                    .map(|n| format!("D{n:03}"))
                    .collect();
                assert_eq!(all, expected, "{format:?} {limit}");
                assert!(
                    pages
                        .iter()
                        .all(|p| p.len() == limit || p.len() == pages.last().unwrap().len())
                );
                // No empty last page: a page has a next one only when a match remains.
                assert!(!pages.last().unwrap().is_empty(), "{format:?} {limit}");
                assert_eq!(
                    pages.len(),
                    expected.len().div_ceil(limit),
                    "{format:?} {limit}"
                );
            }
        }
    }

    #[test]
    fn a_page_ends_after_its_scan_budget_and_the_walk_goes_on() {
        let data = lines(300);
        let pages = walk(&data, DataFormat::JsonLines, &red(), 1000, 2_000);
        assert!(pages.len() > 10);
        assert!(
            pages.iter().any(Vec::is_empty),
            "budget-bound pages may be empty"
        );
        assert_eq!(pages.concat().len(), 100);
    }

    #[test]
    fn a_name_query_ends_at_its_match() {
        let data = lines(300);
        let query = DragonQuery {
            name: Some("D150".into()),
            ..DragonQuery::default()
        };
        let found = page(
            &data,
            PageScan::first(query, DataFormat::JsonLines, 100),
            64,
        )
        .unwrap();
        assert_eq!(found.count, 1);
        assert_eq!(found.next, None);
    }

    #[test]
    fn an_anchor_that_names_no_record_there_is_refused() {
        let data = lines(30);
        let first = page(&data, PageScan::first(red(), DataFormat::JsonLines, 2), 7).unwrap();
        let anchor = first.next.unwrap();
        assert!(
            page(
                &data,
                PageScan::resume(red(), DataFormat::JsonLines, 2, anchor),
                7
            )
            .is_ok()
        );
        for forged in [
            Anchor {
                start: anchor.start + 1,
                ..anchor
            },
            Anchor {
                hash: anchor.hash ^ 1,
                ..anchor
            },
            Anchor {
                len: anchor.len + 1,
                ..anchor
            },
            Anchor {
                start: data.len() as u64,
                ..anchor
            },
        ] {
            assert_eq!(
                page(
                    &data,
                    PageScan::resume(red(), DataFormat::JsonLines, 2, forged),
                    7
                ),
                Err(ScanError::AnchorMismatch),
                "{forged:?}"
            );
        }
        assert_eq!(decode(&[0; 20]), None);
        assert_eq!(decode(&[2; 21]), None);
    }

    #[test]
    fn a_page_body_stays_under_the_response_budget() {
        let big = "x".repeat(100_000);
        let data: Vec<u8> = (0..200)
            .map(|n| format!("{}\n", json!({"dragon_name_str": format!("B{n}"), "family_str": "red", "description_str": big})))
            .collect::<String>()
            .into_bytes();
        let pages = walk(
            &data,
            DataFormat::JsonLines,
            &red(),
            1000,
            SCAN_BUDGET_BYTES,
        );
        assert!(pages.len() >= 4, "{}", pages.len());
        assert_eq!(pages.concat().len(), 200);
        let first = page(
            &data,
            PageScan::first(red(), DataFormat::JsonLines, 1000),
            4096,
        )
        .unwrap();
        assert!(
            dragons_contract::page::escaped_len(&first.body)
                <= dragons_contract::page::MAX_PAGE_BODY_BYTES
        );
    }
}
