//! The stack's resources on a local AWS endpoint (moto), configured as the template
//! configures them: the user pool and app client, users, the data bucket and object,
//! the SSM parameters naming it, the DynamoDB table and its parameter, and the
//! notification topic with an SQS inbox subscribed. `local-api seed` and the test fixtures build on these.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::{
    Client as Cognito,
    types::{
        AttributeType, AuthFlowType, ExplicitAuthFlowsType, MessageActionType, PasswordPolicyType,
        UserPoolPolicyType, UsernameAttributeType, VerifiedAttributeType,
    },
};
use aws_sdk_s3::{
    primitives::ByteStream,
    types::{BucketVersioningStatus, VersioningConfiguration},
};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_ssm::types::ParameterType;
use dragons_contract::data_store::table;
use handlers::aws::{AwsClients, DataLocation, ParameterNames};
use serde::Serialize;

/// Why setting up a local resource failed: the step, and the cause.
#[derive(Debug, thiserror::Error)]
#[error("{step} failed: {source}")]
pub struct SetupError {
    step: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// Maps an SDK error of `step` into a [`SetupError`].
pub fn failed<E: std::error::Error + Send + Sync + 'static>(
    step: &'static str,
) -> impl FnOnce(E) -> SetupError {
    move |source| SetupError {
        step,
        source: Box::new(source),
    }
}

fn missing(step: &'static str) -> SetupError {
    SetupError {
        step,
        source: "the answer lacked an id".into(),
    }
}

/// The id of the user pool named `name`, created as the template creates it (e-mail
/// as the user name, the same password policy) unless it exists.
pub async fn user_pool(cognito: &Cognito, name: &str) -> Result<String, SetupError> {
    let pools = cognito
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .map_err(failed("listing user pools"))?;
    if let Some(id) = pools
        .user_pools()
        .iter()
        .find(|pool| pool.name() == Some(name))
        .and_then(|pool| pool.id())
    {
        return Ok(id.to_owned());
    }
    let policy = PasswordPolicyType::builder()
        .minimum_length(12)
        .require_lowercase(true)
        .require_uppercase(true)
        .require_numbers(true)
        .require_symbols(true)
        .temporary_password_validity_days(3)
        .build();
    cognito
        .create_user_pool()
        .pool_name(name)
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(policy)
                .build(),
        )
        .send()
        .await
        .map_err(failed("creating the user pool"))?
        .user_pool
        .and_then(|pool| pool.id)
        .ok_or_else(|| missing("creating the user pool"))
}

/// The id of the pool's app client named `name` (no secret; password, SRP and
/// refresh flows), created unless it exists.
pub async fn app_client(
    cognito: &Cognito,
    user_pool_id: &str,
    name: &str,
) -> Result<String, SetupError> {
    let clients = cognito
        .list_user_pool_clients()
        .user_pool_id(user_pool_id)
        .max_results(60)
        .send()
        .await
        .map_err(failed("listing app clients"))?;
    if let Some(id) = clients
        .user_pool_clients()
        .iter()
        .find(|client| client.client_name() == Some(name))
        .and_then(|client| client.client_id())
    {
        return Ok(id.to_owned());
    }
    cognito
        .create_user_pool_client()
        .user_pool_id(user_pool_id)
        .client_name(name)
        .generate_secret(false)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .map_err(failed("creating the app client"))?
        .user_pool_client
        .and_then(|client| client.client_id)
        .ok_or_else(|| missing("creating the app client"))
}

/// A confirmed user `username` (an e-mail address) with `password`, created
/// unless it exists; the password is set either way.
pub async fn user(
    cognito: &Cognito,
    user_pool_id: &str,
    username: &str,
    password: &str,
) -> Result<(), SetupError> {
    let created = cognito
        .admin_create_user()
        .user_pool_id(user_pool_id)
        .username(username)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(username)
                .build()
                .map_err(failed("describing the user"))?,
        )
        .message_action(MessageActionType::Suppress)
        .send()
        .await;
    if let Err(error) = created {
        let exists = error
            .as_service_error()
            .is_some_and(|e| e.is_username_exists_exception());
        if !exists {
            return Err(failed("creating the user")(error));
        }
    }
    cognito
        .admin_set_user_password()
        .user_pool_id(user_pool_id)
        .username(username)
        .password(password)
        .permanent(true)
        .send()
        .await
        .map_err(failed("setting the user's password"))?;
    Ok(())
}

/// Signs in with USER_PASSWORD_AUTH and returns the ID token.
pub async fn id_token(
    cognito: &Cognito,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<String, SetupError> {
    cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(failed("signing in"))?
        .authentication_result
        .and_then(|result| result.id_token)
        .ok_or_else(|| missing("signing in"))
}

/// The bucket `name`, created unless this account has it, and versioned as the
/// template's data bucket is (a walk's pages read one version).
pub async fn bucket(clients: &AwsClients, name: &str) -> Result<(), SetupError> {
    if clients.s3.head_bucket().bucket(name).send().await.is_err() {
        clients
            .s3
            .create_bucket()
            .bucket(name)
            .send()
            .await
            .map_err(failed("creating the bucket"))?;
    }
    clients
        .s3
        .put_bucket_versioning()
        .bucket(name)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .map_err(failed("versioning the bucket"))?;
    Ok(())
}

/// Puts `body` at `location`.
pub async fn put_object(
    clients: &AwsClients,
    location: &DataLocation,
    body: ByteStream,
) -> Result<(), SetupError> {
    clients
        .s3
        .put_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .body(body)
        .send()
        .await
        .map_err(failed("uploading the data"))?;
    Ok(())
}

/// Writes `location` into the two SSM parameters `parameters` names, as the stack's
/// parameters hold it (overwriting them).
pub async fn write_location(
    clients: &AwsClients,
    parameters: &ParameterNames,
    location: &DataLocation,
) -> Result<(), SetupError> {
    for (name, value) in [
        (&parameters.bucket, &location.bucket),
        (&parameters.file, &location.key),
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
            .map_err(failed("writing a parameter"))?;
    }
    Ok(())
}

/// The DynamoDB table `name` as the template makes it (keyed by the name key, the
/// family index, on demand), created unless it exists.
pub async fn table(clients: &AwsClients, name: &str) -> Result<(), SetupError> {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
        Projection, ProjectionType, ScalarAttributeType,
    };
    if clients
        .dynamodb
        .describe_table()
        .table_name(name)
        .send()
        .await
        .is_ok()
    {
        return Ok(());
    }
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(failed("describing the table"))
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .map_err(failed("describing the table"))
    };
    let index = GlobalSecondaryIndex::builder()
        .index_name(table::FAMILY_INDEX)
        .key_schema(key(table::FAMILY, KeyType::Hash)?)
        .key_schema(key(table::NAME_KEY, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(failed("describing the table's index"))?;
    clients
        .dynamodb
        .create_table()
        .table_name(name)
        .attribute_definitions(attribute(table::NAME_KEY)?)
        .attribute_definitions(attribute(table::FAMILY)?)
        .key_schema(key(table::NAME_KEY, KeyType::Hash)?)
        .global_secondary_indexes(index)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(failed("creating the table"))?;
    Ok(())
}

/// Writes the table's name into the SSM parameter `parameter`, as the stack does.
pub async fn write_table_parameter(
    clients: &AwsClients,
    parameter: &str,
    table: &str,
) -> Result<(), SetupError> {
    clients
        .ssm
        .put_parameter()
        .name(parameter)
        .value(table)
        .r#type(ParameterType::String)
        .overwrite(true)
        .send()
        .await
        .map_err(failed("writing the table parameter"))?;
    Ok(())
}

/// The ARN of the topic `name` (CreateTopic is idempotent for its owner).
pub async fn topic(sns: &aws_sdk_sns::Client, name: &str) -> Result<String, SetupError> {
    sns.create_topic()
        .name(name)
        .send()
        .await
        .map_err(failed("creating the topic"))?
        .topic_arn
        .ok_or_else(|| missing("creating the topic"))
}

/// One SNS message as a subscriber's queue receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// The message's subject.
    pub subject: String,
    /// The message text.
    pub message: String,
    /// Its message attributes (all strings here).
    pub attributes: BTreeMap<String, String>,
}

/// An SQS queue subscribed to a topic: where notifications can be read back.
#[derive(Debug, Clone)]
pub struct Inbox {
    queue_url: String,
    sqs: aws_sdk_sqs::Client,
}

impl Inbox {
    /// The queue `queue_name` (created if need be), subscribed to `topic_arn` unless
    /// it already is.
    pub async fn subscribe(
        config: &SdkConfig,
        topic_arn: &str,
        queue_name: &str,
    ) -> Result<Self, SetupError> {
        let sns = aws_sdk_sns::Client::new(config);
        let sqs = aws_sdk_sqs::Client::new(config);
        let queue_url = sqs
            .create_queue()
            .queue_name(queue_name)
            .send()
            .await
            .map_err(failed("creating the inbox queue"))?
            .queue_url
            .ok_or_else(|| missing("creating the inbox queue"))?;
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(failed("reading the inbox queue's ARN"))?
            .attributes
            .and_then(|mut attributes| attributes.remove(&QueueAttributeName::QueueArn))
            .ok_or_else(|| missing("reading the inbox queue's ARN"))?;
        let subscriptions = sns
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn)
            .send()
            .await
            .map_err(failed("listing subscriptions"))?;
        if !subscriptions
            .subscriptions()
            .iter()
            .any(|subscription| subscription.endpoint() == Some(queue_arn.as_str()))
        {
            sns.subscribe()
                .topic_arn(topic_arn)
                .protocol("sqs")
                .endpoint(&queue_arn)
                .send()
                .await
                .map_err(failed("subscribing the inbox"))?;
        }
        Ok(Self { queue_url, sqs })
    }

    /// The existing queue `queue_name`.
    pub async fn find(config: &SdkConfig, queue_name: &str) -> Result<Self, SetupError> {
        let sqs = aws_sdk_sqs::Client::new(config);
        let queue_url = sqs
            .get_queue_url()
            .queue_name(queue_name)
            .send()
            .await
            .map_err(failed("finding the inbox"))?
            .queue_url
            .ok_or_else(|| missing("finding the inbox"))?;
        Ok(Self { queue_url, sqs })
    }

    /// Every notification waiting, oldest first, removed from the queue; waits up to
    /// `wait_seconds` (at most 20, SQS's limit) for the first one.
    pub async fn drain(&self, wait_seconds: i32) -> Result<Vec<Notification>, SetupError> {
        let mut notifications = Vec::new();
        let mut wait = wait_seconds.clamp(0, 20);
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(wait)
                .send()
                .await
                .map_err(failed("reading the inbox"))?;
            let messages = received.messages.unwrap_or_default();
            if messages.is_empty() {
                return Ok(notifications);
            }
            for message in messages {
                let envelope: serde_json::Value =
                    serde_json::from_str(message.body().unwrap_or_default())
                        .map_err(failed("reading a notification"))?;
                notifications.push(notification(&envelope));
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .map_err(failed("removing a notification"))?;
                }
            }
            wait = 0;
        }
    }
}

/// The notification an SNS envelope (as SQS delivers it) carries.
fn notification(envelope: &serde_json::Value) -> Notification {
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    Notification {
        subject: text(&envelope["Subject"]),
        message: text(&envelope["Message"]),
        attributes: envelope["MessageAttributes"]
            .as_object()
            .map(|attributes| {
                attributes
                    .iter()
                    .map(|(name, attribute)| (name.clone(), text(&attribute["Value"])))
                    .collect()
            })
            .unwrap_or_default(),
    }
}
