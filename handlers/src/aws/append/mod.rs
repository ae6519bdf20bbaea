//! The write half of the S3 store: whether a name is taken, and appending a dragon,
//! in a number of requests and bytes that does not grow with the data object.
//!
//! **Appending.** One round of an add reads the object's last 64 KiB (its size, ETag,
//! lineage and where to insert: [`catalog::append`]). Past S3's 5 MiB part minimum
//! the object is rebuilt on S3's side: CreateMultipartUpload, UploadPartCopy of its
//! bytes up to the insert (parts of at most 5 GiB, `CopySourceIfMatch` the ETag read),
//! UploadPart of the new record followed by the bytes after it (an array's closing
//! `]`), CompleteMultipartUpload with `If-Match` the ETag read; only one record passes
//! through the function. Below it, a GetObject and a PutObject of the whole (at most
//! 5 MiB) with `If-Match`; `If-None-Match: *` when there is no object. A lost race
//! (412, or 409 under concurrency) starts another round, so no writer's dragon is
//! ever lost; an upload that does not complete is aborted (and the bucket's lifecycle
//! aborts any an interrupted function leaves).
//!
//! **Names** ([`name_index`], [`name_claim`]). Before its append can land, an add
//! claims its dragon's name key with a marker (`If-None-Match: *`) holding the report,
//! the bytes it appends, where, and the ETag they are conditional on. Which name is
//! taken is read, by Validate and Add alike (one function, `look_up`), from:
//! the marker of the name in the object's lineage, when there is one (taken if its
//! claimed bytes are in the current version: one ranged read, usually inside the tail
//! already read); otherwise the base the lineage began with (one shard of its index,
//! a few KiB; a scan of the whole object when the data was loaded by other means than
//! `upload-data`, as before this index existed). Under concurrency: two adds of one
//! name both find no marker, and only one `If-None-Match: *` succeeds; the other sees
//! the winner's claim, waits while it may still land and is refused once it has. A
//! crash between marker and append leaves a claim that has not landed: its own
//! report's retry claims again; another report waits, and claims the name once the
//! claim can no longer land (the object moved on from its ETag) or after
//! [`LEASE`](name_claim::LEASE). So a name is never taken without its dragon in the
//! object, and a report whose append landed is never told its name is taken: its
//! retry, after any number of versions, reads its own bytes back where it claimed them.

mod calls;
mod s3_calls;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

use std::{ops::Range, time::Duration};

pub use calls::{CallError, Condition, ObjectCalls, ObjectMeta, Outcome, Scanned, Stored, Tail};
use dragons_contract::{
    DataFormat, Dragon, ReportRef, name,
    store::{AddError, Added, StoreError},
};
use rand::Rng;
pub use s3_calls::S3Calls;

use crate::domain::{
    catalog::{self, Append, CatalogError, NameFinder, TAIL_BYTES},
    name_claim::{self, Claim, Decision, MalformedClaim},
    name_index::{self, Base, Lineage, MalformedShard},
};

/// How many rounds one call tries before giving up with [`AddError::Conflict`] (the
/// state machine then retries the task).
pub const WRITE_ATTEMPTS: u32 = 5;
/// The first retry waits up to this long; each later one up to twice as long.
const BASE_DELAY: Duration = Duration::from_millis(25);
/// S3's smallest part (all but the last): below it, an add rewrites the object.
pub const MIN_PART: u64 = 5 * 1024 * 1024;
/// S3's largest part, and the largest range one UploadPartCopy copies.
pub const MAX_PART: u64 = 5 * 1024 * 1024 * 1024;
/// The largest shard of the names index read (ours hold ~512 keys, a few KiB).
const MAX_SHARD_BYTES: u64 = 1024 * 1024;
/// The `Content-Type` of markers.
const MARKER_TYPE: &str = "application/json";

/// Why reading or writing the data object failed (other than a taken name or a lost
/// race, which are [`AddError`]s of their own).
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// An S3 request failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The stored data is not a list of dragons.
    #[error("the data object is malformed")]
    Malformed(#[from] CatalogError),
    /// A name marker is not a claim.
    #[error(transparent)]
    Claim(#[from] MalformedClaim),
    /// A shard of the names index is not one.
    #[error(transparent)]
    Shard(#[from] MalformedShard),
    /// Other writers kept changing the object while it was read.
    #[error("the data object kept changing while it was read")]
    Changing,
}

impl AppendError {
    /// Whether S3 was unreachable, slow or throttling: another round may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Call(error) => error.transient,
            Self::Changing => true,
            Self::Malformed(_) | Self::Claim(_) | Self::Shard(_) => false,
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

/// What one round of an add came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    /// The dragon is stored.
    Written,
    /// Its name was taken, by this report's own earlier write or not.
    Taken { ours: bool },
    /// Another writer changed the object (or claimed the name) meanwhile.
    LostRace,
}

/// What a version of the object says of a name key.
#[derive(Debug)]
enum Lookup {
    /// The object changed while it was read: nothing was decided.
    Changed,
    /// No marker: whether the lineage's base holds the name.
    Base(bool),
    /// A marker, and whether its claimed bytes are in this version.
    Claimed {
        claim: Claim,
        landed: bool,
        marker: Stored,
    },
}

impl Lookup {
    /// Whether a stored dragon has the name: the one notion of "taken".
    fn is_taken(&self) -> bool {
        matches!(self, Self::Base(true) | Self::Claimed { landed: true, .. })
    }
}

/// The data object at `key`, as the writers see it through `calls`.
#[derive(Debug)]
pub struct DataObject<'a, C> {
    calls: &'a C,
    key: &'a str,
    format: DataFormat,
}

impl<'a, C: ObjectCalls> DataObject<'a, C> {
    /// The object at `key` (its format from the key).
    pub fn new(calls: &'a C, key: &'a str) -> Self {
        Self {
            calls,
            key,
            format: DataFormat::for_key(key),
        }
    }

    /// Whether a stored dragon has `name`'s key.
    pub async fn is_name_taken(&self, name: &str) -> Result<bool, AppendError> {
        let name_key = name::key(name);
        for _ in 0..WRITE_ATTEMPTS {
            let Some(tail) = self.calls.tail(self.key, TAIL_BYTES).await? else {
                return Ok(false);
            };
            match self
                .look_up(&tail, tail.lineage.as_ref(), &name_key)
                .await?
            {
                Lookup::Changed => {}
                lookup => return Ok(lookup.is_taken()),
            }
        }
        Err(AppendError::Changing)
    }

    /// Appends `dragon` unless its name is taken; never loses a concurrent writer's
    /// dragon; of two reports of one name only one is added; a report that already
    /// added it is told so.
    pub async fn add(&self, dragon: &Dragon, report: &ReportRef) -> Result<Added, AddError> {
        for attempt in 1..=WRITE_ATTEMPTS {
            let outcome = match self.round(dragon, report).await {
                // Safe to try again: a write that did land is this report's own, and
                // the next round reads its claim back.
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
                        "the data object or the name's marker changed while writing; reading them again"
                    );
                    tokio::time::sleep(jittered(attempt)).await;
                }
            }
        }
        Err(AddError::Conflict {
            attempts: WRITE_ATTEMPTS,
        })
    }

    /// What the version `tail` of the object (of `lineage`: `None` when it names none)
    /// says of `name_key`: its marker, or else the base (one index shard, or a scan).
    async fn look_up(
        &self,
        tail: &Tail,
        lineage: Option<&Lineage>,
        name_key: &str,
    ) -> Result<Lookup, AppendError> {
        let Some(lineage) = lineage else {
            // No lineage, so no markers: the names are in the object only.
            return self.scan(tail, name_key).await;
        };
        let marker_key = lineage.marker_key(self.key, name_key);
        let marker = self.calls.get(&marker_key, name_claim::MAX_CLAIM_BYTES);
        let (marker, base) = match lineage.shard_key(self.key, name_key) {
            // Both small reads at once: the shard is needed whenever there is no marker.
            Some(shard) => {
                let (marker, shard) = tokio::join!(marker, self.calls.get(&shard, MAX_SHARD_BYTES));
                (marker?, Some(shard?))
            }
            None => (marker.await?, None),
        };
        if let Some(marker) = marker {
            let claim = Claim::decode(&marker.body)?;
            return Ok(match self.landed(&claim, tail).await? {
                Some(landed) => Lookup::Claimed {
                    claim,
                    landed,
                    marker,
                },
                None => Lookup::Changed,
            });
        }
        match (lineage.base, base) {
            (Base::Empty, _) => Ok(Lookup::Base(false)),
            (Base::Shards { .. }, Some(Some(shard))) => Ok(Lookup::Base(name_index::shard_holds(
                &shard.body,
                name_key,
            )?)),
            (Base::Shards { .. }, _) => {
                tracing::warn!(
                    lineage = %lineage.id,
                    "a shard of the names index is missing; scanning the data object instead (load the data again with upload-data)"
                );
                self.scan(tail, name_key).await
            }
            (Base::Scan, _) => self.scan(tail, name_key).await,
        }
    }

    /// Whether a record has `name_key` in the version `tail` (all of it read).
    async fn scan(&self, tail: &Tail, name_key: &str) -> Result<Lookup, AppendError> {
        if tail.bytes.len() as u64 == tail.size && tail.bytes.trim_ascii().is_empty() {
            // Nothing but white space: no records (and no array to read yet).
            return Ok(Lookup::Base(false));
        }
        let etag = &tail.etag;
        let finder = NameFinder::new(name_key, self.format);
        match self.calls.scan(self.key, etag, finder).await? {
            Scanned::Changed => Ok(Lookup::Changed),
            Scanned::Found => Ok(Lookup::Base(true)),
            Scanned::Absent => Ok(Lookup::Base(false)),
            Scanned::Malformed(error) => Err(error.into()),
        }
    }

    /// Whether `claim`'s bytes are in the version `tail` (`None`: it changed).
    async fn landed(&self, claim: &Claim, tail: &Tail) -> Result<Option<bool>, AppendError> {
        let range = claim.range();
        if range.end > tail.size {
            return Ok(Some(false));
        }
        let tail_start = tail.size - tail.bytes.len() as u64;
        if range.start >= tail_start {
            let start = usize::try_from(range.start - tail_start).unwrap_or(usize::MAX);
            let end = usize::try_from(range.end - tail_start).unwrap_or(usize::MAX);
            return Ok(Some(
                tail.bytes
                    .get(start..end)
                    .is_some_and(|bytes| claim.is(bytes)),
            ));
        }
        Ok(self
            .calls
            .read(self.key, &tail.etag, range)
            .await?
            .map(|bytes| claim.is(&bytes)))
    }

    async fn round(&self, dragon: &Dragon, report: &ReportRef) -> Result<Round, AppendError> {
        let name_key = name::key(&dragon.dragon_name_str);
        let Some(tail) = self.calls.tail(self.key, TAIL_BYTES).await? else {
            return self.create(dragon, report, &name_key).await;
        };
        let condition = match self
            .look_up(&tail, tail.lineage.as_ref(), &name_key)
            .await?
        {
            Lookup::Changed => return Ok(Round::LostRace),
            Lookup::Base(true) => return Ok(Round::Taken { ours: false }),
            Lookup::Base(false) => Condition::IfNoneMatch,
            Lookup::Claimed {
                claim,
                landed,
                marker,
            } => match name_claim::decide(&claim, &report.id, landed, Some(&tail.etag), marker.age)
            {
                Decision::Replayed => return Ok(Round::Taken { ours: true }),
                Decision::Taken => return Ok(Round::Taken { ours: false }),
                Decision::Wait => {
                    tracing::info!(report = %claim.report, "another report is adding this name");
                    return Ok(Round::LostRace);
                }
                Decision::Claim => Condition::IfMatch(marker.etag),
            },
        };
        // An object that names no lineage starts one here (its names are scanned).
        let lineage = tail
            .lineage
            .clone()
            .unwrap_or_else(|| Lineage::mint(Base::Scan));
        let plan = catalog::append(self.format, tail.size, &tail.bytes, dragon)?;
        let claim = Claim::new(&report.id, &dragon.dragon_name_str, &plan, Some(&tail.etag));
        let marker = self.claim(&lineage, &name_key, &claim, condition);
        let meta = self.meta(&lineage);
        if plan.at >= MIN_PART {
            self.append_by_copy(&tail, &plan, marker, &meta).await
        } else {
            self.rewrite(&tail, &plan, marker, &meta).await
        }
    }

    /// The first dragon: there is no object yet.
    async fn create(
        &self,
        dragon: &Dragon,
        report: &ReportRef,
        name_key: &str,
    ) -> Result<Round, AppendError> {
        let lineage = Lineage::mint(Base::Empty);
        let plan = catalog::append(self.format, 0, b"", dragon)?;
        let claim = Claim::new(&report.id, &dragon.dragon_name_str, &plan, None);
        let body = [&plan.insert[..], plan.closing].concat();
        if self
            .claim(&lineage, name_key, &claim, Condition::IfNoneMatch)
            .await?
            == Outcome::Refused
        {
            return Ok(Round::LostRace);
        }
        let written = self
            .calls
            .put(self.key, body, Condition::IfNoneMatch, &self.meta(&lineage))
            .await?;
        Ok(round_of(written))
    }

    /// Puts `claim` as the marker of `name_key` in `lineage`.
    async fn claim(
        &self,
        lineage: &Lineage,
        name_key: &str,
        claim: &Claim,
        condition: Condition,
    ) -> Result<Outcome, CallError> {
        let meta = ObjectMeta {
            content_type: MARKER_TYPE,
            metadata: Vec::new(),
        };
        self.calls
            .put(
                &lineage.marker_key(self.key, name_key),
                claim.encode(),
                condition,
                &meta,
            )
            .await
    }

    fn meta(&self, lineage: &Lineage) -> ObjectMeta {
        ObjectMeta {
            content_type: self.format.content_type(),
            metadata: lineage.metadata(),
        }
    }

    /// Below [`MIN_PART`]: the object read (while the name is claimed) and written
    /// whole, the new bytes spliced in.
    async fn rewrite(
        &self,
        tail: &Tail,
        plan: &Append,
        marker: impl Future<Output = Result<Outcome, CallError>>,
        meta: &ObjectMeta,
    ) -> Result<Round, AppendError> {
        let read = async {
            if tail.bytes.len() as u64 == tail.size {
                Ok(Some(tail.bytes.clone()))
            } else {
                self.calls.read(self.key, &tail.etag, 0..tail.size).await
            }
        };
        let (claimed, current) = tokio::join!(marker, read);
        if claimed? == Outcome::Refused {
            return Ok(Round::LostRace);
        }
        let Some(current) = current? else {
            return Ok(Round::LostRace);
        };
        let at = usize::try_from(plan.at)
            .unwrap_or(usize::MAX)
            .min(current.len());
        let body = [&current[..at], &plan.insert, plan.closing, &current[at..]].concat();
        let written = self
            .calls
            .put(self.key, body, Condition::IfMatch(tail.etag.clone()), meta)
            .await?;
        Ok(round_of(written))
    }

    /// From [`MIN_PART`] on: the object rebuilt on S3's side from a copy of its bytes
    /// before the insert and one uploaded part (the new bytes and the rest), completed
    /// only if the name is claimed and the object is still the version read. An
    /// upload that does not complete is aborted.
    async fn append_by_copy(
        &self,
        tail: &Tail,
        plan: &Append,
        marker: impl Future<Output = Result<Outcome, CallError>>,
        meta: &ObjectMeta,
    ) -> Result<Round, AppendError> {
        let parts = async {
            let upload = self.calls.create_upload(self.key, meta).await?;
            let parts = self.upload_parts(&upload, tail, plan).await;
            Ok::<_, CallError>((upload, parts))
        };
        let (claimed, parts) = tokio::join!(marker, parts);
        let (upload, parts) = parts?;
        let outcome = async {
            let Some(parts) = parts? else {
                return Ok(Round::LostRace);
            };
            if claimed? == Outcome::Refused {
                return Ok(Round::LostRace);
            }
            let completed = self
                .calls
                .complete(self.key, &upload, &parts, &tail.etag)
                .await?;
            Ok(round_of(completed))
        }
        .await;
        if !matches!(outcome, Ok(Round::Written)) {
            // Best effort: after a refused or failed completion the upload may be gone
            // already, and the bucket's lifecycle removes what is left after a day.
            if let Err(error) = self.calls.abort(self.key, &upload).await {
                tracing::warn!(%upload, error = %crate::logging::error_chain(&error), "could not abort the upload");
            }
        }
        outcome
    }

    /// The parts of `upload`: copies of the object's bytes before the insert, then
    /// the new bytes and the rest; `None` when the object changed.
    async fn upload_parts(
        &self,
        upload: &str,
        tail: &Tail,
        plan: &Append,
    ) -> Result<Option<Vec<(i32, String)>>, CallError> {
        let ranges = copy_ranges(plan.at);
        let copies = async {
            let mut parts = Vec::with_capacity(ranges.len() + 1);
            for (number, range) in (1..).zip(ranges.iter().cloned()) {
                match self
                    .calls
                    .copy_part(self.key, upload, number, &tail.etag, range)
                    .await?
                {
                    Some(etag) => parts.push((number, etag)),
                    None => return Ok(None),
                }
            }
            Ok(Some(parts))
        };
        let last_number = i32::try_from(ranges.len() + 1).unwrap_or(i32::MAX);
        let last = [
            &plan.insert[..],
            plan.closing,
            plan.rest(tail.size, &tail.bytes),
        ]
        .concat();
        let last = self.calls.upload_part(self.key, upload, last_number, last);
        let (copies, last) = tokio::join!(copies, last);
        let Some(mut parts) = copies? else {
            return Ok(None);
        };
        parts.push((last_number, last?));
        Ok(Some(parts))
    }
}

fn round_of(outcome: Outcome) -> Round {
    match outcome {
        Outcome::Written => Round::Written,
        Outcome::Refused => Round::LostRace,
    }
}

/// `0..end` in as few ranges of at most [`MAX_PART`] as can be, of near-equal sizes
/// (so each is at least [`MIN_PART`] when `end` is).
fn copy_ranges(end: u64) -> Vec<Range<u64>> {
    let count = end.div_ceil(MAX_PART).max(1);
    let (size, longer) = (end / count, end % count);
    let mut start = 0;
    (0..count)
        .map(|index| {
            let length = size + u64::from(index < longer);
            let range = start..start + length;
            start += length;
            range
        })
        .collect()
}

/// Full jitter: a random wait up to `BASE_DELAY * 2^(attempt-1)`.
fn jittered(attempt: u32) -> Duration {
    let ceiling = BASE_DELAY.saturating_mul(1 << attempt.saturating_sub(1).min(8));
    ceiling.mul_f64(rand::thread_rng().gen_range(0.0..1.0))
}
