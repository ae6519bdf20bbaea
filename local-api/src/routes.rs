//! The local API's routes, behaving as the deployed REST API does: the Cognito
//! authorizer on every method but the CORS preflight, `GET /dragons` through the
//! real handler with the proxy event, `POST /dragons` checked against the request
//! model and offloaded to the workflow, and `GET /executions/{id}` for local use.

use std::{
    hash::{BuildHasher, RandomState},
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use asl::interpret::Interpreter;
use axum::{
    Router,
    body::{Body, to_bytes},
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::get,
};
use handlers::{
    api::list_dragons::list_dragons,
    aws::DragonStore,
    workflow::{Report, Reporter},
};
use serde_json::{Value, json};
use stack_gen::stack::{CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS};

use crate::{
    auth::{Claims, CognitoAuthorizer},
    executions::{Executions, execution_arn},
    proxy_event::{ProxyRequest, lambda_request},
};

/// The largest `POST /dragons` body accepted (a dragon at its limits fits easily).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The state machine's name in execution ARNs.
const MACHINE: &str = "report-dragon";

/// Everything the routes share; built once.
pub struct AppState {
    /// Checks ID tokens as the Cognito authorizer does.
    pub authorizer: CognitoAuthorizer,
    /// The store behind `GET /dragons`.
    pub store: DragonStore,
    /// The report workflow.
    pub workflow: Arc<Interpreter>,
    /// The request model (the same JSON Schema the API Gateway model holds).
    pub model: jsonschema::Validator,
    /// Executions started so far.
    pub executions: Executions,
    /// The region in ARNs.
    pub region: String,
    /// How many requests reached a handler or the workflow (after the authorizer
    /// and validation): what the deployed API would bill as Lambda invocations.
    pub invocations: AtomicUsize,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("region", &self.region)
            .field("invocations", &self.invocations)
            .finish_non_exhaustive()
    }
}

/// The router over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/dragons",
            get(get_dragons).post(post_dragons).options(preflight),
        )
        .route("/executions/{id}", get(get_execution))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Serves the API on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// A JSON answer with the CORS header every API answer carries.
fn answer(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn message(status: StatusCode, text: &str) -> Response {
    answer(status, &json!({ "message": text }))
}

async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Not Found")
}

async fn method_not_allowed() -> Response {
    message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}

async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(CORS_ALLOWED_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(CORS_ALLOWED_METHODS),
    );
    response
}

/// A request id: 32 random hex digits.
fn request_id() -> String {
    let random = RandomState::new();
    format!(
        "{:016x}{:016x}",
        random.hash_one(1_u8),
        random.hash_one(2_u8)
    )
}

/// The authorizer's verdict; `Err` is the 401 to send.
async fn authorize(state: &AppState, headers: &HeaderMap) -> Result<Claims, Response> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    state.authorizer.authorize(header).await.map_err(|error| {
        tracing::info!(%error, "refused by the authorizer");
        message(StatusCode::UNAUTHORIZED, "Unauthorized")
    })
}

async fn get_dragons(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let claims = match authorize(&state, &headers).await {
        Ok(claims) => claims,
        Err(refused) => return refused,
    };
    let request_id = request_id();
    let source_ip = peer.ip().to_string();
    let proxy = ProxyRequest {
        method: "GET",
        path: "/dragons",
        query: uri.query(),
        headers: headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect(),
        request_id: &request_id,
        claims: claims.all.clone(),
        source_ip: &source_ip,
    };
    let request = match lambda_request(&proxy) {
        Ok(request) => request,
        Err(error) => {
            tracing::error!(%error, "could not build the proxy event");
            return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
        }
    };
    state.invocations.fetch_add(1, Ordering::Relaxed);
    let response = list_dragons(&state.store, &request).await;
    let (parts, body) = response.into_parts();
    let body = match body {
        lambda_http::Body::Text(text) => Body::from(text),
        lambda_http::Body::Binary(bytes) => Body::from(bytes),
        lambda_http::Body::Empty => Body::empty(),
        _ => Body::empty(),
    };
    Response::from_parts(parts, body)
}

async fn post_dragons(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let claims = match authorize(&state, &headers).await {
        Ok(claims) => claims,
        Err(refused) => return refused,
    };
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json_body {
        return message(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
    }
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return message(StatusCode::PAYLOAD_TOO_LARGE, "Request Too Long");
    };
    let dragon: Value = match serde_json::from_slice(&bytes) {
        Ok(dragon) => dragon,
        Err(error) => {
            tracing::info!(%error, "body is not JSON");
            return message(StatusCode::BAD_REQUEST, "Invalid request body");
        }
    };
    if !state.model.is_valid(&dragon) {
        return message(StatusCode::BAD_REQUEST, "Invalid request body");
    }
    let report = Report {
        dragon,
        reporter: Reporter {
            sub: claims.sub,
            username: claims.username,
        },
    };
    let input = match serde_json::to_value(&report) {
        Ok(input) => input,
        Err(error) => {
            tracing::error!(%error, "could not build the execution input");
            return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
        }
    };
    let name = request_id();
    let arn = execution_arn(&state.region, MACHINE, &name);
    state.invocations.fetch_add(1, Ordering::Relaxed);
    let started = state
        .executions
        .start(Arc::clone(&state.workflow), arn, &name, input);
    answer(
        StatusCode::ACCEPTED,
        &json!({ "executionArn": started.arn, "startDate": started.start_date }),
    )
}

async fn get_execution(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = authorize(&state, &headers).await {
        return refused;
    }
    // Accept the name or the whole ARN.
    let name = id.rsplit(':').next().unwrap_or(&id);
    match state.executions.describe(name) {
        Some(execution) => answer(StatusCode::OK, &execution),
        None => message(StatusCode::NOT_FOUND, "Execution not found"),
    }
}
