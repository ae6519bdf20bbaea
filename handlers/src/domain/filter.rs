//! The scan engine's core: split a data object, fed in chunks as it arrives, into
//! records, and keep those a [`DragonQuery`] matches as one JSON array, copying
//! each record's bytes unchanged. Works for JSON Lines and for one array document;
//! holds at most one partial record besides the answer.
//!
//! A byte-level pre-filter spares most records the JSON parser: a record without
//! a backslash holds every string verbatim, so when it lacks the bytes of a wanted
//! value it cannot match, and it is skipped unparsed (see `PreFilter`). Records
//! with a backslash, and every record of an unfiltered query, are parsed, so the
//! answer is exactly the parser's.

use std::borrow::Cow;

use memchr::memmem::Finder;
use serde::Deserialize;

use dragons_contract::{DataFormat, DragonQuery};

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

/// Decides, from a record's bytes alone, that a query cannot match it.
///
/// Exact, never a guess: in JSON, a string holds its value's UTF-8 bytes verbatim
/// unless it uses an escape, and every escape starts with a backslash. So a record
/// with no backslash whose bytes lack a wanted value cannot have that value in any
/// field. A value that JSON must escape (`"`, `\`, control characters) cannot
/// appear in a record without a backslash at all. Anything else, including a
/// wanted value found in another field, goes to the parser, which decides.
///
/// Skipped records are checked only for their shape (an object naming both keys),
/// so a record with, say, a number for a name is reported only when it could match.
#[derive(Debug)]
struct PreFilter {
    /// The bytes each wanted value must show; empty when the query wants everything.
    needles: Vec<Finder<'static>>,
    /// A wanted value needs escaping, so only records with a backslash can match.
    needs_escape: bool,
    /// The two keys a record must name, quotes included.
    keys: [Finder<'static>; 2],
}

impl PreFilter {
    fn new(query: &DragonQuery) -> Self {
        let wanted: Vec<&str> = [query.name.as_deref(), query.family.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        Self {
            needles: wanted
                .iter()
                .map(|value| Finder::new(value.as_bytes()).into_owned())
                .collect(),
            needs_escape: wanted.iter().any(|value| {
                value
                    .chars()
                    .any(|c| matches!(c, '"' | '\\' | '\u{0}'..='\u{1F}'))
            }),
            keys: [
                Finder::new(b"\"dragon_name_str\"").into_owned(),
                Finder::new(b"\"family_str\"").into_owned(),
            ],
        }
    }

    /// Whether `record` (trimmed, non-empty) certainly does not match: then it
    /// need not be parsed.
    fn rules_out(&self, record: &[u8]) -> bool {
        if self.needles.is_empty() || memchr::memchr(b'\\', record).is_some() {
            return false;
        }
        let cannot_match = self.needs_escape
            || self
                .needles
                .iter()
                .any(|needle| needle.find(record).is_none());
        cannot_match && self.looks_like_a_record(record)
    }

    /// An object naming both keys. Whatever is not goes to the parser, which says
    /// what is wrong with it.
    fn looks_like_a_record(&self, record: &[u8]) -> bool {
        record.first() == Some(&b'{')
            && record.last() == Some(&b'}')
            && self.keys.iter().all(|key| key.find(record).is_some())
    }
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
    prefilter: PreFilter,
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
            prefilter: PreFilter::new(&query),
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
        while let Some(offset) = memchr::memchr(b'\n', &self.pending[self.scanned..]) {
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
        if self.prefilter.rules_out(record) {
            return Ok(());
        }
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

    fn query(name: Option<&str>, family: Option<&str>) -> DragonQuery {
        DragonQuery {
            name: name.map(str::to_owned),
            family: family.map(str::to_owned),
        }
    }

    /// The names the filter keeps, the same for every chunking.
    fn matched_names(data: &[u8], query: DragonQuery) -> Vec<String> {
        let answer = run(data, DataFormat::JsonLines, query.clone(), 1 << 20).unwrap();
        for chunk in [1, 5, 64] {
            assert_eq!(
                run(data, DataFormat::JsonLines, query.clone(), chunk).unwrap(),
                answer,
                "{chunk}"
            );
        }
        answer
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["dragon_name_str"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn prefilter_still_matches_values_written_with_escapes() {
        let data = concat!(
            r#"{"dragon_name_str":"A","family_str":"r\u0065d"}"#,
            "\n",
            r#"{"dragon_name_str":"B","f\u0061mily_str":"red"}"#,
            "\n",
            r#"{"dragon_name_str":"\u00c6r\u00f8","family_str":"gr\u00e9en"}"#,
            "\n",
            r#"{"dragon_name_str":"C\/D","family_str":"blue"}"#,
            "\n",
            r#"{"dragon_name_str":"E","family_str":"blue","description_str":"\\"}"#,
            "\n",
        );
        let data = data.as_bytes();
        assert_eq!(matched_names(data, family("red")), ["A", "B"]);
        assert_eq!(matched_names(data, query(Some("Ærø"), None)), ["Ærø"]);
        assert_eq!(matched_names(data, family("gréen")), ["Ærø"]);
        assert_eq!(
            matched_names(data, query(Some("C/D"), Some("blue"))),
            ["C/D"]
        );
        assert_eq!(matched_names(data, family("blue")), ["C/D", "E"]);
    }

    #[test]
    fn prefilter_finding_the_value_elsewhere_is_not_a_match() {
        let data = concat!(
            r#"{"dragon_name_str":"red","family_str":"blue","description_str":"red red"}"#,
            "\n",
            r#"{"dragon_name_str":"A","family_str":"redwood"}"#,
            "\n",
            r#"{"dragon_name_str":"B","family_str":"re"}"#,
            "\n",
            r#"{"meta":{"family_str":"red"},"dragon_name_str":"C","family_str":"green"}"#,
            "\n",
            r#"{"dragon_name_str":"D", "family_str" : "red"}"#,
            "\n",
        );
        let data = data.as_bytes();
        assert_eq!(matched_names(data, family("red")), ["D"]);
        assert_eq!(matched_names(data, family("re")), ["B"]);
        assert_eq!(matched_names(data, query(Some("red"), None)), ["red"]);
        // Both must match: the name is there, the family is not.
        assert!(matched_names(data, query(Some("A"), Some("red"))).is_empty());
        assert_eq!(matched_names(data, query(Some("D"), Some("red"))), ["D"]);
    }

    #[test]
    fn prefilter_handles_values_that_json_must_escape() {
        let data = concat!(
            r#"{"dragon_name_str":"A","family_str":"say \"hi\" \\ now"}"#,
            "\n",
            r#"{"dragon_name_str":"B","family_str":"say hi now"}"#,
            "\n",
            r#"{"dragon_name_str":"C","family_str":"tab\there"}"#,
            "\n",
        );
        let data = data.as_bytes();
        assert_eq!(matched_names(data, family("say \"hi\" \\ now")), ["A"]);
        assert_eq!(matched_names(data, family("tab\there")), ["C"]);
        assert_eq!(matched_names(data, family("say hi now")), ["B"]);
    }

    #[test]
    fn prefilter_agrees_with_parsing_every_record() {
        let data = lines();
        let text = String::from_utf8(data.clone()).unwrap();
        let values = [
            "red",
            "green",
            "blue",
            "Atlas",
            "O'Brien",
            "Ærø",
            "two",
            "line",
            "r",
            "",
            "\\",
            "\"",
            "ünïcödé",
        ];
        for name in values.iter().map(|v| Some(*v)).chain([None]) {
            for family in values.iter().map(|v| Some(*v)).chain([None]) {
                let wanted = query(name, family);
                let expected: Vec<Value> = text
                    .lines()
                    .map(|line| serde_json::from_str::<Value>(line).unwrap())
                    .filter(|r| {
                        wanted.matches(
                            r["dragon_name_str"].as_str().unwrap(),
                            r["family_str"].as_str().unwrap(),
                        )
                    })
                    .collect();
                for format in [DataFormat::JsonLines, DataFormat::JsonArray] {
                    let data = match format {
                        DataFormat::JsonLines => data.clone(),
                        DataFormat::JsonArray => array(),
                    };
                    assert_eq!(
                        run(&data, format, wanted.clone(), 7).unwrap(),
                        json!(expected),
                        "{wanted:?} {format:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn prefilter_sends_what_is_not_a_record_to_the_parser() {
        // None of these could match `family=red`, yet each is reported.
        for line in [
            &b"{not json}"[..],
            b"[1, 2]",
            b"\"just a string\"",
            b"{\"dragon_name_str\":\"A\",\"family_str\":\"blue\"",
            b"{\"dragon_name_str\":\"A\"}",
            b"{\"family_str\":\"blue\"}",
            b"{\"dragon_name_str\":\"A\",\"family_str\":\"bl\\ue\",}",
        ] {
            assert!(
                matches!(
                    run(line, DataFormat::JsonLines, family("red"), 3),
                    Err(FilterError::MalformedRecord { index: 0, .. })
                ),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        // A record of the right shape that cannot match is skipped unparsed: its
        // field types are checked only when it could match.
        let odd = b"{\"dragon_name_str\":1,\"family_str\":\"blue\"}\n";
        assert_eq!(
            run(odd, DataFormat::JsonLines, family("red"), 3).unwrap(),
            json!([])
        );
        assert!(run(odd, DataFormat::JsonLines, family("blue"), 3).is_err());
        assert!(run(odd, DataFormat::JsonLines, DragonQuery::default(), 3).is_err());
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
