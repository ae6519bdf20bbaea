//! What the `dragons` CLI's tests share: a stack on moto made of the real template's
//! resources a command needs (with every resource they reference, under unique
//! parameter names), literal outputs where moto's CloudFormation creates nothing
//! (Cognito, the API), and the CLI run as a process against that moto.

use std::collections::BTreeSet;
use std::path::PathBuf;

use dragons_harness::fixtures::{local_aws_env, sdk_config, unique_name};
use serde_json::{Map, Value};

use crate::util::{referenced, resolved, template};

/// The `dragons` binary, built next to this test binary (`cargo test --workspace`, as
/// `scripts/test` runs it, builds it; so does `cargo build -p dragons-ops --bin dragons`).
pub fn dragons_binary() -> PathBuf {
    let test = std::env::current_exe().unwrap();
    // target/<profile>/deps/integration-… → target/<profile>/dragons
    let binary = test
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join(format!("dragons{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "{} is missing: run `cargo build -p dragons-ops --bin dragons` (scripts/test builds it)",
        binary.display()
    );
    binary
}

/// A finished run of the CLI.
#[derive(Debug)]
pub struct Run {
    /// Whether it exited 0.
    pub ok: bool,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Run {
    /// Its stdout as JSON (for `--output json`).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }

    /// Asserts it exited 0; itself.
    pub fn success(self) -> Self {
        assert!(self.ok, "failed:\n{}\n{}", self.stdout, self.stderr);
        self
    }
}

/// Runs `dragons ARGS` against moto at `endpoint`, in an otherwise empty environment.
pub async fn dragons(endpoint: &str, args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(dragons_binary());
    let mut std_command = std::process::Command::new("unused");
    local_aws_env(&mut std_command, endpoint);
    command.env_clear();
    for (key, value) in std_command.get_envs() {
        if let Some(value) = value {
            command.env(key, value);
        }
    }
    let output = command.args(args).output().await.unwrap();
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Creates a stack on moto at `endpoint` of the real template's resources `ids` (and
/// every resource they reference), its parameters `overrides` (the SSM parameter
/// names made unique), and the literal `outputs`; its name.
pub async fn deploy(
    endpoint: &str,
    ids: &[&str],
    overrides: &[(&str, &str)],
    outputs: Map<String, Value>,
) -> String {
    let stack = unique_name("cli");
    let names: Vec<(String, String)> = [
        "BucketParameterName",
        "FileParameterName",
        "TableParameterName",
    ]
    .iter()
    .map(|parameter| ((*parameter).to_owned(), format!("{stack}-{parameter}")))
    .collect();
    let mut all: Vec<(&str, &str)> = names
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.extend_from_slice(overrides);
    let full = resolved(&template(), &all);
    let resources = full["Resources"].as_object().unwrap();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    while let Some(id) = pending.pop() {
        let resource = resources
            .get(&id)
            .unwrap_or_else(|| panic!("the template has no resource {id}"));
        if wanted.insert(id.clone()) {
            pending.extend(
                referenced(resource)
                    .into_iter()
                    .filter(|name| resources.contains_key(name)),
            );
        }
    }
    let subset: Map<String, Value> = resources
        .iter()
        .filter(|(id, _)| wanted.contains(*id))
        .map(|(id, resource)| (id.clone(), resource.clone()))
        .collect();
    let mut body = serde_json::json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": full["Parameters"],
        "Resources": subset,
    });
    if !outputs.is_empty() {
        body["Outputs"] = Value::Object(outputs);
    }
    let config = sdk_config(endpoint).await;
    aws_sdk_cloudformation::Client::new(&config)
        .create_stack()
        .stack_name(&stack)
        .template_body(body.to_string())
        .send()
        .await
        .unwrap();
    stack
}

/// A literal output for [`deploy`].
pub fn output(value: &str) -> Value {
    serde_json::json!({ "Value": value })
}

#[test]
fn every_resource_and_output_the_cli_reads_is_in_the_template() {
    use dragons_ops::stack::{ids, outputs};
    let template = template();
    for id in [
        ids::BUCKET_PARAMETER,
        ids::FILE_PARAMETER,
        ids::TABLE_PARAMETER,
        ids::DATA_BUCKET,
        ids::ACCESS_LOG_BUCKET,
        ids::TABLE,
        ids::SITE_BUCKET,
        ids::USER_POOL,
        ids::API_ACCESS_LOG_GROUP,
        ids::STATE_MACHINE_LOG_GROUP,
    ] {
        assert!(template["Resources"].get(id).is_some(), "no resource {id}");
    }
    for output in [
        outputs::API_URL,
        outputs::USER_POOL_ID,
        outputs::USER_POOL_CLIENT_ID,
    ] {
        assert!(
            template["Outputs"].get(output).is_some(),
            "no output {output}"
        );
    }
}
