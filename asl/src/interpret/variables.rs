//! Workflow variables: the scopes `$name` reads (`Assign` sets them).
//!
//! A Map iteration or Parallel branch runs in a scope of its own: it reads the variables
//! of the scopes around it, and what it assigns stays inside it.

use serde_json::{Map, Value};

/// One scope of variables, with the scope around it.
#[derive(Debug, Default)]
pub(crate) struct Variables<'p> {
    own: Map<String, Value>,
    outer: Option<&'p Variables<'p>>,
}

impl<'p> Variables<'p> {
    /// A scope inside `outer` (the top level has none).
    pub fn new(outer: Option<&'p Variables<'p>>) -> Self {
        Self {
            own: Map::new(),
            outer,
        }
    }

    /// The value of `name`, from the innermost scope that has it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self.own.get(name) {
            Some(value) => Some(value),
            None => self.outer?.get(name),
        }
    }

    /// Sets every variable of `assigned` in this scope.
    pub fn set(&mut self, assigned: Map<String, Value>) {
        self.own.extend(assigned);
    }

    /// Every variable in scope with its value (an inner scope's value hiding an outer one's).
    pub fn visible(&self) -> Map<String, Value> {
        let mut all = self.outer.map(Variables::visible).unwrap_or_default();
        all.extend(self.own.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }

    /// Whether no scope holds a variable (so contexts need not carry it).
    pub fn is_empty(&self) -> bool {
        self.own.is_empty() && self.outer.is_none_or(Variables::is_empty)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inner_scopes_read_outer_ones_and_shadow_them() {
        let mut outer = Variables::new(None);
        outer.set(
            json!({"a": 1, "b": 2})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let mut inner = Variables::new(Some(&outer));
        assert_eq!(inner.get("a"), Some(&json!(1)));
        inner.set(json!({"a": 10}).as_object().cloned().unwrap_or_default());
        assert_eq!(inner.get("a"), Some(&json!(10)));
        assert_eq!(inner.get("b"), Some(&json!(2)));
        assert_eq!(inner.get("c"), None);
        assert_eq!(outer.get("a"), Some(&json!(1)));
        assert!(Variables::new(None).is_empty());
        assert!(!inner.is_empty());
    }
}
