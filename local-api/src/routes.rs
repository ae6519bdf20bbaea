//! The local API's routes, behaving as the deployed REST API does: the Cognito
//! authorizer in front of every method but the CORS preflight (a layer, so no route
//! can be added without it), `GET /dragons` through the real handler with the proxy
//! event, `POST /dragons` checked against the request model and offloaded to the
//! workflow (202, the report's id and `Location`), and `GET /dragons/reports/{reportId}`
//! through the real report-status handler.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use asl::interpret::Interpreter;
use axum::{
    Extension, Router,
    body::{Body, to_bytes},
    extract::{ConnectInfo, Path, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use dragons_contract::{
    Report, Reporter, cors,
    names::DRAGONS_PATH_PART,
    report_status::{Accepted, REPORT_ID_PARAMETER, REPORTS_PATH_PART, ReportState, location},
};
use handlers::{
    api::{list_dragons::list_dragons, report_status::report_status},
    aws::AnyStore,
    domain::validation::DragonValidator,
};
use serde_json::Value;

use crate::{
    api_error::ApiError,
    auth::{Claims, CognitoAuthorizer},
    executions::{Executions, new_report_id},
    proxy_event::{ProxyRequest, into_axum, lambda_request},
};

/// The largest `POST /dragons` body read: API Gateway's payload quota for a REST
/// API, 10 MB, which its refusals spell as 10,485,760 bytes. A larger body is
/// refused with 413 before it is read (by its `Content-Length`) or as soon as the
/// read passes the quota; whatever the model refuses within it is a 400.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Everything the routes share; built once.
pub struct AppState {
    /// Checks ID tokens as the Cognito authorizer does.
    pub authorizer: CognitoAuthorizer,
    /// The store behind `GET /dragons`.
    pub store: Arc<AnyStore>,
    /// The report workflow.
    pub workflow: Arc<Interpreter>,
    /// The request model (the same JSON Schema the API Gateway model holds),
    /// compiled once and shared with the workflow's tasks.
    pub validator: Arc<DragonValidator>,
    /// Executions started so far.
    pub executions: Executions,
    /// How many requests reached a handler or the workflow (after the authorizer
    /// and validation): what the deployed API would bill as Lambda invocations.
    pub invocations: AtomicUsize,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("invocations", &self.invocations)
            .finish_non_exhaustive()
    }
}

/// The router over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let dragons = format!("/{DRAGONS_PATH_PART}");
    let report = format!("{dragons}/{REPORTS_PATH_PART}/{{{REPORT_ID_PARAMETER}}}");
    Router::new()
        .route(
            &dragons,
            get(get_dragons).post(post_dragons).options(preflight),
        )
        .route(&report, get(get_report).options(preflight))
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            authorize,
        ))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
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

/// The authorizer, in front of every route: a request with an accepted ID token
/// goes on with its [`Claims`]; any other gets 401 before any handler runs. Only the
/// CORS preflight passes without one, as the template's `OPTIONS` method has no
/// authorizer.
async fn authorize(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    match state.authorizer.authorize(header).await {
        Ok(claims) => {
            request.extensions_mut().insert(claims);
            next.run(request).await
        }
        Err(error) => {
            tracing::info!(%error, "refused by the authorizer");
            ApiError::Unauthorized.into_response()
        }
    }
}

async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, cors::ALLOW_ORIGIN),
        (header::ACCESS_CONTROL_ALLOW_HEADERS, cors::ALLOW_HEADERS),
        (header::ACCESS_CONTROL_ALLOW_METHODS, cors::ALLOW_METHODS),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A request id, as API Gateway makes them: a random UUID.
fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The proxy event API Gateway would send for a GET of `path` (the resource
/// `resource`, its parameters `path_parameters`) by the caller with `claims`.
fn proxy_get(
    resource: &str,
    path_parameters: Vec<(&str, String)>,
    claims: Claims,
    peer: SocketAddr,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<lambda_http::Request, ApiError> {
    let request_id = request_id();
    let source_ip = peer.ip().to_string();
    let proxy = ProxyRequest {
        method: "GET",
        path: uri.path(),
        resource,
        path_parameters,
        query: uri.query(),
        headers: headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect(),
        request_id: &request_id,
        claims: claims.all,
        source_ip: &source_ip,
    };
    lambda_request(&proxy).map_err(|error| {
        tracing::error!(%error, "could not build the proxy event");
        ApiError::Internal
    })
}

async fn get_dragons(
    State(state): State<Arc<AppState>>,
    Extension(claims): Extension<Claims>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let resource = format!("/{DRAGONS_PATH_PART}");
    let request = proxy_get(&resource, Vec::new(), claims, peer, &uri, &headers)?;
    state.invocations.fetch_add(1, Ordering::Relaxed);
    Ok(into_axum(
        list_dragons(state.store.as_ref(), &request).await,
    ))
}

async fn get_report(
    State(state): State<Arc<AppState>>,
    Extension(claims): Extension<Claims>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let resource = format!("/{DRAGONS_PATH_PART}/{REPORTS_PATH_PART}/{{{REPORT_ID_PARAMETER}}}");
    let parameters = vec![(REPORT_ID_PARAMETER, id)];
    let request = proxy_get(&resource, parameters, claims, peer, &uri, &headers)?;
    state.invocations.fetch_add(1, Ordering::Relaxed);
    Ok(into_axum(report_status(&state.executions, &request).await))
}

/// Whether the body is mapped by the integration's one template,
/// `application/json` (any parameters). Without a `Content-Type`, API Gateway
/// takes the body as `application/json`, so with `PassthroughBehavior: NEVER` it is
/// mapped, not refused; any other media type is refused with 415.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    value
        .to_str()
        .ok()
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether the request announces a body over [`MAX_BODY_BYTES`].
fn announces_too_much(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .is_some_and(|length| length > MAX_BODY_BYTES as u64)
}

async fn post_dragons(
    State(state): State<Arc<AppState>>,
    Extension(claims): Extension<Claims>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if announces_too_much(&headers) {
        return Err(ApiError::PayloadTooLarge);
    }
    if !is_json(&headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let dragon: Value = serde_json::from_slice(&bytes).map_err(|error| {
        tracing::info!(%error, "body is not JSON");
        ApiError::InvalidBody
    })?;
    if !state.validator.conforms(&dragon) {
        tracing::info!("body does not match the request model");
        return Err(ApiError::InvalidBody);
    }
    let report = Report {
        dragon,
        reporter: Reporter {
            sub: claims.sub,
            username: claims.username,
        },
    };
    let input = serde_json::to_value(&report).map_err(|error| {
        tracing::error!(%error, "could not build the execution input");
        ApiError::Internal
    })?;
    let id = new_report_id();
    state.invocations.fetch_add(1, Ordering::Relaxed);
    if !state
        .executions
        .start(Arc::clone(&state.workflow), &id, input)
    {
        return Err(ApiError::ReportExists);
    }
    let accepted = Accepted {
        report_id: id.clone(),
        status: ReportState::Running,
    };
    let body = serde_json::to_vec(&accepted).map_err(|error| {
        tracing::error!(%error, "could not write the answer");
        ApiError::Internal
    })?;
    let mut answer = into_axum(handlers::api::response::json(StatusCode::ACCEPTED, body));
    let location = HeaderValue::from_str(&location(&id)).map_err(|error| {
        tracing::error!(%error, "a report id that is not a header value");
        ApiError::Internal
    })?;
    answer.headers_mut().insert(header::LOCATION, location);
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use aws_config::{BehaviorVersion, Region, SdkConfig};
    use dragons_contract::query_engine::QueryEngine;
    use handlers::aws::ParameterNames;
    use tower::ServiceExt;

    use super::*;
    use crate::app::{Settings, app_state};

    /// The app over an endpoint nothing listens on: no request may get past the
    /// authorizer to find out.
    fn app() -> (Router, Arc<AppState>) {
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:9")
            .build();
        let settings = Settings {
            endpoint: "http://127.0.0.1:9".into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_pool".into(),
            client_id: "client".into(),
            topic_arn: "arn:aws:sns:us-east-1:123456789012:topic".into(),
            parameters: ParameterNames::default(),
            store: dragons_contract::data_store::DataStore::S3,
            table_parameter: "table".into(),
            engine: QueryEngine::Scan,
            location_ttl: std::time::Duration::ZERO,
        };
        let state = Arc::new(app_state(&config, &settings).unwrap());
        (router(Arc::clone(&state)), state)
    }

    async fn status(
        app: &Router,
        method: Method,
        path: &str,
        authorization: Option<&str>,
    ) -> StatusCode {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let mut request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 1))));
        app.clone().oneshot(request).await.unwrap().status()
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_str(value).unwrap()))
            .collect()
    }

    #[test]
    fn a_body_without_content_type_is_json_as_on_api_gateway() {
        assert!(is_json(&HeaderMap::new()));
        for value in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
        ] {
            assert!(
                is_json(&headers(&[(header::CONTENT_TYPE, value)])),
                "{value}"
            );
        }
        for value in ["text/plain", "application/xml", "", "application/json-seq"] {
            assert!(
                !is_json(&headers(&[(header::CONTENT_TYPE, value)])),
                "{value}"
            );
        }
    }

    #[test]
    fn a_body_announced_over_the_quota_is_refused_before_it_is_read() {
        let length = |value: &str| announces_too_much(&headers(&[(header::CONTENT_LENGTH, value)]));
        assert!(!announces_too_much(&HeaderMap::new()));
        assert!(!length("0"));
        assert!(!length(&MAX_BODY_BYTES.to_string()));
        assert!(length(&(MAX_BODY_BYTES + 1).to_string()));
        assert!(length("18446744073709551615"));
        assert_eq!(MAX_BODY_BYTES, 10_485_760);
    }

    #[tokio::test]
    async fn every_route_is_behind_the_authorizer() {
        let (app, state) = app();
        for (method, path) in [
            (Method::GET, "/dragons"),
            (Method::GET, "/dragons?family=red"),
            (Method::POST, "/dragons"),
            (Method::GET, "/dragons/reports/some-name"),
        ] {
            for authorization in [None, Some(""), Some("Bearer x.y.z"), Some("not-a-token")] {
                assert_eq!(
                    status(&app, method.clone(), path, authorization).await,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} {authorization:?}"
                );
            }
        }
        assert_eq!(state.invocations.load(Ordering::Relaxed), 0);
        // Only the preflight passes without a token, as the template's OPTIONS has
        // no authorizer; unknown paths and methods are refused for what they are.
        assert_eq!(
            status(&app, Method::OPTIONS, "/dragons", None).await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            status(&app, Method::GET, "/nowhere", None).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(&app, Method::DELETE, "/dragons", None).await,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
