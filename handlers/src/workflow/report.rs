//! The execution input API Gateway starts the state machine with.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::TaskError;
use crate::domain::{Dragon, validation::DragonValidator};

/// Who reported the dragon: taken from the authorizer's claims, never from the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    /// The user's `sub` claim.
    pub sub: String,
    /// The user's `cognito:username` claim.
    pub username: String,
}

/// `{"dragon": …, "reporter": {…}}`. The dragon stays raw JSON here: it is checked by
/// the validator, which explains what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The reported dragon, as sent.
    pub dragon: Value,
    /// Who sent it.
    pub reporter: Reporter,
}

impl Report {
    /// The report a task received and its dragon, checked by `validator`. A
    /// malformed report or a rejected dragon is a `DragonValidationError`.
    pub fn checked(validator: &DragonValidator, event: Value) -> Result<(Self, Dragon), TaskError> {
        let report: Self = serde_json::from_value(event)
            .map_err(|error| TaskError::rejected(format!("the report is malformed: {error}")))?;
        let dragon = validator
            .validate(&report.dragon)
            .map_err(|rejection| TaskError::rejected(rejection.to_string()))?;
        Ok((report, dragon))
    }
}
