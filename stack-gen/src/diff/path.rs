//! Where in a template a change is: a path of object keys and array elements, shown
//! the way a reviewer reads it (`Policies[PolicyName=ListDragonsPolicy].PolicyDocument`).

use std::fmt;

use serde::{Serialize, Serializer};

/// One step of a [`Path`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    /// An object key.
    Key(String),
    /// An array element, by position.
    Index(usize),
    /// An array element, by the value of a field that names it (`Sid`, `Name`, ...).
    Item {
        /// The naming field.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// Into a string that holds a JSON document (a policy written as a string, say).
    Json,
}

impl Segment {
    /// Whether the step enters an array element (`*` in a schema path).
    pub fn is_element(&self) -> bool {
        matches!(self, Self::Index(_) | Self::Item { .. })
    }
}

/// A path from a resource's properties (or a template section) to a value.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(Vec<Segment>);

impl Path {
    /// The empty path: the value itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// A path of one key.
    pub fn key(key: &str) -> Self {
        Self(vec![Segment::Key(key.to_owned())])
    }

    /// This path, one step further.
    pub fn child(&self, segment: Segment) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment);
        Self(segments)
    }

    /// The steps.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The first key: the top-level property a change is in.
    pub fn top(&self) -> Option<&str> {
        match self.0.first() {
            Some(Segment::Key(key)) => Some(key),
            _ => None,
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(whole value)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Item { field, value } => write!(f, "[{field}={value}]")?,
                Segment::Json => f.write_str("(json)")?,
            }
        }
        Ok(())
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_keys_elements_and_json() {
        let path = Path::key("Policies")
            .child(Segment::Item {
                field: "PolicyName",
                value: "P".into(),
            })
            .child(Segment::Key("PolicyDocument".into()))
            .child(Segment::Json)
            .child(Segment::Key("Statement".into()))
            .child(Segment::Index(2));
        assert_eq!(
            path.to_string(),
            "Policies[PolicyName=P].PolicyDocument(json).Statement[2]"
        );
        assert_eq!(path.top(), Some("Policies"));
        assert_eq!(Path::root().to_string(), "(whole value)");
    }
}
