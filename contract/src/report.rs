//! The execution input API Gateway starts the report workflow with.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who reported the dragon: taken from the authorizer's claims, never from the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    /// The user's `sub` claim.
    pub sub: String,
    /// The user's `cognito:username` claim.
    pub username: String,
}

/// `{"dragon": …, "reporter": {…}}`. The dragon stays raw JSON here: the tasks check it
/// and explain what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The reported dragon, as sent.
    pub dragon: Value,
    /// Who sent it.
    pub reporter: Reporter,
}
