//! `bench`: the benchmark command (GET /dragons, AddDragon under contention and at
//! scale, pages and stores at scale in Lambda-sized cgroups). Each subcommand measures one
//! thing, beside a Python peer where there is one, and prints a markdown table;
//! `all` runs them in turn and ends with the targets, met or not. Progress goes to
//! standard error, tables to standard output. Nothing here asserts on time: the
//! figures are for people (see the README's "Benchmarks").

mod add_bench;
mod appends_bench;
mod cgroup;
mod cold_start;
mod event;
mod filter_bench;
mod get_bench;
mod lambda_child;
mod local_aws;
mod pages;
mod python;
mod report;
mod runtime_api;
mod scale;
mod stats;
mod stores_bench;
mod table;
mod task_cold_start;
mod tls;
mod warm;
mod web_bench;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use report::Report;

/// The seed of every generated data set.
const SEED: u64 = dragons_ops::sample::DEFAULT_SEED;

/// Benchmarks of GET /dragons and AddDragon: the streaming filter, warm GETs, cold
/// start and memory on a large object (each against a Python peer where one
/// applies), pages and stores at scale in Lambda-sized cgroups.
#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start: the size of `All` (every benchmark's options) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// In-process filter throughput (Rust `DragonFilter` vs Python json.loads per line).
    Filter(filter_bench::Options),
    /// Warm GET latency per engine against moto (Rust handler vs the Python peers).
    Get(get_bench::Options),
    /// Cold start and peak RSS of the release `list-dragons` under a Runtime API stand-in.
    ColdStart(ColdStartArgs),
    /// Peak RSS and time of `list-dragons` scanning a large object (and of the Python peer).
    Scale(ScaleArgs),
    /// Cold start, peak RSS and zip size of the release validate-dragon and add-dragon.
    TaskColdStart(TaskColdStartArgs),
    /// AddDragon under contention: adds/s and retries per add for 1, 8, 32 writers.
    Add(add_bench::Options),
    /// Pages and adds at 10k/100k/1M records in 128 MiB cgroups, moto over TLS: time, response size, memory.
    Pages(PagesArgs),
    /// Adds at 10k/100k/1M records in 128 MiB cgroups, moto over TLS: p50/p99, memory, every added dragon found.
    Appends(AppendsArgs),
    /// The S3 object vs the DynamoDB table at 10k/100k records in 128 MiB cgroups: p50/p99, memory.
    Stores(StoresArgs),
    /// The web app in headless Chromium: first page, More, first-load bytes at 10k and 100k records.
    Web(web_bench::Options),
    /// A PNG of each view of the web app (for the README), from local-api in headless Chromium.
    Screenshots(web_bench::ScreenshotOptions),
    /// Every benchmark above but the screenshots, then the targets table.
    All(AllArgs),
}

/// Where the `list-dragons` binary comes from.
#[derive(Debug, Clone, Args)]
struct BinaryArgs {
    /// Use this `list-dragons` binary instead of building it with
    /// `cargo build --release -p handlers --bins` (the other Lambdas sit beside it).
    #[arg(long, value_name = "PATH")]
    list_dragons: Option<PathBuf>,
}

impl BinaryArgs {
    /// The binary to run: the given one, or a fresh release build.
    fn binary(&self) -> anyhow::Result<PathBuf> {
        match &self.list_dragons {
            Some(path) => Ok(path.clone()),
            None => lambda_child::build_list_dragons(),
        }
    }
}

#[derive(Debug, Args)]
struct ColdStartArgs {
    #[command(flatten)]
    options: cold_start::Options,
    #[command(flatten)]
    binary: BinaryArgs,
}

#[derive(Debug, Args)]
struct TaskColdStartArgs {
    #[command(flatten)]
    options: task_cold_start::Options,
    #[command(flatten)]
    binary: BinaryArgs,
}

#[derive(Debug, Args)]
struct ScaleArgs {
    #[command(flatten)]
    options: scale::Options,
    #[command(flatten)]
    binary: BinaryArgs,
}

#[derive(Debug, Args)]
struct PagesArgs {
    #[command(flatten)]
    options: pages::Options,
    #[command(flatten)]
    binary: BinaryArgs,
}

#[derive(Debug, Args)]
struct AppendsArgs {
    #[command(flatten)]
    options: appends_bench::Options,
    #[command(flatten)]
    binary: BinaryArgs,
}

#[derive(Debug, Args)]
struct StoresArgs {
    #[command(flatten)]
    options: stores_bench::Options,
    #[command(flatten)]
    binary: BinaryArgs,
}

#[derive(Debug, Args)]
struct AllArgs {
    #[command(flatten)]
    filter: filter_bench::Options,
    #[command(flatten)]
    get: get_bench::Options,
    #[command(flatten)]
    cold_start: cold_start::Options,
    #[command(flatten)]
    scale: scale::Options,
    #[command(flatten)]
    add: add_bench::Options,
    #[command(flatten)]
    task_cold_start: task_cold_start::Options,
    #[command(flatten)]
    pages: pages::Options,
    #[command(flatten)]
    appends: appends_bench::Options,
    #[command(flatten)]
    stores: stores_bench::Options,
    #[command(flatten)]
    web: web_bench::Options,
    #[command(flatten)]
    binary: BinaryArgs,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let reports = match cli.command {
        Command::Filter(options) => vec![filter_bench::run(&options)?],
        Command::Get(options) => vec![get_bench::run(&options)?],
        Command::ColdStart(args) => vec![cold_start::run(&args.options, &args.binary.binary()?)?],
        Command::Scale(args) => vec![scale::run(&args.options, &args.binary.binary()?)?],
        Command::Add(options) => vec![add_bench::run(&options)?],
        Command::TaskColdStart(args) => {
            vec![task_cold_start::run(&args.options, &args.binary.binary()?)?]
        }
        Command::Pages(args) => vec![pages::run(&args.options, &args.binary.binary()?)?],
        Command::Appends(args) => vec![appends_bench::run(&args.options, &args.binary.binary()?)?],
        Command::Stores(args) => vec![stores_bench::run(&args.options, &args.binary.binary()?)?],
        Command::Web(options) => vec![web_bench::run(&options)?],
        Command::Screenshots(options) => return web_bench::screenshots(&options),
        Command::All(args) => return all(&args),
    };
    for report in &reports {
        println!("{report}");
    }
    Ok(())
}

/// Runs every benchmark, printing each table as soon as it is done (a later
/// failure does not lose earlier figures), then the targets.
fn all(args: &AllArgs) -> anyhow::Result<()> {
    // Build first, so that the compiler is not competing with the measurements.
    let binary = args.binary.binary()?;
    let steps: [(&str, &dyn Fn() -> anyhow::Result<Report>); 10] = [
        ("filter", &|| filter_bench::run(&args.filter)),
        ("get", &|| get_bench::run(&args.get)),
        ("cold-start", &|| cold_start::run(&args.cold_start, &binary)),
        ("scale", &|| scale::run(&args.scale, &binary)),
        ("add", &|| add_bench::run(&args.add)),
        ("task-cold-start", &|| {
            task_cold_start::run(&args.task_cold_start, &binary)
        }),
        ("pages", &|| pages::run(&args.pages, &binary)),
        ("appends", &|| appends_bench::run(&args.appends, &binary)),
        ("stores", &|| stores_bench::run(&args.stores, &binary)),
        ("web", &|| web_bench::run(&args.web)),
    ];
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    for (name, step) in steps {
        match step() {
            Ok(report) => {
                println!("{report}");
                reports.push(report);
            }
            Err(error) => {
                eprintln!("bench: {name} failed: {error:#}");
                failed.push(name);
            }
        }
    }
    println!("{}", Report::targets(&reports));
    if !failed.is_empty() {
        anyhow::bail!("these benchmarks failed: {}", failed.join(", "));
    }
    Ok(())
}

/// A multi-threaded Tokio runtime for the parts that do I/O.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}
