//! `DragonStore`: answers a [`DragonQuery`] from the data object named in SSM, with
//! the engine `DRAGONS_QUERY_ENGINE` chooses.

use std::{
    fmt,
    str::FromStr,
    sync::atomic::{AtomicBool, Ordering},
};

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use super::{
    clients::AwsClients,
    location::{DataLocation, LocationError, ParameterNames},
    s3_select::{SelectError, select},
    scan::{ScanError, scan},
};
use crate::domain::{
    names::{ENV_QUERY_ENGINE, QUERY_ENGINES},
    query::DragonQuery,
};

/// How the store runs a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryEngine {
    /// S3 Select, and scan from then on once S3 answers that Select is closed.
    #[default]
    Auto,
    /// S3 Select only.
    S3Select,
    /// GetObject and the in-Lambda streaming filter.
    Scan,
}

/// `DRAGONS_QUERY_ENGINE` holds a name that is not an engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown query engine `{0}`: expected one of auto, s3-select, scan")]
pub struct UnknownEngine(String);

impl FromStr for QueryEngine {
    type Err = UnknownEngine;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match QUERY_ENGINES.iter().position(|known| *known == name) {
            Some(0) => Ok(Self::Auto),
            Some(1) => Ok(Self::S3Select),
            Some(2) => Ok(Self::Scan),
            _ => Err(UnknownEngine(name.to_owned())),
        }
    }
}

impl fmt::Display for QueryEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let index = match self {
            Self::Auto => 0,
            Self::S3Select => 1,
            Self::Scan => 2,
        };
        f.write_str(QUERY_ENGINES[index])
    }
}

impl QueryEngine {
    /// The engine named by `DRAGONS_QUERY_ENGINE`; `auto` when unset or empty.
    pub fn from_env() -> Result<Self, UnknownEngine> {
        Self::from_env_or(Self::default())
    }

    /// The engine named by `DRAGONS_QUERY_ENGINE`; `default` when unset or empty.
    pub fn from_env_or(default: Self) -> Result<Self, UnknownEngine> {
        match std::env::var(ENV_QUERY_ENGINE) {
            Ok(name) if !name.is_empty() => name.parse(),
            _ => Ok(default),
        }
    }
}

/// Why a query could not be answered. Details are for the log, never for the caller.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data location could not be read from SSM.
    #[error("reading the data location failed")]
    Location(#[from] LocationError),
    /// The S3 Select engine failed.
    #[error("the S3 Select query failed")]
    Select(#[from] SelectError),
    /// The scan engine failed.
    #[error("scanning the data object failed")]
    Scan(#[from] ScanError),
}

/// Error codes that mean "try again later" rather than "this is broken".
const TRANSIENT_CODES: [&str; 7] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "SlowDown",
    "ServiceUnavailable",
    "RequestTimeout",
    "InternalError",
];

impl StoreError {
    /// Whether the failure is transient (the service was unreachable, slow or
    /// throttling): a 503 for the caller, where a lasting fault is a 502.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Location(LocationError::Ssm(error)) => sdk_transient(error),
            Self::Location(_) => false,
            Self::Select(SelectError::Request(error)) => sdk_transient(error),
            Self::Select(SelectError::Stream(error)) => sdk_transient(error),
            Self::Select(SelectError::Malformed(_)) => false,
            Self::Scan(ScanError::Request(error)) => sdk_transient(error),
            Self::Scan(ScanError::Body(_)) => true,
            Self::Scan(ScanError::Malformed(_)) => false,
        }
    }
}

fn sdk_transient<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    match error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => true,
        SdkError::ServiceError(_) => error
            .code()
            .is_some_and(|code| TRANSIENT_CODES.contains(&code)),
        _ => false,
    }
}

/// Answers dragon queries. Build it once per container; it is cheap to share.
#[derive(Debug)]
pub struct DragonStore {
    clients: AwsClients,
    parameters: ParameterNames,
    engine: QueryEngine,
    select_closed: AtomicBool,
}

impl DragonStore {
    /// A store reading the data location from `parameters` and querying with `engine`.
    pub fn new(clients: AwsClients, parameters: ParameterNames, engine: QueryEngine) -> Self {
        Self {
            clients,
            parameters,
            engine,
            select_closed: AtomicBool::new(false),
        }
    }

    /// The engine this store was configured with.
    pub fn engine(&self) -> QueryEngine {
        self.engine
    }

    /// The records matching `query`, as a JSON array (`[]` when none match).
    /// Reads the data location from SSM on every call.
    pub async fn list(&self, query: &DragonQuery) -> Result<Vec<u8>, StoreError> {
        let location = DataLocation::fetch(&self.clients.ssm, &self.parameters).await?;
        let s3 = &self.clients.s3;
        match self.engine {
            QueryEngine::Scan => Ok(scan(s3, &location, query).await?),
            QueryEngine::S3Select => Ok(select(s3, &location, query).await?),
            QueryEngine::Auto if self.select_closed.load(Ordering::Relaxed) => {
                Ok(scan(s3, &location, query).await?)
            }
            QueryEngine::Auto => match select(s3, &location, query).await {
                Err(error) if error.is_closed_to_account() => {
                    if !self.select_closed.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            error = %error,
                            "S3 Select is not available to this account; scanning from now on"
                        );
                    }
                    Ok(scan(s3, &location, query).await?)
                }
                answer => Ok(answer?),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_parse_from_their_names_and_print_back() {
        for name in QUERY_ENGINES {
            assert_eq!(name.parse::<QueryEngine>().unwrap().to_string(), name);
        }
        assert_eq!("scan".parse(), Ok(QueryEngine::Scan));
        assert_eq!("s3-select".parse(), Ok(QueryEngine::S3Select));
        assert_eq!(QueryEngine::default(), QueryEngine::Auto);
        assert!("Scan".parse::<QueryEngine>().is_err());
        assert!("select".parse::<QueryEngine>().is_err());
    }
}
