//! Each subcommand: read the stack, call the library, print the result.

use anyhow::{Context, bail};
use dragons_contract::query_engine::QueryEngine;
use dragons_ops::{
    clients::OpsClients,
    destroy, logs, migrate,
    progress::spinner,
    publish::{self, PublishClients},
    smoke,
    stack::{Stack, outputs},
    token,
    upload::{self, Input, Mode, Step},
    users,
};
use handlers::aws::{DataLocation, DynamoStore, S3Store};

use crate::show::{self, Printer};
use crate::{Cli, Command, Direction, Output, UserAction};

/// Runs the command `cli` names.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Some(stack_name) = cli.stack.as_deref() else {
        bail!("--stack is required (or DRAGONS_STACK)");
    };
    let clients = OpsClients::load(cli.profile.as_deref(), cli.region.as_deref()).await;
    let printer = Printer::new(cli.output == Output::Json);
    let stack = Stack::read(&clients.cloudformation, stack_name).await?;
    match cli.command {
        Command::Outputs { key: None } => printer.outputs(&stack),
        Command::Outputs { key: Some(key) } => match stack.outputs.get(&key) {
            Some(value) => printer.value(&key, value),
            None => bail!("stack {} has no output {key}", stack.name),
        },
        Command::User { action } => user(&clients, &stack, &printer, action).await,
        Command::Token { email, password } => {
            let client_id = stack.output(outputs::USER_POOL_CLIENT_ID)?;
            let token = token::id_token(&clients.cognito, client_id, &email, &password).await?;
            printer.token(&token)
        }
        Command::Logs {
            source,
            since,
            follow,
            filter,
            groups,
        } => {
            let found = logs::groups(&stack, source)?;
            if groups {
                return printer.log_groups(&found);
            }
            let start = logs::since(since);
            if follow {
                let mut failed = None;
                logs::follow(
                    &clients.logs,
                    &found,
                    start,
                    filter.as_deref(),
                    std::time::Duration::from_secs(2),
                    &mut |line| match printer.log_line(line) {
                        Ok(()) => true,
                        Err(error) => {
                            failed = Some(error);
                            false
                        }
                    },
                )
                .await?;
                return failed.map_or(Ok(()), Err);
            }
            let lines = logs::read(&clients.logs, &found, start, filter.as_deref()).await?;
            printer.log_lines(&lines)
        }
        Command::Smoke { timeout } => {
            let bar = spinner(false);
            let report = smoke::run(
                &clients,
                &stack,
                smoke::Patience {
                    timeout: std::time::Duration::from_secs(timeout),
                    interval: std::time::Duration::from_secs(1),
                },
                &mut |step| bar.set_message(step.to_owned()),
            )
            .await;
            bar.finish_and_clear();
            printer.smoke(&report.context("smoke test failed")?)
        }
        Command::UploadData { data, replace, yes } => {
            let text = std::fs::read_to_string(&data)
                .with_context(|| format!("reading {}", data.display()))?;
            let input =
                Input::parse(&text).with_context(|| format!("reading {}", data.display()))?;
            let location = DataLocation::fetch(&clients.aws.ssm, &stack.data_parameters()?)
                .await
                .context("reading the data location from the stack's SSM parameters")?;
            let mode = if replace { Mode::Replace } else { Mode::Merge };
            if replace && !yes {
                let summary = upload::preview(&clients.aws.s3, &location, &input, mode).await?;
                printer.upload(&summary)?;
                bail!(
                    "--replace would drop {} dragon(s) the object holds and the file does not; run again with --yes to replace",
                    summary.dropped
                );
            }
            let bar = spinner(false);
            let summary = upload::upload(&clients.aws.s3, &location, &input, mode, &mut |step| {
                bar.set_message(match step {
                    Step::Reading { attempt: 1 } => "reading the current data".to_owned(),
                    Step::Reading { attempt } => {
                        format!("it changed meanwhile: reading again ({attempt})")
                    }
                    Step::Writing { dragons } => {
                        format!("writing {dragons} dragons and their names index")
                    }
                });
            })
            .await;
            bar.finish_and_clear();
            printer.upload(&summary?)
        }
        Command::MigrateData { direction } => {
            migrate_data(&clients, &stack, &printer, direction).await
        }
        Command::PublishWeb { dir } => {
            let bar = spinner(false);
            bar.set_message(format!("publishing {}", dir.display()));
            let published = publish::publish(
                &PublishClients::from_config(&clients.config),
                &stack.name,
                &dir,
            )
            .await
            .with_context(|| format!("publishing {} to {}", dir.display(), stack.name));
            bar.finish_and_clear();
            printer.published(&published?)
        }
        Command::Destroy { delete_data, yes } => {
            let plan = destroy::plan(&stack, delete_data);
            if !yes {
                printer.destroy_plan(&plan)?;
                bail!("nothing was deleted: run again with --yes to delete the stack");
            }
            let bar = spinner(false);
            let outcome =
                destroy::destroy(&clients, plan, &mut |step| bar.set_message(step.to_owned()))
                    .await;
            bar.finish_and_clear();
            printer.destroyed(&outcome?)
        }
    }
}

async fn user(
    clients: &OpsClients,
    stack: &Stack,
    printer: &Printer,
    action: UserAction,
) -> anyhow::Result<()> {
    let pool = stack.output(outputs::USER_POOL_ID)?;
    match action {
        UserAction::Add { email, password } => {
            users::add(&clients.cognito, pool, &email, &password).await?;
            printer.done("added", &email)
        }
        UserAction::List => printer.users(&users::list(&clients.cognito, pool).await?),
        UserAction::Remove { email } => {
            users::remove(&clients.cognito, pool, &email).await?;
            printer.done("removed", &email)
        }
    }
}

async fn migrate_data(
    clients: &OpsClients,
    stack: &Stack,
    printer: &Printer,
    direction: Direction,
) -> anyhow::Result<()> {
    let parameters = stack.data_parameters()?;
    let table = DynamoStore::new(&clients.aws, stack.table_parameter()?);
    let object = S3Store::new(clients.aws.clone(), parameters.clone(), QueryEngine::Scan);
    let (name, tally) = match direction {
        Direction::ToTable {
            checkpoint,
            concurrency,
        } => {
            let tally = migrate::to_table(
                &object,
                &table,
                checkpoint.as_deref(),
                usize::from(concurrency),
                &mut show::migration("to-table"),
            )
            .await
            .context("copying the data object into the table")?;
            ("to-table", tally)
        }
        Direction::ToObject => {
            let location = DataLocation::fetch(&clients.aws.ssm, &parameters)
                .await
                .context("reading the data location")?;
            let (tally, _version) = migrate::to_object(
                &table,
                &object,
                &clients.aws.s3,
                &location,
                &mut show::migration("to-object"),
            )
            .await
            .context("exporting the table into the data object")?;
            ("to-object", tally)
        }
    };
    printer.migrated(name, &tally)?;
    if !tally.is_clean() {
        bail!(
            "{} conflicts and {} invalid records (listed above) were not copied",
            tally.conflicts,
            tally.invalid
        );
    }
    Ok(())
}
