//! The write half of the S3 store: whether a name is taken, and appending a dragon
//! with an S3 conditional write, the object never held in memory.
//!
//! One round of an add: a ranged GetObject of the last 64 KiB (the size, ETag and
//! writer, and where to insert: [`catalog::append`]); then, unless that was the whole
//! object, a GetObject of the whole object; either streamed through a [`NameFinder`]
//! and, chunk by chunk, into a PutObject of exactly the old length plus the new
//! record, with the record spliced in at its place. The second GET and the PUT name
//! the ETag read first (`If-Match`; `If-None-Match: *` when there is no object yet),
//! so a concurrent writer's dragon is never lost: the loser of a race gets 412 (or
//! 409) and tries another round. A name found taken aborts
//! the PUT before it completes, so S3 stores nothing. Cost per add: about twice the
//! object's size in transfer (one read, one write) and a few small requests; memory:
//! a few chunks.
//!
//! Idempotency: every version the store writes carries the execution that wrote it
//! (`x-amz-meta-dragons-report`). When a retried task finds its dragon's name taken,
//! the store looks at the versions written since the execution started; if one is
//! this execution's, the dragon is its own and the add succeeded.

use std::time::Duration;

use aws_sdk_s3::{
    error::{ProvideErrorMetadata, SdkError},
    operation::{
        get_object::GetObjectError, head_object::HeadObjectError, put_object::PutObjectError,
    },
    primitives::{ByteStream, ByteStreamError, DateTime, DateTimeFormat},
};
use bytes::Bytes;
use dragons_contract::{
    DataFormat, Dragon, ReportRef,
    store::{AddError, Added, StoreError},
};
use rand::Rng;

use super::{channel_body, clients::AwsClients, location::DataLocation, sdk_error::is_transient};
use crate::domain::{
    catalog::{self, Append, CatalogError, NameFinder, TAIL_BYTES},
    records::Flow,
};

/// How many rounds one call tries before giving up with [`AddError::Conflict`] (the
/// state machine then retries the task).
pub const WRITE_ATTEMPTS: u32 = 5;
/// The first retry waits up to this long; each later one up to twice as long.
const BASE_DELAY: Duration = Duration::from_millis(25);
/// The user metadata naming the execution that wrote a version.
pub const REPORT_METADATA: &str = "dragons-report";
/// How many earlier versions a retried add looks at for its own.
const VERSIONS_LOOKED_AT: i32 = 50;
/// Clock skew allowed between Step Functions' start time and S3's.
const CLOCK_SKEW: Duration = Duration::from_secs(300);
/// Chunks that may wait between the read and the write.
const PIPE_DEPTH: usize = 4;

/// Why reading or writing the data object failed (other than a taken name or a lost
/// race, which are [`AddError`]s of their own).
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// HeadObject failed.
    #[error("reading the data object's size failed")]
    Head(#[source] Box<SdkError<HeadObjectError>>),
    /// GetObject failed.
    #[error("reading the data object failed")]
    Read(#[source] Box<SdkError<GetObjectError>>),
    /// The body broke off.
    #[error("reading the data object's body failed")]
    Body(#[source] ByteStreamError),
    /// PutObject failed for a reason other than a lost race.
    #[error("writing the data object failed")]
    Write(#[source] Box<SdkError<PutObjectError>>),
    /// Looking for this report's own earlier write failed.
    #[error("looking for this report's own write failed: {0}")]
    Versions(String),
    /// Other writers kept changing the object while it was read.
    #[error("the data object kept changing while it was read")]
    Changing,
    /// The stored data is not a list of dragons.
    #[error("the data object is malformed")]
    Malformed(#[from] CatalogError),
}

impl AppendError {
    /// Whether S3 was unreachable, slow or throttling: another round may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Head(error) => is_transient(error),
            Self::Read(error) => is_transient(error),
            Self::Body(_) | Self::Versions(_) | Self::Changing => true,
            Self::Write(error) => is_transient(error),
            Self::Malformed(_) => false,
        }
    }
}

impl From<AppendError> for StoreError {
    fn from(error: AppendError) -> Self {
        Self::classified(error.is_transient(), error)
    }
}

impl From<AppendError> for AddError {
    fn from(error: AppendError) -> Self {
        Self::Store(error.into())
    }
}

/// The object as HeadObject saw it.
#[derive(Debug, Clone)]
struct Head {
    size: u64,
    etag: String,
    written_by: Option<String>,
}

/// The object's head, `None` when there is no object yet.
async fn head(clients: &AwsClients, location: &DataLocation) -> Result<Option<Head>, AppendError> {
    let answer = clients
        .s3
        .head_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .send()
        .await;
    match answer {
        Ok(object) => Ok(Some(Head {
            size: object
                .content_length()
                .map_or(0, |length| u64::try_from(length).unwrap_or(0)),
            etag: object.e_tag().unwrap_or_default().to_owned(),
            written_by: object
                .metadata()
                .and_then(|metadata| metadata.get(REPORT_METADATA))
                .cloned(),
        })),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(HeadObjectError::is_not_found) =>
        {
            Ok(None)
        }
        Err(error) => Err(AppendError::Head(Box::new(error))),
    }
}

/// The object's bytes from `range` (an HTTP range, or all), if it still has `etag`
/// (`Ok(None)`: it changed).
async fn read(
    clients: &AwsClients,
    location: &DataLocation,
    etag: &str,
    range: Option<String>,
) -> Result<Option<ByteStream>, AppendError> {
    let answer = clients
        .s3
        .get_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .if_match(etag)
        .set_range(range)
        .send()
        .await;
    match answer {
        Ok(object) => Ok(Some(object.body)),
        Err(error) if lost_race_status(error.raw_response().map(|raw| raw.status().as_u16())) => {
            Ok(None)
        }
        Err(error) => Err(AppendError::Read(Box::new(error))),
    }
}

/// Whether a stored dragon has `name`'s key.
pub async fn is_name_taken(
    clients: &AwsClients,
    location: &DataLocation,
    name: &str,
) -> Result<bool, AppendError> {
    let format = DataFormat::for_key(&location.key);
    for _ in 0..WRITE_ATTEMPTS {
        let Some(head) = head(clients, location).await? else {
            return Ok(false);
        };
        let Some(mut body) = read(clients, location, &head.etag, None).await? else {
            continue;
        };
        let mut finder = NameFinder::new(name, format);
        while let Some(chunk) = body.try_next().await.map_err(AppendError::Body)? {
            if finder.push(&chunk)? == Flow::Stop {
                return Ok(true);
            }
        }
        return Ok(finder.finish()?.is_some());
    }
    Err(AppendError::Changing)
}

/// What one round of an add came to.
enum Round {
    /// The dragon is stored.
    Written,
    /// Its name was taken, by this report's own earlier write or not.
    Taken { ours: bool },
    /// Another writer changed the object meanwhile.
    LostRace,
}

/// Appends `dragon` unless its name is taken; never loses a concurrent writer's
/// dragon; of two reports of one name only one is added; a report that already added
/// it is told so.
pub async fn add(
    clients: &AwsClients,
    location: &DataLocation,
    dragon: &Dragon,
    report: &ReportRef,
) -> Result<Added, AddError> {
    for attempt in 1..=WRITE_ATTEMPTS {
        let outcome = match round(clients, location, dragon, report).await {
            // A streamed write cannot be resent by the SDK: a transient failure gets
            // another round, which is safe, since a write that did land is this
            // report's own and the next round sees it.
            Err(error) if error.is_transient() && attempt < WRITE_ATTEMPTS => {
                tracing::warn!(attempt, error = %crate::logging::error_chain(&error), "a write round failed; trying again");
                tokio::time::sleep(jittered(attempt)).await;
                continue;
            }
            outcome => outcome?,
        };
        match outcome {
            Round::Written => {
                return Ok(Added {
                    attempts: attempt,
                    replayed: false,
                });
            }
            Round::Taken { ours: true } => {
                return Ok(Added {
                    attempts: attempt,
                    replayed: true,
                });
            }
            Round::Taken { ours: false } => {
                return Err(AddError::NameTaken(dragon.dragon_name_str.clone()));
            }
            Round::LostRace => {
                tracing::info!(
                    attempt,
                    "the data object changed while writing; reading it again"
                );
                tokio::time::sleep(jittered(attempt)).await;
            }
        }
    }
    Err(AddError::Conflict {
        attempts: WRITE_ATTEMPTS,
    })
}

async fn round(
    clients: &AwsClients,
    location: &DataLocation,
    dragon: &Dragon,
    report: &ReportRef,
) -> Result<Round, AppendError> {
    let format = DataFormat::for_key(&location.key);
    let Some(tail) = tail(clients, location).await? else {
        let plan = catalog::append(format, 0, b"", dragon)?;
        let length = plan.insert.len() as u64;
        let body = ByteStream::from(plan.insert);
        return put(clients, location, format, None, report, body, length).await;
    };
    if tail.head.written_by.as_deref() == Some(report.id.as_str()) {
        // The last write was this report's own: a retry after it succeeded.
        return Ok(Round::Taken { ours: true });
    }
    let size = tail.head.size;
    let plan = catalog::append(format, size, &tail.bytes, dragon)?;
    let length = size + plan.insert.len() as u64;
    let etag = tail.head.etag;
    let current = if tail.bytes.len() as u64 == size {
        // The tail is the whole object: nothing more to read.
        ByteStream::from(tail.bytes)
    } else {
        match read(clients, location, &etag, None).await? {
            Some(current) => current,
            None => return Ok(Round::LostRace),
        }
    };
    let (sender, body) = channel_body::channel(length, PIPE_DEPTH);
    let finder = NameFinder::new(&dragon.dragon_name_str, format);
    let pipe = pipe(current, finder, plan, sender);
    let write = put(clients, location, format, Some(&etag), report, body, length);
    let (piped, written) = tokio::join!(pipe, write);
    match piped? {
        Piped::Whole => written,
        Piped::NameFound => Ok(Round::Taken {
            ours: written_by(clients, location, report).await?,
        }),
    }
}

/// The object's last bytes, and its head as that read saw it.
struct Tail {
    head: Head,
    bytes: Vec<u8>,
}

/// The last [`TAIL_BYTES`] of the object (all of a smaller one) with its size, ETag
/// and writer, in one ranged GetObject; `None` when there is no object yet.
async fn tail(clients: &AwsClients, location: &DataLocation) -> Result<Option<Tail>, AppendError> {
    let answer = clients
        .s3
        .get_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .range(format!("bytes=-{TAIL_BYTES}"))
        .send()
        .await;
    let object = match answer {
        Ok(object) => object,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(GetObjectError::is_no_such_key) =>
        {
            return Ok(None);
        }
        // An empty object has no last bytes to range over.
        Err(error)
            if error
                .raw_response()
                .is_some_and(|raw| raw.status().as_u16() == 416) =>
        {
            return Ok(head(clients, location).await?.map(|head| Tail {
                head,
                bytes: Vec::new(),
            }));
        }
        Err(error) => return Err(AppendError::Read(Box::new(error))),
    };
    let content_length = object
        .content_length()
        .map_or(0, |length| u64::try_from(length).unwrap_or(0));
    let size = object
        .content_range()
        .and_then(|range| range.rsplit_once('/'))
        .and_then(|(_, total)| total.parse().ok())
        .unwrap_or(content_length);
    let head = Head {
        size,
        etag: object.e_tag().unwrap_or_default().to_owned(),
        written_by: object
            .metadata()
            .and_then(|metadata| metadata.get(REPORT_METADATA))
            .cloned(),
    };
    let bytes = object
        .body
        .collect()
        .await
        .map_err(AppendError::Body)?
        .to_vec();
    Ok(Some(Tail { head, bytes }))
}

/// How the read ended.
enum Piped {
    /// The whole object (and the new record) went to the write.
    Whole,
    /// A stored dragon has the name: the write was aborted.
    NameFound,
}

/// The error sent down the pipe to abort the write.
#[derive(Debug, thiserror::Error)]
#[error("the append was abandoned: {0}")]
struct Abandoned(&'static str);

/// Streams `current` through `finder` into `sender`, splicing `plan` in at its place;
/// aborts the write (an error down the pipe) on a taken name or malformed data.
async fn pipe(
    mut current: ByteStream,
    mut finder: NameFinder,
    plan: Append,
    sender: channel_body::BodySender,
) -> Result<Piped, AppendError> {
    let abort = |sender: &channel_body::BodySender, why: &'static str| {
        // The write may have failed already; then there is no one left to tell.
        let _ = sender.try_send(Err(Box::new(Abandoned(why))));
    };
    let mut offset = 0_u64;
    let mut insert = Some(Bytes::from(plan.insert));
    loop {
        let chunk = match current.try_next().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) => {
                abort(&sender, "the read broke off");
                return Err(AppendError::Body(error));
            }
        };
        match finder.push(&chunk) {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => {
                abort(&sender, "the name is taken");
                return Ok(Piped::NameFound);
            }
            Err(error) => {
                abort(&sender, "the data is malformed");
                return Err(error.into());
            }
        }
        let end = offset + chunk.len() as u64;
        let mut pieces = vec![chunk];
        if insert.is_some() && (offset..end).contains(&plan.at) {
            let (before, after) = {
                let whole = pieces.remove(0);
                let split = usize::try_from(plan.at - offset).unwrap_or(whole.len());
                (whole.slice(..split), whole.slice(split..))
            };
            pieces = [Some(before), insert.take(), Some(after)]
                .into_iter()
                .flatten()
                .collect();
        }
        offset = end;
        for piece in pieces.into_iter().filter(|piece| !piece.is_empty()) {
            if sender.send(Ok(piece)).await.is_err() {
                // The write ended early (it failed): its answer says why.
                return Ok(Piped::Whole);
            }
        }
    }
    match finder.finish() {
        Ok(Some(_)) => {
            abort(&sender, "the name is taken");
            return Ok(Piped::NameFound);
        }
        Ok(None) => {}
        Err(error) => {
            abort(&sender, "the data is malformed");
            return Err(error.into());
        }
    }
    if let Some(insert) = insert.take() {
        // Appended at the very end.
        let _ = sender.send(Ok(insert)).await;
    }
    Ok(Piped::Whole)
}

/// Writes `body` (`length` bytes) if the object still has `etag` (`None`: if there is
/// no object yet), recording `report` as its writer.
async fn put(
    clients: &AwsClients,
    location: &DataLocation,
    format: DataFormat,
    etag: Option<&str>,
    report: &ReportRef,
    body: ByteStream,
    length: u64,
) -> Result<Round, AppendError> {
    let put = clients
        .s3
        .put_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .content_type(format.content_type())
        .metadata(REPORT_METADATA, &report.id)
        .body(body);
    let put = put.content_length(i64::try_from(length).unwrap_or(i64::MAX));
    let put = match etag {
        Some(etag) => put.if_match(etag),
        None => put.if_none_match("*"),
    };
    match put.send().await {
        Ok(_) => Ok(Round::Written),
        Err(error) if lost_race(&error) => Ok(Round::LostRace),
        Err(error) => Err(AppendError::Write(Box::new(error))),
    }
}

/// Whether one of the versions written since `report` started is its own.
async fn written_by(
    clients: &AwsClients,
    location: &DataLocation,
    report: &ReportRef,
) -> Result<bool, AppendError> {
    let since = DateTime::from_str(&report.submitted_at, DateTimeFormat::DateTimeWithOffset)
        .or_else(|_| DateTime::from_str(&report.submitted_at, DateTimeFormat::DateTime))
        .map_err(|error| AppendError::Versions(format!("the report's start time: {error}")))?;
    let since = since.secs() - i64::try_from(CLOCK_SKEW.as_secs()).unwrap_or(0);
    let versions = clients
        .s3
        .list_object_versions()
        .bucket(&location.bucket)
        .prefix(&location.key)
        .max_keys(VERSIONS_LOOKED_AT)
        .send()
        .await
        .map_err(|error| AppendError::Versions(error.to_string()))?;
    for version in versions.versions() {
        if version.key() != Some(location.key.as_str()) {
            continue;
        }
        if version
            .last_modified()
            .is_some_and(|modified| modified.secs() < since)
        {
            break;
        }
        // An unversioned object's only version ("null") is the current one, whose
        // writer the round read already.
        let Some(id) = version.version_id().filter(|id| *id != "null") else {
            continue;
        };
        let object = clients
            .s3
            .head_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .version_id(id)
            .send()
            .await
            .map_err(|error| AppendError::Versions(error.to_string()))?;
        if object
            .metadata()
            .and_then(|metadata| metadata.get(REPORT_METADATA))
            .is_some_and(|writer| *writer == report.id)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lost_race_status(status: Option<u16>) -> bool {
    matches!(status, Some(409 | 412))
}

/// Whether a conditional write lost to another writer: 412 Precondition Failed, or
/// 409 ConditionalRequestConflict (S3 can answer it to concurrent conditional writes).
fn lost_race(error: &SdkError<PutObjectError>) -> bool {
    lost_race_status(error.raw_response().map(|raw| raw.status().as_u16()))
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
