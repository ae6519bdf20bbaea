//! `GET /dragons/reports/{reportId}`: a report's status, for its reporter only. The
//! caller is the `sub` of the authorizer's claims; anyone else, and any id that is not
//! a report's, gets the same 404, so nobody learns which reports exist.

use dragons_contract::report_status::{ExecutionReader, REPORT_ID_PARAMETER, is_report_id, view};
use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{HeaderValue, StatusCode, header},
    request::RequestContext,
};

use super::{error::ApiError, response};
use crate::logging::error_chain;

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
    status(executions, request)
        .await
        .unwrap_or_else(Response::from)
}

/// The caller's report's status, or why not (logged here).
async fn status(
    executions: &impl ExecutionReader,
    request: &Request,
) -> Result<Response<Body>, ApiError> {
    let parameters = request.path_parameters_ref();
    let id = parameters
        .and_then(|parameters| parameters.first(REPORT_ID_PARAMETER))
        .unwrap_or_default();
    let caller = caller(request);
    if !is_report_id(id) || caller.is_empty() {
        return Err(ApiError::NoSuchReport);
    }
    let execution = executions
        .describe(id)
        .await
        .map_err(|error| {
            if error.transient {
                tracing::warn!(error = %error_chain(&error), "reading a report's execution failed for now");
            } else {
                tracing::error!(error = %error_chain(&error), "reading a report's execution failed");
            }
            ApiError::Executions {
                transient: error.transient,
            }
        })?
        .ok_or(ApiError::NoSuchReport)?;
    let status = view(id, &execution, &caller).ok_or_else(|| {
        tracing::info!(
            report = id,
            "a report asked for by someone other than its reporter"
        );
        ApiError::NoSuchReport
    })?;
    // A report's status is its reporter's alone, and changes until it is terminal.
    let body = serde_json::to_vec(&status).unwrap_or_default();
    let mut answer = response::json(StatusCode::OK, body);
    answer
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(answer)
}
