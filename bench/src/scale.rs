//! `scale`: memory and time of one `GET /dragons?family=…` over a large JSON Lines
//! object in moto: the release `list-dragons` (scan engine) under the Runtime API
//! stand-in, and the Python client-side filter peer on the same object.

use std::fs::File;
use std::time::{Duration, Instant};

use clap::Args;
use dragons_ops::sample;

use crate::event;
use crate::filter_bench::FAMILY;
use crate::lambda_child;
use crate::local_aws::LocalAws;
use crate::python;
use crate::report::{Check, Report};
use crate::table::{self, Table};
use crate::{SEED, runtime};

/// Peak RSS goal for the scan at scale, in MB (10^6 bytes).
const TARGET_RSS_MB: f64 = 64.0;
/// How long the one answer may take.
const TIMEOUT: Duration = Duration::from_secs(600);

/// Options of `scale`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Records in the large data object (~360 bytes each).
    #[arg(long, default_value_t = 1_000_000)]
    pub scale_records: usize,
}

/// Runs the benchmark with the `list-dragons` executable at `binary`.
pub fn run(options: &Options, binary: &std::path::Path) -> anyhow::Result<Report> {
    let count = options.scale_records;
    let file = tempfile::Builder::new()
        .prefix("dragons-bench-")
        .suffix(".jsonl")
        .tempfile()?;
    eprintln!(
        "scale: writing {count} records to {}",
        file.path().display()
    );
    sample::write_lines(count as u64, SEED, File::create(file.path())?)?;
    let size = std::fs::metadata(file.path())?.len();
    let expected = sample::records(SEED)
        .take(count)
        .filter(|dragon| dragon.family_str == FAMILY)
        .count();
    let runtime = runtime()?;
    eprintln!("scale: starting moto");
    let aws = runtime.block_on(LocalAws::start())?;
    eprintln!("scale: uploading {}", table::megabytes(size));
    let upload = Instant::now();
    let data = runtime.block_on(aws.data_set_from_file(file.path()))?;
    let upload = upload.elapsed();
    let env = aws.child_env(&data);
    let proxy_event = event::proxy_event(&[("family", FAMILY)]).to_string();

    eprintln!("scale: list-dragons (scan)");
    let rust = runtime.block_on(lambda_child::invoke(
        binary,
        &env,
        "scan",
        proxy_event.clone(),
        TIMEOUT,
    ))?;
    eprintln!("scale: Python client-side filter peer");
    let python = python::run_json(
        "drive.py",
        &[
            "--handler",
            "list_dragons_scan",
            "--event",
            &proxy_event,
            "--warmup",
            "0",
            "--requests",
            "1",
        ],
        &env,
    )?;
    let python_ms = python::numbers(&python, "latencies_ms")?
        .first()
        .copied()
        .unwrap_or(f64::NAN);
    let python_kib = python::number(&python, "peak_rss_kib")? as u64;
    let python_records = python["records"].as_u64().map(|n| n as usize);

    let mut report = Report::new(
        "One GET over a large object (moto, scan)",
        Table::new([
            "implementation",
            "records",
            "object",
            "time to answer",
            "peak RSS",
            "returned",
        ]),
    );
    let returned = |n: Option<usize>| n.map_or("error".to_owned(), |n| n.to_string());
    report.table.row(vec![
        "Rust list-dragons (release, Lambda stand-in)".to_owned(),
        table::count(count as f64),
        table::megabytes(size),
        table::secs(rust.elapsed),
        rust.peak_rss_kib
            .map_or("?".to_owned(), |kib| table::megabytes(kib * 1024)),
        returned(rust.records),
    ]);
    report.table.row(vec![
        "Python client-side filter peer (boto3, warm)".to_owned(),
        table::count(count as f64),
        table::megabytes(size),
        table::secs(Duration::from_secs_f64(python_ms / 1e3)),
        table::megabytes(python_kib * 1024),
        returned(python_records),
    ]);
    if rust.status != Some(200) || rust.records != Some(expected) {
        report.notes.push(format!(
            "WRONG ANSWER from list-dragons: expected a 200 with {expected} records, got {:.300}",
            rust.raw
        ));
    }
    if python_records != Some(expected) {
        report.notes.push(format!(
            "WRONG ANSWER from the Python peer: {python_records:?} records, expected {expected}"
        ));
    }
    report.notes.push(format!(
        "Query `family={FAMILY}` ({expected} match). list-dragons is timed from spawn (cold) to its answer; the Python peer's time is one call after import (boto3 clients ready) and its RSS is the interpreter's VmHWM (boto3 included). Uploading the object to moto took {}.",
        table::secs(upload)
    ));
    report.notes.push(format!(
        "list-dragons' answer (the API Gateway response) was {}; Lambda refuses responses over 6 MB.",
        table::megabytes(rust.raw.len() as u64)
    ));
    if let Some(kib) = rust.peak_rss_kib {
        report.checks.push(Check::at_most(
            format!(
                "peak RSS scanning {} records ({})",
                table::count(count as f64),
                table::megabytes(size)
            ),
            (kib * 1024) as f64 / 1e6,
            TARGET_RSS_MB,
            "MB",
        ));
    }
    Ok(report)
}
