//! Evaluation of Choice rules against a state's effective input.
//!
//! A comparison whose variable has the wrong type is false. A missing variable is a
//! `States.Runtime` error, except for `IsPresent`.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::context::Context;
use super::paths::{self, PathError};
use super::runner::TaskError;
use super::timestamp::Timestamp;
use crate::errors;
use crate::model::{
    Choice, ChoiceRule, Compared, Comparison, Condition, JsonAtaCondition, Operand,
};

/// A rule that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ChoiceError {
    /// The `Variable` or a `*Path` operand selects nothing, or is malformed.
    #[error("choice rule: {0}")]
    Path(#[from] PathError),
    /// A comparison has no `Variable`.
    #[error("choice rule `{0}` has no Variable")]
    NoVariable(String),
    /// A JSONata `Condition` in a JSONPath state.
    #[error("a JSONata Condition ({0:?}) is in a JSONPath state")]
    ConditionInJsonPath(JsonAtaCondition),
}

impl From<ChoiceError> for TaskError {
    fn from(error: ChoiceError) -> Self {
        Self::new(errors::RUNTIME, error.to_string())
    }
}

/// Where a Choice state goes: the `Next` of the first rule for which `matches` holds, with
/// that rule; else `Default`, without a rule; else `States.NoChoiceMatched`.
pub(crate) fn decide(
    choice: &Choice,
    mut matches: impl FnMut(usize, &ChoiceRule) -> Result<bool, TaskError>,
) -> Result<(&str, Option<&ChoiceRule>), TaskError> {
    for (i, rule) in choice.choices.iter().enumerate() {
        if matches(i, rule)? {
            let next = rule.next.as_deref().ok_or_else(|| {
                TaskError::runtime(format!("Choices[{i}] matched but has no Next"))
            })?;
            return Ok((next, Some(rule)));
        }
    }
    match choice.default.as_deref() {
        Some(default) => Ok((default, None)),
        None => Err(TaskError::new(
            errors::NO_CHOICE_MATCHED,
            "no choice rule matched and there is no Default",
        )),
    }
}

/// Whether `rule` matches `input`.
pub(crate) fn matches(
    rule: &ChoiceRule,
    input: &Value,
    context: &Context<'_>,
) -> Result<bool, ChoiceError> {
    use Condition as C;
    match &rule.condition {
        C::And(rules) => {
            for nested in rules {
                if !matches(nested, input, context)? {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        C::Or(rules) => {
            for nested in rules {
                if matches(nested, input, context)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        C::Not(nested) => return Ok(!matches(nested, input, context)?),
        C::Condition(expression) => {
            return Err(ChoiceError::ConditionInJsonPath(expression.clone()));
        }
        _ => {}
    }
    let variable = rule
        .variable
        .as_deref()
        .ok_or_else(|| ChoiceError::NoVariable(operator(&rule.condition)))?;
    let value = match paths::resolve(variable, input, context) {
        Ok(value) => value,
        Err(PathError::NotFound { .. }) if matches!(rule.condition, C::IsPresent(_)) => {
            return Ok(matches!(rule.condition, C::IsPresent(false)));
        }
        Err(e) => return Err(e.into()),
    };
    let value = value.as_ref();
    if let Some(Comparison {
        kind,
        relation,
        operand,
    }) = rule.condition.comparison()
    {
        let resolved;
        let operand = match operand {
            Operand::Path(path) => {
                resolved = paths::resolve(path, input, context)?;
                match resolved.as_ref() {
                    Value::String(text) => Operand::Text(text),
                    Value::Number(number) => Operand::Number(number),
                    Value::Bool(boolean) => Operand::Boolean(*boolean),
                    _ => return Ok(false),
                }
            }
            literal => literal,
        };
        return Ok(order(kind, value, operand).is_some_and(|ordering| relation.holds(ordering)));
    }
    Ok(match &rule.condition {
        C::StringMatches(pattern) => value.as_str().is_some_and(|s| string_matches(s, pattern)),
        C::IsPresent(expected) => *expected,
        C::IsNull(expected) => value.is_null() == *expected,
        C::IsString(expected) => value.is_string() == *expected,
        C::IsNumeric(expected) => value.is_number() == *expected,
        C::IsBoolean(expected) => value.is_boolean() == *expected,
        C::IsTimestamp(expected) => {
            value.as_str().and_then(Timestamp::parse).is_some() == *expected
        }
        // The comparisons are above; the combinators and `Condition` at the top.
        _ => false,
    })
}

/// The ASL name of a comparison operator, for messages.
fn operator(condition: &Condition) -> String {
    serde_json::to_value(condition)
        .ok()
        .and_then(|v| v.as_object()?.keys().next().cloned())
        .unwrap_or_else(|| "comparison".to_owned())
}

/// How `value` orders against `operand` when both are of the `kind` compared; `None` when
/// either is not (the comparison is then false).
fn order(kind: Compared, value: &Value, operand: Operand<'_>) -> Option<Ordering> {
    match (kind, value, operand) {
        (Compared::String, Value::String(value), Operand::Text(operand)) => {
            Some(value.as_str().cmp(operand))
        }
        (Compared::Numeric, Value::Number(value), Operand::Number(operand)) => {
            compare_numbers(value, operand)
        }
        (Compared::Boolean, Value::Bool(value), Operand::Boolean(operand)) => {
            Some(value.cmp(&operand))
        }
        (Compared::Timestamp, Value::String(value), Operand::Text(operand)) => {
            Some(Timestamp::parse(value)?.cmp(&Timestamp::parse(operand)?))
        }
        _ => None,
    }
}

/// Compares two JSON numbers exactly when both are integers, as `f64` otherwise; works with
/// and without serde_json's `arbitrary_precision`.
pub(crate) fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
        return Some(a.cmp(&b));
    }
    if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
        return Some(a.cmp(&b));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// Glob matching for `StringMatches`: `*` matches any run of characters; `\*` and `\\` are
/// a literal `*` and `\`.
pub(crate) fn string_matches(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Token {
        Char(char),
        Star,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '\\' => Token::Char(chars.next().unwrap_or('\\')),
            '*' => Token::Star,
            c => Token::Char(c),
        });
    }
    let text: Vec<char> = text.chars().collect();
    // Greedy matching with backtracking to the last star.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|token| *token == Token::Star)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Choice;

    fn choice(definition: Value) -> Choice {
        serde_json::from_value(definition).unwrap_or_else(|e| panic!("bad choice: {e}"))
    }

    /// The first matching rule's `Next`, `Default` otherwise.
    fn decide(choice: &Choice, input: &Value) -> Result<Option<String>, ChoiceError> {
        for rule in &choice.choices {
            if matches(rule, input, &Context::for_tests())? {
                return Ok(rule.next.clone());
            }
        }
        Ok(choice.default.clone())
    }

    fn test(variable: &str, condition: Value, input: &Value) -> Result<bool, ChoiceError> {
        let mut rule = json!({"Variable": variable});
        if let (Some(rule), Some(condition)) = (rule.as_object_mut(), condition.as_object()) {
            rule.extend(condition.clone());
        }
        let rule: ChoiceRule =
            serde_json::from_value(rule).unwrap_or_else(|e| panic!("bad rule: {e}"));
        matches(&rule, input, &Context::for_tests())
    }

    /// The ASL specification's Choice state example (`Not`, `And`, `IsPresent`, `IsNumeric`,
    /// `NumericGreaterThanEquals`, `NumericLessThan`, `NumericGreaterThanPath`).
    #[test]
    fn specification_choice_example() -> Result<(), ChoiceError> {
        let state = choice(json!({
            "Choices": [
                {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
                {"And": [
                    {"Variable": "$.value", "IsPresent": true},
                    {"Variable": "$.value", "IsNumeric": true},
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30}
                ], "Next": "ValueInTwenties"},
                {"Variable": "$.rating", "NumericGreaterThanPath": "$.auditThreshold",
                 "Next": "StartAudit"}
            ],
            "Default": "RecordEvent"
        }));
        let cases = [
            (json!({"type": "Public"}), "Public"),
            (json!({"type": "Private", "value": 20}), "ValueInTwenties"),
            (json!({"type": "Private", "value": 29.5}), "ValueInTwenties"),
            (
                json!({"type": "Private", "value": "22", "rating": 61, "auditThreshold": 60}),
                "StartAudit",
            ),
            (
                json!({"type": "Private", "value": 30, "rating": 53, "auditThreshold": 60}),
                "RecordEvent",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                decide(&state, &input)?.as_deref(),
                Some(expected),
                "{input}"
            );
        }
        // Without `value` and `rating`, the third rule's variable is missing.
        let missing = decide(&state, &json!({"type": "Private"}));
        assert!(matches!(
            missing,
            Err(ChoiceError::Path(PathError::NotFound { .. }))
        ));
        Ok(())
    }

    #[test]
    fn string_operators() -> Result<(), ChoiceError> {
        let input = json!({"s": "beta", "t": "alpha", "n": 1});
        assert!(test("$.s", json!({"StringEquals": "beta"}), &input)?);
        assert!(!test("$.n", json!({"StringEquals": "1"}), &input)?);
        assert!(test("$.s", json!({"StringGreaterThan": "alpha"}), &input)?);
        assert!(test(
            "$.s",
            json!({"StringGreaterThanEquals": "beta"}),
            &input
        )?);
        assert!(test("$.s", json!({"StringLessThan": "gamma"}), &input)?);
        assert!(test(
            "$.s",
            json!({"StringLessThanEquals": "beta"}),
            &input
        )?);
        assert!(!test("$.s", json!({"StringLessThan": "beta"}), &input)?);
        assert!(test(
            "$.s",
            json!({"StringGreaterThanPath": "$.t"}),
            &input
        )?);
        assert!(test("$.t", json!({"StringLessThanPath": "$.s"}), &input)?);
        assert!(test(
            "$.t",
            json!({"StringLessThanEqualsPath": "$.t"}),
            &input
        )?);
        assert!(test(
            "$.s",
            json!({"StringGreaterThanEqualsPath": "$.t"}),
            &input
        )?);
        assert!(!test("$.s", json!({"StringEqualsPath": "$.t"}), &input)?);
        assert!(!test("$.s", json!({"StringEqualsPath": "$.n"}), &input)?);
        assert!(matches!(
            test("$.s", json!({"StringEqualsPath": "$.missing"}), &input),
            Err(ChoiceError::Path(_))
        ));
        Ok(())
    }

    #[test]
    fn string_matches_wildcards_and_escapes() {
        assert!(string_matches("log-2024.txt", "log-*.txt"));
        assert!(string_matches("log-.txt", "log-*.txt"));
        assert!(!string_matches("log-2024.csv", "log-*.txt"));
        assert!(string_matches("abcabd", "*abd"));
        assert!(string_matches("anything", "*"));
        assert!(string_matches("", "*"));
        assert!(!string_matches("", "a"));
        assert!(string_matches("a*b", r"a\*b"));
        assert!(!string_matches("axb", r"a\*b"));
        assert!(string_matches(r"a\b", r"a\\b"));
        assert!(string_matches("Dragon Atlas", "*Atl*"));
        assert!(!string_matches("Dragon", "Dragon?"));
    }

    #[test]
    fn numeric_operators_compare_integers_and_floats() -> Result<(), ChoiceError> {
        let input = json!({"i": 5, "f": 5.0, "big": 9_007_199_254_740_993_u64, "s": "5"});
        assert!(test("$.i", json!({"NumericEquals": 5}), &input)?);
        assert!(test("$.f", json!({"NumericEquals": 5}), &input)?);
        assert!(test("$.i", json!({"NumericEquals": 5.0}), &input)?);
        assert!(!test("$.s", json!({"NumericEquals": 5}), &input)?);
        assert!(test("$.i", json!({"NumericLessThan": 5.5}), &input)?);
        assert!(test("$.i", json!({"NumericLessThanEquals": 5}), &input)?);
        assert!(test("$.i", json!({"NumericGreaterThan": -1}), &input)?);
        assert!(!test("$.i", json!({"NumericGreaterThan": 5}), &input)?);
        assert!(test(
            "$.big",
            json!({"NumericGreaterThan": 9_007_199_254_740_992_u64}),
            &input
        )?);
        assert!(test("$.i", json!({"NumericEqualsPath": "$.f"}), &input)?);
        assert!(!test("$.i", json!({"NumericEqualsPath": "$.s"}), &input)?);
        assert!(test(
            "$.i",
            json!({"NumericLessThanPath": "$.big"}),
            &input
        )?);
        assert!(test(
            "$.i",
            json!({"NumericLessThanEqualsPath": "$.f"}),
            &input
        )?);
        assert!(test(
            "$.big",
            json!({"NumericGreaterThanPath": "$.i"}),
            &input
        )?);
        assert!(test(
            "$.f",
            json!({"NumericGreaterThanEqualsPath": "$.i"}),
            &input
        )?);
        Ok(())
    }

    #[test]
    fn boolean_and_type_tests() -> Result<(), ChoiceError> {
        let input = json!({"yes": true, "no": false, "null": null, "n": 0, "s": "x",
                           "t": "2024-01-01T00:00:00Z"});
        assert!(test("$.yes", json!({"BooleanEquals": true}), &input)?);
        assert!(!test("$.s", json!({"BooleanEquals": true}), &input)?);
        assert!(test("$.no", json!({"BooleanEqualsPath": "$.no"}), &input)?);
        assert!(!test(
            "$.no",
            json!({"BooleanEqualsPath": "$.yes"}),
            &input
        )?);
        assert!(test("$.null", json!({"IsNull": true}), &input)?);
        assert!(test("$.n", json!({"IsNull": false}), &input)?);
        assert!(test("$.n", json!({"IsNumeric": true}), &input)?);
        assert!(test("$.s", json!({"IsNumeric": false}), &input)?);
        assert!(test("$.s", json!({"IsString": true}), &input)?);
        assert!(test("$.yes", json!({"IsBoolean": true}), &input)?);
        assert!(test("$.t", json!({"IsTimestamp": true}), &input)?);
        assert!(test("$.s", json!({"IsTimestamp": false}), &input)?);
        assert!(test("$.s", json!({"IsPresent": true}), &input)?);
        assert!(test("$.gone", json!({"IsPresent": false}), &input)?);
        assert!(!test("$.gone", json!({"IsPresent": true}), &input)?);
        assert!(matches!(
            test("$.gone", json!({"IsNull": true}), &input),
            Err(ChoiceError::Path(PathError::NotFound { .. }))
        ));
        Ok(())
    }

    #[test]
    fn timestamp_operators() -> Result<(), ChoiceError> {
        let input = json!({"t": "2024-05-01T12:00:00Z", "u": "2024-05-01T14:00:00+02:00",
                           "later": "2024-05-02T00:00:00Z", "bad": "yesterday"});
        assert!(test(
            "$.t",
            json!({"TimestampEquals": "2024-05-01T12:00:00Z"}),
            &input
        )?);
        assert!(test("$.t", json!({"TimestampEqualsPath": "$.u"}), &input)?);
        assert!(test(
            "$.t",
            json!({"TimestampLessThan": "2024-05-01T12:00:00.001Z"}),
            &input
        )?);
        assert!(test(
            "$.t",
            json!({"TimestampLessThanEquals": "2024-05-01T12:00:00Z"}),
            &input
        )?);
        assert!(test(
            "$.t",
            json!({"TimestampGreaterThan": "2024-05-01T11:59:59Z"}),
            &input
        )?);
        assert!(test(
            "$.t",
            json!({"TimestampGreaterThanEquals": "2024-05-01T12:00:00Z"}),
            &input
        )?);
        assert!(test(
            "$.t",
            json!({"TimestampLessThanPath": "$.later"}),
            &input
        )?);
        assert!(test(
            "$.t",
            json!({"TimestampLessThanEqualsPath": "$.u"}),
            &input
        )?);
        assert!(test(
            "$.later",
            json!({"TimestampGreaterThanPath": "$.t"}),
            &input
        )?);
        assert!(test(
            "$.later",
            json!({"TimestampGreaterThanEqualsPath": "$.t"}),
            &input
        )?);
        assert!(!test(
            "$.bad",
            json!({"TimestampLessThanPath": "$.later"}),
            &input
        )?);
        assert!(!test(
            "$.t",
            json!({"TimestampEqualsPath": "$.bad"}),
            &input
        )?);
        Ok(())
    }

    #[test]
    fn combinators_nest() -> Result<(), ChoiceError> {
        let rule: ChoiceRule = serde_json::from_value(json!({
            "Or": [
                {"Variable": "$.a", "StringMatches": "x*"},
                {"Not": {"And": [
                    {"Variable": "$.b", "NumericGreaterThan": 0},
                    {"Variable": "$.b", "NumericLessThan": 10}
                ]}}
            ],
            "Next": "Yes"
        }))
        .unwrap_or_else(|e| panic!("bad rule: {e}"));
        let context = Context::for_tests();
        assert!(matches(&rule, &json!({"a": "xy", "b": 5}), &context)?);
        assert!(!matches(&rule, &json!({"a": "yx", "b": 5}), &context)?);
        assert!(matches(&rule, &json!({"a": "yx", "b": 10}), &context)?);
        let missing_variable = ChoiceRule {
            variable: None,
            condition: Condition::IsNull(true),
            next: None,
            assign: None,
            output: None,
        };
        assert_eq!(
            matches(&missing_variable, &json!({}), &context),
            Err(ChoiceError::NoVariable("IsNull".to_owned()))
        );
        Ok(())
    }
}
