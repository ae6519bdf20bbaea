//! The `list-dragons` Lambda: `GET /dragons` behind API Gateway.

use dragons_contract::query_engine::QueryEngine;
use handlers::{
    api::list_dragons::list_dragons,
    aws::{AnyStore, AwsClients},
    logging,
};
use lambda_http::{Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    logging::init_json();
    let store = AnyStore::from_env(AwsClients::from_env().await, QueryEngine::default())?;
    tracing::info!(store = %store.kind(), "list-dragons ready");
    let store = &store;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(list_dragons(store, &request).await)
    }))
    .await
}
