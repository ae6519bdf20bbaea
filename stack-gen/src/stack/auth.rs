//! Sign-in: the Cognito user pool (e-mail as the user name, strong passwords,
//! self sign-up and TOTP MFA as the parameters say; protected from deletion and
//! retained with the stack) and its app client (no secret;
//! password, SRP and refresh flows).

use dragons_contract::stack_ids::ids;
use stratosphere::services::aws::cognito;
use stratosphere::value::{ExpBool, fn_if_bool};

use super::Parameters;

use crate::template::Pseudo;
use crate::template::{Attributes, Handle, Sub, Template, TemplateError};

/// The user pool and its app client.
pub struct Auth {
    /// The user pool whose ID tokens the API's authorizer accepts.
    pub user_pool: Handle<cognito::UserPool_>,
    /// The app client (the tokens' `aud`).
    pub client: Handle<cognito::UserPoolClient_>,
}

/// Adds the user pool and its client.
pub fn add(template: &mut Template, parameters: &Parameters) -> Result<Auth, TemplateError> {
    // Self sign-up off: only an administrator creates accounts.
    let admin_only: ExpBool = fn_if_bool(parameters.users.self_sign_up.name(), false, true);
    // The users outlive the stack: deletion protection refuses a delete (of the pool,
    // or of a stack that would delete it), and a stack delete or replacement keeps it.
    let user_pool = template.add_with(
        ids::USER_POOL,
        cognito::UserPool! {
            account_recovery_setting: cognito::userpool::AccountRecoverySetting! {
                recovery_mechanisms: vec![cognito::userpool::RecoveryOption! {
                    name: "verified_email",
                    priority: 1,
                }],
            },
            admin_create_user_config: cognito::userpool::AdminCreateUserConfig! {
                allow_admin_create_user_only: admin_only,
            },
            auto_verified_attributes: vec!["email".into()],
            deletion_protection: "ACTIVE",
            enabled_mfas: vec!["SOFTWARE_TOKEN_MFA".into()],
            mfa_configuration: parameters.users.mfa.reference(),
            policies: cognito::userpool::Policies! {
                password_policy: cognito::userpool::PasswordPolicy! {
                    minimum_length: 12,
                    require_lowercase: true,
                    require_numbers: true,
                    require_symbols: true,
                    require_uppercase: true,
                    temporary_password_validity_days: 3,
                },
            },
            user_pool_name: Sub::new().pseudo(Pseudo::StackName).text("-users").build(),
            username_attributes: vec!["email".into()],
            username_configuration: cognito::userpool::UsernameConfiguration! { case_sensitive: false },
        },
        Attributes::default().retained(),
    )?;
    let client = template.add(
        "UserPoolClient",
        cognito::UserPoolClient! {
            client_name: Sub::new().pseudo(Pseudo::StackName).text("-client").build(),
            enable_token_revocation: true,
            explicit_auth_flows: vec![
                "ALLOW_USER_PASSWORD_AUTH".into(),
                "ALLOW_USER_SRP_AUTH".into(),
                "ALLOW_REFRESH_TOKEN_AUTH".into(),
            ],
            generate_secret: false,
            id_token_validity: 60,
            access_token_validity: 60,
            refresh_token_validity: 30,
            prevent_user_existence_errors: "ENABLED",
            token_validity_units: cognito::userpoolclient::TokenValidityUnits! {
                access_token: "minutes",
                id_token: "minutes",
                refresh_token: "days",
            },
            user_pool_id: user_pool.reference(),
        },
    )?;
    Ok(Auth { user_pool, client })
}
