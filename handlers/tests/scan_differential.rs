//! Differential test of the scan engine (splitter, pre-filter, filter, pages) against
//! a naive reference: serde_json parses the whole data set, each record must be an
//! object with string `dragon_name_str` and `family_str`, and the query compares
//! them. Generated data sets hold every JSON escape, quotes, backslashes, control
//! characters, non-ASCII and line breaks in values, keys in any order (some written
//! with escapes), arbitrary white space, in both formats, fed in random chunk
//! sizes and walked page by page. Malformed data sets (broken structure, broken
//! records) must fail in both. `PROPTEST_CASES` cases per property (256 by default).

// A failed unwrap in a test is a failed test.
#![allow(clippy::unwrap_used)]

use dragons_contract::{DataFormat, DragonQuery};
use handlers::domain::page_scan::{Anchor, PageScan};
use handlers::domain::records::Flow;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};

const NAME: &str = "dragon_name_str";
const FAMILY: &str = "family_str";
const OTHERS: [&str; 5] = [
    "description_str",
    "location_city_str",
    "location_country_str",
    "location_state_str",
    "location_neighborhood_str",
];

/// A character a value may hold: plain text, JSON's special characters, controls,
/// non-ASCII of every UTF-8 length, line and paragraph separators.
fn value_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'e'),
        1 => proptest::char::range(' ', '~'),
        1 => prop::sample::select(vec!['"', '\\', '/', '\n', '\r', '\t', '\u{8}', '\u{c}']),
        1 => proptest::char::range('\u{0}', '\u{1f}'),
        1 => prop::sample::select(vec!['é', 'Æ', 'ø', '中', '龍', '🐉', '\u{2028}', '\u{7f}', '\u{ffff}', '\u{10ffff}']),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop::collection::vec(value_char(), 0..6).prop_map(|chars| chars.into_iter().collect())
}

/// One record's fields (name and family always; any others), in a random order.
fn record() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        value(),
        value(),
        prop::collection::vec((prop::sample::select(OTHERS.to_vec()), value()), 0..3),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(name, family, others, a, b)| {
            let mut fields = vec![(NAME.to_owned(), name), (FAMILY.to_owned(), family)];
            for (key, value) in others {
                if fields.iter().all(|(k, _)| k != key) {
                    fields.push((key.to_owned(), value));
                }
            }
            let len = fields.len();
            fields.swap(a.index(len), b.index(len));
            fields.rotate_left(a.index(len));
            fields
        })
}

/// Writes JSON text with random but valid choices: each character raw when JSON
/// allows it or escaped (short form or `\u`, either case of hex digits), and white
/// space between tokens drawn from `space` (JSON Lines: no line feed).
struct Writer<'a> {
    out: String,
    choices: &'a [u8],
    next: usize,
    space: &'static [char],
    /// One character in this many that JSON does not require escaping is escaped.
    escape_one_in: u8,
}

impl Writer<'_> {
    fn choice(&mut self) -> u8 {
        let byte = self.choices[self.next % self.choices.len()];
        self.next += 1;
        byte
    }

    fn space(&mut self) {
        let count = self.choice() % 4;
        for _ in 0..count.saturating_sub(1) {
            let pick = self.choice() as usize % self.space.len();
            self.out.push(self.space[pick]);
        }
    }

    fn unicode_escape(&mut self, unit: u16) {
        let text = format!("\\u{unit:04x}");
        if self.choice().is_multiple_of(2) {
            self.out.push_str(&text);
        } else {
            self.out
                .push_str(&text.to_uppercase().replacen("\\U", "\\u", 1));
        }
    }

    fn string(&mut self, text: &str) {
        self.out.push('"');
        for c in text.chars() {
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '/' => Some("\\/"),
                '\u{8}' => Some("\\b"),
                '\u{c}' => Some("\\f"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                _ => None,
            };
            let must_escape = matches!(c, '"' | '\\' | '\u{0}'..='\u{1f}');
            let escape = must_escape || self.choice().is_multiple_of(self.escape_one_in);
            match self.choice() % 2 {
                _ if !escape => self.out.push(c),
                0 if short.is_some() => self.out.push_str(short.unwrap_or_default()),
                _ => {
                    let mut units = [0_u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        self.unicode_escape(*unit);
                    }
                }
            }
        }
        self.out.push('"');
    }

    fn record(&mut self, fields: &[(String, String)]) {
        self.out.push('{');
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.space();
            // Keys too, now and then, with escapes (`\u005f` for `_`).
            if self.choice().is_multiple_of(8) {
                let escaped = key.replace('_', "\\u005f");
                self.out.push('"');
                self.out.push_str(&escaped);
                self.out.push('"');
            } else {
                self.string(key);
            }
            self.space();
            self.out.push(':');
            self.space();
            self.string(value);
            self.space();
        }
        self.out.push('}');
    }
}

/// A data set in `format`, its records written with `choices`, one character in
/// `escape_one_in` escaped though it need not be.
fn data_set(
    format: DataFormat,
    records: &[Vec<(String, String)>],
    choices: &[u8],
    escape_one_in: u8,
) -> String {
    let space: &'static [char] = match format {
        DataFormat::JsonLines => &[' ', '\t', '\r'],
        DataFormat::JsonArray => &[' ', '\t', '\r', '\n'],
    };
    let mut writer = Writer {
        out: String::new(),
        choices,
        next: 0,
        space,
        escape_one_in,
    };
    match format {
        DataFormat::JsonLines => {
            for record in records {
                writer.space();
                writer.record(record);
                writer.space();
                writer.out.push('\n');
                if writer.choice().is_multiple_of(5) {
                    // A blank line now and then.
                    writer.out.push('\n');
                }
            }
            if writer.choice().is_multiple_of(2) {
                // The last line without its line feed.
                writer.out.pop();
            }
        }
        DataFormat::JsonArray => {
            writer.space();
            writer.out.push('[');
            for (i, record) in records.iter().enumerate() {
                if i > 0 {
                    writer.space();
                    writer.out.push(',');
                }
                writer.space();
                writer.record(record);
            }
            writer.space();
            writer.out.push(']');
            writer.space();
        }
    }
    writer.out
}

/// The reference: serde_json on the whole data, then a comparison per record.
fn reference(data: &[u8], format: DataFormat, query: &DragonQuery) -> Result<Vec<Value>, String> {
    let records: Vec<Value> = match format {
        DataFormat::JsonArray => serde_json::from_slice(data).map_err(|e| e.to_string())?,
        DataFormat::JsonLines => data
            .split(|b| *b == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .map(|line| serde_json::from_slice(line).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?,
    };
    let mut matched = Vec::new();
    for record in records {
        let object = record.as_object().ok_or("a record is not an object")?;
        let field = |key| object.get(key).and_then(Value::as_str);
        let (Some(name), Some(family)) = (field(NAME), field(FAMILY)) else {
            return Err("a record lacks a string name or family".into());
        };
        if query.matches(name, family) {
            matched.push(record.clone());
        }
    }
    Ok(matched)
}

/// The engine: every page of the walk, each fed in chunks of the sizes drawn.
fn engine(
    data: &[u8],
    format: DataFormat,
    query: &DragonQuery,
    limit: usize,
    chunks: &[usize],
) -> Result<Vec<Value>, String> {
    let mut matched = Vec::new();
    let mut anchor: Option<Anchor> = None;
    let mut draws = chunks.iter().cycle();
    loop {
        let mut scan = match anchor {
            None => PageScan::first(query.clone(), format, limit),
            Some(at) => PageScan::resume(query.clone(), format, limit, at),
        };
        let start = usize::try_from(scan.start()).map_err(|e| e.to_string())?;
        let mut rest = data.get(start..).ok_or("a page starts past the end")?;
        while !rest.is_empty() {
            let size = (*draws.next().unwrap_or(&1)).clamp(1, rest.len());
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            if scan.push(chunk).map_err(|e| e.to_string())? == Flow::Stop {
                break;
            }
        }
        let page = scan.finish().map_err(|e| e.to_string())?;
        let body: Vec<Value> = serde_json::from_slice(&page.body).map_err(|e| e.to_string())?;
        if body.len() != page.count || body.len() > limit {
            return Err(format!("page of {} says {}", body.len(), page.count));
        }
        matched.extend(body);
        match page.next {
            Some(next) => anchor = Some(next),
            None => return Ok(matched),
        }
    }
}

/// Queries for a data set: everything, and each record's name, family and both,
/// some values that no record holds.
fn queries(records: &[Vec<(String, String)>], stranger: &str) -> Vec<DragonQuery> {
    let mut out = vec![
        DragonQuery::default(),
        DragonQuery {
            name: Some(stranger.to_owned()),
            family: None,
        },
        DragonQuery {
            name: None,
            family: Some(stranger.to_owned()),
        },
    ];
    for fields in records.iter().take(3) {
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        out.push(DragonQuery {
            name: get(NAME),
            family: None,
        });
        out.push(DragonQuery {
            name: None,
            family: get(FAMILY),
        });
        out.push(DragonQuery {
            name: get(NAME),
            family: get(FAMILY),
        });
    }
    out
}

/// Records with unique names (the store's rule, on which a name query's single
/// page rests).
fn records() -> impl Strategy<Value = Vec<Vec<(String, String)>>> {
    prop::collection::vec(record(), 0..8).prop_map(|mut records| {
        let mut seen = std::collections::BTreeSet::new();
        records.retain(|fields| seen.insert(fields[0..].iter().find(|(k, _)| k == NAME).cloned()));
        records
    })
}

fn format() -> impl Strategy<Value = DataFormat> {
    prop::sample::select(vec![DataFormat::JsonLines, DataFormat::JsonArray])
}

fn run<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) -> u32 {
    let config = Config::default();
    let mut runner = TestRunner::new(config.clone());
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{failure}");
    }
    config.cases
}

#[test]
fn the_engine_agrees_with_the_reference_on_valid_data() {
    let cases = run(
        (
            format(),
            records(),
            prop::collection::vec(any::<u8>(), 1..64),
            prop::collection::vec(1_usize..40, 1..8),
            1_usize..4,
            value(),
        ),
        |(format, records, choices, chunks, limit, stranger)| {
            let data = data_set(format, &records, &choices, 3);
            for query in queries(&records, &stranger) {
                let want = reference(data.as_bytes(), format, &query);
                prop_assert!(want.is_ok(), "the generator wrote invalid data: {data:?}");
                let got = engine(data.as_bytes(), format, &query, limit, &chunks);
                prop_assert_eq!(&got, &want, "{:?} on {:?}", query, data);
            }
            Ok(())
        },
    );
    assert!(cases > 0);
}

/// Ways to break a valid data set.
#[derive(Debug, Clone)]
enum Break {
    /// Cut it at a byte (inside a record or its closing bracket).
    Truncate(prop::sample::Index),
    /// Insert a text at a byte.
    Insert(prop::sample::Index, &'static str),
    /// Insert a text before one of the bytes JSON's structure is made of
    /// (`{ } [ ] , :`), or after the last of them.
    InsertAtStructure(prop::sample::Index, &'static str),
    /// Remove one byte.
    Remove(prop::sample::Index),
}

fn breakage() -> impl Strategy<Value = Break> {
    let inserts = vec![
        ",",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "\\",
        ":",
        "1",
        "x",
        "\u{0}",
        "\\x",
        "\\u12",
        "\\ud800",
        "{}",
        "null",
        "\"a\"",
        "[]",
        "{\"dragon_name_str\":1,\"family_str\":\"a\"}",
    ];
    prop_oneof![
        1 => any::<prop::sample::Index>().prop_map(Break::Truncate),
        1 => (any::<prop::sample::Index>(), prop::sample::select(inserts.clone()))
            .prop_map(|(at, text)| Break::Insert(at, text)),
        2 => (any::<prop::sample::Index>(), prop::sample::select(inserts))
            .prop_map(|(at, text)| Break::InsertAtStructure(at, text)),
        1 => any::<prop::sample::Index>().prop_map(Break::Remove),
    ]
}

fn broken(data: &str, how: &Break) -> Vec<u8> {
    let mut bytes = data.as_bytes().to_vec();
    match how {
        Break::Truncate(at) => bytes.truncate(at.index(bytes.len().max(1))),
        Break::Insert(at, text) => {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, text.bytes());
        }
        Break::InsertAtStructure(at, text) => {
            let structure: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| b"{}[],:".contains(b))
                .map(|(i, _)| i)
                .chain([bytes.len()])
                .collect();
            let at = structure[at.index(structure.len())];
            bytes.splice(at..at, text.bytes());
        }
        Break::Remove(at) if !bytes.is_empty() => {
            bytes.remove(at.index(bytes.len()));
        }
        Break::Remove(_) => {}
    }
    bytes
}

#[test]
fn the_engine_fails_where_the_reference_fails() {
    let cases = run(
        (
            format(),
            records(),
            prop::collection::vec(any::<u8>(), 1..64),
            prop::collection::vec(1_usize..40, 1..8),
            breakage(),
            value(),
            prop::sample::select(vec![3_u8, 50]),
        ),
        |(format, records, choices, chunks, how, stranger, escape_one_in)| {
            let data = broken(&data_set(format, &records, &choices, escape_one_in), &how);
            // Every query that reads the whole data set: all records, and families
            // (a name query ends at its match: the rest is not read).
            for query in queries(&records, &stranger)
                .into_iter()
                .filter(|query| query.name.is_none())
            {
                let want = reference(&data, format, &query);
                let got = engine(&data, format, &query, 1000, &chunks);
                prop_assert_eq!(
                    got.is_ok(),
                    want.is_ok(),
                    "{:?} on {:?}: engine {:?}, reference {:?}",
                    query,
                    String::from_utf8_lossy(&data),
                    got,
                    want
                );
                if let (Ok(got), Ok(want)) = (&got, &want) {
                    prop_assert_eq!(got, want);
                }
            }
            Ok(())
        },
    );
    assert!(cases > 0);
}

#[test]
fn writer_escapes_round_trip() {
    // The generator's own check: what it writes is what serde_json reads back.
    let fields = vec![
        (NAME.to_owned(), "a\"b\\c\u{0}\u{1f}🐉\u{2028}".to_owned()),
        (FAMILY.to_owned(), "r\u{e9}d\n".to_owned()),
    ];
    for seed in 0..=255_u8 {
        let text = data_set(
            DataFormat::JsonArray,
            std::slice::from_ref(&fields),
            &[seed, seed / 3, seed / 7],
            1 + seed % 4,
        );
        let parsed: Vec<Map<String, Value>> = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[0][NAME], fields[0].1, "{text}");
        assert_eq!(parsed[0][FAMILY], fields[1].1, "{text}");
    }
}
