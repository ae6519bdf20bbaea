//! Checking one token as API Gateway's Cognito authorizer does for an ID token:
//! its shape and header (RS256 only, with a `kid`), then the signature with the
//! pool's key of that `kid`, then the claims (`iss`, `aud`, `token_use`,
//! `exp`, and `nbf`/`iat` when present). Where API Gateway's checks are not
//! documented, the stricter choice is made (the README lists each difference).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::config::AuthorizerConfig;
use super::error::AuthError;

/// The clock skew allowed on `nbf` and `iat`, in seconds: a token issued a few
/// seconds "in the future" by a host whose clock runs ahead is still taken. None
/// is allowed on `exp`: API Gateway documents no skew, so an expired token is
/// refused from its `exp` on.
pub const CLOCK_LEEWAY_SECS: u64 = 5;

/// The scheme a client may put before the token, with its one space, as
/// Cognito's guide has clients send tokens ("as bearer tokens").
const BEARER: &str = "Bearer ";

/// The token in an `Authorization` header value: the value itself, as API
/// Gateway's Cognito authorizer takes it from its identity source, or what
/// follows `Bearer ` (that case, one space). Any other white space, around the
/// token or in it, is refused: API Gateway refuses a token with extra spaces.
pub(super) fn token_from_header(header: Option<&str>) -> Result<&str, AuthError> {
    let value = header.unwrap_or_default();
    let token = value.strip_prefix(BEARER).unwrap_or(value);
    if token.is_empty() || token == BEARER.trim_end() {
        return Err(AuthError::MissingToken);
    }
    if token.contains(char::is_whitespace) {
        return Err(AuthError::Malformed(
            "white space in the Authorization header".to_owned(),
        ));
    }
    Ok(token)
}

/// The JOSE header fields read before choosing a key.
#[derive(Deserialize)]
struct JoseHeader {
    alg: Option<String>,
    kid: Option<String>,
}

/// The `kid` of a token whose header says RS256; every other algorithm
/// (`none`, `HS256`, ...) is refused before any key is looked at.
pub(super) fn rs256_kid(token: &str) -> Result<String, AuthError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, _signature] = parts.as_slice() else {
        return Err(AuthError::Malformed(format!(
            "{} dot-separated parts, not 3",
            parts.len()
        )));
    };
    if payload.is_empty() {
        return Err(AuthError::Malformed("empty payload".to_owned()));
    }
    let header = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|error| AuthError::Malformed(format!("header is not base64url: {error}")))?;
    let header: JoseHeader = serde_json::from_slice(&header)
        .map_err(|error| AuthError::Malformed(format!("header is not a JOSE header: {error}")))?;
    match header.alg.as_deref() {
        Some("RS256") => {}
        Some(other) => return Err(AuthError::UnsupportedAlgorithm(other.to_owned())),
        None => return Err(AuthError::Malformed("header has no alg".to_owned())),
    }
    header.kid.ok_or(AuthError::MissingKid)
}

/// What a token's claims must say for this pool and app client.
pub(super) struct ClaimRules {
    issuer: String,
    client_id: String,
    validation: Validation,
}

impl ClaimRules {
    /// The rules for `config`'s pool and app client.
    pub(super) fn new(config: &AuthorizerConfig) -> Self {
        let issuer = config.issuer();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[&config.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        validation.validate_exp = true;
        // `nbf` and `iat` are checked below, with their leeway.
        validation.validate_nbf = false;
        Self {
            issuer,
            client_id: config.client_id.clone(),
            validation,
        }
    }

    /// The claims of `token`, whose header was checked by [`rs256_kid`], once
    /// its signature verifies with `key` and its claims are those of an ID
    /// token of this pool and app client.
    pub(super) fn verified_claims(
        &self,
        token: &str,
        key: &DecodingKey,
    ) -> Result<Map<String, Value>, AuthError> {
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, key, &self.validation)
            .map_err(|error| self.refusal(token, error))?
            .claims;
        check_token_use(&claims)?;
        // The library also accepts an array that contains the expected value;
        // Cognito writes single strings, so anything else is refused.
        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(self.wrong_issuer());
        }
        if claims.get("aud").and_then(Value::as_str) != Some(self.client_id.as_str()) {
            return Err(self.wrong_audience());
        }
        for claim in ["nbf", "iat"] {
            check_not_in_the_future(&claims, claim)?;
        }
        Ok(claims)
    }

    /// Our reason for the library's refusal.
    fn refusal(&self, token: &str, error: jsonwebtoken::errors::Error) -> AuthError {
        match error.kind() {
            ErrorKind::InvalidSignature => AuthError::InvalidSignature,
            ErrorKind::ExpiredSignature => AuthError::Expired,
            ErrorKind::ImmatureSignature => AuthError::NotYetValid,
            ErrorKind::InvalidIssuer => self.wrong_issuer(),
            // An access token has no `aud` (it has `client_id`): say that it is
            // not an ID token rather than that the audience is missing. The
            // signature has verified by the time claims are checked, so reading
            // the payload here is safe.
            ErrorKind::InvalidAudience => {
                not_id_token(token).unwrap_or_else(|| self.wrong_audience())
            }
            ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
                not_id_token(token).unwrap_or_else(|| AuthError::MissingClaim(claim.clone()))
            }
            ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
            ErrorKind::InvalidClaimFormat(claim) => AuthError::InvalidClaim(claim.clone()),
            ErrorKind::InvalidToken
            | ErrorKind::Base64(_)
            | ErrorKind::Json(_)
            | ErrorKind::Utf8(_) => AuthError::Malformed(error.to_string()),
            _ => AuthError::Rejected(error),
        }
    }

    fn wrong_issuer(&self) -> AuthError {
        AuthError::WrongIssuer {
            expected: self.issuer.clone(),
        }
    }

    fn wrong_audience(&self) -> AuthError {
        AuthError::WrongAudience {
            expected: self.client_id.clone(),
        }
    }
}

/// `token_use` must be `id`: API Gateway's Cognito authorizer takes ID tokens
/// when the method has no OAuth scopes, as ours have none.
fn check_token_use(claims: &Map<String, Value>) -> Result<(), AuthError> {
    match claims.get("token_use").and_then(Value::as_str) {
        Some("id") => Ok(()),
        found => Err(AuthError::NotIdToken {
            found: found.map(str::to_owned),
        }),
    }
}

/// The [`AuthError::NotIdToken`] refusal, if the (already verified) payload of
/// `token` is not an ID token's.
fn not_id_token(token: &str) -> Option<AuthError> {
    let payload = token.split('.').nth(1)?;
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&payload).ok()?;
    check_token_use(&claims).err()
}

/// A token whose `claim` (`nbf` or `iat`) is in the future beyond the leeway is
/// refused; the claim is optional, but must be a number when present.
fn check_not_in_the_future(claims: &Map<String, Value>, claim: &str) -> Result<(), AuthError> {
    let Some(value) = claims.get(claim) else {
        return Ok(());
    };
    let Some(seconds) = value.as_f64() else {
        return Err(AuthError::InvalidClaim(claim.to_owned()));
    };
    let now = jsonwebtoken::get_current_timestamp();
    if seconds > (now + CLOCK_LEEWAY_SECS) as f64 {
        return Err(AuthError::NotYetValid);
    }
    Ok(())
}
