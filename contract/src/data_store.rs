//! Where a stack keeps its dragons: the seed's S3 object, or a DynamoDB table. The
//! stack's `DataStore` parameter and the Lambdas' `DRAGONS_DATA_STORE` name one.

use std::{fmt, str::FromStr};

/// A kind of store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataStore {
    /// One S3 object (JSON Lines or an array document): the seed's design.
    #[default]
    S3,
    /// A DynamoDB table keyed by the name key, with an index on the family.
    DynamoDb,
}

/// `DRAGONS_DATA_STORE` holds a name that is not a store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown data store `{0}`: expected s3 or dynamodb")]
pub struct UnknownStore(String);

impl DataStore {
    /// Every store, the default first.
    pub const ALL: [Self; 2] = [Self::S3, Self::DynamoDb];

    /// The store's name in `DRAGONS_DATA_STORE` and the stack's `DataStore` parameter.
    pub fn name(self) -> &'static str {
        match self {
            Self::S3 => "s3",
            Self::DynamoDb => "dynamodb",
        }
    }
}

impl FromStr for DataStore {
    type Err = UnknownStore;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|store| store.name() == name)
            .ok_or_else(|| UnknownStore(name.to_owned()))
    }
}

impl fmt::Display for DataStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The DynamoDB table's layout: what the template creates and the store reads.
pub mod table {
    /// The partition key: the dragon's name key.
    pub const NAME_KEY: &str = "name_key";
    /// The attribute recording which report (execution) added the item; not part of
    /// the API's answer.
    pub const REPORT_ID: &str = "report_id";
    /// The global secondary index on the family, sorted by the name key.
    pub const FAMILY_INDEX: &str = "family-index";
    /// The index's partition key: the family, as stored (the record's own field).
    pub const FAMILY: &str = crate::dragon::fields::FAMILY;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_parse_from_their_names_and_print_back() {
        for store in DataStore::ALL {
            assert_eq!(store.name().parse::<DataStore>(), Ok(store));
            assert_eq!(store.to_string(), store.name());
        }
        assert_eq!(DataStore::ALL[0], DataStore::default());
        assert!("S3".parse::<DataStore>().is_err());
        assert!("dynamo".parse::<DataStore>().is_err());
    }
}
