//! The `list-dragons` Lambda: `GET /dragons` behind API Gateway.

use handlers::function::{ListDragons, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    serve::<ListDragons>().await
}
