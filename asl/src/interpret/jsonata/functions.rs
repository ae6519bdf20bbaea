//! The functions Step Functions adds to JSONata: `$partition`, `$range`, `$hash`,
//! `$random` (with an optional seed), `$parse` (in place of `$eval`); `$uuid` is the
//! JSONata library's own (a version 4 UUID). The array and hash functions share the
//! intrinsics' code (`States.ArrayPartition`, `States.ArrayRange`, `States.Hash`).

use jsonata_rs::{Error, FunctionContext, JsonAta, Value as Jv};
use serde_json::Value;

use super::convert::{to_json, to_jsonata};
use crate::interpret::intrinsic::{arrays, encoding};
use crate::interpret::random::Rng;

/// The name `$random` is rebound to in each expression (the library binds its own
/// `$random`, which takes no seed, after the caller's functions).
pub(super) const RANDOM: &str = "stepFunctionsRandom";

/// Binds the Step Functions functions in `jsonata`.
pub(super) fn register(jsonata: &JsonAta<'_>) {
    jsonata.register_function("partition", 2, partition);
    jsonata.register_function("range", 3, range);
    jsonata.register_function("hash", 2, hash);
    jsonata.register_function("parse", 1, parse);
    jsonata.register_function(RANDOM, 1, random);
}

/// A failed call: `D3137`-style errors carry their message in JSONata's own `$error` form.
fn failure(context: &FunctionContext<'_, '_>, reason: &str) -> Error {
    Error::D3137Error(format!("${}: {reason}", context.name))
}

/// The arguments as JSON (`undefined` ones as `null`).
fn json_arguments<'a>(
    context: &FunctionContext<'a, '_>,
    args: &[&'a Jv<'a>],
) -> Result<Vec<Value>, Error> {
    args.iter()
        .map(|arg| match to_json(arg) {
            Ok(value) => Ok(value),
            Err(super::convert::NotJson::Undefined) => Ok(Value::Null),
            Err(e) => Err(failure(context, &e.to_string())),
        })
        .collect()
}

/// Calls a JSON-valued function and allocates its result in the expression's arena.
fn call<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a Jv<'a>],
    f: fn(&[Value]) -> Result<Value, String>,
) -> Result<&'a Jv<'a>, Error> {
    let values = json_arguments(&context, args)?;
    let result = f(&values).map_err(|reason| failure(&context, &reason))?;
    to_jsonata(&result, context.arena).ok_or_else(|| failure(&context, "number out of range"))
}

fn partition<'a>(
    context: FunctionContext<'a, '_>,
    args: &[&'a Jv<'a>],
) -> Result<&'a Jv<'a>, Error> {
    call(context, args, arrays::partition)
}

fn range<'a>(context: FunctionContext<'a, '_>, args: &[&'a Jv<'a>]) -> Result<&'a Jv<'a>, Error> {
    call(context, args, arrays::range)
}

fn hash<'a>(context: FunctionContext<'a, '_>, args: &[&'a Jv<'a>]) -> Result<&'a Jv<'a>, Error> {
    call(context, args, encoding::hash)
}

/// `$parse(text)`: the JSON value of a JSON text.
fn parse<'a>(context: FunctionContext<'a, '_>, args: &[&'a Jv<'a>]) -> Result<&'a Jv<'a>, Error> {
    let [text] = args else {
        return Err(failure(&context, "expects one string"));
    };
    if !text.is_string() {
        return Err(failure(&context, "expects one string"));
    }
    let value: Value = serde_json::from_str(&text.as_str())
        .map_err(|e| failure(&context, &format!("not JSON text: {e}")))?;
    to_jsonata(&value, context.arena).ok_or_else(|| failure(&context, "number out of range"))
}

/// `$random([seed])`: a number in `[0, 1)`, the same for the same integer seed.
fn random<'a>(context: FunctionContext<'a, '_>, args: &[&'a Jv<'a>]) -> Result<&'a Jv<'a>, Error> {
    let seed = match args {
        [] => uuid::Uuid::new_v4().as_u64_pair().0,
        [seed] if seed.is_undefined() => uuid::Uuid::new_v4().as_u64_pair().0,
        [seed] if seed.is_integer() => seed.as_f64() as i64 as u64,
        _ => return Err(failure(&context, "the seed must be an integer")),
    };
    Ok(Jv::number(context.arena, Rng::new(seed).next_f64()))
}
