//! Intrinsics for numbers and identifiers: `MathAdd`, `MathRandom`, `UUID`.

use serde_json::{Number, Value};

use crate::interpret::random::Rng;

/// A JSON number rounded half up (toward +∞) to an integer, as Step Functions rounds the
/// arguments of its math intrinsics (1.5 → 2, −1.5 → −1, −2.5 → −2).
pub(super) fn integer(value: &Value) -> Option<i64> {
    let Value::Number(number) = value else {
        return None;
    };
    if let Some(n) = number.as_i64() {
        return Some(n);
    }
    let rounded = (number.as_f64()? + 0.5).floor();
    // In range: the f64 → i64 conversion saturates, so bound it first.
    (rounded >= i64::MIN as f64 && rounded < i64::MAX as f64).then_some(rounded as i64)
}

/// `States.MathAdd(a, b)`: the sum of the two (rounded) numbers.
pub(super) fn add(values: &[Value]) -> Result<Value, String> {
    let [a, b] = values else {
        return Err("expects two numbers".to_owned());
    };
    let (Some(a), Some(b)) = (integer(a), integer(b)) else {
        return Err("expects two numbers".to_owned());
    };
    a.checked_add(b)
        .map(|sum| Value::Number(Number::from(sum)))
        .ok_or_else(|| "the sum is out of range".to_owned())
}

/// `States.MathRandom(start, end[, seed])`: an integer from `start` (inclusive) to `end`
/// (exclusive); the same seed gives the same number.
pub(super) fn random(values: &[Value], rng: &Rng) -> Result<Value, String> {
    let (start, end, seed) = match values {
        [start, end] => (start, end, None),
        [start, end, seed] => (start, end, Some(seed)),
        _ => return Err("expects a start, an end and an optional seed".to_owned()),
    };
    let (Some(start), Some(end)) = (integer(start), integer(end)) else {
        return Err("the start and end must be numbers".to_owned());
    };
    if end <= start {
        return Err("the end must be greater than the start".to_owned());
    }
    let draw = match seed {
        Some(seed) => {
            let seed = integer(seed).ok_or("the seed must be a number")?;
            Rng::new(seed.cast_unsigned()).next_u64()
        }
        None => rng.next_u64(),
    };
    let span = end.abs_diff(start);
    let offset = draw % span;
    Ok(Value::from(start.wrapping_add_unsigned(offset)))
}

/// `States.UUID()`: a version 4 UUID.
pub(super) fn uuid(values: &[Value], rng: &Rng) -> Result<Value, String> {
    if !values.is_empty() {
        return Err("takes no arguments".to_owned());
    }
    Ok(Value::String(rng.uuid()))
}
