//! Two environments from one template: on one moto account and Region, the packaged
//! template deploys as `dragons-test` and as `dragons-prod`, each with its
//! environment file (`deploy/<env>.json`); both create, every SSM parameter is named
//! after its stack, and each stack's list function, run with that stack's
//! environment variables, reads its own stack's data and nothing of the other's.

use std::collections::BTreeMap;

use dragons_contract::names::{
    DEFAULT_BUCKET_PARAMETER, DEFAULT_FILE_PARAMETER, ENV_BUCKET_PARAMETER, ENV_FILE_PARAMETER,
    stack_parameter,
};
use dragons_contract::query_engine::QueryEngine;
use dragons_harness::fixtures::{clients, sdk_config};
use dragons_harness::in_workspace;
use dragons_harness::moto::Moto;
use handlers::api::list_dragons::list_dragons;
use handlers::aws::{ParameterNames, S3Store};
use lambda_http::Body;
use serde_json::Value;
use stack_gen::environment::Environment;

use crate::deploy::{package_for_moto, physical_resources, stack_status};
use crate::util::{proxy_event, sample_records};

/// The environments the README deploys, each with the sample records its data holds.
const ENVIRONMENTS: [(&str, &str, std::ops::Range<usize>); 2] = [
    ("test", "dragons-test", 0..3),
    ("prod", "dragons-prod", 3..8),
];

#[tokio::test]
async fn test_and_prod_deploy_side_by_side_and_read_only_their_own_data() {
    // A moto of its own: the stacks carry the README's names, not unique ones.
    let moto = Moto::start().unwrap();
    let config = sdk_config(&moto.endpoint()).await;
    let packaged = package_for_moto(&moto, &config).await;
    let records = sample_records();
    let lambda = aws_sdk_lambda::Client::new(&config);
    let ssm = aws_sdk_ssm::Client::new(&config);
    let s3 = aws_sdk_s3::Client::new(&config);

    let mut readers = BTreeMap::new();
    for (env, stack, _) in ENVIRONMENTS {
        let environment = Environment::load(&in_workspace(&format!("deploy/{env}.json"))).unwrap();
        crate::deploy::deploy(
            &moto,
            &packaged,
            stack,
            &environment.overrides(),
            &environment.tag_args(),
        );
        assert_eq!(stack_status(&moto, stack), "CREATE_COMPLETE", "{stack}");
    }
    for (env, stack, range) in ENVIRONMENTS {
        let physical = physical_resources(&moto, stack);
        let function = lambda
            .get_function_configuration()
            .function_name(&physical["ListDragonsFunction"].1)
            .send()
            .await
            .unwrap();
        let variables = function.environment.unwrap().variables.unwrap();
        let names = ParameterNames {
            bucket: variables[ENV_BUCKET_PARAMETER].clone(),
            file: variables[ENV_FILE_PARAMETER].clone(),
        };
        assert_eq!(
            names.bucket,
            stack_parameter(stack, DEFAULT_BUCKET_PARAMETER),
            "{env}"
        );
        assert_eq!(
            names.file,
            stack_parameter(stack, DEFAULT_FILE_PARAMETER),
            "{env}"
        );
        let value = |name: &str| {
            let ssm = ssm.clone();
            let name = name.to_owned();
            async move {
                ssm.get_parameter()
                    .name(name)
                    .send()
                    .await
                    .unwrap()
                    .parameter
                    .unwrap()
                    .value
                    .unwrap()
            }
        };
        let bucket = value(&names.bucket).await;
        assert_eq!(bucket, physical["DataBucket"].1, "{env}: its own bucket");
        let key = value(&names.file).await;
        let lines: String = records[range]
            .iter()
            .map(|record| format!("{record}\n"))
            .collect();
        s3.put_object()
            .bucket(&bucket)
            .key(&key)
            .body(lines.into_bytes().into())
            .send()
            .await
            .unwrap();
        readers.insert(env, names);
    }
    let clients = clients(&moto.endpoint()).await;
    let mut buckets = Vec::new();
    for (env, _, range) in ENVIRONMENTS {
        let store = S3Store::new(clients.clone(), readers[env].clone(), QueryEngine::Scan);
        let response = list_dragons(&store, &proxy_event(&[])).await;
        assert_eq!(response.status(), 200, "{env}");
        let Body::Text(text) = response.body() else {
            panic!("{env}: a text body");
        };
        let listed: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            listed,
            Value::Array(records[range].to_vec()),
            "{env}: its own dragons only"
        );
        buckets.push(readers[env].bucket.clone());
    }
    assert_ne!(buckets[0], buckets[1]);
}
