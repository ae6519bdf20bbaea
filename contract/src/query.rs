//! The `GET /dragons` query: optional `dragonName` and `family`, checked strictly.

use crate::dragon::{MAX_FAMILY_CHARS, MAX_NAME_CHARS};

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
    /// A parameter longer than the field it is matched with may be
    /// ([`max_characters`]).
    #[error("query parameter `{0}` is longer than {max} characters", max = max_characters(.0))]
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
            if value.chars().count() > max_characters(parameter) {
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

/// The longest value of a parameter, in characters: that of the field it is
/// matched with, so that every dragon the model accepts can be asked for.
pub fn max_characters(parameter: &str) -> usize {
    if parameter == NAME_PARAMETER {
        MAX_NAME_CHARS
    } else {
        MAX_FAMILY_CHARS
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
        let long = "é".repeat(41);
        assert_eq!(
            parse(&[("family", &long)]),
            Err(QueryError::TooLong("family"))
        );
        assert!(parse(&[("family", &"\u{1F409}".repeat(40))]).is_ok());
        assert!(parse(&[("dragonName", &"\u{1F409}".repeat(80))]).is_ok());
        assert_eq!(
            parse(&[("dragonName", &"a".repeat(81))]),
            Err(QueryError::TooLong("dragonName"))
        );
        assert_eq!(
            QueryError::TooLong("dragonName").to_string(),
            "query parameter `dragonName` is longer than 80 characters"
        );
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

    /// Property tests against the query's specification (`PROPTEST_CASES` cases
    /// each, 256 by default), on random pairs: a query is accepted exactly when
    /// every name is `dragonName` or `family`, none is repeated and no value is
    /// empty or longer than its field may be; otherwise the refusal is the one of
    /// the first pair that breaks a rule, checked in that order.
    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::Dragon;

        /// The query the specification gives for `pairs`.
        fn specified(pairs: &[(String, String)]) -> Result<DragonQuery, QueryError> {
            for (index, (name, value)) in pairs.iter().enumerate() {
                let parameter = match name.as_str() {
                    "dragonName" => "dragonName",
                    "family" => "family",
                    _ => return Err(QueryError::Unknown(name.chars().take(64).collect())),
                };
                if pairs[..index].iter().any(|(earlier, _)| earlier == name) {
                    return Err(QueryError::Repeated(parameter));
                }
                if value.is_empty() {
                    return Err(QueryError::Empty(parameter));
                }
                if value.chars().count() > max_characters(parameter) {
                    return Err(QueryError::TooLong(parameter));
                }
            }
            let value = |wanted: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| name == wanted)
                    .map(|(_, value)| value.clone())
            };
            Ok(DragonQuery {
                name: value("dragonName"),
                family: value("family"),
            })
        }

        /// The longest value of each parameter: that of the field it matches, as
        /// the request model (the schema generated from [`Dragon`]) says.
        fn max_characters(parameter: &str) -> usize {
            let field = match parameter {
                "dragonName" => "dragon_name_str",
                _ => "family_str",
            };
            let schema = serde_json::to_value(crate::schema::dragon_schema()).unwrap();
            let limit = schema["properties"][field]["maxLength"].as_u64().unwrap();
            usize::try_from(limit).unwrap()
        }

        fn name() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => Just("dragonName".to_owned()),
                4 => Just("family".to_owned()),
                1 => prop::sample::select(vec!["DragonName", "FAMILY", "family ", "name", ""])
                    .prop_map(str::to_owned),
                1 => any::<String>(),
            ]
        }

        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                ".{1,12}",
                "[a-z\u{e9}\u{1F409}]{35,45}",
                "[a-z\u{e9}\u{1F409}]{75,85}",
                any::<String>(),
            ]
        }

        proptest! {
            #[test]
            fn random_pairs_get_the_specified_verdict(
                pairs in prop::collection::vec((name(), value()), 0..5)
            ) {
                let parsed = DragonQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                prop_assert_eq!(parsed, specified(&pairs));
            }

            /// Whatever a valid dragon's name and family are, they can be asked for.
            #[test]
            fn every_valid_name_and_family_can_be_queried(
                name in "[^\u{0}-\u{1F}\u{7F}]{1,80}",
                family in "[^\u{0}-\u{1F}\u{7F}]{1,40}",
            ) {
                let dragon = Dragon {
                    dragon_name_str: name.clone(),
                    family_str: family.clone(),
                    description_str: "d".into(),
                    location_city_str: "c".into(),
                    location_country_str: "k".into(),
                    location_state_str: String::new(),
                    location_neighborhood_str: String::new(),
                };
                let query = DragonQuery::from_pairs([("dragonName", name.as_str()), ("family", family.as_str())]);
                prop_assert_eq!(
                    query.map(|query| query.matches(&dragon.dragon_name_str, &dragon.family_str)),
                    Ok(true)
                );
            }
        }
    }
}
