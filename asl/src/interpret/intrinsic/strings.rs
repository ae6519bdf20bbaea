//! Intrinsics for strings: `Format` and `StringSplit`.

use serde_json::Value;

use super::{Expr, IntrinsicError, arguments};
use crate::interpret::context::Context;

/// `States.StringSplit(text, delimiters)`: the non-empty pieces between any of the
/// delimiter characters.
pub(super) fn split(values: &[Value]) -> Result<Value, String> {
    let [Value::String(text), Value::String(delimiters)] = values else {
        return Err("expects a string and a delimiter string".to_owned());
    };
    Ok(text
        .split(|c| delimiters.contains(c))
        .filter(|part| !part.is_empty())
        .map(|part| Value::String(part.to_owned()))
        .collect())
}

/// `States.Format(template, args...)`: each `{}` takes the next argument.
pub(super) fn format(
    args: &[Expr],
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, IntrinsicError> {
    let bad = |reason: &str| arguments("States.Format", reason);
    let Some((template, args)) = args.split_first() else {
        return Err(bad("expects a template"));
    };
    // A literal template keeps its escapes so that `\{` is not a placeholder.
    let (template, escapes) = match template {
        Expr::Str(raw) => (raw.clone(), true),
        other => match other.eval(input, context)? {
            Value::String(text) => (text, false),
            _ => return Err(bad("the template is not a string")),
        },
    };
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        values.push(render(&arg.eval(input, context)?));
    }
    let mut values = values.into_iter();
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if escapes => out.extend(chars.next()),
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let value = values
                    .next()
                    .ok_or_else(|| bad("more `{}` placeholders than arguments"))?;
                out.push_str(&value);
            }
            '{' | '}' => return Err(bad(&format!("unescaped `{c}` in the template"))),
            c => out.push(c),
        }
    }
    if values.next().is_some() {
        return Err(bad("more arguments than `{}` placeholders"));
    }
    Ok(Value::String(out))
}

/// How `States.Format` shows a value: strings as they are, objects as `{k=v, …}` and
/// arrays as `[a, b]` (the service's rendering), other values as JSON.
fn render(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}={}", render(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}
