//! The `GET /dragons` request: optional `dragonName` and `family` filters, a page
//! `limit` and the opaque `nextToken` of the page before, checked strictly.

use crate::store::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};

/// The longest value a filter parameter may have, in bytes.
pub const MAX_VALUE_BYTES: usize = 128;
/// The longest `nextToken` accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 2048;

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
    /// Exact `dragon_name_str`, when given.
    pub name: Option<String>,
    /// Exact `family_str`, when given.
    pub family: Option<String>,
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
    /// A value longer than its parameter allows.
    #[error("query parameter `{0}` is longer than {1} bytes")]
    TooLong(&'static str, usize),
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
            let (parameter, slot, most) = match key.as_ref() {
                NAME_PARAMETER => (NAME_PARAMETER, &mut name, MAX_VALUE_BYTES),
                FAMILY_PARAMETER => (FAMILY_PARAMETER, &mut family, MAX_VALUE_BYTES),
                LIMIT_PARAMETER => (LIMIT_PARAMETER, &mut limit, MAX_VALUE_BYTES),
                NEXT_TOKEN_PARAMETER => (NEXT_TOKEN_PARAMETER, &mut next_token, MAX_TOKEN_BYTES),
                other => return Err(QueryError::Unknown(truncated(other))),
            };
            if slot.is_some() {
                return Err(QueryError::Repeated(parameter));
            }
            let value = value.into();
            if value.is_empty() {
                return Err(QueryError::Empty(parameter));
            }
            if value.len() > most {
                return Err(QueryError::TooLong(parameter, most));
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

/// A limit in ASCII decimal digits only (no sign, no spaces), from 1 to the maximum.
fn parse_limit(text: &str) -> Result<usize, QueryError> {
    if text.len() > 4 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(QueryError::Limit);
    }
    match text.parse::<usize>() {
        Ok(limit) if (1..=MAX_PAGE_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(QueryError::Limit),
    }
}

impl DragonQuery {
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
        let long = "é".repeat(65);
        assert_eq!(
            parse(&[("family", &long)]),
            Err(QueryError::TooLong("family", MAX_VALUE_BYTES))
        );
        assert!(parse(&[("family", &"a".repeat(128))]).is_ok());
        let token = "t".repeat(MAX_TOKEN_BYTES);
        assert_eq!(
            parse(&[("nextToken", &token)]).unwrap().next_token,
            Some(token.clone())
        );
        assert_eq!(
            parse(&[("nextToken", &format!("{token}t"))]),
            Err(QueryError::TooLong("nextToken", MAX_TOKEN_BYTES))
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
    fn matching_is_exact_and_keeps_case() {
        let query = filters(&[("family", "red")]);
        assert!(query.matches("Atlas", "red"));
        assert!(!query.matches("Atlas", "Red"));
        let both = filters(&[("family", "red"), ("dragonName", "Atlas")]);
        assert!(!both.matches("Bahamut", "red"));
        assert!(DragonQuery::default().matches("any", "thing"));
    }
}
