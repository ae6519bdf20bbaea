//! The fields of a state that belong to one query language, with what they hold: the
//! checks that refuse a field in the other language's states and the checks of the fields'
//! values read the same lists.

use serde_json::Value;

use crate::model::{Condition, JsonAtaCondition, State};

/// A field only JSONPath states have.
#[derive(Debug, Clone, Copy)]
pub(super) enum PathField<'s> {
    /// `InputPath`, `OutputPath`: a path, or `null` (`None`).
    Filter(Option<&'s str>),
    /// `ResultPath` (also a catcher's): a reference path, or `null` (`None`).
    Result(Option<&'s str>),
    /// `ItemsPath` and the `…Path` forms of numbers and timestamps: a path.
    Path(&'s str),
    /// Fail's `ErrorPath` and `CausePath`: a path or an intrinsic function call.
    Expression(&'s str),
    /// `Parameters`, `ResultSelector`: a payload template (`templates` lists them with
    /// the other templates).
    Template,
    /// Pass's `Result`: any JSON value.
    Literal,
    /// A Choice rule written with a `Variable` and an operator rather than a `Condition`
    /// (`all_rules` lists them with their nested rules).
    Rule,
}

/// The JSONPath-only fields `state` sets, each with its location (`InputPath`,
/// `Catch[0].ResultPath`, `Choices[1]`).
pub(super) fn jsonpath_fields<'s>(state: &'s State) -> Vec<(String, PathField<'s>)> {
    let mut out: Vec<(String, PathField<'s>)> = Vec::new();
    let mut add = |field: &str, value: Option<PathField<'s>>| {
        if let Some(value) = value {
            out.push((field.to_owned(), value));
        }
    };
    let filter = |path: Option<&'s Option<String>>| path.map(|p| PathField::Filter(p.as_deref()));
    let result = |path: Option<&'s Option<String>>| path.map(|p| PathField::Result(p.as_deref()));
    add("InputPath", filter(state.input_path()));
    add("OutputPath", filter(state.output_path()));
    add("ResultPath", result(state.result_path()));
    add(
        "Parameters",
        state.parameters().map(|_| PathField::Template),
    );
    add(
        "ResultSelector",
        state.result_selector().map(|_| PathField::Template),
    );
    let paths: Vec<(&str, &Option<String>)> = match state {
        State::Task(task) => vec![
            ("TimeoutSecondsPath", &task.timeout_seconds_path),
            ("HeartbeatSecondsPath", &task.heartbeat_seconds_path),
        ],
        State::Wait(wait) => vec![
            ("SecondsPath", &wait.seconds_path),
            ("TimestampPath", &wait.timestamp_path),
        ],
        State::Map(map) => vec![
            ("ItemsPath", &map.items_path),
            ("MaxConcurrencyPath", &map.max_concurrency_path),
            (
                "ToleratedFailureCountPath",
                &map.tolerated_failure_count_path,
            ),
            (
                "ToleratedFailurePercentagePath",
                &map.tolerated_failure_percentage_path,
            ),
        ],
        _ => Vec::new(),
    };
    for (field, path) in paths {
        add(field, path.as_deref().map(PathField::Path));
    }
    match state {
        State::Pass(pass) => add("Result", pass.result.as_ref().map(|_| PathField::Literal)),
        State::Fail(fail) => {
            add(
                "ErrorPath",
                fail.error_path.as_deref().map(PathField::Expression),
            );
            add(
                "CausePath",
                fail.cause_path.as_deref().map(PathField::Expression),
            );
        }
        State::Choice(choice) => {
            for (i, rule) in choice.choices.iter().enumerate() {
                if !matches!(rule.condition, Condition::Condition(_)) {
                    add(&format!("Choices[{i}]"), Some(PathField::Rule));
                }
            }
        }
        _ => {}
    }
    for (i, catcher) in state.catchers().iter().enumerate() {
        add(
            &format!("Catch[{i}].ResultPath"),
            result(catcher.result_path.as_ref()),
        );
    }
    out
}

/// What a field only JSONata states have holds.
#[derive(Debug, Clone, Copy)]
pub(super) enum AtaField<'s> {
    /// `Arguments`, `Output`, `Items`: JSON whose strings may be `{% … %}` expressions.
    Json(&'s Value),
    /// A Choice rule's `Condition` written as a `{% … %}` expression (one written as a
    /// boolean is in no list: it is valid wherever it may stand).
    Condition(&'s str),
    /// A numeric field (`TimeoutSeconds`, `Seconds`, `MaxConcurrency`, …) written as a
    /// string, which must be a `{% … %}` expression.
    Number(&'s str),
}

/// The JSONata-only fields `state` sets, each with its location (`Output`,
/// `Catch[0].Output`, `Choices[1].Condition`, `ItemBatcher.MaxItemsPerBatch`).
pub(super) fn jsonata_fields<'s>(state: &'s State) -> Vec<(String, AtaField<'s>)> {
    let mut out: Vec<(String, AtaField<'s>)> = Vec::new();
    let mut add = |field: String, value: Option<AtaField<'s>>| {
        if let Some(value) = value {
            out.push((field, value));
        }
    };
    add(
        "Arguments".to_owned(),
        state.arguments().map(AtaField::Json),
    );
    add("Output".to_owned(), state.output().map(AtaField::Json));
    if let State::Map(map) = state {
        add("Items".to_owned(), map.items.as_ref().map(AtaField::Json));
    }
    for (field, text) in state.numeric_expressions() {
        add(field.to_owned(), Some(AtaField::Number(text)));
    }
    for (i, catcher) in state.catchers().iter().enumerate() {
        add(
            format!("Catch[{i}].Output"),
            catcher.output.as_ref().map(AtaField::Json),
        );
    }
    if let State::Choice(choice) = state {
        let mut rules = Vec::new();
        super::checks::all_rules("Choices", &choice.choices, &mut rules);
        for (location, rule) in rules {
            if let Condition::Condition(JsonAtaCondition::Expression(condition)) = &rule.condition {
                add(
                    format!("{location}.Condition"),
                    Some(AtaField::Condition(condition)),
                );
            }
            add(
                format!("{location}.Output"),
                rule.output.as_ref().map(AtaField::Json),
            );
        }
    }
    out
}
