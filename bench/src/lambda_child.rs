//! A Lambda binary run as Lambda runs it: built in release, started with Lambda's
//! environment under the Runtime API stand-in (optionally in a Lambda-sized
//! cgroup), then either timed from spawn to its first answer or kept warm for a
//! series of events, its peak RSS read before it is stopped.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use dragons_contract::names::{ENV_QUERY_ENGINE, functions::LIST_DRAGONS};
use serde_json::Value;

use crate::cgroup::LambdaCgroup;
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
    let mut lambda = Lambda::start(binary, env, engine, None).await?;
    let reply = lambda.call(event, timeout).await;
    let peak_rss_kib = lambda.peak_rss_kib();
    let started = lambda.started;
    lambda.stop().await;
    let reply = reply?;
    Ok(Invocation {
        elapsed: reply.at.saturating_duration_since(started),
        peak_rss_kib,
        status: reply.status,
        records: reply.records,
        raw: reply.raw,
    })
}

/// One answer of a running function.
#[derive(Debug, Clone)]
pub struct Reply {
    /// From handing the event to the waiting function to its answer.
    pub elapsed: Duration,
    /// When the answer arrived.
    pub at: Instant,
    /// The API Gateway response's status code (`None` for an error or a task's answer).
    pub status: Option<u64>,
    /// How many records its body holds, when it is a JSON array.
    pub records: Option<usize>,
    /// The next page's `nextToken`, from the response's `Link` header.
    pub next_token: Option<String>,
    /// The CPU time the function used for it (`None` outside a cgroup).
    pub cpu: Option<Duration>,
    /// The raw answer: what the function returns to Lambda.
    pub raw: String,
}

/// A Lambda binary kept running under its own Runtime API stand-in (a warm
/// container), optionally inside a [`LambdaCgroup`]; killed on drop.
pub struct Lambda {
    name: String,
    api: RuntimeApi,
    child: tokio::process::Child,
    pid: Option<u32>,
    log: std::fs::File,
    /// The cgroup it runs in (removed after it is stopped).
    cgroup: Option<LambdaCgroup>,
    /// Just before it was spawned.
    pub started: Instant,
}

impl Lambda {
    /// Spawns `binary` with the environment Lambda sets plus `env` and
    /// `DRAGONS_QUERY_ENGINE=engine`; in `cgroup` (both its groups) before it runs.
    pub async fn start(
        binary: &Path,
        env: &[(String, String)],
        engine: &str,
        cgroup: Option<LambdaCgroup>,
    ) -> anyhow::Result<Self> {
        let name = binary
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or(LIST_DRAGONS)
            .to_owned();
        let api = RuntimeApi::start().await?;
        let log = tempfile::tempfile()?;
        let mut command = match &cgroup {
            // The shell joins the groups, then becomes the binary (same pid), so
            // nothing of the function runs outside them.
            Some(cgroup) => {
                let [memory, cpu, cpuacct] = cgroup.procs();
                let mut command = tokio::process::Command::new("/bin/sh");
                command
                    .arg("-c")
                    .arg(r#"echo $$ > "$1" && echo $$ > "$2" && echo $$ > "$3" && exec "$4""#)
                    .arg("sh")
                    .args([
                        memory.as_os_str(),
                        cpu.as_os_str(),
                        cpuacct.as_os_str(),
                        binary.as_os_str(),
                    ]);
                command
            }
            None => tokio::process::Command::new(binary),
        };
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", api.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", &name)
            .env(
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                cgroup
                    .as_ref()
                    .map_or(128, |cgroup| cgroup.memory_mib)
                    .to_string(),
            )
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]bench")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env(ENV_QUERY_ENGINE, engine)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log.try_clone()?))
            .kill_on_drop(true);
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id();
        Ok(Self {
            name,
            api,
            child,
            pid,
            log,
            cgroup,
            started,
        })
    }

    /// Hands `event` to the function and waits up to `timeout` for its answer; an
    /// error (with the function's log) if it exits or does not answer in time.
    pub async fn call(&mut self, event: String, timeout: Duration) -> anyhow::Result<Reply> {
        let name = &self.name;
        let cpu_before = self.cpu_usage();
        let sent = Instant::now();
        self.api.send(event)?;
        let outcome = tokio::select! {
            answer = self.api.answer() => answer,
            status = self.child.wait() => Err(anyhow!("{name} exited before answering ({status:?})")),
            () = tokio::time::sleep(timeout) => Err(anyhow!("{name} did not answer within {timeout:?}")),
        };
        let answer = match outcome {
            Ok(answer) => answer,
            Err(error) => {
                let mut text = String::new();
                self.log.rewind()?;
                self.log.read_to_string(&mut text)?;
                return Err(error.context(format!("its log:\n{text}")));
            }
        };
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
        let next_token = response.as_ref().and_then(next_token);
        let cpu = cpu_before
            .zip(self.cpu_usage())
            .map(|(before, after)| after.saturating_sub(before));
        Ok(Reply {
            elapsed: answer.at.saturating_duration_since(sent),
            at: answer.at,
            status,
            records,
            next_token,
            cpu,
            raw: answer.body,
        })
    }

    /// Its peak RSS so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        self.pid.and_then(peak_rss_kib)
    }

    /// Its cgroup's peak memory charge, in bytes (`None` outside a cgroup).
    pub fn cgroup_peak_bytes(&self) -> Option<u64> {
        self.cgroup.as_ref()?.max_usage_bytes()
    }

    /// The CPU time it has used so far (`None` outside a cgroup).
    pub fn cpu_usage(&self) -> Option<Duration> {
        self.cgroup.as_ref()?.cpu_usage()
    }

    /// How often its cgroup hit the memory limit (0 outside a cgroup).
    pub fn cgroup_failcnt(&self) -> u64 {
        self.cgroup.as_ref().map_or(0, LambdaCgroup::failcnt)
    }

    /// Kills it, waits for it to be gone, and removes its cgroup.
    pub async fn stop(mut self) {
        // Stopping it can fail only if it is gone already; wait reaps it either way.
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        drop(self.cgroup.take());
    }
}

/// The `nextToken` of the `Link: <…>; rel="next"` header of an API Gateway
/// proxy response, percent-decoded.
fn next_token(response: &Value) -> Option<String> {
    let link = response["headers"]["link"]
        .as_str()
        .or_else(|| response["headers"]["Link"].as_str())
        .or_else(|| response["multiValueHeaders"]["link"][0].as_str())?;
    let target = link.split_once('<')?.1.split_once('>')?.0;
    let query = target.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "nextToken")
        .map(|(_, value)| value.into_owned())
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
    fn reads_the_next_token_from_the_link() {
        let response = serde_json::json!({
            "statusCode": 200,
            "headers": {"link": "<https://x/v1/dragons?family=red&limit=10&nextToken=a%2Bb%3D>; rel=\"next\""},
            "body": "[]"
        });
        assert_eq!(next_token(&response).as_deref(), Some("a+b="));
        assert_eq!(next_token(&serde_json::json!({"headers": {}})), None);
    }

    #[test]
    fn reads_our_own_peak_rss() {
        let kib = peak_rss_kib(std::process::id()).unwrap();
        assert!(kib > 100, "{kib} KiB");
    }
}
