//! The query language of a machine or state: JSONPath (the default) or JSONata.

use serde::{Deserialize, Serialize};

/// The `QueryLanguage` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum QueryLanguage {
    /// Paths, payload templates and intrinsic functions.
    #[default]
    #[serde(rename = "JSONPath")]
    JsonPath,
    /// `{% … %}` JSONata expressions, `Arguments` and `Output`.
    #[serde(rename = "JSONata")]
    JsonAta,
}
