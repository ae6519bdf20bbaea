//! The API Gateway REST proxy event an `AWS_PROXY` integration sends a Lambda,
//! built from a local HTTP request, so the real `list-dragons` handler sees what it
//! would see deployed; and the Lambda's response turned back into an HTTP one.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// What the event is made of.
#[derive(Debug, Clone, Default)]
pub struct ProxyRequest<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The path the client asked for, stage included (`/v1/dragons`): API Gateway's
    /// `$context.path`.
    pub path: &'a str,
    /// The stage the API is served under (`v1`).
    pub stage: &'a str,
    /// The API resource it matched (`/dragons/reports/{reportId}`); empty: `path`.
    pub resource: &'a str,
    /// The resource's path parameters, decoded.
    pub path_parameters: Vec<(&'a str, String)>,
    /// The raw query string (without `?`), percent-encoded.
    pub query: Option<&'a str>,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, as API Gateway passes on text (no binary media types).
    pub body: Option<&'a str>,
    /// The request id (also the execution name for POST).
    pub request_id: &'a str,
    /// The verified token's claims, as API Gateway passes them (strings).
    pub claims: Map<String, Value>,
    /// The caller's address.
    pub source_ip: &'a str,
}

/// The proxy event, as JSON.
pub fn proxy_event(request: &ProxyRequest<'_>) -> Value {
    let mut single = Map::new();
    let mut multi: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(request.query.unwrap_or_default().as_bytes()) {
        single.insert(name.to_string(), Value::from(value.as_ref()));
        multi
            .entry(name.into_owned())
            .or_default()
            .push(Value::from(value.into_owned()));
    }
    let mut headers = Map::new();
    let mut multi_headers: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    // API Gateway tells the integration how the client connected; locally, plain HTTP.
    let forwarded = [("X-Forwarded-Proto".to_owned(), "http".to_owned())];
    for (name, value) in request.headers.iter().chain(&forwarded) {
        headers.insert(name.clone(), Value::from(value.as_str()));
        multi_headers
            .entry(name.clone())
            .or_default()
            .push(Value::from(value.as_str()));
    }
    let or_null = |map: Map<String, Value>| {
        if map.is_empty() {
            Value::Null
        } else {
            Value::Object(map)
        }
    };
    let multi_or_null = |map: BTreeMap<String, Vec<Value>>| {
        if map.is_empty() {
            Value::Null
        } else {
            Value::Object(map.into_iter().map(|(k, v)| (k, Value::Array(v))).collect())
        }
    };
    // The execute-api host's event: `path` is below the stage, `requestContext.path`
    // is what the client sent.
    let below_stage = request
        .path
        .strip_prefix(&format!("/{}", request.stage))
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .unwrap_or(request.path);
    let resource = if request.resource.is_empty() {
        below_stage
    } else {
        request.resource
    };
    let path_parameters: Map<String, Value> = request
        .path_parameters
        .iter()
        .map(|(name, value)| ((*name).to_owned(), Value::from(value.as_str())))
        .collect();
    json!({
        "resource": resource,
        "path": below_stage,
        "httpMethod": request.method,
        "headers": or_null(headers),
        "multiValueHeaders": multi_or_null(multi_headers),
        "queryStringParameters": or_null(single),
        "multiValueQueryStringParameters": multi_or_null(multi),
        "pathParameters": or_null(path_parameters),
        "stageVariables": null,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": request.method,
            // The path as the client asked for it: the stage first (on a custom
            // domain, its base path instead).
            "path": request.path,
            "accountId": crate::step_functions::LOCAL_ACCOUNT,
            "protocol": "HTTP/1.1",
            "stage": request.stage,
            "requestId": request.request_id,
            "identity": { "sourceIp": request.source_ip },
            "authorizer": { "claims": request.claims },
        },
        "body": request.body,
        "isBase64Encoded": false
    })
}

/// A query string as a client encodes it (`name=value&…`, percent-encoded).
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The event as the `lambda_http::Request` the handler receives.
pub fn lambda_request(
    request: &ProxyRequest<'_>,
) -> Result<lambda_http::Request, serde_json::Error> {
    lambda_http::request::from_str(&proxy_event(request).to_string())
}

/// The Lambda's response as the HTTP response API Gateway sends on.
pub fn into_axum(response: lambda_http::Response<lambda_http::Body>) -> axum::response::Response {
    let (parts, body) = response.into_parts();
    let body = match body {
        lambda_http::Body::Text(text) => axum::body::Body::from(text),
        lambda_http::Body::Binary(bytes) => axum::body::Body::from(bytes),
        _ => axum::body::Body::empty(),
    };
    axum::response::Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use lambda_http::RequestExt;

    use super::*;

    #[test]
    fn repeated_and_encoded_parameters_reach_the_handler_as_api_gateway_sends_them() {
        let request = ProxyRequest {
            method: "GET",
            path: "/v1/dragons",
            stage: "v1",
            query: Some("family=red&family=gold&dragonName=O%27Brien%20%E2%9C%93"),
            request_id: "r-1",
            ..ProxyRequest::default()
        };
        let event = proxy_event(&request);
        assert_eq!(event["queryStringParameters"]["family"], "gold");
        assert_eq!(
            event["multiValueQueryStringParameters"]["family"],
            json!(["red", "gold"])
        );
        let parsed = lambda_request(&request).unwrap();
        let query = parsed.query_string_parameters();
        assert_eq!(query.all("family"), Some(vec!["red", "gold"]));
        assert_eq!(query.first("dragonName"), Some("O'Brien ✓"));
        assert_eq!(parsed.request_context_ref().map(|_| ()), Some(()));
    }

    #[test]
    fn the_event_path_is_below_the_stage_and_the_context_path_is_what_was_sent() {
        let event = proxy_event(&ProxyRequest {
            method: "GET",
            path: "/v1/dragons/reports/abc",
            stage: "v1",
            resource: "/dragons/reports/{reportId}",
            ..ProxyRequest::default()
        });
        assert_eq!(event["path"], "/dragons/reports/abc");
        assert_eq!(event["requestContext"]["path"], "/v1/dragons/reports/abc");
        assert_eq!(event["requestContext"]["stage"], "v1");
        assert_eq!(event["resource"], "/dragons/reports/{reportId}");
        // A stage name that only starts the first segment is not the stage.
        let other = proxy_event(&ProxyRequest {
            method: "GET",
            path: "/v10/dragons",
            stage: "v1",
            ..ProxyRequest::default()
        });
        assert_eq!(other["path"], "/v10/dragons");
        // What the handler sees: the URL path with the stage, as lambda_http makes it.
        let request = lambda_request(&ProxyRequest {
            method: "GET",
            path: "/v1/dragons",
            stage: "v1",
            ..ProxyRequest::default()
        })
        .unwrap();
        assert_eq!(request.uri().path(), "/v1/dragons");
    }

    #[test]
    fn no_query_is_null_as_in_the_real_event() {
        let event = proxy_event(&ProxyRequest {
            method: "GET",
            path: "/v1/dragons",
            stage: "v1",
            ..ProxyRequest::default()
        });
        assert_eq!(event["queryStringParameters"], Value::Null);
        assert_eq!(event["multiValueQueryStringParameters"], Value::Null);
        assert!(
            lambda_request(&ProxyRequest {
                method: "GET",
                path: "/v1/dragons",
                stage: "v1",
                ..ProxyRequest::default()
            })
            .is_ok()
        );
    }
}
