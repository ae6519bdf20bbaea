//! The Parallel state: every branch runs on (a copy of) the effective input, concurrently;
//! the result is the array of their outputs, and the first branch to fail fails the state
//! with its error.

use serde_json::Value;

use super::context::Context;
use super::io_processing::effective_input;
use super::jsonata_states;
use super::runner::TaskError;
use super::workflow::{Journal, Scope, Subworkflows, Workflow, run_all};
use crate::errors;
use crate::model::{Parallel, QueryLanguage};

/// One attempt: InputPath → Parameters (JSONata: `Arguments`) → the branches, run by
/// `runner`; gives the array of their outputs (the state's result).
pub(super) async fn attempt<'a, R: Subworkflows<'a>>(
    runner: &R,
    parallel: &'a Parallel,
    raw: &Value,
    context: &Context<'_>,
    language: QueryLanguage,
    journal: &mut Journal,
) -> Result<Value, TaskError> {
    let input = match language {
        QueryLanguage::JsonAta => jsonata_states::field_or(
            "Arguments",
            parallel.arguments.as_ref(),
            raw,
            context,
            || raw.clone(),
        )?,
        QueryLanguage::JsonPath => effective_input(
            parallel.input_path.as_ref(),
            parallel.parameters.as_ref(),
            raw,
            context,
        )
        // Over the quota, the state's input is the terminal error.
        .inspect_err(|error| journal.terminal |= error.error == errors::DATA_LIMIT_EXCEEDED)?,
    };
    let runs = parallel
        .branches
        .iter()
        .map(|branch| (Workflow::of(branch, language), input.clone()))
        .collect();
    let outcomes = run_all(runner, runs, Scope::Inline, context.variables, 0, journal).await?;
    outcomes
        .into_iter()
        .collect::<Result<Vec<Value>, TaskError>>()
        .map(Value::Array)
}
