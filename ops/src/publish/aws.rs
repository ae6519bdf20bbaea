//! The AWS calls of a publish: the stack's outputs, the uploads, the invalidation.

use std::collections::BTreeMap;

use aws_sdk_s3::primitives::ByteStream;

use super::{PublishError, SiteFile};

/// The clients a publish uses, built once.
#[derive(Debug, Clone)]
pub struct PublishClients {
    /// CloudFormation (the stack's outputs).
    pub cloudformation: aws_sdk_cloudformation::Client,
    /// S3 (the site bucket), path-style when a custom endpoint is set.
    pub s3: aws_sdk_s3::Client,
    /// CloudFront (the invalidation).
    pub cloudfront: aws_sdk_cloudfront::Client,
}

impl PublishClients {
    /// The clients from an SDK configuration.
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        Self {
            cloudformation: aws_sdk_cloudformation::Client::new(config),
            s3: handlers::aws::AwsClients::from_config(config).s3,
            cloudfront: aws_sdk_cloudfront::Client::new(config),
        }
    }

    /// The clients from the environment (default chains, `AWS_ENDPOINT_URL`).
    pub async fn from_env() -> Self {
        Self::from_config(&handlers::aws::clients::load_config().await)
    }
}

/// The outputs of `stack`, by key.
pub async fn stack_outputs(
    cloudformation: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<BTreeMap<String, String>, PublishError> {
    let described = cloudformation
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|source| PublishError::Describe {
            stack: stack.to_owned(),
            source: Box::new(source),
        })?;
    Ok(described
        .stacks()
        .iter()
        .flat_map(|s| s.outputs())
        .filter_map(|output| {
            Some((
                output.output_key()?.to_owned(),
                output.output_value()?.to_owned(),
            ))
        })
        .collect())
}

/// Puts every file in `bucket`, in order, with its type and `Cache-Control`.
pub async fn upload(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    files: &[SiteFile],
) -> Result<(), PublishError> {
    for file in files {
        s3.put_object()
            .bucket(bucket)
            .key(&file.key)
            .content_type(&file.content_type)
            .cache_control(file.caching.header())
            .body(ByteStream::from(file.body.clone()))
            .send()
            .await
            .map_err(|source| PublishError::Upload {
                bucket: bucket.to_owned(),
                key: file.key.clone(),
                source: Box::new(source),
            })?;
        tracing::info!(key = file.key, cache = file.caching.header(), "uploaded");
    }
    Ok(())
}

/// Invalidates every path of the distribution; returns the invalidation's id.
pub async fn invalidate(
    cloudfront: &aws_sdk_cloudfront::Client,
    distribution: &str,
) -> Result<String, PublishError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| PublishError::Invalidate {
        distribution: distribution.to_owned(),
        source,
    };
    // A caller reference is new per publish: CloudFront treats a repeated one as the
    // same request and would not invalidate again.
    let reference = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| format!("publish-web-{}", elapsed.as_nanos()))
        .map_err(|error| failed(Box::new(error)))?;
    let paths = aws_sdk_cloudfront::types::Paths::builder()
        .quantity(1)
        .items("/*")
        .build()
        .map_err(|error| failed(Box::new(error)))?;
    let batch = aws_sdk_cloudfront::types::InvalidationBatch::builder()
        .paths(paths)
        .caller_reference(reference)
        .build()
        .map_err(|error| failed(Box::new(error)))?;
    let created = cloudfront
        .create_invalidation()
        .distribution_id(distribution)
        .invalidation_batch(batch)
        .send()
        .await
        .map_err(|error| failed(Box::new(error)))?;
    created
        .invalidation()
        .map(|invalidation| invalidation.id().to_owned())
        .ok_or_else(|| failed("CloudFront answered without the invalidation".into()))
}
