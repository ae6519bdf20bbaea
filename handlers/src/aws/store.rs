//! `S3Store`: the store contract over the data object named in SSM. Reads answer a
//! [`DragonQuery`] with the engine `DRAGONS_QUERY_ENGINE` chooses; writes append with
//! conditional PutObject ([`super::append`]).

use std::sync::atomic::{AtomicBool, Ordering};

use dragons_contract::{
    Dragon, DragonQuery,
    names::ENV_QUERY_ENGINE,
    query_engine::{QueryEngine, UnknownEngine},
    store::{AddError, Added, DragonReader, DragonWriter, StoreError},
};

use super::{
    append,
    clients::AwsClients,
    location::{DataLocation, LocationError, ParameterNames},
    s3_select::{SelectError, select},
    scan::{ScanError, scan},
};

/// The engine named by `DRAGONS_QUERY_ENGINE`; `default` when unset or empty.
pub fn engine_from_env_or(default: QueryEngine) -> Result<QueryEngine, UnknownEngine> {
    match std::env::var(ENV_QUERY_ENGINE) {
        Ok(name) if !name.is_empty() => name.parse(),
        _ => Ok(default),
    }
}

/// Why a query could not be answered (details are for the log only).
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("reading the data location failed")]
    Location(#[from] LocationError),
    #[error("the S3 Select query failed")]
    Select(#[from] SelectError),
    #[error("scanning the data object failed")]
    Scan(#[from] ScanError),
}

impl From<ReadError> for StoreError {
    fn from(error: ReadError) -> Self {
        let transient = match &error {
            ReadError::Location(error) => error.is_transient(),
            ReadError::Select(error) => error.is_transient(),
            ReadError::Scan(error) => error.is_transient(),
        };
        Self::classified(transient, error)
    }
}

/// The dragons in one S3 object. Build it once per container; it is cheap to share.
#[derive(Debug)]
pub struct S3Store {
    clients: AwsClients,
    parameters: ParameterNames,
    engine: QueryEngine,
    select_closed: AtomicBool,
}

impl S3Store {
    /// A store reading the data location from `parameters` and querying with `engine`.
    pub fn new(clients: AwsClients, parameters: ParameterNames, engine: QueryEngine) -> Self {
        Self {
            clients,
            parameters,
            engine,
            select_closed: AtomicBool::new(false),
        }
    }

    async fn query(&self, query: &DragonQuery) -> Result<Vec<u8>, ReadError> {
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

impl DragonReader for S3Store {
    /// Reads the data location from SSM on every call.
    async fn list(&self, query: &DragonQuery) -> Result<Vec<u8>, StoreError> {
        Ok(self.query(query).await?)
    }
}

impl DragonWriter for S3Store {
    async fn is_name_taken(&self, name: &str) -> Result<bool, StoreError> {
        Ok(append::is_name_taken(&self.clients, &self.parameters, name).await?)
    }

    async fn add(&self, dragon: &Dragon) -> Result<Added, AddError> {
        append::add(&self.clients, &self.parameters, dragon).await
    }
}
