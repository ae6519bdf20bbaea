//! AddDragon: the conditional append, after checking the dragon once more (the
//! task may be invoked on its own, and the name check must hold inside the write).

use dragons_contract::{
    AddInput,
    store::{AddError, DragonWriter},
};
use serde_json::{Value, json};

use super::{TaskFailure, input::checked};
use crate::{domain::validation::DragonValidator, logging::error_chain};

/// Adds the reported dragon; answers `{"added": …, "attempts": n, "replayed": …}`
/// (`replayed`: this execution had added it already, as a retried task finds).
pub async fn add_dragon(
    validator: &DragonValidator,
    store: &impl DragonWriter,
    event: Value,
) -> Result<Value, TaskFailure> {
    let (input, dragon) = checked::<AddInput>(validator, event)?;
    let added = match store.add(&dragon, &input.report).await {
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
        reporter = %input.reporter.sub,
        report = %input.report.id,
        attempts = added.attempts,
        replayed = added.replayed,
        "dragon added"
    );
    Ok(json!({
        "added": dragon.dragon_name_str,
        "attempts": added.attempts,
        "replayed": added.replayed,
    }))
}
