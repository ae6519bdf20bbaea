//! The store contract: what `GET /dragons` and the report workflow's tasks need from
//! wherever the dragons live, in domain terms and with domain errors. The AWS
//! adapters (`handlers::aws`) implement it over S3; [`crate::memory`] in memory.

use std::future::Future;

use crate::{Dragon, DragonQuery};

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
    /// Conditional write rounds (1 when no other writer interfered).
    pub attempts: u32,
}

/// What `GET /dragons` reads.
pub trait DragonReader: Sync {
    /// The records matching `query`, as one JSON array (`[]` when none match).
    fn list(&self, query: &DragonQuery)
    -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;
}

/// What the report workflow's tasks read and write.
pub trait DragonWriter: Sync {
    /// Whether a stored dragon has `name` (by [`crate::name::key`]).
    fn is_name_taken(&self, name: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores `dragon` unless its name is taken. Never loses a concurrent writer's
    /// dragon; of two reports of one name, only one is added.
    fn add(&self, dragon: &Dragon) -> impl Future<Output = Result<Added, AddError>> + Send;
}
