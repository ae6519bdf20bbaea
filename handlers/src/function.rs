//! The Lambdas, one wiring for all: JSON logs, the SDK clients and what the handler
//! needs built once per container, then the runtime answering events until the
//! container ends. Each `src/bin/*` only names its [`Function`] to [`serve`].

use std::{future::Future, pin::Pin};

use dragons_contract::{TaskAnswer, names::functions, query_engine::QueryEngine};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

use crate::{
    api::{list_dragons::list_dragons, report_status::report_status},
    aws::{AnyStore, AwsClients, clients::load_config, executions::SfnExecutions},
    domain::validation::DragonValidator,
    logging,
    tasks::{Task, TaskFailure},
};

/// One of the stack's Lambda functions: its binary's name and what it serves. Each
/// is its own type, so a binary links only its own function's code.
pub trait Function {
    /// Its binary's name, as the contract names it (the template's code path).
    const BINARY: &'static str;

    /// Builds what the handler needs once, then answers events until the container
    /// ends.
    fn run() -> impl Future<Output = Result<(), lambda_runtime::Error>>;
}

/// Runs `F` in a Lambda container, with JSON logs, until the container ends.
pub async fn serve<F: Function>() -> Result<(), lambda_runtime::Error> {
    logging::init_json();
    tracing::info!(function = F::BINARY, "starting");
    F::run().await
}

/// `GET /dragons`.
#[derive(Debug)]
pub struct ListDragons;

impl Function for ListDragons {
    const BINARY: &'static str = functions::LIST_DRAGONS;

    async fn run() -> Result<(), lambda_runtime::Error> {
        let store = AnyStore::from_env(AwsClients::from_env().await, QueryEngine::default())?;
        tracing::info!(store = %store.kind(), "store ready");
        let store = &store;
        lambda_http::run(lambda_http::service_fn(
            move |request: lambda_http::Request| async move {
                Ok::<_, std::convert::Infallible>(list_dragons(store, &request).await)
            },
        ))
        .await
    }
}

/// `GET /dragons/reports/{reportId}`.
#[derive(Debug)]
pub struct ReportStatus;

impl Function for ReportStatus {
    const BINARY: &'static str = functions::REPORT_STATUS;

    async fn run() -> Result<(), lambda_runtime::Error> {
        let config = load_config().await;
        let executions = SfnExecutions::from_env(aws_sdk_sfn::Client::new(&config))?;
        let executions = &executions;
        lambda_http::run(lambda_http::service_fn(
            move |request: lambda_http::Request| async move {
                Ok::<_, std::convert::Infallible>(report_status(executions, &request).await)
            },
        ))
        .await
    }
}

/// The workflow's ValidateDragon task.
#[derive(Debug)]
pub struct ValidateDragon;

impl Function for ValidateDragon {
    const BINARY: &'static str = functions::VALIDATE_DRAGON;

    async fn run() -> Result<(), lambda_runtime::Error> {
        serve_task(Task::Validate).await
    }
}

/// The workflow's AddDragon task.
#[derive(Debug)]
pub struct AddDragon;

impl Function for AddDragon {
    const BINARY: &'static str = functions::ADD_DRAGON;

    async fn run() -> Result<(), lambda_runtime::Error> {
        serve_task(Task::Add).await
    }
}

/// A task's Lambda: the validator and the store built once, then the task on each
/// event.
async fn serve_task(task: Task) -> Result<(), lambda_runtime::Error> {
    let validator = DragonValidator::new()?;
    let store = AnyStore::from_env(AwsClients::from_env().await, QueryEngine::default())?;
    let (validator, store) = (&validator, &store);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        // Boxed: the task's future nests the SDK's, deeper than the compiler's
        // default limit for laying out the runtime's future around it.
        let answer: Pin<Box<dyn Future<Output = Result<TaskAnswer, TaskFailure>> + Send>> =
            Box::pin(task.run(validator, store, event.payload));
        answer
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_is_a_binary_the_contract_names_and_the_crate_builds() {
        let binaries = [
            ListDragons::BINARY,
            ValidateDragon::BINARY,
            AddDragon::BINARY,
            ReportStatus::BINARY,
        ];
        assert_eq!(binaries, functions::ALL);
        let mut built: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/bin"))
                .unwrap()
                .map(|entry| {
                    let path = entry.unwrap().path();
                    path.file_stem().unwrap().to_string_lossy().into_owned()
                })
                .collect();
        built.sort();
        let mut named: Vec<&str> = functions::ALL.to_vec();
        named.sort_unstable();
        assert_eq!(built, named);
    }
}
