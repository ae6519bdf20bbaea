//! Every way an API request fails, as one type with one conversion to the answer API
//! Gateway passes on: a status and a JSON `{"message": …}` (503s with `Retry-After`),
//! no internals in the body. As in axum's error-handling example, nothing is logged
//! here: the handler logs where it fails, with the detail; the answer only says what
//! the caller may know.

use dragons_contract::query::QueryError;
use lambda_http::{Body, Response, http::StatusCode};

use super::response;
use crate::domain::page_token::TokenError;

/// The message of a 502 from the dragon data (the detail goes to the log only).
pub const UPSTREAM_FAILED: &str = "The dragon data could not be read";
/// The message of a 503 from the dragon data.
pub const UPSTREAM_UNAVAILABLE: &str = "The dragon data is unavailable; try again later";
/// The message of a 400 for a token the data no longer fits.
pub const STALE_TOKEN: &str = "`nextToken` does not fit the dragon data; start the walk again";
/// The 404 body, for an unknown report and for someone else's alike.
pub const NO_SUCH_REPORT: &str = "No such report";
/// The 503 body: a report's execution could not be read for now.
pub const REPORT_UNAVAILABLE: &str = "The report's status is unavailable; try again later";
/// The 502 body: reading a report's execution failed for good.
pub const REPORT_FAILED: &str = "The report's status could not be read";

/// Why a request got no answer from its handler.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The query string breaks the route's rules (the message says which).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// `nextToken` is not a token of this walk.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// `nextToken` was one of this walk, but the data no longer has its position.
    #[error("{STALE_TOKEN}")]
    StaleToken,
    /// The dragon data could not be read: for now (`transient`) or for good.
    #[error("the dragon data could not be read")]
    Data {
        /// Whether trying again later may help.
        transient: bool,
    },
    /// No report of that id is the caller's (or none exists).
    #[error("{NO_SUCH_REPORT}")]
    NoSuchReport,
    /// A report's execution could not be read: for now (`transient`) or for good.
    #[error("the report's execution could not be read")]
    Executions {
        /// Whether trying again later may help.
        transient: bool,
    },
}

impl From<ApiError> for Response<Body> {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Query(_) | ApiError::Token(_) | ApiError::StaleToken => {
                response::error(StatusCode::BAD_REQUEST, &error.to_string())
            }
            ApiError::Data { transient: true } => response::unavailable(UPSTREAM_UNAVAILABLE),
            ApiError::Data { transient: false } => {
                response::error(StatusCode::BAD_GATEWAY, UPSTREAM_FAILED)
            }
            ApiError::NoSuchReport => response::error(StatusCode::NOT_FOUND, NO_SUCH_REPORT),
            ApiError::Executions { transient: true } => response::unavailable(REPORT_UNAVAILABLE),
            ApiError::Executions { transient: false } => {
                response::error(StatusCode::BAD_GATEWAY, REPORT_FAILED)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(error: ApiError) -> (StatusCode, String, Option<String>) {
        let response = Response::from(error);
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|value| value.to_str().unwrap().to_owned());
        let Body::Text(text) = response.body() else {
            panic!("a text body");
        };
        (response.status(), text.clone(), retry_after)
    }

    #[test]
    fn each_failure_has_its_status_and_says_no_more_than_the_caller_may_know() {
        let cases = [
            (ApiError::Query(QueryError::Limit), 400, None),
            (ApiError::Token(TokenError::Expired), 400, None),
            (ApiError::StaleToken, 400, None),
            (ApiError::Data { transient: true }, 503, Some("2")),
            (ApiError::Data { transient: false }, 502, None),
            (ApiError::NoSuchReport, 404, None),
            (ApiError::Executions { transient: true }, 503, Some("2")),
            (ApiError::Executions { transient: false }, 502, None),
        ];
        for (error, status, retry_after) in cases {
            let name = format!("{error:?}");
            let (got, body, after) = answer(error);
            assert_eq!(got.as_u16(), status, "{name}");
            assert_eq!(after.as_deref(), retry_after, "{name}");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body.as_object().unwrap().len(), 1, "{name}: only a message");
            assert!(body["message"].is_string(), "{name}");
        }
    }
}
