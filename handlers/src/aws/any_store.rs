//! The store a stack was deployed with: the S3 object or the DynamoDB table, as
//! `DRAGONS_DATA_STORE` says, behind the same contract.

use dragons_contract::{
    Dragon, ReportRef,
    data_store::{DataStore, UnknownStore},
    names::ENV_DATA_STORE,
    page::Page,
    query_engine::{QueryEngine, UnknownEngine},
    store::{AddError, Added, DragonReader, DragonWriter, PageError, PageRequest, StoreError},
};

use super::{
    clients::AwsClients,
    dynamo::{DynamoStore, table_parameter_from_env},
    location::{InvalidTtl, ParameterNames, cache_ttl_from_env},
    store::{S3Store, engine_from_env_or},
};

/// One of the stores.
#[derive(Debug)]
pub enum AnyStore {
    /// The S3 object.
    S3(S3Store),
    /// The DynamoDB table.
    DynamoDb(DynamoStore),
}

/// The environment does not describe a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreConfigError {
    /// `DRAGONS_DATA_STORE` names no store.
    #[error(transparent)]
    Store(#[from] UnknownStore),
    /// `DRAGONS_QUERY_ENGINE` names no engine.
    #[error(transparent)]
    Engine(#[from] UnknownEngine),
    /// `DRAGONS_LOCATION_CACHE_SECONDS` is not a number of seconds.
    #[error(transparent)]
    Ttl(#[from] InvalidTtl),
}

/// The store `DRAGONS_DATA_STORE` names; `default` when unset or empty.
pub fn data_store_from_env_or(default: DataStore) -> Result<DataStore, UnknownStore> {
    match std::env::var(ENV_DATA_STORE) {
        Ok(name) if !name.is_empty() => name.parse(),
        _ => Ok(default),
    }
}

impl AnyStore {
    /// The store the environment names (`DRAGONS_DATA_STORE`, and for S3
    /// `DRAGONS_QUERY_ENGINE` defaulting to `engine`), with what it reads from SSM
    /// kept for `DRAGONS_LOCATION_CACHE_SECONDS`.
    pub fn from_env(clients: AwsClients, engine: QueryEngine) -> Result<Self, StoreConfigError> {
        let ttl = cache_ttl_from_env()?;
        Ok(match data_store_from_env_or(DataStore::default())? {
            DataStore::S3 => Self::S3(
                S3Store::new(
                    clients,
                    ParameterNames::from_env(),
                    engine_from_env_or(engine)?,
                )
                .with_location_ttl(ttl),
            ),
            DataStore::DynamoDb => Self::DynamoDb(
                DynamoStore::new(&clients, table_parameter_from_env()).with_table_ttl(ttl),
            ),
        })
    }

    /// Which store this is.
    pub fn kind(&self) -> DataStore {
        match self {
            Self::S3(_) => DataStore::S3,
            Self::DynamoDb(_) => DataStore::DynamoDb,
        }
    }
}

impl DragonReader for AnyStore {
    async fn page(&self, request: PageRequest<'_>) -> Result<Page, PageError> {
        match self {
            Self::S3(store) => store.page(request).await,
            Self::DynamoDb(store) => store.page(request).await,
        }
    }
}

impl DragonWriter for AnyStore {
    async fn is_name_taken(&self, name: &str) -> Result<bool, StoreError> {
        match self {
            Self::S3(store) => store.is_name_taken(name).await,
            Self::DynamoDb(store) => store.is_name_taken(name).await,
        }
    }

    async fn add(&self, dragon: &Dragon, report: &ReportRef) -> Result<Added, AddError> {
        match self {
            Self::S3(store) => store.add(dragon, report).await,
            Self::DynamoDb(store) => store.add(dragon, report).await,
        }
    }
}
