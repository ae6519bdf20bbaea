//! The JSONPath dialect of ASL: `$` (the input), `$$` (the context object), `$name`
//! (a workflow variable), `.field`, `['field']`, `[index]` (negative counts from the end),
//! `[start:end]` slices, `[i,j]` unions, `*` wildcards, `..` deep scans and `[?(…)]` filter
//! expressions.
//!
//! A path made only of fields and indexes names one node (a reference path). Any other
//! path selects every matching node and gives them as an array, as Step Functions does.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Value};

use super::context::Context;

/// A parsed path such as `$.dragon.dragon_name_str`, `$.vals[0]`, `$$.State.Name` or
/// `$count`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: String,
    root: Root,
    segments: Vec<Segment>,
}

/// What a path starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Root {
    Input,
    Context,
    Variable(String),
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Field(String),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Union(Vec<i64>),
    Wildcard,
    /// `..name` (`None`: `..*`).
    Descendants(Option<String>),
    Filter(Filter),
}

/// A filter expression `?(…)`.
#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Exists(Operand),
    Compare(Operand, Comparison, Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A side of a filter comparison.
#[derive(Debug, Clone, PartialEq)]
enum Operand {
    /// `@…`: relative to the item being filtered.
    Current(Vec<Segment>),
    /// `$…`: relative to the root the path is applied to.
    Root(Vec<Segment>),
    Literal(Value),
}

/// A path that cannot be parsed, resolved or written to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The text is not a path of the supported dialect.
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
    /// context or variable path, or it is not a reference path.
    #[error("cannot write to path `{path}`: {reason}")]
    NotWritable {
        /// The path text.
        path: String,
        /// Why the value cannot be placed.
        reason: String,
    },
    /// A `$name` path names no workflow variable in scope.
    #[error("path `{path}` names the undefined variable `{name}`")]
    UndefinedVariable {
        /// The path text.
        path: String,
        /// The variable's name.
        name: String,
    },
}

impl Path {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, PathError> {
        let syntax = |reason: String| PathError::Syntax {
            path: text.to_owned(),
            reason,
        };
        let (root, rest) = if let Some(rest) = text.strip_prefix("$$") {
            (Root::Context, rest)
        } else if let Some(rest) = text.strip_prefix('$') {
            let name_len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if name_len == 0 {
                (Root::Input, rest)
            } else if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(syntax(
                    "a variable name cannot start with a digit".to_owned(),
                ));
            } else {
                (
                    Root::Variable(rest[..name_len].to_owned()),
                    &rest[name_len..],
                )
            }
        } else {
            return Err(syntax("a path starts with `$`".to_owned()));
        };
        let mut parser = Parser { rest };
        let segments = parser.segments(false).map_err(syntax)?;
        if !parser.rest.is_empty() {
            return Err(syntax(format!("unexpected `{}`", parser.rest)));
        }
        Ok(Self {
            text: text.to_owned(),
            root,
            segments,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path reads the context object (`$$`).
    pub fn is_context(&self) -> bool {
        self.root == Root::Context
    }

    /// The workflow variable the path reads (`count` for `$count.total`), if any.
    pub fn variable(&self) -> Option<&str> {
        match &self.root {
            Root::Variable(name) => Some(name),
            Root::Input | Root::Context => None,
        }
    }

    /// Whether the path names at most one node: only fields and indexes.
    pub fn is_reference(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)))
    }

    /// The value this path selects in `root` (the root being the input, the context object
    /// or the variable's value, as the path says). A reference path gives its node or
    /// [`PathError::NotFound`]; any other path gives the array of its matches.
    pub fn select<'v>(&self, root: &'v Value) -> Result<Cow<'v, Value>, PathError> {
        if self.is_reference() {
            let mut current = root;
            for segment in &self.segments {
                current = match segment {
                    Segment::Field(name) => current.get(name.as_str()),
                    Segment::Index(index) => current
                        .as_array()
                        .and_then(|items| items.get(position(*index, items.len())?)),
                    _ => None,
                }
                .ok_or_else(|| PathError::NotFound {
                    path: self.text.clone(),
                })?;
            }
            return Ok(Cow::Borrowed(current));
        }
        let matches = apply(&self.segments, vec![root], root);
        Ok(Cow::Owned(Value::Array(
            matches.into_iter().cloned().collect(),
        )))
    }

    /// Places `value` at this path inside `root`, creating missing objects on the way, as
    /// `ResultPath` does. `$` replaces `root` entirely.
    pub fn write(&self, root: &mut Value, value: Value) -> Result<(), PathError> {
        let not_writable = |reason: &str| PathError::NotWritable {
            path: self.text.clone(),
            reason: reason.to_owned(),
        };
        match self.root {
            Root::Input => {}
            Root::Context => return Err(not_writable("the context object is read-only")),
            Root::Variable(_) => return Err(not_writable("a variable is set with Assign")),
        }
        if !self.is_reference() {
            return Err(not_writable("only a reference path names a single node"));
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
                _ => return Err(not_writable("only a reference path names a single node")),
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
            _ => return Err(not_writable("only a reference path names a single node")),
        }
        Ok(())
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The nodes `segments` select, starting from `nodes`; `root` is what `$` means inside
/// filters.
fn apply<'v>(segments: &[Segment], mut nodes: Vec<&'v Value>, root: &'v Value) -> Vec<&'v Value> {
    for segment in segments {
        let mut next = Vec::new();
        for node in nodes {
            step(segment, node, root, &mut next);
        }
        nodes = next;
    }
    nodes
}

fn step<'v>(segment: &Segment, node: &'v Value, root: &'v Value, out: &mut Vec<&'v Value>) {
    match segment {
        Segment::Field(name) => out.extend(node.get(name.as_str())),
        Segment::Index(index) => out.extend(
            node.as_array()
                .and_then(|items| items.get(position(*index, items.len())?)),
        ),
        Segment::Union(indexes) => {
            if let Some(items) = node.as_array() {
                out.extend(
                    indexes
                        .iter()
                        .filter_map(|i| items.get(position(*i, items.len())?)),
                );
            }
        }
        Segment::Slice(start, end) => {
            if let Some(items) = node.as_array() {
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
                out.extend(items.get(start..end.max(start)).unwrap_or_default());
            }
        }
        Segment::Wildcard => children(node, out),
        Segment::Descendants(name) => descendants(node, name.as_deref(), out),
        Segment::Filter(filter) => {
            let mut items = Vec::new();
            children(node, &mut items);
            // As the Step Functions guide says, `@` matches objects only, never scalars.
            out.extend(
                items
                    .into_iter()
                    .filter(|item| item.is_object() && filter.holds(item, root)),
            );
        }
    }
}

fn children<'v>(node: &'v Value, out: &mut Vec<&'v Value>) {
    match node {
        Value::Array(items) => out.extend(items),
        Value::Object(fields) => out.extend(fields.values()),
        _ => {}
    }
}

/// `..name` / `..*`: the node's descendants (the node itself excluded), depth first.
fn descendants<'v>(node: &'v Value, name: Option<&str>, out: &mut Vec<&'v Value>) {
    match (node, name) {
        (Value::Object(fields), Some(name)) => out.extend(fields.get(name)),
        (Value::Object(_) | Value::Array(_), None) => children(node, out),
        _ => {}
    }
    let mut kids = Vec::new();
    children(node, &mut kids);
    for kid in kids {
        descendants(kid, name, out);
    }
}

impl Filter {
    fn holds(&self, item: &Value, root: &Value) -> bool {
        match self {
            Self::Or(a, b) => a.holds(item, root) || b.holds(item, root),
            Self::And(a, b) => a.holds(item, root) && b.holds(item, root),
            Self::Not(inner) => !inner.holds(item, root),
            Self::Exists(operand) => operand.value(item, root).is_some(),
            Self::Compare(left, op, right) => {
                let (Some(left), Some(right)) = (left.value(item, root), right.value(item, root))
                else {
                    return false;
                };
                compare(&left, *op, &right)
            }
        }
    }
}

impl Operand {
    fn value<'v>(&'v self, item: &'v Value, root: &'v Value) -> Option<Cow<'v, Value>> {
        let (segments, start) = match self {
            Self::Literal(value) => return Some(Cow::Borrowed(value)),
            Self::Current(segments) => (segments, item),
            Self::Root(segments) => (segments, root),
        };
        let mut found = apply(segments, vec![start], root);
        (found.len() == 1).then(|| Cow::Borrowed(found.remove(0)))
    }
}

fn compare(left: &Value, op: Comparison, right: &Value) -> bool {
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ if matches!(op, Comparison::Eq | Comparison::Ne) => Some(if left == right {
            Ordering::Equal
        } else {
            Ordering::Less
        }),
        _ => None,
    };
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        Comparison::Eq => ordering == Ordering::Equal,
        Comparison::Ne => ordering != Ordering::Equal,
        Comparison::Lt => ordering == Ordering::Less,
        Comparison::Le => ordering != Ordering::Greater,
        Comparison::Gt => ordering == Ordering::Greater,
        Comparison::Ge => ordering != Ordering::Less,
    }
}

/// A recursive-descent parser over the text after the root.
struct Parser<'a> {
    rest: &'a str,
}

impl<'a> Parser<'a> {
    fn eat(&mut self, token: &str) -> bool {
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn skip_whitespace(&mut self) {
        self.rest = self.rest.trim_start();
    }

    /// Segments up to the end, or (inside a filter) up to an operator or `)`.
    fn segments(&mut self, in_filter: bool) -> Result<Vec<Segment>, String> {
        let mut segments = Vec::new();
        loop {
            if self.eat("..") {
                if self.eat("*") || self.rest.starts_with('[') {
                    segments.push(Segment::Descendants(None));
                } else {
                    segments.push(Segment::Descendants(Some(self.name()?)));
                }
            } else if self.eat(".") {
                if self.eat("*") {
                    segments.push(Segment::Wildcard);
                } else {
                    segments.push(Segment::Field(self.name()?));
                }
            } else if self.eat("[") {
                segments.push(self.bracket()?);
            } else if self.rest.is_empty() || in_filter {
                return Ok(segments);
            } else {
                return Err("expected `.` or `[`".to_owned());
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let end = self
            .rest
            .find(['.', '[', ' ', ')', '=', '!', '<', '>', '&', '|'])
            .unwrap_or(self.rest.len());
        if end == 0 {
            return Err("empty field name".to_owned());
        }
        let name = self.rest[..end].to_owned();
        self.rest = &self.rest[end..];
        Ok(name)
    }

    /// The text of a string in single or double quotes (`what`, for the error when it is
    /// not closed) at the front, if there is one.
    fn quoted(&mut self, what: &str) -> Result<Option<String>, String> {
        let Some(quote) = self.rest.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            return Ok(None);
        };
        let inner = &self.rest[1..];
        let end = inner
            .find(quote)
            .ok_or_else(|| format!("unterminated {what}"))?;
        let text = inner[..end].to_owned();
        self.rest = &inner[end + 1..];
        Ok(Some(text))
    }

    /// The inside of `[...]`, after the `[`, through the `]`.
    fn bracket(&mut self) -> Result<Segment, String> {
        self.skip_whitespace();
        if let Some(name) = self.quoted("quoted field name")? {
            self.skip_whitespace();
            if !self.eat("]") {
                return Err("expected `]` after a quoted field name".to_owned());
            }
            return Ok(Segment::Field(name));
        }
        if self.eat("*") {
            self.skip_whitespace();
            return if self.eat("]") {
                Ok(Segment::Wildcard)
            } else {
                Err("expected `]` after `*`".to_owned())
            };
        }
        if self.eat("?") {
            self.skip_whitespace();
            if !self.eat("(") {
                return Err("expected `(` after `?`".to_owned());
            }
            let filter = self.or()?;
            self.skip_whitespace();
            if !(self.eat(")") && {
                self.skip_whitespace();
                self.eat("]")
            }) {
                return Err("expected `)]` to close the filter".to_owned());
            }
            return Ok(Segment::Filter(filter));
        }
        let end = self
            .rest
            .find(']')
            .ok_or_else(|| "unterminated `[`".to_owned())?;
        let inner = self.rest[..end].trim();
        self.rest = &self.rest[end + 1..];
        let number = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse()
                .map(Some)
                .map_err(|_| format!("`[{inner}]` is not an index, a quoted name or a slice"))
        };
        if let Some((start, end)) = inner.split_once(':') {
            return Ok(Segment::Slice(number(start)?, number(end)?));
        }
        if inner.contains(',') {
            let indexes = inner
                .split(',')
                .map(|part| number(part)?.ok_or_else(|| "empty union member".to_owned()))
                .collect::<Result<_, _>>()?;
            return Ok(Segment::Union(indexes));
        }
        Ok(Segment::Index(
            number(inner)?.ok_or_else(|| "empty brackets `[]`".to_owned())?,
        ))
    }

    fn or(&mut self) -> Result<Filter, String> {
        self.chain("||", Self::and, Filter::Or)
    }

    fn and(&mut self) -> Result<Filter, String> {
        self.chain("&&", Self::unary, Filter::And)
    }

    /// Operands (each parsed by `operand`) joined by `operator`, grouped from the left.
    fn chain(
        &mut self,
        operator: &str,
        operand: fn(&mut Self) -> Result<Filter, String>,
        join: fn(Box<Filter>, Box<Filter>) -> Filter,
    ) -> Result<Filter, String> {
        let mut left = operand(self)?;
        loop {
            self.skip_whitespace();
            if !self.eat(operator) {
                return Ok(left);
            }
            left = join(Box::new(left), Box::new(operand(self)?));
        }
    }

    fn unary(&mut self) -> Result<Filter, String> {
        self.skip_whitespace();
        if self.rest.starts_with("!=") {
            return Err("unexpected `!=`".to_owned());
        }
        if self.eat("!") {
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let inner = self.or()?;
            self.skip_whitespace();
            return if self.eat(")") {
                Ok(inner)
            } else {
                Err("expected `)`".to_owned())
            };
        }
        let left = self.operand()?;
        self.skip_whitespace();
        let op = [
            ("==", Comparison::Eq),
            ("!=", Comparison::Ne),
            ("<=", Comparison::Le),
            (">=", Comparison::Ge),
            ("<", Comparison::Lt),
            (">", Comparison::Gt),
        ]
        .into_iter()
        .find(|(token, _)| self.rest.starts_with(token));
        let Some((token, op)) = op else {
            return Ok(Filter::Exists(left));
        };
        self.rest = &self.rest[token.len()..];
        self.skip_whitespace();
        let right = self.operand()?;
        Ok(Filter::Compare(left, op, right))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.skip_whitespace();
        if self.eat("@") {
            return Ok(Operand::Current(self.segments(true)?));
        }
        if self.eat("$") {
            return Ok(Operand::Root(self.segments(true)?));
        }
        if let Some(text) = self.quoted("string in a filter")? {
            return Ok(Operand::Literal(Value::String(text)));
        }
        let end = self
            .rest
            .find([' ', ')', '&', '|', '=', '!', '<', '>'])
            .unwrap_or(self.rest.len());
        let token = &self.rest[..end];
        match serde_json::from_str::<Value>(token) {
            Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                self.rest = &self.rest[end..];
                Ok(Operand::Literal(value))
            }
            _ => Err(format!("unexpected `{token}` in a filter")),
        }
    }
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

/// Resolves the path `text` against `input`, the context object for `$$` paths, or the
/// variable it names.
pub(crate) fn resolve<'v>(
    text: &str,
    input: &'v Value,
    context: &Context<'v>,
) -> Result<Cow<'v, Value>, PathError> {
    let path = Path::parse(text)?;
    match &path.root {
        Root::Input => path.select(input),
        Root::Context => {
            let context = context.to_value();
            Ok(Cow::Owned(path.select(&context)?.into_owned()))
        }
        Root::Variable(name) => {
            let value = context
                .variable(name)
                .ok_or_else(|| PathError::UndefinedVariable {
                    path: path.text.clone(),
                    name: name.clone(),
                })?;
            path.select(value)
        }
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
        assert_eq!(select("$.a.b[0,2]", &input), Ok(json!([10, 30])));
    }

    #[test]
    fn wildcards_deep_scans_and_filters_give_arrays() {
        let input = json!({"items": [
            {"x": 1, "name": "a"}, {"x": 3, "name": "b"}, {"x": 5, "name": "c", "deep": {"x": 9}}
        ]});
        assert_eq!(
            select("$.items[*].name", &input),
            Ok(json!(["a", "b", "c"]))
        );
        assert_eq!(
            select("$.items[?(@.x > 1)].name", &input),
            Ok(json!(["b", "c"]))
        );
        assert_eq!(
            select("$.items[?(@.x >= 3 && @.name != 'c')].name", &input),
            Ok(json!(["b"]))
        );
        assert_eq!(
            select("$.items[?(@.name == 'a' || @.deep)].x", &input),
            Ok(json!([1, 5]))
        );
        assert_eq!(select("$.items[?(@.x > 10)]", &input), Ok(json!([])));
        assert_eq!(
            select("$.items[?(@ > 1)]", &json!({"items": [1, 2, 3]})),
            Ok(json!([]))
        );
        assert_eq!(select("$..x", &input), Ok(json!([1, 3, 5, 9])));
        assert_eq!(select("$.items[2].deep.*", &input), Ok(json!([9])));
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
    fn rejects_malformed_paths() {
        for path in [
            "a.b",
            "$.",
            "$[",
            "$[]",
            "$['a'",
            "$.a[1:]b",
            "$1x",
            "$.a[?(@.x >)]",
            "$.a[?@.x]",
        ] {
            assert!(
                matches!(Path::parse(path), Err(PathError::Syntax { .. })),
                "{path} parsed"
            );
        }
        assert_eq!(
            Path::parse("$$.Execution.Input").map(|p| p.is_context()),
            Ok(true)
        );
        assert_eq!(
            Path::parse("$count.total").map(|p| p.variable().map(str::to_owned)),
            Ok(Some("count".to_owned()))
        );
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
            ("$x.y", json!({})),
            ("$.a[0:1]", json!({"a": [1]})),
            ("$.a[*]", json!({"a": [1]})),
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
