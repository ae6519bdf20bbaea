//! The data object as writers see it, without ever holding it whole: whether a name
//! is taken (by its key), found while the object streams past in chunks (for an
//! object whose names are not indexed), and where and what to insert to append a
//! dragon in the object's own format, every existing byte kept as it was.

use std::borrow::Cow;

use dragons_contract::{DataFormat, Dragon, name};
use serde::Deserialize;

use super::records::{Flow, MalformedDocument, Record, RecordSplitter};

/// How many bytes at the object's end an append looks at to find where to insert.
pub const TAIL_BYTES: u64 = 64 * 1024;

/// Why the data object cannot be read or appended to as a list of dragons.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A record is not an object with a string name.
    #[error("record {index} is not a dragon record: {reason}")]
    MalformedRecord {
        /// 0-based position of the record.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The document is not a JSON array of records.
    #[error(transparent)]
    MalformedDocument(#[from] MalformedDocument),
    /// The end of the object is not where a record can be appended.
    #[error("cannot append to the data object: {0}")]
    NoPlaceToAppend(&'static str),
}

#[derive(Deserialize)]
struct Named<'a> {
    #[serde(borrow)]
    dragon_name_str: Cow<'a, str>,
}

/// Whether `name` has the key `key` (ASCII names compared without building a key).
fn has_key(name: &str, key: &str) -> bool {
    if name.is_ascii() {
        name.len() == key.len()
            && name
                .bytes()
                .zip(key.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        name::key(name) == key
    }
}

/// Looks for a record whose name has the key of a wanted name, as the object
/// streams past: feed it chunks, then [`finish`](Self::finish).
#[derive(Debug)]
pub struct NameFinder {
    splitter: RecordSplitter,
    key: String,
    records: usize,
    found: Option<u64>,
}

impl NameFinder {
    /// A finder of `wanted`'s key in data laid out as `format`.
    pub fn new(wanted: &str, format: DataFormat) -> Self {
        Self {
            splitter: RecordSplitter::new(format),
            key: name::key(wanted),
            records: 0,
            found: None,
        }
    }

    /// Feeds the next chunk; [`Flow::Stop`] once the name is found.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Flow, CatalogError> {
        if self.found.is_some() {
            return Ok(Flow::Stop);
        }
        let (key, records, found) = (&self.key, &mut self.records, &mut self.found);
        self.splitter
            .push(chunk, |record| check(record, key, records, found))
    }

    /// At the end of the data: where the record with the wanted key starts, if any.
    pub fn finish(mut self) -> Result<Option<u64>, CatalogError> {
        if self.found.is_none() {
            let (key, records, found) = (&self.key, &mut self.records, &mut self.found);
            self.splitter
                .finish(|record| check(record, key, records, found))?;
        }
        Ok(self.found)
    }

    /// How many records were read.
    pub fn records(&self) -> usize {
        self.records
    }
}

fn check(
    record: Record<'_>,
    key: &str,
    records: &mut usize,
    found: &mut Option<u64>,
) -> Result<Flow, CatalogError> {
    let index = *records;
    *records += 1;
    let named: Named =
        serde_json::from_slice(record.bytes).map_err(|error| CatalogError::MalformedRecord {
            index,
            reason: error.to_string(),
        })?;
    if has_key(&named.dragon_name_str, key) {
        *found = Some(record.start);
        return Ok(Flow::Stop);
    }
    Ok(Flow::Continue)
}

/// What an append writes: `insert` then `closing` at offset `at` of the object, the
/// bytes before and after them unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Append {
    /// Where the new bytes go.
    pub at: u64,
    /// The new bytes that stay where they are written: later appends go after them.
    pub insert: Vec<u8>,
    /// Written right after `insert`, but a later append goes before it: the `]` (and
    /// a newline) closing an array this append starts; empty otherwise.
    pub closing: &'static [u8],
}

impl Append {
    /// The bytes of an object of `size` bytes that follow the insert: all in `tail`
    /// (its last bytes, as [`append`] was given them). Nothing for JSON Lines; an
    /// array's closing `]` and the white space around it.
    pub fn rest<'a>(&self, size: u64, tail: &'a [u8]) -> &'a [u8] {
        let tail_start = size.saturating_sub(tail.len() as u64);
        let from = usize::try_from(self.at.saturating_sub(tail_start)).unwrap_or(usize::MAX);
        &tail[from.min(tail.len())..]
    }
}

/// How to append `dragon` to an object of `size` bytes in `format` whose last bytes
/// are `tail` (all of them when the object is smaller than [`TAIL_BYTES`]): a new
/// line at the end, or a new last element of the array, just after the last one
/// (before the white space and `]` that close it). An empty object becomes a
/// one-record object. Only the tail is looked at.
pub fn append(
    format: DataFormat,
    size: u64,
    tail: &[u8],
    dragon: &Dragon,
) -> Result<Append, CatalogError> {
    let record = serde_json::to_vec(dragon)
        .map_err(|_| CatalogError::NoPlaceToAppend("the dragon does not serialize"))?;
    let whole = tail.len() as u64 == size;
    let tail_start = size - tail.len() as u64;
    match format {
        DataFormat::JsonLines => {
            let mut insert = Vec::with_capacity(record.len() + 2);
            if tail.last().is_some_and(|byte| *byte != b'\n') {
                insert.push(b'\n');
            }
            insert.extend_from_slice(&record);
            insert.push(b'\n');
            Ok(Append {
                at: size,
                insert,
                closing: b"",
            })
        }
        DataFormat::JsonArray if whole && tail.trim_ascii().is_empty() => {
            let mut insert = b"[".to_vec();
            insert.extend_from_slice(&record);
            Ok(Append {
                at: 0,
                insert,
                closing: b"]\n",
            })
        }
        DataFormat::JsonArray => {
            let content = tail.trim_ascii_end();
            if content.last() != Some(&b']') {
                return Err(CatalogError::NoPlaceToAppend(
                    "the document does not end with `]`",
                ));
            }
            let before = content[..content.len() - 1].trim_ascii_end();
            let at = tail_start + before.len() as u64;
            let insert = match before.last() {
                Some(b'[') => record,
                Some(b'}') => [&b",\n"[..], &record].concat(),
                None if !whole => {
                    return Err(CatalogError::NoPlaceToAppend(
                        "too much white space before the closing `]`",
                    ));
                }
                _ => {
                    return Err(CatalogError::NoPlaceToAppend(
                        "the last element is not an object",
                    ));
                }
            };
            Ok(Append {
                at,
                insert,
                closing: b"",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dragon(name: &str) -> Dragon {
        Dragon {
            dragon_name_str: name.into(),
            family_str: "red".into(),
            description_str: "Says \"hi\"\nand leaves.".into(),
            location_city_str: "Kraków".into(),
            location_country_str: "poland".into(),
            location_state_str: String::new(),
            location_neighborhood_str: String::new(),
        }
    }

    fn lines(names: &[&str]) -> Vec<u8> {
        names
            .iter()
            .map(|name| format!("{}\n", serde_json::to_string(&dragon(name)).unwrap()))
            .collect::<String>()
            .into_bytes()
    }

    fn find(
        data: &[u8],
        format: DataFormat,
        wanted: &str,
        chunk: usize,
    ) -> Result<Option<u64>, CatalogError> {
        let mut finder = NameFinder::new(wanted, format);
        for piece in data.chunks(chunk) {
            if finder.push(piece)? == Flow::Stop {
                break;
            }
        }
        finder.finish()
    }

    /// The object after `plan`, checking that [`Append::rest`] is what follows the insert.
    fn applied(data: &[u8], plan: &Append) -> Vec<u8> {
        let at = plan.at as usize;
        assert_eq!(plan.rest(data.len() as u64, tail(data)), &data[at..]);
        [&data[..at], &plan.insert, plan.closing, &data[at..]].concat()
    }

    /// The names in an object, in order.
    fn names(data: &[u8], format: DataFormat) -> Vec<String> {
        let mut names = Vec::new();
        let mut splitter = RecordSplitter::new(format);
        let mut keep = |record: Record<'_>| {
            let named: Named = serde_json::from_slice(record.bytes).unwrap();
            names.push(named.dragon_name_str.into_owned());
            Ok::<_, MalformedDocument>(Flow::Continue)
        };
        splitter.push(data, &mut keep).unwrap();
        splitter.finish(&mut keep).unwrap();
        names
    }

    fn tail(data: &[u8]) -> &[u8] {
        &data[data.len().saturating_sub(TAIL_BYTES as usize)..]
    }

    #[test]
    fn names_are_found_by_their_key_in_both_formats_for_any_chunking() {
        let data = lines(&["Atlas", "Ægir", "O'Brien", "Ｆｕｌｌ", "Rene\u{301}e"]);
        let array = serde_json::to_vec_pretty(&["Atlas", "Ægir"].map(dragon)).unwrap();
        for chunk in [1, 5, 64, 1 << 20] {
            for name in [
                "atlas",
                "ATLAS",
                "Ａｔｌａｓ",
                "ægir",
                "ÆGIR",
                "o'brien",
                "full",
                "Renée",
            ] {
                assert!(
                    find(&data, DataFormat::JsonLines, name, chunk)
                        .unwrap()
                        .is_some(),
                    "{name} {chunk}"
                );
            }
            assert_eq!(
                find(&data, DataFormat::JsonLines, "Atlas2", chunk),
                Ok(None)
            );
            assert!(
                find(&array, DataFormat::JsonArray, "ægir", chunk)
                    .unwrap()
                    .is_some()
            );
        }
        let escaped = br#"[{"dragon_name_str":"r\u0065d","family_str":"x"}]"#;
        assert!(
            find(escaped, DataFormat::JsonArray, "RED", 3)
                .unwrap()
                .is_some()
        );
        assert_eq!(find(b"", DataFormat::JsonLines, "Atlas", 3), Ok(None));
    }

    #[test]
    fn malformed_data_is_an_error_not_a_free_name() {
        let error = find(
            b"{\"dragon_name_str\":\"A\"}\nnope\n",
            DataFormat::JsonLines,
            "B",
            4,
        )
        .unwrap_err();
        assert!(
            matches!(error, CatalogError::MalformedRecord { index: 1, .. }),
            "{error}"
        );
        assert!(find(b"{\"dragons\":[]}", DataFormat::JsonArray, "B", 4).is_err());
        assert!(find(b"{\"family_str\":\"red\"}\n", DataFormat::JsonLines, "B", 4).is_err());
    }

    #[test]
    fn appending_to_lines_keeps_every_existing_byte() {
        let data = lines(&["Atlas"]);
        let plan = append(
            DataFormat::JsonLines,
            data.len() as u64,
            tail(&data),
            &dragon("Bryn"),
        )
        .unwrap();
        let grown = applied(&data, &plan);
        assert!(grown.starts_with(&data));
        assert_eq!(names(&grown, DataFormat::JsonLines), ["Atlas", "Bryn"]);
        let unterminated = &data[..data.len() - 1];
        let plan = append(
            DataFormat::JsonLines,
            unterminated.len() as u64,
            tail(unterminated),
            &dragon("Bryn"),
        )
        .unwrap();
        assert_eq!(
            names(&applied(unterminated, &plan), DataFormat::JsonLines),
            ["Atlas", "Bryn"]
        );
        let plan = append(DataFormat::JsonLines, 0, b"", &dragon("Bryn")).unwrap();
        assert_eq!(names(&applied(b"", &plan), DataFormat::JsonLines), ["Bryn"]);
    }

    #[test]
    fn appending_to_an_array_document_adds_its_last_element() {
        let pretty = serde_json::to_vec_pretty(&vec![dragon("Atlas")]).unwrap();
        let big: Vec<u8> = serde_json::to_vec_pretty(
            &(0..500)
                .map(|n| dragon(&format!("D{n}")))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert!(big.len() as u64 > TAIL_BYTES);
        for (data, before) in [
            (pretty, 1),
            (big, 500),
            (b"[]".to_vec(), 0),
            (b" [ \n ] \n".to_vec(), 0),
            (Vec::new(), 0),
            (b"  \n".to_vec(), 0),
        ] {
            let plan = append(
                DataFormat::JsonArray,
                data.len() as u64,
                tail(&data),
                &dragon("Bryn"),
            )
            .unwrap();
            let grown = applied(&data, &plan);
            let records: Vec<Dragon> = serde_json::from_slice(&grown).unwrap();
            assert_eq!(records.len(), before + 1);
            assert_eq!(records.last(), Some(&dragon("Bryn")));
        }
        for bad in [&b"[1]"[..], b"{}", b"[{}] x", b"[{},"] {
            assert!(
                append(
                    DataFormat::JsonArray,
                    bad.len() as u64,
                    bad,
                    &dragon("Bryn")
                )
                .is_err(),
                "{bad:?}"
            );
        }
    }
}
