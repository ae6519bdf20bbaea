//! Dragon names: the key two names are compared by. Names are unique by it.

/// The key of `name`: Unicode lower case.
pub fn key(name: &str) -> String {
    name.to_lowercase()
}
