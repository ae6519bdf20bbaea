//! Serde helper for path fields that distinguish absent, `null` and a path.
//!
//! Use with `#[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]`
//! on an `Option<Option<String>>`: absent stays `None`, `null` is `Some(None)`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes the inner value; `Some(None)` becomes `null`.
pub(crate) fn serialize<S: Serializer>(
    value: &Option<Option<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value
        .as_ref()
        .and_then(Option::as_ref)
        .serialize(serializer)
}

/// Deserializes a present field: `null` becomes `Some(None)`.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}
