//! `destroy`: deletes a stack and keeps its data. What CloudFormation cannot delete
//! is emptied first (the web app's bucket: a bucket must be empty to be deleted); the
//! stateful resources the template retains (the data bucket, its access log bucket,
//! the table) and the user pool stay, and are listed. With `delete_data` they are
//! deleted too, after the stack: each bucket emptied of every version, then deleted;
//! the table's and the pool's deletion protection turned off, then each deleted.

use std::time::{Duration, Instant};

use aws_sdk_s3::{
    error::{DisplayErrorContext, ProvideErrorMetadata},
    types::{Delete, ObjectIdentifier},
};
use serde::Serialize;

use crate::{
    clients::OpsClients,
    stack::{Stack, ids},
};

/// Keys one DeleteObjects request removes at most (S3's limit).
const DELETE_BATCH: usize = 1000;
/// How long the stack's deletion may take.
const DELETE_TIMEOUT: Duration = Duration::from_secs(45 * 60);

/// A stateful resource of the stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stateful {
    /// What it is (`data bucket`, `user pool`, …).
    pub what: &'static str,
    /// Its logical id.
    pub logical_id: &'static str,
    /// Its name or id.
    pub physical_id: String,
}

/// What a destroy does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The stack.
    pub stack: String,
    /// Buckets emptied before the stack is deleted.
    pub emptied: Vec<String>,
    /// What the stack holds that outlives it unless `delete_data`.
    pub data: Vec<Stateful>,
    /// Whether `data` is deleted too.
    pub delete_data: bool,
}

/// What a destroy did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The plan it carried out.
    pub plan: Plan,
    /// Object versions removed from the emptied buckets.
    pub objects_removed: usize,
    /// The stateful resources deleted.
    pub deleted: Vec<Stateful>,
    /// The stateful resources kept.
    pub kept: Vec<Stateful>,
}

/// Why the destroy stopped.
#[derive(Debug, thiserror::Error)]
#[error("{step}: {message}")]
pub struct DestroyError {
    /// What it was doing.
    pub step: String,
    /// What went wrong.
    pub message: String,
}

fn failed(step: impl Into<String>) -> impl Fn(String) -> DestroyError {
    let step = step.into();
    move |message| DestroyError {
        step: step.clone(),
        message,
    }
}

/// What destroying `stack` would do.
pub fn plan(stack: &Stack, delete_data: bool) -> Plan {
    let data = [
        ("data bucket", ids::DATA_BUCKET),
        ("access log bucket", ids::ACCESS_LOG_BUCKET),
        ("DynamoDB table", ids::TABLE),
        ("user pool", ids::USER_POOL),
    ]
    .into_iter()
    .filter_map(|(what, logical_id)| {
        stack.optional(logical_id).map(|physical_id| Stateful {
            what,
            logical_id,
            physical_id: physical_id.to_owned(),
        })
    })
    .collect();
    Plan {
        stack: stack.name.clone(),
        emptied: stack
            .optional(ids::SITE_BUCKET)
            .map(str::to_owned)
            .into_iter()
            .collect(),
        data,
        delete_data,
    }
}

/// Carries out `plan`, reporting each step to `progress`.
pub async fn destroy(
    clients: &OpsClients,
    plan: Plan,
    progress: &mut dyn FnMut(&str),
) -> Result<Outcome, DestroyError> {
    let mut objects_removed = 0;
    for bucket in &plan.emptied {
        progress(&format!("emptying s3://{bucket}"));
        objects_removed += empty_bucket(&clients.aws.s3, bucket).await?;
    }
    progress(&format!("deleting stack {}", plan.stack));
    delete_stack(&clients.cloudformation, &plan.stack, progress).await?;
    let mut deleted = Vec::new();
    let mut kept = Vec::new();
    for resource in &plan.data {
        if plan.delete_data {
            progress(&format!(
                "deleting the {} {}",
                resource.what, resource.physical_id
            ));
            if delete_stateful(clients, resource, &mut objects_removed).await? {
                deleted.push(resource.clone());
            }
        } else if exists(clients, resource).await {
            kept.push(resource.clone());
        }
    }
    Ok(Outcome {
        plan,
        objects_removed,
        deleted,
        kept,
    })
}

/// Deletes every object version and delete marker of `bucket`; how many.
pub async fn empty_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<usize, DestroyError> {
    let step = format!("emptying s3://{bucket}");
    let mut removed = 0;
    loop {
        // Listing again after each batch: what was deleted is no longer listed.
        let listed = match s3.list_object_versions().bucket(bucket).send().await {
            Ok(listed) => listed,
            Err(error) if error.code() == Some("NoSuchBucket") => return Ok(removed),
            Err(error) => return Err(failed(&step)(DisplayErrorContext(&error).to_string())),
        };
        let versions = listed
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(
                listed
                    .delete_markers()
                    .iter()
                    .map(|m| (m.key(), m.version_id())),
            );
        let objects = versions
            .filter_map(|(key, version)| {
                ObjectIdentifier::builder()
                    .key(key?)
                    .set_version_id(version.map(str::to_owned))
                    .build()
                    .ok()
            })
            .take(DELETE_BATCH)
            .collect::<Vec<_>>();
        if objects.is_empty() {
            return Ok(removed);
        }
        let count = objects.len();
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|error| failed(&step)(error.to_string()))?;
        s3.delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|error| failed(&step)(DisplayErrorContext(&error).to_string()))?;
        removed += count;
    }
}

async fn delete_stack(
    cloudformation: &aws_sdk_cloudformation::Client,
    stack: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(), DestroyError> {
    let step = format!("deleting stack {stack}");
    let stack_id = cloudformation
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|error| failed(&step)(DisplayErrorContext(&error).to_string()))?
        .stacks()
        .first()
        .and_then(|s| s.stack_id())
        .map(str::to_owned)
        .ok_or_else(|| failed(&step)("no such stack".to_owned()))?;
    cloudformation
        .delete_stack()
        .stack_name(&stack_id)
        .send()
        .await
        .map_err(|error| failed(&step)(DisplayErrorContext(&error).to_string()))?;
    let started = Instant::now();
    loop {
        // By its id: a deleted stack is still described by id (DELETE_COMPLETE).
        let status = match cloudformation
            .describe_stacks()
            .stack_name(&stack_id)
            .send()
            .await
        {
            Ok(described) => described
                .stacks()
                .first()
                .and_then(|s| s.stack_status())
                .map(|s| s.as_str().to_owned()),
            Err(error) if error.code() == Some("ValidationError") => None,
            Err(error) => return Err(failed(&step)(DisplayErrorContext(&error).to_string())),
        };
        match status.as_deref() {
            None | Some("DELETE_COMPLETE") => return Ok(()),
            Some("DELETE_FAILED") => {
                return Err(failed(&step)(
                    "DELETE_FAILED: see the stack's events (aws cloudformation describe-stack-events)".to_owned(),
                ));
            }
            Some(other) => progress(&format!("deleting stack {stack}: {other}")),
        }
        if started.elapsed() > DELETE_TIMEOUT {
            return Err(failed(&step)(format!(
                "still not deleted after {} minutes",
                DELETE_TIMEOUT.as_secs() / 60
            )));
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// Whether the resource is still there (it may not be: an older template did not
/// retain it).
async fn exists(clients: &OpsClients, resource: &Stateful) -> bool {
    let id = &resource.physical_id;
    match resource.logical_id {
        ids::USER_POOL => clients
            .cognito
            .describe_user_pool()
            .user_pool_id(id)
            .send()
            .await
            .is_ok(),
        ids::TABLE => clients
            .aws
            .dynamodb
            .describe_table()
            .table_name(id)
            .send()
            .await
            .is_ok(),
        _ => clients.aws.s3.head_bucket().bucket(id).send().await.is_ok(),
    }
}

/// Deletes a stateful resource; whether it was there.
async fn delete_stateful(
    clients: &OpsClients,
    resource: &Stateful,
    objects_removed: &mut usize,
) -> Result<bool, DestroyError> {
    if !exists(clients, resource).await {
        return Ok(false);
    }
    let id = &resource.physical_id;
    let step = format!("deleting the {} {id}", resource.what);
    let error = |e: String| failed(&step)(e);
    match resource.logical_id {
        ids::USER_POOL => {
            // UpdateUserPool resets what it is not given; the pool is deleted next.
            clients
                .cognito
                .update_user_pool()
                .user_pool_id(id)
                .deletion_protection(
                    aws_sdk_cognitoidentityprovider::types::DeletionProtectionType::Inactive,
                )
                .send()
                .await
                .map_err(|e| error(DisplayErrorContext(&e).to_string()))?;
            clients
                .cognito
                .delete_user_pool()
                .user_pool_id(id)
                .send()
                .await
                .map_err(|e| error(DisplayErrorContext(&e).to_string()))?;
        }
        ids::TABLE => {
            clients
                .aws
                .dynamodb
                .update_table()
                .table_name(id)
                .deletion_protection_enabled(false)
                .send()
                .await
                .map_err(|e| error(DisplayErrorContext(&e).to_string()))?;
            clients
                .aws
                .dynamodb
                .delete_table()
                .table_name(id)
                .send()
                .await
                .map_err(|e| error(DisplayErrorContext(&e).to_string()))?;
        }
        _ => {
            *objects_removed += empty_bucket(&clients.aws.s3, id).await?;
            clients
                .aws
                .s3
                .delete_bucket()
                .bucket(id)
                .send()
                .await
                .map_err(|e| error(DisplayErrorContext(&e).to_string()))?;
        }
    }
    Ok(true)
}
