//! What a task receives: the execution's report, with its dragon checked.

use dragons_contract::{Dragon, Report};
use serde_json::Value;

use super::TaskFailure;
use crate::domain::validation::DragonValidator;

/// The report a task received and its dragon, checked by `validator`. A malformed
/// report or a rejected dragon is a `DragonValidationError`.
pub fn checked_report(
    validator: &DragonValidator,
    event: Value,
) -> Result<(Report, Dragon), TaskFailure> {
    let report: Report = serde_json::from_value(event)
        .map_err(|error| TaskFailure::rejected(format!("the report is malformed: {error}")))?;
    let dragon = validator
        .validate(&report.dragon)
        .map_err(|rejection| TaskFailure::rejected(rejection.to_string()))?;
    Ok((report, dragon))
}
