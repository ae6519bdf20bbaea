//! `get`: warm `GET /dragons?family=…` latency against one moto, per engine and
//! data size: the Rust handler in-process (clients built once, as in a warm
//! Lambda container) beside two Python peers driven the same way, the course
//! seed's S3 Select handler and a client-side filter.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use dragons_contract::query_engine::QueryEngine;
use dragons_harness::fixtures::DataSet;
use dragons_ops::sample;
use handlers::{api::list_dragons::list_dragons, aws::S3Store};
use lambda_http::http::StatusCode;

use crate::event;
use crate::filter_bench::FAMILY;
use crate::local_aws::LocalAws;
use crate::python;
use crate::report::{Check, Report};
use crate::stats::Summary;
use crate::table::{self, Table};
use crate::{SEED, runtime};

/// How many times faster than the Python S3 Select peer a warm GET should be.
const TARGET_VS_SELECT: f64 = 10.0;

/// Options of `get`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Record counts of the data objects.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 10_000])]
    pub get_sizes: Vec<usize>,
    /// Timed requests per cell.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
    /// Untimed requests per cell first.
    #[arg(long, default_value_t = 20)]
    pub warmup: usize,
    /// A cell stops early after this many seconds of timed requests.
    #[arg(long, default_value_t = 60.0)]
    pub budget_seconds: f64,
}

/// One implementation's timings at one size.
struct Cell {
    /// Who answered.
    label: &'static str,
    /// The timings.
    summary: Summary,
    /// Records in the last answer, when it was a 200.
    records: Option<usize>,
}

/// Runs the benchmark.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let runtime = runtime()?;
    eprintln!("get: starting moto");
    let aws = runtime.block_on(LocalAws::start())?;
    let query = [("family", FAMILY)];
    let proxy_event = event::proxy_event(&query).to_string();
    let mut table = Table::new(["records", "implementation", "n", "p50", "p99", "returned"]);
    let mut ratios = Table::new([
        "records",
        "Python select / Rust scan",
        "Python select / Rust s3-select",
        "Python client-side / Rust scan",
    ]);
    let mut report = Report::new(
        "Warm GET /dragons latency (moto, one request at a time)",
        Table::default(),
    );
    for &size in &options.get_sizes {
        let body = sample::write_lines(size as u64, SEED, Vec::new())?;
        let expected = sample::records(SEED)
            .take(size)
            .filter(|dragon| dragon.family_str == FAMILY)
            .count();
        let data = runtime.block_on(aws.data_set(body))?;
        let mut cells = Vec::new();
        for (label, engine) in [
            ("Rust, scan", QueryEngine::Scan),
            ("Rust, s3-select", QueryEngine::S3Select),
        ] {
            eprintln!("get: {size} records, {label}");
            cells.push(runtime.block_on(rust_cell(&aws, &data, engine, label, options))?);
        }
        for (label, handler) in [
            ("Python, S3 Select (seed)", "list_dragons_select"),
            ("Python, client-side filter", "list_dragons_scan"),
        ] {
            eprintln!("get: {size} records, {label}");
            cells.push(python_cell(
                &aws,
                &data,
                handler,
                label,
                &proxy_event,
                options,
            )?);
        }
        for cell in &cells {
            if cell.records != Some(expected) {
                report.notes.push(format!(
                    "WRONG ANSWER at {size} records from {}: {:?} records, expected {expected}",
                    cell.label, cell.records
                ));
            }
            table.row(vec![
                table::count(size as f64),
                cell.label.to_owned(),
                cell.summary.n.to_string(),
                table::ms(cell.summary.p50),
                table::ms(cell.summary.p99),
                cell.records.map_or("error".to_owned(), |n| n.to_string()),
            ]);
        }
        let p50 = |i: usize| cells[i].summary.p50.as_secs_f64();
        ratios.row(vec![
            table::count(size as f64),
            table::ratio(p50(2) / p50(0)),
            table::ratio(p50(2) / p50(1)),
            table::ratio(p50(3) / p50(0)),
        ]);
        report.checks.push(Check::at_least(
            format!(
                "warm GET p50, Rust scan vs Python S3 Select, {} records",
                table::count(size as f64)
            ),
            p50(2) / p50(0),
            TARGET_VS_SELECT,
            "×",
        ));
    }
    report.table = table;
    report.notes.insert(
        0,
        format!(
            "Query `family={FAMILY}` (~1% of records). Per cell: {} untimed requests, then up to {} timed ones (fewer when a cell passes {} s). The Rust handler runs in-process (`list_dragons`, clients built once); each Python peer is imported once and called in a loop. Ratios are of p50s.",
            options.warmup, options.requests, options.budget_seconds
        ),
    );
    report.extra.push((
        "How many times faster Rust is (p50 over p50):".to_owned(),
        ratios,
    ));
    Ok(report)
}

/// The Rust handler in-process with `engine`.
async fn rust_cell(
    aws: &LocalAws,
    data: &DataSet,
    engine: QueryEngine,
    label: &'static str,
    options: &Options,
) -> anyhow::Result<Cell> {
    let store = S3Store::new(aws.clients.clone(), data.parameters.clone(), engine);
    let request = event::request(&[("family", FAMILY)])?;
    for _ in 0..options.warmup {
        list_dragons(&store, &request).await;
    }
    let budget = Duration::from_secs_f64(options.budget_seconds);
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(options.requests);
    let mut last = None;
    for _ in 0..options.requests.max(1) {
        let start = Instant::now();
        let response = list_dragons(&store, &request).await;
        latencies.push(start.elapsed());
        last = Some(response);
        if started.elapsed() > budget {
            break;
        }
    }
    let records = last
        .filter(|response| response.status() == StatusCode::OK)
        .and_then(|response| {
            serde_json::from_slice::<Vec<serde_json::Value>>(response.body().as_ref()).ok()
        })
        .map(|records| records.len());
    Ok(Cell {
        label,
        summary: Summary::of(&latencies).context("no timings")?,
        records,
    })
}

/// A Python handler driven by `bench/python/drive.py`.
fn python_cell(
    aws: &LocalAws,
    data: &DataSet,
    handler: &str,
    label: &'static str,
    proxy_event: &str,
    options: &Options,
) -> anyhow::Result<Cell> {
    let answer = python::run_json(
        "drive.py",
        &[
            "--handler",
            handler,
            "--event",
            proxy_event,
            "--warmup",
            &options.warmup.to_string(),
            "--requests",
            &options.requests.max(1).to_string(),
            "--budget-seconds",
            &options.budget_seconds.to_string(),
        ],
        &aws.child_env(data),
    )?;
    let latencies = python::numbers(&answer, "latencies_ms")?;
    Ok(Cell {
        label,
        summary: Summary::of_millis(&latencies).context("no timings")?,
        records: answer["records"].as_u64().map(|n| n as usize),
    })
}
