//! The HTTP face of the Lambdas behind API Gateway: requests in, JSON responses out.

pub mod list_dragons;
pub mod report_status;
pub mod response;
