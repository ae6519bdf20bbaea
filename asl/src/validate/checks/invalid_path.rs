//! `invalid-path`: path fields are JSONPaths, `ResultPath`s are reference paths, and
//! payload-template fields ending in `.$` hold a path or an intrinsic function call.

use serde_json::Value;

use crate::model::{Catcher, ChoiceRule, Condition, State, StateMachine};
use crate::validate::{Diagnostic, Rule};

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let mut paths = Paths { state: name, out };
        match state {
            State::Task(task) => {
                paths.nullable("InputPath", &task.input_path);
                paths.nullable("OutputPath", &task.output_path);
                paths.result_path("ResultPath", &task.result_path);
                paths.template("Parameters", task.parameters.as_ref());
                paths.template("ResultSelector", task.result_selector.as_ref());
                paths.template("Assign", task.assign.as_ref());
                paths.path("TimeoutSecondsPath", task.timeout_seconds_path.as_deref());
                paths.path(
                    "HeartbeatSecondsPath",
                    task.heartbeat_seconds_path.as_deref(),
                );
                paths.catchers(&task.catch);
            }
            State::Pass(pass) => {
                paths.nullable("InputPath", &pass.input_path);
                paths.nullable("OutputPath", &pass.output_path);
                paths.result_path("ResultPath", &pass.result_path);
                paths.template("Parameters", pass.parameters.as_ref());
                paths.template("Assign", pass.assign.as_ref());
            }
            State::Choice(choice) => {
                paths.nullable("InputPath", &choice.input_path);
                paths.nullable("OutputPath", &choice.output_path);
                paths.template("Assign", choice.assign.as_ref());
                for (i, rule) in choice.choices.iter().enumerate() {
                    paths.rule(&format!("Choices[{i}]"), rule);
                    paths.template(&format!("Choices[{i}].Assign"), rule.assign.as_ref());
                }
            }
            State::Wait(wait) => {
                paths.nullable("InputPath", &wait.input_path);
                paths.nullable("OutputPath", &wait.output_path);
                paths.path("SecondsPath", wait.seconds_path.as_deref());
                paths.path("TimestampPath", wait.timestamp_path.as_deref());
                paths.template("Assign", wait.assign.as_ref());
            }
            State::Succeed(succeed) => {
                paths.nullable("InputPath", &succeed.input_path);
                paths.nullable("OutputPath", &succeed.output_path);
            }
            State::Fail(fail) => {
                paths.expression("ErrorPath", fail.error_path.as_deref());
                paths.expression("CausePath", fail.cause_path.as_deref());
            }
            State::Map(map) => {
                paths.nullable("InputPath", &map.input_path);
                paths.nullable("OutputPath", &map.output_path);
                paths.result_path("ResultPath", &map.result_path);
                paths.path("ItemsPath", map.items_path.as_deref());
                paths.template("ItemSelector", map.item_selector.as_ref());
                paths.template("Parameters", map.parameters.as_ref());
                paths.template("ResultSelector", map.result_selector.as_ref());
                paths.template("Assign", map.assign.as_ref());
                paths.catchers(&map.catch);
            }
            State::Parallel(parallel) => {
                paths.nullable("InputPath", &parallel.input_path);
                paths.nullable("OutputPath", &parallel.output_path);
                paths.result_path("ResultPath", &parallel.result_path);
                paths.template("Parameters", parallel.parameters.as_ref());
                paths.template("ResultSelector", parallel.result_selector.as_ref());
                paths.template("Assign", parallel.assign.as_ref());
                paths.catchers(&parallel.catch);
            }
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

/// Whether `value` is an intrinsic function call such as `States.Format('{}', $.x)`.
fn is_intrinsic(value: &str) -> bool {
    value.starts_with("States.") && value.ends_with(')')
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

    fn path(&mut self, field: &str, path: Option<&str>) {
        if let Some(path) = path
            && !is_path(path)
        {
            self.report(format!(
                "{field} `{path}` is not a JSONPath starting with `$`"
            ));
        }
    }

    /// A field holding a path or an intrinsic call (Fail's `ErrorPath`, `CausePath`).
    fn expression(&mut self, field: &str, expression: Option<&str>) {
        if let Some(expression) = expression
            && !(is_path(expression) || is_intrinsic(expression))
        {
            self.report(format!(
                "{field} `{expression}` is neither a path nor an intrinsic function"
            ));
        }
    }

    fn catchers(&mut self, catchers: &[Catcher]) {
        for (i, catcher) in catchers.iter().enumerate() {
            self.result_path(&format!("Catch[{i}].ResultPath"), &catcher.result_path);
            self.template(&format!("Catch[{i}].Assign"), catcher.assign.as_ref());
        }
    }

    /// A path that may also be `null`.
    fn nullable(&mut self, field: &str, path: &Option<Option<String>>) {
        self.path(field, path.as_ref().and_then(Option::as_deref));
    }

    fn result_path(&mut self, field: &str, path: &Option<Option<String>>) {
        if let Some(Some(path)) = path
            && !is_reference_path(path)
        {
            self.report(format!(
                "{field} `{path}` is not a reference path (`$`-rooted, no `..`, `*`, `[?`, `@`)"
            ));
        }
    }

    fn rule(&mut self, field: &str, rule: &ChoiceRule) {
        self.path(&format!("{field}.Variable"), rule.variable.as_deref());
        self.path(&format!("{field} operand"), rule.condition.path_operand());
        match &rule.condition {
            Condition::And(rules) => {
                for (i, nested) in rules.iter().enumerate() {
                    self.rule(&format!("{field}.And[{i}]"), nested);
                }
            }
            Condition::Or(rules) => {
                for (i, nested) in rules.iter().enumerate() {
                    self.rule(&format!("{field}.Or[{i}]"), nested);
                }
            }
            Condition::Not(nested) => self.rule(&format!("{field}.Not"), nested),
            _ => {}
        }
    }

    /// Walks a payload template through nested objects and arrays.
    fn template(&mut self, field: &str, template: Option<&Value>) {
        match template {
            Some(Value::Object(fields)) => {
                for (key, value) in fields {
                    let location = format!("{field}.{key}");
                    if key.ends_with(".$") {
                        let valid = value
                            .as_str()
                            .is_some_and(|v| is_path(v) || is_intrinsic(v));
                        if !valid {
                            self.report(format!(
                                "{location} is {value}, expected a path or an intrinsic function"
                            ));
                        }
                    } else {
                        self.template(&location, Some(value));
                    }
                }
            }
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.template(&format!("{field}[{i}]"), Some(item));
                }
            }
            _ => {}
        }
    }
}
