//! Choice rules: data-test expressions and their boolean combinators.

use serde::{Deserialize, Serialize};
use serde_json::Number;

/// One Choice rule, serialized as a single JSON object such as
/// `{"Variable": "$.x", "StringEquals": "a", "Next": "B"}` or `{"Not": {...}, "Next": "B"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChoiceRule {
    /// Path of the input value a comparison tests (absent for `And`/`Or`/`Not`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// The operator and its operand, flattened into the rule object.
    #[serde(flatten)]
    pub condition: Condition,
    /// Target state; required on top-level rules, absent on nested ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Workflow variables to set when this (top-level) rule matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<serde_json::Value>,
    /// JSONata: the Choice state's output when this (top-level) rule matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<serde_json::Value>,
}

impl ChoiceRule {
    /// A data-test rule comparing the value at `variable` using `condition`.
    pub fn test(variable: impl Into<String>, condition: Condition) -> Self {
        Self {
            variable: Some(variable.into()),
            condition,
            next: None,
            assign: None,
            output: None,
        }
    }

    /// A JSONata rule: matches when `expression` (`{% … %}`) evaluates to `true`.
    pub fn condition(expression: impl Into<String>) -> Self {
        Self::combinator(Condition::Condition(JsonAtaCondition::Expression(
            expression.into(),
        )))
    }

    /// A rule matching when all `rules` match.
    pub fn and(rules: Vec<ChoiceRule>) -> Self {
        Self::combinator(Condition::And(rules))
    }

    /// A rule matching when any of `rules` matches.
    pub fn or(rules: Vec<ChoiceRule>) -> Self {
        Self::combinator(Condition::Or(rules))
    }

    /// A rule matching when `rule` does not.
    #[allow(
        clippy::should_implement_trait,
        reason = "named after the ASL `Not` operator; wraps its argument, not `self`"
    )]
    pub fn not(rule: ChoiceRule) -> Self {
        Self::combinator(Condition::Not(Box::new(rule)))
    }

    /// Sets the state to transition to when this (top-level) rule matches.
    #[must_use]
    pub fn next(mut self, next: impl Into<String>) -> Self {
        self.next = Some(next.into());
        self
    }

    fn combinator(condition: Condition) -> Self {
        Self {
            variable: None,
            condition,
            next: None,
            assign: None,
            output: None,
        }
    }
}

/// A Choice rule operator with its operand; the variant name is the ASL field name.
///
/// `*Path` variants hold a path to the value to compare against instead of a literal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    /// All nested rules match.
    And(Vec<ChoiceRule>),
    /// At least one nested rule matches.
    Or(Vec<ChoiceRule>),
    /// The nested rule does not match.
    Not(Box<ChoiceRule>),

    /// String equality.
    StringEquals(String),
    /// String equality with the value at a path.
    StringEqualsPath(String),
    /// String ordering `<`.
    StringLessThan(String),
    /// String ordering `<` against the value at a path.
    StringLessThanPath(String),
    /// String ordering `<=`.
    StringLessThanEquals(String),
    /// String ordering `<=` against the value at a path.
    StringLessThanEqualsPath(String),
    /// String ordering `>`.
    StringGreaterThan(String),
    /// String ordering `>` against the value at a path.
    StringGreaterThanPath(String),
    /// String ordering `>=`.
    StringGreaterThanEquals(String),
    /// String ordering `>=` against the value at a path.
    StringGreaterThanEqualsPath(String),
    /// Glob match where `*` matches any run of characters.
    StringMatches(String),

    /// Numeric equality.
    NumericEquals(Number),
    /// Numeric equality with the value at a path.
    NumericEqualsPath(String),
    /// Numeric `<`.
    NumericLessThan(Number),
    /// Numeric `<` against the value at a path.
    NumericLessThanPath(String),
    /// Numeric `<=`.
    NumericLessThanEquals(Number),
    /// Numeric `<=` against the value at a path.
    NumericLessThanEqualsPath(String),
    /// Numeric `>`.
    NumericGreaterThan(Number),
    /// Numeric `>` against the value at a path.
    NumericGreaterThanPath(String),
    /// Numeric `>=`.
    NumericGreaterThanEquals(Number),
    /// Numeric `>=` against the value at a path.
    NumericGreaterThanEqualsPath(String),

    /// Boolean equality.
    BooleanEquals(bool),
    /// Boolean equality with the value at a path.
    BooleanEqualsPath(String),

    /// Timestamp equality (RFC 3339 operand).
    TimestampEquals(String),
    /// Timestamp equality with the value at a path.
    TimestampEqualsPath(String),
    /// Timestamp `<`.
    TimestampLessThan(String),
    /// Timestamp `<` against the value at a path.
    TimestampLessThanPath(String),
    /// Timestamp `<=`.
    TimestampLessThanEquals(String),
    /// Timestamp `<=` against the value at a path.
    TimestampLessThanEqualsPath(String),
    /// Timestamp `>`.
    TimestampGreaterThan(String),
    /// Timestamp `>` against the value at a path.
    TimestampGreaterThanPath(String),
    /// Timestamp `>=`.
    TimestampGreaterThanEquals(String),
    /// Timestamp `>=` against the value at a path.
    TimestampGreaterThanEqualsPath(String),

    /// Whether the variable's path exists in the input (`true`) or not (`false`).
    IsPresent(bool),
    /// Whether the value is (`true`) or is not (`false`) JSON `null`.
    IsNull(bool),
    /// Whether the value is a string.
    IsString(bool),
    /// Whether the value is a number.
    IsNumeric(bool),
    /// Whether the value is a boolean.
    IsBoolean(bool),
    /// Whether the value is an RFC 3339 timestamp string.
    IsTimestamp(bool),

    /// JSONata: a `{% … %}` expression that must evaluate to a boolean, or a boolean.
    Condition(JsonAtaCondition),
}

/// A JSONata rule's `Condition`: a `{% … %}` expression that must give a boolean, or a
/// JSON boolean (which the service accepts: `"Condition": true` always matches).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum JsonAtaCondition {
    /// A literal `true` or `false`.
    Boolean(bool),
    /// A `{% … %}` expression (any other string gives no boolean).
    Expression(String),
}

/// What a comparison operator compares (`StringLessThan`: strings, by `<`, with a literal).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Comparison<'c> {
    /// The type of the values compared.
    pub kind: Compared,
    /// How the variable's value must relate to the operand.
    pub relation: Relation,
    /// What the variable's value is compared with.
    pub operand: Operand<'c>,
}

/// The type of the values a comparison operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compared {
    /// `String…`: strings, in code point order.
    String,
    /// `Numeric…`: numbers.
    Numeric,
    /// `BooleanEquals…`: booleans.
    Boolean,
    /// `Timestamp…`: timestamps, by the instant they name.
    Timestamp,
}

/// How the variable's value must relate to the operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// `…Equals`.
    Equals,
    /// `…LessThan`.
    LessThan,
    /// `…LessThanEquals`.
    LessThanEquals,
    /// `…GreaterThan`.
    GreaterThan,
    /// `…GreaterThanEquals`.
    GreaterThanEquals,
}

impl Relation {
    /// Whether a value ordered `ordering` against the operand is in this relation.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        match self {
            Self::Equals => ordering.is_eq(),
            Self::LessThan => ordering.is_lt(),
            Self::LessThanEquals => ordering.is_le(),
            Self::GreaterThan => ordering.is_gt(),
            Self::GreaterThanEquals => ordering.is_ge(),
        }
    }
}

/// The operand of a comparison: a literal, or (`…Path` operators) a path to the value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Operand<'c> {
    /// A string (or timestamp) literal.
    Text(&'c str),
    /// A number literal.
    Number(&'c Number),
    /// A boolean literal.
    Boolean(bool),
    /// A path (`…Path` operators).
    Path(&'c str),
}

impl Condition {
    /// The comparison this operator makes; `None` for the combinators, the type tests,
    /// `StringMatches` and a JSONata `Condition`.
    pub(crate) fn comparison(&self) -> Option<Comparison<'_>> {
        use Compared::{Boolean, Numeric, String, Timestamp};
        use Operand::{Path, Text};
        use Relation::{Equals, GreaterThan, GreaterThanEquals, LessThan, LessThanEquals};
        let (kind, relation, operand) = match self {
            Self::StringEquals(s) => (String, Equals, Text(s)),
            Self::StringEqualsPath(p) => (String, Equals, Path(p)),
            Self::StringLessThan(s) => (String, LessThan, Text(s)),
            Self::StringLessThanPath(p) => (String, LessThan, Path(p)),
            Self::StringLessThanEquals(s) => (String, LessThanEquals, Text(s)),
            Self::StringLessThanEqualsPath(p) => (String, LessThanEquals, Path(p)),
            Self::StringGreaterThan(s) => (String, GreaterThan, Text(s)),
            Self::StringGreaterThanPath(p) => (String, GreaterThan, Path(p)),
            Self::StringGreaterThanEquals(s) => (String, GreaterThanEquals, Text(s)),
            Self::StringGreaterThanEqualsPath(p) => (String, GreaterThanEquals, Path(p)),
            Self::NumericEquals(n) => (Numeric, Equals, Operand::Number(n)),
            Self::NumericEqualsPath(p) => (Numeric, Equals, Path(p)),
            Self::NumericLessThan(n) => (Numeric, LessThan, Operand::Number(n)),
            Self::NumericLessThanPath(p) => (Numeric, LessThan, Path(p)),
            Self::NumericLessThanEquals(n) => (Numeric, LessThanEquals, Operand::Number(n)),
            Self::NumericLessThanEqualsPath(p) => (Numeric, LessThanEquals, Path(p)),
            Self::NumericGreaterThan(n) => (Numeric, GreaterThan, Operand::Number(n)),
            Self::NumericGreaterThanPath(p) => (Numeric, GreaterThan, Path(p)),
            Self::NumericGreaterThanEquals(n) => (Numeric, GreaterThanEquals, Operand::Number(n)),
            Self::NumericGreaterThanEqualsPath(p) => (Numeric, GreaterThanEquals, Path(p)),
            Self::BooleanEquals(b) => (Boolean, Equals, Operand::Boolean(*b)),
            Self::BooleanEqualsPath(p) => (Boolean, Equals, Path(p)),
            Self::TimestampEquals(t) => (Timestamp, Equals, Text(t)),
            Self::TimestampEqualsPath(p) => (Timestamp, Equals, Path(p)),
            Self::TimestampLessThan(t) => (Timestamp, LessThan, Text(t)),
            Self::TimestampLessThanPath(p) => (Timestamp, LessThan, Path(p)),
            Self::TimestampLessThanEquals(t) => (Timestamp, LessThanEquals, Text(t)),
            Self::TimestampLessThanEqualsPath(p) => (Timestamp, LessThanEquals, Path(p)),
            Self::TimestampGreaterThan(t) => (Timestamp, GreaterThan, Text(t)),
            Self::TimestampGreaterThanPath(p) => (Timestamp, GreaterThan, Path(p)),
            Self::TimestampGreaterThanEquals(t) => (Timestamp, GreaterThanEquals, Text(t)),
            Self::TimestampGreaterThanEqualsPath(p) => (Timestamp, GreaterThanEquals, Path(p)),
            _ => return None,
        };
        Some(Comparison {
            kind,
            relation,
            operand,
        })
    }

    /// The operand of a `*Path` comparison, `None` for literal comparisons and combinators.
    pub fn path_operand(&self) -> Option<&str> {
        match self.comparison()?.operand {
            Operand::Path(path) => Some(path),
            _ => None,
        }
    }
}
