//! ValidateDragon: the request model's rules, then "name not taken".

use serde_json::{Value, json};

use super::{Report, TaskError};
use crate::{aws::DragonCatalog, domain::validation::DragonValidator};

/// Checks the reported dragon; answers `{"valid": true, "dragon_name_str": …}`.
pub async fn validate_dragon(
    validator: &DragonValidator,
    catalog: &DragonCatalog,
    event: Value,
) -> Result<Value, TaskError> {
    let (report, dragon) = Report::checked(validator, event)?;
    catalog.check_name_free(&dragon.dragon_name_str).await?;
    tracing::info!(dragon = %dragon.dragon_name_str, reporter = %report.reporter.sub, "dragon is valid");
    Ok(json!({ "valid": true, "dragon_name_str": dragon.dragon_name_str }))
}
