//! A fake of [`ObjectCalls`] for the unit tests: objects and multipart uploads in
//! memory with the semantics AWS documents, including what moto does not enforce
//! (`If-Match` on CompleteMultipartUpload, `CopySourceIfMatch` on UploadPartCopy,
//! the 5 MiB minimum of every part but the last), and faults a test places on the
//! n-th call of an operation: fail before or after applying it, let another writer
//! act first, or never answer.

use std::{
    collections::BTreeMap,
    ops::Range,
    sync::{Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use super::{
    MAX_PART, MIN_PART,
    calls::{CallError, Condition, ObjectCalls, ObjectMeta, Outcome, Scanned, Stored, Tail},
};
use crate::domain::{catalog::NameFinder, name_index::Lineage, records::Flow};

/// An operation of [`ObjectCalls`], as faults name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Tail,
    Read,
    Scan,
    Get,
    /// PutObject of the data object.
    PutData,
    /// PutObject of a marker.
    PutMarker,
    CreateUpload,
    CopyPart,
    UploadPart,
    Complete,
    Abort,
}

/// What a fault does to the call it is placed on.
pub enum Action {
    /// Fail without doing anything.
    Fail { transient: bool },
    /// Do it, then fail as if the answer was lost (a timeout after S3 acted).
    FailAfter,
    /// Let this run on the state first (another writer), then answer normally.
    Interfere(Box<dyn FnOnce(&mut State) + Send>),
    /// Never answer.
    Hang,
}

struct Fault {
    op: Op,
    nth: usize,
    action: Option<Action>,
}

/// An object.
#[derive(Debug, Clone)]
pub struct Object {
    pub bytes: Vec<u8>,
    pub etag: String,
    pub metadata: Vec<(String, String)>,
    /// How long ago it was written, in the fake's time.
    pub written_at: Duration,
}

#[derive(Debug)]
struct Upload {
    key: String,
    metadata: Vec<(String, String)>,
    parts: BTreeMap<i32, (String, Vec<u8>)>,
}

/// Everything the fake holds.
#[derive(Default)]
pub struct State {
    pub objects: BTreeMap<String, Object>,
    uploads: BTreeMap<String, Upload>,
    serial: u64,
    /// The fake's clock: time since it started.
    pub now: Duration,
    faults: Vec<Fault>,
    counts: BTreeMap<String, usize>,
    /// Every call, in order.
    pub log: Vec<Op>,
}

impl State {
    fn etag(&mut self) -> String {
        self.serial += 1;
        format!("\"etag-{}\"", self.serial)
    }

    /// Writes `bytes` at `key` with `metadata` (a new ETag), as a writer would.
    pub fn write(&mut self, key: &str, bytes: Vec<u8>, metadata: Vec<(String, String)>) {
        let etag = self.etag();
        let written_at = self.now;
        self.objects.insert(
            key.to_owned(),
            Object {
                bytes,
                etag,
                metadata,
                written_at,
            },
        );
    }

    /// Appends `bytes` to the object at `key` as another writer would (its metadata
    /// kept, a new ETag).
    pub fn append(&mut self, key: &str, bytes: &[u8]) {
        let object = self
            .objects
            .get(key)
            .cloned()
            .expect("an object to append to");
        let mut grown = object.bytes;
        grown.extend_from_slice(bytes);
        self.write(key, grown, object.metadata);
    }
}

/// The fake.
#[derive(Default)]
pub struct FakeS3 {
    state: Mutex<State>,
}

fn error(operation: &'static str, transient: bool, why: &str) -> CallError {
    CallError {
        operation,
        transient,
        cause: why.to_owned().into(),
    }
}

fn metadata_of(meta: &ObjectMeta) -> Vec<(String, String)> {
    meta.metadata
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

/// What to do about the fault on this call, if any.
enum Step {
    Go,
    Fail(CallError),
    After,
    Hang,
}

impl FakeS3 {
    /// The state, to look at or change.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Places `action` on the `nth` (1-based, from now on) call of `op`.
    pub fn on(&self, op: Op, nth: usize, action: Action) {
        let mut state = self.state();
        let done = state.counts.get(&format!("{op:?}")).copied().unwrap_or(0);
        state.faults.push(Fault {
            op,
            nth: done + nth,
            action: Some(action),
        });
    }

    /// How many calls of `op` were made.
    pub fn calls(&self, op: Op) -> usize {
        self.state()
            .log
            .iter()
            .filter(|logged| **logged == op)
            .count()
    }

    /// The multipart uploads not completed nor aborted.
    pub fn open_uploads(&self) -> usize {
        self.state().uploads.len()
    }

    /// The object at `key`, if any.
    pub fn object(&self, key: &str) -> Option<Object> {
        self.state().objects.get(key).cloned()
    }

    /// Counts the call and runs its fault, if any; other tasks get to run first.
    async fn begin(&self, op: Op, name: &'static str) -> Step {
        tokio::task::yield_now().await;
        let step = {
            let mut state = self.state();
            state.log.push(op);
            let count = state.counts.entry(format!("{op:?}")).or_default();
            *count += 1;
            let count = *count;
            let action = state
                .faults
                .iter_mut()
                .find(|fault| fault.op == op && fault.nth == count)
                .and_then(|fault| fault.action.take());
            match action {
                None => Step::Go,
                Some(Action::Fail { transient }) => {
                    Step::Fail(error(name, transient, "a fault the test placed"))
                }
                Some(Action::FailAfter) => Step::After,
                Some(Action::Interfere(interfere)) => {
                    interfere(&mut state);
                    Step::Go
                }
                Some(Action::Hang) => Step::Hang,
            }
        };
        if let Step::Hang = step {
            std::future::pending::<()>().await;
        }
        step
    }

    /// Runs `apply` as the fault on the call says.
    async fn call<T>(
        &self,
        op: Op,
        name: &'static str,
        apply: impl FnOnce(&mut State) -> Result<T, CallError>,
    ) -> Result<T, CallError> {
        match self.begin(op, name).await {
            Step::Fail(error) => Err(error),
            Step::After => {
                apply(&mut self.state())?;
                Err(error(name, true, "the answer was lost after S3 acted"))
            }
            Step::Go | Step::Hang => apply(&mut self.state()),
        }
    }
}

fn current<'a>(state: &'a State, key: &str, etag: &str) -> Option<&'a Object> {
    state.objects.get(key).filter(|object| object.etag == etag)
}

fn slice(bytes: &[u8], range: &Range<u64>) -> Result<Vec<u8>, CallError> {
    let start = usize::try_from(range.start).unwrap_or(usize::MAX);
    let end = usize::try_from(range.end).unwrap_or(usize::MAX);
    bytes
        .get(start..end)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| error("GetObject", false, "InvalidRange"))
}

impl ObjectCalls for FakeS3 {
    async fn tail(&self, key: &str, last: u64) -> Result<Option<Tail>, CallError> {
        self.call(Op::Tail, "GetObject", |state| {
            Ok(state.objects.get(key).map(|object| {
                let from = object
                    .bytes
                    .len()
                    .saturating_sub(usize::try_from(last).unwrap_or(usize::MAX));
                Tail {
                    size: object.bytes.len() as u64,
                    etag: object.etag.clone(),
                    lineage: Lineage::from_metadata(|name| {
                        object
                            .metadata
                            .iter()
                            .find(|(stored, _)| stored == name)
                            .map(|(_, value)| value.as_str())
                    }),
                    bytes: object.bytes[from..].to_vec(),
                }
            }))
        })
        .await
    }

    async fn read(
        &self,
        key: &str,
        etag: &str,
        range: Range<u64>,
    ) -> Result<Option<Vec<u8>>, CallError> {
        self.call(Op::Read, "GetObject", |state| {
            current(state, key, etag)
                .map(|object| slice(&object.bytes, &range))
                .transpose()
        })
        .await
    }

    async fn scan(
        &self,
        key: &str,
        etag: &str,
        mut finder: NameFinder,
    ) -> Result<Scanned, CallError> {
        self.call(Op::Scan, "GetObject", |state| {
            let Some(object) = current(state, key, etag) else {
                return Ok(Scanned::Changed);
            };
            for chunk in object.bytes.chunks(64 * 1024) {
                match finder.push(chunk) {
                    Ok(Flow::Continue) => {}
                    Ok(Flow::Stop) => return Ok(Scanned::Found),
                    Err(error) => return Ok(Scanned::Malformed(error)),
                }
            }
            Ok(match finder.finish() {
                Ok(Some(_)) => Scanned::Found,
                Ok(None) => Scanned::Absent,
                Err(error) => Scanned::Malformed(error),
            })
        })
        .await
    }

    async fn get(&self, key: &str, most: u64) -> Result<Option<Stored>, CallError> {
        self.call(Op::Get, "GetObject", |state| {
            let now = state.now;
            state
                .objects
                .get(key)
                .map(|object| {
                    if object.bytes.len() as u64 > most {
                        return Err(error("GetObject", false, "larger than expected"));
                    }
                    Ok(Stored {
                        body: object.bytes.clone(),
                        etag: object.etag.clone(),
                        age: now.saturating_sub(object.written_at),
                    })
                })
                .transpose()
        })
        .await
    }

    async fn put(
        &self,
        key: &str,
        body: Vec<u8>,
        condition: Condition,
        meta: &ObjectMeta,
    ) -> Result<Outcome, CallError> {
        let op = if key.contains(dragons_contract::names::NAMES_INDEX_SUFFIX) {
            Op::PutMarker
        } else {
            Op::PutData
        };
        self.call(op, "PutObject", |state| {
            let holds = match (&condition, state.objects.get(key)) {
                (Condition::IfNoneMatch, existing) => existing.is_none(),
                (Condition::IfMatch(etag), Some(object)) => object.etag == *etag,
                (Condition::IfMatch(_), None) => false,
            };
            if !holds {
                return Ok(Outcome::Refused);
            }
            state.write(key, body, metadata_of(meta));
            Ok(Outcome::Written)
        })
        .await
    }

    async fn create_upload(&self, key: &str, meta: &ObjectMeta) -> Result<String, CallError> {
        self.call(Op::CreateUpload, "CreateMultipartUpload", |state| {
            state.serial += 1;
            let id = format!("upload-{}", state.serial);
            state.uploads.insert(
                id.clone(),
                Upload {
                    key: key.to_owned(),
                    metadata: metadata_of(meta),
                    parts: BTreeMap::new(),
                },
            );
            Ok(id)
        })
        .await
    }

    async fn copy_part(
        &self,
        key: &str,
        upload: &str,
        part: i32,
        etag: &str,
        range: Range<u64>,
    ) -> Result<Option<String>, CallError> {
        self.call(Op::CopyPart, "UploadPartCopy", |state| {
            if range.end - range.start > MAX_PART || !(1..=10_000).contains(&part) {
                return Err(error("UploadPartCopy", false, "InvalidRequest"));
            }
            let Some(source) = current(state, key, etag) else {
                return Ok(None);
            };
            let bytes = slice(&source.bytes, &range)?;
            let part_etag = state.etag();
            let Some(upload) = state.uploads.get_mut(upload) else {
                return Err(error("UploadPartCopy", false, "NoSuchUpload"));
            };
            upload.parts.insert(part, (part_etag.clone(), bytes));
            Ok(Some(part_etag))
        })
        .await
    }

    async fn upload_part(
        &self,
        _key: &str,
        upload: &str,
        part: i32,
        body: Vec<u8>,
    ) -> Result<String, CallError> {
        self.call(Op::UploadPart, "UploadPart", |state| {
            let part_etag = state.etag();
            let Some(upload) = state.uploads.get_mut(upload) else {
                return Err(error("UploadPart", false, "NoSuchUpload"));
            };
            upload.parts.insert(part, (part_etag.clone(), body));
            Ok(part_etag)
        })
        .await
    }

    async fn complete(
        &self,
        key: &str,
        upload: &str,
        parts: &[(i32, String)],
        etag: &str,
    ) -> Result<Outcome, CallError> {
        self.call(Op::Complete, "CompleteMultipartUpload", |state| {
            if !state.uploads.contains_key(upload) {
                return Err(error("CompleteMultipartUpload", true, "NoSuchUpload"));
            }
            // If-Match, as AWS enforces it: 412, the upload kept.
            if current(state, key, etag).is_none() {
                return Ok(Outcome::Refused);
            }
            let Some(stored) = state.uploads.get(upload) else {
                return Err(error("CompleteMultipartUpload", true, "NoSuchUpload"));
            };
            let mut bytes = Vec::new();
            for (index, (number, part_etag)) in parts.iter().enumerate() {
                let Some((stored_etag, part)) = stored.parts.get(number) else {
                    return Err(error("CompleteMultipartUpload", false, "InvalidPart"));
                };
                let last = index + 1 == parts.len();
                if stored_etag != part_etag
                    || (index > 0 && parts[index - 1].0 >= *number)
                    || stored.key != key
                {
                    return Err(error("CompleteMultipartUpload", false, "InvalidPart"));
                }
                if !last && (part.len() as u64) < MIN_PART {
                    return Err(error("CompleteMultipartUpload", false, "EntityTooSmall"));
                }
                bytes.extend_from_slice(part);
            }
            let metadata = stored.metadata.clone();
            state.uploads.remove(upload);
            state.write(key, bytes, metadata);
            Ok(Outcome::Written)
        })
        .await
    }

    async fn abort(&self, _key: &str, upload: &str) -> Result<(), CallError> {
        self.call(Op::Abort, "AbortMultipartUpload", |state| {
            state
                .uploads
                .remove(upload)
                .map(|_| ())
                .ok_or_else(|| error("AbortMultipartUpload", false, "NoSuchUpload"))
        })
        .await
    }
}
