//! The Python peers: the interpreter `scripts/install-tools` puts in
//! `.tools/venv/moto` (it has boto3), and the scripts in `bench/python/`, each of
//! which prints one JSON object on its last line of standard output.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde_json::Value;

/// The Python with boto3, from `scripts/install-tools`.
pub fn interpreter() -> anyhow::Result<PathBuf> {
    let path = dragons_harness::in_workspace(".tools/venv/moto/bin/python");
    if !path.is_file() {
        bail!(
            "{} is missing: run `scripts/install-tools` (scripts/bench does)",
            path.display()
        );
    }
    Ok(path)
}

/// A script in `bench/python/`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join(name)
}

/// Runs `bench/python/<name>` with `args` and extra environment `env`, and parses
/// the JSON object it prints last. Its standard error passes through.
pub fn run_json<S: AsRef<std::ffi::OsStr>>(
    name: &str,
    args: &[S],
    env: &[(String, String)],
) -> anyhow::Result<Value> {
    let output = Command::new(interpreter()?)
        .arg(script(name))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running bench/python/{name}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("bench/python/{name} failed ({}): {stdout}", output.status);
    }
    let last = stdout.lines().rev().find(|line| !line.trim().is_empty());
    let last = last.with_context(|| format!("bench/python/{name} printed nothing"))?;
    serde_json::from_str(last)
        .with_context(|| format!("bench/python/{name} did not print JSON: {last}"))
}

/// The size of `binary` zipped as `bootstrap` (deflate), as cargo-lambda packs it.
pub fn zipped_size(binary: &Path) -> anyhow::Result<u64> {
    let answer = run_json("zipped_size.py", &[binary], &[])?;
    let bytes = number(&answer, "bytes")?;
    Ok(bytes as u64)
}

/// A number field of a peer's answer.
pub fn number(answer: &Value, field: &str) -> anyhow::Result<f64> {
    answer[field]
        .as_f64()
        .with_context(|| format!("the Python peer's answer has no number `{field}`: {answer}"))
}

/// A list of numbers of a peer's answer.
pub fn numbers(answer: &Value, field: &str) -> anyhow::Result<Vec<f64>> {
    answer[field]
        .as_array()
        .with_context(|| format!("the Python peer's answer has no list `{field}`"))?
        .iter()
        .map(|n| n.as_f64().context("a latency is not a number"))
        .collect()
}
