//! Where the dragon data lives: bucket and key, read from SSM Parameter Store in one
//! `GetParameters` call per request, so moving the data needs no redeploy.

use aws_sdk_ssm::{Client, error::SdkError, operation::get_parameters::GetParametersError};

use dragons_contract::names::{
    DEFAULT_BUCKET_PARAMETER, DEFAULT_FILE_PARAMETER, ENV_BUCKET_PARAMETER, ENV_FILE_PARAMETER,
};

use super::sdk_error;

/// The names of the two SSM parameters (set by the template per stage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterNames {
    /// The parameter holding the bucket name.
    pub bucket: String,
    /// The parameter holding the object key.
    pub file: String,
}

impl Default for ParameterNames {
    fn default() -> Self {
        Self {
            bucket: DEFAULT_BUCKET_PARAMETER.to_owned(),
            file: DEFAULT_FILE_PARAMETER.to_owned(),
        }
    }
}

impl ParameterNames {
    /// The names from `DRAGON_DATA_BUCKET_PARAMETER` and `DRAGON_DATA_FILE_PARAMETER`,
    /// or the seed's names when unset.
    pub fn from_env() -> Self {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        Self {
            bucket: var(ENV_BUCKET_PARAMETER, DEFAULT_BUCKET_PARAMETER),
            file: var(ENV_FILE_PARAMETER, DEFAULT_FILE_PARAMETER),
        }
    }
}

/// The data object's bucket and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLocation {
    /// The bucket name.
    pub bucket: String,
    /// The object key.
    pub key: String,
}

/// Why the data location could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LocationError {
    /// SSM answered without one of the parameters.
    #[error("SSM parameter `{0}` does not exist")]
    MissingParameter(String),
    /// A parameter exists but holds an empty value.
    #[error("SSM parameter `{0}` is empty")]
    EmptyParameter(String),
    /// The call itself failed.
    #[error("SSM GetParameters failed")]
    Ssm(#[source] Box<SdkError<GetParametersError>>),
}

impl LocationError {
    /// Whether SSM was unreachable or throttling (a missing parameter is lasting).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Ssm(error) => sdk_error::is_transient(error),
            Self::MissingParameter(_) | Self::EmptyParameter(_) => false,
        }
    }
}

impl DataLocation {
    /// Reads both parameters in one `GetParameters` call.
    pub async fn fetch(ssm: &Client, names: &ParameterNames) -> Result<Self, LocationError> {
        let answer = ssm
            .get_parameters()
            .names(&names.bucket)
            .names(&names.file)
            .with_decryption(true)
            .send()
            .await
            .map_err(|error| LocationError::Ssm(Box::new(error)))?;
        let value = |name: &str| {
            let value = answer
                .parameters()
                .iter()
                .find(|parameter| parameter.name() == Some(name))
                .and_then(|parameter| parameter.value())
                .ok_or_else(|| LocationError::MissingParameter(name.to_owned()))?;
            if value.is_empty() {
                return Err(LocationError::EmptyParameter(name.to_owned()));
            }
            Ok(value.to_owned())
        };
        Ok(Self {
            bucket: value(&names.bucket)?,
            key: value(&names.file)?,
        })
    }
}
