//! Wiring the local API: settings in, the shared [`AppState`] out.

use std::{
    sync::{Arc, atomic::AtomicUsize},
    time::Duration,
};

use aws_config::SdkConfig;
use dragons_contract::{data_store::DataStore, query_engine::QueryEngine};
use handlers::{
    aws::{AnyStore, AwsClients, DynamoStore, ParameterNames, S3Store},
    domain::validation::DragonValidator,
};

use crate::{
    auth::{AuthorizerConfig, CognitoAuthorizer},
    executions::Executions,
    routes::AppState,
    step_functions::{WorkflowResources, report_workflow},
};

/// What the local API needs to know about the stack it stands in for.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The stage the API is served under: the template's `StageName` default
    /// ([`dragons_contract::names::STAGE`]) unless told otherwise.
    pub stage: String,
    /// The local Cognito endpoint (`AWS_ENDPOINT_URL`, or its
    /// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`); the pool's JWKS is read there.
    pub endpoint: String,
    /// The region (from the SDK configuration).
    pub region: String,
    /// The Cognito user pool whose ID tokens are accepted.
    pub user_pool_id: String,
    /// The app client the tokens must be issued to.
    pub client_id: String,
    /// The topic the workflow publishes to.
    pub topic_arn: String,
    /// Which store holds the dragons.
    pub store: DataStore,
    /// The SSM parameter names of the data location (the S3 store).
    pub parameters: ParameterNames,
    /// The SSM parameter holding the table's name (the DynamoDB store).
    pub table_parameter: String,
    /// The query engine of `GET /dragons` (the S3 store).
    pub engine: QueryEngine,
    /// How long the data location read from SSM is kept (zero: read on every request).
    pub location_ttl: Duration,
}

/// Why the app could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request model did not compile (a bug; tested).
    #[error(transparent)]
    Schema(#[from] handlers::domain::validation::SchemaError),
    /// The workflow definition could not be prepared.
    #[error(transparent)]
    Workflow(#[from] crate::step_functions::WorkflowError),
    /// The authorizer's HTTP client could not be built.
    #[error(transparent)]
    Authorizer(#[from] crate::auth::JwksError),
}

/// Builds the state shared by every route; SDK clients and the request model are
/// built here, once.
pub fn app_state(config: &SdkConfig, settings: &Settings) -> Result<AppState, AppError> {
    let clients = AwsClients::from_config(config);
    let validator = Arc::new(DragonValidator::new()?);
    let store = Arc::new(match settings.store {
        DataStore::S3 => AnyStore::S3(
            S3Store::new(clients, settings.parameters.clone(), settings.engine)
                .with_location_ttl(settings.location_ttl),
        ),
        DataStore::DynamoDb => AnyStore::DynamoDb(
            DynamoStore::new(&clients, settings.table_parameter.clone())
                .with_table_ttl(settings.location_ttl),
        ),
    });
    let resources = WorkflowResources {
        region: settings.region.clone(),
        topic_arn: settings.topic_arn.clone(),
        validator: Arc::clone(&validator),
        store: Arc::clone(&store),
        sns: aws_sdk_sns::Client::new(config),
    };
    Ok(AppState {
        stage: settings.stage.clone(),
        authorizer: CognitoAuthorizer::new(AuthorizerConfig::local(
            &settings.endpoint,
            &settings.region,
            &settings.user_pool_id,
            &settings.client_id,
        ))?,
        store,
        workflow: Arc::new(report_workflow(&resources)?),
        validator,
        executions: Executions::default(),
        invocations: AtomicUsize::new(0),
    })
}
