//! A user's ID token, for `curl -H "Authorization: $(dragons token …)"`: InitiateAuth
//! with `USER_PASSWORD_AUTH` on the stack's app client (`UserPoolClientId`).

use aws_sdk_cognitoidentityprovider::{Client, error::DisplayErrorContext, types::AuthFlowType};

/// Why no token was issued.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Cognito refused or failed.
    #[error("signing in {username} failed: {message}")]
    SignIn {
        /// The user.
        username: String,
        /// What Cognito said.
        message: String,
    },
    /// Cognito answered with a challenge (a new password, MFA) instead of tokens.
    #[error(
        "signing in {username} needs {challenge}: finish it first (e.g. `dragons user add` sets a permanent password)"
    )]
    Challenge {
        /// The user.
        username: String,
        /// The challenge's name.
        challenge: String,
    },
}

/// The ID token of `username` signed in with `password` on the app client `client_id`.
pub async fn id_token(
    cognito: &Client,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<String, TokenError> {
    let answer = cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|error| TokenError::SignIn {
            username: username.to_owned(),
            message: DisplayErrorContext(&error).to_string(),
        })?;
    if let Some(challenge) = answer.challenge_name() {
        return Err(TokenError::Challenge {
            username: username.to_owned(),
            challenge: challenge.as_str().to_owned(),
        });
    }
    answer
        .authentication_result()
        .and_then(|result| result.id_token())
        .map(str::to_owned)
        .ok_or_else(|| TokenError::SignIn {
            username: username.to_owned(),
            message: "no ID token in the answer".to_owned(),
        })
}
