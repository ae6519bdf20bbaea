//! Intrinsics for JSON: `JsonMerge`, `StringToJson`, `JsonToString`.

use serde_json::Value;

/// `States.JsonMerge(a, b, false)`: `a` with `b`'s fields added or replacing; Step
/// Functions supports only this shallow mode.
pub(super) fn merge(values: &[Value]) -> Result<Value, String> {
    match values {
        [Value::Object(a), Value::Object(b), Value::Bool(false)] => {
            let mut merged = a.clone();
            merged.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(Value::Object(merged))
        }
        [Value::Object(_), Value::Object(_), Value::Bool(true)] => {
            Err("deep merging is not supported: the third argument must be false".to_owned())
        }
        _ => Err("expects two objects and `false` (shallow merge)".to_owned()),
    }
}

/// `States.StringToJson(text)`: the parsed JSON; empty or blank text is `null`.
pub(super) fn string_to_json(values: &[Value]) -> Result<Value, String> {
    match values {
        [Value::String(text)] if text.trim().is_empty() => Ok(Value::Null),
        [Value::String(text)] => serde_json::from_str(text).map_err(|e| format!("not JSON: {e}")),
        _ => Err("expects one string".to_owned()),
    }
}

/// `States.JsonToString(value)`: the compact JSON text of the value.
pub(super) fn json_to_string(values: &[Value]) -> Result<Value, String> {
    match values {
        [value] => Ok(Value::String(value.to_string())),
        _ => Err("expects one argument".to_owned()),
    }
}
