//! `dragons`: the ops CLI of a deployed stack. Every subcommand takes `--stack` and
//! finds what it works on in that stack's outputs and resources; credentials, profile
//! and region come from the SDK's default chains (`--profile`, `--region` first), a
//! local endpoint from `AWS_ENDPOINT_URL`. This file only parses and wires: the work
//! is in `dragons_ops`' modules, the printing in `show`.

mod commands;
mod show;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use dragons_ops::logs::Source;

/// Operates a deployed dragons stack.
#[derive(Debug, Parser)]
#[command(name = "dragons", version, about)]
struct Cli {
    /// The stack (its name, as deployed).
    #[arg(long, global = true, env = "DRAGONS_STACK")]
    stack: Option<String>,
    /// The AWS profile (else the SDK's default chain: `AWS_PROFILE`, …).
    #[arg(long, global = true)]
    profile: Option<String>,
    /// The AWS region (else the SDK's default chain: `AWS_REGION`, the profile, …).
    #[arg(long, global = true)]
    region: Option<String>,
    /// `text` for people, `json` for scripts (one JSON document on stdout).
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    /// Readable lines.
    Text,
    /// JSON.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The stack's outputs and resources, or one output's value.
    Outputs {
        /// The output to print alone (`ApiUrl`, …).
        key: Option<String>,
    },
    /// The user pool's users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// An ID token for a user, on stdout (for `curl -H "Authorization: …"`).
    Token {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// The password (else read from `DRAGONS_PASSWORD`).
        #[arg(long, env = "DRAGONS_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Readable lines from the stack's logs.
    Logs {
        /// Whose logs (all when absent): `report` is the workflow with validate and add.
        #[arg(value_enum)]
        source: Option<Source>,
        /// From how long ago (`30s`, `15m`, `2h`, `1d`).
        #[arg(long, default_value = "15m", value_parser = dragons_ops::logs::parse_duration)]
        since: std::time::Duration,
        /// Keep reading new events (Ctrl-C stops).
        #[arg(long)]
        follow: bool,
        /// A CloudWatch Logs filter pattern (e.g. `ERROR`, `{ $.level = "WARN" }`).
        #[arg(long)]
        filter: Option<String>,
        /// Only list the log groups.
        #[arg(long)]
        groups: bool,
    },
    /// End to end against the deployed API: sign in a temporary user, GET a page,
    /// POST a report and follow it to its end. Exits non-zero on any failure.
    Smoke {
        /// The longest wait for the report's end, in seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
    /// Loads dragons (JSON Lines or one JSON array) into the stack's data object,
    /// merged by name with what it holds.
    UploadData {
        /// The file of dragons.
        #[arg(long, default_value = "data/dragons.jsonl")]
        data: PathBuf,
        /// Replace the object with the file: dragons only the object holds are dropped.
        #[arg(long)]
        replace: bool,
        /// Confirms `--replace`.
        #[arg(long)]
        yes: bool,
    },
    /// Moves the stack's dragons between its S3 object and its DynamoDB table.
    MigrateData {
        #[command(subcommand)]
        direction: Direction,
    },
    /// Publishes the web app (`web/`, its config.json and the dragon's schema) to the
    /// stack's site bucket, then invalidates the distribution.
    PublishWeb {
        /// The site's files.
        #[arg(long, default_value = "web")]
        dir: PathBuf,
    },
    /// Deletes the stack. Its data bucket, table and users are kept unless
    /// `--delete-data`.
    Destroy {
        /// Delete the data bucket, the access log bucket, the table and the user pool too.
        #[arg(long)]
        delete_data: bool,
        /// Confirms (without it, only says what would happen).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Creates a user with a permanent password (no invitation is sent).
    Add {
        /// The user's e-mail address (the pool signs in by it; set verified).
        #[arg(long)]
        email: String,
        /// The password (else read from `DRAGONS_PASSWORD`): 12 characters or more,
        /// upper and lower case, a digit and a symbol.
        #[arg(long, env = "DRAGONS_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Lists the users.
    List,
    /// Deletes a user.
    Remove {
        /// The user's e-mail address (or Cognito's user name, as `user list` shows it).
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum Direction {
    /// Copy the data object into the table; dragons the table holds are kept.
    ToTable {
        /// A file recording where the copy is after every page; an interrupted copy
        /// run again with it resumes there (delete it to copy from the start).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Conditional writes in flight at once.
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
    /// Export the table into the data object (with the object's dragons the table
    /// lacks), replacing the object only if nobody wrote it meanwhile.
    ToObject,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dragons: {error:#}");
            ExitCode::FAILURE
        }
    }
}
