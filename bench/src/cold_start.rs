//! `cold-start`: the release `list-dragons` started afresh under the Runtime API
//! stand-in, again and again: time from spawn to its first answer (which includes
//! its SSM and S3 calls to moto) and its peak RSS.

use std::time::Duration;

use clap::Args;
use dragons_ops::sample;

use crate::event;
use crate::filter_bench::FAMILY;
use crate::lambda_child::{self, Invocation};
use crate::local_aws::LocalAws;
use crate::report::{Check, Report};
use crate::stats::Summary;
use crate::table::{self, Table};
use crate::{SEED, runtime};

/// Cold start goal, in milliseconds.
const TARGET_MS: f64 = 20.0;
/// Peak RSS goal, in MB (10^6 bytes).
const TARGET_RSS_MB: f64 = 20.0;
/// How long one start may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Options of `cold-start`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Timed starts (after one untimed start that warms the page cache).
    #[arg(long, default_value_t = 10)]
    pub spawns: usize,
    /// Records in the data object the cold starts query.
    #[arg(long, default_value_t = 1_000)]
    pub cold_records: usize,
}

/// Runs the benchmark with the `list-dragons` executable at `binary`.
pub fn run(options: &Options, binary: &std::path::Path) -> anyhow::Result<Report> {
    let runtime = runtime()?;
    eprintln!("cold-start: starting moto");
    let aws = runtime.block_on(LocalAws::start())?;
    let body = sample::write_lines(options.cold_records as u64, SEED, Vec::new())?;
    let expected = sample::records(SEED)
        .take(options.cold_records)
        .filter(|dragon| dragon.family_str == FAMILY)
        .count();
    let data = runtime.block_on(aws.data_set(body))?;
    let env = aws.child_env(&data);
    let proxy_event = event::proxy_event(&[("family", FAMILY)]).to_string();
    let mut runs: Vec<Invocation> = Vec::new();
    for i in 0..=options.spawns {
        eprintln!("cold-start: start {i} of {}", options.spawns);
        let run = runtime.block_on(lambda_child::invoke(
            binary,
            &env,
            "scan",
            proxy_event.clone(),
            TIMEOUT,
        ))?;
        if i > 0 {
            runs.push(run);
        }
    }
    let mut report = Report::new(
        "Cold start of list-dragons (release, Runtime API stand-in, moto)",
        Table::new(["what", "median", "min", "max", "n"]),
    );
    for run in &runs {
        if run.status != Some(200) || run.records != Some(expected) {
            report.notes.push(format!(
                "WRONG ANSWER: expected a 200 with {expected} records, got {:.300}",
                run.raw
            ));
        }
    }
    let times: Vec<Duration> = runs.iter().map(|run| run.elapsed).collect();
    let rss: Vec<u64> = runs.iter().filter_map(|run| run.peak_rss_kib).collect();
    if let Some(summary) = Summary::of(&times) {
        report.table.row(vec![
            "spawn → first response".to_owned(),
            table::ms(summary.p50),
            table::ms(summary.min),
            table::ms(summary.max),
            summary.n.to_string(),
        ]);
        report.checks.push(Check::at_most(
            "cold start (spawn → first response), median",
            summary.p50.as_secs_f64() * 1e3,
            TARGET_MS,
            "ms",
        ));
    }
    let mut sorted = rss.clone();
    sorted.sort_unstable();
    if let (Some(min), Some(max)) = (sorted.first(), sorted.last()) {
        let mb = |kib: u64| kib * 1024;
        report.table.row(vec![
            "peak RSS (VmHWM)".to_owned(),
            table::megabytes(mb(sorted[sorted.len() / 2])),
            table::megabytes(mb(*min)),
            table::megabytes(mb(*max)),
            sorted.len().to_string(),
        ]);
        report.checks.push(Check::at_most(
            "cold start peak RSS, largest",
            mb(*max) as f64 / 1e6,
            TARGET_RSS_MB,
            "MB",
        ));
    }
    report.notes.push(format!(
        "Each start: a fresh process with Lambda's environment (128 MB, engine `scan`), one `GET /dragons?family={FAMILY}` event over {} records ({expected} match), timed from just before spawn to the response's arrival at the stand-in; that includes one SSM GetParameters and one S3 GetObject to moto. RSS is read from /proc after the response. One untimed start comes first.",
        table::count(options.cold_records as f64),
    ));
    Ok(report)
}
