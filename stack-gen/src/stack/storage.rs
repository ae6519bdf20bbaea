//! The data: the S3 bucket (encrypted, versioned, private, TLS-only, retained, its
//! server access logs in a log bucket of its own) and the SSM parameters that tell
//! the Lambdas where the data object is.

use dragons_contract::page::REPLACED_VERSION_DAYS;
use dragons_contract::stack_ids::ids;
use stratosphere::services::aws::{s3, ssm};

use super::Parameters;
use crate::iam::{PolicyDocument, Service, Statement, actions};
use crate::template::{
    Attributes, CheckovSkip, GuardSuppression, Handle, Sub, Template, TemplateError,
};

/// Days the data bucket's server access logs are kept.
pub const ACCESS_LOG_DAYS: i32 = 365;
/// The registry's TLS rule is wrong for any policy written as AWS documents it.
const SSL_RULE_IS_WRONG: GuardSuppression = GuardSuppression {
    rule: "S3_BUCKET_SSL_REQUESTS_ONLY",
    reason: "The registry rule is wrong: it compares aws:SecureTransport with the boolean false, but IAM condition values are strings and AWS documents this deny with the string \"false\"; the policy has exactly that deny (the least-privilege test checks it).",
};

/// The registry's rule against the `PublicReadWrite` ACL is wrong for a bucket with
/// no `AccessControl` at all.
const ACL_RULE_IS_WRONG: GuardSuppression = GuardSuppression {
    rule: "S3_BUCKET_NO_PUBLIC_RW_ACL",
    reason: "The registry rule is wrong: it fails every bucket without an AccessControl property, though such a bucket has the private ACL; here ObjectOwnership BucketOwnerEnforced turns ACLs off altogether and all public access is blocked.",
};

/// Control Tower's TLS control (CT.S3.PR.8) cannot read the object ARN as written here.
pub(crate) const TLS_CONTROL_READS_ONLY_JOIN: GuardSuppression = GuardSuppression {
    rule: "CT.S3.PR.8",
    reason: "The policy has the deny the control asks for (Effect Deny, Principal *, s3:*, the bucket and its objects, Bool aws:SecureTransport \"false\"; the least-privilege test checks it), but the control recognises the objects' ARN only as Fn::Join of the bucket's Arn and \"/*\", not as the equivalent Fn::Sub \"${Bucket.Arn}/*\" written here.",
};

/// SSE-S3 rather than a KMS key (CT.S3.PR.10), for the buckets CloudFront or the
/// Lambdas read.
pub(crate) const SSE_S3_SUFFICES: GuardSuppression = GuardSuppression {
    rule: "CT.S3.PR.10",
    reason: "Encrypted at rest with SSE-S3 (AES-256, S3's own keys). A KMS key would add a key policy every reader must be named in (the Lambdas, CloudFront's origin access) and a KMS request per object read, for dragon records and static files that hold no secrets.",
};

/// Key prefix of the data bucket's access logs in the log bucket.
const ACCESS_LOG_PREFIX: &str = "data-bucket/";

/// Why the data bucket has no Object Lock.
const DATA_LOCK_REASON: &str = "Every report rewrites the object; Object Lock would forbid removing the replaced versions that the lifecycle rule expires, so storage would grow with every add.";

/// Why the log bucket has no access log of its own.
const LOG_BUCKET_LOGGING_REASON: &str = "This is the access log bucket: logging it would write a log record for every log delivery, into itself or a third bucket that would need the same.";

/// Why the log bucket has no Object Lock.
const LOG_LOCK_REASON: &str = "Logs expire after a year by lifecycle; Object Lock would have to be set at creation and would keep them past that.";

/// The data bucket, its access log bucket and its two SSM parameters.
pub struct Storage {
    /// The bucket S3 writes the data bucket's server access logs to.
    pub log_bucket: Handle<s3::Bucket_>,
    /// The bucket holding the dragon data object.
    pub bucket: Handle<s3::Bucket_>,
    /// SSM parameter: the bucket's name.
    pub bucket_parameter: Handle<ssm::Parameter_>,
    /// SSM parameter: the data object's key.
    pub file_parameter: Handle<ssm::Parameter_>,
}

/// Adds the bucket, its policy and the two parameters.
pub fn add(template: &mut Template, parameters: &Parameters) -> Result<Storage, TemplateError> {
    let log_bucket = add_log_bucket(template)?;
    let bucket = template.add_with(
        ids::DATA_BUCKET,
        s3::Bucket! {
            bucket_encryption: encrypted(),
            // Every add writes a new version; a replaced one is kept long enough for the
            // walks still reading it, then expires, so storage does not grow with adds
            // (nor with the name markers they overwrite). An add past 5 MiB appends by
            // a multipart upload, and so does an export (`migrate-data to-object`): the
            // parts of one a stopped function or an interrupted export left go after a
            // day too.
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
            logging_configuration: s3::bucket::LoggingConfiguration! {
                destination_bucket_name: log_bucket.reference(),
                log_file_prefix: ACCESS_LOG_PREFIX,
            },
            ownership_controls: owner_enforced(),
            public_access_block_configuration: private(),
            versioning_configuration: s3::bucket::VersioningConfiguration! { status: "Enabled" },
        },
        Attributes::default()
            .suppress(&[
                ACL_RULE_IS_WRONG,
                GuardSuppression {
                    rule: "S3_BUCKET_REPLICATION_ENABLED",
                    reason: "One small object rebuilt from the source data (ops upload-data); versioned and retained. A replica in a second region would double a one-region stack for no reader.",
                },
                GuardSuppression {
                    rule: "S3_BUCKET_DEFAULT_LOCK_ENABLED",
                    reason: DATA_LOCK_REASON,
                },
                GuardSuppression {
                    rule: "CT.S3.PR.9",
                    reason: DATA_LOCK_REASON,
                },
                SSE_S3_SUFFICES,
                GuardSuppression {
                    rule: "CT.S3.PR.4",
                    reason: "Nothing consumes this bucket's events: the Lambdas read the object on request, and every change is made by the report workflow, which announces it on the SNS topic itself.",
                },
            ])
            .retained(),
    )?;
    let objects = Sub::new().arn(&bucket).text("/*").build();
    template.add_with(
        "DataBucketPolicy",
        s3::BucketPolicy! {
            bucket: bucket.reference(),
            policy_document: PolicyDocument::new(vec![Statement::deny_insecure_transport(vec![
                bucket.arn(),
                objects,
            ])])
            .to_value(),
        },
        Attributes::default().suppress(&[SSL_RULE_IS_WRONG, TLS_CONTROL_READS_ONLY_JOIN]),
    )?;
    let bucket_parameter = template.add(
        ids::BUCKET_PARAMETER,
        ssm::Parameter! {
            description: "Name of the S3 bucket holding the dragon data",
            name: parameters.data.bucket_parameter.name(),
            r#type: "String",
            value: bucket.reference(),
        },
    )?;
    let file_parameter = template.add(
        ids::FILE_PARAMETER,
        ssm::Parameter! {
            description: "Key of the dragon data object in the data bucket",
            name: parameters.data.file_parameter.name(),
            r#type: "String",
            value: parameters.data.data_key.reference(),
        },
    )?;
    add_log_bucket_policy(template, &log_bucket, &bucket)?;
    Ok(Storage {
        log_bucket,
        bucket,
        bucket_parameter,
        file_parameter,
    })
}

/// The log bucket: private, TLS only, SSE-S3 (the only default encryption server
/// access logging writes to), versioned, logs expiring after [`ACCESS_LOG_DAYS`].
fn add_log_bucket(template: &mut Template) -> Result<Handle<s3::Bucket_>, TemplateError> {
    template.add_with(
        ids::ACCESS_LOG_BUCKET,
        s3::Bucket! {
            bucket_encryption: s3::bucket::BucketEncryption! {
                server_side_encryption_configuration: vec![s3::bucket::ServerSideEncryptionRule! {
                    server_side_encryption_by_default: s3::bucket::ServerSideEncryptionByDefault! {
                        sse_algorithm: "AES256",
                    },
                }],
            },
            lifecycle_configuration: s3::bucket::LifecycleConfiguration! {
                rules: vec![s3::bucket::Rule! {
                    expiration_in_days: ACCESS_LOG_DAYS,
                    id: "ExpireAccessLogs",
                    noncurrent_version_expiration: s3::bucket::NoncurrentVersionExpiration! {
                        noncurrent_days: REPLACED_VERSION_DAYS,
                    },
                    status: "Enabled",
                }],
            },
            ownership_controls: owner_enforced(),
            public_access_block_configuration: private(),
            versioning_configuration: s3::bucket::VersioningConfiguration! { status: "Enabled" },
        },
        Attributes::skipping(&[CheckovSkip {
            id: "CKV_AWS_18",
            reason: LOG_BUCKET_LOGGING_REASON,
        }])
        .suppress(&[
            ACL_RULE_IS_WRONG,
            GuardSuppression {
                rule: "S3_BUCKET_LOGGING_ENABLED",
                reason: LOG_BUCKET_LOGGING_REASON,
            },
            GuardSuppression {
                rule: "CT.S3.PR.2",
                reason: LOG_BUCKET_LOGGING_REASON,
            },
            GuardSuppression {
                rule: "CT.S3.PR.10",
                reason: "S3 server access logging delivers only to a bucket whose default encryption is SSE-S3: AWS documents SSE-KMS default encryption as unsupported on the destination bucket.",
            },
            GuardSuppression {
                rule: "CT.S3.PR.4",
                reason: "Nothing consumes the log deliveries as events: the logs are read when someone audits the data bucket.",
            },
            GuardSuppression {
                rule: "CT.S3.PR.9",
                reason: LOG_LOCK_REASON,
            },
            GuardSuppression {
                rule: "S3_BUCKET_REPLICATION_ENABLED",
                reason: "Access logs of one small bucket, kept for a year in the stack's region; a cross-region replica is not worth its cost here.",
            },
            GuardSuppression {
                rule: "S3_BUCKET_DEFAULT_LOCK_ENABLED",
                reason: LOG_LOCK_REASON,
            },
        ])
        .retained(),
    )
}

/// Lets S3's log delivery write the data bucket's logs, only for that bucket in this
/// account (the confused-deputy conditions S3 documents), and only over TLS.
fn add_log_bucket_policy(
    template: &mut Template,
    log_bucket: &Handle<s3::Bucket_>,
    data_bucket: &Handle<s3::Bucket_>,
) -> Result<(), TemplateError> {
    let logs = Sub::new()
        .arn(log_bucket)
        .text(&format!("/{ACCESS_LOG_PREFIX}*"))
        .build();
    let objects = Sub::new().arn(log_bucket).text("/*").build();
    template.add_with(
        "AccessLogBucketPolicy",
        s3::BucketPolicy! {
            bucket: log_bucket.reference(),
            policy_document: PolicyDocument::new(vec![
                Statement::allow_service(
                    "DeliverDataBucketAccessLogs",
                    Service::S3Logging,
                    &[actions::S3_PUT_OBJECT],
                    vec![logs],
                )
                .when(serde_json::json!({
                    "ArnLike": { "aws:SourceArn": data_bucket.arn() },
                    "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } },
                })),
                Statement::deny_insecure_transport(vec![log_bucket.arn(), objects]),
            ])
            .to_value(),
        },
        Attributes::default().suppress(&[SSL_RULE_IS_WRONG, TLS_CONTROL_READS_ONLY_JOIN]),
    )?;
    Ok(())
}

/// SSE-S3 (AES-256) with a bucket key: what every bucket of the stack is encrypted with.
pub fn encrypted() -> s3::bucket::BucketEncryption_ {
    s3::bucket::BucketEncryption! {
        server_side_encryption_configuration: vec![s3::bucket::ServerSideEncryptionRule! {
            bucket_key_enabled: true,
            server_side_encryption_by_default: s3::bucket::ServerSideEncryptionByDefault! {
                sse_algorithm: "AES256",
            },
        }],
    }
}

/// Objects owned by the bucket's owner, ACLs disabled.
pub fn owner_enforced() -> s3::bucket::OwnershipControls_ {
    s3::bucket::OwnershipControls! {
        rules: vec![s3::bucket::OwnershipControlsRule! { object_ownership: "BucketOwnerEnforced" }],
    }
}

/// Block Public Access, all four settings on.
pub fn private() -> s3::bucket::PublicAccessBlockConfiguration_ {
    s3::bucket::PublicAccessBlockConfiguration! {
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
    }
}
