//! The `GET /dragons` query: optional `dragonName` and `family`, checked strictly.

/// The longest value a query parameter may have, in bytes.
pub const MAX_VALUE_BYTES: usize = 128;

/// The query parameter naming a dragon.
pub const NAME_PARAMETER: &str = "dragonName";
/// The query parameter naming a family.
pub const FAMILY_PARAMETER: &str = "family";

/// What `GET /dragons` asks for: every given filter must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DragonQuery {
    /// Exact `dragon_name_str`, when given.
    pub name: Option<String>,
    /// Exact `family_str`, when given.
    pub family: Option<String>,
}

/// Why a query string was refused (a 400 for the caller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A parameter other than `dragonName` and `family`.
    #[error("unknown query parameter `{0}`: only dragonName and family are accepted")]
    Unknown(String),
    /// A parameter given more than once.
    #[error("query parameter `{0}` is given more than once")]
    Repeated(&'static str),
    /// A parameter with an empty value.
    #[error("query parameter `{0}` is empty")]
    Empty(&'static str),
    /// A parameter longer than [`MAX_VALUE_BYTES`].
    #[error("query parameter `{0}` is longer than {MAX_VALUE_BYTES} bytes")]
    TooLong(&'static str),
}

impl DragonQuery {
    /// Builds a query from decoded `(name, value)` pairs, in the order given.
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, QueryError>
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut query = Self::default();
        for (key, value) in pairs {
            let (parameter, slot) = match key.as_ref() {
                NAME_PARAMETER => (NAME_PARAMETER, &mut query.name),
                FAMILY_PARAMETER => (FAMILY_PARAMETER, &mut query.family),
                other => return Err(QueryError::Unknown(truncated(other))),
            };
            if slot.is_some() {
                return Err(QueryError::Repeated(parameter));
            }
            let value = value.into();
            if value.is_empty() {
                return Err(QueryError::Empty(parameter));
            }
            if value.len() > MAX_VALUE_BYTES {
                return Err(QueryError::TooLong(parameter));
            }
            *slot = Some(value);
        }
        Ok(query)
    }

    /// Whether a record with this name and family is wanted.
    pub fn matches(&self, name: &str, family: &str) -> bool {
        self.name.as_deref().is_none_or(|wanted| wanted == name)
            && self.family.as_deref().is_none_or(|wanted| wanted == family)
    }
}

/// An unknown parameter's name as echoed back: at most 64 characters.
fn truncated(name: &str) -> String {
    name.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<DragonQuery, QueryError> {
        DragonQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, *v)))
    }

    #[test]
    fn accepts_neither_either_or_both() {
        assert_eq!(parse(&[]).unwrap(), DragonQuery::default());
        let both = parse(&[("family", "red"), ("dragonName", "Atlas")]).unwrap();
        assert_eq!(both.name.as_deref(), Some("Atlas"));
        assert_eq!(both.family.as_deref(), Some("red"));
    }

    #[test]
    fn refuses_unknown_repeated_empty_and_long_parameters() {
        assert_eq!(
            parse(&[("name", "x")]),
            Err(QueryError::Unknown("name".into()))
        );
        assert_eq!(
            parse(&[("DragonName", "x")]),
            Err(QueryError::Unknown("DragonName".into()))
        );
        assert_eq!(
            parse(&[("family", "red"), ("family", "blue")]),
            Err(QueryError::Repeated("family"))
        );
        assert_eq!(
            parse(&[("dragonName", "")]),
            Err(QueryError::Empty("dragonName"))
        );
        let long = "é".repeat(65);
        assert_eq!(
            parse(&[("family", &long)]),
            Err(QueryError::TooLong("family"))
        );
        assert!(parse(&[("family", &"a".repeat(128))]).is_ok());
    }

    #[test]
    fn echoes_at_most_64_characters_of_an_unknown_name() {
        let name = "x".repeat(1000);
        let Err(QueryError::Unknown(echoed)) = parse(&[(&name, "1")]) else {
            panic!("expected Unknown");
        };
        assert_eq!(echoed.len(), 64);
    }

    #[test]
    fn matching_is_exact_and_keeps_case() {
        let query = parse(&[("family", "red")]).unwrap();
        assert!(query.matches("Atlas", "red"));
        assert!(!query.matches("Atlas", "Red"));
        let both = parse(&[("family", "red"), ("dragonName", "Atlas")]).unwrap();
        assert!(!both.matches("Bahamut", "red"));
        assert!(DragonQuery::default().matches("any", "thing"));
    }
}
