//! Resources that hold data: replacing or removing one can lose what it holds,
//! unless its `DeletionPolicy` / `UpdateReplacePolicy` keeps it.

/// What a stateful resource type holds; `None` for types that hold no data.
pub fn holds(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "AWS::S3::Bucket" => "objects",
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => "items",
        "AWS::Cognito::UserPool" => "users and their passwords",
        "AWS::Logs::LogGroup" => "log events",
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => "databases",
        "AWS::EFS::FileSystem" => "files",
        "AWS::SQS::Queue" => "messages",
        "AWS::Kinesis::Stream" => "records",
        "AWS::KMS::Key" => "key material (data encrypted under it becomes unreadable)",
        "AWS::SecretsManager::Secret" => "secret values",
        "AWS::ECR::Repository" => "images",
        "AWS::Backup::BackupVault" => "recovery points",
        "AWS::OpenSearchService::Domain" => "indices",
        _ => return None,
    })
}

/// The policy CloudFormation applies when none is set.
fn default_policy(type_name: &str) -> &'static str {
    match type_name {
        "AWS::RDS::DBCluster" | "AWS::RDS::DBInstance" => "Snapshot",
        _ => "Delete",
    }
}

/// What happens to the data of a removed resource under its `DeletionPolicy`.
pub fn on_removal(type_name: &str, policy: Option<&str>, holds: &str) -> String {
    let (policy, set) = effective(type_name, policy);
    match policy {
        "Retain" | "RetainExceptOnCreate" => format!(
            "DeletionPolicy {policy}: kept in the account with its {holds}, no longer managed by the stack"
        ),
        "Snapshot" => format!("DeletionPolicy {policy}{set}: deleted after a final snapshot"),
        _ => format!("DeletionPolicy {policy}{set}: deleted with its {holds}"),
    }
}

/// What happens to the data of a replaced resource under its `UpdateReplacePolicy`.
pub fn on_replacement(type_name: &str, policy: Option<&str>, holds: &str) -> String {
    let (policy, set) = effective(type_name, policy);
    match policy {
        "Retain" => format!(
            "UpdateReplacePolicy {policy}: the old one is kept (orphaned) with its {holds}; the new one starts empty"
        ),
        "Snapshot" => format!(
            "UpdateReplacePolicy {policy}{set}: the old one is snapshotted, then deleted; the new one starts empty"
        ),
        _ => format!(
            "UpdateReplacePolicy {policy}{set}: the old one is deleted with its {holds}; the new one starts empty"
        ),
    }
}

fn effective<'a>(type_name: &str, policy: Option<&'a str>) -> (&'a str, &'static str) {
    match policy {
        Some(policy) => (policy, ""),
        None => (default_policy(type_name), " (the default)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_types_say_what_they_hold() {
        assert_eq!(holds("AWS::S3::Bucket"), Some("objects"));
        assert_eq!(holds("AWS::Lambda::Function"), None);
    }

    #[test]
    fn policies_say_what_becomes_of_the_data() {
        let kept = on_removal("AWS::S3::Bucket", Some("Retain"), "objects");
        assert!(kept.contains("kept in the account"), "{kept}");
        let deleted = on_removal("AWS::Logs::LogGroup", None, "log events");
        assert!(
            deleted.contains("Delete (the default): deleted with its log events"),
            "{deleted}"
        );
        let replaced = on_replacement("AWS::Cognito::UserPool", None, "users");
        assert!(replaced.contains("deleted with its users"), "{replaced}");
    }
}
