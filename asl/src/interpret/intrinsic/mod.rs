//! Intrinsic functions in payload templates, such as
//! `States.Format('The dragon {} was added.', $.dragon.dragon_name_str)`: the parser, the
//! dispatch by name, and one module per category of the Step Functions guide.
//!
//! Arguments are string literals in single quotes (`\'`, `\{`, `\}` and `\\` are the only
//! escapes), numbers, `true`, `false`, `null`, paths (`$.x`, `$$.x`, `$variable`) and nested
//! calls.

pub(crate) mod arrays;
pub(crate) mod encoding;
mod json;
mod math;
mod strings;

use serde_json::Value;

use super::context::Context;
use super::paths::{self, PathError};

/// An intrinsic function call that cannot be parsed or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IntrinsicError {
    /// The call is not well-formed.
    #[error("invalid intrinsic function call `{call}`: {reason}")]
    Syntax { call: String, reason: String },
    /// A path argument cannot be resolved.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The function is not one of the supported ones.
    #[error("unsupported intrinsic function `{0}`")]
    Unknown(String),
    /// The function was given arguments it cannot use.
    #[error("{function}: {reason}")]
    Arguments { function: String, reason: String },
}

/// A parsed argument or call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A string literal, kept with its escapes (`States.Format` tells `\{` from `{`).
    Str(String),
    /// A number, boolean or `null` literal.
    Literal(Value),
    /// A path into the input or the context object.
    Path(String),
    /// A nested function call.
    Call(String, Vec<Expr>),
}

/// Whether `text` looks like an intrinsic function call rather than a path.
pub(crate) fn is_call(text: &str) -> bool {
    text.starts_with("States.")
}

/// Every intrinsic function Step Functions defines, by name.
pub(crate) const FUNCTIONS: [&str; 18] = [
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.StringToJson",
    "States.JsonToString",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
    "States.Format",
];

/// Parses the call `text` (without evaluating it).
pub(crate) fn parse(text: &str) -> Result<Expr, IntrinsicError> {
    let mut parser = Parser { text, pos: 0 };
    let expr = parser.call()?;
    parser.skip_whitespace();
    if parser.pos != text.len() {
        return Err(parser.error("unexpected text after the call"));
    }
    Ok(expr)
}

/// Parses and evaluates the call `text` against `input`.
pub(crate) fn evaluate(
    text: &str,
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, IntrinsicError> {
    parse(text)?.eval(input, context)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, reason: &str) -> IntrinsicError {
        IntrinsicError::Syntax {
            call: self.text.to_owned(),
            reason: format!("{reason} at byte {}", self.pos),
        }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// `States.Name(arg, ...)`.
    fn call(&mut self) -> Result<Expr, IntrinsicError> {
        let rest = self.rest();
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_owned();
        if !is_call(&name) {
            return Err(self.error("expected a `States.` function name"));
        }
        self.pos += name_len;
        self.skip_whitespace();
        if self.peek() != Some('(') {
            return Err(self.error("expected `(`"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(Expr::Call(name, args));
        }
        loop {
            self.skip_whitespace();
            args.push(self.argument()?);
            self.skip_whitespace();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(Expr::Call(name, args));
                }
                _ => return Err(self.error("expected `,` or `)`")),
            }
        }
    }

    fn argument(&mut self) -> Result<Expr, IntrinsicError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => Ok(Expr::Path(self.token(true).to_owned())),
            _ if is_call(self.rest()) => self.call(),
            _ => {
                let token = self.token(false);
                match serde_json::from_str::<Value>(token) {
                    Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                        Ok(Expr::Literal(value))
                    }
                    _ => Err(self.error(&format!("unexpected argument `{token}`"))),
                }
            }
        }
    }

    /// A single-quoted literal, returned raw (escapes kept); `\` escapes only `'`, `{`,
    /// `}` and `\`.
    fn string(&mut self) -> Result<Expr, IntrinsicError> {
        let body = self.rest().get(1..).unwrap_or_default();
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                '\'' | '{' | '}' | '\\' if escaped => escaped = false,
                _ if escaped => {
                    self.pos += 1 + i;
                    return Err(self.error(&format!("illegal escape `\\{c}`")));
                }
                '\\' => escaped = true,
                '\'' => {
                    let raw = body[..i].to_owned();
                    self.pos += 1 + i + 1;
                    return Ok(Expr::Str(raw));
                }
                _ => {}
            }
        }
        Err(self.error("unterminated string literal"))
    }

    /// A path or literal token: up to `,` or `)` or whitespace outside brackets and quotes.
    fn token(&mut self, path: bool) -> &'a str {
        let rest = self.rest();
        let (mut depth, mut quote) = (0usize, None);
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') if path && depth > 0 => quote = Some(c),
                (None, '[') if path => depth += 1,
                (None, ']') if path => depth = depth.saturating_sub(1),
                (None, ',' | ')') if depth == 0 => {
                    end = i;
                    break;
                }
                (None, c) if c.is_whitespace() && depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        self.pos += end;
        &rest[..end]
    }
}

impl Expr {
    /// The value of the argument or call.
    pub(crate) fn eval(
        &self,
        input: &Value,
        context: &Context<'_>,
    ) -> Result<Value, IntrinsicError> {
        match self {
            Self::Str(raw) => Ok(Value::String(unescape(raw))),
            Self::Literal(value) => Ok(value.clone()),
            Self::Path(path) => Ok(paths::resolve(path, input, context)?.into_owned()),
            Self::Call(name, args) => call(name, args, input, context),
        }
    }
}

/// A string literal's value: `\x` stands for `x`.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// The error of a function given arguments it cannot use.
fn arguments(function: &str, reason: impl Into<String>) -> IntrinsicError {
    IntrinsicError::Arguments {
        function: function.to_owned(),
        reason: reason.into(),
    }
}

fn call(
    name: &str,
    args: &[Expr],
    input: &Value,
    context: &Context<'_>,
) -> Result<Value, IntrinsicError> {
    if name == "States.Format" {
        return strings::format(args, input, context);
    }
    let values = args
        .iter()
        .map(|arg| arg.eval(input, context))
        .collect::<Result<Vec<_>, _>>()?;
    let bad = |reason: &str| arguments(name, reason);
    match name {
        "States.Array" => Ok(Value::Array(values)),
        "States.ArrayPartition" => arrays::partition(&values).map_err(|r| bad(&r)),
        "States.ArrayContains" => arrays::contains(&values).map_err(|r| bad(&r)),
        "States.ArrayRange" => arrays::range(&values).map_err(|r| bad(&r)),
        "States.ArrayGetItem" => arrays::get_item(&values).map_err(|r| bad(&r)),
        "States.ArrayLength" => arrays::length(&values).map_err(|r| bad(&r)),
        "States.ArrayUnique" => arrays::unique(&values).map_err(|r| bad(&r)),
        "States.Base64Encode" => encoding::base64_encode(&values).map_err(|r| bad(&r)),
        "States.Base64Decode" => encoding::base64_decode(&values).map_err(|r| bad(&r)),
        "States.Hash" => encoding::hash(&values).map_err(|r| bad(&r)),
        "States.JsonMerge" => json::merge(&values).map_err(|r| bad(&r)),
        "States.StringToJson" => json::string_to_json(&values).map_err(|r| bad(&r)),
        "States.JsonToString" => json::json_to_string(&values).map_err(|r| bad(&r)),
        "States.MathRandom" => math::random(&values, context.rng).map_err(|r| bad(&r)),
        "States.MathAdd" => math::add(&values).map_err(|r| bad(&r)),
        "States.StringSplit" => strings::split(&values).map_err(|r| bad(&r)),
        "States.UUID" => math::uuid(&values, context.rng).map_err(|r| bad(&r)),
        _ => Err(IntrinsicError::Unknown(name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn eval(call: &str, input: &Value) -> Result<Value, IntrinsicError> {
        evaluate(call, input, &Context::for_tests())
    }

    #[test]
    fn format_fills_placeholders_in_order() {
        let input = json!({"name": "Atlas", "age": 1200, "wild": true, "none": null});
        assert_eq!(
            eval("States.Format('{} is {} years old', $.name, $.age)", &input),
            Ok(json!("Atlas is 1200 years old"))
        );
        assert_eq!(
            eval("States.Format( '{}/{}/{}' ,$.wild , null,'x, y' )", &input),
            Ok(json!("true/null/x, y"))
        );
        assert_eq!(
            eval("States.Format('no placeholders')", &input),
            Ok(json!("no placeholders"))
        );
    }

    #[test]
    fn format_honours_escapes() {
        let input = json!({"name": "Atlas"});
        assert_eq!(
            eval(r"States.Format('\{\} is \'{}\' \\ ok', $.name)", &input),
            Ok(json!(r"{} is 'Atlas' \ ok"))
        );
        // Escaped braces in a string argument are plain characters in the result.
        assert_eq!(
            eval(r"States.Format('{}', 'a\{b')", &input),
            Ok(json!("a{b"))
        );
    }

    #[test]
    fn format_rejects_mismatched_arguments() {
        let input = json!({"name": "Atlas", "list": [1]});
        for call in [
            "States.Format('{} and {}', $.name)",
            "States.Format('{}', $.name, $.name)",
            "States.Format('{', $.name)",
            "States.Format()",
        ] {
            assert!(
                matches!(eval(call, &input), Err(IntrinsicError::Arguments { .. })),
                "{call}"
            );
        }
        assert!(matches!(
            eval("States.Format('{}', $.missing)", &input),
            Err(IntrinsicError::Path(PathError::NotFound { .. }))
        ));
    }

    #[test]
    fn json_functions_and_arrays() {
        let input = json!({"text": "{\"a\":[1,2]}", "obj": {"b": "c"}, "csv": "a,b,,c"});
        assert_eq!(
            eval("States.StringToJson($.text)", &input),
            Ok(json!({"a": [1, 2]}))
        );
        assert_eq!(
            eval("States.JsonToString($.obj)", &input),
            Ok(json!("{\"b\":\"c\"}"))
        );
        assert_eq!(
            eval("States.Array('x', 1, $.obj, States.Array())", &input),
            Ok(json!(["x", 1, {"b": "c"}, []]))
        );
        assert_eq!(
            eval("States.ArrayLength(States.StringSplit($.csv, ','))", &input),
            Ok(json!(3))
        );
        assert_eq!(
            eval("States.ArrayGetItem(States.Array(5, 6), 1)", &input),
            Ok(json!(6))
        );
        assert_eq!(eval("States.MathAdd(40, -2)", &input), Ok(json!(38)));
        assert_eq!(
            eval(
                "States.JsonMerge($.obj, States.StringToJson('{\"d\": 1}'), false)",
                &input
            ),
            Ok(json!({"b": "c", "d": 1}))
        );
        assert_eq!(
            eval("States.Array($$.State.Name)", &input),
            Ok(json!(["TestState"]))
        );
    }

    #[test]
    fn array_intrinsics() {
        let input = json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "dup": [1, 2, 3, 3, 3, 4, 1.0]});
        assert_eq!(
            eval("States.ArrayPartition($.a, 4)", &input),
            Ok(json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]]))
        );
        assert_eq!(
            eval("States.ArrayContains($.a, 5)", &input),
            Ok(json!(true))
        );
        assert_eq!(
            eval("States.ArrayContains($.a, '5')", &input),
            Ok(json!(false))
        );
        assert_eq!(
            eval("States.ArrayRange(1, 9, 2)", &input),
            Ok(json!([1, 3, 5, 7, 9]))
        );
        assert_eq!(
            eval("States.ArrayRange(5, 1, -2)", &input),
            Ok(json!([5, 3, 1]))
        );
        assert_eq!(eval("States.ArrayRange(1, 5, -1)", &input), Ok(json!([])));
        assert_eq!(eval("States.ArrayGetItem($.a, 5)", &input), Ok(json!(6)));
        assert_eq!(eval("States.ArrayLength($.a)", &input), Ok(json!(9)));
        assert_eq!(
            eval("States.ArrayUnique($.dup)", &input),
            Ok(json!([1, 2, 3, 4]))
        );
        for call in [
            "States.ArrayPartition($.a, 0)",
            "States.ArrayRange(1, 9, 0)",
            "States.ArrayRange(0, 1000, 1)",
            "States.ArrayGetItem($.a, 9)",
            "States.ArrayGetItem($.a, -1)",
            "States.ArrayLength('a')",
        ] {
            assert!(
                matches!(eval(call, &input), Err(IntrinsicError::Arguments { .. })),
                "{call}"
            );
        }
        assert_eq!(
            eval("States.ArrayLength(States.ArrayRange(0, 999, 1))", &input),
            Ok(json!(1000))
        );
    }

    #[test]
    fn encoding_and_hash_intrinsics() {
        let input = json!({"text": "Data to encode", "big": "x".repeat(10_001)});
        assert_eq!(
            eval("States.Base64Encode($.text)", &input),
            Ok(json!("RGF0YSB0byBlbmNvZGU="))
        );
        assert_eq!(
            eval("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", &input),
            Ok(json!("Data to encode"))
        );
        // Digests of "input data" as `sha1sum`/`md5sum`/`sha256sum` give them.
        assert_eq!(
            eval("States.Hash('input data', 'SHA-1')", &input),
            Ok(json!("aaff4a450a104cd177d28d18d74485e8cae074b7"))
        );
        assert_eq!(
            eval("States.Hash('input data', 'MD5')", &input),
            Ok(json!("812f45842bc6d66ee14572ce20db8e86"))
        );
        assert_eq!(
            eval("States.Hash('input data', 'SHA-256')", &input),
            Ok(json!(
                "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"
            ))
        );
        for call in [
            "States.Hash('a', 'SHA-3')",
            "States.Base64Encode($.big)",
            "States.Base64Decode('***')",
        ] {
            assert!(
                matches!(eval(call, &input), Err(IntrinsicError::Arguments { .. })),
                "{call}"
            );
        }
    }

    #[test]
    fn math_rounds_half_up_and_random_is_bounded() {
        let input = json!({"a": 1.49, "b": 1.5, "n": -1.5, "m": -2.5});
        assert_eq!(eval("States.MathAdd($.a, $.b)", &input), Ok(json!(3)));
        assert_eq!(eval("States.MathAdd($.n, 0)", &input), Ok(json!(-1)));
        assert_eq!(eval("States.MathAdd($.m, 0)", &input), Ok(json!(-2)));
        assert!(matches!(
            eval("States.MathAdd('1', 2)", &input),
            Err(IntrinsicError::Arguments { .. })
        ));
        for _ in 0..50 {
            let Ok(Value::Number(n)) = eval("States.MathRandom(3, 6)", &input) else {
                panic!("MathRandom gave no number");
            };
            assert!((3..6).contains(&n.as_i64().unwrap_or(-1)), "{n}");
        }
        assert_eq!(
            eval("States.MathRandom(1, 1000, 42)", &input),
            eval("States.MathRandom(1, 1000, 42)", &input)
        );
        let Ok(Value::String(uuid)) = eval("States.UUID()", &input) else {
            panic!("UUID gave no string");
        };
        let parsed = uuid::Uuid::parse_str(&uuid).map(|u| u.get_version_num());
        assert_eq!(parsed, Ok(4), "{uuid}");
        assert_ne!(eval("States.UUID()", &input), Ok(Value::String(uuid)));
    }

    #[test]
    fn string_to_json_of_blank_is_null_and_format_renders_containers() {
        let input = json!({"o": {"Arg1": 1, "Arg2": []}, "l": [1, "a", {"k": null}]});
        assert_eq!(eval("States.StringToJson('')", &input), Ok(Value::Null));
        assert_eq!(eval("States.StringToJson('  ')", &input), Ok(Value::Null));
        assert_eq!(
            eval("States.Format('{}', $.o)", &input),
            Ok(json!("{Arg1=1, Arg2=[]}"))
        );
        assert_eq!(
            eval("States.Format('{}', $.l)", &input),
            Ok(json!("[1, a, {k=null}]"))
        );
        assert!(matches!(
            eval("States.JsonMerge($.o, $.o, true)", &input),
            Err(IntrinsicError::Arguments { .. })
        ));
    }

    #[test]
    fn rejects_malformed_calls() {
        let input = json!({});
        for call in [
            "States.Format('unterminated)",
            "States.Array(1 2)",
            "States.Array(1,",
            "States.Array(bogus)",
            "States.Array(1) trailing",
            "Other.Array(1)",
        ] {
            assert!(
                matches!(eval(call, &input), Err(IntrinsicError::Syntax { .. })),
                "{call}: {:?}",
                eval(call, &input)
            );
        }
        assert_eq!(
            eval("States.Nope('a')", &input),
            Err(IntrinsicError::Unknown("States.Nope".to_owned()))
        );
        assert!(matches!(
            eval(r"States.Format('a\nb')", &input),
            Err(IntrinsicError::Syntax { .. })
        ));
        assert!(matches!(
            eval("States.StringToJson('{')", &input),
            Err(IntrinsicError::Arguments { .. })
        ));
    }
}
