//! ValidateDragon: the request model's rules, then "name not taken".

use dragons_contract::{
    Report, TaskAnswer,
    store::{AddError, DragonWriter},
};
use serde_json::Value;

use super::{TaskFailure, failure::refused, input::checked, log_rejection};
use crate::{domain::validation::DragonValidator, logging::error_chain};

/// Checks the reported dragon; answers [`TaskAnswer::Valid`], or
/// [`TaskAnswer::Rejected`] with the broken rule or the name taken.
pub async fn validate_dragon(
    validator: &DragonValidator,
    store: &impl DragonWriter,
    event: Value,
) -> Result<TaskAnswer, TaskFailure> {
    let (report, dragon) = match checked::<Report>(validator, event) {
        Ok(checked) => checked,
        Err(rejection) => return Ok(log_rejection(rejection)),
    };
    let name = &dragon.dragon_name_str;
    match store.is_name_taken(name).await {
        Ok(false) => {}
        Ok(true) => return refused(AddError::NameTaken(name.clone())).map(log_rejection),
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "reading the dragon store failed");
            return Err(error.into());
        }
    }
    tracing::info!(dragon = %name, reporter = %report.reporter.sub, "dragon is valid");
    Ok(TaskAnswer::Valid {
        dragon_name_str: name.clone(),
    })
}
