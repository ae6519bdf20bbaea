//! The JSONPath subset the interpreter understands: `$`, `$$` (the context object),
//! `.field`, `['field']`, `[index]` (negative counts from the end) and a final `[start:end]`
//! slice.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use super::context::Context;

/// A parsed path such as `$.dragon.dragon_name_str`, `$.vals[0]` or `$$.State.Name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    text: String,
    context: bool,
    segments: Vec<Segment>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
}

/// A path that cannot be parsed, resolved or written to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The text is not a path of the supported subset.
    #[error("invalid path `{path}`: {reason}")]
    Syntax {
        /// The path text.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The path selects nothing in the value it is applied to.
    #[error("path `{path}` selects nothing in the input")]
    NotFound {
        /// The path text.
        path: String,
    },
    /// A `ResultPath` cannot place a value: a step goes through a non-object, the path is a
    /// context path, or it contains a slice.
    #[error("cannot write to path `{path}`: {reason}")]
    NotWritable {
        /// The path text.
        path: String,
        /// Why the value cannot be placed.
        reason: String,
    },
}

impl Path {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, PathError> {
        let syntax = |reason: &str| PathError::Syntax {
            path: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (context, mut rest) = if let Some(rest) = text.strip_prefix("$$") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix('$') {
            (false, rest)
        } else {
            return Err(syntax("a path starts with `$`"));
        };
        let mut segments = Vec::new();
        while !rest.is_empty() {
            if matches!(segments.last(), Some(Segment::Slice(..))) {
                return Err(syntax("a slice must be the last step"));
            }
            if let Some(after) = rest.strip_prefix('.') {
                if after.starts_with('.') {
                    return Err(syntax("deep scan `..` is not supported"));
                }
                let end = after.find(['.', '[']).unwrap_or(after.len());
                let name = &after[..end];
                if name.is_empty() {
                    return Err(syntax("empty field name"));
                }
                if name == "*" {
                    return Err(syntax("wildcards are not supported"));
                }
                segments.push(Segment::Field(name.to_owned()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let (segment, after) = bracket(after).map_err(|reason| syntax(&reason))?;
                segments.push(segment);
                rest = after;
            } else {
                return Err(syntax("expected `.` or `[`"));
            }
        }
        Ok(Self {
            text: text.to_owned(),
            context,
            segments,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path reads the context object (`$$`).
    pub fn is_context(&self) -> bool {
        self.context
    }

    /// The value this path selects in `root` (the context object is not consulted).
    pub fn select<'v>(&self, root: &'v Value) -> Result<Cow<'v, Value>, PathError> {
        let not_found = || PathError::NotFound {
            path: self.text.clone(),
        };
        let mut current = root;
        for segment in &self.segments {
            current = match segment {
                Segment::Field(name) => current.get(name.as_str()).ok_or_else(not_found)?,
                Segment::Index(index) => {
                    let items = current.as_array().ok_or_else(not_found)?;
                    position(*index, items.len())
                        .and_then(|i| items.get(i))
                        .ok_or_else(not_found)?
                }
                Segment::Slice(start, end) => {
                    let items = current.as_array().ok_or_else(not_found)?;
                    let len = items.len();
                    let clamp = |bound: Option<i64>, default: usize| {
                        bound.map_or(default, |b| {
                            if b < 0 {
                                len.saturating_sub(usize::try_from(b.unsigned_abs()).unwrap_or(len))
                            } else {
                                usize::try_from(b).unwrap_or(len).min(len)
                            }
                        })
                    };
                    let (start, end) = (clamp(*start, 0), clamp(*end, len));
                    let slice = items.get(start..end.max(start)).unwrap_or_default();
                    return Ok(Cow::Owned(Value::Array(slice.to_vec())));
                }
            };
        }
        Ok(Cow::Borrowed(current))
    }

    /// Places `value` at this path inside `root`, creating missing objects on the way, as
    /// `ResultPath` does. `$` replaces `root` entirely.
    pub fn write(&self, root: &mut Value, value: Value) -> Result<(), PathError> {
        let not_writable = |reason: &str| PathError::NotWritable {
            path: self.text.clone(),
            reason: reason.to_owned(),
        };
        if self.context {
            return Err(not_writable("the context object is read-only"));
        }
        let Some((last, parents)) = self.segments.split_last() else {
            *root = value;
            return Ok(());
        };
        let mut current = root;
        for segment in parents {
            current = match segment {
                Segment::Field(name) => current
                    .as_object_mut()
                    .ok_or_else(|| not_writable(&format!("`{name}` is not inside an object")))?
                    .entry(name.as_str())
                    .or_insert_with(|| Value::Object(Map::new())),
                Segment::Index(index) => element(current, *index)
                    .ok_or_else(|| not_writable(&format!("no array element [{index}]")))?,
                Segment::Slice(..) => return Err(not_writable("a slice is not a single node")),
            };
        }
        match last {
            Segment::Field(name) => {
                current
                    .as_object_mut()
                    .ok_or_else(|| not_writable(&format!("`{name}` is not inside an object")))?
                    .insert(name.clone(), value);
            }
            Segment::Index(index) => {
                *element(current, *index)
                    .ok_or_else(|| not_writable(&format!("no array element [{index}]")))? = value;
            }
            Segment::Slice(..) => return Err(not_writable("a slice is not a single node")),
        }
        Ok(())
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Parses the inside of `[...]` (after the `[`), returning the segment and the rest.
fn bracket(text: &str) -> Result<(Segment, &str), String> {
    if let Some(quote) = text.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let inner = &text[1..];
        let end = inner
            .find(quote)
            .ok_or_else(|| "unterminated quoted field name".to_owned())?;
        let rest = inner[end + 1..]
            .strip_prefix(']')
            .ok_or_else(|| "expected `]` after a quoted field name".to_owned())?;
        return Ok((Segment::Field(inner[..end].to_owned()), rest));
    }
    let end = text
        .find(']')
        .ok_or_else(|| "unterminated `[`".to_owned())?;
    let (inner, rest) = (text[..end].trim(), &text[end + 1..]);
    let number = |s: &str| -> Result<Option<i64>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| format!("`[{inner}]` is not an index, a quoted name or a slice"))
    };
    let segment = match inner.split_once(':') {
        Some((start, end)) => Segment::Slice(number(start)?, number(end)?),
        None => Segment::Index(number(inner)?.ok_or_else(|| "empty brackets `[]`".to_owned())?),
    };
    Ok((segment, rest))
}

/// The position of `index` (negative counts from the end) in an array of `len` items.
fn position(index: i64, len: usize) -> Option<usize> {
    if index < 0 {
        len.checked_sub(usize::try_from(index.unsigned_abs()).ok()?)
    } else {
        usize::try_from(index).ok().filter(|i| *i < len)
    }
}

fn element(value: &mut Value, index: i64) -> Option<&mut Value> {
    let items = value.as_array_mut()?;
    let i = position(index, items.len())?;
    items.get_mut(i)
}

/// Resolves the path `text` against `input`, or against the context object for `$$` paths.
pub(crate) fn resolve<'v>(
    text: &str,
    input: &'v Value,
    context: &Context<'_>,
) -> Result<Cow<'v, Value>, PathError> {
    let path = Path::parse(text)?;
    if path.context {
        let context = context.to_value();
        Ok(Cow::Owned(path.select(&context)?.into_owned()))
    } else {
        path.select(input)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn select(path: &str, value: &Value) -> Result<Value, PathError> {
        Path::parse(path)?.select(value).map(Cow::into_owned)
    }

    #[test]
    fn selects_fields_indexes_and_slices() {
        let input = json!({"a": {"b": [10, 20, 30, 40]}, "odd key": {"x.y": true}});
        assert_eq!(select("$", &input), Ok(input.clone()));
        assert_eq!(select("$.a.b[1]", &input), Ok(json!(20)));
        assert_eq!(select("$.a.b[-1]", &input), Ok(json!(40)));
        assert_eq!(select("$.a['b'][0]", &input), Ok(json!(10)));
        assert_eq!(select("$['odd key'][\"x.y\"]", &input), Ok(json!(true)));
        assert_eq!(select("$.a.b[-3:]", &input), Ok(json!([20, 30, 40])));
        assert_eq!(select("$.a.b[1:3]", &input), Ok(json!([20, 30])));
        assert_eq!(select("$.a.b[:9]", &input), Ok(json!([10, 20, 30, 40])));
    }

    #[test]
    fn missing_nodes_are_not_found() {
        let input = json!({"a": [1]});
        for path in ["$.b", "$.a[1]", "$.a[-2]", "$.a.b", "$.a[0].c"] {
            assert_eq!(
                select(path, &input),
                Err(PathError::NotFound {
                    path: path.to_owned()
                }),
                "{path}"
            );
        }
    }

    #[test]
    fn rejects_unsupported_syntax() {
        for path in [
            "a.b", "$..a", "$.*", "$.a[*]", "$.", "$[", "$[]", "$['a'", "$.a[1:]b", "$x",
        ] {
            assert!(
                matches!(Path::parse(path), Err(PathError::Syntax { .. })),
                "{path} parsed"
            );
        }
        let path = Path::parse("$$.Execution.Input").map(|p| p.is_context());
        assert_eq!(path, Ok(true));
    }

    #[test]
    fn writes_merge_replace_and_create_objects() -> Result<(), PathError> {
        let mut value = json!({"a": 1});
        Path::parse("$.b.c")?.write(&mut value, json!(2))?;
        assert_eq!(value, json!({"a": 1, "b": {"c": 2}}));
        Path::parse("$.a")?.write(&mut value, json!([0, 0]))?;
        Path::parse("$.a[1]")?.write(&mut value, json!("x"))?;
        assert_eq!(value, json!({"a": [0, "x"], "b": {"c": 2}}));
        Path::parse("$")?.write(&mut value, json!("all"))?;
        assert_eq!(value, json!("all"));
        Ok(())
    }

    #[test]
    fn writes_fail_through_non_objects() -> Result<(), PathError> {
        for (path, mut value) in [
            ("$.a", json!("text")),
            ("$.a.b", json!({"a": 3})),
            ("$.a[2]", json!({"a": [1]})),
            ("$$.State", json!({})),
            ("$.a[0:1]", json!({"a": [1]})),
        ] {
            let result = Path::parse(path)?.write(&mut value, json!(1));
            assert!(
                matches!(result, Err(PathError::NotWritable { .. })),
                "{path}: {result:?}"
            );
        }
        Ok(())
    }
}
