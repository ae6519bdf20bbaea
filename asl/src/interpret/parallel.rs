//! The Parallel state: every branch runs on (a copy of) the effective input, concurrently;
//! the result is the array of their outputs, and the first branch to fail fails the state
//! with its error.

use serde_json::Value;

use super::concurrency::{BoxFuture, join_bounded};
use super::context::Context;
use super::executor::{Assigned, Execution, Journal, Workflow};
use super::io_processing::{Completion, input_path};
use super::jsonata_states;
use super::parameters;
use super::payload;
use super::runner::TaskError;
use crate::model::{Parallel, QueryLanguage};

impl<'a> Execution<'a> {
    /// One attempt: InputPath → Parameters → the branches → ResultSelector → Assign →
    /// ResultPath → OutputPath.
    pub(super) async fn parallel_attempt(
        &self,
        parallel: &'a Parallel,
        raw: &Value,
        context: &Context<'_>,
        language: QueryLanguage,
        journal: &mut Journal,
    ) -> Result<(Value, Assigned), TaskError> {
        let jsonata = language == QueryLanguage::JsonAta;
        let input = if jsonata {
            jsonata_states::parallel_input(parallel, raw, context)?
        } else {
            let effective = input_path(parallel.input_path.as_ref(), raw, context)?;
            match &parallel.parameters {
                Some(template) => {
                    let input = parameters::apply(template, &effective, context)?;
                    // Over the quota, the state's input is the terminal error.
                    payload::check(&input, "the state's input after Parameters")
                        .inspect_err(|_| journal.terminal = true)?;
                    input
                }
                None => effective.into_owned(),
            }
        };
        let branches: Vec<BoxFuture<'_, (Result<Value, TaskError>, Journal)>> = parallel
            .branches
            .iter()
            .map(|branch| {
                let workflow = Workflow::of(branch, language);
                let input = input.clone();
                let outer = context.variables;
                let run: BoxFuture<'_, _> = Box::pin(async move {
                    let mut child = Journal::default();
                    let result = self.run_states(workflow, input, outer, &mut child).await;
                    (result, child)
                });
                run
            })
            .collect();
        // On a failure the branches that finished before it are left, then the failed one,
        // whose error ends the loop.
        let outputs = join_bounded(branches, 0, |(result, _)| result.is_err())
            .await
            .unwrap_or_else(|finished| finished);
        let mut results = Vec::with_capacity(outputs.len());
        for (result, child) in outputs {
            journal.history.extend(child.history);
            journal.terminal |= child.terminal;
            results.push(result?);
        }
        if jsonata {
            return jsonata_states::complete(
                parallel.output.as_ref(),
                parallel.assign.as_ref(),
                raw,
                Value::Array(results),
                context,
            );
        }
        Completion {
            result_selector: parallel.result_selector.as_ref(),
            assign: parallel.assign.as_ref(),
            result_path: parallel.result_path.as_ref(),
            output_path: parallel.output_path.as_ref(),
        }
        .apply(raw, Value::Array(results), context)
    }
}
