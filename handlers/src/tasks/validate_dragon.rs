//! ValidateDragon: the request model's rules, then "name not taken".

use dragons_contract::{
    Report,
    store::{AddError, DragonWriter},
};
use serde_json::{Value, json};

use super::{TaskFailure, input::checked};
use crate::{domain::validation::DragonValidator, logging::error_chain};

/// Checks the reported dragon; answers `{"valid": true, "dragon_name_str": …}`.
pub async fn validate_dragon(
    validator: &DragonValidator,
    store: &impl DragonWriter,
    event: Value,
) -> Result<Value, TaskFailure> {
    let (report, dragon) = checked::<Report>(validator, event)?;
    let name = &dragon.dragon_name_str;
    match store.is_name_taken(name).await {
        Ok(false) => {}
        Ok(true) => return Err(AddError::NameTaken(name.clone()).into()),
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "reading the dragon store failed");
            return Err(error.into());
        }
    }
    tracing::info!(dragon = %name, reporter = %report.reporter.sub, "dragon is valid");
    Ok(json!({ "valid": true, "dragon_name_str": name }))
}
