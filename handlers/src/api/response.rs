//! JSON responses as API Gateway passes them on: text bodies (never base64), CORS
//! headers, and errors as `{"message": …}` with no internals.

use dragons_contract::{cors, error_body::ErrorBody, names};
use lambda_http::{
    Body, Response,
    http::{StatusCode, header},
};

/// A response with a JSON body and the CORS header.
pub fn json(status: StatusCode, body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(match String::from_utf8(body) {
        Ok(text) => Body::Text(text),
        // The body is built from UTF-8 JSON; should it ever not be, say so safely.
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
    });
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static(cors::ALLOW_ORIGIN),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::HeaderValue::from_static(cors::EXPOSE_HEADERS),
    );
    response
}

/// A 503 `{"message": message}` with `Retry-After`.
pub fn unavailable(message: &str) -> Response<Body> {
    let mut response = error(StatusCode::SERVICE_UNAVAILABLE, message);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(names::RETRY_AFTER_SECONDS),
    );
    response
}

/// An error response: `{"message": message}`.
pub fn error(status: StatusCode, message: &str) -> Response<Body> {
    let body = ErrorBody {
        message: message.to_owned(),
    };
    json(status, serde_json::to_vec(&body).unwrap_or_default())
}
