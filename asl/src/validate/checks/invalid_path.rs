//! `invalid-path`: path fields are JSONPaths, `ResultPath`s are reference paths, Fail's
//! `ErrorPath`/`CausePath` and payload-template fields ending in `.$` hold a path or an
//! intrinsic function call.

use serde_json::Value;

use super::{all_rules, is_dynamic, templates, walk};
use crate::model::{State, StateMachine};
use crate::validate::fields::{PathField, jsonpath_fields};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let mut paths = Paths { state: name, out };
        for (field, value) in jsonpath_fields(state) {
            match value {
                PathField::Filter(path) => paths.path(&field, path),
                PathField::Path(path) => paths.path(&field, Some(path)),
                PathField::Result(path) => paths.check(
                    &field,
                    path,
                    is_reference_path,
                    "is not a reference path (`$`-rooted, no `..`, `*`, `[?`, `@`)",
                ),
                PathField::Expression(expression) => paths.check(
                    &field,
                    Some(expression),
                    is_expression,
                    "is neither a path nor an intrinsic function",
                ),
                // Rules and templates are below; `Result` is any JSON.
                PathField::Rule | PathField::Template | PathField::Literal => {}
            }
        }
        if let State::Choice(choice) = state {
            let mut rules = Vec::new();
            all_rules("Choices", &choice.choices, &mut rules);
            for (location, rule) in rules {
                paths.path(&format!("{location}.Variable"), rule.variable.as_deref());
                paths.path(
                    &format!("{location} operand"),
                    rule.condition.path_operand(),
                );
            }
        }
        for (field, template) in templates(state) {
            paths.template(&field, template);
        }
    }
}

/// Whether `path` is a JSONPath (including the context object, `$$`).
fn is_path(path: &str) -> bool {
    path.starts_with('$')
}

/// Whether `path` is a reference path: a JSONPath naming a single node.
fn is_reference_path(path: &str) -> bool {
    is_path(path) && !["..", "*", "[?", "@"].iter().any(|op| path.contains(op))
}

/// Whether `value` is a path or an intrinsic function call such as
/// `States.Format('{}', $.x)`.
fn is_expression(value: &str) -> bool {
    is_path(value) || (value.starts_with("States.") && value.ends_with(')'))
}

/// Reports the invalid paths of one state.
struct Paths<'a> {
    state: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

impl Paths<'_> {
    fn report(&mut self, message: String) {
        self.out
            .push(Diagnostic::state(Rule::InvalidPath, self.state, message));
    }

    /// Reports `field` when its `value` is set and not `valid`: it `is_not` that.
    fn check(&mut self, field: &str, value: Option<&str>, valid: fn(&str) -> bool, is_not: &str) {
        if let Some(value) = value
            && !valid(value)
        {
            self.report(format!("{field} `{value}` {is_not}"));
        }
    }

    fn path(&mut self, field: &str, path: Option<&str>) {
        self.check(field, path, is_path, "is not a JSONPath starting with `$`");
    }

    /// Walks a payload template through nested objects and arrays: the value of every
    /// `.$` field is a path or an intrinsic function call.
    fn template(&mut self, field: &str, template: &Value) {
        walk(field, template, &mut |location, value| {
            if !is_dynamic(location) {
                return true;
            }
            if !value.as_str().is_some_and(is_expression) {
                self.report(format!(
                    "{location} is {value}, expected a path or an intrinsic function"
                ));
            }
            false
        });
    }
}
