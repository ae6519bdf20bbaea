//! `DynamoStore`: the store contract over a DynamoDB table whose name an SSM
//! parameter holds. An item is a dragon keyed by its name key, with the report that
//! added it; a global secondary index on the family, sorted by the name key, serves
//! family queries.
//!
//! - GET by name: one GetItem (then the family filter, if given);
//! - by family: a Query on the index; all: a Scan; each page asks for what it still
//!   needs plus one (so a last page has no next one) and resumes after the key of the
//!   last record it served;
//! - add: one conditional PutItem (`attribute_not_exists(name_key) OR report_id =
//!   :report`), never a read of other records; the same report's retry finds its own
//!   item and is told so.

use std::{collections::HashMap, time::Duration};

use aws_sdk_dynamodb::{
    Client,
    error::SdkError,
    operation::{
        get_item::GetItemError, put_item::PutItemError, query::QueryError, scan::ScanError,
    },
    types::{AttributeValue, KeysAndAttributes, ReturnValue, ReturnValuesOnConditionCheckFailure},
};
use aws_sdk_ssm::{error::SdkError as SsmError, operation::get_parameter::GetParameterError};
use dragons_contract::{
    Dragon, DragonQuery, ReportRef,
    data_store::table,
    name,
    names::{DEFAULT_TABLE_PARAMETER, ENV_TABLE_PARAMETER},
    page::{Cursor, Page, PageBuilder},
    store::{AddError, Added, DragonReader, DragonWriter, PageError, PageRequest, StoreError},
};
use serde::{Deserialize, Serialize};

use super::{clients::AwsClients, kept::Kept, sdk_error::is_transient};

/// An item as DynamoDB holds it.
type Item = HashMap<String, AttributeValue>;

/// The longest key a cursor may name (DynamoDB's limit on a partition key).
const MAX_KEY_BYTES: usize = 2048;

/// Why the table could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DynamoError {
    /// The table's name could not be read from SSM.
    #[error("reading the table's name from SSM parameter `{parameter}` failed")]
    TableName {
        /// The parameter.
        parameter: String,
        /// The cause.
        #[source]
        source: Box<SsmError<GetParameterError>>,
    },
    /// The SSM parameter holds no table name.
    #[error("SSM parameter `{0}` holds no table name")]
    NoTableName(String),
    /// GetItem failed.
    #[error("DynamoDB GetItem failed")]
    Get(#[source] Box<SdkError<GetItemError>>),
    /// Query failed.
    #[error("DynamoDB Query failed")]
    Query(#[source] Box<SdkError<QueryError>>),
    /// Scan failed.
    #[error("DynamoDB Scan failed")]
    Scan(#[source] Box<SdkError<ScanError>>),
    /// PutItem failed for a reason other than a taken name.
    #[error("DynamoDB PutItem failed")]
    Put(#[source] Box<SdkError<PutItemError>>),
    /// An item is not a dragon, or a dragon does not make an item.
    #[error("an item does not map to a dragon: {0}")]
    Mapping(String),
}

impl DynamoError {
    /// Whether DynamoDB or SSM was unreachable, slow or throttling.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::TableName { source, .. } => is_transient(source),
            Self::Get(error) => is_transient(error),
            Self::Query(error) => is_transient(error),
            Self::Scan(error) => is_transient(error),
            Self::Put(error) => is_transient(error),
            Self::NoTableName(_) | Self::Mapping(_) => false,
        }
    }
}

impl From<DynamoError> for StoreError {
    fn from(error: DynamoError) -> Self {
        Self::classified(error.is_transient(), error)
    }
}

impl From<DynamoError> for PageError {
    fn from(error: DynamoError) -> Self {
        Self::Store(error.into())
    }
}

impl From<DynamoError> for AddError {
    fn from(error: DynamoError) -> Self {
        Self::Store(error.into())
    }
}

/// Where a walk over the table resumes: after the item with this name key (and, on
/// the index, this family).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TableCursor {
    #[serde(rename = "k")]
    key: String,
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    family: Option<String>,
}

/// The item for `dragon`, added by `report`.
pub fn item(dragon: &Dragon, report: Option<&str>) -> Result<Item, DynamoError> {
    let mut item: Item =
        serde_dynamo::to_item(dragon).map_err(|error| DynamoError::Mapping(error.to_string()))?;
    item.insert(
        table::NAME_KEY.to_owned(),
        AttributeValue::S(name::key(&dragon.dragon_name_str)),
    );
    if let Some(report) = report {
        item.insert(
            table::REPORT_ID.to_owned(),
            AttributeValue::S(report.to_owned()),
        );
    }
    Ok(item)
}

/// The dragon an item holds (its key and writer left aside).
pub fn dragon(mut item: Item) -> Result<Dragon, DynamoError> {
    item.remove(table::NAME_KEY);
    item.remove(table::REPORT_ID);
    serde_dynamo::from_item(item).map_err(|error| DynamoError::Mapping(error.to_string()))
}

fn key_of(name_key: &str) -> Item {
    HashMap::from([(
        table::NAME_KEY.to_owned(),
        AttributeValue::S(name_key.to_owned()),
    )])
}

/// The dragons in a DynamoDB table. Build it once per container.
#[derive(Debug)]
pub struct DynamoStore {
    client: Client,
    ssm: aws_sdk_ssm::Client,
    parameter: String,
    table: Kept<String>,
}

/// The SSM parameter naming the table: `DRAGON_DATA_TABLE_PARAMETER`, or the default.
pub fn table_parameter_from_env() -> String {
    std::env::var(ENV_TABLE_PARAMETER)
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_TABLE_PARAMETER.to_owned())
}

impl DynamoStore {
    /// A store over the table whose name the SSM parameter `parameter` holds, read on
    /// every call (see [`Self::with_table_ttl`]).
    pub fn new(clients: &AwsClients, parameter: impl Into<String>) -> Self {
        Self {
            client: clients.dynamodb.clone(),
            ssm: clients.ssm.clone(),
            parameter: parameter.into(),
            table: Kept::new(Duration::ZERO),
        }
    }

    /// Keeps the table's name read from SSM for `ttl`.
    #[must_use]
    pub fn with_table_ttl(mut self, ttl: Duration) -> Self {
        self.table = Kept::new(ttl);
        self
    }

    /// The table's name.
    pub async fn table(&self) -> Result<String, DynamoError> {
        self.table
            .get(|| async {
                let answer = self
                    .ssm
                    .get_parameter()
                    .name(&self.parameter)
                    .send()
                    .await
                    .map_err(|source| DynamoError::TableName {
                        parameter: self.parameter.clone(),
                        source: Box::new(source),
                    })?;
                answer
                    .parameter()
                    .and_then(|parameter| parameter.value())
                    .filter(|value| !value.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| DynamoError::NoTableName(self.parameter.clone()))
            })
            .await
    }

    /// The item with `name_key`, if any.
    async fn get(&self, table: &str, name_key: &str) -> Result<Option<Item>, DynamoError> {
        self.client
            .get_item()
            .table_name(table)
            .set_key(Some(key_of(name_key)))
            .send()
            .await
            .map(|answer| answer.item)
            .map_err(|error| DynamoError::Get(Box::new(error)))
    }

    /// Up to `limit` items of the walk's next stretch after `after`, and the key
    /// DynamoDB would go on after (`None`: the walk is at its end).
    async fn stretch(
        &self,
        table: &str,
        family: Option<&str>,
        limit: usize,
        after: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), DynamoError> {
        let limit = i32::try_from(limit).unwrap_or(i32::MAX);
        match family {
            Some(family) => {
                let answer = self
                    .client
                    .query()
                    .table_name(table)
                    .index_name(table::FAMILY_INDEX)
                    .key_condition_expression("#family = :family")
                    .expression_attribute_names("#family", table::FAMILY)
                    .expression_attribute_values(":family", AttributeValue::S(family.to_owned()))
                    .limit(limit)
                    .set_exclusive_start_key(after)
                    .send()
                    .await
                    .map_err(|error| DynamoError::Query(Box::new(error)))?;
                Ok((answer.items.unwrap_or_default(), answer.last_evaluated_key))
            }
            None => {
                let answer = self
                    .client
                    .scan()
                    .table_name(table)
                    .limit(limit)
                    .set_exclusive_start_key(after)
                    .send()
                    .await
                    .map_err(|error| DynamoError::Scan(Box::new(error)))?;
                Ok((answer.items.unwrap_or_default(), answer.last_evaluated_key))
            }
        }
    }

    /// The key DynamoDB resumes after, for an item of the walk.
    fn start_key(name_key: &str, family: Option<&str>) -> Item {
        let mut key = key_of(name_key);
        if let Some(family) = family {
            key.insert(
                table::FAMILY.to_owned(),
                AttributeValue::S(family.to_owned()),
            );
        }
        key
    }

    /// Writes `dragons` as new items (no report): for loading and migrating data, in
    /// batches of 25, retrying what DynamoDB leaves unprocessed.
    pub async fn put_batch(&self, dragons: &[Dragon]) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let table = self.table().await?;
        for batch in dragons.chunks(25) {
            let mut requests = batch
                .iter()
                .map(|dragon| {
                    let put = PutRequest::builder()
                        .set_item(Some(item(dragon, None)?))
                        .build()
                        .map_err(|error| DynamoError::Mapping(error.to_string()))?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<Vec<_>, DynamoError>>()?;
            let mut pause = Duration::from_millis(50);
            while !requests.is_empty() {
                let answer = self
                    .client
                    .batch_write_item()
                    .request_items(&table, requests)
                    .send()
                    .await
                    .map_err(|error| StoreError::classified(is_transient(&error), error))?;
                requests = answer
                    .unprocessed_items
                    .and_then(|mut left| left.remove(&table))
                    .unwrap_or_default();
                if !requests.is_empty() {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
        Ok(())
    }
}

/// What [`DynamoStore::insert_absent`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// The table had no dragon of that name: it has this one now.
    New,
    /// The table already held this very dragon (a copy made before).
    AlreadyThere,
    /// The table holds another dragon of that name, left as it is.
    Conflict(Box<Dragon>),
}

/// The most keys one BatchGetItem may ask for.
const BATCH_GET_KEYS: usize = 100;

impl DynamoStore {
    /// Writes `wanted` only if the table has no dragon of its name (one conditional
    /// PutItem that returns the item it found): for copying data in without ever
    /// replacing a dragon a report added.
    pub async fn insert_absent(&self, wanted: &Dragon) -> Result<Inserted, StoreError> {
        let table = self.table().await?;
        let answer = self
            .client
            .put_item()
            .table_name(&table)
            .set_item(Some(item(wanted, None)?))
            .condition_expression("attribute_not_exists(#key)")
            .expression_attribute_names("#key", table::NAME_KEY)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match answer {
            Ok(_) => Ok(Inserted::New),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let found = failed.item().cloned().ok_or_else(|| {
                        DynamoError::Mapping("no item came with the failed check".into())
                    })?;
                    let found = dragon(found)?;
                    Ok(if found == *wanted {
                        Inserted::AlreadyThere
                    } else {
                        Inserted::Conflict(Box::new(found))
                    })
                }
                _ => Err(DynamoError::Put(Box::new(error)).into()),
            },
        }
    }

    /// The dragons the table holds under `name_keys`, by name key (strongly
    /// consistent reads, in batches of 100, retrying what DynamoDB leaves unprocessed).
    pub async fn get_many(
        &self,
        name_keys: &[String],
    ) -> Result<HashMap<String, Dragon>, StoreError> {
        let table = self.table().await?;
        let mut found = HashMap::new();
        for batch in name_keys.chunks(BATCH_GET_KEYS) {
            let mut unique: Vec<&String> = batch.iter().collect();
            unique.sort();
            unique.dedup();
            let keys = unique.into_iter().map(|key| key_of(key)).collect();
            let mut wanted = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .map_err(|error| DynamoError::Mapping(error.to_string()))?,
            );
            let mut pause = Duration::from_millis(50);
            while let Some(keys) = wanted.take() {
                let answer = self
                    .client
                    .batch_get_item()
                    .request_items(&table, keys)
                    .send()
                    .await
                    .map_err(|error| StoreError::classified(is_transient(&error), error))?;
                for item in answer
                    .responses
                    .and_then(|mut responses| responses.remove(&table))
                    .unwrap_or_default()
                {
                    let key = match item.get(table::NAME_KEY) {
                        Some(AttributeValue::S(key)) => key.clone(),
                        _ => {
                            return Err(
                                DynamoError::Mapping("an item has no name key".into()).into()
                            );
                        }
                    };
                    found.insert(key, dragon(item)?);
                }
                wanted = answer
                    .unprocessed_keys
                    .and_then(|mut left| left.remove(&table))
                    .filter(|left| !left.keys().is_empty());
                if wanted.is_some() {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
        Ok(found)
    }
}

impl DragonReader for DynamoStore {
    async fn page(&self, request: PageRequest<'_>) -> Result<Page, PageError> {
        let query: &DragonQuery = request.query;
        let after = match request.after {
            None => None,
            Some(cursor) => {
                let cursor: TableCursor = serde_json::from_slice(&cursor.0)
                    .map_err(|_| PageError::Cursor("it is not a cursor of this store"))?;
                if cursor.family != query.family
                    || cursor.key.len() > MAX_KEY_BYTES
                    || query.name.is_some()
                {
                    return Err(PageError::Cursor("it does not continue this walk"));
                }
                Some(cursor)
            }
        };
        let table = self.table().await?;
        let mut page = PageBuilder::new(request.limit);
        if let Some(wanted) = &query.name {
            if let Some(item) = self.get(&table, &name::key(wanted)).await? {
                let dragon = dragon(item)?;
                if query.matches(&dragon.dragon_name_str, &dragon.family_str) {
                    page.push(&record(&dragon)?);
                }
            }
            return Ok(page.finish(None));
        }
        let family = query.family.as_deref();
        let mut start = after.map(|cursor| Self::start_key(&cursor.key, family));
        let mut last: Option<String> = None;
        loop {
            // One more than the page still needs: it tells whether a next page exists.
            let want = request.limit - page.count() + 1;
            let (items, resume) = self.stretch(&table, family, want, start.take()).await?;
            for item in items {
                let key = match item.get(table::NAME_KEY) {
                    Some(AttributeValue::S(key)) => key.clone(),
                    _ => return Err(DynamoError::Mapping("an item has no name key".into()).into()),
                };
                let dragon = dragon(item)?;
                if !page.push(&record(&dragon)?) {
                    let next = last.map(|key| TableCursor {
                        key,
                        family: query.family.clone(),
                    });
                    return Ok(page.finish(next.map(|cursor| encode(&cursor))));
                }
                last = Some(key);
            }
            // Every item of the stretch was served: go on where DynamoDB stopped.
            match resume {
                Some(resume) => start = Some(resume),
                None => return Ok(page.finish(None)),
            }
        }
    }
}

fn record(dragon: &Dragon) -> Result<Vec<u8>, DynamoError> {
    serde_json::to_vec(dragon).map_err(|error| DynamoError::Mapping(error.to_string()))
}

fn encode(cursor: &TableCursor) -> Cursor {
    // A cursor of two strings always serializes.
    Cursor(serde_json::to_vec(cursor).unwrap_or_default())
}

impl DragonWriter for DynamoStore {
    async fn is_name_taken(&self, wanted: &str) -> Result<bool, StoreError> {
        let table = self.table().await?;
        Ok(self.get(&table, &name::key(wanted)).await?.is_some())
    }

    async fn add(&self, dragon: &Dragon, report: &ReportRef) -> Result<Added, AddError> {
        let table = self.table().await?;
        let answer = self
            .client
            .put_item()
            .table_name(&table)
            .set_item(Some(item(dragon, Some(&report.id))?))
            .condition_expression("attribute_not_exists(#key) OR #report = :report")
            .expression_attribute_names("#key", table::NAME_KEY)
            .expression_attribute_names("#report", table::REPORT_ID)
            .expression_attribute_values(":report", AttributeValue::S(report.id.clone()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match answer {
            // An old item passed the condition only if this report had written it.
            Ok(answer) => Ok(Added {
                attempts: 1,
                replayed: answer.attributes.is_some_and(|old| !old.is_empty()),
            }),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(PutItemError::is_conditional_check_failed_exception) =>
            {
                Err(AddError::NameTaken(dragon.dragon_name_str.clone()))
            }
            Err(error) => Err(DynamoError::Put(Box::new(error)).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atlas() -> Dragon {
        Dragon {
            dragon_name_str: "Ａｔｌａｓ".into(),
            family_str: "red".into(),
            description_str: "Says \"hi\"\nand leaves.".into(),
            location_city_str: "Kraków".into(),
            location_country_str: "poland".into(),
            location_state_str: String::new(),
            location_neighborhood_str: String::new(),
        }
    }

    #[test]
    fn a_dragon_and_its_item_map_both_ways() {
        let item = item(&atlas(), Some("execution-1")).unwrap();
        assert_eq!(item[table::NAME_KEY], AttributeValue::S("atlas".into()));
        assert_eq!(
            item[table::REPORT_ID],
            AttributeValue::S("execution-1".into())
        );
        assert_eq!(item["family_str"], AttributeValue::S("red".into()));
        assert_eq!(item.len(), 9);
        assert_eq!(dragon(item).unwrap(), atlas());
        let mut odd = super::item(&atlas(), None).unwrap();
        odd.insert("colour".into(), AttributeValue::S("red".into()));
        assert!(dragon(odd).is_err(), "an unknown attribute is not a dragon");
    }

    #[test]
    fn cursors_are_compact_json_of_the_key_and_family() {
        let cursor = TableCursor {
            key: "atlas".into(),
            family: Some("red".into()),
        };
        assert_eq!(encode(&cursor).0, br#"{"k":"atlas","f":"red"}"#);
        let all = TableCursor {
            key: "atlas".into(),
            family: None,
        };
        assert_eq!(encode(&all).0, br#"{"k":"atlas"}"#);
    }
}
