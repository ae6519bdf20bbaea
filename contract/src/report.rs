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

/// Which report (workflow execution) asks a store to add a dragon: how a store knows,
/// when a retried task finds the name taken, that the dragon there is this report's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRef {
    /// The execution's name (`$$.Execution.Name`): unique per state machine.
    pub id: String,
    /// When the execution started (`$$.Execution.StartTime`, RFC 3339): nothing it
    /// wrote is older.
    pub submitted_at: String,
}

/// What the AddDragon task receives: the report and the execution it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddInput {
    /// The reported dragon, as sent.
    pub dragon: Value,
    /// Who sent it.
    pub reporter: Reporter,
    /// The execution.
    pub report: ReportRef,
}
