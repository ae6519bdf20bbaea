//! Fixtures on a local moto: SDK clients pointed at it, and data sets (a bucket, an
//! object and the two SSM parameters naming them) under names unique to each test,
//! so tests can share one server.

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::{config::Credentials, primitives::ByteStream};
use aws_sdk_ssm::types::ParameterType;
use handlers::aws::{AwsClients, DataLocation, ParameterNames, clients::https_client};

/// The region every fixture lives in.
pub const REGION: &str = "us-east-1";

/// Why a fixture could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("setting up {what} on moto failed: {source}")]
pub struct FixtureError {
    what: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

fn failed<E: std::error::Error + Send + Sync + 'static>(
    what: &'static str,
) -> impl FnOnce(E) -> FixtureError {
    move |source| FixtureError {
        what,
        source: Box::new(source),
    }
}

/// SDK configuration for the server at `endpoint`: region `us-east-1` and static
/// dummy credentials, which moto accepts and which are not valid anywhere else.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
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
    /// The parameter names to hand to a `DragonStore`.
    pub parameters: ParameterNames,
    /// Where the object is.
    pub location: DataLocation,
}

impl DataSet {
    /// Creates a fresh bucket, puts `body` at `key`, and writes both parameters.
    pub async fn create(
        clients: &AwsClients,
        key: &str,
        body: Vec<u8>,
    ) -> Result<Self, FixtureError> {
        let bucket = unique_name("dragons");
        clients
            .s3
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .map_err(failed("a bucket"))?;
        let prefix = unique_name("/dragons");
        let data = Self {
            parameters: ParameterNames {
                bucket: format!("{prefix}/dragon_data_bucket_name"),
                file: format!("{prefix}/dragon_data_file_name"),
            },
            location: DataLocation {
                bucket,
                key: key.to_owned(),
            },
        };
        data.put_object(clients, key, body).await?;
        data.point_to(clients, &data.location.clone()).await?;
        Ok(data)
    }

    /// Puts `body` at `key` in this data set's bucket.
    pub async fn put_object(
        &self,
        clients: &AwsClients,
        key: &str,
        body: Vec<u8>,
    ) -> Result<(), FixtureError> {
        clients
            .s3
            .put_object()
            .bucket(&self.location.bucket)
            .key(key)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(failed("an object"))?;
        Ok(())
    }

    /// Writes `location` into the two parameters (overwriting them).
    pub async fn point_to(
        &self,
        clients: &AwsClients,
        location: &DataLocation,
    ) -> Result<(), FixtureError> {
        for (name, value) in [
            (&self.parameters.bucket, &location.bucket),
            (&self.parameters.file, &location.key),
        ] {
            clients
                .ssm
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(ParameterType::String)
                .overwrite(true)
                .send()
                .await
                .map_err(failed("a parameter"))?;
        }
        Ok(())
    }
}

/// One SNS message as an SQS subscriber receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The message's subject.
    pub subject: String,
    /// The message text.
    pub message: String,
    /// Its message attributes (all strings here).
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// An SNS topic with an SQS queue subscribed to it.
#[derive(Debug, Clone)]
pub struct Subscriber {
    /// The topic's ARN (what the state machine publishes to).
    pub topic_arn: String,
    queue_url: String,
    sqs: aws_sdk_sqs::Client,
}

impl Subscriber {
    /// Creates a fresh topic and queue and subscribes the queue.
    pub async fn create(config: &SdkConfig) -> Result<Self, FixtureError> {
        let sns = aws_sdk_sns::Client::new(config);
        let sqs = aws_sdk_sqs::Client::new(config);
        let topic_arn = sns
            .create_topic()
            .name(unique_name("dragon-reports"))
            .send()
            .await
            .map_err(failed("a topic"))?
            .topic_arn
            .unwrap_or_default();
        let queue_url = sqs
            .create_queue()
            .queue_name(unique_name("dragon-reports"))
            .send()
            .await
            .map_err(failed("a queue"))?
            .queue_url
            .unwrap_or_default();
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(failed("a queue's ARN"))?
            .attributes
            .and_then(|mut attributes| {
                attributes.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            })
            .unwrap_or_default();
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .send()
            .await
            .map_err(failed("a subscription"))?;
        Ok(Self {
            topic_arn,
            queue_url,
            sqs,
        })
    }

    /// Every message waiting in the queue (waits up to `wait` for the first one).
    pub async fn drain(
        &self,
        wait: std::time::Duration,
    ) -> Result<Vec<Notification>, FixtureError> {
        let mut notifications = Vec::new();
        let mut wait_seconds = i32::try_from(wait.as_secs()).unwrap_or(20).min(20);
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(wait_seconds)
                .send()
                .await
                .map_err(failed("receiving messages"))?;
            let messages = received.messages.unwrap_or_default();
            if messages.is_empty() {
                return Ok(notifications);
            }
            for message in messages {
                let envelope: serde_json::Value =
                    serde_json::from_str(message.body().unwrap_or_default())
                        .map_err(failed("an SNS envelope"))?;
                let text =
                    |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
                let attributes = envelope["MessageAttributes"]
                    .as_object()
                    .map(|attributes| {
                        attributes
                            .iter()
                            .map(|(name, attribute)| (name.clone(), text(&attribute["Value"])))
                            .collect()
                    })
                    .unwrap_or_default();
                notifications.push(Notification {
                    subject: text(&envelope["Subject"]),
                    message: text(&envelope["Message"]),
                    attributes,
                });
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .map_err(failed("deleting a message"))?;
                }
            }
            wait_seconds = 0;
        }
    }
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
