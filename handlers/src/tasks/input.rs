//! What a task receives: the execution's report (ValidateDragon) or the report with
//! its execution (AddDragon), with its dragon checked.

use dragons_contract::{AddInput, Dragon, Report, TaskAnswer};
use serde::de::DeserializeOwned;
use serde_json::Value;

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

/// The input a task received and its dragon, checked by `validator`; a malformed input
/// or a dragon that breaks a rule is the task's rejection (the `Err`).
pub fn checked<T: Reported>(
    validator: &DragonValidator,
    event: Value,
) -> Result<(T, Dragon), TaskAnswer> {
    let input: T = serde_json::from_value(event)
        .map_err(|error| TaskAnswer::rejected(format!("the report is malformed: {error}")))?;
    let dragon = validator
        .validate(input.dragon())
        .map_err(|rejection| TaskAnswer::rejected(rejection.to_string()))?;
    Ok((input, dragon))
}
