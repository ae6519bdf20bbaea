//! Why a token was refused. The reasons are for logs only: whatever the
//! reason, the caller answers 401 `{"message":"Unauthorized"}`, as API Gateway
//! does.

use std::sync::Arc;

/// Why the authorizer refused a request.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header, or an empty one.
    #[error("no token: the Authorization header is missing or empty")]
    MissingToken,
    /// The value is not a compact JWS (three base64url parts, a JSON header).
    #[error("not a JWT: {0}")]
    Malformed(String),
    /// The header names an algorithm other than RS256 (`none`, `HS256`, ...).
    #[error("algorithm {0:?} is refused: only RS256 is accepted")]
    UnsupportedAlgorithm(String),
    /// The header has no `kid`, so no key of the pool can be chosen.
    #[error("the token header has no kid")]
    MissingKid,
    /// No key of the pool's key set has this `kid`, even after a re-fetch (or
    /// a re-fetch was not allowed yet).
    #[error("no key with kid {kid:?} in the user pool's key set")]
    UnknownKid {
        /// The `kid` of the token's header.
        kid: String,
    },
    /// The key set could not be fetched or read (the same error is shared by
    /// every request that waited on that fetch).
    #[error("the user pool's key set is unavailable: {0}")]
    Jwks(#[source] Arc<JwksError>),
    /// The signature does not verify with the pool's key of that `kid`.
    #[error("the signature does not verify")]
    InvalidSignature,
    /// `exp` is past (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` or `iat` is in the future (beyond the leeway).
    #[error("the token is not valid yet (nbf or iat in the future)")]
    NotYetValid,
    /// `iss` is not this pool's issuer.
    #[error("the issuer is not {expected}")]
    WrongIssuer {
        /// The issuer of the configured pool.
        expected: String,
    },
    /// `aud` is not the configured app client id.
    #[error("the audience is not the app client {expected}")]
    WrongAudience {
        /// The configured app client id.
        expected: String,
    },
    /// `token_use` is not `id`: an access token, or no `token_use` at all.
    #[error("token_use is {found:?}, not \"id\": only ID tokens are accepted")]
    NotIdToken {
        /// The token's `token_use`, if it has a string one.
        found: Option<String>,
    },
    /// A required claim is absent.
    #[error("the claim {0:?} is missing")]
    MissingClaim(String),
    /// A claim has the wrong type (a number where a string is due, say).
    #[error("the claim {0:?} has the wrong type")]
    InvalidClaim(String),
    /// Any other refusal by the JWT library.
    #[error("the token is refused: {0}")]
    Rejected(#[source] jsonwebtoken::errors::Error),
}

/// Why the pool's key set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// The configured URL does not parse.
    #[error("invalid JWKS URL {url:?}: {reason}")]
    InvalidUrl {
        /// The configured URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be built (its TLS roots, say).
    #[error("the HTTP client for the key set could not be built: {source}")]
    Client {
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// Connecting or sending the request failed.
    #[error("GET {url} failed: {source}")]
    Request {
        /// The configured URL.
        url: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The server did not answer in time.
    #[error("GET {url} timed out after {timeout:?}")]
    Timeout {
        /// The configured URL.
        url: String,
        /// The time limit.
        timeout: std::time::Duration,
    },
    /// The fetch ended without an answer (its task was stopped).
    #[error("GET {url} ended without an answer")]
    Abandoned {
        /// The configured URL.
        url: String,
    },
    /// The server answered with a status other than 200.
    #[error("GET {url} answered {status}")]
    Status {
        /// The configured URL.
        url: String,
        /// The status received.
        status: u16,
    },
    /// Reading the body failed, or it was larger than allowed.
    #[error("GET {url}: reading the body failed: {reason}")]
    Body {
        /// The configured URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The body is not a JSON Web Key Set.
    #[error("GET {url}: not a JSON Web Key Set: {source}")]
    NotAKeySet {
        /// The configured URL.
        url: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}
