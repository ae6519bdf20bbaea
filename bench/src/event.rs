//! The API Gateway (REST API, proxy integration) event a Lambda gets for
//! `GET /v1/dragons` with a query string, as JSON and as a `lambda_http` request.

use local_api::proxy_event::{ProxyRequest, encode_query, lambda_request};
use serde_json::Value;

/// The event for `GET /v1/dragons?name=value&…`, built as local-api builds it.
pub fn proxy_event(query: &[(&str, &str)]) -> Value {
    let query = encode_query(query);
    local_api::proxy_event::proxy_event(&request_parts(&query))
}

/// The `lambda_http` request the handler sees for that event.
pub fn request(query: &[(&str, &str)]) -> anyhow::Result<lambda_http::Request> {
    let query = encode_query(query);
    Ok(lambda_request(&request_parts(&query))?)
}

fn request_parts(query: &str) -> ProxyRequest<'_> {
    ProxyRequest {
        method: "GET",
        path: "/dragons",
        query: Some(query).filter(|query| !query.is_empty()),
        request_id: "bench",
        source_ip: "127.0.0.1",
        ..ProxyRequest::default()
    }
}

#[cfg(test)]
mod tests {
    use lambda_http::RequestExt;

    use super::*;

    #[test]
    fn the_handler_sees_the_query() {
        let request = request(&[("family", "copper")]).unwrap();
        let parameters = request.query_string_parameters();
        assert_eq!(parameters.first("family"), Some("copper"));
        assert_eq!(request.method(), "GET");
    }
}
