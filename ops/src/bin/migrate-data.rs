//! `migrate-data`: moves a deployed stack's dragons between its stores. `to-table`
//! copies the S3 object into the DynamoDB table (resumable with `--checkpoint`);
//! `to-object` exports the table into the object at the stack's data key. Progress
//! and every conflict go to stderr, the summary to stdout; conflicts or invalid
//! records make the exit status 1.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use dragons_contract::{names, query_engine::QueryEngine};
use dragons_ops::migrate::{self, Event, Tally};
use handlers::aws::{AwsClients, DataLocation, DynamoStore, ParameterNames, S3Store};

/// Moves a deployed stack's dragons between its S3 object and its DynamoDB table.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// The SSM parameter holding the bucket name (the stack's BucketParameterName).
    #[arg(long, global = true, default_value = names::DEFAULT_BUCKET_PARAMETER)]
    bucket_parameter: String,
    /// The SSM parameter holding the object key (the stack's FileParameterName).
    #[arg(long, global = true, default_value = names::DEFAULT_FILE_PARAMETER)]
    file_parameter: String,
    /// The SSM parameter holding the table name (the stack's TableParameterName).
    #[arg(long, global = true, default_value = names::DEFAULT_TABLE_PARAMETER)]
    table_parameter: String,
    #[command(subcommand)]
    direction: Direction,
}

#[derive(Debug, Subcommand)]
enum Direction {
    /// Copy the data object into the table; dragons the table holds are kept.
    ToTable {
        /// A file recording where the copy is after every page; an interrupted copy
        /// run again with it resumes there (delete it to copy from the start).
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
        /// Conditional writes in flight at once.
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Export the table into the data object (with the object's dragons the table
    /// lacks), replacing the object only if nobody wrote it meanwhile.
    ToObject,
}

fn show(direction: &str) -> impl FnMut(Event<'_>) {
    let direction = direction.to_owned();
    move |event| match event {
        Event::Progress(tally) => eprintln!("{direction}: {tally}"),
        Event::Conflict { kept, source } => eprintln!(
            "{direction}: conflict: kept {}, not copied {}",
            serde_json::json!(kept),
            serde_json::json!(source)
        ),
        Event::Invalid { record, reason } => {
            eprintln!("{direction}: not a valid dragon ({reason}): {record}");
        }
    }
}

fn finish(tally: &Tally) -> anyhow::Result<()> {
    if !tally.is_clean() {
        bail!(
            "{} conflicts and {} invalid records (listed above) were not copied",
            tally.conflicts,
            tally.invalid
        );
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let clients = AwsClients::from_env().await;
    let parameters = ParameterNames {
        bucket: cli.bucket_parameter,
        file: cli.file_parameter,
    };
    let table = DynamoStore::new(&clients, &cli.table_parameter);
    let object = S3Store::new(clients.clone(), parameters.clone(), QueryEngine::Scan);
    match cli.direction {
        Direction::ToTable {
            checkpoint,
            concurrency,
        } => {
            let tally = migrate::to_table(
                &object,
                &table,
                checkpoint.as_deref(),
                usize::from(concurrency),
                &mut show("to-table"),
            )
            .await
            .context("copying the data object into the table")?;
            println!("to-table: {tally}");
            finish(&tally)
        }
        Direction::ToObject => {
            let location = DataLocation::fetch(&clients.ssm, &parameters)
                .await
                .context("reading the data location")?;
            let (tally, version) = migrate::to_object(
                &table,
                &object,
                &clients.s3,
                &location,
                &mut show("to-object"),
            )
            .await
            .context("exporting the table into the data object")?;
            println!(
                "to-object: {tally}; wrote s3://{}/{} (version {})",
                location.bucket,
                location.key,
                version.as_deref().unwrap_or("none")
            );
            finish(&tally)
        }
    }
}
