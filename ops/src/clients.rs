//! The SDK clients the CLI uses, built once from one configuration: the SDK's default
//! chains (credentials, `AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`), with the
//! profile and region the command line names taking precedence.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use handlers::aws::AwsClients;

/// Every client a command may need.
#[derive(Debug, Clone)]
pub struct OpsClients {
    /// The configuration they were built from.
    pub config: SdkConfig,
    /// CloudFormation (the stack's outputs and resources).
    pub cloudformation: aws_sdk_cloudformation::Client,
    /// S3 (path-style on a custom endpoint), SSM and DynamoDB.
    pub aws: AwsClients,
    /// Cognito (users and sign-in).
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

impl OpsClients {
    /// The clients from the SDK's default chains, `profile` and `region` first when given.
    pub async fn load(profile: Option<&str>, region: Option<&str>) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(handlers::aws::clients::https_client());
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_owned()));
        }
        Self::from_config(&loader.load().await)
    }

    /// The clients from a configuration.
    pub fn from_config(config: &SdkConfig) -> Self {
        Self {
            config: config.clone(),
            cloudformation: aws_sdk_cloudformation::Client::new(config),
            aws: AwsClients::from_config(config),
            cognito: aws_sdk_cognitoidentityprovider::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
        }
    }
}
