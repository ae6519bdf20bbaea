//! The `add-dragon` Lambda: the report workflow's AddDragon task.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    handlers::tasks::serve(handlers::tasks::Task::Add).await
}
