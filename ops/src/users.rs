//! The stack's users: create one with a permanent password (AdminCreateUser without
//! an invitation, then AdminSetUserPassword), list them, remove one. The pool is the
//! stack's `UserPoolId` output; it signs in by e-mail address (the template's
//! `UsernameAttributes`), so a user is named by its address, set verified.

use aws_sdk_cognitoidentityprovider::{
    Client, error::DisplayErrorContext, types::MessageActionType,
};
use serde::Serialize;

/// Why a user operation failed.
#[derive(Debug, thiserror::Error)]
#[error("{operation} on user pool {pool} failed: {message}")]
pub struct UserError {
    /// The Cognito call.
    pub operation: &'static str,
    /// The pool.
    pub pool: String,
    /// What Cognito said.
    pub message: String,
}

fn failed(operation: &'static str, pool: &str, error: impl std::fmt::Display) -> UserError {
    UserError {
        operation,
        pool: pool.to_owned(),
        message: error.to_string(),
    }
}

/// A user of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// The user name (Cognito's: a UUID in a pool that signs in by e-mail).
    pub username: String,
    /// Its e-mail address.
    pub email: Option<String>,
    /// Its `sub`.
    pub sub: Option<String>,
    /// Its status (`CONFIRMED`, `FORCE_CHANGE_PASSWORD`, …).
    pub status: Option<String>,
    /// Whether it may sign in.
    pub enabled: bool,
}

/// Creates the user `email` (verified) with the permanent `password`; no invitation
/// is sent.
pub async fn add(
    cognito: &Client,
    pool: &str,
    email: &str,
    password: &str,
) -> Result<(), UserError> {
    let username = email;
    let mut create = cognito
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .message_action(MessageActionType::Suppress);
    for (name, value) in [("email", email), ("email_verified", "true")] {
        let attribute = aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .map_err(|error| failed("AdminCreateUser", pool, error))?;
        create = create.user_attributes(attribute);
    }
    create
        .send()
        .await
        .map_err(|error| failed("AdminCreateUser", pool, DisplayErrorContext(&error)))?;
    cognito
        .admin_set_user_password()
        .user_pool_id(pool)
        .username(username)
        .password(password)
        .permanent(true)
        .send()
        .await
        .map_err(|error| failed("AdminSetUserPassword", pool, DisplayErrorContext(&error)))?;
    Ok(())
}

/// Every user of the pool.
pub async fn list(cognito: &Client, pool: &str) -> Result<Vec<User>, UserError> {
    let mut users = Vec::new();
    let mut pages = cognito
        .list_users()
        .user_pool_id(pool)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| failed("ListUsers", pool, DisplayErrorContext(&error)))?;
        users.extend(page.users().iter().map(|user| {
            let attribute = |name: &str| {
                user.attributes()
                    .iter()
                    .find(|attribute| attribute.name() == name)
                    .and_then(|attribute| attribute.value())
                    .map(str::to_owned)
            };
            User {
                username: user.username().unwrap_or_default().to_owned(),
                email: attribute("email"),
                sub: attribute("sub"),
                status: user.user_status().map(|status| status.as_str().to_owned()),
                enabled: user.enabled(),
            }
        }));
    }
    Ok(users)
}

/// Deletes the user `username` (its e-mail address, or Cognito's user name).
pub async fn remove(cognito: &Client, pool: &str, username: &str) -> Result<(), UserError> {
    cognito
        .admin_delete_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .map_err(|error| failed("AdminDeleteUser", pool, DisplayErrorContext(&error)))?;
    Ok(())
}
