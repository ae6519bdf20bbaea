//! The HTTP face of the Lambdas behind API Gateway: requests in, JSON responses out.

pub mod error;
pub mod list_dragons;
pub mod report_status;
pub mod response;
