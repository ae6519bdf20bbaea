//! What a task receives: the execution's report (ValidateDragon) or the report with
//! its execution (AddDragon), with its dragon checked.

use dragons_contract::{AddInput, Dragon, Report};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::TaskFailure;
use crate::domain::validation::DragonValidator;

/// A task's input that carries a reported dragon.
pub trait Reported: DeserializeOwned {
    /// The dragon, as sent.
    fn dragon(&self) -> &Value;
}

impl Reported for Report {
    fn dragon(&self) -> &Value {
        &self.dragon
    }
}

impl Reported for AddInput {
    fn dragon(&self) -> &Value {
        &self.dragon
    }
}

/// The input a task received and its dragon, checked by `validator`. A malformed input
/// or a rejected dragon is a `DragonValidationError`.
pub fn checked<T: Reported>(
    validator: &DragonValidator,
    event: Value,
) -> Result<(T, Dragon), TaskFailure> {
    let input: T = serde_json::from_value(event)
        .map_err(|error| TaskFailure::rejected(format!("the report is malformed: {error}")))?;
    let dragon = validator
        .validate(input.dragon())
        .map_err(|rejection| TaskFailure::rejected(rejection.to_string()))?;
    Ok((input, dragon))
}
