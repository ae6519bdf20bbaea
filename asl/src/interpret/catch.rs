//! `Catch`: the first catcher matching an error, and the output and variables it passes
//! on.

use serde_json::Value;

use super::context::Context;
use super::jsonata::{Evaluator, States};
use super::parameters;
use super::paths::Path;
use super::retry::error_matches;
use super::runner::TaskError;
use super::workflow::Assigned;
use crate::errors;
use crate::model::{Catcher, QueryLanguage};

/// The first catcher, in order, whose `ErrorEquals` matches `error`.
pub(crate) fn find<'c>(catchers: &'c [Catcher], error: &str) -> Option<&'c Catcher> {
    catchers
        .iter()
        .find(|catcher| error_matches(&catcher.error_equals, error))
}

/// The input of the catcher's `Next` state and the variables it assigns. In JSONPath, the
/// error output placed by `ResultPath` and `Assign` reading the error output as `$`; in
/// JSONata, `Output` (default: the error output) and `Assign`, reading
/// `$states.errorOutput`.
pub(crate) fn handle(
    catcher: &Catcher,
    language: QueryLanguage,
    raw_input: &Value,
    error: &TaskError,
    context: &Context<'_>,
) -> Result<(Value, Assigned), TaskError> {
    let error_output = error.to_error_output();
    match language {
        QueryLanguage::JsonPath => {
            let assigned = catcher
                .assign
                .as_ref()
                .map(|assign| parameters::assign(assign, &error_output, context))
                .transpose()?;
            Ok((output(catcher, raw_input.clone(), error)?, assigned))
        }
        QueryLanguage::JsonAta => {
            let states = States {
                input: raw_input,
                result: None,
                error_output: Some(&error_output),
            };
            let (output, assigned) = Evaluator::new(states, context)
                .finish(catcher.assign.as_ref(), catcher.output.as_ref())?;
            Ok((output.unwrap_or(error_output), assigned))
        }
    }
}

/// The input of the catcher's `Next` state in JSONPath: the error output `{"Error", "Cause"}` placed
/// into the state's raw input by the catcher's `ResultPath` (absent: replaces it; `null`:
/// keeps the raw input).
fn output(catcher: &Catcher, raw_input: Value, error: &TaskError) -> Result<Value, TaskError> {
    match &catcher.result_path {
        None => Ok(error.to_error_output()),
        Some(None) => Ok(raw_input),
        Some(Some(path)) => {
            let failure = |e: &dyn std::fmt::Display| {
                TaskError::new(errors::RESULT_PATH_MATCH_FAILURE, e.to_string())
            };
            let path = Path::parse(path).map_err(|e| failure(&e))?;
            let mut out = raw_input;
            path.write(&mut out, error.to_error_output())
                .map_err(|e| failure(&e))?;
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn first_matching_catcher_wins() {
        let catchers = [
            Catcher::new(["A"], "HandleA"),
            Catcher::new(["B", errors::TASK_FAILED], "HandleTaskFailed"),
            Catcher::new([errors::ALL], "HandleAll"),
        ];
        let next = |error: &str| find(&catchers, error).map(|c| c.next.as_str());
        assert_eq!(next("A"), Some("HandleA"));
        assert_eq!(next("Other"), Some("HandleTaskFailed"));
        assert_eq!(next(errors::TIMEOUT), Some("HandleAll"));
        assert_eq!(next(errors::RUNTIME), None);
    }

    #[test]
    fn result_path_places_the_error_output() -> Result<(), TaskError> {
        let error = TaskError::new("Boom", "it broke");
        let input = json!({"keep": 1});
        let replace = Catcher::new(["Boom"], "Next");
        assert_eq!(
            output(&replace, input.clone(), &error)?,
            json!({"Error": "Boom", "Cause": "it broke"})
        );
        let merge = Catcher::new(["Boom"], "Next").result_path("$.error");
        assert_eq!(
            output(&merge, input.clone(), &error)?,
            json!({"keep": 1, "error": {"Error": "Boom", "Cause": "it broke"}})
        );
        let mut discard = Catcher::new(["Boom"], "Next");
        discard.result_path = Some(None);
        assert_eq!(output(&discard, input, &error)?, json!({"keep": 1}));
        let unplaceable = output(&merge, json!("text"), &error).map_err(|e| e.error);
        assert_eq!(
            unplaceable,
            Err(errors::RESULT_PATH_MATCH_FAILURE.to_owned())
        );
        Ok(())
    }
}
