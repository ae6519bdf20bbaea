//! `task-cold-start`: the release `validate-dragon` and `add-dragon` started afresh
//! under the Runtime API stand-in, each answering one report as the state machine
//! sends it: time from spawn to its answer (its SSM and S3 calls to moto
//! included) and its peak RSS.

use std::path::Path;
use std::time::Duration;

use clap::Args;
use dragons_contract::names::functions::{ADD_DRAGON, VALIDATE_DRAGON};

use crate::event::report_event;
use crate::lambda_child::{self, Invocation};
use crate::local_aws::LocalAws;
use crate::report::Report;
use crate::runtime;
use crate::stats::Summary;
use crate::table::{self, Table};

/// How long one start may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Options of `task-cold-start`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Timed starts per function (after one untimed start).
    #[arg(long, default_value_t = 10)]
    pub task_spawns: usize,
}

/// Runs the benchmark with the release binaries in the folder of `list_dragons`.
pub fn run(options: &Options, list_dragons: &Path) -> anyhow::Result<Report> {
    let runtime = runtime()?;
    let aws = runtime.block_on(LocalAws::start())?;
    let sample = std::fs::read(dragons_harness::in_workspace("data/dragons.jsonl"))?;
    let mut report = Report::new(
        "Cold start of validate-dragon and add-dragon (release, Runtime API stand-in, moto)",
        Table::new([
            "function",
            "median",
            "min",
            "max",
            "peak RSS (largest)",
            "zip (deflate)",
            "n",
        ]),
    );
    for (function, expected) in [
        (VALIDATE_DRAGON, "\"valid\":true"),
        (ADD_DRAGON, "\"added\""),
    ] {
        let binary = list_dragons.with_file_name(function);
        let data = runtime.block_on(aws.data_set(sample.clone()))?;
        let env = aws.child_env(&data);
        let mut runs: Vec<Invocation> = Vec::new();
        for i in 0..=options.task_spawns {
            eprintln!(
                "task-cold-start: {function} start {i} of {}",
                options.task_spawns
            );
            let run = runtime.block_on(lambda_child::invoke(
                &binary,
                &env,
                "scan",
                report_event(
                    &format!("Coldstart-{i:03}"),
                    &format!("coldstart-{function}-{i}"),
                ),
                TIMEOUT,
            ))?;
            if !run.raw.contains(expected) {
                report
                    .notes
                    .push(format!("WRONG ANSWER from {function}: {:.300}", run.raw));
            }
            if i > 0 {
                runs.push(run);
            }
        }
        let times: Vec<Duration> = runs.iter().map(|run| run.elapsed).collect();
        let largest_rss = runs
            .iter()
            .filter_map(|run| run.peak_rss_kib)
            .max()
            .unwrap_or(0)
            * 1024;
        if let Some(summary) = Summary::of(&times) {
            report.table.row(vec![
                function.to_owned(),
                table::ms(summary.p50),
                table::ms(summary.min),
                table::ms(summary.max),
                table::megabytes(largest_rss),
                crate::python::zipped_size(&binary)
                    .map_or_else(|e| format!("? ({e})"), table::megabytes),
                summary.n.to_string(),
            ]);
        }
    }
    report.notes.push(
        "Each start answers one report event with a fresh name (validate: schema and name check, one SSM and one S3 read; add: the conditional append). The zip is the binary as `bootstrap`, deflated, as cargo-lambda packs it; these are x86_64 builds of `cargo build --release`.".to_owned(),
    );
    Ok(report)
}
