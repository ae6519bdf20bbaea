//! The `report-status` Lambda: `GET /dragons/reports/{reportId}` behind API Gateway.

use handlers::{
    api::report_status::report_status,
    aws::{clients::load_config, executions::SfnExecutions},
    logging,
};
use lambda_http::{Request, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    logging::init_json();
    let config = load_config().await;
    let executions = SfnExecutions::from_env(aws_sdk_sfn::Client::new(&config))?;
    tracing::info!("report-status ready");
    let executions = &executions;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(report_status(executions, &request).await)
    }))
    .await
}
