//! Fixtures on a local moto: SDK clients pointed at it, and data sets (a bucket, an
//! object and the two SSM parameters naming them) and notification subscribers
//! under names unique to each test, so tests can share one server. They are made
//! with local-api's `local_stack`, as `local-api seed` makes the stack's own.

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::{
    config::{Credentials, SharedHttpClient},
    primitives::ByteStream,
};
use dragons_contract::DataFormat;
use handlers::aws::{AwsClients, DataLocation, ParameterNames, clients::https_client};
use local_api::local_stack::{self, Inbox};
pub use local_api::local_stack::{Notification, SetupError};

/// The region every fixture lives in.
pub const REGION: &str = "us-east-1";

/// SDK configuration for the server at `endpoint`: region `us-east-1` and static
/// dummy credentials, which moto accepts and which are not valid anywhere else.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    sdk_config_over(endpoint, https_client()).await
}

/// [`sdk_config`] over another HTTP client (e.g. one trusting a local CA).
pub async fn sdk_config_over(endpoint: &str, http_client: SharedHttpClient) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("moto", "moto", None, None, "moto-fixture"))
        .load()
        .await
}

/// The clients the handlers use, pointed at the server at `endpoint`.
pub async fn clients(endpoint: &str) -> AwsClients {
    AwsClients::from_config(&sdk_config(endpoint).await)
}

/// A name no other fixture in this process has: `prefix-<pid>-<n>`.
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A bucket holding one data object, and the SSM parameters that name them.
#[derive(Debug, Clone)]
pub struct DataSet {
    /// The parameter names to hand to a store.
    pub parameters: ParameterNames,
    /// Where the object is.
    pub location: DataLocation,
}

impl DataSet {
    /// Creates a fresh bucket, puts `body` at `key`, and writes both parameters.
    pub async fn create(
        clients: &AwsClients,
        key: &str,
        body: impl Into<ByteStream>,
    ) -> Result<Self, SetupError> {
        let prefix = unique_name("/dragons");
        let data = Self {
            parameters: ParameterNames {
                bucket: format!("{prefix}/dragon_data_bucket_name"),
                file: format!("{prefix}/dragon_data_file_name"),
            },
            location: DataLocation {
                bucket: unique_name("dragons"),
                key: key.to_owned(),
            },
        };
        local_stack::bucket(clients, &data.location.bucket).await?;
        local_stack::put_object(clients, &data.location, body.into()).await?;
        local_stack::write_location(clients, &data.parameters, &data.location).await?;
        Ok(data)
    }

    /// Puts `body` at `key` in this data set's bucket.
    pub async fn put_object(
        &self,
        clients: &AwsClients,
        key: &str,
        body: impl Into<ByteStream>,
    ) -> Result<(), SetupError> {
        let location = DataLocation {
            bucket: self.location.bucket.clone(),
            key: key.to_owned(),
        };
        local_stack::put_object(clients, &location, body.into()).await
    }

    /// Writes `location` into the two parameters (overwriting them).
    pub async fn point_to(
        &self,
        clients: &AwsClients,
        location: &DataLocation,
    ) -> Result<(), SetupError> {
        local_stack::write_location(clients, &self.parameters, location).await
    }
}

/// A fresh SNS topic with a fresh SQS queue subscribed to it.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// The topic's ARN (what the state machine publishes to).
    pub topic_arn: String,
    inbox: Inbox,
}

impl Subscriber {
    /// Creates the topic and the queue and subscribes the queue.
    pub async fn create(config: &SdkConfig) -> Result<Self, SetupError> {
        let sns = aws_sdk_sns::Client::new(config);
        let topic_arn = local_stack::topic(&sns, &unique_name("dragon-reports")).await?;
        let inbox = Inbox::subscribe(config, &topic_arn, &unique_name("dragon-reports")).await?;
        Ok(Self { topic_arn, inbox })
    }

    /// Every message waiting in the queue (waits up to `wait` for the first one).
    pub async fn drain(&self, wait: std::time::Duration) -> Result<Vec<Notification>, SetupError> {
        let seconds = i32::try_from(wait.as_secs()).unwrap_or(20);
        self.inbox.drain(seconds).await
    }
}

/// The names of the records in a data object, in order (a test's view of it: the
/// whole object parsed).
pub fn record_names(data: &[u8], format: DataFormat) -> Result<Vec<String>, serde_json::Error> {
    let records: Vec<serde_json::Value> = match format {
        DataFormat::JsonLines => data
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .map(serde_json::from_slice)
            .collect::<Result<_, _>>()?,
        DataFormat::JsonArray if data.trim_ascii().is_empty() => Vec::new(),
        DataFormat::JsonArray => serde_json::from_slice(data)?,
    };
    Ok(records
        .iter()
        .map(|record| {
            record["dragon_name_str"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect())
}

/// Points `command` (an AWS CLI or SDK program) at `endpoint` with the same dummy
/// credentials and region as [`sdk_config`], in an otherwise empty environment, so
/// no profile, config file or credential of the user's can reach a real account.
pub fn local_aws_env(command: &mut std::process::Command, endpoint: &str) {
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "moto")
        .env("AWS_SECRET_ACCESS_KEY", "moto")
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_REGION", REGION)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
}
