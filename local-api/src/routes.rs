//! The local API's routes, mounted from the contract's route table as the deployed
//! REST API builds them, under `/{stage}`: the Cognito authorizer in front of every
//! method but the CORS preflight (a layer, so no route can be added without it), each
//! Lambda proxy route through the real handler of its function with the proxy event
//! API Gateway sends, `StartExecution` routes checked against the request model and
//! offloaded to the workflow (202, the report's id and `Location`), and anything else
//! under the stage answered as API Gateway answers it (403 `Missing Authentication
//! Token`). Outside the stage, the execute-api host answers 403 `Forbidden` (no such
//! stage); [`crate::web`] puts the site there instead, as CloudFront does.

use std::{
    collections::BTreeMap,
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
    extract::{ConnectInfo, OriginalUri, RawPathParams, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{MethodFilter, MethodRouter, on},
};
use dragons_contract::{
    Report, Reporter, cors,
    names::functions,
    report_status::{Accepted, ReportState, location},
    routes::{self, Integration},
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

/// The largest body read: API Gateway's payload quota for a REST API, 10 MB, which
/// its refusals spell as 10,485,760 bytes. A larger body is refused with 413 before
/// it is read (by its `Content-Length`) or as soon as the read passes the quota;
/// whatever the model refuses within it is a 400.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Everything the routes share; built once.
pub struct AppState {
    /// The stage the API is served under (the first path segment).
    pub stage: String,
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
            .field("stage", &self.stage)
            .field("store", &self.store)
            .field("invocations", &self.invocations)
            .finish_non_exhaustive()
    }
}

/// Why the route table could not be mounted: a route local-api has no stand-in for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MountError {
    /// A Lambda proxy route of a function local-api does not run.
    #[error("route `{route}` is integrated with `{binary}`, which local-api does not run")]
    UnknownFunction {
        /// The route (`GET /dragons`).
        route: String,
        /// The function's binary name.
        binary: &'static str,
    },
    /// A method name axum cannot route.
    #[error("route `{0}` has a method local-api cannot route")]
    Method(String),
}

/// The Lambdas local-api runs in process, by the binary the template deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocalFunction {
    ListDragons,
    ReportStatus,
}

impl LocalFunction {
    /// The function built from `binary`, if local-api runs it.
    fn of(binary: &str) -> Option<Self> {
        match binary {
            functions::LIST_DRAGONS => Some(Self::ListDragons),
            functions::REPORT_STATUS => Some(Self::ReportStatus),
            _ => None,
        }
    }

    /// Runs the function's handler on the proxy event.
    async fn invoke(
        self,
        state: &AppState,
        request: &lambda_http::Request,
    ) -> lambda_http::Response<lambda_http::Body> {
        match self {
            Self::ListDragons => list_dragons(state.store.as_ref(), request).await,
            Self::ReportStatus => report_status(&state.executions, request).await,
        }
    }
}

/// The API's routes, below the stage, mounted from the route table: one method per
/// route and a CORS preflight per resource, behind the authorizer.
pub fn api_router(state: Arc<AppState>) -> Result<Router, MountError> {
    let table = routes::all();
    let mut resources: BTreeMap<String, MethodRouter<Arc<AppState>>> = BTreeMap::new();
    for route in &table {
        let name = format!("{} {}", route.method, route.path);
        let method = Method::from_bytes(route.method.as_bytes())
            .ok()
            .and_then(|method| MethodFilter::try_from(method).ok())
            .ok_or_else(|| MountError::Method(name.clone()))?;
        let handler = match route.integration {
            Integration::LambdaProxy(binary) => {
                let function = LocalFunction::of(binary).ok_or(MountError::UnknownFunction {
                    route: name,
                    binary,
                })?;
                on(method, lambda_proxy).layer(Extension(ProxyTarget {
                    function,
                    resource: route.path.clone(),
                }))
            }
            Integration::StartExecution => on(method, start_execution),
        };
        let methods = resources.remove(&route.path).unwrap_or_default();
        resources.insert(route.path.clone(), methods.merge(handler));
    }
    let mut router = Router::new();
    for (path, methods) in resources {
        let allowed = routes::allowed_methods(&table, &path);
        router = router.route(
            &path,
            methods.options(move || async move { preflight(&allowed) }),
        );
    }
    Ok(router
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            authorize,
        ))
        .fallback(|| async { ApiError::MissingAuthenticationToken })
        .method_not_allowed_fallback(|| async { ApiError::MissingAuthenticationToken })
        .with_state(state))
}

/// The API as its execute-api host serves it: the routes under `/{stage}`, and
/// 403 `Forbidden` anywhere else (no such stage).
pub fn router(state: Arc<AppState>) -> Result<Router, MountError> {
    let stage = format!("/{}", state.stage);
    Ok(Router::new()
        .nest(&stage, api_router(state)?)
        .fallback(|| async { ApiError::Forbidden }))
}

/// Serves the API on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    let router = router(state).map_err(std::io::Error::other)?;
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// The authorizer, in front of every route: a request with an accepted ID token
/// goes on with its [`Claims`]; any other gets 401 before any handler runs. Only the
/// CORS preflight passes without one, as the template's `OPTIONS` methods have no
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

/// The preflight's answer: 204 allowing `methods`.
fn preflight(methods: &str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static(cors::ALLOW_ORIGIN),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(cors::ALLOW_HEADERS),
    );
    if let Ok(value) = HeaderValue::from_str(methods) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, value);
    }
    response
}

/// A request id, as API Gateway makes them: a random UUID.
fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What a Lambda proxy route calls: the function, and the API resource it is on.
#[derive(Debug, Clone)]
struct ProxyTarget {
    function: LocalFunction,
    resource: String,
}

/// A Lambda proxy route: the proxy event API Gateway would send the target's function
/// for this request on its resource, and the function's answer passed on.
async fn lambda_proxy(
    State(state): State<Arc<AppState>>,
    Extension(claims): Extension<Claims>,
    Extension(target): Extension<ProxyTarget>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    OriginalUri(uri): OriginalUri,
    params: RawPathParams,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    if announces_too_much(&parts.headers) {
        return Err(ApiError::PayloadTooLarge);
    }
    let body = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let body = (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned());
    let path_parameters = params
        .iter()
        .map(|(name, value)| (name, value.to_owned()))
        .collect();
    let request_id = request_id();
    let source_ip = peer.ip().to_string();
    let proxy = ProxyRequest {
        method: parts.method.as_str(),
        path: uri.path(),
        stage: &state.stage,
        resource: &target.resource,
        path_parameters,
        query: uri.query(),
        headers: parts
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect(),
        body: body.as_deref(),
        request_id: &request_id,
        claims: claims.all,
        source_ip: &source_ip,
    };
    let event = lambda_request(&proxy).map_err(|error| {
        tracing::error!(%error, "could not build the proxy event");
        ApiError::Internal
    })?;
    state.invocations.fetch_add(1, Ordering::Relaxed);
    Ok(into_axum(target.function.invoke(&state, &event).await))
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

/// A `StartExecution` route: the body checked as API Gateway checks it (media type,
/// quota, the request model), the execution started with the reporter from the
/// claims, and 202 with the report's id and its `Location` (built from the path the
/// client sent, as the template's mapping builds it from `$context.path`).
async fn start_execution(
    State(state): State<Arc<AppState>>,
    Extension(claims): Extension<Claims>,
    OriginalUri(uri): OriginalUri,
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
    let location = HeaderValue::from_str(&location(uri.path(), &id)).map_err(|error| {
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
            stage: "v1".into(),
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
        (router(Arc::clone(&state)).unwrap(), state)
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
    async fn every_route_of_the_table_is_mounted_under_the_stage_behind_the_authorizer() {
        let (app, state) = app();
        for route in routes::all() {
            let path = format!("/v1{}", route.path.replace("{reportId}", "some-name"));
            let method = Method::from_bytes(route.method.as_bytes()).unwrap();
            for authorization in [None, Some(""), Some("Bearer x.y.z"), Some("not-a-token")] {
                assert_eq!(
                    status(&app, method.clone(), &path, authorization).await,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} {authorization:?}"
                );
            }
            // Only the preflight passes without a token, as the template's OPTIONS
            // methods have no authorizer.
            assert_eq!(
                status(&app, Method::OPTIONS, &path, None).await,
                StatusCode::NO_CONTENT,
                "{path}"
            );
        }
        assert_eq!(state.invocations.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn what_no_route_serves_is_answered_as_api_gateway_answers_it() {
        let (app, state) = app();
        // Under the stage, an unknown resource and a method the resource lacks are
        // both API Gateway's 403 Missing Authentication Token, before any authorizer.
        for (method, path) in [
            (Method::GET, "/v1/nowhere"),
            (Method::GET, "/v1"),
            (Method::GET, "/v1/dragons/reports"),
            (Method::DELETE, "/v1/dragons"),
            (Method::POST, "/v1/dragons/reports/some-name"),
        ] {
            assert_eq!(
                status(&app, method.clone(), path, Some("not-a-token")).await,
                StatusCode::FORBIDDEN,
                "{method} {path}"
            );
        }
        // Outside the stage: no such stage on the execute-api host.
        for path in ["/dragons", "/v2/dragons", "/"] {
            assert_eq!(
                status(&app, Method::GET, path, None).await,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let request = Request::builder()
            .uri("/v1/dragons/nowhere")
            .body(Body::empty())
            .unwrap();
        let answer = app.clone().oneshot(request).await.unwrap();
        let body = to_bytes(answer.into_body(), 1024).await.unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap(),
            serde_json::json!({"message": "Missing Authentication Token"})
        );
        assert_eq!(state.invocations.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn preflights_allow_the_methods_the_table_puts_on_each_resource() {
        let (app, _) = app();
        for path in routes::resource_paths(&routes::all()) {
            if !routes::all().iter().any(|route| route.path == path) {
                continue;
            }
            let request = Request::builder()
                .method(Method::OPTIONS)
                .uri(format!("/v1{}", path.replace("{reportId}", "x")))
                .body(Body::empty())
                .unwrap();
            let answer = app.clone().oneshot(request).await.unwrap();
            assert_eq!(
                answer.headers()[header::ACCESS_CONTROL_ALLOW_METHODS],
                routes::allowed_methods(&routes::all(), &path).as_str(),
                "{path}"
            );
        }
    }

    #[test]
    fn local_api_runs_every_function_the_table_integrates() {
        for route in routes::all() {
            if let Integration::LambdaProxy(binary) = route.integration {
                assert!(LocalFunction::of(binary).is_some(), "{binary}");
            }
        }
        assert_eq!(LocalFunction::of("no-such-function"), None);
    }
}
