//! Where the dragon data lives: bucket and key, read from SSM Parameter Store in one
//! `GetParameters` call, so moving the data needs no redeploy, and kept per container
//! for a few seconds ([`LocationCache`]).
//!
//! The trade-off: Parameter Store's default throughput is 40 transactions per second
//! per account and region, shared by every caller; reading it on every request would
//! cap the whole API near that rate. With the default 5 s, each warm container reads
//! it at most once every 5 s, and a moved data location is picked up within 5 s.

use std::time::Duration;

use aws_sdk_ssm::{Client, error::SdkError, operation::get_parameters::GetParametersError};

use dragons_contract::names::{
    DEFAULT_BUCKET_PARAMETER, DEFAULT_FILE_PARAMETER, ENV_BUCKET_PARAMETER, ENV_FILE_PARAMETER,
    ENV_LOCATION_CACHE_SECONDS,
};

use super::{kept::Kept, sdk_error};

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

/// How long a container keeps the data location unless told otherwise.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(5);

/// `DRAGONS_LOCATION_CACHE_SECONDS` is not a whole number of seconds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{ENV_LOCATION_CACHE_SECONDS} must be a whole number of seconds, not `{0}`")]
pub struct InvalidTtl(String);

/// How long to keep the data location: `DRAGONS_LOCATION_CACHE_SECONDS`, or
/// [`DEFAULT_CACHE_TTL`] when unset or empty (`0`: read it on every request).
pub fn cache_ttl_from_env() -> Result<Duration, InvalidTtl> {
    match std::env::var(ENV_LOCATION_CACHE_SECONDS) {
        Ok(text) if !text.is_empty() => text
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| InvalidTtl(text)),
        _ => Ok(DEFAULT_CACHE_TTL),
    }
}

/// The data location, read from SSM and kept for a while.
#[derive(Debug)]
pub struct LocationCache {
    names: ParameterNames,
    kept: Kept<DataLocation>,
}

impl LocationCache {
    /// A cache of the location `names` hold, kept for `ttl` (zero: not kept).
    pub fn new(names: ParameterNames, ttl: Duration) -> Self {
        Self {
            names,
            kept: Kept::new(ttl),
        }
    }

    /// The parameters the location is read from.
    pub fn names(&self) -> &ParameterNames {
        &self.names
    }

    /// The location: the one kept if it is young enough, else read from SSM.
    pub async fn get(&self, ssm: &Client) -> Result<DataLocation, LocationError> {
        self.kept
            .get(|| DataLocation::fetch(ssm, &self.names))
            .await
    }
}
