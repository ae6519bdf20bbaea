//! AddDragon: the conditional append, after checking the dragon once more (the
//! task may be invoked on its own, and the name check must hold inside the write).

use dragons_contract::store::{AddError, DragonWriter};
use serde_json::{Value, json};

use super::{TaskFailure, input::checked_report};
use crate::{domain::validation::DragonValidator, logging::error_chain};

/// Adds the reported dragon; answers `{"added": …, "attempts": n}`.
pub async fn add_dragon(
    validator: &DragonValidator,
    store: &impl DragonWriter,
    event: Value,
) -> Result<Value, TaskFailure> {
    let (report, dragon) = checked_report(validator, event)?;
    let added = match store.add(&dragon).await {
        Ok(added) => added,
        Err(error) => {
            match &error {
                AddError::NameTaken(_) => tracing::info!(%error, "dragon refused"),
                AddError::Conflict { .. } => tracing::warn!(%error, "write conflict"),
                AddError::Store(_) => {
                    tracing::error!(error = %error_chain(&error), "the dragon store failed");
                }
            }
            return Err(error.into());
        }
    };
    tracing::info!(
        dragon = %dragon.dragon_name_str,
        reporter = %report.reporter.sub,
        attempts = added.attempts,
        "dragon added"
    );
    Ok(json!({ "added": dragon.dragon_name_str, "attempts": added.attempts }))
}
