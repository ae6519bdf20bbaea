//! The local API's refusals, one type mapped to the answers API Gateway gives: a
//! status and a JSON `{"message": …}` with the CORS header, built by the same code
//! as the Lambdas' answers. Nothing is logged here: callers log where they refuse.

use axum::response::{IntoResponse, Response};
use handlers::api::response;
use lambda_http::http::StatusCode;

use crate::proxy_event::into_axum;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The authorizer refused the token (whatever the reason).
    #[error("Unauthorized")]
    Unauthorized,
    /// No route of this method and path under the stage: API Gateway's
    /// `MISSING_AUTHENTICATION_TOKEN` gateway response (a REST API answers it for an
    /// unknown resource and for a method the resource does not have alike).
    #[error("Missing Authentication Token")]
    MissingAuthenticationToken,
    /// A path outside any stage of the execute-api host: no such stage.
    #[error("Forbidden")]
    Forbidden,
    /// A report of that id was started before (Step Functions'
    /// `ExecutionAlreadyExists`).
    #[error("This report was already started")]
    ReportExists,
    /// The body is not `application/json`.
    #[error("Unsupported Media Type")]
    UnsupportedMediaType,
    /// The body is over the limit.
    #[error("Request Too Long")]
    PayloadTooLarge,
    /// The body is not JSON, or not a dragon the request model accepts.
    #[error("Invalid request body")]
    InvalidBody,
    /// A bug of ours.
    #[error("Internal server error")]
    Internal,
}

impl ApiError {
    /// The status API Gateway answers with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::MissingAuthenticationToken | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::ReportExists => StatusCode::CONFLICT,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidBody => StatusCode::BAD_REQUEST,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        into_axum(response::error(self.status(), &self.to_string()))
    }
}
