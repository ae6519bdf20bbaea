//! What every error answer of the API holds: `{"message": …}`, words for the caller
//! and never internals.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An error answer's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// What went wrong, for the caller.
    pub message: String,
}
