//! The `list-dragons` binary run as Lambda runs it: built in release, started with
//! Lambda's environment under the Runtime API stand-in, timed from spawn to its
//! first answer, and its peak RSS read before it is stopped.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use dragons_contract::names::{ENV_QUERY_ENGINE, functions::LIST_DRAGONS};
use serde_json::Value;

use crate::runtime_api::RuntimeApi;

/// Builds the three Lambdas with `cargo build --release -p handlers --bins` and
/// returns the path of `list-dragons` (the other two sit beside it).
pub fn build_list_dragons() -> anyhow::Result<PathBuf> {
    // Under `cargo run`, CARGO names the cargo that is running us.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("bench: cargo build --release -p handlers --bins");
    let output = Command::new(cargo)
        .current_dir(dragons_harness::workspace_root())
        .args([
            "build",
            "--release",
            "-p",
            "handlers",
            "--bins",
            "--message-format=json-render-diagnostics",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build")?;
    if !output.status.success() {
        bail!("cargo build of {LIST_DRAGONS} failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == LIST_DRAGONS
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo build did not report the {LIST_DRAGONS} executable"))
}

/// One run of the binary: how long it took to answer, its peak RSS, its answer.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// From just before spawning to the answer's arrival.
    pub elapsed: Duration,
    /// `VmHWM` from `/proc/<pid>/status`, in KiB, read after the answer.
    pub peak_rss_kib: Option<u64>,
    /// The API Gateway response's status code.
    pub status: Option<u64>,
    /// How many records its body holds, when it is a JSON array.
    pub records: Option<usize>,
    /// The raw answer, for messages.
    pub raw: String,
}

/// Starts `binary` under a fresh Runtime API stand-in holding `event`, with the
/// environment Lambda sets plus `env` and `DRAGONS_QUERY_ENGINE=engine`, waits
/// up to `timeout` for its answer to the one event, and stops it.
pub async fn invoke(
    binary: &Path,
    env: &[(String, String)],
    engine: &str,
    event: String,
    timeout: Duration,
) -> anyhow::Result<Invocation> {
    let name = binary
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or(LIST_DRAGONS)
        .to_owned();
    let mut api = RuntimeApi::start(event).await?;
    let mut log = tempfile::tempfile()?;
    let mut command = tokio::process::Command::new(binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", &name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env(ENV_QUERY_ENGINE, engine)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log.try_clone()?))
        .kill_on_drop(true);
    let start = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let pid = child.id();
    let outcome = tokio::select! {
        answer = api.answer() => answer,
        status = child.wait() => Err(anyhow!("{name} exited before answering ({status:?})")),
        () = tokio::time::sleep(timeout) => Err(anyhow!("{name} did not answer within {timeout:?}")),
    };
    let peak_rss_kib = pid.and_then(peak_rss_kib);
    // Stopping it can fail only if it is gone already; wait reaps it either way.
    let _ = child.start_kill();
    let _ = child.wait().await;
    let answer = match outcome {
        Ok(answer) => answer,
        Err(error) => {
            let mut text = String::new();
            log.rewind()?;
            log.read_to_string(&mut text)?;
            return Err(error.context(format!("its log:\n{text}")));
        }
    };
    let elapsed = answer.at.saturating_duration_since(start);
    let response: Option<Value> = serde_json::from_str(&answer.body).ok();
    let status = response
        .as_ref()
        .filter(|_| answer.ok)
        .and_then(|response| response["statusCode"].as_u64());
    let records = response
        .as_ref()
        .and_then(|response| response["body"].as_str())
        .and_then(|body| serde_json::from_str::<Vec<Value>>(body).ok())
        .map(|records| records.len());
    Ok(Invocation {
        elapsed,
        peak_rss_kib,
        status,
        records,
        raw: answer.body,
    })
}

/// `VmHWM` (peak resident set size) of a process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_peak_rss() {
        let kib = peak_rss_kib(std::process::id()).unwrap();
        assert!(kib > 100, "{kib} KiB");
    }
}
