//! The Cognito user pool authorizer, as API Gateway runs it in front of the
//! REST API's methods: the `Authorization` header holds an ID token of the
//! pool, which must be signed (RS256) by one of the pool's keys and name the
//! pool as issuer, the app client as audience, `token_use: id`, and an `exp` in
//! the future. An accepted token gives [`Claims`]; a refused one an
//! [`AuthError`] that is for the logs only: callers answer 401
//! `{"message":"Unauthorized"}` whatever the reason.
//!
//! The pool's key set is fetched with `reqwest` over `http://` or `https://`
//! (rustls), once for all the requests that need it at the same time.
//!
//! Build one [`CognitoAuthorizer`] and share it (in an `Arc`) between requests:
//! its key set cache is safe for concurrent use. It must be used inside a Tokio
//! runtime with time and I/O enabled.

mod claims;
mod config;
mod error;
mod fetch;
mod jwks;
mod verify;

#[cfg(test)]
mod tests;

use std::time::Duration;

pub use claims::{Claims, api_gateway_claim_value};
pub use config::{AuthorizerConfig, aws_jwks_url, issuer, local_jwks_url};
pub use error::{AuthError, JwksError};
pub use fetch::{FETCH_TIMEOUT, MAX_JWKS_BYTES};
pub use jwks::{DEFAULT_FAILURE_CACHE, DEFAULT_MIN_REFETCH_INTERVAL};
pub use verify::CLOCK_LEEWAY_SECS;

/// A Cognito user pool authorizer for one pool and app client.
///
/// Its `Debug` shows the configuration only, not the cached keys.
pub struct CognitoAuthorizer {
    config: AuthorizerConfig,
    keys: jwks::JwksCache,
    rules: verify::ClaimRules,
}

impl std::fmt::Debug for CognitoAuthorizer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CognitoAuthorizer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl CognitoAuthorizer {
    /// An authorizer for `config`'s pool and app client, or why its HTTP client
    /// could not be built. Nothing is fetched until the first token arrives; a
    /// bad key set URL shows then, as [`AuthError::Jwks`].
    pub fn new(config: AuthorizerConfig) -> Result<Self, JwksError> {
        Ok(Self {
            keys: jwks::JwksCache::new(config.jwks_url.clone())?,
            rules: verify::ClaimRules::new(&config),
            config,
        })
    }

    /// Changes the shortest time between two fetches of the key set caused by
    /// a token with an unknown `kid` (default
    /// [`DEFAULT_MIN_REFETCH_INTERVAL`]).
    #[must_use]
    pub fn with_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.keys.set_min_refetch_interval(interval);
        self
    }

    /// Changes how long the error of a failed fetch is answered at once while
    /// no key set has loaded (default [`DEFAULT_FAILURE_CACHE`]).
    #[must_use]
    pub fn with_failure_cache(mut self, duration: Duration) -> Self {
        self.keys.set_failure_cache(duration);
        self
    }

    /// Changes how long one fetch of the key set may take (default
    /// [`FETCH_TIMEOUT`]).
    #[must_use]
    pub fn with_fetch_timeout(mut self, timeout: Duration) -> Self {
        self.keys.set_fetch_timeout(timeout);
        self
    }

    /// The pool and app client this authorizer accepts tokens of.
    pub fn config(&self) -> &AuthorizerConfig {
        &self.config
    }

    /// Checks the value of a request's `Authorization` header (`None` when the
    /// request has none): the claims of the ID token it holds, or why it is
    /// refused.
    pub async fn authorize(&self, header: Option<&str>) -> Result<Claims, AuthError> {
        let token = verify::token_from_header(header)?;
        let kid = verify::rs256_kid(token)?;
        let key = self.keys.key(&kid).await?;
        let claims = self.rules.verified_claims(token, &key)?;
        Claims::from_verified(&claims)
    }
}
