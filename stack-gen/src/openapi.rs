//! The API described to clients: an OpenAPI 3.0 document built from the same
//! route table ([`dragons_contract::routes`]) as the API Gateway resources, with the bodies'
//! schemas generated from the contract's types. Written to `cfn-out/openapi.json`, so a
//! client generator (or a reviewer) reads exactly what the stack deploys.

use dragons_contract::{
    Dragon,
    error_body::ErrorBody,
    names::STAGE,
    report_status::{Accepted, ReportStatus},
};
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};

use dragons_contract::routes::{self, Answer, Body, In, Kind, Parameter, Route};

/// The OpenAPI version the document follows (the one API Gateway imports).
pub const OPENAPI_VERSION: &str = "3.0.3";

/// The security scheme's name: the Cognito user pool's ID token.
pub const SECURITY_SCHEME: &str = "CognitoIdToken";

/// The document for every route.
pub fn document() -> Value {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let bodies = BodySchemas::new(&mut generator);
    let mut paths = Map::new();
    for route in routes::all() {
        let operations = paths
            .entry(route.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(operations) = operations {
            operations.insert(
                route.method.to_ascii_lowercase(),
                operation(&route, &bodies),
            );
        }
    }
    let mut schemas = generator.take_definitions(true);
    schemas.sort_keys();
    json!({
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "dragons",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "List the dragons and report new ones. Every operation needs a Cognito ID token in `Authorization`. A report is checked and added in the background: follow the `Location` of its 202 answer.",
        },
        "servers": [
            {
                "url": format!("https://{{restApiId}}.execute-api.{{region}}.amazonaws.com/{STAGE}"),
                "description": "The deployed API (the stack's `ApiUrl` output without its `/dragons`).",
                "variables": {
                    "restApiId": { "default": "restApiId", "description": "The REST API's id." },
                    "region": { "default": "us-east-1", "description": "The stack's region." },
                },
            },
            {
                "url": format!("https://{{site}}/{STAGE}"),
                "description": "The same API on the web app's origin, through CloudFront's `/{stage}/*` behaviour (the stack's `SiteApiUrl` output).",
                "variables": {
                    "site": { "default": "d111111abcdef8.cloudfront.net", "description": "The site's CloudFront domain." },
                },
            },
            { "url": format!("http://127.0.0.1:3000/{STAGE}"), "description": "local-api on a laptop, in the deployed layout." },
        ],
        "security": [ { SECURITY_SCHEME: [] } ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "The ID token of a user of the stack's Cognito user pool, as it is (no `Bearer` prefix needed).",
                },
            },
            "schemas": schemas,
        },
    })
}

/// The document as the file holds it: pretty JSON and a final newline.
pub fn to_json_pretty() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema of each kind of body, as references into `components/schemas`.
struct BodySchemas {
    dragon: Value,
    accepted: Value,
    report_status: Value,
    error: Value,
}

impl BodySchemas {
    fn new(generator: &mut SchemaGenerator) -> Self {
        fn reference<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
            generator.subschema_for::<T>().to_value()
        }
        Self {
            dragon: reference::<Dragon>(generator),
            accepted: reference::<Accepted>(generator),
            report_status: reference::<ReportStatus>(generator),
            error: reference::<ErrorBody>(generator),
        }
    }

    fn of(&self, body: Body) -> Value {
        match body {
            Body::Dragon => self.dragon.clone(),
            Body::Dragons => json!({ "type": "array", "items": self.dragon }),
            Body::Accepted => self.accepted.clone(),
            Body::ReportStatus => self.report_status.clone(),
            Body::Error => self.error.clone(),
        }
    }
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn operation(route: &Route, bodies: &BodySchemas) -> Value {
    let mut operation = Map::new();
    operation.insert("operationId".into(), route.operation.into());
    operation.insert("summary".into(), route.summary.into());
    if !route.parameters.is_empty() {
        let parameters = route.parameters.iter().map(parameter).collect();
        operation.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(body) = route.request {
        operation.insert(
            "requestBody".into(),
            json!({ "required": true, "content": json_content(bodies.of(body)) }),
        );
    }
    let responses = route
        .answers
        .iter()
        .map(|answer| (answer.status.to_string(), response(answer, bodies)))
        .collect();
    operation.insert("responses".into(), Value::Object(responses));
    Value::Object(operation)
}

fn parameter(parameter: &Parameter) -> Value {
    let schema = match parameter.kind {
        Kind::Text { max_chars } => {
            json!({ "type": "string", "minLength": 1, "maxLength": max_chars })
        }
        Kind::Integer { min, max, default } => {
            json!({ "type": "integer", "minimum": min, "maximum": max, "default": default })
        }
    };
    json!({
        "name": parameter.name,
        "in": match parameter.place { In::Query => "query", In::Path => "path" },
        "required": parameter.required,
        "description": parameter.description,
        "schema": schema,
    })
}

fn response(answer: &Answer, bodies: &BodySchemas) -> Value {
    let mut response = Map::new();
    response.insert("description".into(), answer.description.into());
    if !answer.headers.is_empty() {
        let headers = answer
            .headers
            .iter()
            .map(|header| {
                let schema =
                    json!({ "description": header.description, "schema": { "type": "string" } });
                (header.name.to_owned(), schema)
            })
            .collect();
        response.insert("headers".into(), Value::Object(headers));
    }
    response.insert("content".into(), json_content(bodies.of(answer.body)));
    Value::Object(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_and_answer_is_described() {
        let document = document();
        for route in routes::all() {
            let operation = &document["paths"][&route.path][route.method.to_ascii_lowercase()];
            assert_eq!(operation["operationId"], route.operation, "{}", route.path);
            for answer in &route.answers {
                let response = &operation["responses"][answer.status.to_string()];
                assert!(
                    response.is_object(),
                    "{} {}",
                    route.operation,
                    answer.status
                );
                for header in answer.headers {
                    assert!(
                        response["headers"][header.name].is_object(),
                        "{} {} {}",
                        route.operation,
                        answer.status,
                        header.name
                    );
                }
            }
            let declared = operation["responses"].as_object().map_or(0, Map::len);
            assert_eq!(declared, route.answers.len(), "{}", route.operation);
        }
    }

    #[test]
    fn the_dragon_schema_is_the_request_model() {
        let document = document();
        let mut model = dragons_contract::schema::dragon_schema();
        let mut component = document["components"]["schemas"]["Dragon"].clone();
        for schema in [&mut model, &mut component] {
            if let Value::Object(map) = schema {
                map.remove("$schema");
                map.remove("title");
            }
        }
        assert_eq!(component, model);
    }

    #[test]
    fn every_reference_resolves() {
        fn references(value: &Value, found: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(target)) = map.get("$ref") {
                        found.push(target.clone());
                    }
                    map.values().for_each(|v| references(v, found));
                }
                Value::Array(items) => items.iter().for_each(|v| references(v, found)),
                _ => {}
            }
        }
        let document = document();
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(found.len() >= 4, "{found:?}");
        for target in found {
            let pointer = target.trim_start_matches('#');
            assert!(document.pointer(pointer).is_some(), "{target} resolves");
        }
    }
}
