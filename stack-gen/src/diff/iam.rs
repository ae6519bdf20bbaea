//! IAM changes, like `cdk diff`'s security table: statements added, removed or
//! changed in role policies, trust policies, managed policy attachments and resource
//! policies (bucket, topic, queue, log, key and API policies, Lambda permissions),
//! with the wildcards an added or widened `Allow` brings called out.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::display::one_line;

/// How a statement changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatementChangeKind {
    /// Only in the new template.
    Added,
    /// Only in the base template.
    Removed,
    /// The same `Sid`, with differences.
    Modified,
}

/// One changed statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementChange {
    /// The logical id of the resource that holds the document.
    pub owner: String,
    /// Which document: `policy NAME`, `trust policy`, `bucket policy`, ...
    pub document: String,
    /// How it changed.
    pub kind: StatementChangeKind,
    /// The statement's `Sid`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny` (`Attach` for a managed policy).
    pub effect: String,
    /// Its actions (`NOT ` before a `NotAction` entry); the new ones, unless removed.
    pub actions: Vec<String>,
    /// Its resources (`NOT ` before a `NotResource` entry).
    pub resources: Vec<String>,
    /// Its principals (`Service lambda.amazonaws.com`, `*`, ...).
    pub principals: Vec<String>,
    /// Its condition, on one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// For a modified statement: what it gained (`action s3:PutObject`, ...).
    pub gained: Vec<String>,
    /// For a modified statement: what it lost.
    pub lost: Vec<String>,
    /// Wildcards this change brings (`action s3:*`, `resource *`, `principal *`).
    pub wildcards: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Statement {
    sid: Option<String>,
    effect: String,
    actions: Vec<String>,
    resources: Vec<String>,
    principals: Vec<String>,
    condition: Option<String>,
    raw: Value,
}

fn strings(value: Option<&Value>, prefix: &str) -> Vec<String> {
    let items: Vec<&Value> = match value {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item) => vec![item],
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) => format!("{prefix}{text}"),
            other => format!("{prefix}{}", one_line(other)),
        })
        .collect()
}

fn principals(value: Option<&Value>, prefix: &str) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(Value::Object(kinds)) => kinds
            .iter()
            .flat_map(|(kind, who)| strings(Some(who), &format!("{prefix}{kind} ")))
            .collect(),
        other => strings(other, prefix),
    }
}

fn statement(raw: &Value) -> Statement {
    let field = |name: &str| raw.get(name);
    let mut actions = strings(field("Action"), "");
    actions.extend(strings(field("NotAction"), "NOT "));
    let mut resources = strings(field("Resource"), "");
    resources.extend(strings(field("NotResource"), "NOT "));
    let mut who = principals(field("Principal"), "");
    who.extend(principals(field("NotPrincipal"), "NOT "));
    Statement {
        sid: field("Sid").and_then(Value::as_str).map(str::to_owned),
        effect: field("Effect")
            .map(|effect| match effect {
                Value::String(text) => text.clone(),
                other => one_line(other),
            })
            .unwrap_or_default(),
        actions,
        resources,
        principals: who,
        condition: field("Condition").map(one_line),
        raw: raw.clone(),
    }
}

/// A statement, or each branch of an `Fn::If` of statements (`AWS::NoValue` left out),
/// its template condition kept beside the IAM one.
fn branches(raw: &Value) -> Vec<Statement> {
    match raw
        .get("Fn::If")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([Value::String(condition), then, otherwise]) => [(then, ""), (otherwise, "not ")]
            .into_iter()
            .filter(|(branch, _)| branch.get("Ref") != Some(&Value::from("AWS::NoValue")))
            .flat_map(|(branch, negation)| {
                branches(branch).into_iter().map(move |mut statement| {
                    let only_if = format!("only if {negation}{condition}");
                    statement.condition = Some(match statement.condition.take() {
                        Some(iam) => format!("{only_if}; {iam}"),
                        None => only_if,
                    });
                    statement
                })
            })
            .collect(),
        _ => vec![statement(raw)],
    }
}

/// The statements of a policy document (written as JSON or as a JSON string).
fn statements(document: &Value) -> Vec<Statement> {
    let parsed;
    let document = match document {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                parsed = value;
                &parsed
            }
            Err(_) => return Vec::new(),
        },
        other => other,
    };
    match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().flat_map(branches).collect(),
        Some(item @ Value::Object(_)) => vec![statement(item)],
        // An intrinsic (an `Fn::If`, say) in place of the document: one opaque entry.
        _ if !document.is_null() => vec![Statement {
            sid: None,
            effect: String::new(),
            actions: vec![one_line(document)],
            resources: Vec::new(),
            principals: Vec::new(),
            condition: None,
            raw: document.clone(),
        }],
        _ => Vec::new(),
    }
}

/// The policy documents a resource holds, by name.
fn documents(type_name: &str, properties: &Value) -> Vec<(String, Vec<Statement>)> {
    let property = |name: &str| properties.get(name);
    let one = |label: &str, name: &str| -> Vec<(String, Vec<Statement>)> {
        property(name)
            .map(|document| vec![(label.to_owned(), statements(document))])
            .unwrap_or_default()
    };
    match type_name {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            let mut out = one("trust policy", "AssumeRolePolicyDocument");
            for policy in property("Policies")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = policy
                    .get("PolicyName")
                    .map(|name| match name {
                        Value::String(text) => text.clone(),
                        other => one_line(other),
                    })
                    .unwrap_or_default();
                let document = policy.get("PolicyDocument").unwrap_or(&Value::Null);
                out.push((format!("policy {name}"), statements(document)));
            }
            let attached: Vec<Statement> = strings(property("ManagedPolicyArns"), "")
                .into_iter()
                .map(|arn| Statement {
                    sid: None,
                    effect: "Attach".to_owned(),
                    actions: vec![arn.clone()],
                    resources: Vec::new(),
                    principals: Vec::new(),
                    condition: None,
                    raw: Value::String(arn),
                })
                .collect();
            if !attached.is_empty() {
                out.push(("managed policies".to_owned(), attached));
            }
            out
        }
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy" => one("policy", "PolicyDocument"),
        "AWS::S3::BucketPolicy" => one("bucket policy", "PolicyDocument"),
        "AWS::SNS::TopicPolicy" => one("topic policy", "PolicyDocument"),
        "AWS::SQS::QueuePolicy" => one("queue policy", "PolicyDocument"),
        "AWS::Logs::ResourcePolicy" => one("log resource policy", "PolicyDocument"),
        "AWS::KMS::Key" => one("key policy", "KeyPolicy"),
        "AWS::ApiGateway::RestApi" => one("API policy", "Policy"),
        "AWS::ECR::Repository" => one("repository policy", "RepositoryPolicyText"),
        "AWS::SecretsManager::ResourcePolicy" => one("secret policy", "ResourcePolicy"),
        "AWS::DynamoDB::Table" => property("ResourcePolicy")
            .and_then(|policy| policy.get("PolicyDocument"))
            .map(|document| vec![("table policy".to_owned(), statements(document))])
            .unwrap_or_default(),
        "AWS::Lambda::Permission" => {
            let mut condition = serde_json::Map::new();
            for (key, name) in [
                ("SourceArn", "aws:SourceArn"),
                ("SourceAccount", "aws:SourceAccount"),
            ] {
                if let Some(value) = property(key) {
                    condition.insert(name.to_owned(), value.clone());
                }
            }
            let raw = json!({
                "Effect": "Allow",
                "Action": property("Action").cloned().unwrap_or(Value::Null),
                "Resource": property("FunctionName").cloned().unwrap_or(Value::Null),
                "Principal": property("Principal").cloned().unwrap_or(Value::Null),
            });
            let mut permission = statement(&raw);
            if !condition.is_empty() {
                permission.condition = Some(one_line(&Value::Object(condition.clone())));
                permission.raw["Condition"] = Value::Object(condition);
            }
            vec![("Lambda permission".to_owned(), vec![permission])]
        }
        _ => Vec::new(),
    }
}

type Documents = BTreeMap<(String, String), Vec<Statement>>;

fn all_documents(resources: Option<&Value>) -> Documents {
    let mut out = Documents::new();
    for (id, resource) in resources.and_then(Value::as_object).into_iter().flatten() {
        let type_name = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let properties = resource.get("Properties").unwrap_or(&Value::Null);
        for (label, statements) in documents(type_name, properties) {
            out.insert((id.clone(), label), statements);
        }
    }
    out
}

const BROAD_MANAGED_POLICIES: [&str; 3] =
    ["/AdministratorAccess", "/PowerUserAccess", "/IAMFullAccess"];

fn wildcards(statement: &Statement) -> Vec<String> {
    let mut out = Vec::new();
    if statement.effect == "Attach" {
        for arn in &statement.actions {
            if BROAD_MANAGED_POLICIES
                .iter()
                .any(|name| arn.ends_with(name))
            {
                out.push(format!("managed policy {arn}"));
            }
        }
        return out;
    }
    if statement.effect != "Allow" {
        return out;
    }
    for action in &statement.actions {
        if let Some(action) = action.strip_prefix("NOT ") {
            out.push(format!("NotAction {action}: allows every other action"));
        } else if action.contains('*') {
            out.push(format!("action {action}"));
        }
    }
    for resource in &statement.resources {
        if let Some(resource) = resource.strip_prefix("NOT ") {
            out.push(format!("NotResource {resource}: every other resource"));
        } else if resource == "*" {
            out.push("resource *".to_owned());
        }
    }
    for principal in &statement.principals {
        if principal == "*" || principal == "AWS *" {
            out.push("principal *".to_owned());
        }
    }
    out
}

fn difference(label: &str, a: &[String], b: &[String]) -> Vec<String> {
    b.iter()
        .filter(|item| !a.contains(item))
        .map(|item| format!("{label} {item}"))
        .collect()
}

fn change(
    (owner, document): &(String, String),
    kind: StatementChangeKind,
    old: Option<&Statement>,
    new: &Statement,
) -> StatementChange {
    let (mut gained, mut lost, mut brought) = (Vec::new(), Vec::new(), wildcards(new));
    if let Some(old) = old {
        for (label, a, b) in [
            ("action", &old.actions, &new.actions),
            ("resource", &old.resources, &new.resources),
            ("principal", &old.principals, &new.principals),
        ] {
            gained.extend(difference(label, a, b));
            lost.extend(difference(label, b, a));
        }
        if old.effect != new.effect {
            gained.push(format!("effect {}", new.effect));
            lost.push(format!("effect {}", old.effect));
        }
        if old.condition != new.condition {
            gained.extend(new.condition.iter().map(|c| format!("condition {c}")));
            lost.extend(old.condition.iter().map(|c| format!("condition {c}")));
        }
        let before = wildcards(old);
        brought.retain(|wildcard| !before.contains(wildcard));
    }
    StatementChange {
        owner: owner.clone(),
        document: document.clone(),
        kind,
        sid: new.sid.clone(),
        effect: new.effect.clone(),
        actions: new.actions.clone(),
        resources: new.resources.clone(),
        principals: new.principals.clone(),
        condition: new.condition.clone(),
        gained,
        lost,
        wildcards: brought,
    }
}

/// The statement changes from the `old` template's `Resources` to the `new` one's.
pub fn compare(old: Option<&Value>, new: Option<&Value>) -> Vec<StatementChange> {
    let (old, new) = (all_documents(old), all_documents(new));
    let empty = Vec::new();
    let mut keys: Vec<&(String, String)> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let mut before: Vec<&Statement> = old.get(key).unwrap_or(&empty).iter().collect();
        let mut after: Vec<&Statement> = new.get(key).unwrap_or(&empty).iter().collect();
        // Unchanged statements drop out; then statements pair up by Sid.
        after.retain(
            |statement| match before.iter().position(|b| b.raw == statement.raw) {
                Some(i) => {
                    before.remove(i);
                    false
                }
                None => true,
            },
        );
        for statement in after {
            let same_sid = statement
                .sid
                .as_ref()
                .and_then(|sid| before.iter().position(|b| b.sid.as_ref() == Some(sid)));
            match same_sid {
                Some(i) => {
                    let old = before.remove(i);
                    out.push(change(
                        key,
                        StatementChangeKind::Modified,
                        Some(old),
                        statement,
                    ));
                }
                None => out.push(change(key, StatementChangeKind::Added, None, statement)),
            }
        }
        for statement in before {
            let mut removed = change(key, StatementChangeKind::Removed, None, statement);
            removed.wildcards.clear();
            out.push(removed);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(statements: Value) -> Value {
        json!({"Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]},
            "Policies": [{"PolicyName": "P", "PolicyDocument": {"Statement": statements}}]
        }}})
    }

    #[test]
    fn reports_added_removed_and_widened_statements() {
        let old = role(json!([
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "Gone", "Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:::t"}
        ]));
        let new = role(json!([
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "New", "Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}
        ]));
        let changes = compare(Some(&old), Some(&new));
        let summary: Vec<(StatementChangeKind, Option<&str>, &[String])> = changes
            .iter()
            .map(|c| (c.kind, c.sid.as_deref(), c.wildcards.as_slice()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    StatementChangeKind::Modified,
                    Some("Read"),
                    &["action s3:*".to_owned()][..]
                ),
                (
                    StatementChangeKind::Added,
                    Some("New"),
                    &["resource *".to_owned()][..]
                ),
                (StatementChangeKind::Removed, Some("Gone"), &[][..]),
            ]
        );
        assert_eq!(changes[0].gained, ["action s3:*"]);
        assert_eq!(changes[0].document, "policy P");
        assert!(compare(Some(&old), Some(&old)).is_empty());
    }

    #[test]
    fn lambda_permissions_and_string_documents_are_policies_too() {
        let old = json!({});
        let new = json!({
            "Perm": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "*"}},
            "Logs": {"Type": "AWS::Logs::ResourcePolicy", "Properties": {"PolicyDocument": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:*\",\"Resource\":\"*\"}]}"}}
        });
        let changes = compare(Some(&old), Some(&new));
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].owner, "Logs");
        assert_eq!(changes[0].wildcards, ["action logs:*", "resource *"]);
        assert_eq!(changes[1].document, "Lambda permission");
        assert_eq!(changes[1].wildcards, ["principal *"]);
    }

    #[test]
    fn a_broad_managed_policy_is_called_out() {
        let new = json!({"Role": {"Type": "AWS::IAM::Role", "Properties": {
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}}});
        let changes = compare(None, Some(&new));
        assert_eq!(
            changes[0].wildcards,
            ["managed policy arn:aws:iam::aws:policy/AdministratorAccess"]
        );
    }
}
