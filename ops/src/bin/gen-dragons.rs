//! `gen-dragons`: writes N deterministic sample dragons, as JSON Lines or as one
//! JSON array document. The same arguments always give the same bytes.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use dragons_contract::DataFormat;
use dragons_ops::sample::{self, SampleError};

/// Writes deterministic sample dragons as JSON Lines or a JSON array (see
/// `data/README.md`).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// How many records to write.
    #[arg(long)]
    count: u64,
    /// The generator's seed: the same seed gives the same records.
    #[arg(long, default_value_t = sample::DEFAULT_SEED)]
    seed: u64,
    /// `lines` (JSON Lines) or `array` (one JSON document).
    #[arg(long, value_enum, default_value_t = FormatArg::Lines)]
    format: FormatArg,
    /// The file to write; standard output if absent.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The `--format` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// One compact record per line.
    Lines,
    /// `[`, records separated by `,\n`, `]\n`.
    Array,
}

impl From<FormatArg> for DataFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Lines => DataFormat::JsonLines,
            FormatArg::Array => DataFormat::JsonArray,
        }
    }
}

fn broken_pipe(error: &SampleError) -> bool {
    match error {
        SampleError::Io(e) => e.kind() == io::ErrorKind::BrokenPipe,
        SampleError::Json(e) => e.io_error_kind() == Some(io::ErrorKind::BrokenPipe),
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let format = DataFormat::from(args.format);
    match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut file = sample::write(format, args.count, args.seed, file)
                .with_context(|| format!("writing {}", path.display()))?;
            file.flush()
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            match sample::write(format, args.count, args.seed, io::stdout().lock()) {
                Ok(mut stdout) => stdout.flush().context("writing standard output")?,
                // A reader that stops early (`| head`) is not an error.
                Err(e) if broken_pipe(&e) => {}
                Err(e) => return Err(e).context("writing standard output"),
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-dragons: {e:#}");
            ExitCode::FAILURE
        }
    }
}
