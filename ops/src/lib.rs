//! Operating a deployed stack and its data. `upload` puts dragon data where the
//! stack's SSM parameters say it lives, in the format the key names, with its names
//! index ([`names_index`]); [`migrate`]
//! moves it between the S3 object and the DynamoDB table; [`sample`] generates sample
//! data sets of any size; [`publish`] puts the web app onto a deployed stack.

pub mod migrate;
pub mod names_index;
pub mod object_writer;
pub mod publish;
pub mod sample;

use aws_sdk_s3::primitives::ByteStream;
use dragons_contract::{DataFormat, Dragon, name};
use handlers::{
    aws::{AwsClients, DataLocation, ParameterNames, location::LocationError},
    domain::{name_index::BaseIndex, validation::DragonValidator},
};

/// Why the data could not be uploaded.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// A line of the input is not a valid dragon.
    #[error("line {line} is not a valid dragon: {reason}")]
    InvalidRecord {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Two lines name one dragon (names are unique by their key).
    #[error("line {line} names `{name}` again (line {first} has that name)")]
    DuplicateName {
        /// 1-based line number of the second one.
        line: usize,
        /// Its name.
        name: String,
        /// 1-based line number of the first one.
        first: usize,
    },
    /// The data location could not be read from SSM.
    #[error("reading the data location from SSM failed")]
    Location(#[from] LocationError),
    /// The upload failed.
    #[error(transparent)]
    Put(#[from] names_index::LoadError),
}

/// The records of `lines` (each line and its dragon), each checked as a report would
/// be, and no two of one name.
fn checked(lines: &str) -> Result<Vec<(&str, Dragon)>, UploadError> {
    let validator = DragonValidator::new().map_err(|error| UploadError::InvalidRecord {
        line: 0,
        reason: error.to_string(),
    })?;
    let mut seen = std::collections::HashMap::new();
    let mut records = Vec::new();
    for (index, line) in lines
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
    {
        let invalid = |reason: String| UploadError::InvalidRecord {
            line: index + 1,
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|error| invalid(error.to_string()))?;
        let dragon = validator
            .validate(&value)
            .map_err(|rejection| invalid(rejection.to_string()))?;
        if let Some(first) = seen.insert(name::key(&dragon.dragon_name_str), index + 1) {
            return Err(UploadError::DuplicateName {
                line: index + 1,
                name: dragon.dragon_name_str,
                first,
            });
        }
        records.push((line, dragon));
    }
    Ok(records)
}

/// The object holding `records` in `format`: the lines themselves, or one JSON array
/// document.
fn body_of(records: &[(&str, Dragon)], format: DataFormat) -> Result<Vec<u8>, UploadError> {
    Ok(match format {
        DataFormat::JsonLines => records
            .iter()
            .flat_map(|(line, _)| [line.as_bytes(), b"\n"])
            .flatten()
            .copied()
            .collect(),
        DataFormat::JsonArray => {
            let dragons: Vec<&Dragon> = records.iter().map(|(_, dragon)| dragon).collect();
            let mut body = serde_json::to_vec_pretty(&dragons).map_err(|error| {
                UploadError::InvalidRecord {
                    line: 0,
                    reason: error.to_string(),
                }
            })?;
            body.push(b'\n');
            body
        }
    })
}

/// Uploads `lines` with their names index to the bucket and key the parameters
/// `names` hold (replacing the object there); returns where.
pub async fn upload(
    clients: &AwsClients,
    names: &ParameterNames,
    lines: &str,
) -> Result<DataLocation, UploadError> {
    let location = DataLocation::fetch(&clients.ssm, names).await?;
    let format = DataFormat::for_key(&location.key);
    let records = checked(lines)?;
    let body = body_of(&records, format)?;
    let mut index = BaseIndex::for_records(records.len());
    for (_, dragon) in &records {
        index.push(&dragon.dragon_name_str);
    }
    names_index::put_indexed(
        &clients.s3,
        &location,
        index,
        ByteStream::from(body),
        format.content_type(),
    )
    .await?;
    Ok(location)
}
