//! The `report-status` Lambda: `GET /dragons/reports/{reportId}` behind API Gateway.

use handlers::function::{ReportStatus, serve};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    serve::<ReportStatus>().await
}
