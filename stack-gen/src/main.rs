//! `stack-gen`: writes (or, with `--check`, verifies) the generated `cfn-out/`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use stack_gen::output;

/// Generate the dragons CloudFormation template and state machine definition.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Output directory (default: the workspace's `cfn-out/`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write nothing; exit 1, naming the files that differ, if the output is stale.
    #[arg(long)]
    check: bool,
}

fn default_out() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("cfn-out")
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let out = cli.out.unwrap_or_else(default_out);
    let files = output::generate().context("building the stack")?;
    if cli.check {
        let stale = output::stale(&out, &files)?;
        if stale.is_empty() {
            println!("{} is up to date ({} files)", out.display(), files.len());
            return Ok(ExitCode::SUCCESS);
        }
        for path in &stale {
            eprintln!("stale: {}", path.display());
        }
        eprintln!("run `cargo run -p stack-gen` and commit cfn-out/");
        return Ok(ExitCode::FAILURE);
    }
    output::write(&out, &files)?;
    for file in &files {
        println!("wrote {}", out.join(&file.path).display());
    }
    Ok(ExitCode::SUCCESS)
}
