//! One warm function in a fresh Lambda-sized cgroup answering a series of events:
//! the time of each warm answer, the largest response, and the peak memory of the
//! whole series (so the most any one of its requests needed).

use std::path::Path;
use std::time::Duration;

use crate::cgroup::LambdaCgroup;
use crate::lambda_child::{Lambda, Reply};
use crate::stats::Summary;
use crate::table;

/// Lambda's memory setting the benchmarks run the functions at, in MiB.
pub const LAMBDA_MIB: u64 = 128;

/// What a series of calls measured.
#[derive(Debug, Clone)]
pub struct Series {
    /// The warm answers (the first, cold one is not among them).
    pub replies: Vec<Reply>,
    /// The function's peak RSS (VmHWM) over the series, cold start included, in bytes.
    pub peak_rss: Option<u64>,
    /// The cgroup's peak memory charge over the series, in bytes.
    pub cgroup_peak: Option<u64>,
    /// How often the cgroup hit its memory limit.
    pub failcnt: u64,
}

impl Series {
    /// The warm answers' times.
    pub fn summary(&self) -> Option<Summary> {
        Summary::of(&self.times())
    }

    /// Each warm answer's time, in order.
    pub fn times(&self) -> Vec<Duration> {
        self.replies.iter().map(|reply| reply.elapsed).collect()
    }

    /// The largest answer, in bytes.
    pub fn largest_response(&self) -> usize {
        self.replies
            .iter()
            .map(|reply| reply.raw.len())
            .max()
            .unwrap_or(0)
    }

    /// The median CPU time of the warm answers, when the function ran in a cgroup.
    pub fn cpu_p50(&self) -> Option<Duration> {
        let times: Option<Vec<Duration>> = self.replies.iter().map(|reply| reply.cpu).collect();
        Summary::of(&times?).map(|summary| summary.p50)
    }

    /// `p50 / p99` of the warm answers.
    pub fn p50_p99(&self) -> String {
        self.summary().map_or("?".to_owned(), |summary| {
            format!("{} / {}", table::ms(summary.p50), table::ms(summary.p99))
        })
    }

    /// The peak RSS and the cgroup's peak, as table cells.
    pub fn memory_cells(&self) -> [String; 2] {
        let cell = |bytes: Option<u64>| bytes.map_or("?".to_owned(), table::megabytes);
        [cell(self.peak_rss), cell(self.cgroup_peak)]
    }
}

/// Starts `binary` (with `env`, the scan engine) in a fresh cgroup of
/// [`LAMBDA_MIB`], answers `warmup` (its cold start) and then each of `events`,
/// and stops it.
pub async fn series(
    binary: &Path,
    env: &[(String, String)],
    warmup: String,
    events: impl IntoIterator<Item = String>,
    timeout: Duration,
) -> anyhow::Result<Series> {
    let mut lambda = start(binary, env).await?;
    let outcome = async {
        lambda.call(warmup, timeout).await?;
        let mut replies = Vec::new();
        for event in events {
            replies.push(lambda.call(event, timeout).await?);
        }
        anyhow::Ok(replies)
    }
    .await;
    finish(lambda, outcome).await
}

/// Starts `binary` with `env` in a fresh cgroup of [`LAMBDA_MIB`].
pub async fn start(binary: &Path, env: &[(String, String)]) -> anyhow::Result<Lambda> {
    Lambda::start(binary, env, "scan", Some(LambdaCgroup::create(LAMBDA_MIB)?)).await
}

/// Reads the memory figures of `lambda`, stops it, and wraps `replies`.
pub async fn finish(lambda: Lambda, replies: anyhow::Result<Vec<Reply>>) -> anyhow::Result<Series> {
    let peak_rss = lambda.peak_rss_kib().map(|kib| kib * 1024);
    let cgroup_peak = lambda.cgroup_peak_bytes();
    let failcnt = lambda.cgroup_failcnt();
    lambda.stop().await;
    Ok(Series {
        replies: replies?,
        peak_rss,
        cgroup_peak,
        failcnt,
    })
}
