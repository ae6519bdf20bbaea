//! Operating a deployed stack and its data. `upload` puts dragon data where the
//! stack's SSM parameters say it lives, in the format the key names; [`migrate`]
//! moves it between the S3 object and the DynamoDB table; [`sample`] generates sample
//! data sets of any size; [`publish`] puts the web app onto a deployed stack.

pub mod migrate;
pub mod object_writer;
pub mod publish;
pub mod sample;

use aws_sdk_s3::primitives::ByteStream;
use dragons_contract::{DataFormat, Dragon, name};
use handlers::{
    aws::{AwsClients, DataLocation, ParameterNames, location::LocationError},
    domain::validation::DragonValidator,
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
    #[error("uploading to s3://{bucket}/{key} failed")]
    Put {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The cause.
        #[source]
        source: Box<aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::put_object::PutObjectError>>,
    },
}

/// `lines` (JSON Lines of dragons, each checked as a report would be, and no two of one
/// name) as the object for `format`: the lines themselves, or one JSON array document.
pub fn object_body(lines: &str, format: DataFormat) -> Result<Vec<u8>, UploadError> {
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

/// Uploads `lines` to the bucket and key the parameters `names` hold; returns where.
pub async fn upload(
    clients: &AwsClients,
    names: &ParameterNames,
    lines: &str,
) -> Result<DataLocation, UploadError> {
    let location = DataLocation::fetch(&clients.ssm, names).await?;
    let format = DataFormat::for_key(&location.key);
    let body = object_body(lines, format)?;
    clients
        .s3
        .put_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .content_type(format.content_type())
        .body(ByteStream::from(body))
        .send()
        .await
        .map_err(|source| UploadError::Put {
            bucket: location.bucket.clone(),
            key: location.key.clone(),
            source: Box::new(source),
        })?;
    Ok(location)
}
