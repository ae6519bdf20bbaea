//! `pages` (issue 13): the paginated `GET /dragons` and AddDragon at scale. On each
//! data set (JSON Lines in moto over TLS, loaded with its names index as
//! `upload-data` loads it), the release
//! `list-dragons` and `add-dragon`, each warm in a fresh Lambda-sized cgroup:
//! GET by name, by family (first page), all (first page, and a full walk whose
//! pages at the start and at the end are then read again, interleaved), and adds:
//! time, response bytes and peak memory.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use dragons_contract::names::functions::ADD_DRAGON;
use dragons_ops::sample;

use crate::event::{proxy_event, report_event};
use crate::filter_bench::FAMILY;
use crate::lambda_child::Reply;
use crate::local_aws::{DATA_KEY, LocalAws};
use crate::report::{Check, Report};
use crate::stats::Summary;
use crate::table::{self, Table};
use crate::warm::{self, LAMBDA_MIB, Series};
use crate::{SEED, runtime};
use dragons_contract::page::LAMBDA_RESPONSE_LIMIT_BYTES;

/// The most memory any request may need at the largest data set, in MB.
const TARGET_MEMORY_MB: f64 = 32.0;
/// The most a page at the end of a walk may take over one at its start.
const TARGET_POSITION_RATIO: f64 = 1.25;
/// How long one answer may take.
const TIMEOUT: Duration = Duration::from_secs(600);

/// Options of `pages`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Data set sizes in records (~360 bytes each).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000, 1_000_000])]
    pub pages_records: Vec<usize>,
    /// Timed GETs per kind of request and data set (after one untimed, cold one).
    #[arg(long, default_value_t = 10)]
    pub pages_requests: usize,
    /// Timed adds per data set (after one untimed, cold one).
    #[arg(long, default_value_t = 5)]
    pub pages_adds: usize,
    /// The `limit` of every listing request (1000, the most: the largest pages).
    #[arg(long, default_value_t = 1000)]
    pub page_limit: usize,
    /// Rounds of the interleaved re-read of a page at the start and one at the end.
    #[arg(long, default_value_t = 10)]
    pub position_rounds: usize,
}

/// The names of the records at `count` evenly spread positions of a data set of
/// `records`, so a by-name GET's scan stops on average halfway through.
pub fn spread_names(records: usize, count: usize) -> Vec<String> {
    let count = count.max(1);
    let mut positions = (0..count).map(|i| (2 * i + 1) * records / (2 * count));
    let mut next = positions.next();
    let mut names = Vec::with_capacity(count);
    for (i, dragon) in sample::records(SEED).take(records).enumerate() {
        while next == Some(i) {
            names.push(dragon.dragon_name_str.clone());
            next = positions.next();
        }
    }
    names
}

/// One kind of GET: its label, its untimed first event and the timed ones.
struct Kind {
    label: &'static str,
    warmup: String,
    events: Vec<String>,
}

/// The listing kinds measured on a data set (every GET but the walk).
fn get_kinds(names: &[String], limit: &str, requests: usize) -> Vec<Kind> {
    let by_name = |name: &String| proxy_event(&[("dragonName", name)]).to_string();
    let family = proxy_event(&[("family", FAMILY), ("limit", limit)]).to_string();
    let all = proxy_event(&[("limit", limit)]).to_string();
    vec![
        Kind {
            label: "by name (first page)",
            warmup: by_name(&names[0]),
            events: names.iter().map(by_name).collect(),
        },
        Kind {
            label: "by family, first page",
            warmup: family.clone(),
            events: vec![family; requests],
        },
        Kind {
            label: "all, first page",
            warmup: all.clone(),
            events: vec![all; requests],
        },
    ]
}

/// What one walk measured.
struct Walk {
    series: Series,
    records: usize,
    /// Per page: time. The token of page `i` is `tokens[i]` (`None` for the first).
    tokens: Vec<Option<String>>,
    /// The interleaved re-reads: (page index, time).
    rereads: Vec<(usize, Duration)>,
}

/// Walks every page of `GET /dragons?limit=…` on one warm function, then reads a
/// page near the start and one near the end again, alternately.
async fn walk(
    binary: &Path,
    env: &[(String, String)],
    limit: &str,
    rounds: usize,
) -> anyhow::Result<Walk> {
    let page = |token: Option<&str>| match token {
        Some(token) => proxy_event(&[("limit", limit), ("nextToken", token)]).to_string(),
        None => proxy_event(&[("limit", limit)]).to_string(),
    };
    let mut lambda = warm::start(binary, env).await?;
    let mut tokens: Vec<Option<String>> = vec![None];
    let mut rereads = Vec::new();
    let mut records = 0;
    let outcome = async {
        lambda.call(page(None), TIMEOUT).await?;
        let mut replies: Vec<Reply> = Vec::new();
        loop {
            let token = tokens.last().cloned().flatten();
            let reply = lambda.call(page(token.as_deref()), TIMEOUT).await?;
            records += reply.records.unwrap_or(0);
            let next = reply.next_token.clone();
            replies.push(reply);
            match next {
                Some(next) => tokens.push(Some(next)),
                None => break,
            }
            if replies.len().is_multiple_of(100) {
                eprintln!("pages: walk at page {}", replies.len());
            }
        }
        // Full pages that resume from a token: the second, and the one before the last.
        if tokens.len() >= 4 {
            let (start, end) = (1, tokens.len() - 2);
            for round in 0..rounds {
                let order = if round % 2 == 0 {
                    [start, end]
                } else {
                    [end, start]
                };
                for index in order {
                    let reply = lambda.call(page(tokens[index].as_deref()), TIMEOUT).await?;
                    rereads.push((index, reply.elapsed));
                }
            }
        }
        anyhow::Ok(replies)
    }
    .await;
    let series = warm::finish(lambda, outcome).await?;
    Ok(Walk {
        series,
        records,
        tokens,
        rereads,
    })
}

fn p50(times: &[Duration]) -> Option<Duration> {
    Summary::of(times).map(|summary| summary.p50)
}

fn ms_or(duration: Option<Duration>) -> String {
    duration.map_or("?".to_owned(), table::ms)
}

/// Runs the benchmark with the release `list-dragons` at `binary` (and
/// `add-dragon` beside it).
pub fn run(options: &Options, binary: &Path) -> anyhow::Result<Report> {
    let add_dragon = binary.with_file_name(ADD_DRAGON);
    let limit = options.page_limit.to_string();
    let runtime = runtime()?;
    eprintln!("pages: starting moto over TLS");
    let aws = runtime.block_on(LocalAws::start_tls())?;
    let mut report = Report::new(
        format!(
            "Paginated GET and add at scale (release, {LAMBDA_MIB} MiB Lambda-sized cgroups, moto over TLS)"
        ),
        Table::new([
            "records",
            "request",
            "n",
            "p50 / p99",
            "records answered",
            "largest response",
            "peak RSS",
            "cgroup peak",
        ]),
    );
    let mut positions = Table::new([
        "records",
        "pages",
        "walk",
        "pages 2–4 (p50)",
        "last 3 full pages (p50)",
        "interleaved: page 2 / page before last (p50)",
        "end / start",
    ]);
    // (records, peak RSS of every request kind), the largest response, the position ratios.
    let mut peaks: Vec<(usize, u64)> = Vec::new();
    let mut largest_response = 0;
    let mut ratios: Vec<(usize, f64)> = Vec::new();
    for &count in &options.pages_records {
        let file = tempfile::Builder::new()
            .prefix("dragons-bench-")
            .suffix(".jsonl")
            .tempfile()?;
        sample::write_lines(count as u64, SEED, File::create(file.path())?)?;
        let size = std::fs::metadata(file.path())?.len();
        eprintln!(
            "pages: {count} records ({}) to moto",
            table::megabytes(size)
        );
        let names = sample::records(SEED)
            .take(count)
            .map(|dragon| dragon.dragon_name_str);
        let data = runtime.block_on(aws.indexed_data_set_from_file(
            file.path(),
            DATA_KEY,
            count,
            names,
        ))?;
        let env = aws.child_env(&data);
        let names = spread_names(count, options.pages_requests);
        let records = table::count(count as f64);
        let mut note_peak = |series: &Series| {
            peaks.push((count, series.peak_rss.unwrap_or(u64::MAX)));
            if series.failcnt > 0 {
                format!(" (hit the limit {} times)", series.failcnt)
            } else {
                String::new()
            }
        };
        for kind in get_kinds(&names, &limit, options.pages_requests) {
            eprintln!("pages: {count} records, {}", kind.label);
            let series = runtime.block_on(warm::series(
                binary,
                &env,
                kind.warmup,
                kind.events,
                TIMEOUT,
            ))?;
            let answered: usize = series.replies.iter().filter_map(|r| r.records).sum();
            let wrong = series
                .replies
                .iter()
                .filter(|reply| reply.status != Some(200))
                .count();
            if wrong > 0 {
                report.notes.push(format!(
                    "WRONG ANSWER: {wrong} of the {count}-record `{}` requests were not a 200",
                    kind.label
                ));
            }
            largest_response = largest_response.max(series.largest_response());
            let limit_note = note_peak(&series);
            let [rss, cgroup] = series.memory_cells();
            report.table.row(vec![
                records.clone(),
                kind.label.to_owned(),
                series.replies.len().to_string(),
                series.p50_p99(),
                format!("{answered} in all"),
                table::megabytes(series.largest_response() as u64),
                rss,
                cgroup + &limit_note,
            ]);
        }

        eprintln!("pages: {count} records, the full walk");
        let walk = runtime.block_on(walk(binary, &env, &limit, options.position_rounds))?;
        if walk.records != count {
            report.notes.push(format!(
                "WRONG ANSWER: the walk of {count} records answered {} records",
                walk.records
            ));
        }
        largest_response = largest_response.max(walk.series.largest_response());
        let times = walk.series.times();
        let pages = times.len();
        let full = pages.saturating_sub(1); // the last page may be short
        let start = p50(times.get(1..full.min(4)).unwrap_or_default());
        let end = p50(times
            .get(full.saturating_sub(3).max(1)..full)
            .unwrap_or_default());
        let reread = |index: usize| -> Vec<Duration> {
            walk.rereads
                .iter()
                .filter(|(i, _)| *i == index)
                .map(|(_, time)| *time)
                .collect()
        };
        let (reread_start, reread_end) = (
            p50(&reread(1)),
            p50(&reread(walk.tokens.len().saturating_sub(2))),
        );
        let ratio = match (reread_start, reread_end) {
            (Some(start), Some(end)) if !start.is_zero() => {
                let ratio = end.as_secs_f64() / start.as_secs_f64();
                ratios.push((count, ratio));
                table::ratio(ratio)
            }
            _ => "? (fewer than 4 pages)".to_owned(),
        };
        positions.row(vec![
            records.clone(),
            pages.to_string(),
            table::secs(times.iter().sum()),
            ms_or(start),
            ms_or(end),
            format!("{} / {}", ms_or(reread_start), ms_or(reread_end)),
            ratio,
        ]);
        let limit_note = note_peak(&walk.series);
        let [rss, cgroup] = walk.series.memory_cells();
        report.table.row(vec![
            records.clone(),
            format!("all, full walk ({pages} pages)"),
            pages.to_string(),
            walk.series.p50_p99(),
            format!("{} in all", walk.records),
            table::megabytes(walk.series.largest_response() as u64),
            rss,
            cgroup + &limit_note,
        ]);

        eprintln!("pages: {count} records, add-dragon");
        let add = |i: usize| {
            report_event(
                &format!("Pages-{count}-{i:03}"),
                &format!("pages-{count}-{i}"),
            )
        };
        let series = runtime
            .block_on(warm::series(
                &add_dragon,
                &env,
                add(0),
                (1..=options.pages_adds).map(add),
                TIMEOUT,
            ))
            .context("add-dragon")?;
        let wrong = series
            .replies
            .iter()
            .filter(|reply| !reply.raw.contains("\"added\""))
            .count();
        if wrong > 0 {
            report.notes.push(format!(
                "WRONG ANSWER: {wrong} of the adds to {count} records did not end added"
            ));
        }
        let limit_note = note_peak(&series);
        let [rss, cgroup] = series.memory_cells();
        report.table.row(vec![
            records,
            "add (conditional append; server-side past 5 MiB)".to_owned(),
            series.replies.len().to_string(),
            series.p50_p99(),
            "—".to_owned(),
            table::megabytes(series.largest_response() as u64),
            rss,
            cgroup + &limit_note,
        ]);
    }
    report.notes.push(format!(
        "Each row is one warm function in a fresh cgroup of {LAMBDA_MIB} MiB and {LAMBDA_MIB}/1769 of a CPU, answering one untimed (cold) request and then the timed ones; peak RSS is its VmHWM over all of them (cold start included), cgroup peak the group's `memory.max_usage_in_bytes`. Listing requests use `limit={}` (the most); by name asks for {} names at evenly spread positions (a name beyond the first 64 MiB of the object gets an empty first page with a `Link`, by design); by family is `family={FAMILY}` (~1%). The response is the proxy response as the function returns it (Lambda's 6 MB limit applies to it). Engine: scan.",
        options.page_limit, options.pages_requests
    ));
    report.extra.push((
        "Page time against its position in the walk (the interleaved re-reads are the fair comparison: same function, alternating)".to_owned(),
        positions,
    ));
    if let Some(&largest) = options.pages_records.iter().max() {
        let peak = peaks
            .iter()
            .filter(|(count, _)| *count == largest)
            .map(|(_, peak)| *peak)
            .max()
            .unwrap_or(u64::MAX);
        report.checks.push(Check::at_most(
            format!(
                "peak RSS of any request at {} records",
                table::count(largest as f64)
            ),
            peak as f64 / 1e6,
            TARGET_MEMORY_MB,
            "MB",
        ));
    }
    report.checks.push(Check::at_most(
        "largest response",
        largest_response as f64 / 1e6,
        LAMBDA_RESPONSE_LIMIT_BYTES as f64 / 1e6,
        "MB",
    ));
    if let Some(&(count, ratio)) = ratios.last() {
        report.checks.push(Check::at_most(
            format!(
                "page time, end of the walk / start, at {} records (interleaved)",
                table::count(count as f64)
            ),
            ratio,
            TARGET_POSITION_RATIO,
            "×",
        ));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_names_evenly() {
        let all: Vec<String> = sample::records(SEED)
            .take(100)
            .map(|dragon| dragon.dragon_name_str)
            .collect();
        let names = spread_names(100, 4);
        assert_eq!(
            names,
            [&all[12], &all[37], &all[62], &all[87]].map(String::clone)
        );
        assert_eq!(spread_names(3, 10).len(), 10);
    }
}
