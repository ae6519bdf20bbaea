//! `publish-web`: the web app (`web/`, its `config.json` from the stack's outputs and
//! the dragon's JSON Schema) onto a deployed stack's site bucket, then a CloudFront
//! invalidation.

use anyhow::Context;
use clap::Parser;
use dragons_ops::publish::{self, PublishClients};

#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The deployed stack (with WebApp=true).
    #[arg(long, default_value = "dragons")]
    stack_name: String,
    /// The site's files.
    #[arg(long, default_value = "web")]
    dir: std::path::PathBuf,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let clients = PublishClients::from_env().await;
    let published = publish::publish(&clients, &cli.stack_name, &cli.dir)
        .await
        .with_context(|| format!("publishing {} to {}", cli.dir.display(), cli.stack_name))?;
    for (key, caching) in &published.files {
        println!(
            "s3://{}/{key}  {}",
            published.target.bucket,
            caching.header()
        );
    }
    println!(
        "invalidation {} of distribution {}; the site: {}",
        published.invalidation_id,
        published.target.distribution_id,
        published.target.config.redirect_uri
    );
    Ok(())
}
