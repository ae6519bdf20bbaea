//! The `GET /dragons` request: optional `dragonName` and `family` filters, a page
//! `limit` and the opaque `nextToken` of the page before, checked strictly.

use crate::{
    dragon::{MAX_FAMILY_CHARS, MAX_NAME_CHARS},
    store::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT},
};

/// The longest `nextToken` accepted, in characters (tokens are ASCII).
pub const MAX_TOKEN_CHARS: usize = 2048;
/// The longest `limit` read, in characters (longer is refused as too long, not parsed).
const MAX_LIMIT_CHARS: usize = 128;

/// The query parameter naming a dragon.
pub const NAME_PARAMETER: &str = "dragonName";
/// The query parameter naming a family.
pub const FAMILY_PARAMETER: &str = "family";
/// The query parameter bounding a page's records.
pub const LIMIT_PARAMETER: &str = "limit";
/// The query parameter carrying the token of the next page.
pub const NEXT_TOKEN_PARAMETER: &str = "nextToken";
/// Every query parameter `GET /dragons` takes.
pub const PARAMETERS: [&str; 4] = [
    NAME_PARAMETER,
    FAMILY_PARAMETER,
    LIMIT_PARAMETER,
    NEXT_TOKEN_PARAMETER,
];

/// Which dragons a walk wants: every given filter must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DragonQuery {
    /// The name, as asked: it matches the dragon whose name has the same name key
    /// ([`crate::name::key`]: NFKC and case folding), as names are unique by it.
    pub name: Option<String>,
    /// The family, as asked: it matches `family_str` exactly (case and spelling
    /// count; no key).
    pub family: Option<String>,
}

/// A [`DragonQuery`] ready to test many records: the wanted name's key made once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryMatcher {
    name_key: Option<String>,
    family: Option<String>,
}

impl QueryMatcher {
    /// The wanted name's key, when a name is wanted.
    pub fn name_key(&self) -> Option<&str> {
        self.name_key.as_deref()
    }

    /// Whether a record with this name and family is wanted.
    pub fn matches(&self, name: &str, family: &str) -> bool {
        self.name_key
            .as_deref()
            .is_none_or(|key| crate::name::has_key(name, key))
            && self.family.as_deref().is_none_or(|wanted| wanted == family)
    }
}

/// One `GET /dragons` request: the filters, the page size and where to resume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    /// The filters.
    pub query: DragonQuery,
    /// At most this many records (1 to [`MAX_PAGE_LIMIT`]).
    pub limit: usize,
    /// The `nextToken` of the page before, as sent.
    pub next_token: Option<String>,
}

/// Why a query string was refused (a 400 for the caller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A parameter `GET /dragons` does not take.
    #[error(
        "unknown query parameter `{0}`: only dragonName, family, limit and nextToken are accepted"
    )]
    Unknown(String),
    /// A parameter given more than once.
    #[error("query parameter `{0}` is given more than once")]
    Repeated(&'static str),
    /// A parameter with an empty value.
    #[error("query parameter `{0}` is empty")]
    Empty(&'static str),
    /// A value longer than its parameter allows ([`max_characters`]); a filter may be
    /// as long as the field it matches.
    #[error("query parameter `{0}` is longer than {max} characters", max = max_characters(.0))]
    TooLong(&'static str),
    /// A `limit` that is not a whole number from 1 to [`MAX_PAGE_LIMIT`].
    #[error("query parameter `limit` must be a whole number from 1 to {MAX_PAGE_LIMIT}")]
    Limit,
}

impl ListRequest {
    /// Builds a request from decoded `(name, value)` pairs, in the order given.
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, QueryError>
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut name = None;
        let mut family = None;
        let mut limit = None;
        let mut next_token = None;
        for (key, value) in pairs {
            let (parameter, slot) = match key.as_ref() {
                NAME_PARAMETER => (NAME_PARAMETER, &mut name),
                FAMILY_PARAMETER => (FAMILY_PARAMETER, &mut family),
                LIMIT_PARAMETER => (LIMIT_PARAMETER, &mut limit),
                NEXT_TOKEN_PARAMETER => (NEXT_TOKEN_PARAMETER, &mut next_token),
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
        let limit = match limit {
            None => DEFAULT_PAGE_LIMIT,
            Some(text) => parse_limit(&text)?,
        };
        Ok(Self {
            query: DragonQuery { name, family },
            limit,
            next_token,
        })
    }
}

/// The longest value `parameter` takes, in characters: a filter as long as the field
/// it matches.
pub fn max_characters(parameter: &str) -> usize {
    match parameter {
        NAME_PARAMETER => MAX_NAME_CHARS,
        FAMILY_PARAMETER => MAX_FAMILY_CHARS,
        LIMIT_PARAMETER => MAX_LIMIT_CHARS,
        _ => MAX_TOKEN_CHARS,
    }
}

/// A limit in ASCII decimal digits only (no sign, no spaces), from 1 to the maximum.
fn parse_limit(text: &str) -> Result<usize, QueryError> {
    if !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(QueryError::Limit);
    }
    match text.parse::<usize>() {
        Ok(limit) if (1..=MAX_PAGE_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(QueryError::Limit),
    }
}

impl DragonQuery {
    /// The query ready to test many records.
    pub fn matcher(&self) -> QueryMatcher {
        QueryMatcher {
            name_key: self.name.as_deref().map(crate::name::key),
            family: self.family.clone(),
        }
    }

    /// Whether a record with this name and family is wanted (for one record; use
    /// [`Self::matcher`] for many).
    pub fn matches(&self, name: &str, family: &str) -> bool {
        self.matcher().matches(name, family)
    }
}

/// An unknown parameter's name as echoed back: at most 64 characters.
fn truncated(name: &str) -> String {
    name.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<ListRequest, QueryError> {
        ListRequest::from_pairs(pairs.iter().map(|(k, v)| (*k, *v)))
    }

    fn filters(pairs: &[(&str, &str)]) -> DragonQuery {
        parse(pairs).unwrap().query
    }

    #[test]
    fn accepts_neither_either_or_both_filters() {
        assert_eq!(filters(&[]), DragonQuery::default());
        let both = filters(&[("family", "red"), ("dragonName", "Atlas")]);
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
            parse(&[("limit", "5"), ("limit", "5")]),
            Err(QueryError::Repeated("limit"))
        );
        assert_eq!(
            parse(&[("dragonName", "")]),
            Err(QueryError::Empty("dragonName"))
        );
        assert_eq!(
            parse(&[("nextToken", "")]),
            Err(QueryError::Empty("nextToken"))
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
        let token = "t".repeat(MAX_TOKEN_CHARS);
        assert_eq!(
            parse(&[("nextToken", &token)]).unwrap().next_token,
            Some(token.clone())
        );
        assert_eq!(
            parse(&[("nextToken", &format!("{token}t"))]),
            Err(QueryError::TooLong("nextToken"))
        );
    }

    #[test]
    fn limit_is_a_whole_number_from_one_to_the_maximum() {
        assert_eq!(parse(&[]).unwrap().limit, DEFAULT_PAGE_LIMIT);
        assert_eq!(parse(&[("limit", "1")]).unwrap().limit, 1);
        assert_eq!(parse(&[("limit", "1000")]).unwrap().limit, 1000);
        assert_eq!(parse(&[("limit", "0042")]).unwrap().limit, 42);
        for bad in [
            "0",
            "1001",
            "-1",
            "+5",
            " 5",
            "5 ",
            "1e3",
            "1.0",
            "abc",
            "99999999999999999999",
            "٣",
        ] {
            assert_eq!(parse(&[("limit", bad)]), Err(QueryError::Limit), "{bad:?}");
        }
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
    fn families_match_exactly_and_names_by_their_key() {
        let query = filters(&[("family", "red")]);
        assert!(query.matches("Atlas", "red"));
        assert!(!query.matches("Atlas", "Red"));
        let both = filters(&[("family", "red"), ("dragonName", "Atlas")]);
        assert!(!both.matches("Bahamut", "red"));
        assert!(DragonQuery::default().matches("any", "thing"));
        let name = filters(&[("dragonName", "HELDOUT name")]);
        for same in ["Heldout Name", "heldout name", "ＨＥＬＤＯＵＴ ＮＡＭＥ"] {
            assert!(name.matches(same, "any"), "{same}");
        }
        for other in ["Heldout Names", "Heldout  Name", "Héldout Name", "Heldout"] {
            assert!(!name.matches(other, "any"), "{other}");
        }
        assert_eq!(name.matcher().name_key(), Some("heldout name"));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::Dragon;

        /// The request the specification gives for `pairs`.
        fn specified(pairs: &[(String, String)]) -> Result<ListRequest, QueryError> {
            for (index, (name, value)) in pairs.iter().enumerate() {
                let parameter = match name.as_str() {
                    "dragonName" => "dragonName",
                    "family" => "family",
                    "limit" => "limit",
                    "nextToken" => "nextToken",
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
            let limit = match value("limit") {
                None => 100,
                Some(text) => match text.parse::<u64>() {
                    Ok(n @ 1..=1000) if text.bytes().all(|b| b.is_ascii_digit()) => n as usize,
                    _ => return Err(QueryError::Limit),
                },
            };
            Ok(ListRequest {
                limit,
                next_token: value("nextToken"),
                query: DragonQuery {
                    name: value("dragonName"),
                    family: value("family"),
                },
            })
        }

        /// The longest value of each parameter: that of the field it matches, as
        /// the request model (the schema generated from [`Dragon`]) says.
        fn max_characters(parameter: &str) -> usize {
            let field = match parameter {
                "dragonName" => "dragon_name_str",
                "family" => "family_str",
                "limit" => return 128,
                _ => return 2048,
            };
            let schema = serde_json::to_value(crate::schema::dragon_schema()).unwrap();
            let limit = schema["properties"][field]["maxLength"].as_u64().unwrap();
            usize::try_from(limit).unwrap()
        }

        fn name() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => Just("dragonName".to_owned()),
                4 => Just("family".to_owned()),
                2 => Just("limit".to_owned()),
                1 => Just("nextToken".to_owned()),
                1 => prop::sample::select(vec!["DragonName", "FAMILY", "family ", "name", ""])
                    .prop_map(str::to_owned),
                1 => any::<String>(),
            ]
        }

        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                ".{1,12}",
                "[0-9+ -]{1,9}",
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
                let parsed = ListRequest::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
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
                let query = ListRequest::from_pairs([("dragonName", name.as_str()), ("family", family.as_str())]);
                prop_assert_eq!(
                    query.map(|request| request.query.matches(&dragon.dragon_name_str, &dragon.family_str)),
                    Ok(true)
                );
            }
        }
    }
}
