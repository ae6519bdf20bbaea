//! `GET /dragons`: the query string checked strictly, the store asked, the answer
//! or a JSON error returned.

use std::future::Future;

use lambda_http::{Body, Request, RequestExt, Response, http::StatusCode};

use super::{error_chain, response};
use crate::{
    aws::{DragonStore, StoreError},
    domain::query::DragonQuery,
};

/// Where the records come from: the [`DragonStore`] in a Lambda.
pub trait DragonSource: Sync {
    /// The records matching `query`, as a JSON array.
    fn list(&self, query: &DragonQuery)
    -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;
}

impl DragonSource for DragonStore {
    fn list(
        &self,
        query: &DragonQuery,
    ) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send {
        DragonStore::list(self, query)
    }
}

/// The message of a 502 (the detail goes to the log only).
pub const UPSTREAM_FAILED: &str = "The dragon data could not be read";
/// The message of a 503.
pub const UPSTREAM_UNAVAILABLE: &str = "The dragon data is unavailable; try again later";

/// Answers one `GET /dragons` request.
pub async fn list_dragons(source: &impl DragonSource, request: &Request) -> Response<Body> {
    let mut pairs: Vec<(&str, &str)> = request
        .query_string_parameters_ref()
        .map(|parameters| parameters.iter().collect())
        .unwrap_or_default();
    // The map's order is arbitrary: sort so the same query always gets the same error.
    pairs.sort_unstable();
    let query = match DragonQuery::from_pairs(pairs) {
        Ok(query) => query,
        Err(error) => {
            tracing::info!(%error, "refused query string");
            return response::error(StatusCode::BAD_REQUEST, &error.to_string());
        }
    };
    match source.list(&query).await {
        Ok(records) => response::json(StatusCode::OK, records),
        Err(error) => {
            let transient = error.is_transient();
            tracing::error!(error = %error_chain(&error), transient, "listing dragons failed");
            if transient {
                response::error(StatusCode::SERVICE_UNAVAILABLE, UPSTREAM_UNAVAILABLE)
            } else {
                response::error(StatusCode::BAD_GATEWAY, UPSTREAM_FAILED)
            }
        }
    }
}
