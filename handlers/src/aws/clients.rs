//! The SDK clients a Lambda container builds once and shares between invocations.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_s3::config::SharedHttpClient;
use aws_smithy_http_client::{
    Builder,
    tls::{self, rustls_provider::CryptoMode},
};

/// The S3, DynamoDB and SSM clients, built from one SDK configuration.
#[derive(Debug, Clone)]
pub struct AwsClients {
    /// S3, path-style when a custom endpoint (`AWS_ENDPOINT_URL`) is set.
    pub s3: aws_sdk_s3::Client,
    /// DynamoDB.
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// SSM Parameter Store.
    pub ssm: aws_sdk_ssm::Client,
}

impl AwsClients {
    /// Loads the SDK configuration the standard way (default credential and region
    /// chains, `AWS_ENDPOINT_URL`) over a rustls (ring) HTTPS client.
    pub async fn from_env() -> Self {
        Self::from_config(&load_config().await)
    }

    /// Builds the clients from an SDK configuration.
    pub fn from_config(config: &SdkConfig) -> Self {
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        Self {
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            ssm: aws_sdk_ssm::Client::new(config),
        }
    }
}

/// The SDK configuration from the environment, with our HTTPS client.
pub async fn load_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .load()
        .await
}

/// The HTTP client every SDK client here uses: hyper with rustls on `ring`, which
/// builds faster and smaller than the SDK's default `aws-lc` crypto.
pub fn https_client() -> SharedHttpClient {
    Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}
