//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector` and a JSONPath
//! state's `Assign`): fields whose key ends in `.$` take the value of a path or of an
//! intrinsic function call, under the key without `.$`.

use serde_json::{Map, Value};

use super::context::Context;
use super::intrinsic::{self, IntrinsicError};
use super::paths::{self, PathError};
use super::runner::TaskError;
use crate::errors;

/// A payload template that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TemplateError {
    /// A `.$` path selects nothing in `input` (the JSON text of the template's input), or
    /// is malformed.
    #[error("{}", path_failure(.key, .source, .input))]
    Path {
        key: String,
        source: PathError,
        input: String,
    },
    /// A `.$` intrinsic function call failed.
    #[error("field `{key}`: {source}")]
    Intrinsic { key: String, source: IntrinsicError },
    /// A `.$` field's value is not a string.
    #[error("field `{key}` must be a path or an intrinsic function call, not {value}")]
    NotAString { key: String, value: Value },
}

/// Why the path of the field `key` failed; a path that selects nothing in the words of the
/// service.
fn path_failure(key: &str, source: &PathError, input: &str) -> String {
    match source {
        PathError::NotFound { path } => format!(
            "The JSONPath '{path}' specified for the field '{key}' could not be found in the input '{input}'"
        ),
        other => format!("field `{key}`: {other}"),
    }
}

/// A path that selects nothing is `States.Runtime` (which no catcher handles), as
/// executions recorded on the service show for Pass and Task states, although the
/// error-handling page names `States.ParameterPathFailure` for it; an intrinsic that
/// fails is `States.IntrinsicFailure`.
impl From<TemplateError> for TaskError {
    fn from(error: TemplateError) -> Self {
        let name = match &error {
            TemplateError::Path { .. } | TemplateError::NotAString { .. } => errors::RUNTIME,
            TemplateError::Intrinsic { .. } => errors::INTRINSIC_FAILURE,
        };
        Self::new(name, error.to_string())
    }
}

/// Builds the payload described by `template` from `input`.
pub(crate) fn apply(
    template: &Value,
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, TemplateError> {
    match template {
        Value::Object(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (key, value) in fields {
                match key.strip_suffix(".$") {
                    Some(name) => {
                        out.insert(name.to_owned(), dynamic(key, value, input, context)?);
                    }
                    None => {
                        out.insert(key.clone(), apply(value, input, context)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| apply(item, input, context))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// An `Assign` object evaluated against `input` (`$`): the variables it sets. Every
/// expression reads the variables as they were before the state.
pub(crate) fn assign(
    assign: &Value,
    input: &Value,
    context: &Context<'_>,
) -> Result<Map<String, Value>, TaskError> {
    match apply(assign, input, context)? {
        Value::Object(assigned) => Ok(assigned),
        other => Err(TaskError::runtime(format!(
            "Assign must be an object, not {other}"
        ))),
    }
}

/// The value of one `.$` field.
fn dynamic(
    key: &str,
    value: &Value,
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, TemplateError> {
    let Value::String(expression) = value else {
        return Err(TemplateError::NotAString {
            key: key.to_owned(),
            value: value.clone(),
        });
    };
    expression_value(key, expression, input, context)
}

/// The value of `expression` (a path or an intrinsic call) for the field `key`.
pub(crate) fn expression_value(
    key: &str,
    expression: &str,
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, TemplateError> {
    if intrinsic::is_call(expression) {
        intrinsic::evaluate(expression, input, context).map_err(|source| TemplateError::Intrinsic {
            key: key.to_owned(),
            source,
        })
    } else {
        paths::resolve(expression, input, context)
            .map(std::borrow::Cow::into_owned)
            .map_err(|source| TemplateError::Path {
                key: key.to_owned(),
                source,
                input: input.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::interpret::variables::Variables;

    fn run(template: &Value, input: &Value) -> Result<Value, TemplateError> {
        apply(template, input, &Context::for_tests())
    }

    /// The ASL specification's `Parameters` example (with a context field the interpreter
    /// provides in place of `$$.DayOfWeek`).
    #[test]
    fn specification_parameters_example() {
        let template = json!({
            "flagged": true,
            "parts": {
                "first.$": "$.vals[0]",
                "last3.$": "$.vals[-3:]"
            },
            "state.$": "$$.State.Name",
            "formattedOutput.$": "States.Format('This is {}', $$.State.Name)"
        });
        let input = json!({"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]});
        assert_eq!(
            run(&template, &input),
            Ok(json!({
                "flagged": true,
                "parts": {"first": 0, "last3": [30, 40, 50]},
                "state": "TestState",
                "formattedOutput": "This is TestState"
            }))
        );
    }

    #[test]
    fn assign_reads_paths_and_variables_as_they_were() {
        let mut scope = Variables::new(None);
        scope.set(json!({"count": 1}).as_object().cloned().unwrap_or_default());
        let context = Context {
            variables: Some(&scope),
            ..Context::for_tests()
        };
        let assigned = assign(
            &json!({"count.$": "States.MathAdd($count, 1)", "old.$": "$count", "x.$": "$.x",
                    "fixed": {"k": [1]}}),
            &json!({"x": "input"}),
            &context,
        );
        assert_eq!(
            assigned.map(Value::Object),
            Ok(json!({"count": 2, "old": 1, "x": "input", "fixed": {"k": [1]}}))
        );
        let missing = assign(&json!({"y.$": "$undefined"}), &json!({}), &context);
        assert_eq!(
            missing.map_err(|e| e.error),
            Err(errors::RUNTIME.to_owned())
        );
    }

    #[test]
    fn templates_inside_arrays_and_literals_stay() {
        let template = json!([{"k.$": "$.a"}, "$.a", 1.5, null, {"nested": [{"n.$": "$"}]}]);
        assert_eq!(
            run(&template, &json!({"a": "x"})),
            Ok(json!([{"k": "x"}, "$.a", 1.5, null, {"nested": [{"n": {"a": "x"}}]}]))
        );
    }

    #[test]
    fn failures_name_the_field_and_the_asl_error() {
        let input = json!({"a": 1});
        let missing = run(&json!({"outer": {"b.$": "$.b"}}), &input);
        assert!(matches!(&missing, Err(TemplateError::Path { key, .. }) if key == "b.$"));
        let error = missing.map_err(TaskError::from).err();
        assert_eq!(error.map(|e| e.error), Some(errors::RUNTIME.to_owned()));

        let intrinsic = run(&json!({"m.$": "States.Format('{}')"}), &input);
        let error = intrinsic.map_err(TaskError::from).err();
        assert_eq!(
            error.map(|e| e.error),
            Some(errors::INTRINSIC_FAILURE.to_owned())
        );

        let number = run(&json!({"n.$": 3}), &input);
        assert!(matches!(number, Err(TemplateError::NotAString { .. })));
    }
}
