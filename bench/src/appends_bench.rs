//! `appends` (issue 29): AddDragon at scale on the S3 store. On each data set (moto
//! over TLS, loaded with its names index as `upload-data` loads it), the release
//! `add-dragon` warm in a fresh Lambda-sized cgroup adds dragons one after another:
//! p50/p99 and peak memory. Then every added dragon is looked up by the read path
//! (`GET /dragons?family=` walked to its end: each once, and the object still
//! parses) and by name (the check ValidateDragon answers with, and `GET
//! /dragons?dragonName=` for the last one, the furthest from the start). Targets: the
//! add at the largest size takes at most twice the add at the smallest, and under 1 s.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_sdk_s3::{
    Client,
    primitives::ByteStream,
    types::{CompletedMultipartUpload, CompletedPart},
};
use clap::Args;
use dragons_contract::{
    DataFormat, Dragon,
    names::functions::ADD_DRAGON,
    query::{FAMILY_PARAMETER, ListRequest, NAME_PARAMETER},
    query_engine::QueryEngine,
    store::{DragonReader, DragonWriter, MAX_PAGE_LIMIT, PageRequest},
};
use dragons_ops::sample;
use handlers::aws::{DataLocation, S3Store, append::MIN_PART};

use crate::event::report_event_in;
use crate::local_aws::LocalAws;
use crate::report::{Check, Report};
use crate::stats::Summary;
use crate::table::{self, Table};
use crate::warm::{self, LAMBDA_MIB};
use crate::{SEED, runtime};

/// The family of the dragons the benchmark adds (no sample dragon has it).
const FAMILY: &str = "appended-by-the-bench";
/// The most the add at the largest data set may take over the add at the smallest.
const TARGET_RATIO: f64 = 2.0;
/// The most the add at the largest data set may take, in ms.
const TARGET_MS: f64 = 1000.0;
/// How long one answer may take.
const TIMEOUT: Duration = Duration::from_secs(600);
/// Runs of the in-process measure of moto's own share of an add.
const SHARE_RUNS: usize = 3;

/// Options of `appends`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Data set sizes in records (~360 bytes each).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000, 1_000_000])]
    pub appends_records: Vec<usize>,
    /// Timed adds per data set (after one untimed, cold one).
    #[arg(long, default_value_t = 10)]
    pub appends_adds: usize,
    /// The data object's formats: `jsonl` (JSON Lines), `json` (an array document).
    #[arg(long, value_delimiter = ',', default_values_t = ["jsonl".to_owned()])]
    pub appends_formats: Vec<String>,
}

/// The name of the `n`-th dragon added to the data set of `records` records.
fn added_name(records: usize, n: usize) -> String {
    format!("Appended-{records}-{n:03}")
}

/// The names of the records every page of `request` answers, walked to the end.
async fn walk(store: &S3Store, request: &ListRequest) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .page(PageRequest {
                query: &request.query,
                limit: MAX_PAGE_LIMIT,
                after: after.as_ref(),
            })
            .await?;
        let records: Vec<Dragon> = serde_json::from_slice(&page.body)?;
        names.extend(records.into_iter().map(|dragon| dragon.dragon_name_str));
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(names),
        }
    }
}

/// How many of `added` the read path and the name check do not find exactly once.
async fn missing(store: &S3Store, added: &[String]) -> anyhow::Result<Vec<String>> {
    let by_family = walk(
        store,
        &ListRequest::from_pairs([(FAMILY_PARAMETER, FAMILY)])?,
    )
    .await?;
    let mut missing = Vec::new();
    for name in added {
        let once = by_family.iter().filter(|found| *found == name).count() == 1;
        if !once || !store.is_name_taken(name).await? {
            missing.push(name.clone());
        }
    }
    if let Some(last) = added.last() {
        let by_name = walk(
            store,
            &ListRequest::from_pairs([(NAME_PARAMETER, last.as_str())])?,
        )
        .await?;
        if by_name != [last.clone()] {
            missing.push(format!("{last} (by name)"));
        }
    }
    Ok(missing)
}

/// moto's own time for the requests of an add past 5 MiB that cost it the whole
/// object (S3 serves them in time independent of it): the 64 KiB tail GET, then the
/// UploadPartCopy of the object (beside an UploadPart of one record) and the
/// completion. Made in-process (no cgroup) into a scratch key, the data untouched;
/// the median of `runs`.
async fn moto_share(s3: &Client, location: &DataLocation, runs: usize) -> anyhow::Result<Duration> {
    let scratch = format!("{}.moto-share", location.key);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let tail = s3
            .get_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .range("bytes=-65536")
            .send()
            .await?;
        let size = tail
            .content_range()
            .and_then(|range| range.rsplit_once('/'))
            .and_then(|(_, total)| total.parse::<u64>().ok())
            .context("no size in the tail's Content-Range")?;
        tail.body.collect().await?;
        let upload = s3
            .create_multipart_upload()
            .bucket(&location.bucket)
            .key(&scratch)
            .send()
            .await?
            .upload_id
            .context("no upload id")?;
        let copy = s3
            .upload_part_copy()
            .bucket(&location.bucket)
            .key(&scratch)
            .upload_id(&upload)
            .part_number(1)
            .copy_source(format!("{}/{}", location.bucket, location.key))
            .copy_source_range(format!("bytes=0-{}", size - 1))
            .send();
        let part = s3
            .upload_part()
            .bucket(&location.bucket)
            .key(&scratch)
            .upload_id(&upload)
            .part_number(2)
            .body(ByteStream::from(b"{}\n".to_vec()))
            .send();
        let (copy, part) = tokio::join!(copy, part);
        let parts = [
            (1, copy?.copy_part_result.and_then(|result| result.e_tag)),
            (2, part?.e_tag),
        ]
        .map(|(number, etag)| {
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(etag)
                .build()
        });
        s3.complete_multipart_upload()
            .bucket(&location.bucket)
            .key(&scratch)
            .upload_id(&upload)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts.to_vec()))
                    .build(),
            )
            .send()
            .await?;
        times.push(started.elapsed());
    }
    Summary::of(&times)
        .map(|summary| summary.p50)
        .context("no runs")
}

/// Runs the benchmark with the release `add-dragon` beside `binary`.
pub fn run(options: &Options, binary: &Path) -> anyhow::Result<Report> {
    let add_dragon = binary.with_file_name(ADD_DRAGON);
    let runtime = runtime()?;
    eprintln!("appends: starting moto over TLS");
    let aws = runtime.block_on(LocalAws::start_tls())?;
    let mut report = Report::new(
        format!(
            "AddDragon at scale on the S3 store (release, {LAMBDA_MIB} MiB Lambda-sized cgroups, moto over TLS)"
        ),
        Table::new([
            "records",
            "format",
            "object",
            "adds",
            "add p50 / p99",
            "moto's share (p50)",
            "function CPU per add (p50)",
            "peak RSS",
            "cgroup peak",
            "found afterwards",
        ]),
    );
    for format_name in &options.appends_formats {
        let (format, key) = match format_name.as_str() {
            "jsonl" => (DataFormat::JsonLines, "dragons.jsonl"),
            "json" => (DataFormat::JsonArray, "dragons.json"),
            other => anyhow::bail!("unknown format `{other}`: jsonl or json"),
        };
        // (records, add p50) of this format.
        let mut p50s: Vec<(usize, Duration)> = Vec::new();
        for &count in &options.appends_records {
            let file = tempfile::Builder::new()
                .prefix("dragons-bench-")
                .suffix(key)
                .tempfile()?;
            let writer = File::create(file.path())?;
            match format {
                DataFormat::JsonLines => sample::write_lines(count as u64, SEED, writer)?,
                DataFormat::JsonArray => sample::write_array(count as u64, SEED, writer)?,
            };
            let size = std::fs::metadata(file.path())?.len();
            eprintln!(
                "appends: {count} records ({}, {format_name}) to moto with their names index",
                table::megabytes(size)
            );
            let names = sample::records(SEED)
                .take(count)
                .map(|dragon| dragon.dragon_name_str);
            let data =
                runtime.block_on(aws.indexed_data_set_from_file(file.path(), key, count, names))?;
            let env = aws.child_env(&data);
            let added: Vec<String> = (0..=options.appends_adds)
                .map(|n| added_name(count, n))
                .collect();
            let event =
                |n: usize| report_event_in(&added[n], FAMILY, &format!("appends-{count}-{n}"));
            eprintln!("appends: {count} records, add-dragon");
            let series = runtime
                .block_on(warm::series(
                    &add_dragon,
                    &env,
                    event(0),
                    (1..=options.appends_adds).map(event),
                    TIMEOUT,
                ))
                .context("add-dragon")?;
            let wrong = series
                .replies
                .iter()
                .filter(|reply| !reply.raw.contains("\"replayed\":false"))
                .count();
            if wrong > 0 {
                report.notes.push(format!(
                    "WRONG ANSWER: {wrong} of the adds to {count} records did not end added"
                ));
            }
            eprintln!("appends: {count} records, looking the added dragons up");
            let store = S3Store::new(
                aws.clients.clone(),
                data.parameters.clone(),
                QueryEngine::Scan,
            );
            let missing = runtime.block_on(missing(&store, &added))?;
            if !missing.is_empty() {
                report.notes.push(format!(
                    "WRONG ANSWER: after the adds to {count} records, not found exactly once: {}",
                    missing.join(", ")
                ));
            }
            if let Some(summary) = series.summary() {
                p50s.push((count, summary.p50));
            }
            let share = if size >= MIN_PART {
                eprintln!("appends: {count} records, moto's share of an add");
                table::ms(runtime.block_on(moto_share(
                    &aws.clients.s3,
                    &data.location,
                    SHARE_RUNS,
                ))?)
            } else {
                "— (rewrite)".to_owned()
            };
            let cpu = series.cpu_p50().map_or("?".to_owned(), table::ms);
            let [rss, cgroup] = series.memory_cells();
            report.table.row(vec![
                table::count(count as f64),
                format_name.clone(),
                table::megabytes(size),
                series.replies.len().to_string(),
                series.p50_p99(),
                share,
                cpu,
                rss,
                cgroup,
                format!("{} of {}", added.len() - missing.len(), added.len()),
            ]);
        }
        if let (Some(&(smallest, first)), Some(&(largest, last))) = (p50s.first(), p50s.last()) {
            let at = |count: usize| table::count(count as f64);
            report.checks.push(Check::at_most(
                format!(
                    "add p50 at {} / at {} records ({format_name})",
                    at(largest),
                    at(smallest)
                ),
                last.as_secs_f64() / first.as_secs_f64().max(f64::EPSILON),
                TARGET_RATIO,
                "×",
            ));
            report.checks.push(Check::at_most(
                format!("add p50 at {} records ({format_name})", at(largest)),
                last.as_secs_f64() * 1000.0,
                TARGET_MS,
                "ms",
            ));
        }
    }
    report.notes.push(format!(
        "Each row is one warm add-dragon in a fresh cgroup of {LAMBDA_MIB} MiB and {LAMBDA_MIB}/1769 of a CPU, answering one untimed (cold) add and then the timed ones, each a new name (family `{FAMILY}`). Below 5 MiB an add rewrites the object (GetObject + PutObject with If-Match); past it, it appends on S3's side (UploadPartCopy of the object, UploadPart of the record, CompleteMultipartUpload with If-Match). moto's share: the requests of an add past 5 MiB that moto answers by building or writing the whole object (the 64 KiB tail GET, the UploadPartCopy beside an UploadPart, the completion; S3 serves each in time independent of the object), made in-process into a scratch key, median of {SHARE_RUNS}. Function CPU: the CPU time (user and system, every thread) its cgroup's `cpuacct.usage` counted for one add, the function's own work whatever the store's latency. Found afterwards: each added dragon exactly once in `GET /dragons?family=…` walked to its end, taken by its name for ValidateDragon, and the last one by `GET /dragons?dragonName=…`."
    ));
    Ok(report)
}
