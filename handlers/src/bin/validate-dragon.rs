//! The `validate-dragon` Lambda: the report workflow's ValidateDragon task.

use handlers::function::{ValidateDragon, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    serve::<ValidateDragon>().await
}
