//! The events the Lambdas get: API Gateway's (REST API, proxy integration) for
//! `GET /v1/dragons` with a query string, as JSON and as a `lambda_http` request,
//! and the state machine's for a report task.

use dragons_contract::{names::STAGE, routes};
use local_api::proxy_event::{ProxyRequest, encode_query, lambda_request};
use serde_json::{Value, json};

/// The event for `GET /v1/dragons?name=value&…`, built as local-api builds it.
pub fn proxy_event(query: &[(&str, &str)]) -> Value {
    let query = encode_query(query);
    local_api::proxy_event::proxy_event(&request_parts(&list_path(), &query))
}

/// The `lambda_http` request the handler sees for that event.
pub fn request(query: &[(&str, &str)]) -> anyhow::Result<lambda_http::Request> {
    let query = encode_query(query);
    Ok(lambda_request(&request_parts(&list_path(), &query))?)
}

/// The event the state machine sends a report task (ValidateDragon, AddDragon):
/// a dragon named `name` (family bronze), its reporter, and the report (execution)
/// `report_id`.
pub fn report_event(name: &str, report_id: &str) -> String {
    report_event_in(name, "bronze", report_id)
}

/// [`report_event`] of a dragon of `family`.
pub fn report_event_in(name: &str, family: &str, report_id: &str) -> String {
    json!({
        "dragon": {
            "dragon_name_str": name,
            "family_str": family,
            "description_str": "Reported by a benchmark.",
            "location_city_str": "loopback",
            "location_country_str": "localhost",
            "location_state_str": "",
            "location_neighborhood_str": ""
        },
        "reporter": { "sub": "bench", "username": "bench" },
        "report": { "id": report_id, "submittedAt": "2026-01-01T00:00:00.000Z" }
    })
    .to_string()
}

/// `/v1/dragons`: the list route's path as the client sends it, stage first.
fn list_path() -> String {
    format!("/{STAGE}{}", routes::list_dragons().path)
}

fn request_parts<'a>(path: &'a str, query: &'a str) -> ProxyRequest<'a> {
    ProxyRequest {
        method: "GET",
        path,
        stage: STAGE,
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
