//! `upload-data`: dragons from a file into a stack's data object, with its names index
//! (`names_index`). The file is JSON Lines or one JSON array (the course's file),
//! told apart by its first character. By default the file is **merged** into what the
//! object holds, by name key: a dragon only the object holds (one added through
//! `POST /dragons` since the last upload) is kept, one in both takes the file's
//! values, one only the file holds is added. `Replace` writes the file alone. Either
//! way the write is conditional on the object read (`If-Match` its ETag,
//! `If-None-Match: *` when there was none) and starts over on a lost race, so a dragon
//! added meanwhile is never overwritten unseen.

use std::collections::HashMap;

use aws_sdk_s3::{
    error::{DisplayErrorContext, ProvideErrorMetadata},
    primitives::ByteStream,
};
use dragons_contract::{DataFormat, Dragon, name};
use handlers::{
    aws::DataLocation,
    domain::{name_index::BaseIndex, validation::DragonValidator},
};
use serde::Serialize;

use crate::names_index::{self, PutError};
use crate::object_writer::Replaces;

/// Rounds of read, merge and conditional write before giving up.
const ATTEMPTS: u32 = 5;

/// What happens to the dragons the object holds and the file does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// They are kept.
    Merge,
    /// They are dropped: the object holds the file's dragons only.
    Replace,
}

/// Where a record is in its file or object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A line of JSON Lines (1-based).
    Line(usize),
    /// An element of a JSON array (1-based).
    Element(usize),
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Line(line) => write!(f, "line {line}"),
            Self::Element(element) => write!(f, "element {element}"),
        }
    }
}

/// Why the data could not be uploaded.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file is not JSON Lines nor a JSON array.
    #[error("the file is not a JSON array of dragons: {0}")]
    NotAnArray(String),
    /// A record of the file is not a valid dragon.
    #[error("{position} is not a valid dragon: {reason}")]
    InvalidRecord {
        /// Where it is.
        position: Position,
        /// What is wrong.
        reason: String,
    },
    /// Two records of the file name one dragon (names are unique by their key).
    #[error("{position} names `{name}` again ({first} has that name)")]
    DuplicateName {
        /// The second one.
        position: Position,
        /// Its name.
        name: String,
        /// The first one.
        first: Position,
    },
    /// The object holds something that is not a dragon: a merge would carry it over.
    #[error(
        "s3://{bucket}/{key} holds an invalid record at {position} ({reason}); fix it, or upload with --replace"
    )]
    InvalidStored {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// Where it is.
        position: Position,
        /// What is wrong.
        reason: String,
    },
    /// The current object could not be read.
    #[error("reading s3://{bucket}/{key} failed: {message}")]
    Read {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// What S3 said.
        message: String,
    },
    /// Other writers kept changing the object.
    #[error("s3://{bucket}/{key} changed during each of {ATTEMPTS} attempts; nothing was replaced")]
    Contended {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
    },
    /// The write failed.
    #[error(transparent)]
    Put(#[from] names_index::LoadError),
}

/// The dragons of a file, each checked as a report would be, no two of one name key.
#[derive(Debug, Clone)]
pub struct Input {
    dragons: Vec<Dragon>,
}

impl Input {
    /// Parses `text`: one JSON array when its first non-blank character is `[`,
    /// JSON Lines otherwise.
    pub fn parse(text: &str) -> Result<Self, UploadError> {
        let validator = validator()?;
        let records = records_of(text, text.trim_start().starts_with('['))?;
        let mut seen = HashMap::new();
        let mut dragons = Vec::with_capacity(records.len());
        for (position, value) in records {
            let dragon =
                validator
                    .validate(&value)
                    .map_err(|rejection| UploadError::InvalidRecord {
                        position,
                        reason: rejection.to_string(),
                    })?;
            if let Some(first) = seen.insert(name::key(&dragon.dragon_name_str), position) {
                return Err(UploadError::DuplicateName {
                    position,
                    name: dragon.dragon_name_str,
                    first,
                });
            }
            dragons.push(dragon);
        }
        Ok(Self { dragons })
    }

    /// How many dragons the file holds.
    pub fn len(&self) -> usize {
        self.dragons.len()
    }

    /// Whether the file holds no dragon.
    pub fn is_empty(&self) -> bool {
        self.dragons.is_empty()
    }
}

fn validator() -> Result<DragonValidator, UploadError> {
    DragonValidator::new().map_err(|error| UploadError::InvalidRecord {
        position: Position::Line(0),
        reason: error.to_string(),
    })
}

/// The JSON values of `text` with their positions: an array's elements, or the
/// non-blank lines.
fn records_of(text: &str, array: bool) -> Result<Vec<(Position, serde_json::Value)>, UploadError> {
    if array {
        let values: Vec<serde_json::Value> = serde_json::from_str(text)
            .map_err(|error| UploadError::NotAnArray(error.to_string()))?;
        return Ok(values
            .into_iter()
            .enumerate()
            .map(|(index, value)| (Position::Element(index + 1), value))
            .collect());
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let position = Position::Line(index + 1);
            serde_json::from_str(line)
                .map(|value| (position, value))
                .map_err(|error| UploadError::InvalidRecord {
                    position,
                    reason: error.to_string(),
                })
        })
        .collect()
}

/// What an upload does (or did) to the object's dragons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// Merge or replace.
    pub mode: Mode,
    /// Dragons in the file.
    pub in_file: usize,
    /// Dragons the object held before.
    pub before: usize,
    /// Dragons only the file holds (added).
    pub added: usize,
    /// Dragons in both whose values the file changes.
    pub updated: usize,
    /// Dragons in both, the same.
    pub unchanged: usize,
    /// Dragons only the object holds, kept (merge).
    pub kept: usize,
    /// Dragons only the object holds, dropped (replace).
    pub dropped: usize,
    /// Dragons the object holds after.
    pub after: usize,
    /// Whether the object was written.
    pub written: bool,
}

/// A step of an upload, for progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading the current object (attempt 1, 2, …).
    Reading {
        /// The attempt.
        attempt: u32,
    },
    /// Writing the index and the object.
    Writing {
        /// Dragons written.
        dragons: usize,
    },
}

/// The current object: its dragons and the condition to replace it on.
struct Current {
    dragons: Vec<Dragon>,
    replaces: Replaces,
}

async fn read_current(
    s3: &aws_sdk_s3::Client,
    location: &DataLocation,
    format: DataFormat,
) -> Result<Current, UploadError> {
    let read_failed = |message: String| UploadError::Read {
        bucket: location.bucket.clone(),
        key: location.key.clone(),
        message,
    };
    let object = match s3
        .get_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .send()
        .await
    {
        Ok(object) => object,
        Err(error) if error.code() == Some("NoSuchKey") => {
            return Ok(Current {
                dragons: Vec::new(),
                replaces: Replaces::Nothing,
            });
        }
        Err(error) => return Err(read_failed(DisplayErrorContext(&error).to_string())),
    };
    let etag = object
        .e_tag()
        .map(str::to_owned)
        .ok_or_else(|| read_failed("no ETag".to_owned()))?;
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|error| read_failed(error.to_string()))?
        .into_bytes();
    let text = std::str::from_utf8(&bytes).map_err(|error| read_failed(error.to_string()))?;
    let invalid = |position: Position, reason: String| UploadError::InvalidStored {
        bucket: location.bucket.clone(),
        key: location.key.clone(),
        position,
        reason,
    };
    let array = format == DataFormat::JsonArray && !text.trim().is_empty();
    let records = records_of(text, array).map_err(|error| match error {
        UploadError::InvalidRecord { position, reason } => invalid(position, reason),
        other => invalid(Position::Element(0), other.to_string()),
    })?;
    let validator = validator()?;
    let dragons = records
        .into_iter()
        .map(|(position, value)| {
            validator
                .validate(&value)
                .map_err(|rejection| invalid(position, rejection.to_string()))
        })
        .collect::<Result<_, _>>()?;
    Ok(Current {
        dragons,
        replaces: Replaces::Etag(etag),
    })
}

/// The dragons after the upload, and what it does.
fn merged(current: Vec<Dragon>, input: &Input, mode: Mode) -> (Vec<Dragon>, Summary) {
    let mut from_file: HashMap<String, &Dragon> = input
        .dragons
        .iter()
        .map(|dragon| (name::key(&dragon.dragon_name_str), dragon))
        .collect();
    let mut summary = Summary {
        bucket: String::new(),
        key: String::new(),
        mode,
        in_file: input.len(),
        before: current.len(),
        added: 0,
        updated: 0,
        unchanged: 0,
        kept: 0,
        dropped: 0,
        after: 0,
        written: false,
    };
    let mut seen = std::collections::HashSet::new();
    let mut after = Vec::with_capacity(current.len() + input.len());
    for dragon in current {
        let key = name::key(&dragon.dragon_name_str);
        if !seen.insert(key.clone()) {
            tracing::warn!(
                name = dragon.dragon_name_str,
                "the object names a dragon twice; the first is kept"
            );
            summary.before -= 1;
            continue;
        }
        match from_file.get(&key) {
            Some(new) if **new == dragon => summary.unchanged += 1,
            Some(_) => summary.updated += 1,
            None if mode == Mode::Merge => {
                summary.kept += 1;
                after.push(dragon);
            }
            None => summary.dropped += 1,
        }
    }
    // The file's dragons in its order, after the ones only the object holds.
    for dragon in &input.dragons {
        let key = name::key(&dragon.dragon_name_str);
        if from_file.remove(&key).is_some() && !seen.contains(&key) {
            summary.added += 1;
        }
        after.push(dragon.clone());
    }
    summary.after = after.len();
    (after, summary)
}

/// The object holding `dragons` in `format`.
fn body_of(dragons: &[Dragon], format: DataFormat) -> Result<Vec<u8>, UploadError> {
    let failed = |error: serde_json::Error| UploadError::InvalidRecord {
        position: Position::Line(0),
        reason: error.to_string(),
    };
    let mut body = Vec::new();
    match format {
        DataFormat::JsonLines => {
            for dragon in dragons {
                serde_json::to_writer(&mut body, dragon).map_err(failed)?;
                body.push(b'\n');
            }
        }
        DataFormat::JsonArray => {
            body = serde_json::to_vec_pretty(dragons).map_err(failed)?;
            body.push(b'\n');
        }
    }
    Ok(body)
}

/// What uploading `input` to `location` in `mode` would do, without writing.
pub async fn preview(
    s3: &aws_sdk_s3::Client,
    location: &DataLocation,
    input: &Input,
    mode: Mode,
) -> Result<Summary, UploadError> {
    let format = DataFormat::for_key(&location.key);
    let current = read_current(s3, location, format).await?;
    let (_, mut summary) = merged(current.dragons, input, mode);
    summary.bucket.clone_from(&location.bucket);
    summary.key.clone_from(&location.key);
    Ok(summary)
}

/// Uploads `input` to `location` in `mode` (see the module docs), reporting each
/// step to `progress`.
pub async fn upload(
    s3: &aws_sdk_s3::Client,
    location: &DataLocation,
    input: &Input,
    mode: Mode,
    progress: &mut dyn FnMut(Step),
) -> Result<Summary, UploadError> {
    let format = DataFormat::for_key(&location.key);
    for attempt in 1..=ATTEMPTS {
        progress(Step::Reading { attempt });
        let current = read_current(s3, location, format).await?;
        let (dragons, mut summary) = merged(current.dragons, input, mode);
        let body = body_of(&dragons, format)?;
        let mut index = BaseIndex::for_records(dragons.len());
        for dragon in &dragons {
            index.push(&dragon.dragon_name_str);
        }
        progress(Step::Writing {
            dragons: dragons.len(),
        });
        match names_index::put_indexed_if(
            s3,
            location,
            index,
            ByteStream::from(body),
            format.content_type(),
            &current.replaces,
        )
        .await
        {
            Ok(()) => {
                summary.bucket.clone_from(&location.bucket);
                summary.key.clone_from(&location.key);
                summary.written = true;
                return Ok(summary);
            }
            Err(PutError::Changed { .. }) => {
                tracing::info!(attempt, "the object changed while it was merged; again");
            }
            Err(PutError::Load(error)) => return Err(error.into()),
        }
    }
    Err(UploadError::Contended {
        bucket: location.bucket.clone(),
        key: location.key.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn dragon(name: &str, family: &str) -> serde_json::Value {
        serde_json::json!({
            "dragon_name_str": name,
            "family_str": family,
            "description_str": "Seen once.",
            "location_city_str": "Oslo",
            "location_country_str": "norway",
            "location_state_str": "",
            "location_neighborhood_str": "",
        })
    }

    fn names(dragons: &[Dragon]) -> Vec<&str> {
        dragons.iter().map(|d| d.dragon_name_str.as_str()).collect()
    }

    #[test]
    fn a_json_array_and_json_lines_read_alike() {
        let array =
            serde_json::to_string_pretty(&[dragon("A", "red"), dragon("B", "red")]).unwrap();
        let lines = format!("{}\n\n{}\n", dragon("A", "red"), dragon("B", "red"));
        assert_eq!(
            Input::parse(&array).unwrap().dragons,
            Input::parse(&lines).unwrap().dragons
        );
        let twice = format!("[{},{}]", dragon("Ａ", "red"), dragon("a", "red"));
        assert!(matches!(
            Input::parse(&twice).unwrap_err(),
            UploadError::DuplicateName {
                position: Position::Element(2),
                first: Position::Element(1),
                ..
            }
        ));
        let bad = format!("{}\n{{\"dragon_name_str\":\"x\"}}\n", dragon("A", "red"));
        assert!(matches!(
            Input::parse(&bad).unwrap_err(),
            UploadError::InvalidRecord {
                position: Position::Line(2),
                ..
            }
        ));
    }

    #[test]
    fn a_merge_keeps_what_only_the_object_holds_and_a_replace_counts_it() {
        let validator = validator().unwrap();
        let current: Vec<Dragon> = [
            dragon("Kept", "red"),
            dragon("same", "red"),
            dragon("Changed", "red"),
        ]
        .iter()
        .map(|value| validator.validate(value).unwrap())
        .collect();
        let file = format!(
            "{}\n{}\n{}\n",
            dragon("SAME", "red"),
            dragon("changed", "blue"),
            dragon("New", "red")
        );
        let input = Input::parse(&file).unwrap();
        let (after, summary) = merged(current.clone(), &input, Mode::Merge);
        assert_eq!(names(&after), ["Kept", "SAME", "changed", "New"]);
        assert_eq!(
            (
                summary.added,
                summary.updated,
                summary.unchanged,
                summary.kept,
                summary.dropped
            ),
            (1, 2, 0, 1, 0)
        );
        let (after, summary) = merged(current, &input, Mode::Replace);
        assert_eq!(names(&after), ["SAME", "changed", "New"]);
        assert_eq!((summary.dropped, summary.after), (1, 3));
    }
}
