//! The `dragons` CLI's day-2 commands as processes against stacks on moto: outputs,
//! users and a token, the smoke test against local-api (which plays the API and its
//! authorizer, as moto cannot), readable logs from the stack's log groups, the web
//! app published, and a destroy that keeps the data unless told otherwise.

use std::collections::BTreeSet;

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use dragons_contract::names::STAGE;
use dragons_harness::fixtures::{sdk_config, unique_name};
use dragons_harness::moto::Moto;
use dragons_harness::site::LocalSite;
use dragons_ops::stack::{Stack, ids, outputs};
use serde_json::{Map, Value};

use crate::cli_stack::{deploy, dragons, output};
use crate::util::sample_lines;

/// A pool (signing in by e-mail, as the template's) and its app client on moto.
async fn pool(config: &aws_config::SdkConfig) -> (String, String) {
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(config);
    let pool_id = local_api::local_stack::user_pool(&cognito, &unique_name("pool"))
        .await
        .unwrap();
    let client_id = local_api::local_stack::app_client(&cognito, &pool_id, "web")
        .await
        .unwrap();
    (pool_id, client_id)
}

fn outputs_of(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), output(value)))
        .collect()
}

#[tokio::test]
async fn outputs_users_and_a_token() {
    let moto = Moto::shared().unwrap();
    let endpoint = moto.endpoint();
    let config = sdk_config(&endpoint).await;
    let (pool_id, client_id) = pool(&config).await;
    let stack = deploy(
        &endpoint,
        &[ids::BUCKET_PARAMETER],
        &[],
        outputs_of(&[
            (outputs::USER_POOL_ID, &pool_id),
            (outputs::USER_POOL_CLIENT_ID, &client_id),
        ]),
    )
    .await;
    let run = |args: Vec<&str>| {
        let endpoint = endpoint.clone();
        let stack = stack.clone();
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        async move {
            let mut all = vec!["--stack".to_owned(), stack];
            all.extend(args);
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            dragons(&endpoint, &all).await
        }
    };

    let shown = run(vec!["outputs", "--output", "json"])
        .await
        .success()
        .json();
    assert_eq!(shown["outputs"][outputs::USER_POOL_ID], pool_id.as_str());
    assert_eq!(
        shown["resources"][ids::BUCKET_PARAMETER]["type"],
        "AWS::SSM::Parameter"
    );
    let text = run(vec!["outputs"]).await.success().stdout;
    assert!(text.contains(&client_id), "{text}");

    let email = format!("{}@example.com", unique_name("operator"));
    let password = "Correct-Horse-9-battery";
    run(vec![
        "user",
        "add",
        "--email",
        &email,
        "--password",
        password,
    ])
    .await
    .success();
    let listed = run(vec!["user", "list", "--output", "json"])
        .await
        .success()
        .json();
    let emails: BTreeSet<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|user| user["email"].as_str())
        .collect();
    assert!(emails.contains(email.as_str()), "{listed}");

    let token = run(vec!["token", "--email", &email, "--password", password])
        .await
        .success()
        .stdout;
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.trim().split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["token_use"], "id", "{claims}");
    assert_eq!(claims["aud"], client_id.as_str());
    let wrong = run(vec![
        "token",
        "--email",
        &email,
        "--password",
        "Wrong-Horse-9-battery",
    ])
    .await;
    assert!(!wrong.ok);
    assert!(wrong.stdout.is_empty(), "{}", wrong.stdout);

    run(vec!["user", "remove", "--email", &email])
        .await
        .success();
    let listed = run(vec!["user", "list"]).await.success().stdout;
    assert!(!listed.contains(&email), "{listed}");

    let missing = dragons(&endpoint, &["outputs", "--stack", "no-such-stack"]).await;
    assert!(!missing.ok);
}

#[tokio::test]
async fn smoke_runs_a_report_end_to_end_and_fails_loudly() {
    let site = LocalSite::start(sample_lines()).await.unwrap();
    let endpoint = site.endpoint();
    let api_url = format!("{}/{STAGE}/dragons", site.origin);
    let stack = deploy(
        &endpoint,
        &[ids::BUCKET_PARAMETER],
        &[],
        outputs_of(&[
            (outputs::API_URL, &api_url),
            (outputs::USER_POOL_ID, &site.seeded.user_pool_id),
            (outputs::USER_POOL_CLIENT_ID, &site.seeded.client_id),
        ]),
    )
    .await;
    let passed = dragons(&endpoint, &["smoke", "--stack", &stack, "--output", "json"])
        .await
        .success()
        .json();
    // The store holds dragons: the report names one of them and is rejected as taken.
    assert_eq!(passed["outcome"], "REJECTED", "{passed}");
    assert_eq!(passed["listed"], 1);
    assert!(passed["added_dragon"].is_null());
    // The temporary user is gone.
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&sdk_config(&endpoint).await);
    let users = cognito
        .list_users()
        .user_pool_id(&site.seeded.user_pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(users.users().len(), 1, "only the seeded user is left");

    // An API that does not answer: a failure, with a non-zero exit.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/{STAGE}/dragons", closed.local_addr().unwrap());
    drop(closed);
    let dead = deploy(
        &endpoint,
        &[ids::BUCKET_PARAMETER],
        &[],
        outputs_of(&[
            (outputs::API_URL, &dead_url),
            (outputs::USER_POOL_ID, &site.seeded.user_pool_id),
            (outputs::USER_POOL_CLIENT_ID, &site.seeded.client_id),
        ]),
    )
    .await;
    let failed = dragons(&endpoint, &["smoke", "--stack", &dead]).await;
    assert!(!failed.ok);
    assert!(failed.stderr.contains("GET /dragons"), "{}", failed.stderr);
}

#[tokio::test]
async fn logs_reads_each_sources_group_as_readable_lines() {
    let moto = Moto::shared().unwrap();
    let endpoint = moto.endpoint();
    let config = sdk_config(&endpoint).await;
    let stack = deploy(
        &endpoint,
        &[
            "ListDragonsLogGroup",
            "ReportStatusLogGroup",
            "ValidateDragonLogGroup",
            "AddDragonLogGroup",
            ids::API_ACCESS_LOG_GROUP,
            ids::STATE_MACHINE_LOG_GROUP,
        ],
        &[],
        Map::new(),
    )
    .await;
    let described = Stack::read(&aws_sdk_cloudformation::Client::new(&config), &stack)
        .await
        .unwrap();
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let now = dragons_ops::logs::since(std::time::Duration::ZERO);
    let put = |group: &str, message: &str| {
        let logs = logs.clone();
        let group = described.physical_id(group).unwrap().to_owned();
        let message = message.to_owned();
        async move {
            logs.create_log_stream()
                .log_group_name(&group)
                .log_stream_name("test")
                .send()
                .await
                .unwrap();
            logs.put_log_events()
                .log_group_name(&group)
                .log_stream_name("test")
                .log_events(
                    InputLogEvent::builder()
                        .timestamp(now)
                        .message(message)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
        }
    };
    put(
        "AddDragonLogGroup",
        r#"{"level":"INFO","message":"dragon added","report":"r-7"}"#,
    )
    .await;
    put(
        ids::API_ACCESS_LOG_GROUP,
        r#"{"requestId":"q-1","caller":"s-1","httpMethod":"POST","resourcePath":"/dragons","status":"202","integrationError":"-"}"#,
    )
    .await;

    let groups = dragons(
        &endpoint,
        &["logs", "--stack", &stack, "--groups", "--output", "json"],
    )
    .await
    .success()
    .json();
    assert_eq!(groups.as_array().unwrap().len(), 6, "{groups}");
    let add = dragons(
        &endpoint,
        &["logs", "add", "--stack", &stack, "--since", "1h"],
    )
    .await
    .success()
    .stdout;
    assert!(add.contains(" add "), "{add}");
    assert!(add.contains("INFO dragon added report=r-7"), "{add}");
    assert!(!add.contains("POST"), "{add}");
    let all = dragons(&endpoint, &["logs", "--stack", &stack, "--since", "1h"])
        .await
        .success()
        .stdout;
    assert!(
        all.contains("202 POST /dragons caller=s-1 request=q-1"),
        "{all}"
    );
    assert_eq!(all.lines().count(), 2, "{all}");
    let report = dragons(
        &endpoint,
        &["logs", "report", "--stack", &stack, "--since", "1h"],
    )
    .await
    .success()
    .stdout;
    assert_eq!(
        report.lines().count(),
        1,
        "validate, add and the workflow: {report}"
    );
    let bad = dragons(&endpoint, &["logs", "--stack", &stack, "--since", "1w"]).await;
    assert!(!bad.ok);
}

#[tokio::test]
async fn publish_web_puts_the_site_on_the_stacks_bucket() {
    let moto = Moto::shared().unwrap();
    let endpoint = moto.endpoint();
    let config = sdk_config(&endpoint).await;
    let cloudformation = aws_sdk_cloudformation::Client::new(&config);
    let distribution =
        crate::publish_web::distribution(&aws_sdk_cloudfront::Client::new(&config)).await;
    let stack = crate::publish_web::site_stack(&cloudformation, &distribution, false).await;
    let (dir, app) = crate::publish_web::site_dir(true);
    let published = dragons(
        &endpoint,
        &[
            "publish-web",
            "--stack",
            &stack,
            "--dir",
            dir.path().to_str().unwrap(),
            "--output",
            "json",
        ],
    )
    .await
    .success()
    .json();
    let keys: BTreeSet<&str> = published["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(app.as_str()) && keys.contains("config.json"),
        "{published}"
    );
    assert_eq!(published["distributionId"], distribution.as_str());
}

#[tokio::test]
async fn destroy_empties_the_site_deletes_the_stack_and_keeps_the_data() {
    let moto = Moto::shared().unwrap();
    let endpoint = moto.endpoint();
    let config = sdk_config(&endpoint).await;
    let s3 = dragons_harness::fixtures::clients(&endpoint).await.s3;
    let cloudformation = aws_sdk_cloudformation::Client::new(&config);
    for delete_data in [false, true] {
        let stack = deploy(
            &endpoint,
            &[ids::BUCKET_PARAMETER, ids::SITE_BUCKET],
            &[("WebApp", "true")],
            Map::new(),
        )
        .await;
        let described = Stack::read(&cloudformation, &stack).await.unwrap();
        let site = described.physical_id(ids::SITE_BUCKET).unwrap().to_owned();
        let data = described.physical_id(ids::DATA_BUCKET).unwrap().to_owned();
        for bucket in [&site, &data] {
            for _ in 0..2 {
                s3.put_object()
                    .bucket(bucket)
                    .key("index.html")
                    .body(b"x".to_vec().into())
                    .send()
                    .await
                    .unwrap();
            }
        }
        let mut args = vec!["destroy", "--stack", stack.as_str()];
        if delete_data {
            args.push("--delete-data");
        }
        let refused = dragons(&endpoint, &args).await;
        assert!(!refused.ok);
        assert!(refused.stdout.contains(&data), "{}", refused.stdout);
        assert!(
            Stack::read(&cloudformation, &stack).await.is_ok(),
            "nothing deleted without --yes"
        );

        args.extend(["--yes", "--output", "json"]);
        let outcome = dragons(&endpoint, &args).await.success().json();
        let gone = cloudformation
            .describe_stacks()
            .stack_name(&stack)
            .send()
            .await;
        let status = gone.ok().and_then(|d| {
            d.stacks()
                .first()
                .and_then(|s| s.stack_status().map(|s| s.as_str().to_owned()))
        });
        assert!(
            matches!(status.as_deref(), None | Some("DELETE_COMPLETE")),
            "{status:?}"
        );
        assert!(
            s3.head_bucket().bucket(&site).send().await.is_err(),
            "the site bucket is gone"
        );
        let kept = s3.head_bucket().bucket(&data).send().await.is_ok();
        assert_eq!(kept, !delete_data, "{outcome}");
        if kept {
            assert_eq!(
                outcome["kept"][0]["physical_id"],
                data.as_str(),
                "{outcome}"
            );
            s3.head_object()
                .bucket(&data)
                .key("index.html")
                .send()
                .await
                .unwrap();
        } else {
            assert_eq!(
                outcome["deleted"][0]["physical_id"],
                data.as_str(),
                "{outcome}"
            );
        }
    }
}
