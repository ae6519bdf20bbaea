//! Intrinsics for arrays: `ArrayPartition`, `ArrayContains`, `ArrayRange`, `ArrayGetItem`,
//! `ArrayLength`, `ArrayUnique` (`States.Array` is built by the dispatch).

use serde_json::Value;

use super::math::integer;

/// The most items `States.ArrayRange` may produce.
const MAX_RANGE_ITEMS: usize = 1000;

/// `States.ArrayPartition(array, chunkSize)`: chunks of `chunkSize` items, the last shorter.
pub(crate) fn partition(values: &[Value]) -> Result<Value, String> {
    let [Value::Array(items), size] = values else {
        return Err("expects an array and a chunk size".to_owned());
    };
    let size = integer(size)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or("the chunk size must be a positive integer")?;
    Ok(items
        .chunks(size)
        .map(|chunk| Value::Array(chunk.to_vec()))
        .collect())
}

/// `States.ArrayContains(array, value)`: whether the array holds the value.
pub(super) fn contains(values: &[Value]) -> Result<Value, String> {
    let [Value::Array(items), wanted] = values else {
        return Err("expects an array and a value".to_owned());
    };
    Ok(Value::Bool(items.iter().any(|item| same(item, wanted))))
}

/// `States.ArrayRange(start, end, step)`: from `start` to `end` inclusive by `step`.
pub(crate) fn range(values: &[Value]) -> Result<Value, String> {
    let [start, end, step] = values else {
        return Err("expects a start, an end and a step".to_owned());
    };
    let (Some(start), Some(end), Some(step)) = (integer(start), integer(end), integer(step)) else {
        return Err("the start, end and step must be integers".to_owned());
    };
    if step == 0 {
        return Err("the step must not be 0".to_owned());
    }
    let mut items = Vec::new();
    let mut current = start;
    while (step > 0 && current <= end) || (step < 0 && current >= end) {
        if items.len() == MAX_RANGE_ITEMS {
            return Err(format!("the range has more than {MAX_RANGE_ITEMS} items"));
        }
        items.push(Value::from(current));
        let Some(next) = current.checked_add(step) else {
            break;
        };
        current = next;
    }
    Ok(Value::Array(items))
}

/// `States.ArrayGetItem(array, index)`: the item at a zero-based index.
pub(super) fn get_item(values: &[Value]) -> Result<Value, String> {
    let [Value::Array(items), index] = values else {
        return Err("expects an array and an index".to_owned());
    };
    let index = integer(index)
        .and_then(|i| usize::try_from(i).ok())
        .ok_or("the index must be a non-negative integer")?;
    items
        .get(index)
        .cloned()
        .ok_or_else(|| format!("no item at index {index} of {} items", items.len()))
}

/// `States.ArrayLength(array)`.
pub(super) fn length(values: &[Value]) -> Result<Value, String> {
    match values {
        [Value::Array(items)] => Ok(Value::from(items.len())),
        _ => Err("expects one array".to_owned()),
    }
}

/// `States.ArrayUnique(array)`: the items without repeats, in order of first appearance.
pub(super) fn unique(values: &[Value]) -> Result<Value, String> {
    let [Value::Array(items)] = values else {
        return Err("expects one array".to_owned());
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.iter().any(|seen| same(seen, item)) {
            out.push(item.clone());
        }
    }
    Ok(Value::Array(out))
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
