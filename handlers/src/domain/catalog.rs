//! The data object as a whole, for writers: whether a name is taken (by its
//! key) and the object with one more dragon appended, in the
//! object's own format, every existing byte kept as it was.

use std::borrow::Cow;

use serde::Deserialize;

use dragons_contract::{DataFormat, Dragon, name};

/// Why the data object cannot be read as a list of dragons.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A line of a JSON Lines object is not a record with a string name.
    #[error("line {line} is not a dragon record: {reason}")]
    MalformedLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An array document is not a JSON array of records with string names.
    #[error("the document is not a JSON array of dragon records: {0}")]
    MalformedDocument(String),
}

#[derive(Deserialize)]
struct Named<'a> {
    #[serde(borrow)]
    dragon_name_str: Cow<'a, str>,
}

/// Every record's name, in order.
pub fn names(data: &[u8], format: DataFormat) -> Result<Vec<String>, CatalogError> {
    match format {
        DataFormat::JsonLines => data
            .split(|byte| *byte == b'\n')
            .enumerate()
            .filter(|(_, line)| !line.trim_ascii().is_empty())
            .map(|(index, line)| {
                serde_json::from_slice::<Named>(line)
                    .map(|record| record.dragon_name_str.into_owned())
                    .map_err(|error| CatalogError::MalformedLine {
                        line: index + 1,
                        reason: error.to_string(),
                    })
            })
            .collect(),
        DataFormat::JsonArray if data.trim_ascii().is_empty() => Ok(Vec::new()),
        DataFormat::JsonArray => serde_json::from_slice::<Vec<Named>>(data)
            .map(|records| {
                records
                    .into_iter()
                    .map(|record| record.dragon_name_str.into_owned())
                    .collect()
            })
            .map_err(|error| CatalogError::MalformedDocument(error.to_string())),
    }
}

/// Whether a record in `data` already has `wanted`, by [`name::key`].
pub fn is_taken(data: &[u8], format: DataFormat, wanted: &str) -> Result<bool, CatalogError> {
    let wanted = name::key(wanted);
    Ok(names(data, format)?
        .iter()
        .any(|existing| name::key(existing) == wanted))
}

/// `data` with `dragon` appended: a new line, or a new last element of the array.
/// An empty object becomes a one-record object. The data must be well formed
/// (check it with [`is_taken`] first).
pub fn append(
    mut data: Vec<u8>,
    format: DataFormat,
    dragon: &Dragon,
) -> Result<Vec<u8>, CatalogError> {
    let record = serde_json::to_vec(dragon)
        .map_err(|error| CatalogError::MalformedDocument(error.to_string()))?;
    match format {
        DataFormat::JsonLines => {
            if data.last().is_some_and(|byte| *byte != b'\n') {
                data.push(b'\n');
            }
            data.extend_from_slice(&record);
            data.push(b'\n');
            Ok(data)
        }
        DataFormat::JsonArray => {
            if data.trim_ascii().is_empty() {
                let mut document = b"[".to_vec();
                document.extend_from_slice(&record);
                document.extend_from_slice(b"]\n");
                return Ok(document);
            }
            let close = data
                .iter()
                .rposition(|byte| *byte == b']')
                .ok_or_else(|| CatalogError::MalformedDocument("no closing `]`".into()))?;
            let open = data
                .iter()
                .position(|byte| *byte == b'[')
                .ok_or_else(|| CatalogError::MalformedDocument("no opening `[`".into()))?;
            let empty = data[open + 1..close].trim_ascii().is_empty();
            let mut insert = if empty { Vec::new() } else { b",\n".to_vec() };
            insert.extend_from_slice(&record);
            let end = open + 1 + data[open + 1..close].trim_ascii_end().len();
            data.splice(end..end, insert);
            Ok(data)
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

    #[test]
    fn names_are_taken_case_insensitively_in_both_formats() {
        let data = lines(&["Atlas", "Ægir", "O'Brien"]);
        for name in ["atlas", "ATLAS", "ægir", "ÆGIR", "o'brien"] {
            assert!(
                is_taken(&data, DataFormat::JsonLines, name).unwrap(),
                "{name}"
            );
        }
        assert!(!is_taken(&data, DataFormat::JsonLines, "Atlas2").unwrap());
        let array = br#"[{"dragon_name_str":"r\u0065d","family_str":"x"}]"#;
        assert!(is_taken(array, DataFormat::JsonArray, "RED").unwrap());
        assert!(!is_taken(b"", DataFormat::JsonLines, "Atlas").unwrap());
        assert!(!is_taken(b"", DataFormat::JsonArray, "Atlas").unwrap());
    }

    #[test]
    fn malformed_data_is_an_error_not_a_free_name() {
        let error = is_taken(
            b"{\"dragon_name_str\":\"A\"}\nnope\n",
            DataFormat::JsonLines,
            "B",
        )
        .unwrap_err();
        assert!(
            matches!(error, CatalogError::MalformedLine { line: 2, .. }),
            "{error}"
        );
        assert!(is_taken(b"{\"dragons\":[]}", DataFormat::JsonArray, "B").is_err());
        assert!(is_taken(b"{\"family_str\":\"red\"}\n", DataFormat::JsonLines, "B").is_err());
    }

    #[test]
    fn appending_to_lines_keeps_every_existing_byte() {
        let data = lines(&["Atlas"]);
        let grown = append(data.clone(), DataFormat::JsonLines, &dragon("Bryn")).unwrap();
        assert!(grown.starts_with(&data));
        assert_eq!(
            names(&grown, DataFormat::JsonLines).unwrap(),
            ["Atlas", "Bryn"]
        );
        // A last line without its newline gets one first.
        let unterminated = data[..data.len() - 1].to_vec();
        let grown = append(unterminated, DataFormat::JsonLines, &dragon("Bryn")).unwrap();
        assert_eq!(
            names(&grown, DataFormat::JsonLines).unwrap(),
            ["Atlas", "Bryn"]
        );
        let fresh = append(Vec::new(), DataFormat::JsonLines, &dragon("Bryn")).unwrap();
        assert_eq!(names(&fresh, DataFormat::JsonLines).unwrap(), ["Bryn"]);
    }

    #[test]
    fn appending_to_an_array_document_adds_its_last_element() {
        let pretty = serde_json::to_vec_pretty(&vec![dragon("Atlas")]).unwrap();
        for (data, before) in [
            (pretty, vec!["Atlas"]),
            (b"[]".to_vec(), vec![]),
            (b" [ \n ] \n".to_vec(), vec![]),
            (Vec::new(), vec![]),
        ] {
            let grown = append(data, DataFormat::JsonArray, &dragon("Bryn")).unwrap();
            let mut expected = before.clone();
            expected.push("Bryn");
            assert_eq!(names(&grown, DataFormat::JsonArray).unwrap(), expected);
            let records: Vec<Dragon> = serde_json::from_slice(&grown).unwrap();
            assert_eq!(records.last(), Some(&dragon("Bryn")));
        }
    }
}
