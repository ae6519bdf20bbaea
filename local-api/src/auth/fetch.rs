//! One `GET` of the key set, with `reqwest` on rustls (ring, the platform's root
//! certificates: the TLS stack the SDK clients use), so a key set on plain
//! `http://` (moto) or `https://` (moto with a certificate) is read the same
//! way. No proxy is used and no redirect followed: the URL is the endpoint's.
//! The whole exchange is bounded in time, and the body in size.

use std::time::Duration;

use bytes::Bytes;

use super::error::JwksError;

/// How long one fetch of the key set may take, connection included, unless the
/// authorizer is told otherwise.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest key set body read (a Cognito key set is about 1 KiB).
pub const MAX_JWKS_BYTES: usize = 1 << 20;

/// A reusable HTTP client (it keeps connections alive between fetches).
pub(super) struct HttpGet {
    client: reqwest::Client,
}

impl HttpGet {
    /// A client that goes straight to the URL it is given.
    pub(super) fn new() -> Result<Self, JwksError> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| JwksError::Client { source })?;
        Ok(Self { client })
    }

    /// The body of `GET url`, which must answer 200 within `timeout` with at
    /// most [`MAX_JWKS_BYTES`].
    pub(super) async fn get(&self, url: &str, timeout: Duration) -> Result<Bytes, JwksError> {
        let invalid = |reason: String| JwksError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let parsed = reqwest::Url::parse(url).map_err(|error| invalid(error.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid("expected an http:// or https:// URL".to_owned()));
        }
        let body_error = |reason: String| JwksError::Body {
            url: url.to_owned(),
            reason,
        };
        let exchange = async {
            let mut response = self
                .client
                .get(parsed)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|source| JwksError::Request {
                    url: url.to_owned(),
                    source,
                })?;
            let status = response.status();
            if status != reqwest::StatusCode::OK {
                return Err(JwksError::Status {
                    url: url.to_owned(),
                    status: status.as_u16(),
                });
            }
            let too_large = || body_error(format!("larger than {MAX_JWKS_BYTES} bytes"));
            if response
                .content_length()
                .is_some_and(|length| length > MAX_JWKS_BYTES as u64)
            {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|error| body_error(error.to_string()))?
            {
                if body.len() + chunk.len() > MAX_JWKS_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Bytes::from(body))
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| JwksError::Timeout {
                url: url.to_owned(),
                timeout,
            })?
    }
}
