//! The HTTP face of the Lambdas behind API Gateway: requests in, JSON responses out.

pub mod list_dragons;
pub mod response;

/// An error and its sources on one line, for the log.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
