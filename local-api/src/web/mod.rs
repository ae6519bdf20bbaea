//! The web app and the API on one origin, in the layout CloudFront serves deployed:
//! `web/`'s files at `/` (`assets`), the generated `config.json` (its `apiUrl` is
//! `<origin>/{stage}`, the shape of the stack's `SiteApiUrl` output) and the dragon
//! schema the report form validates with, the API under `/{stage}/` (the
//! distribution's `/{stage}/*` behaviour), anything else answered as the private
//! bucket answers CloudFront for a key it does not hold (403 `AccessDenied`), every
//! site answer with the security headers (`headers`), the sign-in stand-in
//! (`crate::oauth`) beside it, and the browser's CSP violation reports counted.

pub mod assets;
pub mod headers;

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use aws_config::SdkConfig;
use axum::{
    Router,
    body::{Body, Bytes, to_bytes},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use dragons_contract::{
    schema::dragon_schema,
    web_config::{WEB_CONFIG_FILE, WebConfig},
    web_site::DRAGON_SCHEMA_FILE,
};
use tower_http::compression::CompressionLayer;

use crate::{
    oauth::{self, OAuth, grants::Grants},
    routes::{self, AppState, MountError},
};
use assets::{Asset, AssetsError, read_assets};
use headers::{CSP_REPORT_PATH, secure};

/// The largest CSP report read.
const MAX_REPORT_BYTES: usize = 64 * 1024;

/// Where the site is and who it signs in for.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The web app's directory (`web/`).
    pub web_dir: PathBuf,
    /// This local-api's origin (`http://127.0.0.1:3000`): the API, the sign-in and
    /// the site are all there.
    pub origin: String,
    /// The app client the site signs in with.
    pub client_id: String,
}

/// Why the site could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The app's files could not be read.
    #[error(transparent)]
    Assets(#[from] AssetsError),
    /// A generated file could not be written (a bug).
    #[error("writing {0}: {1}")]
    Generated(&'static str, serde_json::Error),
}

/// The site's files and what it counts.
#[derive(Debug)]
pub struct Site {
    assets: Vec<(String, Asset)>,
    config: Bytes,
    schema: Bytes,
    /// CSP violations the browser reported.
    pub csp_violations: AtomicUsize,
}

/// The web app's configuration for a local-api at `settings.origin` serving the API
/// under `stage`.
pub fn web_config(settings: &WebSettings, stage: &str) -> WebConfig {
    WebConfig {
        api_url: format!("{}/{stage}", settings.origin),
        auth_url: settings.origin.clone(),
        client_id: settings.client_id.clone(),
        redirect_uri: format!("{}/", settings.origin),
    }
}

/// Reads the app and builds the site, for the API under `stage`, and the sign-in
/// stand-in.
pub fn site(
    config: &SdkConfig,
    settings: &WebSettings,
    stage: &str,
) -> Result<(Arc<Site>, Arc<OAuth>), WebError> {
    let generated = [
        format!("/{WEB_CONFIG_FILE}"),
        format!("/{DRAGON_SCHEMA_FILE}"),
    ];
    let assets = read_assets(&settings.web_dir)?
        .into_iter()
        .filter(|(path, _)| !generated.contains(path))
        .collect();
    let web_config = web_config(settings, stage);
    let site = Site {
        assets,
        config: serde_json::to_vec(&web_config)
            .map_err(|e| WebError::Generated(WEB_CONFIG_FILE, e))?
            .into(),
        schema: serde_json::to_vec(&dragon_schema())
            .map_err(|e| WebError::Generated(DRAGON_SCHEMA_FILE, e))?
            .into(),
        csp_violations: AtomicUsize::new(0),
    };
    let oauth = OAuth {
        cognito: aws_sdk_cognitoidentityprovider::Client::new(config),
        client_id: settings.client_id.clone(),
        redirect_uri: web_config.redirect_uri,
        grants: Grants::default(),
    };
    Ok((Arc::new(site), Arc::new(oauth)))
}

fn file(content_type: &'static str, body: Bytes) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    secure(headers);
    response
}

async fn csp_report(site: Arc<Site>, body: Body) -> StatusCode {
    site.csp_violations.fetch_add(1, Ordering::Relaxed);
    let report = to_bytes(body, MAX_REPORT_BYTES).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&report);
    tracing::warn!(report = %text.chars().take(1024).collect::<String>(), "CSP violation");
    StatusCode::NO_CONTENT
}

/// The site's routes (compressed, as CloudFront compresses them).
pub fn site_router(site: &Arc<Site>) -> Router {
    let mut router = Router::new();
    for (path, asset) in &site.assets {
        let (content_type, body) = (asset.content_type, asset.body.clone());
        let serve = move || async move { file(content_type, body) };
        if path == "/index.html" {
            router = router.route("/", get(serve.clone()));
        }
        router = router.route(path, get(serve));
    }
    let config = site.config.clone();
    let schema = site.schema.clone();
    let reports = Arc::clone(site);
    router
        .route(
            &format!("/{WEB_CONFIG_FILE}"),
            get(move || async move { file("application/json", config) }),
        )
        .route(
            &format!("/{DRAGON_SCHEMA_FILE}"),
            get(move || async move { file("application/json", schema) }),
        )
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .no_br()
                .no_deflate()
                .no_zstd(),
        )
        .route(
            CSP_REPORT_PATH,
            post(move |body: Body| csp_report(Arc::clone(&reports), body)),
        )
}

/// What the private site bucket answers CloudFront for a key it does not hold: 403
/// `AccessDenied` (CloudFront may only `GetObject`, not list, so S3 does not say 404),
/// with the response headers policy's headers.
async fn not_in_bucket() -> Response {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
    let mut response = (StatusCode::FORBIDDEN, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    secure(headers);
    response
}

/// The API under `/{stage}`, the site and the sign-in stand-in on one origin.
pub fn router(
    api: Arc<AppState>,
    site: &Arc<Site>,
    oauth: Arc<OAuth>,
) -> Result<Router, MountError> {
    let stage = format!("/{}", api.stage);
    Ok(site_router(site)
        .merge(oauth::router(oauth))
        .nest(&stage, routes::api_router(api)?)
        .fallback(not_in_bucket))
}

/// Serves the API, the site and the sign-in on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    api: Arc<AppState>,
    site: Arc<Site>,
    oauth: Arc<OAuth>,
) -> std::io::Result<()> {
    let router = router(api, &site, oauth).map_err(std::io::Error::other)?;
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}
