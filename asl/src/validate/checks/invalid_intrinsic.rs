//! `invalid-intrinsic`: every intrinsic call (in a payload template, `Assign`, or a Fail's
//! `ErrorPath`/`CausePath`) parses, with only the escapes `\'`, `\{`, `\}`, `\\`, names a
//! function Step Functions defines, has as many arguments as it takes, and gives no literal
//! of the wrong type (a string where a number goes, and the like).

use serde_json::Value;

use super::{expressions, templates};
use crate::interpret::intrinsic::{self, Expr, FUNCTIONS};
use crate::model::{State, StateMachine};
use crate::validate::{Diagnostic, Rule};

/// What a literal argument must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Any,
    Number,
    Text,
    Boolean,
}

/// The argument kinds of `function` (`None`: any number of arguments of any kind), and how
/// many trailing arguments are optional.
fn signature(function: &str) -> Option<(&'static [Kind], usize)> {
    use Kind::{Any, Boolean, Number, Text};
    Some(match function {
        "States.ArrayPartition" | "States.ArrayGetItem" => (&[Any, Number], 0),
        "States.ArrayContains" => (&[Any, Any], 0),
        "States.ArrayRange" => (&[Number, Number, Number], 0),
        "States.ArrayLength" | "States.ArrayUnique" | "States.JsonToString" => (&[Any], 0),
        "States.Base64Encode" | "States.Base64Decode" | "States.StringToJson" => (&[Text], 0),
        "States.Hash" => (&[Any, Text], 0),
        "States.JsonMerge" => (&[Any, Any, Boolean], 0),
        "States.MathRandom" => (&[Number, Number, Number], 1),
        "States.MathAdd" => (&[Number, Number], 0),
        "States.StringSplit" => (&[Text, Text], 0),
        "States.UUID" => (&[], 0),
        _ => return None,
    })
}

pub(super) fn check(machine: &StateMachine, out: &mut Vec<Diagnostic>) {
    for (name, state) in &machine.states {
        let mut found = Vec::new();
        for (field, template) in templates(state) {
            expressions(&field, template, &mut found);
        }
        let mut calls: Vec<(String, &str)> = found
            .into_iter()
            .filter_map(|(field, value)| Some((field, value.as_str()?)))
            .collect();
        if let State::Fail(fail) = state {
            calls.extend(
                fail.error_path
                    .as_deref()
                    .map(|e| ("ErrorPath".to_owned(), e)),
            );
            calls.extend(
                fail.cause_path
                    .as_deref()
                    .map(|c| ("CausePath".to_owned(), c)),
            );
        }
        for (field, text) in calls {
            if !intrinsic::is_call(text) {
                continue;
            }
            let mut problems = Vec::new();
            match intrinsic::parse(text) {
                Ok(call) => check_call(&call, &mut problems),
                Err(e) => problems.push(e.to_string()),
            }
            for problem in problems {
                out.push(Diagnostic::state(
                    Rule::InvalidIntrinsic,
                    name,
                    format!("{field}: {problem}"),
                ));
            }
        }
    }
}

fn check_call(expr: &Expr, problems: &mut Vec<String>) {
    let Expr::Call(function, args) = expr else {
        return;
    };
    for arg in args {
        check_call(arg, problems);
    }
    if !FUNCTIONS.contains(&function.as_str()) {
        problems.push(format!("`{function}` is not an intrinsic function"));
        return;
    }
    if function == "States.Format" {
        if !matches!(
            args.first(),
            Some(Expr::Str(_) | Expr::Path(_) | Expr::Call(..))
        ) {
            problems.push("States.Format needs a template string first".to_owned());
        }
        return;
    }
    let Some((kinds, optional)) = signature(function) else {
        return;
    };
    if args.len() > kinds.len() || args.len() + optional < kinds.len() {
        problems.push(format!(
            "{function} takes {} argument(s), not {}",
            kinds.len(),
            args.len()
        ));
        return;
    }
    for (i, (arg, kind)) in args.iter().zip(kinds).enumerate() {
        let fits = matches!(
            (arg, kind),
            (Expr::Path(_) | Expr::Call(..), _)
                | (_, Kind::Any)
                | (Expr::Str(_), Kind::Text)
                | (Expr::Literal(Value::Number(_)), Kind::Number)
                | (Expr::Literal(Value::Bool(_)), Kind::Boolean)
        );
        if !fits {
            let wanted = match kind {
                Kind::Number => "a number",
                Kind::Text => "a string",
                Kind::Boolean => "a boolean",
                Kind::Any => "a value",
            };
            problems.push(format!("{function}: argument {} must be {wanted}", i + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::validate::Rule;
    use crate::validate::tests::{at, reported};

    #[test]
    fn intrinsic_calls_are_well_formed_known_and_typed() {
        let pass = |name: &str, call: &str, next: &str| {
            (
                name.to_owned(),
                json!({"Type": "Pass", "Parameters": {"x.$": call}, "Next": next}),
            )
        };
        let states: serde_json::Map<String, serde_json::Value> = [
            pass(
                "Good",
                r"States.Format('It\'s {} \{\}', States.MathAdd($.a, 1))",
                "Escape",
            ),
            pass("Escape", r"States.Format('a\nb')", "Unknown"),
            pass("Unknown", "States.Nope(1)", "NumberWanted"),
            pass("NumberWanted", "States.MathAdd('1', 2)", "Arity"),
            pass("Arity", "States.ArrayRange(1, 2)", "Fail"),
            (
                "Fail".to_owned(),
                json!({"Type": "Fail", "CausePath": "States.JsonMerge($.a, $.b, 'no')"}),
            ),
        ]
        .into_iter()
        .collect();
        let mut got = reported(json!({"StartAt": "Good", "States": states}));
        // JSON objects keep their keys sorted here, so compare in name order.
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            ["Arity", "Escape", "Fail", "NumberWanted", "Unknown"]
                .map(|s| at(Rule::InvalidIntrinsic, s))
        );
    }
}
