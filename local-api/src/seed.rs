//! `local-api seed`: the stack's resources on a local AWS endpoint (moto), under
//! the names the local API uses: a user pool and app client configured as the
//! template configures them, the data bucket and object, the two SSM parameters,
//! the notification topic with an SQS inbox subscribed (read by `inbox`), and a
//! user with a fresh random password.

use std::hash::{BuildHasher, RandomState};

use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::{
    Client as Cognito,
    types::{
        AttributeType, AuthFlowType, ExplicitAuthFlowsType, PasswordPolicyType, UserPoolPolicyType,
        UsernameAttributeType,
    },
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_ssm::types::ParameterType;
use handlers::{
    aws::{AwsClients, ParameterNames},
    domain::names::DEFAULT_DATA_KEY,
};

/// The local names of the stack's resources.
pub mod names {
    /// The user pool.
    pub const USER_POOL: &str = "dragons-local-users";
    /// The app client.
    pub const CLIENT: &str = "dragons-local-client";
    /// The data bucket.
    pub const BUCKET: &str = "dragons-local-data";
    /// The notification topic.
    pub const TOPIC: &str = "dragons-local-reports";
    /// The user `seed` creates.
    pub const USER: &str = "keeper@example.com";
    /// The SQS queue subscribed to the topic, which `inbox` reads.
    pub const INBOX: &str = "dragons-local-inbox";
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
#[error("{step} failed: {source}")]
pub struct SeedError {
    step: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

fn failed<E: std::error::Error + Send + Sync + 'static>(
    step: &'static str,
) -> impl FnOnce(E) -> SeedError {
    move |source| SeedError {
        step,
        source: Box::new(source),
    }
}

fn missing(step: &'static str) -> SeedError {
    SeedError {
        step,
        source: "the answer lacked an id".into(),
    }
}

/// What `seed` created: the values `serve` and `token` need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    /// The user pool's id.
    pub user_pool_id: String,
    /// The app client's id.
    pub client_id: String,
    /// The topic's ARN.
    pub topic_arn: String,
    /// The user's name (an e-mail address, as the pool's username attribute).
    pub username: String,
    /// The user's password, new on every run.
    pub password: String,
}

/// A password meeting the pool's policy (12+ characters, every character class),
/// random on every call.
pub fn random_password() -> String {
    let random = RandomState::new();
    format!(
        "Dk-{:016x}{:08x}!aZ9",
        random.hash_one(1_u8),
        random.hash_one(2_u8) as u32
    )
}

/// Creates (or finds) every resource and loads `data` as the data object.
pub async fn seed(config: &SdkConfig, data: Vec<u8>) -> Result<Seeded, SeedError> {
    let clients = AwsClients::from_config(config);
    let cognito = Cognito::new(config);
    let sns = aws_sdk_sns::Client::new(config);

    let user_pool_id = user_pool(&cognito).await?;
    let client_id = app_client(&cognito, &user_pool_id).await?;
    // CreateTopic and CreateBucket are idempotent for their owner.
    let topic_arn = sns
        .create_topic()
        .name(names::TOPIC)
        .send()
        .await
        .map_err(failed("creating the topic"))?
        .topic_arn
        .ok_or_else(|| missing("creating the topic"))?;
    subscribe_inbox(config, &sns, &topic_arn).await?;
    let bucket_exists = clients
        .s3
        .head_bucket()
        .bucket(names::BUCKET)
        .send()
        .await
        .is_ok();
    if !bucket_exists {
        clients
            .s3
            .create_bucket()
            .bucket(names::BUCKET)
            .send()
            .await
            .map_err(failed("creating the bucket"))?;
    }
    clients
        .s3
        .put_object()
        .bucket(names::BUCKET)
        .key(DEFAULT_DATA_KEY)
        .body(ByteStream::from(data))
        .send()
        .await
        .map_err(failed("uploading the data"))?;
    let parameters = ParameterNames::from_env();
    for (name, value) in [
        (&parameters.bucket, names::BUCKET),
        (&parameters.file, DEFAULT_DATA_KEY),
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
    let password = random_password();
    user(&cognito, &user_pool_id, &password).await?;
    Ok(Seeded {
        user_pool_id,
        client_id,
        topic_arn,
        username: names::USER.to_owned(),
        password,
    })
}

async fn user_pool(cognito: &Cognito) -> Result<String, SeedError> {
    let pools = cognito
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .map_err(failed("listing user pools"))?;
    if let Some(id) = pools
        .user_pools()
        .iter()
        .find(|pool| pool.name() == Some(names::USER_POOL))
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
        .pool_name(names::USER_POOL)
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(
            aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email,
        )
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

async fn app_client(cognito: &Cognito, user_pool_id: &str) -> Result<String, SeedError> {
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
        .find(|c| c.client_name() == Some(names::CLIENT))
        .and_then(|c| c.client_id())
    {
        return Ok(id.to_owned());
    }
    cognito
        .create_user_pool_client()
        .user_pool_id(user_pool_id)
        .client_name(names::CLIENT)
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

async fn user(cognito: &Cognito, user_pool_id: &str, password: &str) -> Result<(), SeedError> {
    let created = cognito
        .admin_create_user()
        .user_pool_id(user_pool_id)
        .username(names::USER)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(names::USER)
                .build()
                .map_err(failed("describing the user"))?,
        )
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
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
        .username(names::USER)
        .password(password)
        .permanent(true)
        .send()
        .await
        .map_err(failed("setting the user's password"))?;
    Ok(())
}

/// Creates the inbox queue (idempotent) and subscribes it to the topic.
async fn subscribe_inbox(
    config: &SdkConfig,
    sns: &aws_sdk_sns::Client,
    topic_arn: &str,
) -> Result<(), SeedError> {
    let sqs = aws_sdk_sqs::Client::new(config);
    let queue_url = sqs
        .create_queue()
        .queue_name(names::INBOX)
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
        .any(|s| s.endpoint() == Some(queue_arn.as_str()))
    {
        sns.subscribe()
            .topic_arn(topic_arn)
            .protocol("sqs")
            .endpoint(&queue_arn)
            .attributes("RawMessageDelivery", "false")
            .send()
            .await
            .map_err(failed("subscribing the inbox"))?;
    }
    Ok(())
}

/// The notifications waiting in the inbox, oldest first, as the SNS envelopes'
/// `Subject`, `Message` and `MessageAttributes`; they are removed from the queue.
pub async fn inbox(config: &SdkConfig) -> Result<Vec<serde_json::Value>, SeedError> {
    let sqs = aws_sdk_sqs::Client::new(config);
    let queue_url = sqs
        .get_queue_url()
        .queue_name(names::INBOX)
        .send()
        .await
        .map_err(failed("finding the inbox (run `seed` first)"))?
        .queue_url
        .ok_or_else(|| missing("finding the inbox"))?;
    let mut notifications = Vec::new();
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(if notifications.is_empty() { 1 } else { 0 })
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
            let attributes: serde_json::Map<String, serde_json::Value> =
                envelope["MessageAttributes"]
                    .as_object()
                    .map(|attributes| {
                        attributes
                            .iter()
                            .map(|(name, attribute)| (name.clone(), attribute["Value"].clone()))
                            .collect()
                    })
                    .unwrap_or_default();
            notifications.push(serde_json::json!({
                "subject": envelope["Subject"],
                "message": envelope["Message"],
                "attributes": attributes,
            }));
            if let Some(handle) = message.receipt_handle() {
                sqs.delete_message()
                    .queue_url(&queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await
                    .map_err(failed("removing a notification"))?;
            }
        }
    }
}

/// Signs in with USER_PASSWORD_AUTH and returns the ID token.
pub async fn id_token(
    config: &SdkConfig,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<String, SeedError> {
    Cognito::new(config)
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
