//! The scan engine's test of each record: whether a [`DragonQuery`] matches it.
//!
//! A byte-level pre-filter spares most records the JSON parser: a record without
//! a backslash holds every string verbatim, so when it lacks the bytes of a wanted
//! family, or (all ASCII) lacks the wanted name's key in any case, it cannot match,
//! and it is skipped unparsed (see `PreFilter`). Records with a backslash, records
//! the pre-filter cannot rule out, and every record of an unfiltered query, are
//! parsed, so the answer is exactly the parser's: the family compared exactly, the
//! name by its key ([`dragons_contract::name`]). A skipped record is still checked to
//! be a valid record ([`record_check`](super::record_check)), so malformed data is an
//! error whatever the query.

use std::borrow::Cow;

use memchr::memmem::Finder;
use serde::Deserialize;

use dragons_contract::{DragonQuery, query::QueryMatcher};

use super::record_check::is_valid_record;
use super::records::MalformedDocument;

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
    #[error(transparent)]
    MalformedDocument(#[from] MalformedDocument),
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
/// with no backslash whose bytes lack the wanted family cannot have it in any field.
/// A name matches by its key, which the bytes do not show in general (`Ａｔｌａｓ` is
/// `atlas`), but an ASCII name's key is its ASCII lower case: so a record with no
/// backslash and only ASCII bytes cannot match unless the wanted key is ASCII and
/// shows in its bytes in some case. A value that JSON must escape (`"`, `\`, control
/// characters) cannot appear in a record without a backslash at all. Anything else,
/// including a wanted value found in another field, goes to the parser, which decides.
///
/// A record is skipped only when [`is_valid_record`] holds, so a malformed record
/// (bad syntax, a number for a name) is reported whatever the query.
#[derive(Debug)]
struct PreFilter {
    /// The bytes the wanted family must show.
    family: Option<Finder<'static>>,
    /// The wanted name's key, when it can show in an ASCII record (it is ASCII).
    ascii_key: Option<Vec<u8>>,
    /// A name is wanted.
    wants_name: bool,
    /// The wanted family needs escaping, so only records with a backslash can match.
    family_needs_escape: bool,
}

/// Whether `haystack` holds `needle` (ASCII lower case) in any ASCII case.
fn contains_ignoring_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    let (lower, upper) = (first, first.to_ascii_uppercase());
    let mut from = 0;
    while let Some(found) = memchr::memchr2(lower, upper, &haystack[from..]) {
        let start = from + found;
        if haystack
            .get(start..start + needle.len())
            .is_some_and(|window| window.eq_ignore_ascii_case(needle))
        {
            return true;
        }
        from = start + 1;
    }
    false
}

impl PreFilter {
    fn new(matcher: &QueryMatcher, query: &DragonQuery) -> Self {
        let key = matcher.name_key();
        Self {
            family: query
                .family
                .as_deref()
                .map(|family| Finder::new(family.as_bytes()).into_owned()),
            ascii_key: key
                .filter(|key| key.is_ascii())
                .map(|key| key.as_bytes().to_vec()),
            wants_name: key.is_some(),
            family_needs_escape: query.family.as_deref().is_some_and(|family| {
                family
                    .chars()
                    .any(|c| matches!(c, '"' | '\\' | '\u{0}'..='\u{1F}'))
            }),
        }
    }

    /// Whether `record` (trimmed, non-empty) certainly does not match: then it
    /// need not be parsed.
    fn rules_out(&self, record: &[u8]) -> bool {
        let filtered = self.family.is_some() || self.wants_name;
        if !filtered || memchr::memchr(b'\\', record).is_some() {
            return false;
        }
        let no_family = self.family_needs_escape
            || self
                .family
                .as_ref()
                .is_some_and(|family| family.find(record).is_none());
        let no_name = self.wants_name
            && record.is_ascii()
            && self
                .ascii_key
                .as_deref()
                .is_none_or(|key| !contains_ignoring_ascii_case(record, key));
        (no_family || no_name) && is_valid_record(record)
    }
}

/// Which records a [`DragonQuery`] wants: the byte-level pre-filter, then an exact
/// parse of the two keys.
#[derive(Debug)]
pub struct QueryFilter {
    query: DragonQuery,
    matcher: QueryMatcher,
    prefilter: PreFilter,
}

impl QueryFilter {
    /// A filter for `query`.
    pub fn new(query: DragonQuery) -> Self {
        let matcher = query.matcher();
        Self {
            prefilter: PreFilter::new(&matcher, &query),
            matcher,
            query,
        }
    }

    /// The query it filters for.
    pub fn query(&self) -> &DragonQuery {
        &self.query
    }

    /// Whether `record` (trimmed, non-empty; the `index`th of the data, for errors)
    /// matches the query. A record that could match must be a JSON object with
    /// string `dragon_name_str` and `family_str`.
    pub fn matches(&self, record: &[u8], index: usize) -> Result<bool, FilterError> {
        if self.prefilter.rules_out(record) {
            return Ok(false);
        }
        let malformed = |reason: String| FilterError::MalformedRecord { index, reason };
        // The whole record must be UTF-8: serde_json checks only the strings it
        // decodes, not those of the fields it skips.
        let text = std::str::from_utf8(record).map_err(|error| malformed(error.to_string()))?;
        let keys: Keys =
            serde_json::from_str(text).map_err(|error| malformed(error.to_string()))?;
        // Nor does it check surrogate escapes (`\ud800`) in the strings it skips:
        // where a record may hold one, the whole record is decoded.
        if memchr::memmem::find(record, b"\\ud").is_some()
            || memchr::memmem::find(record, b"\\uD").is_some()
        {
            serde_json::from_str::<serde_json::Value>(text)
                .map_err(|error| malformed(error.to_string()))?;
        }
        Ok(self
            .matcher
            .matches(&keys.dragon_name_str, &keys.family_str))
    }
}

#[cfg(test)]
mod tests {
    use dragons_contract::DataFormat;
    use serde_json::{Value, json};

    use super::*;
    use crate::domain::records::{Flow, Record, RecordSplitter};

    fn records() -> Vec<Value> {
        vec![
            json!({"dragon_name_str": "Atlas", "family_str": "red", "description_str": "line one\nline \"two\" {not a brace}"}),
            json!({"dragon_name_str": "O'Brien", "family_str": "green", "description_str": "back\\slash ] [ one \" quote } and a trailing backslash \\"}),
            json!({"dragon_name_str": "Ærø", "family_str": "red", "description_str": "ünïcödé"}),
        ]
    }

    /// The records of `data` that `query` matches, as a JSON array, fed `chunk`
    /// bytes at a time.
    fn run(
        data: &[u8],
        format: DataFormat,
        query: DragonQuery,
        chunk: usize,
    ) -> Result<Value, FilterError> {
        let filter = QueryFilter::new(query);
        let mut splitter = RecordSplitter::new(format);
        let mut matched = Vec::new();
        let mut index = 0;
        let mut keep = |record: Record<'_>| {
            if filter.matches(record.bytes, index)? {
                matched.push(serde_json::from_slice::<Value>(record.bytes).unwrap());
            }
            index += 1;
            Ok::<_, FilterError>(Flow::Continue)
        };
        for piece in data.chunks(chunk) {
            splitter.push(piece, &mut keep)?;
        }
        splitter.finish(&mut keep)?;
        Ok(Value::Array(matched))
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
    fn names_match_by_their_key_in_every_spelling_and_encoding() {
        let data = concat!(
            r#"{"dragon_name_str":"Heldout Name","family_str":"red"}"#,
            "\n",
            r#"{"dragon_name_str":"ＨＥＬＤＯＵＴ ｎａｍｅ","family_str":"red"}"#,
            "\n",
            r#"{"dragon_name_str":"H\u0065ldout NAME","family_str":"blue"}"#,
            "\n",
            r#"{"dragon_name_str":"Heldout Names","family_str":"red"}"#,
            "\n",
            r#"{"dragon_name_str":"Héldout Name","family_str":"red"}"#,
            "\n",
            r#"{"dragon_name_str":"Ａ＂Ｂ","family_str":"red"}"#,
            "\n",
            r#"{"dragon_name_str":"ﬁre","family_str":"red","description_str":"heldout name"}"#,
            "\n",
        );
        let data = data.as_bytes();
        assert_eq!(
            matched_names(data, query(Some("HELDOUT name"), None)),
            ["Heldout Name", "ＨＥＬＤＯＵＴ ｎａｍｅ", "Heldout NAME"]
        );
        assert_eq!(
            matched_names(data, query(Some("heldout name"), Some("red"))),
            ["Heldout Name", "ＨＥＬＤＯＵＴ ｎａｍｅ"]
        );
        // A key with a quote: the full-width quote needs no escape in JSON.
        assert_eq!(matched_names(data, query(Some("a\"b"), None)), ["Ａ＂Ｂ"]);
        assert_eq!(matched_names(data, query(Some("FIRE"), None)), ["ﬁre"]);
        assert_eq!(
            matched_names(data, query(Some("héldout name"), None)),
            ["Héldout Name"]
        );
        assert!(matched_names(data, query(Some("heldout"), None)).is_empty());
    }

    #[test]
    fn the_keys_read_are_the_contract_s_field_names() {
        let record = format!(
            r#"{{"{}":"N","{}":"F"}}"#,
            dragons_contract::dragon::fields::NAME,
            dragons_contract::dragon::fields::FAMILY
        );
        let keys: Keys = serde_json::from_str(&record).unwrap();
        assert_eq!((&*keys.dragon_name_str, &*keys.family_str), ("N", "F"));
    }

    #[test]
    fn ascii_case_insensitive_search_finds_only_whole_needles() {
        assert!(contains_ignoring_ascii_case(b"xxHeLdOut", b"heldout"));
        assert!(contains_ignoring_ascii_case(b"hHELDOUT", b"heldout"));
        assert!(!contains_ignoring_ascii_case(b"heldou", b"heldout"));
        assert!(!contains_ignoring_ascii_case(b"", b"a"));
        assert!(contains_ignoring_ascii_case(b"abc", b""));
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
        // Invalid UTF-8 in a field the filter does not read is an error too.
        let latin1 =
            b"{\"dragon_name_str\":\"A\",\"family_str\":\"red\",\"description_str\":\"\xe9\"}";
        assert!(run(latin1, DataFormat::JsonLines, family("red"), 3).is_err());
        assert!(run(latin1, DataFormat::JsonLines, family("blue"), 3).is_err());
        // So is a lone surrogate escape there.
        let lone = br#"{"dragon_name_str":"A","family_str":"red","description_str":"\ud800"}"#;
        assert!(run(lone, DataFormat::JsonLines, family("red"), 3).is_err());
        // A malformed record is an error even where the query could not match it.
        let odd = b"{\"dragon_name_str\":1,\"family_str\":\"blue\"}\n";
        assert!(run(odd, DataFormat::JsonLines, family("red"), 3).is_err());
        assert!(run(odd, DataFormat::JsonLines, family("blue"), 3).is_err());
        assert!(run(odd, DataFormat::JsonLines, DragonQuery::default(), 3).is_err());
    }
}
