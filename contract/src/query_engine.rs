//! How `GET /dragons` queries the S3 data object: the engines `DRAGONS_QUERY_ENGINE`
//! and the stack's `QueryEngine` parameter name.

use std::{fmt, str::FromStr};

/// How the store runs a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueryEngine {
    /// S3 Select, and scan from then on once S3 answers that Select is closed.
    #[default]
    Auto,
    /// S3 Select only.
    S3Select,
    /// GetObject and the streaming filter in the Lambda.
    Scan,
}

/// `DRAGONS_QUERY_ENGINE` holds a name that is not an engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown query engine `{0}`: expected one of auto, s3-select, scan")]
pub struct UnknownEngine(String);

impl QueryEngine {
    /// Every engine, the default first.
    pub const ALL: [Self; 3] = [Self::Auto, Self::S3Select, Self::Scan];

    /// The engine's name in `DRAGONS_QUERY_ENGINE` and the stack's `QueryEngine` parameter.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::S3Select => "s3-select",
            Self::Scan => "scan",
        }
    }
}

impl FromStr for QueryEngine {
    type Err = UnknownEngine;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|engine| engine.name() == name)
            .ok_or_else(|| UnknownEngine(name.to_owned()))
    }
}

impl fmt::Display for QueryEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_parse_from_their_names_and_print_back() {
        for engine in QueryEngine::ALL {
            assert_eq!(engine.name().parse::<QueryEngine>(), Ok(engine));
            assert_eq!(engine.to_string(), engine.name());
        }
        assert_eq!("scan".parse(), Ok(QueryEngine::Scan));
        assert_eq!("s3-select".parse(), Ok(QueryEngine::S3Select));
        assert_eq!(QueryEngine::ALL[0], QueryEngine::default());
        assert_eq!(QueryEngine::default(), QueryEngine::Auto);
        assert!("Scan".parse::<QueryEngine>().is_err());
        assert!("select".parse::<QueryEngine>().is_err());
    }
}
