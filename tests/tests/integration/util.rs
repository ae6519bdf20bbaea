//! Helpers shared by the integration tests: the committed template and walking it.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The committed template (`cfn-out/dragons.template.json`), parsed.
pub fn template() -> Value {
    let path = dragons_tests::in_workspace("cfn-out/dragons.template.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The resources of one type: `(logical id, resource)`.
pub fn resources_of_type<'a>(
    template: &'a Value,
    kind: &str,
) -> Vec<(&'a String, &'a Map<String, Value>)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(id, resource)| resource.as_object().map(|r| (id, r)))
        .filter(|(_, resource)| resource["Type"] == kind)
        .collect()
}

/// The logical ids (and pseudo parameters) an expression refers to, through
/// `Ref`, `Fn::GetAtt` and `${...}` variables of `Fn::Sub`.
pub fn referenced(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect(value, &mut out);
    out
}

fn collect(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("Ref", Value::String(id)) => {
                        out.insert(id.clone());
                    }
                    ("Fn::GetAtt", Value::Array(parts)) => {
                        out.insert(parts[0].as_str().unwrap().to_owned());
                    }
                    ("Fn::Sub", Value::String(pattern)) => {
                        for variable in pattern.split("${").skip(1) {
                            let name = variable.split('}').next().unwrap();
                            if !name.starts_with('!') {
                                out.insert(name.split('.').next().unwrap().to_owned());
                            }
                        }
                    }
                    _ => collect(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
        _ => {}
    }
}

/// A JSON string or list of strings as a sorted set.
pub fn strings(value: &Value) -> BTreeSet<String> {
    match value {
        Value::String(s) => BTreeSet::from([s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_owned())
            .collect(),
        other => panic!("expected a string or a list of strings, got {other}"),
    }
}

/// The committed sample data, `data/dragons.jsonl`, as bytes.
pub fn sample_lines() -> Vec<u8> {
    std::fs::read(dragons_tests::in_workspace("data/dragons.jsonl")).unwrap()
}

/// The committed sample records, parsed (in file order).
pub fn sample_records() -> Vec<Value> {
    String::from_utf8(sample_lines())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The `Request` that `lambda_http` makes of the proxy event API Gateway sends for
/// `GET /v1/dragons` with these query parameters (repeats go in the multi-value map).
pub fn proxy_event(query: &[(&str, &str)]) -> lambda_http::Request {
    let mut single = Map::new();
    let mut multi = Map::new();
    for (name, value) in query {
        single.insert((*name).to_owned(), Value::from(*value));
        multi
            .entry((*name).to_owned())
            .or_insert_with(|| Value::Array(vec![]))
            .as_array_mut()
            .unwrap()
            .push(Value::from(*value));
    }
    let (single, multi) = if query.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (Value::Object(single), Value::Object(multi))
    };
    let event = serde_json::json!({
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
            "identity": { "sourceIp": "127.0.0.1", "userAgent": "dragons-tests" },
            "authorizer": { "claims": { "sub": "7d8ca528-4931-4254-9273-ea5ee853f271", "cognito:username": "tester" } }
        },
        "body": null,
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).unwrap()
}
