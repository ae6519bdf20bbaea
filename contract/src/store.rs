//! The store contract: what `GET /dragons` and the report workflow's tasks need from
//! wherever the dragons live, in domain terms and with domain errors. The AWS
//! adapters (`handlers::aws`) implement it over S3; [`crate::memory`] in memory.

use std::future::Future;

pub use crate::page::{Cursor, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, Page};
use crate::{Dragon, DragonQuery, report::ReportRef};

/// The underlying cause of a store failure, kept for the log (never shown to callers).
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Unreachable, slow or throttling: worth trying again later (a 503 for callers).
    #[error("the dragon store is unavailable")]
    Unavailable(#[source] Cause),
    /// A lasting fault that retrying will not fix: missing or malformed data, refused
    /// access (a 502 for callers).
    #[error("the dragon store failed")]
    Failed(#[source] Cause),
}

impl StoreError {
    /// A transient failure caused by `cause`.
    pub fn unavailable(cause: impl Into<Cause>) -> Self {
        Self::Unavailable(cause.into())
    }

    /// A lasting failure caused by `cause`.
    pub fn failed(cause: impl Into<Cause>) -> Self {
        Self::Failed(cause.into())
    }

    /// A failure caused by `cause`: transient or lasting as `transient` says.
    pub fn classified(transient: bool, cause: impl Into<Cause>) -> Self {
        if transient {
            Self::unavailable(cause)
        } else {
            Self::failed(cause)
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// Why a dragon was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// A stored dragon already has this name (by [`crate::name::key`]).
    #[error("a dragon named `{0}` already exists")]
    NameTaken(String),
    /// Other writers kept changing the data; trying again later will do.
    #[error("the dragon data kept changing under {attempts} attempts to write it")]
    Conflict {
        /// Write rounds tried.
        attempts: u32,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a successful add took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    /// Rounds of reading and conditionally writing it took (1 when no other writer
    /// interfered).
    pub attempts: u32,
    /// The same report had already added the dragon (a retried task): nothing new
    /// was written.
    pub replayed: bool,
}

/// One page to read: the filters, at most `limit` records, after `after`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    /// The filters every record must match.
    pub query: &'a DragonQuery,
    /// At most this many records (1 to [`MAX_PAGE_LIMIT`]).
    pub limit: usize,
    /// Where the previous page ended (`None`: the first page).
    pub after: Option<&'a Cursor>,
}

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The cursor does not fit the data (forged, or its data is gone): the caller
    /// should start the walk again (a 400).
    #[error("the page token does not fit the dragon data: {0}")]
    Cursor(&'static str),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `GET /dragons` reads.
pub trait DragonReader: Sync {
    /// One page of the records matching the request's filters, in the store's stable
    /// order; following each page's `next` yields every matching record once.
    fn page(
        &self,
        request: PageRequest<'_>,
    ) -> impl Future<Output = Result<Page, PageError>> + Send;
}

/// What the report workflow's tasks read and write.
pub trait DragonWriter: Sync {
    /// Whether a stored dragon has `name` (by [`crate::name::key`]).
    fn is_name_taken(&self, name: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores `dragon`, reported by `report`, unless its name is taken. Never loses a
    /// concurrent writer's dragon; of two reports of one name, only one is added; a
    /// report that already added this dragon (a retried task) is told so, not refused.
    fn add(
        &self,
        dragon: &Dragon,
        report: &ReportRef,
    ) -> impl Future<Output = Result<Added, AddError>> + Send;
}
