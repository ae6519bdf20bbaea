//! What the web app reads from its `config.json`: where the API and the sign-in are.
//! local-api generates it pointing at itself; `ops` writes it from the stack's outputs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The name of the web app's configuration file, beside its `index.html`.
pub const WEB_CONFIG_FILE: &str = "config.json";

/// The web app's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebConfig {
    /// The API's base URL without a trailing slash, the stage included where there is
    /// one: `https://d111.cloudfront.net/v1` deployed, `http://127.0.0.1:3000` locally.
    pub api_url: String,
    /// The OAuth 2.0 authorization server without a trailing slash (Cognito's managed
    /// login domain, or local-api's stand-in): the app uses its `/oauth2/authorize`,
    /// `/oauth2/token` and `/logout` endpoints (authorization code grant with PKCE).
    pub auth_url: String,
    /// The user pool app client the web app signs in with.
    pub client_id: String,
    /// Where the authorization server sends the browser back after sign-in and
    /// sign-out: the site's own URL.
    pub redirect_uri: String,
}

/// The name of the dragon JSON Schema the web app's report form validates with
/// (`schema::dragon_schema()`, generated, never copied), beside its `index.html`.
pub const DRAGON_SCHEMA_FILE: &str = "dragon.schema.json";
