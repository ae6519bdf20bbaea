//! `upload-data`: puts the dragon data into a deployed stack's bucket, at the key
//! its SSM parameters name (as JSON Lines or an array document, as the key says).

use anyhow::Context;
use clap::Parser;
use handlers::aws::{AwsClients, ParameterNames};

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The JSON Lines file of dragons to upload.
    #[arg(long, default_value = "data/dragons.jsonl")]
    data: std::path::PathBuf,
    /// The SSM parameter holding the bucket name (the stack's BucketParameterName).
    #[arg(long, default_value = dragons_contract::names::DEFAULT_BUCKET_PARAMETER)]
    bucket_parameter: String,
    /// The SSM parameter holding the object key (the stack's FileParameterName).
    #[arg(long, default_value = dragons_contract::names::DEFAULT_FILE_PARAMETER)]
    file_parameter: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let lines = std::fs::read_to_string(&cli.data)
        .with_context(|| format!("reading {}", cli.data.display()))?;
    let names = ParameterNames {
        bucket: cli.bucket_parameter,
        file: cli.file_parameter,
    };
    let location = dragons_ops::upload(&AwsClients::from_env().await, &names, &lines).await?;
    println!(
        "uploaded {} to s3://{}/{}",
        cli.data.display(),
        location.bucket,
        location.key
    );
    Ok(())
}
