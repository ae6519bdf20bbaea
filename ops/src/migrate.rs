//! Moving a stack's dragons between its two stores, never losing or replacing one.
//!
//! - [`to_table`] copies the S3 object (one version of it, a page at a time) into the
//!   DynamoDB table with one conditional PutItem per dragon: a dragon the table already
//!   holds is left as it is (counted as already there, or as a conflict when the
//!   table's differs). A checkpoint file records where the copy is after each page,
//!   so an interrupted copy resumes there; a rerun without one adds nothing twice.
//! - [`to_object`] exports the table into the object at the stack's data key, in the
//!   key's format: every dragon of the table, then every dragon of the current object
//!   the table lacks. The new object replaces the old one only if nobody wrote it in
//!   the meantime; an interrupted export changes nothing.
//!
//! Memory stays at a page of records (and one upload part), whatever the data's size.

use std::path::{Path, PathBuf};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use dragons_contract::{
    DataFormat, Dragon, DragonQuery, name,
    page::{Cursor, MAX_PAGE_LIMIT},
    store::{DragonReader, PageError, PageRequest, StoreError},
};
use futures_util::{StreamExt, stream};
use handlers::{
    aws::{DataLocation, DynamoStore, S3Store, dynamo::Inserted, location::LocationError},
    domain::validation::DragonValidator,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::object_writer::{ObjectWriter, Replaces, WriteError};

/// What a migration did, so far or in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Records read from the source.
    pub read: u64,
    /// Dragons written to the destination.
    pub written: u64,
    /// Dragons the destination already held, equal in value.
    pub already_there: u64,
    /// Names the destination holds with another dragon (the destination's is kept).
    pub conflicts: u64,
    /// Records of the source that are not valid dragons.
    pub invalid: u64,
}

impl Tally {
    /// Whether every record read is now in the destination as it was in the source.
    pub fn is_clean(&self) -> bool {
        self.conflicts == 0 && self.invalid == 0
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} read: {} written, {} already there, {} conflicts, {} invalid",
            self.read, self.written, self.already_there, self.conflicts, self.invalid
        )
    }
}

/// What a migration tells its operator as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A page is done: the totals so far.
    Progress(&'a Tally),
    /// The destination holds another dragon of that name: `kept` stays, `source` was
    /// not copied.
    Conflict {
        /// The destination's dragon.
        kept: &'a Dragon,
        /// The source's dragon of the same name key.
        source: &'a Dragon,
    },
    /// A record of the source is not a valid dragon.
    Invalid {
        /// The record.
        record: &'a Value,
        /// Why not.
        reason: String,
    },
}

/// Why a migration stopped.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// A store failed (the copy can be run again: it resumes or adds nothing twice).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The checkpoint names a place the data no longer has.
    #[error(
        "the checkpoint {path} does not fit the data ({why}); delete it to copy from the start"
    )]
    StaleCheckpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// Why not.
        why: &'static str,
    },
    /// The checkpoint file could not be read or written.
    #[error("checkpoint {path}: {message}")]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The data location could not be read from SSM.
    #[error("reading the data location from SSM failed")]
    Location(#[from] LocationError),
    /// Looking at the current object failed.
    #[error("reading s3://{bucket}/{key} failed: {message}")]
    Head {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// What S3 said.
        message: String,
    },
    /// Writing the exported object failed (the old object is unchanged).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The validator could not be built.
    #[error("building the dragon validator failed: {0}")]
    Validator(String),
}

/// Where a copy to the table is: saved after every page.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Saved {
    /// The source's cursor after the last page copied (URL-safe base64).
    after: Option<String>,
    /// What was done up to there.
    tally: Tally,
    /// Whether the copy reached the end of the data.
    #[serde(default)]
    finished: bool,
}

/// A checkpoint file (or none: the copy then starts from the beginning every time).
struct Checkpoint<'a> {
    path: Option<&'a Path>,
}

impl Checkpoint<'_> {
    fn failed(&self, message: impl ToString) -> MigrateError {
        MigrateError::Checkpoint {
            path: self.path.map(Path::to_path_buf).unwrap_or_default(),
            message: message.to_string(),
        }
    }

    fn load(&self) -> Result<Saved, MigrateError> {
        let Some(path) = self.path else {
            return Ok(Saved::default());
        };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| self.failed(error)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Saved::default()),
            Err(error) => Err(self.failed(error)),
        }
    }

    /// Replaces the file at once (written aside, then renamed over it).
    fn save(&self, saved: &Saved) -> Result<(), MigrateError> {
        let Some(path) = self.path else {
            return Ok(());
        };
        let aside = path.with_extension("partial");
        let bytes = serde_json::to_vec_pretty(saved).map_err(|error| self.failed(error))?;
        std::fs::write(&aside, bytes).map_err(|error| self.failed(error))?;
        std::fs::rename(&aside, path).map_err(|error| self.failed(error))
    }
}

/// Reads pages of records from a store, from `after`.
struct Walk<'a, R> {
    store: &'a R,
    what: &'static str,
    after: Option<Cursor>,
    done: bool,
}

impl<'a, R: DragonReader> Walk<'a, R> {
    fn new(store: &'a R, what: &'static str, after: Option<Cursor>) -> Self {
        Self {
            store,
            what,
            after,
            done: false,
        }
    }

    /// The next page's records (`None`: the walk is over).
    async fn next(&mut self) -> Result<Option<Vec<Value>>, PageError> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .store
            .page(PageRequest {
                query: &DragonQuery::default(),
                limit: MAX_PAGE_LIMIT,
                after: self.after.as_ref(),
            })
            .await?;
        let records: Vec<Value> = serde_json::from_slice(&page.body).map_err(|_| {
            StoreError::failed(format!("a page of the {} is not a JSON array", self.what))
        })?;
        self.done = page.next.is_none();
        self.after = page.next;
        Ok(Some(records))
    }
}

/// Copies the object into the table, `concurrency` writes at a time, resuming from
/// `checkpoint` when it names a file that holds one (a finished one: nothing to do,
/// its totals are the answer).
pub async fn to_table(
    object: &S3Store,
    table: &DynamoStore,
    checkpoint: Option<&Path>,
    concurrency: usize,
    report: &mut impl FnMut(Event<'_>),
) -> Result<Tally, MigrateError> {
    let validator =
        DragonValidator::new().map_err(|error| MigrateError::Validator(error.to_string()))?;
    let checkpoint = Checkpoint { path: checkpoint };
    let mut saved = checkpoint.load()?;
    let stale = |why| MigrateError::StaleCheckpoint {
        path: checkpoint.path.map(Path::to_path_buf).unwrap_or_default(),
        why,
    };
    let after = match &saved.after {
        Some(text) => Some(Cursor(
            URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| stale("it holds no cursor"))?,
        )),
        None => None,
    };
    if saved.finished {
        return Ok(saved.tally);
    }
    let mut walk = Walk::new(object, "data object", after);
    loop {
        let records = match walk.next().await {
            Ok(Some(records)) => records,
            Ok(None) => break,
            Err(PageError::Cursor(why)) => return Err(stale(why)),
            Err(PageError::Store(error)) => return Err(error.into()),
        };
        let mut dragons = Vec::with_capacity(records.len());
        for record in &records {
            saved.tally.read += 1;
            match validator.validate(record) {
                Ok(dragon) => dragons.push(dragon),
                Err(rejection) => {
                    saved.tally.invalid += 1;
                    report(Event::Invalid {
                        record,
                        reason: rejection.to_string(),
                    });
                }
            }
        }
        let outcomes: Vec<(Dragon, Result<Inserted, StoreError>)> = stream::iter(dragons)
            .map(|dragon| async move {
                let outcome = table.insert_absent(&dragon).await;
                (dragon, outcome)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        for (dragon, outcome) in outcomes {
            match outcome? {
                Inserted::New => saved.tally.written += 1,
                Inserted::AlreadyThere => saved.tally.already_there += 1,
                Inserted::Conflict(kept) => {
                    saved.tally.conflicts += 1;
                    report(Event::Conflict {
                        kept: &kept,
                        source: &dragon,
                    });
                }
            }
        }
        saved.after = walk
            .after
            .as_ref()
            .map(|cursor| URL_SAFE_NO_PAD.encode(&cursor.0));
        saved.finished = walk.done;
        checkpoint.save(&saved)?;
        report(Event::Progress(&saved.tally));
    }
    Ok(saved.tally)
}

/// Writes records in `format`: lines, or one array document.
struct Records {
    writer: ObjectWriter,
    format: DataFormat,
    first: bool,
}

impl Records {
    async fn push(&mut self, record: &Value) -> Result<(), MigrateError> {
        // A `Value` always serializes.
        let bytes = serde_json::to_vec(record).unwrap_or_default();
        let before: &[u8] = match (self.format, self.first) {
            (DataFormat::JsonLines, _) => b"",
            (DataFormat::JsonArray, true) => b"[\n",
            (DataFormat::JsonArray, false) => b",\n",
        };
        self.first = false;
        self.writer.write(before).await?;
        self.writer.write(&bytes).await?;
        if self.format == DataFormat::JsonLines {
            self.writer.write(b"\n").await?;
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<Option<String>, MigrateError> {
        if self.format == DataFormat::JsonArray {
            let end: &[u8] = if self.first { b"[]\n" } else { b"\n]\n" };
            self.writer.write(end).await?;
        }
        Ok(self.writer.finish().await?)
    }

    async fn abort(mut self) {
        self.writer.abort().await;
    }
}

/// Exports the table into the object at `location` (read through `object`); the new
/// object's version ID.
pub async fn to_object(
    table: &DynamoStore,
    object: &S3Store,
    s3: &aws_sdk_s3::Client,
    location: &DataLocation,
    report: &mut impl FnMut(Event<'_>),
) -> Result<(Tally, Option<String>), MigrateError> {
    let head = s3
        .head_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .send()
        .await;
    let replaces = match head {
        Ok(head) => Replaces::Etag(head.e_tag.unwrap_or_default()),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => {
            Replaces::Nothing
        }
        Err(error) => {
            return Err(MigrateError::Head {
                bucket: location.bucket.clone(),
                key: location.key.clone(),
                message: aws_sdk_s3::error::DisplayErrorContext(&error).to_string(),
            });
        }
    };
    let format = DataFormat::for_key(&location.key);
    let mut out = Records {
        writer: ObjectWriter::new(
            s3.clone(),
            &location.bucket,
            &location.key,
            format.content_type(),
            replaces.clone(),
        ),
        format,
        first: true,
    };
    let mut tally = Tally::default();
    let exported = export(table, object, &replaces, &mut out, &mut tally, report).await;
    match exported {
        Ok(()) => Ok((tally, out.finish().await?)),
        Err(error) => {
            out.abort().await;
            Err(error)
        }
    }
}

async fn export(
    table: &DynamoStore,
    object: &S3Store,
    replaces: &Replaces,
    out: &mut Records,
    tally: &mut Tally,
    report: &mut impl FnMut(Event<'_>),
) -> Result<(), MigrateError> {
    let page_failed = |error: PageError| match error {
        PageError::Store(error) => MigrateError::Store(error),
        PageError::Cursor(why) => MigrateError::Store(StoreError::failed(why)),
    };
    let mut walk = Walk::new(table, "table", None);
    while let Some(records) = walk.next().await.map_err(page_failed)? {
        for record in &records {
            tally.read += 1;
            out.push(record).await?;
            tally.written += 1;
        }
        report(Event::Progress(tally));
    }
    if *replaces == Replaces::Nothing {
        return Ok(());
    }
    // The object's dragons the table lacks (a dragon added to the object after the
    // stack moved to the table, or one the table refused as a conflict).
    let validator =
        DragonValidator::new().map_err(|error| MigrateError::Validator(error.to_string()))?;
    let mut walk = Walk::new(object, "data object", None);
    while let Some(records) = walk.next().await.map_err(page_failed)? {
        let mut dragons = Vec::with_capacity(records.len());
        for record in &records {
            tally.read += 1;
            match validator.validate(record) {
                Ok(dragon) => dragons.push((record, dragon)),
                Err(rejection) => {
                    // Kept as it is: an export never drops a record.
                    tally.invalid += 1;
                    report(Event::Invalid {
                        record,
                        reason: rejection.to_string(),
                    });
                    out.push(record).await?;
                    tally.written += 1;
                }
            }
        }
        let keys: Vec<String> = dragons
            .iter()
            .map(|(_, dragon)| name::key(&dragon.dragon_name_str))
            .collect();
        let held = table.get_many(&keys).await?;
        for ((record, dragon), key) in dragons.iter().zip(&keys) {
            match held.get(key) {
                None => {
                    out.push(record).await?;
                    tally.written += 1;
                }
                Some(kept) if kept == dragon => tally.already_there += 1,
                Some(kept) => {
                    tally.conflicts += 1;
                    report(Event::Conflict {
                        kept,
                        source: dragon,
                    });
                }
            }
        }
        report(Event::Progress(tally));
    }
    Ok(())
}
