//! JSONata states: the `{% … %}` expressions of their fields, evaluated with the
//! `jsonata-rs` crate (JSONata 2.0's language and function library, less what that crate
//! lacks: see `CONFORMANCE.md`), with `$states` (`input`, `result`, `errorOutput`,
//! `context`), the workflow variables in scope, and the Step Functions functions.
//!
//! A failed expression, or one that gives nothing (`undefined`), is the error
//! `States.QueryEvaluationError`.

mod convert;
mod functions;

use std::panic::{AssertUnwindSafe, catch_unwind};

use bumpalo::Bump;
use jsonata_rs::{JsonAta, Value as Jv};
use serde_json::{Map, Value};

use super::context::Context;
use super::runner::TaskError;
use super::workflow::Assigned;
use crate::errors;
use crate::model::JsonAtaCondition;

/// Deepest recursion an expression may reach (a guard against runaway recursion).
const MAX_DEPTH: usize = 500;
/// Longest an expression may run, in milliseconds.
const MAX_MILLIS: usize = 10_000;

/// Bytes the arena of one evaluation starts with: the library allocates its function table
/// (some 70 native functions) in it on every evaluation, so starting big enough avoids the
/// arena's chunk-by-chunk growth (about a third of an evaluation's time otherwise).
const ARENA_BYTES: usize = 64 * 1024;

/// The prefix of the second name each workflow variable is bound under.
const VARIABLE_PREFIX: &str = "stepFunctionsVariable_";

/// Whether `name` can be written `$name` in an expression.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The text inside `{% … %}`, when `text` is a JSONata expression.
pub(crate) fn expression(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// Why an expression cannot be parsed (`None` when it can); for the validator.
pub(crate) fn syntax_error(expression: &str) -> Option<String> {
    let arena = Bump::new();
    match catch_unwind(AssertUnwindSafe(|| {
        JsonAta::new(expression, &arena)
            .err()
            .map(|e| e.to_string())
    })) {
        Ok(error) => error,
        Err(_) => Some("the expression cannot be parsed".to_owned()),
    }
}

/// What `$states` holds while a state's fields are evaluated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct States<'v> {
    /// The state's input.
    pub input: &'v Value,
    /// The result of the task, branches or iterations, once there is one.
    pub result: Option<&'v Value>,
    /// The error output, in a catcher.
    pub error_output: Option<&'v Value>,
}

impl<'v> States<'v> {
    /// `$states` before the state's work: only its input.
    pub fn input(input: &'v Value) -> Self {
        Self {
            input,
            result: None,
            error_output: None,
        }
    }
}

/// Evaluates the JSONata fields of one state.
pub(crate) struct Evaluator<'v> {
    states: States<'v>,
    context: Context<'v>,
    variables: Map<String, Value>,
}

/// Whether `expression` may read `$states.context`: unless every `$states` in it is
/// followed by `.input`, `.result` or `.errorOutput`, as most are (the context object is
/// then not built for it).
fn reads_context(expression: &str) -> bool {
    expression.match_indices("$states").any(|(at, name)| {
        let rest = &expression[at + name.len()..];
        ![".input", ".result", ".errorOutput"].iter().any(|field| {
            rest.strip_prefix(field)
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        })
    })
}

impl<'v> Evaluator<'v> {
    /// An evaluator binding `$states` (its `context` from `context`) and the variables in
    /// scope.
    pub fn new(states: States<'v>, context: &Context<'v>) -> Self {
        Self {
            states,
            context: *context,
            variables: context
                .variables
                .map(super::variables::Variables::visible)
                .unwrap_or_default(),
        }
    }

    /// `$states` in `arena`: the input, result and error output there are, and the
    /// context object when `with_context`.
    fn bind_states<'a>(&self, arena: &'a Bump, with_context: bool) -> Option<&'a Jv<'a>> {
        let states = Jv::object_with_capacity(arena, 4);
        states.insert("input", convert::to_jsonata(self.states.input, arena)?);
        if let Some(result) = self.states.result {
            states.insert("result", convert::to_jsonata(result, arena)?);
        }
        if let Some(error_output) = self.states.error_output {
            states.insert("errorOutput", convert::to_jsonata(error_output, arena)?);
        }
        if with_context {
            states.insert(
                "context",
                convert::to_jsonata(&self.context.to_value(), arena)?,
            );
        }
        Some(states)
    }

    /// `template` with every `{% … %}` string (at any depth, or the whole field) replaced
    /// by its value; `field` names it in errors (`Arguments`, `Output`, `Assign`, …).
    pub fn template(&self, field: &str, template: &Value) -> Result<Value, TaskError> {
        match template {
            Value::String(text) => match expression(text) {
                Some(expression) => self.evaluate(field, expression),
                None => Ok(template.clone()),
            },
            Value::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (key, value) in fields {
                    out.insert(
                        key.clone(),
                        self.template(&format!("{field}.{key}"), value)?,
                    );
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.template(&format!("{field}[{i}]"), item))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            other => Ok(other.clone()),
        }
    }

    /// The value of the JSONata `expression` (without its `{% %}`).
    pub fn evaluate(&self, field: &str, expression: &str) -> Result<Value, TaskError> {
        let failure = |reason: &str| {
            TaskError::new(
                errors::QUERY_EVALUATION_ERROR,
                format!(
                    "The JSONata expression '{expression}' specified for the field '{field}' {reason}"
                ),
            )
        };
        // The library binds its functions after the caller's variables, in the same frame:
        // a block rebinds the variables (which hide functions of the same name, such as
        // `$error`, as in JSONata's own evaluator) and `$random` (which takes the optional
        // seed Step Functions documents).
        let mut wrapped = String::from("(");
        for name in self.variables.keys().filter(|name| is_identifier(name)) {
            wrapped.push_str(&format!("${name} := ${VARIABLE_PREFIX}{name}; "));
        }
        wrapped.push_str(&format!("$random := ${}; {expression})", functions::RANDOM));
        let arena = Bump::with_capacity(ARENA_BYTES);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let jsonata = JsonAta::new(&wrapped, &arena).map_err(|e| format!("is invalid: {e}"))?;
            functions::register(&jsonata);
            let states = self
                .bind_states(&arena, reads_context(expression))
                .ok_or("cannot bind $states: a number is out of range")?;
            jsonata.assign_var("states", states);
            for (name, value) in &self.variables {
                let value = convert::to_jsonata(value, &arena)
                    .ok_or_else(|| format!("cannot bind ${name}: a number is out of range"))?;
                jsonata.assign_var(name, value);
                jsonata.assign_var(&format!("{VARIABLE_PREFIX}{name}"), value);
            }
            let result = jsonata
                .evaluate_timeboxed(None, Some(MAX_DEPTH), Some(MAX_MILLIS))
                .map_err(|e| format!("failed: {e}"))?;
            convert::to_json(result).map_err(|e| e.to_string())
        }));
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(reason)) => Err(failure(&reason)),
            Err(_) => Err(failure("failed: the JSONata evaluator gave up on it")),
        }
    }

    /// An `Assign` object: each field's value, all read from the variables as they were
    /// before the state.
    pub fn assign(&self, assign: &Value) -> Result<Map<String, Value>, TaskError> {
        match self.template("Assign", assign)? {
            Value::Object(assigned) => Ok(assigned),
            other => Err(TaskError::new(
                errors::QUERY_EVALUATION_ERROR,
                format!("Assign must give an object, not {other}"),
            )),
        }
    }

    /// The `Assign` and `Output` of a state or catcher: the variables it sets and its
    /// output, `None` without `Output` (the state's default output is then the caller's).
    pub fn finish(
        &self,
        assign: Option<&Value>,
        output: Option<&Value>,
    ) -> Result<(Option<Value>, Assigned), TaskError> {
        let assigned = assign.map(|assign| self.assign(assign)).transpose()?;
        let output = output
            .map(|output| self.template("Output", output))
            .transpose()?;
        Ok((output, assigned))
    }

    /// A `Condition`: a boolean, or a `{% … %}` expression that must give one.
    pub fn condition(&self, field: &str, condition: &JsonAtaCondition) -> Result<bool, TaskError> {
        let text = match condition {
            JsonAtaCondition::Boolean(value) => return Ok(*value),
            JsonAtaCondition::Expression(text) => text,
        };
        let value = match expression(text) {
            Some(expression) => self.evaluate(field, expression)?,
            None => Value::String(text.clone()),
        };
        value.as_bool().ok_or_else(|| {
            TaskError::new(
                errors::QUERY_EVALUATION_ERROR,
                format!("the Condition of {field} gave {value}, not a boolean"),
            )
        })
    }
}

#[cfg(test)]
mod tests;
