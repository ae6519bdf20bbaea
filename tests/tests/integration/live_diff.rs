//! `stack-gen diff --stack` against a stack deployed on moto: nothing for the
//! template and values it was deployed with, a changed parameter value, and a changed
//! resource, read through CloudFormation's GetTemplate and DescribeStacks.

use dragons_harness::fixtures::{sdk_config, unique_name};
use dragons_harness::in_workspace;
use dragons_harness::moto::Moto;
use serde_json::Value;
use stack_gen::diff::{self, ResourceChangeKind};
use stack_gen::environment::Environment;

use crate::deploy::{deploy, package_for_moto, stack_status};

#[tokio::test]
async fn the_live_diff_reports_changed_values_and_resources_and_nothing_else() {
    let moto = Moto::shared().unwrap();
    let config = sdk_config(&moto.endpoint()).await;
    let packaged = package_for_moto(&moto, &config).await;
    let stack = unique_name("dragons-test");
    let test = Environment::load(&in_workspace("deploy/test.json")).unwrap();
    deploy(
        &moto,
        &packaged,
        &stack,
        &test.overrides(),
        &test.tag_args(),
    );
    assert_eq!(stack_status(&moto, &stack), "CREATE_COMPLETE");

    let client = aws_sdk_cloudformation::Client::new(&config);
    let deployed = stack_gen::live::deployed(&client, &stack).await.unwrap();
    assert_eq!(deployed.parameters["Mfa"], test.parameters["Mfa"]);
    // The template as deployed (the copy moto can deploy: see `deploy`).
    let template: Value = serde_json::from_slice(&std::fs::read(&packaged.path).unwrap()).unwrap();
    let compare = |template: &Value, environment: &Environment| {
        let (old, new) = diff::comparable(&deployed, template, &environment.values(template));
        diff::compare(&old, &new).unwrap()
    };

    let unchanged = compare(&template, &test);
    assert!(unchanged.is_empty(), "{unchanged:#?}");

    let mut prod_mfa = test.clone();
    prod_mfa
        .parameters
        .insert("Mfa".to_owned(), "ON".to_owned());
    let changed = compare(&template, &prod_mfa);
    assert!(changed.resources.is_empty(), "{changed:#?}");
    assert_eq!(changed.parameters.len(), 1, "{changed:#?}");
    assert_eq!(changed.parameters[0].id, "Mfa");
    let text = diff::render(&changed, diff::Format::Text, &labels()).unwrap();
    assert!(text.contains("OPTIONAL") && text.contains("ON"), "{text}");

    let mut bigger = template.clone();
    bigger["Resources"]["ListDragonsFunction"]["Properties"]["MemorySize"] = 256.into();
    let changed = compare(&bigger, &test);
    assert!(changed.parameters.is_empty(), "{changed:#?}");
    let ids: Vec<(&str, &ResourceChangeKind)> = changed
        .resources
        .iter()
        .map(|change| (change.id.as_str(), &change.kind))
        .collect();
    assert_eq!(
        ids,
        [("ListDragonsFunction", &ResourceChangeKind::Modified)]
    );
}

fn labels() -> diff::Labels {
    diff::Labels {
        base: "deployed".to_owned(),
        current: "this code".to_owned(),
    }
}
