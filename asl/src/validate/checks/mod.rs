//! One module per validation rule, each exposing `check(machine, out)`.

mod choice_without_rules;
mod empty_states;
mod end_with_next;
mod invalid_error_equals;
mod invalid_intrinsic;
mod invalid_jsonata;
mod invalid_lambda_arn;
mod invalid_map;
mod invalid_parallel;
mod invalid_path;
mod invalid_retry;
mod invalid_timeout;
mod invalid_timestamp;
mod invalid_wait;
mod jsonata_field_in_jsonpath_state;
mod jsonpath_field_in_jsonata_state;
mod missing_transition;
mod next_target_missing;
mod no_terminal_state;
mod start_at_missing;
mod state_name_too_long;
mod template_key_collision;
mod unknown_service_integration;
mod unreachable_state;

use std::collections::HashSet;

use serde_json::Value;

use super::{Diagnostic, Rule};
use crate::model::{ChoiceRule, Condition, QueryLanguage, State, StateMachine};

/// A check appends a diagnostic for every violation of its rule.
type Check = fn(&StateMachine, &mut Vec<Diagnostic>);

/// Every check, in report order.
pub(super) const ALL: [Check; 24] = [
    empty_states::check,
    start_at_missing::check,
    next_target_missing::check,
    unreachable_state::check,
    no_terminal_state::check,
    end_with_next::check,
    missing_transition::check,
    state_name_too_long::check,
    choice_without_rules::check,
    invalid_error_equals::check,
    invalid_retry::check,
    invalid_path::check,
    invalid_wait::check,
    invalid_timeout::check,
    invalid_timestamp::check,
    invalid_intrinsic::check,
    template_key_collision::check,
    unknown_service_integration::check,
    invalid_lambda_arn::check,
    invalid_map::check,
    invalid_parallel::check,
    jsonpath_field_in_jsonata_state::check,
    jsonata_field_in_jsonpath_state::check,
    invalid_jsonata::check,
];

/// The query language of `state`: its own, else the machine's (JSONPath by default).
fn language(machine: &StateMachine, state: &State) -> QueryLanguage {
    state
        .query_language()
        .or(machine.query_language)
        .unwrap_or_default()
}

/// Reports `rule` for each field of the other query language, as `fields` names them, that
/// a state in the query language `language` sets.
fn foreign_fields(
    machine: &StateMachine,
    out: &mut Vec<Diagnostic>,
    language_of_state: QueryLanguage,
    rule: Rule,
    fields: impl Fn(&State) -> Vec<String>,
) {
    let (this, other) = match language_of_state {
        QueryLanguage::JsonPath => ("JSONPath (the default)", "JSONata"),
        QueryLanguage::JsonAta => ("JSONata", "JSONPath"),
    };
    for (name, state) in &machine.states {
        if language(machine, state) != language_of_state {
            continue;
        }
        for field in fields(state) {
            out.push(Diagnostic::state(
                rule,
                name,
                format!("{field} is a {other} field; this state's QueryLanguage is {this}"),
            ));
        }
    }
}

/// Names of the states reachable from `StartAt`, or `None` if `StartAt` names no state
/// (reported by `start-at-missing`; reachability is then meaningless).
fn reachable(machine: &StateMachine) -> Option<HashSet<&str>> {
    let (start, _) = machine.states.get_key_value(&machine.start_at)?;
    let mut seen = HashSet::new();
    let mut pending = vec![start.as_str()];
    while let Some(name) = pending.pop() {
        if seen.insert(name)
            && let Some(state) = machine.states.get(name)
        {
            pending.extend(state.transitions().into_iter().map(|(_, target)| target));
        }
    }
    Some(seen)
}

/// Every payload template of `state` (`Parameters`, `ResultSelector`, `ItemSelector`,
/// `Credentials` and each `Assign`: the state's, its catchers', its Choice rules'), with
/// the field naming it.
fn templates<'s>(state: &'s State) -> Vec<(String, &'s Value)> {
    let mut out: Vec<(String, &'s Value)> = Vec::new();
    let mut add = |field: &str, template: Option<&'s Value>| {
        if let Some(template) = template {
            out.push((field.to_owned(), template));
        }
    };
    match state {
        State::Task(task) => {
            add("Parameters", task.parameters.as_ref());
            add("ResultSelector", task.result_selector.as_ref());
            add("Credentials", task.credentials.as_ref());
        }
        State::Pass(pass) => add("Parameters", pass.parameters.as_ref()),
        State::Map(map) => {
            add("ItemSelector", map.item_selector.as_ref());
            add("Parameters", map.parameters.as_ref());
            add("ResultSelector", map.result_selector.as_ref());
        }
        State::Parallel(parallel) => {
            add("Parameters", parallel.parameters.as_ref());
            add("ResultSelector", parallel.result_selector.as_ref());
        }
        State::Choice(choice) => {
            for (i, rule) in choice.choices.iter().enumerate() {
                add(&format!("Choices[{i}].Assign"), rule.assign.as_ref());
            }
        }
        State::Wait(_) | State::Succeed(_) | State::Fail(_) => {}
    }
    add("Assign", state.assign());
    for (i, catcher) in state.catchers().iter().enumerate() {
        add(&format!("Catch[{i}].Assign"), catcher.assign.as_ref());
    }
    out
}

/// Every `.$` value of `template` (a path or an intrinsic call, when it is a string), with
/// its location below `field`.
fn expressions<'v>(field: &str, template: &'v Value, out: &mut Vec<(String, &'v Value)>) {
    walk(field, template, &mut |location, value| {
        if is_dynamic(location) {
            out.push((location.to_owned(), value));
            return false;
        }
        true
    });
}

/// Whether the template field at `location` takes a path's or intrinsic's value (its key
/// ends in `.$`).
fn is_dynamic(location: &str) -> bool {
    location.ends_with(".$")
}

/// Visits `value` and the values inside it, each with its location below `field`
/// (`field.key`, `field[i]`); `visit` says whether to look inside the value it is given.
fn walk<'v>(field: &str, value: &'v Value, visit: &mut dyn FnMut(&str, &'v Value) -> bool) {
    if !visit(field, value) {
        return;
    }
    match value {
        Value::Object(fields) => {
            for (key, value) in fields {
                walk(&format!("{field}.{key}"), value, visit);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{field}[{i}]"), item, visit);
            }
        }
        _ => {}
    }
}

/// Every Choice rule of `rules`, nested ones included, with its location below `field`.
pub(super) fn all_rules<'r>(
    field: &str,
    rules: &'r [ChoiceRule],
    out: &mut Vec<(String, &'r ChoiceRule)>,
) {
    for (i, rule) in rules.iter().enumerate() {
        rule_and_nested(format!("{field}[{i}]"), rule, out);
    }
}

/// `rule` at `location` and the rules nested in it (`….And[i]`, `….Or[i]`, `….Not`).
fn rule_and_nested<'r>(
    location: String,
    rule: &'r ChoiceRule,
    out: &mut Vec<(String, &'r ChoiceRule)>,
) {
    match &rule.condition {
        Condition::And(nested) => all_rules(&format!("{location}.And"), nested, out),
        Condition::Or(nested) => all_rules(&format!("{location}.Or"), nested, out),
        Condition::Not(nested) => rule_and_nested(format!("{location}.Not"), nested, out),
        _ => {}
    }
    out.push((location, rule));
}
