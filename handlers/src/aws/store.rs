//! `S3Store`: the store contract over the data object named in SSM. Pages come from
//! the engine `DRAGONS_QUERY_ENGINE` chooses ([`super::scan`], [`super::s3_select`]);
//! writes append by conditional writes, server-side past 5 MiB ([`super::append`]).

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use dragons_contract::{
    DataFormat, Dragon, ReportRef,
    names::ENV_QUERY_ENGINE,
    page::{Cursor, Page},
    query_engine::{QueryEngine, UnknownEngine},
    store::{AddError, Added, DragonReader, DragonWriter, PageError, PageRequest, StoreError},
};

use super::{
    append::{DataObject, S3Calls},
    clients::AwsClients,
    location::{DataLocation, LocationCache, LocationError, ParameterNames},
    paged::Paged,
    s3_select::{self, SelectCursor, SelectError},
    scan::{self, ScanCursor, ScanError},
};

/// The engine named by `DRAGONS_QUERY_ENGINE`; `default` when unset or empty.
pub fn engine_from_env_or(default: QueryEngine) -> Result<QueryEngine, UnknownEngine> {
    match std::env::var(ENV_QUERY_ENGINE) {
        Ok(name) if !name.is_empty() => name.parse(),
        _ => Ok(default),
    }
}

/// Why a page could not be read (details are for the log only).
#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("reading the data location failed")]
    Location(#[from] LocationError),
    #[error("the S3 Select query failed")]
    Select(#[from] SelectError),
    #[error("scanning the data object failed")]
    Scan(#[from] ScanError),
}

impl From<ReadError> for PageError {
    fn from(error: ReadError) -> Self {
        let transient = match &error {
            ReadError::Select(SelectError::Cursor) => {
                return Self::Cursor("it names no window of the data");
            }
            ReadError::Scan(ScanError::Cursor(why)) => return Self::Cursor(why),
            ReadError::Location(error) => error.is_transient(),
            ReadError::Select(error) => error.is_transient(),
            ReadError::Scan(error) => error.is_transient(),
        };
        Self::Store(StoreError::classified(transient, error))
    }
}

/// Where a walk over the S3 object resumes: the engine that read the page before
/// goes on (a walk never changes engines mid-way: their cursors differ).
#[derive(Debug, Clone, PartialEq, Eq)]
enum S3Cursor {
    Scan(ScanCursor),
    Select(SelectCursor),
}

impl S3Cursor {
    const SCAN: u8 = 0;
    const SELECT: u8 = 1;

    fn encode(&self) -> Cursor {
        let (tag, bytes) = match self {
            Self::Scan(cursor) => (Self::SCAN, cursor.encode()),
            Self::Select(cursor) => (Self::SELECT, cursor.encode()),
        };
        Cursor([&[tag][..], &bytes].concat())
    }

    fn decode(cursor: &Cursor) -> Option<Self> {
        match cursor.0.split_first()? {
            (&Self::SCAN, bytes) => ScanCursor::decode(bytes).map(Self::Scan),
            (&Self::SELECT, bytes) => SelectCursor::decode(bytes).map(Self::Select),
            _ => None,
        }
    }
}

/// An engine's page as the store hands it on, its cursor tagged with the engine.
fn page_of<C>(page: Paged<C>, engine: fn(C) -> S3Cursor) -> Page {
    Page {
        body: page.body,
        count: page.count,
        next: page.next.map(|next| engine(next).encode()),
    }
}

/// The dragons in one S3 object. Build it once per container; it is cheap to share.
#[derive(Debug)]
pub struct S3Store {
    clients: AwsClients,
    location: LocationCache,
    engine: QueryEngine,
    select_closed: AtomicBool,
}

impl S3Store {
    /// A store reading the data location from `parameters` on every call and querying
    /// with `engine`.
    pub fn new(clients: AwsClients, parameters: ParameterNames, engine: QueryEngine) -> Self {
        Self {
            clients,
            location: LocationCache::new(parameters, Duration::ZERO),
            engine,
            select_closed: AtomicBool::new(false),
        }
    }

    /// Keeps the data location read from SSM for `ttl` (see [`LocationCache`]).
    #[must_use]
    pub fn with_location_ttl(mut self, ttl: Duration) -> Self {
        self.location = LocationCache::new(self.location.names().clone(), ttl);
        self
    }

    async fn data_location(&self) -> Result<DataLocation, LocationError> {
        self.location.get(&self.clients.ssm).await
    }

    async fn read(
        &self,
        request: PageRequest<'_>,
        after: Option<S3Cursor>,
    ) -> Result<Page, ReadError> {
        let location = self.data_location().await?;
        let s3 = &self.clients.s3;
        let (query, limit) = (request.query, request.limit);
        let location = &location;
        let scan = |cursor: Option<ScanCursor>| async move {
            let page = scan::page(s3, location, query, limit, cursor.as_ref()).await?;
            Ok::<_, ReadError>(page_of(page, S3Cursor::Scan))
        };
        let select = |cursor: Option<SelectCursor>| async move {
            let page = s3_select::page(s3, location, query, limit, cursor).await?;
            Ok::<_, SelectError>(page_of(page, S3Cursor::Select))
        };
        // S3 Select cannot scan a range of a JSON document: those are always scanned.
        let lines = DataFormat::for_key(&location.key) == DataFormat::JsonLines;
        match (after, self.engine) {
            (Some(S3Cursor::Scan(cursor)), _) => scan(Some(cursor)).await,
            (Some(S3Cursor::Select(cursor)), _) => Ok(select(Some(cursor)).await?),
            (None, QueryEngine::Scan) => scan(None).await,
            (None, _) if !lines => scan(None).await,
            (None, QueryEngine::S3Select) => Ok(select(None).await?),
            (None, QueryEngine::Auto) if self.select_closed.load(Ordering::Relaxed) => {
                scan(None).await
            }
            (None, QueryEngine::Auto) => match select(None).await {
                Err(error) if error.is_closed_to_account() => {
                    if !self.select_closed.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            error = %error,
                            "S3 Select is not available to this account; scanning from now on"
                        );
                    }
                    scan(None).await
                }
                answer => Ok(answer?),
            },
        }
    }
}

impl DragonReader for S3Store {
    async fn page(&self, request: PageRequest<'_>) -> Result<Page, PageError> {
        let after = match request.after {
            None => None,
            Some(cursor) => Some(
                S3Cursor::decode(cursor)
                    .ok_or(PageError::Cursor("it is not a cursor of this store"))?,
            ),
        };
        Ok(self.read(request, after).await?)
    }
}

impl DragonWriter for S3Store {
    async fn is_name_taken(&self, name: &str) -> Result<bool, StoreError> {
        let location = self.data_location().await.map_err(ReadError::from)?;
        let calls = S3Calls::new(&self.clients.s3, &location.bucket);
        Ok(DataObject::new(&calls, &location.key)
            .is_name_taken(name)
            .await?)
    }

    async fn add(&self, dragon: &Dragon, report: &ReportRef) -> Result<Added, AddError> {
        let location = self.data_location().await.map_err(ReadError::from)?;
        let calls = S3Calls::new(&self.clients.s3, &location.bucket);
        DataObject::new(&calls, &location.key)
            .add(dragon, report)
            .await
    }
}

impl From<ReadError> for StoreError {
    fn from(error: ReadError) -> Self {
        match PageError::from(error) {
            PageError::Store(error) => error,
            PageError::Cursor(why) => Self::failed(why),
        }
    }
}

impl From<ReadError> for AddError {
    fn from(error: ReadError) -> Self {
        Self::Store(error.into())
    }
}
