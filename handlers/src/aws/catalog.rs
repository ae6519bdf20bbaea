//! `DragonCatalog`: the writers' view of the data object. Reads it whole, checks
//! that a name is free, and appends a dragon with an S3 conditional write
//! (`If-Match` on the ETag read, `If-None-Match: *` when there is no object yet),
//! re-reading and retrying when another writer got there first.

use std::{
    hash::{BuildHasher, RandomState},
    time::Duration,
};

use aws_sdk_s3::{
    error::{ProvideErrorMetadata, SdkError},
    operation::{get_object::GetObjectError, put_object::PutObjectError},
    primitives::{ByteStream, ByteStreamError},
};

use super::{
    clients::AwsClients,
    location::{DataLocation, LocationError, ParameterNames},
};
use crate::domain::{
    Dragon,
    catalog::{self, CatalogError},
    select_sql::DataFormat,
    validation::Rejection,
};

/// How many read-modify-write rounds one call tries before giving up with
/// [`CatalogFailure::Conflict`] (the state machine then retries the task).
pub const WRITE_ATTEMPTS: u32 = 5;
/// The first retry waits up to this long; each later one up to twice as long.
const BASE_DELAY: Duration = Duration::from_millis(25);

/// Why a catalog operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogFailure {
    /// The dragon may not be added (for example, its name is taken).
    #[error("{0}")]
    Rejected(#[from] Rejection),
    /// Other writers kept changing the object; try again later.
    #[error("the data object kept changing under {attempts} attempts to write it")]
    Conflict {
        /// Rounds tried.
        attempts: u32,
    },
    /// The data location could not be read from SSM.
    #[error("reading the data location failed")]
    Location(#[from] LocationError),
    /// GetObject failed.
    #[error("reading the data object failed")]
    Read(#[source] Box<SdkError<GetObjectError>>),
    /// The body broke off.
    #[error("reading the data object's body failed")]
    Body(#[source] ByteStreamError),
    /// PutObject failed for a reason other than a lost race.
    #[error("writing the data object failed")]
    Write(#[source] Box<SdkError<PutObjectError>>),
    /// The stored data is not a list of dragons.
    #[error("the data object is malformed")]
    Malformed(#[from] CatalogError),
}

/// The object as read: its bytes and the ETag a conditional write must match
/// (`None`: there is no object yet).
#[derive(Debug)]
struct Snapshot {
    data: Vec<u8>,
    etag: Option<String>,
}

/// What [`DragonCatalog::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    /// Read-modify-write rounds it took (1 when no other writer interfered).
    pub attempts: u32,
}

/// Checks and adds dragons. Build it once per container.
#[derive(Debug)]
pub struct DragonCatalog {
    clients: AwsClients,
    parameters: ParameterNames,
}

impl DragonCatalog {
    /// A catalog over the data object the `parameters` name.
    pub fn new(clients: AwsClients, parameters: ParameterNames) -> Self {
        Self {
            clients,
            parameters,
        }
    }

    /// Refuses `name` if a stored dragon has it (case-insensitively).
    pub async fn check_name_free(&self, name: &str) -> Result<(), CatalogFailure> {
        let location = DataLocation::fetch(&self.clients.ssm, &self.parameters).await?;
        let snapshot = self.read(&location).await?;
        ensure_free(&snapshot.data, DataFormat::for_key(&location.key), name)
    }

    /// Appends `dragon` unless its name is taken; never loses a concurrent writer's
    /// dragon, and of two reports of one name only one is added.
    pub async fn add(&self, dragon: &Dragon) -> Result<Added, CatalogFailure> {
        let location = DataLocation::fetch(&self.clients.ssm, &self.parameters).await?;
        let format = DataFormat::for_key(&location.key);
        for attempt in 1..=WRITE_ATTEMPTS {
            let snapshot = self.read(&location).await?;
            ensure_free(&snapshot.data, format, &dragon.dragon_name_str)?;
            let data = catalog::append(snapshot.data, format, dragon)?;
            let put = self
                .clients
                .s3
                .put_object()
                .bucket(&location.bucket)
                .key(&location.key)
                .content_type(content_type(format))
                .body(ByteStream::from(data));
            let put = match snapshot.etag {
                Some(etag) => put.if_match(etag),
                None => put.if_none_match("*"),
            };
            match put.send().await {
                Ok(_) => return Ok(Added { attempts: attempt }),
                Err(error) if lost_race(&error) => {
                    tracing::info!(attempt, "the data object changed while writing; re-reading");
                    tokio::time::sleep(jittered(attempt)).await;
                }
                Err(error) => return Err(CatalogFailure::Write(Box::new(error))),
            }
        }
        Err(CatalogFailure::Conflict {
            attempts: WRITE_ATTEMPTS,
        })
    }

    async fn read(&self, location: &DataLocation) -> Result<Snapshot, CatalogFailure> {
        let answer = self
            .clients
            .s3
            .get_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .send()
            .await;
        let object = match answer {
            Ok(object) => object,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(GetObjectError::is_no_such_key) =>
            {
                return Ok(Snapshot {
                    data: Vec::new(),
                    etag: None,
                });
            }
            Err(error) => return Err(CatalogFailure::Read(Box::new(error))),
        };
        let etag = object.e_tag().map(str::to_owned);
        let data = object
            .body
            .collect()
            .await
            .map_err(CatalogFailure::Body)?
            .to_vec();
        Ok(Snapshot { data, etag })
    }
}

fn ensure_free(data: &[u8], format: DataFormat, name: &str) -> Result<(), CatalogFailure> {
    if catalog::is_taken(data, format, name)? {
        return Err(Rejection::because(format!("a dragon named `{name}` already exists")).into());
    }
    Ok(())
}

fn content_type(format: DataFormat) -> &'static str {
    match format {
        DataFormat::JsonLines => "application/x-ndjson",
        DataFormat::JsonArray => "application/json",
    }
}

/// Whether a conditional write lost to another writer: 412 Precondition Failed, or
/// 409 ConditionalRequestConflict (S3 can answer it to concurrent conditional writes).
fn lost_race(error: &SdkError<PutObjectError>) -> bool {
    let status = error.raw_response().map(|raw| raw.status().as_u16());
    matches!(status, Some(409 | 412))
        || matches!(
            error.code(),
            Some("PreconditionFailed" | "ConditionalRequestConflict")
        )
}

/// Full jitter: a random wait up to `BASE_DELAY * 2^(attempt-1)`.
fn jittered(attempt: u32) -> Duration {
    let ceiling = BASE_DELAY.saturating_mul(1 << attempt.saturating_sub(1).min(8));
    let random = RandomState::new().hash_one(attempt);
    ceiling.mul_f64((random % 1_000) as f64 / 1_000.0)
}
