//! The local AWS the benchmarks query: one moto server (plain HTTP, or HTTPS with
//! a local CA), the SDK clients the handler uses, data sets (bucket, object, the
//! two SSM parameters, and the object's names index where adds are measured; or a
//! table and its parameter), and the environment a child process needs to reach
//! them.

use std::path::Path;

use anyhow::Context;
use aws_sdk_s3::config::RequestChecksumCalculation;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::{
    Builder,
    tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode},
};
use dragons_contract::names;
use dragons_contract::{DataFormat, Dragon, data_store::DataStore};
use dragons_harness::fixtures::unique_name;
use dragons_harness::{
    fixtures::{self, DataSet},
    moto::Moto,
};
use dragons_ops::names_index::put_indexed;
use handlers::{
    aws::{AwsClients, DynamoStore},
    domain::name_index::BaseIndex,
};
use local_api::local_stack;

use crate::tls::LocalCa;

/// The key of every data object: JSON Lines, the form S3 Select (and moto) handle.
pub const DATA_KEY: &str = names::DEFAULT_DATA_KEY;

/// A running moto and clients pointed at it.
pub struct LocalAws {
    /// The server (stopped on drop).
    moto: Moto,
    /// The clients the handler uses.
    pub clients: AwsClients,
    /// The CA moto's certificate comes from, when it serves HTTPS.
    ca: Option<LocalCa>,
}

/// A DynamoDB table as the stack makes it, and the SSM parameter naming it.
#[derive(Debug, Clone)]
pub struct TableSet {
    /// The parameter (for `DRAGON_DATA_TABLE_PARAMETER`).
    pub parameter: String,
    /// The table's name.
    pub table: String,
}

impl LocalAws {
    /// Starts moto (from `scripts/install-tools`) and builds the clients.
    pub async fn start() -> anyhow::Result<Self> {
        let moto = Moto::start().context("starting moto")?;
        let clients = fixtures::clients(&moto.endpoint()).await;
        Ok(Self {
            moto,
            clients,
            ca: None,
        })
    }

    /// Starts moto serving HTTPS with a fresh local CA's `localhost` certificate;
    /// the clients here trust that CA, and children get it through `SSL_CERT_FILE`.
    ///
    /// Here and in the children, request checksums are sent only where an operation
    /// requires one (`AWS_REQUEST_CHECKSUM_CALCULATION=when_required`, an SDK setting),
    /// so a streamed PutObject goes as a plain body with its length instead of
    /// `aws-chunked` with a CRC32 trailer: moto decodes aws-chunked bodies by
    /// concatenating each chunk onto the whole (`_handle_encoded_body`), quadratic
    /// in the object's size, so a 353 MB upload did not finish in 9 minutes. S3
    /// itself takes either; the checksum is a CRC32 of what is sent.
    pub async fn start_tls() -> anyhow::Result<Self> {
        let ca = LocalCa::create()?;
        let moto = Moto::start_tls(&ca.cert(), &ca.key()).context("starting moto over TLS")?;
        let trust = TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(ca.ca_pem()?);
        let http = Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(TlsContext::builder().with_trust_store(trust).build()?)
            .build_https();
        let config = fixtures::sdk_config_over(&moto.endpoint(), http)
            .await
            .to_builder()
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .build();
        Ok(Self {
            moto,
            clients: AwsClients::from_config(&config),
            ca: Some(ca),
        })
    }

    /// The endpoint for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        self.moto.endpoint()
    }

    /// A data set holding `body` at [`DATA_KEY`].
    pub async fn data_set(&self, body: Vec<u8>) -> anyhow::Result<DataSet> {
        Ok(DataSet::create(&self.clients, DATA_KEY, body).await?)
    }

    /// A data set holding the file at `path`, streamed from disk.
    pub async fn data_set_from_file(&self, path: &Path) -> anyhow::Result<DataSet> {
        let data = DataSet::create(&self.clients, DATA_KEY, Vec::new()).await?;
        let body = ByteStream::from_path(path)
            .await
            .with_context(|| format!("reading {}", path.display()))?;
        self.clients
            .s3
            .put_object()
            .bucket(&data.location.bucket)
            .key(&data.location.key)
            .body(body)
            .send()
            .await
            .context("uploading the data object to moto")?;
        Ok(data)
    }

    /// A data set holding the file at `path` (`records` records) at `key`, loaded as
    /// `upload-data` loads data: the names index of `names` (every record's name)
    /// first, then the object naming it. Streamed from disk.
    pub async fn indexed_data_set_from_file(
        &self,
        path: &Path,
        key: &str,
        records: usize,
        names: impl Iterator<Item = String>,
    ) -> anyhow::Result<DataSet> {
        let data = DataSet::create(&self.clients, key, Vec::new()).await?;
        let mut index = BaseIndex::for_records(records);
        for name in names {
            index.push(&name);
        }
        let body = ByteStream::from_path(path)
            .await
            .with_context(|| format!("reading {}", path.display()))?;
        put_indexed(
            &self.clients.s3,
            &data.location,
            index,
            body,
            DataFormat::for_key(key).content_type(),
        )
        .await
        .context("loading the data object and its names index into moto")?;
        Ok(data)
    }

    /// A fresh table with its index, loaded with `dragons` by BatchWriteItem
    /// (`writers` batches of 1,000 in flight), and its parameter.
    pub async fn table_set(
        &self,
        dragons: impl Iterator<Item = Dragon>,
        writers: usize,
    ) -> anyhow::Result<TableSet> {
        let set = TableSet {
            parameter: unique_name("/dragons/table"),
            table: unique_name("dragons-table"),
        };
        local_stack::table(&self.clients, &set.table).await?;
        local_stack::write_table_parameter(&self.clients, &set.parameter, &set.table).await?;
        let store = std::sync::Arc::new(
            DynamoStore::new(&self.clients, set.parameter.clone())
                .with_table_ttl(std::time::Duration::from_secs(3600)),
        );
        let mut dragons = dragons.peekable();
        let mut loading = tokio::task::JoinSet::new();
        while dragons.peek().is_some() {
            while loading.len() >= writers.max(1) {
                if let Some(done) = loading.join_next().await {
                    done??;
                }
            }
            let batch: Vec<Dragon> = dragons.by_ref().take(1000).collect();
            let store = store.clone();
            loading.spawn(async move { store.put_batch(&batch).await });
        }
        while let Some(done) = loading.join_next().await {
            done??;
        }
        Ok(set)
    }

    /// [`Self::child_env`] for the DynamoDB store over `table` (the S3 parameters
    /// still name `data`, as in a stack that moved to the table).
    pub fn table_env(&self, data: &DataSet, table: &TableSet) -> Vec<(String, String)> {
        let mut env = self.child_env(data);
        env.push((
            names::ENV_DATA_STORE.to_owned(),
            DataStore::DynamoDb.to_string(),
        ));
        env.push((
            names::ENV_TABLE_PARAMETER.to_owned(),
            table.parameter.clone(),
        ));
        env
    }

    /// The environment a child process (a Lambda binary or a Python peer) needs to
    /// query `data` on this moto: endpoint, region, moto's dummy static
    /// credentials (accepted by moto, valid nowhere else), the parameter names, and
    /// over TLS the CA bundle (`SSL_CERT_FILE`).
    pub fn child_env(&self, data: &DataSet) -> Vec<(String, String)> {
        let ca = self
            .ca
            .as_ref()
            .map(|ca| ("SSL_CERT_FILE", ca.bundle().display().to_string()));
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", fixtures::REGION.to_owned()),
            ("AWS_DEFAULT_REGION", fixtures::REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", "moto".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "moto".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            // See `start_tls`: no aws-chunked uploads, which moto decodes in quadratic time.
            (
                "AWS_REQUEST_CHECKSUM_CALCULATION",
                "when_required".to_owned(),
            ),
            (names::ENV_BUCKET_PARAMETER, data.parameters.bucket.clone()),
            (names::ENV_FILE_PARAMETER, data.parameters.file.clone()),
        ]
        .into_iter()
        .chain(ca)
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }
}
