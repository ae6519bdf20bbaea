//! Stack parameters and outputs, with the fields `stratosphere`'s own types lack
//! (`Default`, `AllowedValues`, `AllowedPattern`, conditional outputs).

use serde::Serialize;
use stratosphere::value::ExpString;

use super::Condition;

/// A `String` stack parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    #[serde(rename = "Type")]
    kind: &'static str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allowed_values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    constraint_description: Option<String>,
}

impl Parameter {
    /// A string parameter with a default value.
    pub fn string(description: &str, default: &str) -> Self {
        Self {
            kind: "String",
            description: description.to_owned(),
            default: Some(default.to_owned()),
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
        }
    }

    /// A string parameter every deploy must give.
    pub fn required(description: &str) -> Self {
        Self {
            default: None,
            ..Self::string(description, "")
        }
    }

    /// Restricts the value to one of these.
    pub fn allowed_values(mut self, values: &[&str]) -> Self {
        self.allowed_values = values.iter().map(|v| (*v).to_owned()).collect();
        self
    }

    /// Restricts the value to a regular expression, explained to the user.
    pub fn allowed_pattern(mut self, pattern: &str, explanation: &str) -> Self {
        self.allowed_pattern = Some(pattern.to_owned());
        self.constraint_description = Some(explanation.to_owned());
        self
    }
}

/// A stack output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    description: String,
    value: ExpString,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "condition_name"
    )]
    condition: Option<Condition>,
}

fn condition_name<S: serde::Serializer>(
    condition: &Option<Condition>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match condition {
        Some(condition) => serializer.serialize_str(condition.id()),
        None => serializer.serialize_none(),
    }
}

impl Output {
    /// An output with a description.
    pub fn new(description: &str, value: ExpString) -> Self {
        Self {
            description: description.to_owned(),
            value,
            condition: None,
        }
    }

    /// An output only where `condition` holds (its value names a resource that
    /// exists under it).
    pub fn when(mut self, condition: &Condition) -> Self {
        self.condition = Some(condition.clone());
        self
    }
}
