//! `filter`: the scan engine's streaming filter in-process, on one core, against a
//! Python client-side filter (json.loads per line) on the same bytes.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use dragons_contract::{DataFormat, DragonQuery};
use dragons_ops::sample;
use handlers::domain::{
    filter::{FilterError, QueryFilter},
    records::{Flow, Record, RecordSplitter},
};

use crate::SEED;
use crate::python;
use crate::report::{Check, Report};
use crate::table::{self, Table};

/// The chunk size S3 bodies arrive in (and the scan engine is fed with).
const CHUNK: usize = 64 * 1024;

/// The selective family: about 1% of the generated records.
pub const FAMILY: &str = "copper";

/// The throughput goal for a selective filter, in MB/s (10^6 bytes).
const TARGET_MB_S: f64 = 1500.0;
/// How many times faster than the Python filter the Rust one should be.
const TARGET_VS_PYTHON: f64 = 10.0;

/// Options of `filter`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Record counts to filter (each set is a prefix of the largest).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000, 1_000_000])]
    pub filter_sizes: Vec<usize>,
    /// Runs of the Rust filter per cell; the best counts.
    #[arg(long, default_value_t = 5)]
    pub filter_runs: usize,
    /// Runs of the Python filter per cell; the best counts.
    #[arg(long, default_value_t = 3)]
    pub python_runs: usize,
}

/// One filter measured: time of the best run, records read, records matched.
struct Measured {
    best: Duration,
    records: usize,
    matched: usize,
}

/// Runs the benchmark.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let largest = options.filter_sizes.iter().copied().max().unwrap_or(0);
    eprintln!("filter: generating {largest} records in memory");
    let data = sample::write_lines(largest as u64, SEED, Vec::with_capacity(largest * 370))?;
    let mut file = tempfile::Builder::new()
        .prefix("dragons-bench-")
        .suffix(".jsonl")
        .tempfile()?;
    file.write_all(&data)?;
    file.flush()?;

    let mut table = Table::new([
        "records",
        "size",
        "filter (matches)",
        "Rust MB/s",
        "Rust records/s",
        "Python MB/s",
        "Python records/s",
        "Rust / Python",
    ]);
    let mut report_checks = Vec::new();
    let mut notes = Vec::new();
    for &count in &options.filter_sizes {
        let bytes = &data[..prefix_len(&data, count)];
        let name = sample::records(SEED)
            .nth(count / 2)
            .map(|dragon| dragon.dragon_name_str)
            .context("the generator ended")?;
        for (label, field, value) in [
            ("family", "family_str", FAMILY.to_owned()),
            ("name", "dragon_name_str", name),
        ] {
            let query = match field {
                "family_str" => DragonQuery {
                    name: None,
                    family: Some(value.clone()),
                },
                _ => DragonQuery {
                    name: Some(value.clone()),
                    family: None,
                },
            };
            eprintln!("filter: {count} records, {label} = {value}");
            let rust = rust_filter(bytes, &query, options.filter_runs)?;
            let python =
                python_filter(file.path(), bytes.len(), field, &value, options.python_runs)?;
            if (rust.records, rust.matched) != (python.records, python.matched) {
                notes.push(format!(
                    "MISMATCH at {count} records, {label}: Rust read {} and kept {}, Python read {} and kept {}",
                    rust.records, rust.matched, python.records, python.matched
                ));
            }
            let mb_s = |m: &Measured| bytes.len() as f64 / 1e6 / m.best.as_secs_f64();
            let records_s = |m: &Measured| m.records as f64 / m.best.as_secs_f64();
            let vs_python = python.best.as_secs_f64() / rust.best.as_secs_f64();
            table.row(vec![
                table::count(count as f64),
                table::megabytes(bytes.len() as u64),
                format!("{label} ({})", rust.matched),
                table::count(mb_s(&rust)),
                table::count(records_s(&rust)),
                table::count(mb_s(&python)),
                table::count(records_s(&python)),
                table::ratio(vs_python),
            ]);
            if count == largest {
                report_checks.push(Check::at_least(
                    format!(
                        "filter throughput, {label} filter, {} records",
                        table::count(count as f64)
                    ),
                    mb_s(&rust),
                    TARGET_MB_S,
                    "MB/s",
                ));
                report_checks.push(Check::at_least(
                    format!(
                        "filter vs Python, {label} filter, {} records",
                        table::count(count as f64)
                    ),
                    vs_python,
                    TARGET_VS_PYTHON,
                    "×",
                ));
            }
        }
    }
    let mut report = Report::new("Filter throughput (in-process, one core)", table);
    report.notes.push(format!(
        "JSON Lines from the sample generator (seed {SEED}), fed in {} KiB chunks; best of {} Rust and {} Python runs; MB = 10^6 bytes. Family `{FAMILY}` matches ~1% of records; the name filter matches one.",
        CHUNK / 1024,
        options.filter_runs,
        options.python_runs
    ));
    report.notes.extend(notes);
    report.checks = report_checks;
    Ok(report)
}

/// The length of the first `count` lines of `data`.
fn prefix_len(data: &[u8], count: usize) -> usize {
    if count == 0 {
        return 0;
    }
    data.iter()
        .enumerate()
        .filter(|(_, byte)| **byte == b'\n')
        .nth(count - 1)
        .map_or(data.len(), |(at, _)| at + 1)
}

/// The best of `runs` passes of the scan engine's splitter and [`QueryFilter`] over
/// `data`, fed in chunks, the matches gathered as a page would gather them.
fn rust_filter(data: &[u8], query: &DragonQuery, runs: usize) -> anyhow::Result<Measured> {
    let mut best: Option<Measured> = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let filter = QueryFilter::new(query.clone());
        let mut splitter = RecordSplitter::new(DataFormat::JsonLines);
        let (mut records, mut matched) = (0, 0);
        let mut answer = Vec::new();
        let mut keep = |record: Record<'_>| {
            if filter.matches(record.bytes, records)? {
                answer.extend_from_slice(record.bytes);
                matched += 1;
            }
            records += 1;
            Ok::<_, FilterError>(Flow::Continue)
        };
        for chunk in data.chunks(CHUNK) {
            splitter.push(chunk, &mut keep)?;
        }
        splitter.finish(&mut keep)?;
        let elapsed = start.elapsed();
        std::hint::black_box(answer);
        if best.as_ref().is_none_or(|b| elapsed < b.best) {
            best = Some(Measured {
                best: elapsed,
                records,
                matched,
            });
        }
    }
    best.context("no run")
}

/// The Python peer on the first `bytes` bytes of the file at `path`.
fn python_filter(
    path: &std::path::Path,
    bytes: usize,
    field: &str,
    value: &str,
    runs: usize,
) -> anyhow::Result<Measured> {
    let answer = python::run_json(
        "filter_peer.py",
        &[
            "--path".to_owned(),
            path.display().to_string(),
            "--bytes".to_owned(),
            bytes.to_string(),
            "--field".to_owned(),
            field.to_owned(),
            "--value".to_owned(),
            value.to_owned(),
            "--runs".to_owned(),
            runs.to_string(),
        ],
        &[],
    )?;
    Ok(Measured {
        best: Duration::from_secs_f64(python::number(&answer, "best_seconds")?),
        records: python::number(&answer, "records")? as usize,
        matched: python::number(&answer, "matched")? as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_end_after_a_line_feed() {
        let data = b"a\nbb\nccc\n";
        assert_eq!(prefix_len(data, 0), 0);
        assert_eq!(prefix_len(data, 1), 2);
        assert_eq!(prefix_len(data, 3), data.len());
        assert_eq!(prefix_len(data, 9), data.len());
    }
}
