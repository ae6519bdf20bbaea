//! AddDragon: the conditional append, after checking the dragon once more (the
//! task may be invoked on its own, and the name check must hold inside the write).

use serde_json::{Value, json};

use super::{Report, TaskError};
use crate::{aws::DragonCatalog, domain::validation::DragonValidator};

/// Adds the reported dragon; answers `{"added": …, "attempts": n}`.
pub async fn add_dragon(
    validator: &DragonValidator,
    catalog: &DragonCatalog,
    event: Value,
) -> Result<Value, TaskError> {
    let (report, dragon) = Report::checked(validator, event)?;
    let added = catalog.add(&dragon).await?;
    tracing::info!(
        dragon = %dragon.dragon_name_str,
        reporter = %report.reporter.sub,
        attempts = added.attempts,
        "dragon added"
    );
    Ok(json!({ "added": dragon.dragon_name_str, "attempts": added.attempts }))
}
