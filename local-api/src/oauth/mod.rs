//! The sign-in stand-in: the endpoints of Cognito's managed login the web app uses
//! (`/oauth2/authorize` with a sign-in page, `/oauth2/token` for the authorization
//! code grant with PKCE and the refresh token grant, `/logout`), checking passwords
//! against the local user pool, so the browser runs the same code path as deployed.
//! `pkce` checks verifiers, `grants` keeps the issued codes, `page` is the page.

pub mod grants;
pub mod page;
pub mod pkce;

use std::{collections::HashMap, sync::Arc};

use aws_sdk_cognitoidentityprovider::{Client as Cognito, types::AuthFlowType};
use axum::{
    Router,
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use serde_json::json;

use crate::web::headers::secure;
use grants::{Grant, Grants, Tokens};
use page::{AuthorizeRequest, refusal_page, sign_in_page};

/// What the stand-in checks requests against.
#[derive(Debug)]
pub struct OAuth {
    /// The local user pool's API.
    pub cognito: Cognito,
    /// The one app client it signs in for.
    pub client_id: String,
    /// The one redirect (and sign-out) URI: the site.
    pub redirect_uri: String,
    /// The codes issued and not yet redeemed.
    pub grants: Grants,
}

/// The message for a wrong e-mail address or password (one for both, as Cognito's).
pub const WRONG_PASSWORD: &str = "Incorrect username or password.";

/// The stand-in's routes.
pub fn router(state: Arc<OAuth>) -> Router {
    Router::new()
        .route("/oauth2/authorize", get(authorize))
        .route("/login", post(login))
        .route("/oauth2/token", post(token))
        .route("/logout", get(logout))
        .with_state(state)
}

/// The parameters of a query or form body; a repeated one is refused (RFC 6749 §3.1).
fn parameters(raw: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for (name, value) in form_urlencoded::parse(raw) {
        if out.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(format!("the parameter {name} is repeated"));
        }
    }
    Ok(out)
}

fn page(status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    secure(response.headers_mut());
    response
}

impl OAuth {
    /// The authorization request in `params`, or why it is refused.
    fn authorize_request(
        &self,
        params: &HashMap<String, String>,
    ) -> Result<AuthorizeRequest, String> {
        let get = |name: &str| params.get(name).cloned().unwrap_or_default();
        if get("response_type") != "code" {
            return Err(
                "Only the authorization code grant (response_type=code) is supported.".into(),
            );
        }
        if get("client_id") != self.client_id {
            return Err("Unknown client_id.".into());
        }
        if get("redirect_uri") != self.redirect_uri {
            return Err("The redirect_uri is not the client's callback URL.".into());
        }
        if get("code_challenge_method") != pkce::S256 {
            return Err("PKCE with code_challenge_method=S256 is required.".into());
        }
        let code_challenge = get("code_challenge");
        if !pkce::is_well_formed(&code_challenge) {
            return Err("A PKCE code_challenge is required.".into());
        }
        Ok(AuthorizeRequest {
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            state: get("state"),
            code_challenge,
            scope: get("scope"),
        })
    }

    async fn sign_in(&self, email: &str, password: &str) -> Result<Tokens, SignInError> {
        let answer = self
            .cognito
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", email)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map_err(|error| {
                let refused = error.as_service_error().is_some_and(|e| {
                    e.is_not_authorized_exception() || e.is_user_not_found_exception()
                });
                if refused {
                    SignInError::Refused
                } else {
                    tracing::error!(error = %aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(&error), "signing in");
                    SignInError::Unavailable
                }
            })?;
        tokens(answer.authentication_result, None)
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Tokens, SignInError> {
        let answer = self
            .cognito
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
            .map_err(|error| {
                if error.as_service_error().is_some() {
                    SignInError::Refused
                } else {
                    tracing::error!(error = %aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(&error), "refreshing");
                    SignInError::Unavailable
                }
            })?;
        tokens(answer.authentication_result, Some(refresh_token))
    }
}

/// Why a sign-in or refresh failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignInError {
    /// The pool refused the password or the refresh token.
    Refused,
    /// The pool could not be asked.
    Unavailable,
}

fn tokens(
    result: Option<aws_sdk_cognitoidentityprovider::types::AuthenticationResultType>,
    refreshed: Option<&str>,
) -> Result<Tokens, SignInError> {
    let result = result.ok_or(SignInError::Refused)?;
    Ok(Tokens {
        id_token: result.id_token.ok_or(SignInError::Refused)?,
        access_token: result.access_token.unwrap_or_default(),
        refresh_token: if refreshed.is_some() {
            None
        } else {
            result.refresh_token
        },
        expires_in: result.expires_in,
    })
}

async fn authorize(State(oauth): State<Arc<OAuth>>, RawQuery(query): RawQuery) -> Response {
    let request = parameters(query.unwrap_or_default().as_bytes())
        .and_then(|params| oauth.authorize_request(&params));
    match request {
        Ok(request) => page(StatusCode::OK, sign_in_page(&request, "", None)),
        Err(reason) => page(StatusCode::BAD_REQUEST, refusal_page(&reason)),
    }
}

async fn login(State(oauth): State<Arc<OAuth>>, body: Bytes) -> Response {
    let params = match parameters(&body) {
        Ok(params) => params,
        Err(reason) => return page(StatusCode::BAD_REQUEST, refusal_page(&reason)),
    };
    let request = match oauth.authorize_request(&params) {
        Ok(request) => request,
        Err(reason) => return page(StatusCode::BAD_REQUEST, refusal_page(&reason)),
    };
    let email = params.get("email").map(String::as_str).unwrap_or_default();
    let password = params
        .get("password")
        .map(String::as_str)
        .unwrap_or_default();
    let tokens = match oauth.sign_in(email, password).await {
        Ok(tokens) => tokens,
        Err(SignInError::Refused) => {
            tracing::info!("sign-in refused");
            return page(
                StatusCode::BAD_REQUEST,
                sign_in_page(&request, email, Some(WRONG_PASSWORD)),
            );
        }
        Err(SignInError::Unavailable) => {
            return page(
                StatusCode::BAD_GATEWAY,
                sign_in_page(
                    &request,
                    email,
                    Some("The user pool could not be reached. Try again."),
                ),
            );
        }
    };
    let code = oauth.grants.issue(Grant {
        client_id: request.client_id,
        redirect_uri: request.redirect_uri.clone(),
        challenge: request.code_challenge,
        tokens,
    });
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("code", &code);
    if !request.state.is_empty() {
        query.append_pair("state", &request.state);
    }
    redirect(&format!("{}?{}", request.redirect_uri, query.finish()))
}

fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(location) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, location);
            secure(response.headers_mut());
            response
        }
        Err(_) => page(StatusCode::BAD_REQUEST, refusal_page("Not a redirect URI.")),
    }
}

/// A JSON answer of the token endpoint, never cached (RFC 6749 §5.1).
fn json_answer(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An OAuth 2.0 error answer (RFC 6749 §5.2).
fn oauth_error(status: StatusCode, error: &str) -> Response {
    json_answer(status, &json!({ "error": error }))
}

async fn token(
    State(oauth): State<Arc<OAuth>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    }
    let Ok(params) = parameters(&body) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    if get("client_id") != oauth.client_id {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_client");
    }
    let tokens = match get("grant_type") {
        "authorization_code" => {
            let Some(grant) = oauth.grants.redeem(get("code")) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            if grant.client_id != get("client_id")
                || grant.redirect_uri != get("redirect_uri")
                || !pkce::verifies(get("code_verifier"), &grant.challenge)
            {
                tracing::info!(
                    client = grant.client_id == get("client_id"),
                    redirect_uri = grant.redirect_uri == get("redirect_uri"),
                    verifier = pkce::verifies(get("code_verifier"), &grant.challenge),
                    "a code redeemed with the wrong client, redirect URI or verifier"
                );
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            grant.tokens
        }
        "refresh_token" => match oauth.refresh(get("refresh_token")).await {
            Ok(tokens) => tokens,
            Err(SignInError::Refused) => {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            Err(SignInError::Unavailable) => {
                return oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable");
            }
        },
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    };
    let mut body = json!({
        "id_token": tokens.id_token,
        "access_token": tokens.access_token,
        "expires_in": tokens.expires_in,
        "token_type": "Bearer",
    });
    if let Some(refresh_token) = tokens.refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    json_answer(StatusCode::OK, &body)
}

async fn logout(State(oauth): State<Arc<OAuth>>, RawQuery(query): RawQuery) -> Response {
    let params = match parameters(query.unwrap_or_default().as_bytes()) {
        Ok(params) => params,
        Err(reason) => return page(StatusCode::BAD_REQUEST, refusal_page(&reason)),
    };
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    if get("client_id") != oauth.client_id {
        return page(StatusCode::BAD_REQUEST, refusal_page("Unknown client_id."));
    }
    if get("logout_uri") != oauth.redirect_uri {
        return page(
            StatusCode::BAD_REQUEST,
            refusal_page("The logout_uri is not the client's sign-out URL."),
        );
    }
    redirect(&oauth.redirect_uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(parameters(b"a=1&a=2").is_err());
        let params = parameters(b"a=1&b=x%20y").unwrap();
        assert_eq!(params["b"], "x y");
    }
}
