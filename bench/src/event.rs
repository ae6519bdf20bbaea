//! The API Gateway (REST API, proxy integration) event a Lambda gets for
//! `GET /v1/dragons` with a query string, as JSON and as a `lambda_http` request.

use serde_json::{Map, Value, json};

/// The event for `GET /v1/dragons?name=value&…` (each name given once).
pub fn proxy_event(query: &[(&str, &str)]) -> Value {
    let single: Map<String, Value> = query
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!(value)))
        .collect();
    let multi: Map<String, Value> = query
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!([value])))
        .collect();
    let (single, multi) = if query.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (Value::Object(single), Value::Object(multi))
    };
    json!({
        "resource": "/dragons",
        "path": "/dragons",
        "httpMethod": "GET",
        "headers": { "Host": "api.example.com", "Accept": "application/json" },
        "multiValueHeaders": { "Host": ["api.example.com"], "Accept": ["application/json"] },
        "queryStringParameters": single,
        "multiValueQueryStringParameters": multi,
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": "/dragons",
            "httpMethod": "GET",
            "path": "/v1/dragons",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "v1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTimeEpoch": 1_764_000_000_000_u64,
            "apiId": "a1b2c3d4e5",
            "identity": { "sourceIp": "127.0.0.1", "userAgent": "dragons-bench" },
            "authorizer": { "claims": { "sub": "7d8ca528-4931-4254-9273-ea5ee853f271", "cognito:username": "bench" } }
        },
        "body": null,
        "isBase64Encoded": false
    })
}

/// The `lambda_http` request the handler sees for that event.
pub fn request(query: &[(&str, &str)]) -> anyhow::Result<lambda_http::Request> {
    Ok(lambda_http::request::from_str(
        &proxy_event(query).to_string(),
    )?)
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
