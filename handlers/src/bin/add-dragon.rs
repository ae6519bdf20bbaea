//! The `add-dragon` Lambda: the report workflow's AddDragon task.

use handlers::function::{AddDragon, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    serve::<AddDragon>().await
}
