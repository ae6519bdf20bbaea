//! Values between `serde_json` and `jsonata-rs` (whose numbers are `f64`, as in JSONata).

use bumpalo::Bump;
use jsonata_rs::{ArrayFlags, Value as Jv};
use serde_json::{Map, Number, Value};

/// `value` allocated in `arena`; `None` when a number has no `f64` form (over ±1.8e308).
pub(crate) fn to_jsonata<'a>(value: &Value, arena: &'a Bump) -> Option<&'a Jv<'a>> {
    Some(match value {
        Value::Null => Jv::null(arena),
        Value::Bool(b) => Jv::bool(*b),
        Value::Number(n) => Jv::number(arena, n.as_f64()?),
        Value::String(s) => Jv::string(arena, s),
        Value::Array(items) => {
            let array = Jv::array_with_capacity(arena, items.len(), ArrayFlags::empty());
            for item in items {
                array.push(to_jsonata(item, arena)?);
            }
            array
        }
        Value::Object(fields) => {
            let object = Jv::object_with_capacity(arena, fields.len());
            for (key, field) in fields {
                object.insert(key, to_jsonata(field, arena)?);
            }
            object
        }
    })
}

/// Why a JSONata result has no JSON form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum NotJson {
    /// The expression gave nothing (`undefined`).
    #[error("returned nothing (undefined)")]
    Undefined,
    /// A function, regular expression or transform is not a JSON value.
    #[error("returned a function, which is not a JSON value")]
    Function,
    /// `NaN` or an infinity.
    #[error("returned the number {0}, which is not a JSON number")]
    NotFinite(f64),
}

/// The JSON form of a JSONata result: integral numbers within ±2^53 become integers, and
/// `undefined` members of arrays and objects are left out (as JSONata's own `$string` does).
pub(crate) fn to_json<'a>(value: &'a Jv<'a>) -> Result<Value, NotJson> {
    Ok(match value {
        Jv::Undefined => return Err(NotJson::Undefined),
        Jv::Null => Value::Null,
        Jv::Bool(b) => Value::Bool(*b),
        Jv::Number(n) => number(*n)?,
        Jv::String(s) => Value::String(s.to_string()),
        Jv::Array(..) | Jv::Range(_) => {
            let mut items = Vec::with_capacity(value.len());
            for member in value.members() {
                match to_json(member) {
                    Err(NotJson::Undefined) => {}
                    other => items.push(other?),
                }
            }
            Value::Array(items)
        }
        Jv::Object(_) => {
            let mut fields = Map::new();
            for (key, member) in value.entries() {
                match to_json(member) {
                    Err(NotJson::Undefined) => {}
                    other => {
                        fields.insert(key.to_string(), other?);
                    }
                }
            }
            Value::Object(fields)
        }
        Jv::Regex(_) | Jv::Lambda { .. } | Jv::NativeFn { .. } | Jv::Transformer { .. } => {
            return Err(NotJson::Function);
        }
    })
}

/// The largest integer an `f64` holds exactly.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

fn number(n: f64) -> Result<Value, NotJson> {
    if !n.is_finite() {
        return Err(NotJson::NotFinite(n));
    }
    if n.fract() == 0.0 && n.abs() <= MAX_EXACT_INTEGER {
        // Exact: the magnitude is within i64.
        return Ok(Value::from(n as i64));
    }
    Number::from_f64(n)
        .map(Value::Number)
        .ok_or(NotJson::NotFinite(n))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trips_json_and_keeps_integers_integral() {
        let arena = Bump::new();
        let value = json!({"a": [1, 2.5, -3, null, true, "é"], "b": {"c": 1e20}});
        let converted = to_jsonata(&value, &arena).map(to_json);
        assert_eq!(converted, Some(Ok(value)));
        assert_eq!(to_json(Jv::undefined()), Err(NotJson::Undefined));
        assert_eq!(
            to_json(Jv::number(&arena, f64::NAN)).map_err(|e| matches!(e, NotJson::NotFinite(_))),
            Err(true)
        );
    }
}
