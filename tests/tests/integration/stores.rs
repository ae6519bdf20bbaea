//! The stores the suites run against, each on moto: the S3 object or the DynamoDB
//! table, holding given data under names of their own, and what a test reads back
//! of them directly (never through the store under test).

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use dragons_contract::{
    DataFormat, Dragon, data_store::DataStore, data_store::table, query_engine::QueryEngine,
};
use dragons_harness::{
    fixtures::{DataSet, clients, record_names, unique_name},
    moto::Moto,
};
use handlers::aws::{AnyStore, AwsClients, DynamoStore, S3Store};
use local_api::local_stack;

/// One store on moto, and how to read it back.
pub struct TestStore {
    /// The store under test (shared with the workflow's tasks).
    pub store: Arc<AnyStore>,
    /// Clients on the same moto.
    pub clients: AwsClients,
    /// The S3 data set (for the S3 store).
    pub data: Option<DataSet>,
    /// The table (for the DynamoDB store).
    pub table: Option<String>,
}

impl TestStore {
    /// A store of `kind` holding the dragons of `lines` (JSON Lines; the S3 store
    /// keeps them as `dragons.jsonl`).
    pub async fn holding(kind: DataStore, moto: &Moto, lines: Vec<u8>) -> Self {
        match kind {
            DataStore::S3 => Self::object(moto, "dragons.jsonl", lines, QueryEngine::Scan).await,
            DataStore::DynamoDb => Self::table(moto, &lines).await,
        }
    }

    /// The S3 store over an object at `key` holding `body`, queried with `engine`.
    pub async fn object(moto: &Moto, key: &str, body: Vec<u8>, engine: QueryEngine) -> Self {
        let clients = clients(&moto.endpoint()).await;
        let data = DataSet::create(&clients, key, body).await.unwrap();
        Self {
            store: Arc::new(AnyStore::S3(S3Store::new(
                clients.clone(),
                data.parameters.clone(),
                engine,
            ))),
            clients,
            data: Some(data),
            table: None,
        }
    }

    /// The DynamoDB store over a fresh table holding the dragons of `lines`.
    async fn table(moto: &Moto, lines: &[u8]) -> Self {
        let clients = clients(&moto.endpoint()).await;
        let table = unique_name("dragons-table");
        let parameter = unique_name("/dragons/table");
        local_stack::table(&clients, &table).await.unwrap();
        local_stack::write_table_parameter(&clients, &parameter, &table)
            .await
            .unwrap();
        let store = DynamoStore::new(&clients, parameter);
        let dragons: Vec<Dragon> = lines
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect();
        store.put_batch(&dragons).await.unwrap();
        Self {
            store: Arc::new(AnyStore::DynamoDb(store)),
            clients,
            data: None,
            table: Some(table),
        }
    }

    /// Every stored dragon's name, read back directly: the object's records in order,
    /// or the table's items (sorted, as a table has no order).
    pub async fn names(&self) -> Vec<String> {
        match (&self.data, &self.table) {
            (Some(data), _) => {
                let (bytes, _) =
                    crate::util::object_and_etag(&self.clients.s3, &data.location).await;
                record_names(&bytes, DataFormat::for_key(&data.location.key)).unwrap()
            }
            (None, Some(table)) => {
                let mut names: Vec<String> = self
                    .items(table)
                    .await
                    .iter()
                    .map(|item| match &item["dragon_name_str"] {
                        AttributeValue::S(name) => name.clone(),
                        other => panic!("a name that is not a string: {other:?}"),
                    })
                    .collect();
                names.sort();
                names
            }
            (None, None) => unreachable!("a test store holds an object or a table"),
        }
    }

    /// What the store holds, to check that nothing changed: the object's ETag, or the
    /// table's items.
    pub async fn snapshot(&self) -> String {
        match (&self.data, &self.table) {
            (Some(data), _) => {
                crate::util::object_and_etag(&self.clients.s3, &data.location)
                    .await
                    .1
            }
            (None, Some(table)) => {
                let mut items: Vec<String> = self
                    .items(table)
                    .await
                    .iter()
                    .map(|item| format!("{:?}", sorted(item)))
                    .collect();
                items.sort();
                items.join("\n")
            }
            (None, None) => unreachable!("a test store holds an object or a table"),
        }
    }

    async fn items(&self, table: &str) -> Vec<std::collections::HashMap<String, AttributeValue>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let answer = self
                .clients
                .dynamodb
                .scan()
                .table_name(table)
                .set_exclusive_start_key(start)
                .send()
                .await
                .unwrap();
            items.extend(answer.items.unwrap_or_default());
            match answer.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return items,
            }
        }
    }

    /// The item with `name_key` (the DynamoDB store).
    pub async fn item(
        &self,
        name_key: &str,
    ) -> Option<std::collections::HashMap<String, AttributeValue>> {
        let table = self.table.as_ref()?;
        self.clients
            .dynamodb
            .get_item()
            .table_name(table)
            .key(table::NAME_KEY, AttributeValue::S(name_key.to_owned()))
            .send()
            .await
            .unwrap()
            .item
    }
}

fn sorted(
    item: &std::collections::HashMap<String, AttributeValue>,
) -> std::collections::BTreeMap<&String, String> {
    item.iter()
        .map(|(name, value)| (name, format!("{value:?}")))
        .collect()
}
