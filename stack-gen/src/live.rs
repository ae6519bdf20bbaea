//! Reading a deployed stack for `stack-gen diff --stack` (the `live` feature): its
//! template (`GetTemplate`, as last deployed) and its parameters' values
//! (`DescribeStacks`), through the SDK's usual profile, Region and credentials.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::TemplateStage;

use crate::diff::Deployed;

/// Why the deployed stack could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// DescribeStacks failed (or the stack does not exist).
    #[error("describing stack {stack}: {source}")]
    Describe {
        /// The stack.
        stack: String,
        /// The SDK's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// GetTemplate failed.
    #[error("reading the template of stack {stack}: {source}")]
    Template {
        /// The stack.
        stack: String,
        /// The SDK's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// DescribeStacks answered without the stack.
    #[error("no stack {0}")]
    NoStack(String),
    /// The deployed template is not JSON (a YAML deploy).
    #[error("the template of stack {stack} is not JSON: {source}")]
    NotJson {
        /// The stack.
        stack: String,
        /// The cause.
        source: serde_json::Error,
    },
}

/// A CloudFormation client from the SDK's standard configuration (`AWS_PROFILE`,
/// `AWS_REGION`, `AWS_ENDPOINT_URL`, ...), over rustls.
pub async fn client() -> Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await;
    Client::new(&config)
}

/// The stack `stack` as deployed.
pub async fn deployed(client: &Client, stack: &str) -> Result<Deployed, LiveError> {
    let described = client
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|error| LiveError::Describe {
            stack: stack.to_owned(),
            source: Box::new(error.into_service_error()),
        })?;
    let found = described
        .stacks()
        .first()
        .ok_or_else(|| LiveError::NoStack(stack.to_owned()))?;
    let parameters: BTreeMap<String, String> = found
        .parameters()
        .iter()
        .filter_map(|parameter| {
            Some((
                parameter.parameter_key()?.to_owned(),
                parameter
                    .resolved_value()
                    .or(parameter.parameter_value())
                    .unwrap_or_default()
                    .to_owned(),
            ))
        })
        .collect();
    let template = client
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|error| LiveError::Template {
            stack: stack.to_owned(),
            source: Box::new(error.into_service_error()),
        })?;
    let body = template.template_body().unwrap_or("{}");
    let template = serde_json::from_str(body).map_err(|source| LiveError::NotJson {
        stack: stack.to_owned(),
        source,
    })?;
    Ok(Deployed {
        template,
        parameters,
    })
}
