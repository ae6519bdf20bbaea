//! How a state's result becomes its output and the variables it assigns. In JSONPath:
//! `ResultSelector` → `Assign` (reading the selected result as `$`) → `ResultPath` →
//! `OutputPath`. In JSONata: `Assign` and `Output`, both reading `$states.result` (and
//! the variables as they were before the state); without `Output`, the result.

use serde_json::Value;

use super::context::Context;
use super::io_processing::{output_path, result_path};
use super::jsonata::{Evaluator, States};
use super::parameters;
use super::runner::TaskError;
use super::workflow::Assigned;
use crate::model::{QueryLanguage, State};

/// The fields of a Task, Map, Parallel or Pass state that turn its result into its output.
pub(super) struct Completion<'f> {
    result_selector: Option<&'f Value>,
    assign: Option<&'f Value>,
    result_path: Option<&'f Option<String>>,
    output_path: Option<&'f Option<String>>,
    output: Option<&'f Value>,
}

impl<'f> Completion<'f> {
    /// The completion fields of `state`.
    pub fn of(state: &'f State) -> Self {
        Self {
            result_selector: state.result_selector(),
            assign: state.assign(),
            result_path: state.result_path(),
            output_path: state.output_path(),
            output: state.output(),
        }
    }

    /// The state's output and the variables it assigns, for its raw input `raw` and its
    /// `result`.
    pub fn apply(
        &self,
        language: QueryLanguage,
        raw: &Value,
        result: Value,
        context: &Context<'_>,
    ) -> Result<(Value, Assigned), TaskError> {
        match language {
            QueryLanguage::JsonPath => {
                let result = match self.result_selector {
                    Some(template) => parameters::apply(template, &result, context)?,
                    None => result,
                };
                let assigned = self
                    .assign
                    .map(|assign| parameters::assign(assign, &result, context))
                    .transpose()?;
                let combined = result_path(self.result_path, raw, result)?;
                let output = output_path(self.output_path, combined, context)?;
                Ok((output, assigned))
            }
            QueryLanguage::JsonAta => {
                let states = States {
                    input: raw,
                    result: Some(&result),
                    error_output: None,
                };
                let (output, assigned) =
                    Evaluator::new(states, context).finish(self.assign, self.output)?;
                Ok((output.unwrap_or(result), assigned))
            }
        }
    }
}
