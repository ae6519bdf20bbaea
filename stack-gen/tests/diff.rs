//! `stack-gen diff` on real template pairs: the real stack against variants built by
//! the same stack code with one change (`stack::build_with` and `Edits`).

// Test helpers panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use serde_json::Value;
use stack_gen::diff::{
    self, Diff, FailOn, Format, Labels, ResourceChange, ResourceChangeKind, StatementChangeKind,
    UpdateBehavior,
};
use stack_gen::iam::{PolicyDocument, Statement, actions};
use stack_gen::stack;
use stack_gen::template::Edits;
use stratosphere::services::aws::{cognito, iam, lambda, sns};

fn template(edits: Edits) -> Value {
    stack::build_with(edits)
        .unwrap()
        .template
        .to_value()
        .unwrap()
}

fn diff_between(base: Edits, current: Edits) -> Diff {
    diff::compare(&template(base), &template(current)).unwrap()
}

/// The real stack as the base, the variant as the change.
fn diff_to(current: Edits) -> Diff {
    diff_between(Edits::none(), current)
}

fn resource<'a>(diff: &'a Diff, id: &str) -> &'a ResourceChange {
    diff.resources
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no change to {id} in {diff:#?}"))
}

fn text(diff: &Diff) -> String {
    let labels = Labels {
        base: "base".into(),
        current: "variant".into(),
    };
    diff::render(diff, Format::Text, &labels).unwrap()
}

fn email_pool(pool: &mut cognito::UserPool_, mutable: bool, extra: Option<&str>) {
    let mut schema = vec![cognito::userpool::SchemaAttribute! {
        attribute_data_type: "String",
        mutable: mutable,
        name: "email",
        required: true,
    }];
    if let Some(name) = extra {
        schema.push(cognito::userpool::SchemaAttribute! {
            attribute_data_type: "String",
            mutable: true,
            name: name,
        });
    }
    pool.schema = Some(schema);
}

#[test]
fn no_change_is_empty_and_says_so() {
    let diff = diff_to(Edits::none());
    assert!(diff.is_empty(), "{diff:#?}");
    assert!(!diff.fails(FailOn::Changes));
    assert!(text(&diff).ends_with(": no changes\n"), "{}", text(&diff));
}

#[test]
fn a_changed_username_attribute_cannot_update_the_stateful_user_pool() {
    let diff = diff_to(
        Edits::none().change("UserPool", |pool: &mut cognito::UserPool_| {
            pool.username_attributes = Some(vec!["phone_number".into()]);
        }),
    );
    assert_eq!(diff.resources.len(), 1, "{diff:#?}");
    let pool = resource(&diff, "UserPool");
    assert_eq!(pool.behavior, Some(UpdateBehavior::Refused));
    assert_eq!(pool.properties[0].path.to_string(), "UsernameAttributes");
    assert_eq!(pool.properties[0].old.as_deref(), Some("[\"email\"]"));
    assert_eq!(
        pool.properties[0].new.as_deref(),
        Some("[\"phone_number\"]")
    );
    assert_eq!(pool.holds, Some("users and their passwords"));
    assert!(pool.data_at_risk());
    let alerts = diff.alerts();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert!(alerts[0].message.starts_with("STATEFUL"), "{alerts:#?}");
    assert!(
        alerts[0].message.contains("needs replacement"),
        "{alerts:#?}"
    );
    assert!(diff.fails(FailOn::Replacement));
    assert!(diff.fails(FailOn::StatefulReplacement));
}

#[test]
fn a_changed_schema_attribute_cannot_update_the_user_pool_but_a_new_custom_one_can() {
    let base = || {
        Edits::none().change("UserPool", |p: &mut cognito::UserPool_| {
            email_pool(p, true, None)
        })
    };
    let changed = diff_between(
        base(),
        Edits::none().change("UserPool", |p: &mut cognito::UserPool_| {
            email_pool(p, false, None)
        }),
    );
    let pool = resource(&changed, "UserPool");
    assert_eq!(
        pool.properties[0].path.to_string(),
        "Schema[Name=email].Mutable"
    );
    assert_eq!(pool.behavior, Some(UpdateBehavior::Refused));
    assert!(pool.data_at_risk() && changed.fails(FailOn::StatefulReplacement));

    let added = diff_between(
        base(),
        Edits::none().change("UserPool", |p: &mut cognito::UserPool_| {
            email_pool(p, true, Some("team"));
        }),
    );
    let pool = resource(&added, "UserPool");
    assert_eq!(pool.properties[0].path.to_string(), "Schema[Name=team]");
    assert_eq!(pool.behavior, Some(UpdateBehavior::InPlace), "{pool:#?}");
    assert!(!added.fails(FailOn::Replacement));
}

#[test]
fn a_lambda_memory_size_change_is_in_place_and_publishes_a_new_version() {
    let diff = diff_to(
        Edits::none().change("ListDragonsFunction", |function: &mut lambda::Function_| {
            function.memory_size = Some(1024)
        }),
    );
    assert_eq!(diff.resources.len(), 3, "{diff:#?}");
    let function = resource(&diff, "ListDragonsFunction");
    assert_eq!(function.kind, ResourceChangeKind::Modified);
    assert_eq!(function.behavior, Some(UpdateBehavior::InPlace));
    let property = &function.properties[0];
    assert_eq!(
        (
            property.path.to_string(),
            property.old.as_deref(),
            property.new.as_deref()
        ),
        ("MemorySize".to_owned(), Some("128"), Some("1024"))
    );
    // The version's description names the function's definition: a new version is
    // published, which CodeDeploy shifts the alias to.
    let version = resource(&diff, "ListDragonsVersion");
    assert_eq!(version.behavior, Some(UpdateBehavior::Replacement));
    assert_eq!(version.properties[0].path.to_string(), "Description");
    let alias = resource(&diff, "ListDragonsAlias");
    assert_eq!(alias.behavior, Some(UpdateBehavior::InPlace), "{alias:#?}");
    assert!(diff.fails(FailOn::Changes));
    assert!(diff.fails(FailOn::Replacement));
    assert!(!diff.fails(FailOn::StatefulReplacement));
    assert!(
        text(&diff).contains("MemorySize: 128 → 1024  [in place]"),
        "{}",
        text(&diff)
    );
}

#[test]
fn a_removed_bucket_is_a_stateful_removal_with_its_deletion_policy() {
    let diff = diff_to(Edits::none().omit("DataBucket"));
    let bucket = resource(&diff, "DataBucket");
    assert_eq!(bucket.kind, ResourceChangeKind::Removed);
    assert_eq!(bucket.holds, Some("objects"));
    let data = bucket.data.as_deref().unwrap();
    assert!(
        data.contains("DeletionPolicy Retain: kept in the account"),
        "{data}"
    );
    assert!(
        diff.alerts()[0]
            .message
            .contains("STATEFUL, holds objects: removed")
    );
    assert!(diff.fails(FailOn::StatefulReplacement));

    let logs = diff_to(Edits::none().omit("ListDragonsLogGroup"));
    let data = resource(&logs, "ListDragonsLogGroup").data.clone().unwrap();
    assert!(
        data.contains("DeletionPolicy Delete (the default): deleted with its log events"),
        "{data}"
    );
}

#[test]
fn an_added_s3_star_statement_is_a_wildcard_warning() {
    let diff = diff_to(
        Edits::none().change("ListDragonsRole", |role: &mut iam::Role_| {
            let extra = PolicyDocument::new(vec![Statement::allow_unscoped(
                "Everything",
                &[actions::S3_ALL],
            )])
            .to_value();
            let policy = &mut role.policies.as_mut().unwrap()[0];
            policy.policy_document["Statement"]
                .as_array_mut()
                .unwrap()
                .push(extra["Statement"][0].clone());
        }),
    );
    assert_eq!(diff.iam.len(), 1, "{:#?}", diff.iam);
    let statement = &diff.iam[0];
    assert_eq!(statement.kind, StatementChangeKind::Added);
    assert_eq!(
        (statement.owner.as_str(), statement.document.as_str()),
        ("ListDragonsRole", "policy ListDragonsPolicy")
    );
    assert_eq!(statement.wildcards, ["action s3:*", "resource *"]);
    let alerts: Vec<String> = diff.alerts().into_iter().map(|a| a.message).collect();
    assert_eq!(
        alerts,
        [
            "IAM wildcard added: action s3:*",
            "IAM wildcard added: resource *"
        ]
    );
    let role = resource(&diff, "ListDragonsRole");
    assert_eq!(role.behavior, Some(UpdateBehavior::InPlace));
}

#[test]
fn a_renamed_logical_id_is_a_replacement_and_so_is_what_refers_to_it_create_only() {
    let diff = diff_to(Edits::none().rename("DataBucket", "DragonDataBucket"));
    let bucket = resource(&diff, "DragonDataBucket");
    assert_eq!(
        bucket.kind,
        ResourceChangeKind::Renamed {
            from: "DataBucket".into()
        }
    );
    assert_eq!(bucket.behavior, Some(UpdateBehavior::Replacement));
    assert!(bucket.data_at_risk());
    assert!(
        bucket
            .data
            .as_deref()
            .unwrap()
            .contains("the new one starts empty")
    );
    // The policy's Bucket (create-only) now refers to the new id.
    let policy = resource(&diff, "DataBucketPolicy");
    assert_eq!(policy.behavior, Some(UpdateBehavior::Replacement));
    assert_eq!(policy.properties[0].old.as_deref(), Some("!Ref DataBucket"));
    assert_eq!(
        policy.properties[0].new.as_deref(),
        Some("!Ref DragonDataBucket")
    );
    assert!(diff.resources.iter().all(|c| c.id != "DataBucket"));
    assert!(diff.fails(FailOn::StatefulReplacement));
}

#[test]
fn a_replacement_spreads_to_create_only_references() {
    let diff = diff_to(
        Edits::none().change("DragonReportsTopic", |topic: &mut sns::Topic_| {
            topic.topic_name = Some("dragon-reports".into());
        }),
    );
    let topic = resource(&diff, "DragonReportsTopic");
    assert_eq!(topic.behavior, Some(UpdateBehavior::Replacement));
    assert_eq!(
        topic.properties[0].reason.as_deref(),
        Some("TopicName is create-only")
    );
    let subscription = resource(&diff, "NotificationEmailSubscription");
    assert_eq!(subscription.behavior, Some(UpdateBehavior::Replacement));
    let reason = subscription.properties[0].reason.as_deref().unwrap();
    assert!(
        reason.starts_with("DragonReportsTopic is replaced"),
        "{reason}"
    );
    // A policy naming the topic's ARN is updated in place.
    let role = resource(&diff, "StateMachineRole");
    assert_eq!(role.behavior, Some(UpdateBehavior::InPlace), "{role:#?}");
    assert!(diff.fails(FailOn::Replacement));
    assert!(!diff.fails(FailOn::StatefulReplacement));
}

#[test]
fn markdown_is_a_findable_pull_request_comment() {
    let diff = diff_to(Edits::none().omit("DataBucket"));
    let labels = Labels {
        base: "origin/main".into(),
        current: "this pull request".into(),
    };
    let markdown = diff::render(&diff, Format::Markdown, &labels).unwrap();
    assert!(
        markdown.starts_with("<!-- stack-gen diff -->\n"),
        "{markdown}"
    );
    assert!(markdown.contains("> [!CAUTION]"), "{markdown}");
    assert!(
        markdown.contains(
            "| - | `DataBucket` | `AWS::S3::Bucket` | **deleted from the stack** (holds objects) |"
        ),
        "{markdown}"
    );
    let json: Value =
        serde_json::from_str(&diff::render(&diff, Format::Json, &labels).unwrap()).unwrap();
    assert_eq!(json["changed"], true);
    assert_eq!(json["resources"][0]["kind"], "removed");
}

fn stack_gen(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stack-gen"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_command_exits_0_unchanged_1_changed_2_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let same = dir.path().join("same.json");
    std::fs::write(&same, stack::build().unwrap().template.to_json().unwrap()).unwrap();
    let out = stack_gen(&["diff", "--base", same.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("no changes"));

    let variant = template(
        Edits::none().change("DragonReportsTopic", |topic: &mut sns::Topic_| {
            topic.display_name = Some("Other".into())
        }),
    );
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, serde_json::to_string(&variant).unwrap()).unwrap();
    let out = stack_gen(&["diff", "--base", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let gate = stack_gen(&[
        "diff",
        "--base",
        changed.to_str().unwrap(),
        "--fail-on",
        "replacement",
    ]);
    assert_eq!(gate.status.code(), Some(0), "{gate:?}");

    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{").unwrap();
    let out = stack_gen(&["diff", "--base", not_json.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not JSON"));

    // A folder outside any git repository: a revision cannot be read there.
    let out = stack_gen(&["diff", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not in a git repository"),
        "{out:?}"
    );
    let out = stack_gen(&["diff", "--base", "no-such-revision"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn the_update_table_covers_every_type_and_property_the_stack_sets() {
    let template = template(Edits::none());
    for (id, resource) in template["Resources"].as_object().unwrap() {
        let type_name = resource["Type"].as_str().unwrap();
        let rules = diff::rules(type_name).unwrap_or_else(|| {
            panic!("{id}: {type_name} is not in the update table: run scripts/gen-update-table")
        });
        for property in resource["Properties"].as_object().unwrap().keys() {
            assert!(
                rules.properties.contains(&property.as_str()),
                "{id}: {type_name}.{property} is not in the update table: run scripts/gen-update-table"
            );
        }
    }
}

#[test]
fn an_edit_that_meets_no_resource_or_the_wrong_type_fails_the_build() {
    let error = stack::build_with(Edits::none().omit("NoSuchResource"))
        .err()
        .unwrap();
    assert!(
        error
            .to_string()
            .contains("`NoSuchResource` met no resource"),
        "{error}"
    );
    let wrong = Edits::none().change("UserPool", |_: &mut lambda::Function_| {});
    let error = stack::build_with(wrong).err().unwrap();
    assert!(error.to_string().contains("expects"), "{error}");
}
