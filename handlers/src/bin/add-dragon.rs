//! The `add-dragon` Lambda: the report workflow's AddDragon task.

use handlers::{
    aws::{AwsClients, DragonCatalog, ParameterNames},
    domain::validation::DragonValidator,
    logging,
    workflow::add_dragon::add_dragon,
};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    logging::init_json();
    let validator = DragonValidator::new()?;
    let catalog = DragonCatalog::new(AwsClients::from_env().await, ParameterNames::from_env());
    let (validator, catalog) = (&validator, &catalog);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        add_dragon(validator, catalog, event.payload).await
    }))
    .await
}
