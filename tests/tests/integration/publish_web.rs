//! `publish-web` against moto: the stack's outputs read from CloudFormation, the site's
//! files in the site bucket with their types and cache headers, `config.json` and the
//! dragon's schema beside them, and an invalidation of the distribution.
//!
//! The stack here is a small one with the real stack's output names: moto's
//! CloudFormation creates no CloudFront distribution and cannot answer the real
//! template's outputs that read one (LOCAL-AWS.md), so its outputs are what the real
//! ones would be, pointing at a bucket it creates and a distribution made in moto's
//! CloudFront.

use std::collections::BTreeMap;

use dragons_contract::web_config::WebConfig;
use dragons_contract::web_site;
use dragons_harness::fixtures::{sdk_config, unique_name};
use dragons_harness::moto::Moto;
use dragons_ops::publish::{self, Caching, PlanError, PublishClients, PublishError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SITE_URL: &str = "https://d111111abcdef8.cloudfront.net/";

pub(crate) async fn distribution(cloudfront: &aws_sdk_cloudfront::Client) -> String {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig,
        ViewerProtocolPolicy,
    };
    let origin = Origin::builder()
        .id("site")
        .domain_name("site.s3.us-east-1.amazonaws.com")
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .unwrap();
    let config = DistributionConfig::builder()
        .caller_reference(unique_name("distribution"))
        .comment("publish-web test")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .unwrap(),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id("site")
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let created = cloudfront
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .unwrap();
    created.distribution().unwrap().id().to_owned()
}

/// A stack with a site bucket and the real stack's web outputs (all of them, or,
/// `without_web_app`, only the client id, as with `WebApp=false`).
pub(crate) async fn site_stack(
    cloudformation: &aws_sdk_cloudformation::Client,
    distribution_id: &str,
    without_web_app: bool,
) -> String {
    let mut outputs = BTreeMap::from([(
        web_site::OUTPUT_CLIENT_ID,
        json!({ "Value": "webclient123" }),
    )]);
    if !without_web_app {
        outputs.extend([
            (web_site::OUTPUT_SITE_URL, json!({ "Value": SITE_URL })),
            (
                web_site::OUTPUT_SITE_API_URL,
                json!({ "Value": format!("{SITE_URL}v1") }),
            ),
            (
                web_site::OUTPUT_DISTRIBUTION_ID,
                json!({ "Value": distribution_id }),
            ),
            (
                web_site::OUTPUT_SITE_BUCKET,
                json!({ "Value": { "Ref": "SiteBucket" } }),
            ),
            (
                web_site::OUTPUT_AUTH_URL,
                json!({ "Value": "https://dragons-123456789012.auth.us-east-1.amazoncognito.com" }),
            ),
        ]);
    }
    let template = json!({
        "Resources": { "SiteBucket": { "Type": "AWS::S3::Bucket" } },
        "Outputs": outputs,
    });
    let stack = unique_name("site");
    cloudformation
        .create_stack()
        .stack_name(&stack)
        .template_body(template.to_string())
        .send()
        .await
        .unwrap();
    stack
}

async fn physical_bucket(cloudformation: &aws_sdk_cloudformation::Client, stack: &str) -> String {
    let resources = cloudformation
        .describe_stack_resources()
        .stack_name(stack)
        .send()
        .await
        .unwrap();
    resources.stack_resources()[0]
        .physical_resource_id()
        .unwrap()
        .to_owned()
}

async fn keys(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    let listed = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

/// A site of a few files, one of them fingerprinted, one hidden, one nested.
pub(crate) fn site_dir(with_index: bool) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let js = b"export function main() { return 1; }\n";
    let hash: String = Sha256::digest(js)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let app = format!("app.{}.js", &hash[..10]);
    if with_index {
        std::fs::write(
            dir.path().join("index.html"),
            format!("<!doctype html><script type=\"module\" src=\"{app}\"></script>"),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join(&app), js).unwrap();
    std::fs::create_dir(dir.path().join("css")).unwrap();
    std::fs::write(dir.path().join("css/site.css"), "body { margin: 0 }").unwrap();
    std::fs::write(
        dir.path().join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(dir.path().join(".DS_Store"), "junk").unwrap();
    (dir, app)
}

#[tokio::test]
async fn publish_web_uploads_the_site_and_its_config_then_invalidates() {
    let moto = Moto::shared().unwrap();
    let clients = PublishClients::from_config(&sdk_config(&moto.endpoint()).await);
    let distribution_id = distribution(&clients.cloudfront).await;
    let stack = site_stack(&clients.cloudformation, &distribution_id, false).await;
    let bucket = physical_bucket(&clients.cloudformation, &stack).await;
    let (dir, app) = site_dir(true);

    let published = publish::publish(&clients, &stack, dir.path())
        .await
        .unwrap();
    assert_eq!(published.target.bucket, bucket);
    assert_eq!(published.target.distribution_id, distribution_id);

    // Assets first, then the generated files, the HTML last.
    let order: Vec<&str> = published.files.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        order,
        [
            app.as_str(),
            "css/site.css",
            "favicon.svg",
            "config.json",
            "dragon.schema.json",
            "index.html"
        ]
    );
    let mut stored = keys(&clients.s3, &bucket).await;
    stored.sort();
    let mut expected: Vec<String> = order.iter().map(|k| (*k).to_owned()).collect();
    expected.sort();
    assert_eq!(stored, expected, "no hidden file, nothing else");

    let expect = [
        (
            app.as_str(),
            "text/javascript; charset=utf-8",
            Caching::Immutable,
        ),
        ("css/site.css", "text/css; charset=utf-8", Caching::Short),
        (
            "favicon.svg",
            "image/svg+xml; charset=utf-8",
            Caching::Short,
        ),
        (
            "config.json",
            "application/json; charset=utf-8",
            Caching::Revalidate,
        ),
        (
            "dragon.schema.json",
            "application/json; charset=utf-8",
            Caching::Revalidate,
        ),
        (
            "index.html",
            "text/html; charset=utf-8",
            Caching::Revalidate,
        ),
    ];
    for (key, content_type, caching) in expect {
        let object = clients
            .s3
            .get_object()
            .bucket(&bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        assert_eq!(object.content_type(), Some(content_type), "{key}");
        assert_eq!(object.cache_control(), Some(caching.header()), "{key}");
        let body = object.body.collect().await.unwrap().to_vec();
        match key {
            "config.json" => {
                let config: WebConfig = serde_json::from_slice(&body).unwrap();
                assert_eq!(
                    config,
                    WebConfig {
                        api_url: format!("{SITE_URL}v1"),
                        auth_url: "https://dragons-123456789012.auth.us-east-1.amazoncognito.com"
                            .into(),
                        client_id: "webclient123".into(),
                        redirect_uri: SITE_URL.into(),
                    }
                );
            }
            "dragon.schema.json" => assert_eq!(
                serde_json::from_slice::<Value>(&body).unwrap(),
                dragons_contract::schema::dragon_schema()
            ),
            _ => assert_eq!(body, std::fs::read(dir.path().join(key)).unwrap(), "{key}"),
        }
    }

    let invalidation = clients
        .cloudfront
        .get_invalidation()
        .distribution_id(&distribution_id)
        .id(&published.invalidation_id)
        .send()
        .await
        .unwrap();
    let paths = invalidation
        .invalidation()
        .unwrap()
        .invalidation_batch()
        .unwrap()
        .paths()
        .unwrap()
        .items()
        .to_vec();
    assert_eq!(paths, ["/*"]);

    // Publishing again is a new invalidation (a new caller reference).
    let again = publish::publish(&clients, &stack, dir.path())
        .await
        .unwrap();
    assert_ne!(again.invalidation_id, published.invalidation_id);
}

#[tokio::test]
async fn publish_web_refuses_bad_input_and_changes_nothing() {
    let moto = Moto::shared().unwrap();
    let clients = PublishClients::from_config(&sdk_config(&moto.endpoint()).await);
    let distribution_id = distribution(&clients.cloudfront).await;

    // A stack deployed with WebApp=false has no site outputs.
    let stack = site_stack(&clients.cloudformation, &distribution_id, true).await;
    let bucket = physical_bucket(&clients.cloudformation, &stack).await;
    let (dir, _) = site_dir(true);
    let error = publish::publish(&clients, &stack, dir.path())
        .await
        .unwrap_err();
    assert!(
        matches!(error, PublishError::MissingOutput { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("WebApp=true"), "{error}");
    assert!(keys(&clients.s3, &bucket).await.is_empty());

    // A site without index.html.
    let stack = site_stack(&clients.cloudformation, &distribution_id, false).await;
    let bucket = physical_bucket(&clients.cloudformation, &stack).await;
    let (dir, _) = site_dir(false);
    let error = publish::publish(&clients, &stack, dir.path())
        .await
        .unwrap_err();
    assert!(
        matches!(error, PublishError::Plan(PlanError::NoIndex)),
        "{error:?}"
    );
    assert!(keys(&clients.s3, &bucket).await.is_empty());

    // A stack that does not exist.
    let error = publish::publish(&clients, &unique_name("missing"), dir.path())
        .await
        .unwrap_err();
    assert!(matches!(error, PublishError::Describe { .. }), "{error:?}");

    let invalidations = clients
        .cloudfront
        .list_invalidations()
        .distribution_id(&distribution_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        invalidations.invalidation_list().map(|l| l.quantity()),
        Some(0),
        "nothing was invalidated"
    );
}
