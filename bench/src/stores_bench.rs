//! `stores` (issue 14): the S3 object against the DynamoDB table, on one moto over
//! TLS, with the same records in both. For each store, the release `list-dragons`
//! and `add-dragon`, each warm in a fresh Lambda-sized cgroup: GET by name, by
//! family (first page), all (first page) and add, p50/p99 and peak memory.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use clap::Args;
use dragons_contract::{data_store::DataStore, names::functions::ADD_DRAGON};
use dragons_ops::sample;

use crate::event::{proxy_event, report_event};
use crate::filter_bench::FAMILY;
use crate::local_aws::{DATA_KEY, LocalAws};
use crate::pages::spread_names;
use crate::report::{Check, Report};
use crate::table::{self, Table};
use crate::warm::{self, LAMBDA_MIB, Series};
use crate::{SEED, runtime};

/// DynamoDB's add at the checked size must be this many times faster than S3's.
const TARGET_ADD_RATIO: f64 = 20.0;
/// DynamoDB's GET by name at the checked size must be this many times faster than the S3 scan.
const TARGET_NAME_RATIO: f64 = 10.0;
/// The data set size the targets are checked at.
const TARGET_RECORDS: usize = 100_000;
/// How long one answer may take.
const TIMEOUT: Duration = Duration::from_secs(600);

/// Options of `stores`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Data set sizes in records, each loaded into both stores.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000])]
    pub stores_records: Vec<usize>,
    /// Timed requests per kind, store and data set (after one untimed, cold one).
    #[arg(long, default_value_t = 20)]
    pub stores_requests: usize,
    /// BatchWriteItem calls in flight while loading the table (25 items each,
    /// 1,000 items a task).
    #[arg(long, default_value_t = 4)]
    pub seed_writers: usize,
}

/// The p50 of each request kind of one store on one data set, by label.
struct Measured {
    store: DataStore,
    records: usize,
    label: &'static str,
    p50: Duration,
}

/// Runs the benchmark with the release `list-dragons` at `binary` (and
/// `add-dragon` beside it).
pub fn run(options: &Options, binary: &Path) -> anyhow::Result<Report> {
    let add_dragon = binary.with_file_name(ADD_DRAGON);
    let runtime = runtime()?;
    eprintln!("stores: starting moto over TLS");
    let aws = runtime.block_on(LocalAws::start_tls())?;
    let mut report = Report::new(
        format!(
            "S3 object vs DynamoDB table (release, {LAMBDA_MIB} MiB Lambda-sized cgroups, moto over TLS)"
        ),
        Table::new([
            "records",
            "store",
            "request",
            "n",
            "p50 / p99",
            "records answered",
            "peak RSS",
            "cgroup peak",
        ]),
    );
    let mut measured: Vec<Measured> = Vec::new();
    for &count in &options.stores_records {
        let file = tempfile::Builder::new()
            .prefix("dragons-bench-")
            .suffix(".jsonl")
            .tempfile()?;
        sample::write_lines(count as u64, SEED, File::create(file.path())?)?;
        eprintln!("stores: {count} records to the object");
        let names = sample::records(SEED)
            .take(count)
            .map(|dragon| dragon.dragon_name_str);
        let data = runtime.block_on(aws.indexed_data_set_from_file(
            file.path(),
            DATA_KEY,
            count,
            names,
        ))?;
        eprintln!("stores: {count} records to the table (BatchWriteItem)");
        let loading = Instant::now();
        let table = runtime
            .block_on(aws.table_set(sample::records(SEED).take(count), options.seed_writers))?;
        let loading = loading.elapsed();
        report.notes.push(format!(
            "Loading {} records into the table took {} ({:.0} items/s; BatchWriteItem, {} tasks in flight).",
            table::count(count as f64),
            table::secs(loading),
            count as f64 / loading.as_secs_f64(),
            options.seed_writers
        ));
        let names = spread_names(count, options.stores_requests);
        let limit = "100";
        let by_name = |name: &String| proxy_event(&[("dragonName", name)]).to_string();
        let family = proxy_event(&[("family", FAMILY), ("limit", limit)]).to_string();
        let all = proxy_event(&[("limit", limit)]).to_string();
        for store in [DataStore::S3, DataStore::DynamoDb] {
            let env = match store {
                DataStore::S3 => aws.child_env(&data),
                DataStore::DynamoDb => aws.table_env(&data, &table),
            };
            let add = |i: usize| {
                report_event(
                    &format!("Stores-{store}-{count}-{i:03}"),
                    &format!("stores-{store}-{count}-{i}"),
                )
            };
            let kinds: [(&'static str, &Path, String, Vec<String>); 4] = [
                (
                    "by name",
                    binary,
                    by_name(&names[0]),
                    names.iter().map(by_name).collect(),
                ),
                (
                    "by family, first page",
                    binary,
                    family.clone(),
                    vec![family.clone(); options.stores_requests],
                ),
                (
                    "all, first page",
                    binary,
                    all.clone(),
                    vec![all.clone(); options.stores_requests],
                ),
                (
                    "add",
                    add_dragon.as_path(),
                    add(0),
                    (1..=options.stores_requests).map(add).collect(),
                ),
            ];
            for (label, function, warmup, events) in kinds {
                eprintln!("stores: {count} records, {store}, {label}");
                let series: Series =
                    runtime.block_on(warm::series(function, &env, warmup, events, TIMEOUT))?;
                let wrong = series
                    .replies
                    .iter()
                    .filter(|reply| match label {
                        "add" => !reply.raw.contains("\"added\""),
                        _ => reply.status != Some(200),
                    })
                    .count();
                if wrong > 0 {
                    report.notes.push(format!(
                        "WRONG ANSWER: {wrong} of the {store} `{label}` requests at {count} records failed (e.g. {:.300})",
                        series.replies.first().map_or("", |reply| reply.raw.as_str())
                    ));
                }
                let answered: usize = series.replies.iter().filter_map(|r| r.records).sum();
                if let Some(summary) = series.summary() {
                    measured.push(Measured {
                        store,
                        records: count,
                        label,
                        p50: summary.p50,
                    });
                }
                let [rss, cgroup] = series.memory_cells();
                report.table.row(vec![
                    table::count(count as f64),
                    store.to_string(),
                    label.to_owned(),
                    series.replies.len().to_string(),
                    series.p50_p99(),
                    if label == "add" {
                        "—".to_owned()
                    } else {
                        format!("{answered} in all")
                    },
                    rss,
                    cgroup,
                ]);
            }
        }
    }
    report.notes.push(format!(
        "Each row is one warm function in a fresh cgroup of {LAMBDA_MIB} MiB and {LAMBDA_MIB}/1769 of a CPU, answering one untimed (cold) request and then the timed ones; peak RSS is its VmHWM over all of them. By name asks for {} names at evenly spread positions (the S3 scan stops at the match: on average halfway; DynamoDB: one GetItem); by family is `family={FAMILY}` (~1%; S3: a scan, DynamoDB: a Query on the index); all is a Scan; first pages use the default `limit=100`. S3 add: the streamed conditional PutObject of the whole object; DynamoDB add: one conditional PutItem. Engine: scan.",
        options.stores_requests
    ));
    let p50 = |store: DataStore, label: &str| {
        measured
            .iter()
            .find(|m| m.store == store && m.label == label && m.records == TARGET_RECORDS)
            .map(|m| m.p50.as_secs_f64())
    };
    let at = table::count(TARGET_RECORDS as f64);
    for (label, target, what) in [
        ("add", TARGET_ADD_RATIO, "add"),
        ("by name", TARGET_NAME_RATIO, "GET by name"),
    ] {
        if let (Some(s3), Some(dynamo)) =
            (p50(DataStore::S3, label), p50(DataStore::DynamoDb, label))
        {
            report.checks.push(Check::at_least(
                format!("{what} at {at} records, S3 p50 / DynamoDB p50"),
                s3 / dynamo,
                target,
                "×",
            ));
        }
    }
    Ok(report)
}
