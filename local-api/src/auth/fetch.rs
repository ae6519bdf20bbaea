//! A small HTTP/1.1 `GET` for the key set, on the hyper client that is already
//! in the workspace's dependency tree (no TLS: plain `http://` only).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::error::JwksError;

/// How long one fetch of the key set may take, connection included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest key set body read (a Cognito key set is about 1 KiB).
pub const MAX_JWKS_BYTES: usize = 1 << 20;

/// A reusable HTTP client (it keeps connections alive between fetches).
pub(super) struct HttpGet {
    client: Client<HttpConnector, Empty<Bytes>>,
}

impl HttpGet {
    /// A client for plain HTTP. It needs a Tokio runtime with time and I/O
    /// enabled when used.
    pub(super) fn new() -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// The body of `GET url`, which must answer 200 within [`FETCH_TIMEOUT`]
    /// with at most [`MAX_JWKS_BYTES`].
    pub(super) async fn get(&self, url: &str) -> Result<Bytes, JwksError> {
        let invalid = |reason: String| JwksError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let uri: http::Uri = url.parse().map_err(|error| invalid(format!("{error}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(JwksError::UnsupportedScheme {
                    url: url.to_owned(),
                });
            }
            _ => return Err(invalid("expected an http:// URL".to_owned())),
        }
        if uri.host().is_none() {
            return Err(invalid("no host".to_owned()));
        }
        let request = http::Request::get(uri)
            .header(http::header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|error| invalid(format!("{error}")))?;

        let exchange = async {
            let response =
                self.client
                    .request(request)
                    .await
                    .map_err(|source| JwksError::Request {
                        url: url.to_owned(),
                        source,
                    })?;
            let status = response.status();
            if status != http::StatusCode::OK {
                return Err(JwksError::Status {
                    url: url.to_owned(),
                    status: status.as_u16(),
                });
            }
            let body = Limited::new(response.into_body(), MAX_JWKS_BYTES)
                .collect()
                .await
                .map_err(|error| JwksError::Body {
                    url: url.to_owned(),
                    reason: error.to_string(),
                })?;
            Ok(body.to_bytes())
        };
        tokio::time::timeout(FETCH_TIMEOUT, exchange)
            .await
            .map_err(|_| JwksError::Timeout {
                url: url.to_owned(),
                seconds: FETCH_TIMEOUT.as_secs(),
            })?
    }
}
