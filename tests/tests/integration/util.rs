//! Helpers shared by the integration tests: the committed template and walking it.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// The committed template (`cfn-out/dragons.template.json`), parsed.
pub fn template() -> Value {
    let path = dragons_harness::in_workspace("cfn-out/dragons.template.json");
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
    std::fs::read(dragons_harness::in_workspace("data/dragons.jsonl")).unwrap()
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
/// `GET /v1/dragons` with these query parameters (repeats go in the multi-value
/// map), built as local-api builds it, with a signed-in caller's claims.
pub fn proxy_event(query: &[(&str, &str)]) -> lambda_http::Request {
    let query = local_api::proxy_event::encode_query(query);
    let path = format!(
        "/{}{}",
        dragons_contract::names::STAGE,
        dragons_contract::routes::list_dragons().path
    );
    let claims = serde_json::json!({ "sub": "7d8ca528-4931-4254-9273-ea5ee853f271", "cognito:username": "tester" });
    local_api::proxy_event::lambda_request(&local_api::proxy_event::ProxyRequest {
        method: "GET",
        path: &path,
        stage: dragons_contract::names::STAGE,
        query: Some(query.as_str()).filter(|query| !query.is_empty()),
        headers: vec![("Accept".to_owned(), "application/json".to_owned())],
        request_id: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        claims: claims.as_object().cloned().unwrap_or_default(),
        source_ip: "127.0.0.1",
        ..Default::default()
    })
    .unwrap()
}

/// The object at `location`: its bytes and its ETag.
pub async fn object_and_etag(
    s3: &aws_sdk_s3::Client,
    location: &handlers::aws::DataLocation,
) -> (Vec<u8>, String) {
    let object = s3
        .get_object()
        .bucket(&location.bucket)
        .key(&location.key)
        .send()
        .await
        .unwrap();
    let etag = object.e_tag().unwrap().to_owned();
    (object.body.collect().await.unwrap().to_vec(), etag)
}

/// Sends the code's logs to the test's output (shown when a test fails).
pub fn show_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .try_init();
    });
}

/// The template as CloudFormation would see it with `overrides` for its parameters
/// (defaults otherwise): conditions evaluated, resources and outputs under a false
/// condition left out, every `Fn::If` replaced by its branch and `AWS::NoValue`
/// dropped. Each stack variant can then go through the linters on its own.
pub fn resolved(template: &Value, overrides: &[(&str, &str)]) -> Value {
    let parameters: std::collections::BTreeMap<String, String> = template["Parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, parameter)| {
            let value = overrides
                .iter()
                .find(|(wanted, _)| wanted == name)
                .map(|(_, value)| (*value).to_owned())
                .unwrap_or_else(|| parameter["Default"].as_str().unwrap_or_default().to_owned());
            (name.clone(), value)
        })
        .collect();
    let conditions = template["Conditions"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let holds = |name: &str| evaluate(&conditions[name], &conditions, &parameters);
    let mut out = template.clone();
    for (name, value) in &parameters {
        out["Parameters"][name]["Default"] = Value::from(value.as_str());
    }
    for section in ["Resources", "Outputs"] {
        if let Some(entries) = out[section].as_object_mut() {
            entries.retain(|_, entry| entry["Condition"].as_str().is_none_or(&holds));
            for entry in entries.values_mut() {
                if let Some(entry) = entry.as_object_mut() {
                    entry.remove("Condition");
                }
            }
        }
    }
    if let Some(object) = out.as_object_mut() {
        object.remove("Conditions");
    }
    choose(&mut out, &holds);
    // A parameter only the conditions read is no longer used.
    let used = referenced(&json!([out["Resources"], out["Outputs"]]));
    if let Some(parameters) = out["Parameters"].as_object_mut() {
        parameters.retain(|name, _| used.contains(name));
    }
    out
}

fn evaluate(
    condition: &Value,
    conditions: &Map<String, Value>,
    parameters: &std::collections::BTreeMap<String, String>,
) -> bool {
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => parameters[other["Ref"].as_str().unwrap()].clone(),
    };
    let (function, arguments) = condition.as_object().unwrap().iter().next().unwrap();
    match function.as_str() {
        "Fn::Equals" => text(&arguments[0]) == text(&arguments[1]),
        "Fn::Not" => !evaluate(&arguments[0], conditions, parameters),
        "Fn::And" => arguments
            .as_array()
            .unwrap()
            .iter()
            .all(|a| evaluate(a, conditions, parameters)),
        "Fn::Or" => arguments
            .as_array()
            .unwrap()
            .iter()
            .any(|a| evaluate(a, conditions, parameters)),
        "Condition" => evaluate(
            &conditions[arguments.as_str().unwrap()],
            conditions,
            parameters,
        ),
        other => panic!("a condition function this resolver does not know: {other}"),
    }
}

/// Replaces every `Fn::If` by the branch its condition picks and drops `AWS::NoValue`.
fn choose(value: &mut Value, holds: &impl Fn(&str) -> bool) {
    let no_value = |value: &Value| value.get("Ref") == Some(&Value::from("AWS::NoValue"));
    if let Some(branches) = value.get("Fn::If").and_then(Value::as_array) {
        let pick = if holds(branches[0].as_str().unwrap()) {
            1
        } else {
            2
        };
        *value = branches[pick].clone();
        choose(value, holds);
        return;
    }
    match value {
        Value::Array(items) => {
            items.iter_mut().for_each(|item| choose(item, holds));
            items.retain(|item| !no_value(item));
        }
        Value::Object(map) => {
            map.values_mut().for_each(|item| choose(item, holds));
            map.retain(|_, item| !no_value(item));
        }
        _ => {}
    }
}
