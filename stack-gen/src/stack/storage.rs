//! The data: the S3 bucket (encrypted, versioned, private, TLS-only, retained) and
//! the SSM parameters that tell the Lambdas where the data object is.

use dragons_contract::page::REPLACED_VERSION_DAYS;
use stratosphere::services::aws::{s3, ssm};

use super::Parameters;
use crate::iam::{PolicyDocument, Statement};
use crate::template::{Attributes, CheckovSkip, Handle, Sub, Template, TemplateError};

/// The data bucket and its two SSM parameters.
pub struct Storage {
    /// The bucket holding the dragon data object.
    pub bucket: Handle<s3::Bucket_>,
    /// SSM parameter: the bucket's name.
    pub bucket_parameter: Handle<ssm::Parameter_>,
    /// SSM parameter: the data object's key.
    pub file_parameter: Handle<ssm::Parameter_>,
}

/// Adds the bucket, its policy and the two parameters.
pub fn add(template: &mut Template, parameters: &Parameters) -> Result<Storage, TemplateError> {
    let bucket = template.add_with(
        "DataBucket",
        s3::Bucket! {
            bucket_encryption: s3::bucket::BucketEncryption! {
                server_side_encryption_configuration: vec![s3::bucket::ServerSideEncryptionRule! {
                    bucket_key_enabled: true,
                    server_side_encryption_by_default: s3::bucket::ServerSideEncryptionByDefault! {
                        sse_algorithm: "AES256",
                    },
                }],
            },
            // Every add writes a new version; a replaced one is kept long enough for the
            // walks still reading it, then expires, so storage does not grow with adds.
            // An export (`migrate-data to-object`) that was interrupted leaves the parts
            // of its upload: they go after a day too.
            lifecycle_configuration: s3::bucket::LifecycleConfiguration! {
                rules: vec![s3::bucket::Rule! {
                    abort_incomplete_multipart_upload: s3::bucket::AbortIncompleteMultipartUpload! {
                        days_after_initiation: REPLACED_VERSION_DAYS,
                    },
                    id: "ExpireReplacedVersions",
                    noncurrent_version_expiration: s3::bucket::NoncurrentVersionExpiration! {
                        noncurrent_days: REPLACED_VERSION_DAYS,
                    },
                    status: "Enabled",
                }],
            },
            ownership_controls: s3::bucket::OwnershipControls! {
                rules: vec![s3::bucket::OwnershipControlsRule! { object_ownership: "BucketOwnerEnforced" }],
            },
            public_access_block_configuration: s3::bucket::PublicAccessBlockConfiguration! {
                block_public_acls: true,
                block_public_policy: true,
                ignore_public_acls: true,
                restrict_public_buckets: true,
            },
            versioning_configuration: s3::bucket::VersioningConfiguration! { status: "Enabled" },
        },
        Attributes::skipping(&[
                CheckovSkip {
                    id: "CKV_AWS_18",
                    reason: "One small data object read by the Lambdas; CloudTrail data events are the audit trail, a second logging bucket would only log itself.",
                },
        ])
        .retained(),
    )?;
    let objects = Sub::new().arn(&bucket).text("/*").build();
    template.add(
        "DataBucketPolicy",
        s3::BucketPolicy! {
            bucket: bucket.reference(),
            policy_document: PolicyDocument::new(vec![Statement::deny_insecure_transport(vec![
                bucket.arn(),
                objects,
            ])])
            .to_value(),
        },
    )?;
    let bucket_parameter = template.add(
        "BucketNameParameter",
        ssm::Parameter! {
            description: "Name of the S3 bucket holding the dragon data",
            name: parameters.bucket_parameter_name.reference(),
            r#type: "String",
            value: bucket.reference(),
        },
    )?;
    let file_parameter = template.add(
        "FileNameParameter",
        ssm::Parameter! {
            description: "Key of the dragon data object in the data bucket",
            name: parameters.file_parameter_name.reference(),
            r#type: "String",
            value: parameters.data_key.reference(),
        },
    )?;
    Ok(Storage {
        bucket,
        bucket_parameter,
        file_parameter,
    })
}
