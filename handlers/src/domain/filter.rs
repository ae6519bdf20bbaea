//! The scan engine's core: split a data object, fed in chunks as it arrives, into
//! records, and keep those a [`DragonQuery`] matches as one JSON array, copying
//! each record's bytes unchanged. Works for JSON Lines and for one array document;
//! holds at most one partial record besides the answer.

use std::borrow::Cow;

use serde::Deserialize;

use super::query::DragonQuery;
use super::select_sql::DataFormat;

/// Why the data could not be filtered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// A record is not a JSON object with string `dragon_name_str` and `family_str`.
    #[error("record {index} is malformed: {reason}")]
    MalformedRecord {
        /// Position of the record (0-based).
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The document is not a top-level JSON array of objects.
    #[error("the data is not a JSON array of records: {0}")]
    MalformedDocument(&'static str),
}

/// The two fields a query looks at; escapes are decoded, so `"r\u0065d"` is `red`.
#[derive(Deserialize)]
struct Keys<'a> {
    #[serde(borrow)]
    dragon_name_str: Cow<'a, str>,
    #[serde(borrow)]
    family_str: Cow<'a, str>,
}

/// Where the array splitter is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// Before the opening `[`.
    Start,
    /// Between records: expecting a record, `,` or `]`.
    Between,
    /// Inside a record, `depth` braces/brackets deep, maybe inside a string.
    Record {
        depth: usize,
        in_string: bool,
        escaped: bool,
    },
    /// After the closing `]`.
    Done,
}

/// A streaming filter: feed it chunks, then take the answer with [`finish`](Self::finish).
#[derive(Debug)]
pub struct DragonFilter {
    query: DragonQuery,
    format: DataFormat,
    pending: Vec<u8>,
    scanned: usize,
    array: ArrayState,
    records: usize,
    matched: usize,
    answer: Vec<u8>,
}

impl DragonFilter {
    /// A filter for `query` over data laid out as `format`.
    pub fn new(query: DragonQuery, format: DataFormat) -> Self {
        Self {
            query,
            format,
            pending: Vec::new(),
            scanned: 0,
            array: ArrayState::Start,
            records: 0,
            matched: 0,
            answer: b"[".to_vec(),
        }
    }

    /// Feeds the next chunk of the data object.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FilterError> {
        self.pending.extend_from_slice(chunk);
        let consumed = match self.format {
            DataFormat::JsonLines => self.split_lines(false)?,
            DataFormat::JsonArray => self.split_array()?,
        };
        self.pending.drain(..consumed);
        self.scanned -= consumed;
        Ok(())
    }

    /// Ends the data: returns the matching records as a JSON array.
    pub fn finish(mut self) -> Result<Vec<u8>, FilterError> {
        match self.format {
            DataFormat::JsonLines => {
                self.split_lines(true)?;
            }
            DataFormat::JsonArray => {
                if self.array != ArrayState::Done {
                    return Err(FilterError::MalformedDocument(
                        "it ends before its closing `]`",
                    ));
                }
                if self.pending.iter().any(|b| !b.is_ascii_whitespace()) {
                    return Err(FilterError::MalformedDocument(
                        "text follows the closing `]`",
                    ));
                }
            }
        }
        self.answer.push(b']');
        Ok(self.answer)
    }

    /// How many records were read and how many matched, so far.
    pub fn counts(&self) -> (usize, usize) {
        (self.records, self.matched)
    }

    /// Handles every complete line in `pending` (and, at the end, the last one).
    fn split_lines(&mut self, at_end: bool) -> Result<usize, FilterError> {
        let mut start = 0;
        while let Some(offset) = memchr(b'\n', &self.pending[self.scanned..]) {
            let end = self.scanned + offset;
            self.record_at(start, end)?;
            start = end + 1;
            self.scanned = start;
        }
        self.scanned = self.pending.len();
        if at_end {
            self.record_at(start, self.pending.len())?;
            return Ok(self.pending.len());
        }
        Ok(start)
    }

    /// Handles every complete record of the array document in `pending`.
    fn split_array(&mut self) -> Result<usize, FilterError> {
        let mut consumed = 0;
        let mut record_start = 0;
        let mut index = self.scanned;
        while index < self.pending.len() {
            let byte = self.pending[index];
            self.array = match self.array {
                ArrayState::Start if byte.is_ascii_whitespace() => ArrayState::Start,
                ArrayState::Start if byte == b'[' => ArrayState::Between,
                ArrayState::Start => {
                    return Err(FilterError::MalformedDocument("it does not start with `[`"));
                }
                ArrayState::Between if byte.is_ascii_whitespace() || byte == b',' => {
                    ArrayState::Between
                }
                ArrayState::Between if byte == b']' => ArrayState::Done,
                ArrayState::Between if byte == b'{' => {
                    record_start = index;
                    ArrayState::Record {
                        depth: 1,
                        in_string: false,
                        escaped: false,
                    }
                }
                ArrayState::Between => {
                    return Err(FilterError::MalformedDocument(
                        "an element is not an object",
                    ));
                }
                ArrayState::Record {
                    depth,
                    in_string: true,
                    escaped,
                } => ArrayState::Record {
                    depth,
                    in_string: escaped || byte != b'"',
                    escaped: !escaped && byte == b'\\',
                },
                ArrayState::Record { depth, .. } => match byte {
                    b'"' => ArrayState::Record {
                        depth,
                        in_string: true,
                        escaped: false,
                    },
                    b'{' | b'[' => ArrayState::Record {
                        depth: depth + 1,
                        in_string: false,
                        escaped: false,
                    },
                    b'}' | b']' if depth == 1 => {
                        self.record_at(record_start, index + 1)?;
                        ArrayState::Between
                    }
                    b'}' | b']' => ArrayState::Record {
                        depth: depth - 1,
                        in_string: false,
                        escaped: false,
                    },
                    _ => ArrayState::Record {
                        depth,
                        in_string: false,
                        escaped: false,
                    },
                },
                ArrayState::Done if byte.is_ascii_whitespace() => ArrayState::Done,
                ArrayState::Done => {
                    return Err(FilterError::MalformedDocument(
                        "text follows the closing `]`",
                    ));
                }
            };
            index += 1;
            if !matches!(self.array, ArrayState::Record { .. }) {
                // Between records nothing needs keeping: a partial record then
                // always starts at the front of `pending`.
                consumed = index;
            }
        }
        self.scanned = index;
        Ok(consumed)
    }

    /// Handles `pending[start..end]` (surrounding whitespace ignored) as one record,
    /// without copying it out of the buffer.
    fn record_at(&mut self, start: usize, end: usize) -> Result<(), FilterError> {
        let pending = std::mem::take(&mut self.pending);
        let record = pending[start..end].trim_ascii();
        let result = if record.is_empty() {
            Ok(())
        } else {
            self.record(record)
        };
        self.pending = pending;
        result
    }

    fn record(&mut self, record: &[u8]) -> Result<(), FilterError> {
        let index = self.records;
        self.records += 1;
        let keys: Keys =
            serde_json::from_slice(record).map_err(|error| FilterError::MalformedRecord {
                index,
                reason: error.to_string(),
            })?;
        if self.query.matches(&keys.dragon_name_str, &keys.family_str) {
            if self.matched > 0 {
                self.answer.push(b',');
            }
            self.answer.extend_from_slice(record);
            self.matched += 1;
        }
        Ok(())
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn records() -> Vec<Value> {
        vec![
            json!({"dragon_name_str": "Atlas", "family_str": "red", "description_str": "line one\nline \"two\" {not a brace}"}),
            json!({"dragon_name_str": "O'Brien", "family_str": "green", "description_str": "back\\slash ] [ one \" quote } and a trailing backslash \\"}),
            json!({"dragon_name_str": "Ærø", "family_str": "red", "description_str": "ünïcödé"}),
        ]
    }

    fn run(
        data: &[u8],
        format: DataFormat,
        query: DragonQuery,
        chunk: usize,
    ) -> Result<Value, FilterError> {
        let mut filter = DragonFilter::new(query, format);
        for piece in data.chunks(chunk) {
            filter.push(piece)?;
        }
        Ok(serde_json::from_slice(&filter.finish()?).unwrap())
    }

    fn family(value: &str) -> DragonQuery {
        DragonQuery {
            name: None,
            family: Some(value.into()),
        }
    }

    fn lines() -> Vec<u8> {
        records()
            .iter()
            .map(|r| format!("{r}\n"))
            .collect::<String>()
            .into_bytes()
    }

    fn array() -> Vec<u8> {
        serde_json::to_vec_pretty(&records()).unwrap()
    }

    #[test]
    fn both_formats_give_the_same_answer_for_any_chunking() {
        let all = records();
        for chunk in [1, 2, 7, 64, 1 << 20] {
            for (data, format) in [
                (lines(), DataFormat::JsonLines),
                (array(), DataFormat::JsonArray),
            ] {
                assert_eq!(
                    run(&data, format, DragonQuery::default(), chunk).unwrap(),
                    json!(all),
                    "{chunk}"
                );
                assert_eq!(
                    run(&data, format, family("red"), chunk).unwrap(),
                    json!([all[0], all[2]]),
                    "{format:?} {chunk}"
                );
                assert_eq!(
                    run(&data, format, family("blue"), chunk).unwrap(),
                    json!([])
                );
            }
        }
    }

    #[test]
    fn matches_values_written_with_escapes() {
        let data = br#"{"dragon_name_str":"X","family_str":"r\u0065d"}"#;
        assert_eq!(
            run(data, DataFormat::JsonLines, family("red"), 3)
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn last_line_without_newline_and_blank_lines_are_handled() {
        let data = b"\n{\"dragon_name_str\":\"A\",\"family_str\":\"red\"}\r\n\n{\"dragon_name_str\":\"B\",\"family_str\":\"red\"}";
        let answer = run(data, DataFormat::JsonLines, family("red"), 5).unwrap();
        assert_eq!(answer.as_array().unwrap().len(), 2);
    }

    #[test]
    fn malformed_data_is_an_error() {
        let bad_line = b"{\"dragon_name_str\":\"A\",\"family_str\":\"red\"}\n{not json}\n";
        assert!(matches!(
            run(bad_line, DataFormat::JsonLines, family("red"), 4),
            Err(FilterError::MalformedRecord { index: 1, .. })
        ));
        let not_string = b"{\"dragon_name_str\":1,\"family_str\":\"red\"}";
        assert!(run(not_string, DataFormat::JsonLines, family("red"), 4).is_err());
        for document in [&b"{}"[..], b"[1]", b"[{\"a\":1}", b"[] x"] {
            assert!(
                run(document, DataFormat::JsonArray, DragonQuery::default(), 2).is_err(),
                "{document:?}"
            );
        }
    }

    #[test]
    fn holds_no_more_than_a_partial_record() {
        let mut filter = DragonFilter::new(family("none"), DataFormat::JsonLines);
        let line = lines();
        for _ in 0..100 {
            filter.push(&line).unwrap();
            assert!(filter.pending.is_empty());
        }
        assert_eq!(filter.counts(), (300, 0));
    }
}
