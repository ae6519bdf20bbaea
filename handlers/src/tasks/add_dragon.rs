//! AddDragon: the conditional append, after checking the dragon once more (the
//! task may be invoked on its own, and the name check must hold inside the write).

use dragons_contract::{
    AddInput, TaskAnswer,
    store::{AddError, DragonWriter},
    task_answer::{LoggedOutcome, OUTCOME_LOG_FIELD},
};
use serde_json::Value;

use super::{TaskFailure, failure::refused, input::checked, log_rejection};
use crate::{domain::validation::DragonValidator, logging::error_chain};

/// Adds the reported dragon; answers [`TaskAnswer::Added`] (`replayed`: this execution
/// had added it already, as a retried task finds), or [`TaskAnswer::Rejected`].
pub async fn add_dragon(
    validator: &DragonValidator,
    store: &impl DragonWriter,
    event: Value,
) -> Result<TaskAnswer, TaskFailure> {
    let (input, dragon) = match checked::<AddInput>(validator, event) {
        Ok(checked) => checked,
        Err(rejection) => return Ok(log_rejection(rejection)),
    };
    let added = match store.add(&dragon, &input.report).await {
        Ok(added) => added,
        Err(error) => {
            match &error {
                AddError::NameTaken(_) => {}
                AddError::Conflict { .. } => tracing::warn!(%error, "write conflict"),
                AddError::Store(_) => {
                    tracing::error!(error = %error_chain(&error), "the dragon store failed");
                }
            }
            return refused(error).map(log_rejection);
        }
    };
    tracing::info!(
        { OUTCOME_LOG_FIELD } = LoggedOutcome::Added.as_str(),
        dragon = %dragon.dragon_name_str,
        reporter = %input.reporter.sub,
        report = %input.report.id,
        attempts = added.attempts,
        replayed = added.replayed,
        "dragon added"
    );
    Ok(TaskAnswer::Added {
        added: dragon.dragon_name_str,
        attempts: added.attempts,
        replayed: added.replayed,
    })
}
