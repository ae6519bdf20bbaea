//! The `list-dragons` Lambda: `GET /dragons` behind API Gateway.

use dragons_contract::query_engine::QueryEngine;
use handlers::{
    api::list_dragons::list_dragons,
    aws::{AwsClients, ParameterNames, S3Store, cache_ttl_from_env, engine_from_env_or},
    logging,
};
use lambda_http::{Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    logging::init_json();
    let engine = engine_from_env_or(QueryEngine::default())?;
    let store = S3Store::new(
        AwsClients::from_env().await,
        ParameterNames::from_env(),
        engine,
    )
    .with_location_ttl(cache_ttl_from_env()?);
    tracing::info!(%engine, "list-dragons ready");
    let store = &store;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(list_dragons(store, &request).await)
    }))
    .await
}
