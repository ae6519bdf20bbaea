//! `stack-gen`: writes (or, with `--check`, verifies) the generated `cfn-out/`;
//! `stack-gen diff` compares what the code generates now with a base template.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use stack_gen::diff::{self, Base, FailOn, Format, Labels};
use stack_gen::environment::Environment;
use stack_gen::output;

/// Generate the dragons CloudFormation template and state machine definition.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Output directory (default: the workspace's `cfn-out/`).
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    /// Write nothing; exit 1, naming the files that differ, if the output is stale.
    #[arg(long)]
    check: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare the template the code generates now with a base one, offline: per
    /// resource, CloudFormation's update behaviour (in place or replacement),
    /// stateful resources at risk, IAM statements. Exit 0: no change, 1: changes
    /// (see --fail-on), 2: error.
    Diff(DiffArgs),
    /// Print the Lambda functions the stack deploys, one binary name a line (what
    /// `scripts/build-lambdas` builds).
    Functions,
    /// Check an environment file (`deploy/<env>.json`) against the template and print
    /// its parameters as `Key=Value` lines (`aws cloudformation deploy
    /// --parameter-overrides`), or with `--tags` its tags.
    Environment {
        /// The environment file.
        file: PathBuf,
        /// Print the tags instead of the parameters.
        #[arg(long)]
        tags: bool,
    },
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// A git revision whose committed template to compare with, or a template file.
    #[arg(long, default_value = "HEAD", conflicts_with = "stack")]
    base: String,
    /// Compare with what is deployed as this stack instead (its template and
    /// parameter values; AWS_PROFILE and AWS_REGION as the SDK reads them). Needs the
    /// `live` feature: `cargo run -p stack-gen --features live -- diff --stack NAME`.
    #[arg(long)]
    stack: Option<String>,
    /// With --stack: the environment file whose parameter values a deploy would use
    /// (default: the template's defaults).
    #[arg(long, requires = "stack")]
    env: Option<PathBuf>,
    /// With --stack: the template to compare instead of the generated one.
    #[arg(long, requires = "stack")]
    template: Option<PathBuf>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Which changes make the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Changes)]
    fail_on: FailOn,
}

fn default_out() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("cfn-out")
}

/// `diff --stack`: the generated (or given) template with the environment's values,
/// against the deployed stack.
#[cfg(feature = "live")]
fn run_live_diff(stack: &str, args: &DiffArgs) -> anyhow::Result<bool> {
    let new = match &args.template {
        Some(path) => serde_json::from_str(
            &std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?,
        )
        .with_context(|| format!("{} is not JSON", path.display()))?,
        None => generated_template()?,
    };
    let environment = match &args.env {
        Some(path) => {
            let environment = Environment::load(path)?;
            environment
                .check(&new)
                .with_context(|| format!("{}", path.display()))?;
            environment
        }
        None => Environment::default(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let deployed = runtime.block_on(async {
        let client = stack_gen::live::client().await;
        stack_gen::live::deployed(&client, stack).await
    })?;
    let (old, new) = diff::comparable(&deployed, &new, &environment.values(&new));
    let changes = diff::compare(&old, &new)?;
    let labels = Labels {
        base: format!("stack {stack} as deployed"),
        current: match &args.env {
            Some(path) => format!("this code with {}", path.display()),
            None => "this code".to_owned(),
        },
    };
    print!("{}", diff::render(&changes, args.format, &labels)?);
    Ok(changes.fails(args.fail_on))
}

#[cfg(not(feature = "live"))]
fn run_live_diff(_stack: &str, _args: &DiffArgs) -> anyhow::Result<bool> {
    anyhow::bail!(
        "this stack-gen is built without the `live` feature: cargo run -p stack-gen --features live -- diff --stack NAME"
    )
}

fn run_diff(out: &Path, args: &DiffArgs) -> anyhow::Result<bool> {
    if let Some(stack) = &args.stack {
        return run_live_diff(stack, args);
    }
    let template = out.join(output::TEMPLATE_FILE);
    let base = Base::parse(&args.base);
    let old = base.load(&template)?;
    let new = generated_template()?;
    let changes = diff::compare(&old, &new)?;
    let labels = Labels {
        base: base.label(),
        current: "this code".to_owned(),
    };
    print!("{}", diff::render(&changes, args.format, &labels)?);
    Ok(changes.fails(args.fail_on))
}

/// The generated template, parsed.
fn generated_template() -> anyhow::Result<serde_json::Value> {
    let template = output::generate()
        .context("building the stack")?
        .into_iter()
        .find(|file| file.path == output::TEMPLATE_FILE)
        .context("the stack generates no template")?;
    serde_json::from_str(&template.contents).context("reading the generated template")
}

fn print_environment(file: &Path, tags: bool) -> anyhow::Result<()> {
    let environment = Environment::load(file)?;
    environment
        .check(&generated_template()?)
        .with_context(|| format!("{}", file.display()))?;
    let lines = if tags {
        environment.tag_args()
    } else {
        environment.overrides()
    };
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let out = cli.out.unwrap_or_else(default_out);
    if let Some(Command::Environment { file, tags }) = &cli.command {
        print_environment(file, *tags)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Functions) = &cli.command {
        for binary in dragons_contract::names::functions::ALL {
            println!("{binary}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Diff(args)) = &cli.command {
        return Ok(match run_diff(&out, args) {
            Ok(false) => ExitCode::SUCCESS,
            Ok(true) => ExitCode::FAILURE,
            Err(error) => {
                eprintln!("stack-gen diff: {error:#}");
                ExitCode::from(2)
            }
        });
    }
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
