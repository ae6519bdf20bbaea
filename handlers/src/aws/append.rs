//! The write half of the S3 store: whether a name is taken, and appending a dragon
//! with an S3 conditional write (`If-Match` on the ETag read, `If-None-Match: *` when
//! there is no object yet), re-reading and retrying when another writer got there
//! first. Reads the object whole.

use std::time::Duration;

use aws_sdk_s3::{
    error::{ProvideErrorMetadata, SdkError},
    operation::{get_object::GetObjectError, put_object::PutObjectError},
    primitives::{ByteStream, ByteStreamError},
};
use dragons_contract::{
    DataFormat, Dragon,
    store::{AddError, Added, StoreError},
};
use rand::Rng;

use super::{
    clients::AwsClients,
    location::{DataLocation, LocationError, ParameterNames},
    sdk_error::is_transient,
};
use crate::domain::catalog::{self, CatalogError};

/// How many read-modify-write rounds one call tries before giving up with
/// [`AddError::Conflict`] (the state machine then retries the task).
pub const WRITE_ATTEMPTS: u32 = 5;
/// The first retry waits up to this long; each later one up to twice as long.
const BASE_DELAY: Duration = Duration::from_millis(25);

/// Why reading or writing the data object failed (other than a taken name or a lost
/// race, which are [`AddError`]s of their own).
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
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

impl From<AppendError> for StoreError {
    fn from(error: AppendError) -> Self {
        let transient = match &error {
            AppendError::Location(error) => error.is_transient(),
            AppendError::Read(error) => is_transient(error),
            AppendError::Body(_) => true,
            AppendError::Write(error) => is_transient(error),
            AppendError::Malformed(_) => false,
        };
        Self::classified(transient, error)
    }
}

impl From<AppendError> for AddError {
    fn from(error: AppendError) -> Self {
        Self::Store(error.into())
    }
}

/// The object as read: its bytes and the ETag a conditional write must match
/// (`None`: there is no object yet).
#[derive(Debug)]
struct Snapshot {
    data: Vec<u8>,
    etag: Option<String>,
}

/// Whether a stored dragon has `name`.
pub async fn is_name_taken(
    clients: &AwsClients,
    parameters: &ParameterNames,
    name: &str,
) -> Result<bool, AppendError> {
    let location = DataLocation::fetch(&clients.ssm, parameters).await?;
    let snapshot = read(clients, &location).await?;
    Ok(catalog::is_taken(
        &snapshot.data,
        DataFormat::for_key(&location.key),
        name,
    )?)
}

/// Appends `dragon` unless its name is taken; never loses a concurrent writer's
/// dragon, and of two reports of one name only one is added.
pub async fn add(
    clients: &AwsClients,
    parameters: &ParameterNames,
    dragon: &Dragon,
) -> Result<Added, AddError> {
    let location = DataLocation::fetch(&clients.ssm, parameters)
        .await
        .map_err(AppendError::from)?;
    let format = DataFormat::for_key(&location.key);
    for attempt in 1..=WRITE_ATTEMPTS {
        let snapshot = read(clients, &location).await?;
        if catalog::is_taken(&snapshot.data, format, &dragon.dragon_name_str)
            .map_err(AppendError::from)?
        {
            return Err(AddError::NameTaken(dragon.dragon_name_str.clone()));
        }
        let data = catalog::append(snapshot.data, format, dragon).map_err(AppendError::from)?;
        let put = clients
            .s3
            .put_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .content_type(format.content_type())
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
            Err(error) => return Err(AppendError::Write(Box::new(error)).into()),
        }
    }
    Err(AddError::Conflict {
        attempts: WRITE_ATTEMPTS,
    })
}

async fn read(clients: &AwsClients, location: &DataLocation) -> Result<Snapshot, AppendError> {
    let answer = clients
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
        Err(error) => return Err(AppendError::Read(Box::new(error))),
    };
    let etag = object.e_tag().map(str::to_owned);
    let data = object
        .body
        .collect()
        .await
        .map_err(AppendError::Body)?
        .to_vec();
    Ok(Snapshot { data, etag })
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
    ceiling.mul_f64(rand::thread_rng().gen_range(0.0..1.0))
}
