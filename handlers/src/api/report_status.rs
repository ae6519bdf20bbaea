//! `GET /dragons/reports/{reportId}`: a report's status, for its reporter only. The
//! caller is the `sub` of the authorizer's claims; anyone else, and any id that is not
//! a report's, gets the same 404, so nobody learns which reports exist.

use dragons_contract::report_status::{Execution, REPORT_ID_PARAMETER, is_report_id, view};
use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{HeaderValue, StatusCode, header},
    request::RequestContext,
};

use super::response;
use crate::logging::error_chain;

/// The 404 body, for an unknown id and for someone else's report alike.
pub const NOT_FOUND: &str = "No such report";
/// The 503 body: the executions could not be read for now.
pub const UNAVAILABLE: &str = "The report's status is unavailable; try again later";
/// The 502 body: reading the executions failed for good.
pub const FAILED: &str = "The report's status could not be read";

/// Why an execution could not be read.
#[derive(Debug, thiserror::Error)]
#[error("reading the execution failed")]
pub struct ReadError {
    /// Whether trying again later may help (throttling, unreachable, 5xx).
    pub transient: bool,
    /// What went wrong.
    #[source]
    pub cause: Box<dyn std::error::Error + Send + Sync>,
}

/// The report workflow's executions, by report id (the execution's name).
pub trait ExecutionReader {
    /// The execution `report_id` names, if there is one.
    fn describe(
        &self,
        report_id: &str,
    ) -> impl Future<Output = Result<Option<Execution>, ReadError>> + Send;
}

/// The verified caller's `sub`, from the authorizer's claims (empty without one).
fn caller(request: &Request) -> String {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => context
            .authorizer
            .fields
            .get("claims")
            .and_then(|claims| claims.get("sub"))
            .and_then(|sub| sub.as_str())
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

/// Answers the request: 200 with the report's status, 404, 503 or 502.
pub async fn report_status(executions: &impl ExecutionReader, request: &Request) -> Response<Body> {
    let parameters = request.path_parameters_ref();
    let id = parameters
        .and_then(|parameters| parameters.first(REPORT_ID_PARAMETER))
        .unwrap_or_default();
    let caller = caller(request);
    if !is_report_id(id) || caller.is_empty() {
        return response::error(StatusCode::NOT_FOUND, NOT_FOUND);
    }
    let execution = match executions.describe(id).await {
        Ok(Some(execution)) => execution,
        Ok(None) => return response::error(StatusCode::NOT_FOUND, NOT_FOUND),
        Err(error) if error.transient => {
            tracing::warn!(error = %error_chain(&error), "reading a report's execution failed for now");
            return response::unavailable(UNAVAILABLE);
        }
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "reading a report's execution failed");
            return response::error(StatusCode::BAD_GATEWAY, FAILED);
        }
    };
    let Some(status) = view(id, &execution, &caller) else {
        tracing::info!(
            report = id,
            "a report asked for by someone other than its reporter"
        );
        return response::error(StatusCode::NOT_FOUND, NOT_FOUND);
    };
    // A report's status is its reporter's alone, and changes until it is terminal.
    let body = serde_json::to_vec(&status).unwrap_or_default();
    let mut answer = response::json(StatusCode::OK, body);
    answer
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}
