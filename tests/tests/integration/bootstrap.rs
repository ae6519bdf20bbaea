//! The bootstrap template (`cfn-out/bootstrap.template.json`): linted like the main
//! one (cfn-lint, checkov, AWS Control Tower's controls under cfn-guard, each skip and
//! suppression needed), its deploy roles trusted only by this repository's jobs of
//! their GitHub environment, and deployed on moto.

use std::collections::BTreeSet;

use dragons_harness::fixtures::unique_name;
use dragons_harness::in_workspace;
use dragons_harness::moto::Moto;
use dragons_harness::tools::arg;
use serde_json::{Value, json};

use crate::deploy::{aws, physical_resources, stack_status};
use crate::lint::{cfn_lint_file, checkov, checks, control_tower_failures};
use crate::util::resolved;

const TEMPLATE: &str = "cfn-out/bootstrap.template.json";

fn bootstrap() -> Value {
    serde_json::from_slice(&std::fs::read(in_workspace(TEMPLATE)).unwrap()).unwrap()
}

/// (rule, resource) pairs.
type Pairs = BTreeSet<(String, String)>;

/// The (rule, resource) pairs the template suppresses: checkov's and Control Tower's.
fn suppressed(template: &Value) -> (Pairs, Pairs) {
    let mut skipped = BTreeSet::new();
    let mut controls = BTreeSet::new();
    for (id, resource) in template["Resources"].as_object().unwrap() {
        for skip in resource["Metadata"]["checkov"]["skip"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(skip["comment"].as_str().unwrap().len() > 40, "{id}");
            skipped.insert((skip["id"].as_str().unwrap().to_owned(), id.clone()));
        }
        let guard = &resource["Metadata"]["guard"];
        for rule in guard["SuppressedRules"].as_array().into_iter().flatten() {
            let rule = rule.as_str().unwrap();
            assert!(
                guard["Reasons"][rule].as_str().unwrap().len() > 40,
                "{id}: {rule}"
            );
            if rule.starts_with("CT.") {
                controls.insert((rule.to_owned(), id.clone()));
            }
        }
    }
    (skipped, controls)
}

#[test]
fn the_bootstrap_template_passes_the_linters_and_every_suppression_is_needed() {
    let template = bootstrap();
    let dir = tempfile::tempdir().unwrap();
    let (skipped, controls) = suppressed(&template);
    let mut failed_checks = BTreeSet::new();
    let mut failed_controls = BTreeSet::new();
    // With the account's provider created, and with an existing one given.
    let arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    for (n, existing) in ["", arn].into_iter().enumerate() {
        let variant = resolved(
            &template,
            &[
                ("ExistingOidcProviderArn", existing),
                ("Repository", "octo-org/dragons"),
            ],
        );
        let path = dir.path().join(format!("{n}.template.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&variant).unwrap()).unwrap();
        let findings = cfn_lint_file(dir.path(), &[], &path);
        assert!(findings.is_empty(), "{existing:?}: cfn-lint: {findings:#?}");
        let report = checkov(&arg(&path));
        assert!(
            checks(&report, "failed_checks").is_empty(),
            "{existing:?}: {report:#}"
        );
        // Without the skips, checkov fails exactly the skipped checks.
        let mut stripped = variant.clone();
        for resource in stripped["Resources"].as_object_mut().unwrap().values_mut() {
            resource.as_object_mut().unwrap().remove("Metadata");
        }
        let bare = dir.path().join(format!("{n}.bare.json"));
        std::fs::write(&bare, stripped.to_string()).unwrap();
        failed_checks.extend(checks(&checkov(&arg(&bare)), "failed_checks"));
        failed_controls.extend(control_tower_failures(&path).0);
    }
    assert_eq!(failed_checks, skipped, "every checkov skip is needed");
    assert_eq!(
        failed_controls, controls,
        "Control Tower fails exactly what is suppressed"
    );
}

#[test]
fn each_deploy_role_trusts_only_this_repositorys_jobs_of_its_environment() {
    let template = bootstrap();
    for environment in stack_gen::bootstrap::ENVIRONMENTS {
        let capital = format!("{}{}", environment[..1].to_uppercase(), &environment[1..]);
        let role = &template["Resources"][format!("{capital}DeployRole")]["Properties"];
        let trust = &role["AssumeRolePolicyDocument"]["Statement"];
        assert_eq!(trust.as_array().unwrap().len(), 1);
        assert_eq!(trust[0]["Action"], json!(["sts:AssumeRoleWithWebIdentity"]));
        assert_eq!(
            trust[0]["Principal"]["Federated"],
            json!({ "Fn::If": ["CreateOidcProvider", { "Ref": "GitHubOidcProvider" }, { "Ref": "ExistingOidcProviderArn" }] })
        );
        assert_eq!(
            trust[0]["Condition"],
            json!({ "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": { "Fn::Sub": format!("repo:${{Repository}}:environment:{environment}") },
            } }),
            "{environment}: no other repository, branch or environment"
        );
        // Its stack only: every CloudFormation statement names dragons-<env> (or reads
        // the bootstrap's outputs), and the artifacts it may write are under its prefix.
        let stack = stack_gen::bootstrap::stack_name(environment);
        let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
        for statement in statements {
            let resources = statement["Resource"].to_string();
            let other = stack_gen::bootstrap::ENVIRONMENTS
                .iter()
                .filter(|other| **other != environment)
                .map(|other| stack_gen::bootstrap::stack_name(other))
                .find(|other| resources.contains(other.as_str()));
            assert_eq!(other, None, "{environment}: {statement:#}");
            if statement["Resource"] != json!(["*"]) {
                assert!(
                    resources.contains(&stack)
                        || resources.contains("dragons-bootstrap")
                        || resources.contains(":*\"")
                        || resources.contains("/*\""),
                    "{environment}: {statement:#}"
                );
            }
        }
    }
    let bucket = &template["Resources"]["ArtifactsBucket"]["Properties"];
    assert_eq!(bucket["VersioningConfiguration"]["Status"], "Enabled");
    assert!(bucket["BucketEncryption"].is_object());
    for setting in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket["PublicAccessBlockConfiguration"][setting], true,
            "{setting}"
        );
    }
    let deny = &template["Resources"]["ArtifactsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        [0];
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(
        deny["Condition"],
        json!({ "Bool": { "aws:SecureTransport": "false" } })
    );
}

#[test]
fn the_bootstrap_template_deploys_on_moto() {
    let moto = Moto::shared().unwrap();
    let stack = unique_name("dragons-bootstrap");
    aws(
        &moto,
        &[
            "cloudformation",
            "deploy",
            "--template-file",
            &arg(&in_workspace(TEMPLATE)),
            "--stack-name",
            &stack,
            "--capabilities",
            "CAPABILITY_IAM",
            "--parameter-overrides",
            "Repository=octo-org/dragons",
        ],
    );
    assert_eq!(stack_status(&moto, &stack), "CREATE_COMPLETE");
    // moto's DescribeStacks gives a stack made through a change set no outputs: the
    // physical ids say the same.
    let physical = physical_resources(&moto, &stack);
    let bucket = physical["ArtifactsBucket"].1.clone();
    // The bucket exists (its settings are the template's, checked above: moto's
    // CloudFormation does not apply the bucket's versioning).
    aws(&moto, &["s3api", "head-bucket", "--bucket", &bucket]);
    for environment in stack_gen::bootstrap::ENVIRONMENTS {
        let capital = format!("{}{}", environment[..1].to_uppercase(), &environment[1..]);
        let name = &physical[&format!("{capital}DeployRole")].1;
        let role = aws(&moto, &["iam", "get-role", "--role-name", name]);
        let trust = role["Role"]["AssumeRolePolicyDocument"].to_string();
        assert!(
            trust.contains(&format!("repo:octo-org/dragons:environment:{environment}")),
            "{environment}: {trust}"
        );
    }
}
