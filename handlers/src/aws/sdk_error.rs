//! Telling a transient SDK failure (try again later: a 503) from a lasting one (a 502).

use aws_sdk_s3::{
    config::http::HttpResponse,
    error::{ProvideErrorMetadata, SdkError},
};

/// Error codes that mean "try again later" rather than "this is broken".
const TRANSIENT_CODES: [&str; 10] = [
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "SlowDown",
    "ServiceUnavailable",
    "RequestTimeout",
    "InternalError",
    // DynamoDB.
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
];

/// What a service answered: an HTTP response, or a message of an event stream.
pub trait RawAnswer {
    /// Whether it is a 5xx (the service failing on its side).
    fn is_server_error(&self) -> bool;
}

impl RawAnswer for HttpResponse {
    fn is_server_error(&self) -> bool {
        self.status().is_server_error()
    }
}

impl RawAnswer for aws_smithy_types::event_stream::RawMessage {
    fn is_server_error(&self) -> bool {
        false
    }
}

/// Whether the service was unreachable, slow, throttling or failing on its side (5xx).
pub fn is_transient<E: ProvideErrorMetadata, R: RawAnswer>(error: &SdkError<E, R>) -> bool {
    match error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => true,
        SdkError::ServiceError(service) => {
            service.raw().is_server_error()
                || error
                    .code()
                    .is_some_and(|code| TRANSIENT_CODES.contains(&code))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::{
        error::{ConnectorError, ErrorMetadata},
        operation::get_object::GetObjectError,
        primitives::SdkBody,
    };

    use super::*;

    fn refused(status: u16, code: &str) -> SdkError<GetObjectError, HttpResponse> {
        let error = GetObjectError::generic(ErrorMetadata::builder().code(code).build());
        let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        SdkError::service_error(error, raw)
    }

    #[test]
    fn throttling_and_unreachable_are_transient_the_rest_lasting() {
        for (status, code) in [
            (503, "SlowDown"),
            (400, "ThrottlingException"),
            (500, "InternalError"),
            (500, "SomeServiceFault"),
            (502, ""),
        ] {
            assert!(is_transient(&refused(status, code)), "{code}");
        }
        for (status, code) in [
            (403, "AccessDenied"),
            (404, "NoSuchKey"),
            (400, "InvalidQuery"),
        ] {
            assert!(!is_transient(&refused(status, code)), "{code}");
        }
        let unreachable = SdkError::<GetObjectError, HttpResponse>::dispatch_failure(
            ConnectorError::io("connection refused".into()),
        );
        assert!(is_transient(&unreachable));
    }
}
