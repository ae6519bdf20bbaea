//! `add`: AddDragon under contention against moto. 1, 8 and 32 concurrent writers
//! append distinct dragons to one data object through `S3Store` (conditional
//! writes on the ETag), retrying a `DragonWriteConflict` as the state machine
//! does; the table gives successful adds per second and conditional-write retries
//! per add.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use clap::Args;
use dragons_contract::{
    DataFormat, Dragon, ReportRef,
    query_engine::QueryEngine,
    store::{AddError, DragonWriter},
};
use dragons_harness::fixtures::record_names;
use handlers::aws::S3Store;
use rand::Rng;

use crate::local_aws::LocalAws;
use crate::report::Report;
use crate::runtime;
use crate::table::{self, Table};

/// Options of `add`.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Concurrent writers per run.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8, 32])]
    pub writers: Vec<usize>,
    /// Dragons each writer adds.
    #[arg(long, default_value_t = 8)]
    pub adds_per_writer: usize,
}

/// The state machine retries a write conflict up to 6 times, backing off.
const WORKFLOW_RETRIES: u32 = 6;

fn dragon(writer: usize, n: usize) -> Dragon {
    Dragon {
        dragon_name_str: format!("Bench-{writer:02}-{n:03}"),
        family_str: "bronze".into(),
        description_str: "Added by the contention benchmark.".into(),
        location_city_str: "loopback".into(),
        location_country_str: "localhost".into(),
        location_state_str: String::new(),
        location_neighborhood_str: String::new(),
    }
}

/// Per writer: (rounds of read-modify-write, whole-task retries).
async fn write(store: Arc<S3Store>, writer: usize, adds: usize) -> anyhow::Result<(u64, u64)> {
    let (mut rounds, mut task_retries) = (0_u64, 0_u64);
    for n in 0..adds {
        let mut tries = 0;
        loop {
            let report = ReportRef {
                id: format!("bench-{writer}-{n}"),
                submitted_at: "2026-01-01T00:00:00Z".into(),
            };
            match store.add(&dragon(writer, n), &report).await {
                Ok(added) => {
                    rounds += u64::from(added.attempts);
                    break;
                }
                Err(AddError::Conflict { attempts }) if tries < WORKFLOW_RETRIES => {
                    rounds += u64::from(attempts);
                    task_retries += 1;
                    // The definition's Retry: 1 s × 2^n, at most 10 s, full jitter.
                    let ceiling = Duration::from_secs(1 << tries).min(Duration::from_secs(10));
                    let random = rand::thread_rng().gen_range(0.0..1.0);
                    tokio::time::sleep(ceiling.mul_f64(random)).await;
                    tries += 1;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    Ok((rounds, task_retries))
}

/// Runs the contention benchmark.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    runtime()?.block_on(async {
        let aws = LocalAws::start().await?;
        let mut table = Table::new([
            "writers",
            "adds",
            "time",
            "adds/s",
            "write retries per add",
            "task retries",
        ]);
        let mut notes = Vec::new();
        for &writers in &options.writers {
            let data = aws
                .data_set(std::fs::read(dragons_harness::in_workspace(
                    "data/dragons.jsonl",
                ))?)
                .await?;
            let before = record_names(
                &std::fs::read(dragons_harness::in_workspace("data/dragons.jsonl"))?,
                DataFormat::JsonLines,
            )?
            .len();
            let store = Arc::new(S3Store::new(
                aws.clients.clone(),
                data.parameters.clone(),
                QueryEngine::default(),
            ));
            let started = Instant::now();
            let tasks: Vec<_> = (0..writers)
                .map(|writer| {
                    tokio::spawn(write(Arc::clone(&store), writer, options.adds_per_writer))
                })
                .collect();
            let (mut rounds, mut task_retries) = (0, 0);
            for task in tasks {
                let (r, t) = task.await??;
                rounds += r;
                task_retries += t;
            }
            let elapsed = started.elapsed();
            let adds = writers * options.adds_per_writer;
            let object = aws
                .clients
                .s3
                .get_object()
                .bucket(&data.location.bucket)
                .key(&data.location.key)
                .send()
                .await?
                .body
                .collect()
                .await?
                .to_vec();
            let stored = record_names(&object, DataFormat::JsonLines)?.len();
            if stored != before + adds {
                notes.push(format!(
                    "{writers} writers: {stored} records stored, expected {}",
                    before + adds
                ));
            }
            table.row(vec![
                writers.to_string(),
                adds.to_string(),
                table::secs(elapsed),
                format!(
                    "{:.1}",
                    adds as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
                ),
                format!("{:.2}", (rounds as f64 - adds as f64) / adds as f64),
                task_retries.to_string(),
            ]);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut report = Report::new("AddDragon under contention (moto, one data object)", table);
        if notes.is_empty() {
            notes.push(
                "every run's object holds every added dragon afterwards: none lost".to_owned(),
            );
        }
        report.notes = notes;
        Ok(report)
    })
}
