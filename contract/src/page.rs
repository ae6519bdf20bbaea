//! A page of `GET /dragons`: records gathered into one JSON array, up to the
//! request's limit and always under Lambda's synchronous response limit, and the
//! cursor where the walk resumes.

/// The most records a page may hold.
pub const MAX_PAGE_LIMIT: usize = 1000;
/// How many records a page holds unless the request says otherwise.
pub const DEFAULT_PAGE_LIMIT: usize = 100;
/// Lambda's limit on a synchronous response (API Gateway answers 502 above it): 6 MB
/// as AWS documents it, in decimal bytes, a little under the 6,291,556 bytes Lambda
/// enforces, so a check against it errs on the safe side.
pub const LAMBDA_RESPONSE_LIMIT_BYTES: usize = 6_000_000;
/// A page's body ends before it takes this many bytes in the Lambda's response,
/// where it is a JSON string (each `"`, `\` and line break then takes one byte more):
/// well under [`LAMBDA_RESPONSE_LIMIT_BYTES`], headers included.
pub const MAX_PAGE_BODY_BYTES: usize = 5 * 1024 * 1024;
const _: () = assert!(MAX_PAGE_BODY_BYTES + 64 * 1024 < LAMBDA_RESPONSE_LIMIT_BYTES);

/// How long a page token stays valid.
pub const TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60 * 60);
/// How many days the data bucket keeps a version of the object after another
/// replaced it (its lifecycle rule): a walk's pages all read the version its first
/// page read, which must outlive every token that names it.
pub const REPLACED_VERSION_DAYS: i32 = 1;
const _: () = assert!(TOKEN_LIFETIME.as_secs() < REPLACED_VERSION_DAYS as u64 * 24 * 60 * 60);

/// Where a walk resumes: bytes of the store's own, opaque to everyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub Vec<u8>);

/// One page of a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The records, one JSON array, each record's bytes as the store holds them.
    pub body: Vec<u8>,
    /// How many records the body holds.
    pub count: usize,
    /// Where the next page starts, when more records may remain.
    pub next: Option<Cursor>,
}

/// How many bytes `record` takes once written inside a JSON string.
pub fn escaped_len(record: &[u8]) -> usize {
    record.len()
        + record
            .iter()
            .filter(|byte| matches!(byte, b'"' | b'\\' | b'\n' | b'\r' | b'\t'))
            .count()
}

/// Gathers a page's records: at most `limit`, and never past
/// [`MAX_PAGE_BODY_BYTES`] once escaped (except a first record larger than that on
/// its own, which would otherwise never be served).
#[derive(Debug)]
pub struct PageBuilder {
    limit: usize,
    budget: usize,
    body: Vec<u8>,
    count: usize,
    escaped: usize,
}

impl PageBuilder {
    /// An empty page of at most `limit` records.
    pub fn new(limit: usize) -> Self {
        Self::with_budget(limit, MAX_PAGE_BODY_BYTES)
    }

    /// An empty page of at most `limit` records and `budget` escaped bytes.
    pub fn with_budget(limit: usize, budget: usize) -> Self {
        Self {
            limit,
            budget,
            body: b"[".to_vec(),
            count: 0,
            escaped: 2,
        }
    }

    /// Whether the page holds its limit.
    pub fn is_full(&self) -> bool {
        self.count >= self.limit
    }

    /// How many records the page holds.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Adds `record` (JSON) unless the page is full or it would take the page past
    /// its budget; `false` means the page ends before it.
    pub fn push(&mut self, record: &[u8]) -> bool {
        let grown = self.escaped + escaped_len(record) + usize::from(self.count > 0);
        if self.is_full() || (self.count > 0 && grown > self.budget) {
            return false;
        }
        if self.count > 0 {
            self.body.push(b',');
        }
        self.body.extend_from_slice(record);
        self.count += 1;
        self.escaped = grown;
        true
    }

    /// The page, resuming at `next`.
    pub fn finish(mut self, next: Option<Cursor>) -> Page {
        self.body.push(b']');
        Page {
            body: self.body,
            count: self.count,
            next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_length_counts_what_a_json_string_escapes() {
        assert_eq!(escaped_len(br#"{"a":"b"}"#), 9 + 4);
        assert_eq!(escaped_len(b"{\n \"a\\\"\" }"), 10 + 5);
        assert_eq!(escaped_len("é".as_bytes()), 2);
    }

    #[test]
    fn a_page_ends_at_its_limit_or_its_budget() {
        let mut page = PageBuilder::new(2);
        assert!(page.push(b"{}"));
        assert!(page.push(br#"{"a":1}"#));
        assert!(page.is_full());
        assert!(!page.push(b"{}"));
        let page = page.finish(Some(Cursor(vec![1])));
        assert_eq!(page.body, br#"[{},{"a":1}]"#);
        assert_eq!(page.count, 2);

        let record = br#"{"d":"xxxxxxxxxx"}"#;
        let mut page = PageBuilder::with_budget(100, 2 * escaped_len(record) + 3);
        assert!(page.push(record));
        assert!(page.push(record));
        assert!(!page.push(record));
        let body = page.finish(None).body;
        assert!(escaped_len(&body) <= 2 * escaped_len(record) + 3);
        assert_eq!(
            serde_json::from_slice::<Vec<serde_json::Value>>(&body)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn an_oversized_first_record_is_still_served() {
        let mut page = PageBuilder::with_budget(10, 4);
        assert!(page.push(br#"{"big":"record"}"#));
        assert!(!page.push(b"{}"));
        assert_eq!(page.finish(None).count, 1);
    }
}
