//! `local-api seed`: the stack's resources on a local AWS endpoint under the names
//! the local API uses ([`names`]), the data loaded (into the S3 object, and the
//! DynamoDB table for a stack on it), and a user with a fresh random password.

use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::Client as Cognito;
use aws_sdk_s3::primitives::ByteStream;
use dragons_contract::{Dragon, data_store::DataStore, names::DEFAULT_DATA_KEY};
use handlers::aws::{AwsClients, DataLocation, DynamoStore, ParameterNames};
use rand::{Rng, distributions::Alphanumeric};

use crate::local_stack::{self, Inbox, Notification, SetupError};

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
    /// The DynamoDB table (a local stack on DynamoDB).
    pub const TABLE: &str = "dragons-local-table";
}

/// Where `seed` puts the dragons: always the S3 object the parameters name and, for
/// a stack on DynamoDB, the table too, whose name the table parameter then holds.
#[derive(Debug, Clone)]
pub struct Stores {
    /// Which store the local API will read.
    pub store: DataStore,
    /// The data location's SSM parameters.
    pub parameters: ParameterNames,
    /// The table name's SSM parameter.
    pub table_parameter: String,
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
    let random: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("Dk-{random}!aZ9")
}

/// Creates (or finds) every resource and loads `data` (JSON Lines) as the data object
/// at the location the SSM parameters name, and into the table for DynamoDB.
pub async fn seed(
    config: &SdkConfig,
    stores: &Stores,
    data: Vec<u8>,
) -> Result<Seeded, SetupError> {
    let parameters = &stores.parameters;
    let clients = AwsClients::from_config(config);
    let cognito = Cognito::new(config);
    let user_pool_id = local_stack::user_pool(&cognito, names::USER_POOL).await?;
    let client_id = local_stack::app_client(&cognito, &user_pool_id, names::CLIENT).await?;
    let topic_arn = local_stack::topic(&aws_sdk_sns::Client::new(config), names::TOPIC).await?;
    Inbox::subscribe(config, &topic_arn, names::INBOX).await?;
    let location = DataLocation {
        bucket: names::BUCKET.to_owned(),
        key: DEFAULT_DATA_KEY.to_owned(),
    };
    local_stack::bucket(&clients, &location.bucket).await?;
    if stores.store == DataStore::DynamoDb {
        local_stack::table(&clients, names::TABLE).await?;
        local_stack::write_table_parameter(&clients, &stores.table_parameter, names::TABLE).await?;
        let dragons = data
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.trim_ascii().is_empty())
            .map(serde_json::from_slice::<Dragon>)
            .collect::<Result<Vec<_>, _>>()
            .map_err(local_stack::failed("reading the data"))?;
        DynamoStore::new(&clients, stores.table_parameter.clone())
            .put_batch(&dragons)
            .await
            .map_err(local_stack::failed("loading the table"))?;
    }
    local_stack::put_object(&clients, &location, ByteStream::from(data)).await?;
    local_stack::write_location(&clients, parameters, &location).await?;
    let password = random_password();
    local_stack::user(&cognito, &user_pool_id, names::USER, &password).await?;
    Ok(Seeded {
        user_pool_id,
        client_id,
        topic_arn,
        username: names::USER.to_owned(),
        password,
    })
}

/// The notifications waiting in the seeded inbox, oldest first; they are removed.
pub async fn inbox(config: &SdkConfig) -> Result<Vec<Notification>, SetupError> {
    Inbox::find(config, names::INBOX).await?.drain(1).await
}

/// A fresh ID token for a user of the seeded pool.
pub async fn id_token(
    config: &SdkConfig,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<String, SetupError> {
    local_stack::id_token(&Cognito::new(config), client_id, username, password).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_meet_the_pool_policy_and_differ() {
        let (a, b) = (random_password(), random_password());
        assert_ne!(a, b);
        for password in [a, b] {
            assert!(password.len() >= 12);
            assert!(password.chars().any(|c| c.is_ascii_uppercase()));
            assert!(password.chars().any(|c| c.is_ascii_lowercase()));
            assert!(password.chars().any(|c| c.is_ascii_digit()));
            assert!(password.chars().any(|c| !c.is_ascii_alphanumeric()));
        }
    }
}
