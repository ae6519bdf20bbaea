//! The `validate-dragon` Lambda: the report workflow's ValidateDragon task.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    handlers::tasks::serve(handlers::tasks::Task::Validate).await
}
