//! Which user pool and app client the authorizer trusts, and where the pool's
//! key set (JWKS) is served.

/// The user pool and app client an ID token must come from, and the URL of the
/// pool's key set.
///
/// Build it with [`AuthorizerConfig::aws`] (the real Cognito endpoint) or
/// [`AuthorizerConfig::local`] (an emulator such as moto in server mode,
/// whose tokens still name the real AWS issuer). The issuer is always computed
/// from `region` and `user_pool_id`, as Cognito writes it into every token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizerConfig {
    /// The pool's region, e.g. `us-east-1`.
    pub region: String,
    /// The user pool id, e.g. `us-east-1_AbCdEf123`.
    pub user_pool_id: String,
    /// The app client id: an ID token's `aud` must equal it.
    pub client_id: String,
    /// Where the pool's JSON Web Key Set is fetched from (`http://` or
    /// `https://`).
    pub jwks_url: String,
}

impl AuthorizerConfig {
    /// A configuration with an explicit JWKS URL.
    pub fn new(
        region: impl Into<String>,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
        jwks_url: impl Into<String>,
    ) -> Self {
        Self {
            region: region.into(),
            user_pool_id: user_pool_id.into(),
            client_id: client_id.into(),
            jwks_url: jwks_url.into(),
        }
    }

    /// A pool on real AWS: the key set is at [`aws_jwks_url`].
    pub fn aws(
        region: impl Into<String>,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        let region = region.into();
        let user_pool_id = user_pool_id.into();
        let jwks_url = aws_jwks_url(&region, &user_pool_id);
        Self::new(region, user_pool_id, client_id, jwks_url)
    }

    /// A pool on a local emulator reached at `endpoint_url` (the value of
    /// `AWS_ENDPOINT_URL`, e.g. `http://127.0.0.1:5000`): the key set is at
    /// [`local_jwks_url`].
    pub fn local(
        endpoint_url: &str,
        region: impl Into<String>,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        let user_pool_id = user_pool_id.into();
        let jwks_url = local_jwks_url(endpoint_url, &user_pool_id);
        Self::new(region, user_pool_id, client_id, jwks_url)
    }

    /// The `iss` every token of this pool carries:
    /// `https://cognito-idp.<region>.amazonaws.com/<user_pool_id>`.
    pub fn issuer(&self) -> String {
        issuer(&self.region, &self.user_pool_id)
    }
}

/// The issuer of a user pool's tokens:
/// `https://cognito-idp.<region>.amazonaws.com/<user_pool_id>`.
pub fn issuer(region: &str, user_pool_id: &str) -> String {
    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

/// The key set of a pool on real AWS: the issuer followed by
/// `/.well-known/jwks.json`.
pub fn aws_jwks_url(region: &str, user_pool_id: &str) -> String {
    format!("{}/.well-known/jwks.json", issuer(region, user_pool_id))
}

/// The key set of a pool on a local emulator:
/// `<endpoint_url>/<user_pool_id>/.well-known/jwks.json` (a trailing `/` on the
/// endpoint is allowed).
pub fn local_jwks_url(endpoint_url: &str, user_pool_id: &str) -> String {
    format!(
        "{}/{user_pool_id}/.well-known/jwks.json",
        endpoint_url.trim_end_matches('/')
    )
}
