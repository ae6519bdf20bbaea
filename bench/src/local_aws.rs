//! The local AWS the benchmarks query: one moto server, the SDK clients the
//! handler uses, data sets (bucket, object, the two SSM parameters), and the
//! environment a child process needs to reach them.

use std::path::Path;

use anyhow::Context;
use aws_sdk_s3::primitives::ByteStream;
use dragons_contract::names;
use dragons_harness::{
    fixtures::{self, DataSet},
    moto::Moto,
};
use handlers::aws::AwsClients;

/// The key of every data object: JSON Lines, the form S3 Select (and moto) handle.
pub const DATA_KEY: &str = names::DEFAULT_DATA_KEY;

/// A running moto and clients pointed at it.
pub struct LocalAws {
    /// The server (stopped on drop).
    moto: Moto,
    /// The clients the handler uses.
    pub clients: AwsClients,
}

impl LocalAws {
    /// Starts moto (from `scripts/install-tools`) and builds the clients.
    pub async fn start() -> anyhow::Result<Self> {
        let moto = Moto::start().context("starting moto")?;
        let clients = fixtures::clients(&moto.endpoint()).await;
        Ok(Self { moto, clients })
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

    /// The environment a child process (a Lambda binary or a Python peer) needs to
    /// query `data` on this moto: endpoint, region, moto's dummy static
    /// credentials (accepted by moto, valid nowhere else) and the parameter names.
    pub fn child_env(&self, data: &DataSet) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", fixtures::REGION.to_owned()),
            ("AWS_DEFAULT_REGION", fixtures::REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", "moto".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "moto".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            (names::ENV_BUCKET_PARAMETER, data.parameters.bucket.clone()),
            (names::ENV_FILE_PARAMETER, data.parameters.file.clone()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }
}
