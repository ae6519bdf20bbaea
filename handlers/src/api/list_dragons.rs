//! `GET /dragons`: the query string checked strictly, the store asked, the answer
//! or a JSON error returned.

use dragons_contract::{DragonQuery, store::DragonReader};
use lambda_http::{Body, Request, RequestExt, Response, http::StatusCode};

use super::response;
use crate::logging::error_chain;

/// The message of a 502 (the detail goes to the log only).
pub const UPSTREAM_FAILED: &str = "The dragon data could not be read";
/// The message of a 503.
pub const UPSTREAM_UNAVAILABLE: &str = "The dragon data is unavailable; try again later";

/// Answers one `GET /dragons` request from `store`.
pub async fn list_dragons(store: &impl DragonReader, request: &Request) -> Response<Body> {
    let mut pairs: Vec<(&str, &str)> = request
        .query_string_parameters_ref()
        .map(|parameters| parameters.iter().collect())
        .unwrap_or_default();
    // The map's order is arbitrary: sort so the same query always gets the same error.
    pairs.sort_unstable();
    let query = match DragonQuery::from_pairs(pairs) {
        Ok(query) => query,
        Err(error) => {
            tracing::info!(%error, "refused query string");
            return response::error(StatusCode::BAD_REQUEST, &error.to_string());
        }
    };
    match store.list(&query).await {
        Ok(records) => response::json(StatusCode::OK, records),
        Err(error) => {
            let transient = error.is_transient();
            tracing::error!(error = %error_chain(&error), transient, "listing dragons failed");
            if transient {
                response::error(StatusCode::SERVICE_UNAVAILABLE, UPSTREAM_UNAVAILABLE)
            } else {
                response::error(StatusCode::BAD_GATEWAY, UPSTREAM_FAILED)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use dragons_contract::{
        Dragon,
        memory::{Failure, MemoryStore},
        query::QueryError,
    };
    use lambda_http::http::header;
    use serde_json::{Value, json};

    use super::*;

    fn dragon(name: &str, family: &str) -> Dragon {
        Dragon {
            dragon_name_str: name.into(),
            family_str: family.into(),
            description_str: "Says \"hi\".\nLeaves.".into(),
            location_city_str: "Kraków".into(),
            location_country_str: "poland".into(),
            location_state_str: String::new(),
            location_neighborhood_str: String::new(),
        }
    }

    fn store() -> MemoryStore {
        MemoryStore::with([
            dragon("Atlas", "red"),
            dragon("Bryn", "blue"),
            dragon("Cora", "red"),
        ])
    }

    /// The request API Gateway's proxy integration hands the Lambda, with `query`.
    fn request(query: &[(&str, &str)]) -> Request {
        let mut single = serde_json::Map::new();
        let mut multi = serde_json::Map::new();
        for (name, value) in query {
            single.insert((*name).to_owned(), json!(value));
            multi
                .entry((*name).to_owned())
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .unwrap()
                .push(json!(value));
        }
        let event = json!({
            "resource": "/dragons", "path": "/dragons", "httpMethod": "GET",
            "headers": null, "multiValueHeaders": null,
            "queryStringParameters": if single.is_empty() { Value::Null } else { Value::Object(single) },
            "multiValueQueryStringParameters": if multi.is_empty() { Value::Null } else { Value::Object(multi) },
            "pathParameters": null, "stageVariables": null,
            "requestContext": {
                "resourcePath": "/dragons", "httpMethod": "GET", "path": "/v1/dragons",
                "accountId": "123456789012", "protocol": "HTTP/1.1", "stage": "v1",
                "requestId": "r-1", "identity": { "sourceIp": "127.0.0.1" },
            },
            "body": null, "isBase64Encoded": false,
        });
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    async fn answer(store: &MemoryStore, query: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = list_dragons(store, &request(query)).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let Body::Text(text) = response.body() else {
            panic!("a text body, never base64: {:?}", response.body());
        };
        (response.status(), serde_json::from_str(text).unwrap())
    }

    fn names(records: &Value) -> Vec<&str> {
        records
            .as_array()
            .unwrap()
            .iter()
            .map(|record| record["dragon_name_str"].as_str().unwrap())
            .collect()
    }

    #[tokio::test]
    async fn answers_the_matching_records() {
        let store = store();
        let (status, all) = answer(&store, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(names(&all), ["Atlas", "Bryn", "Cora"]);
        assert_eq!(
            all[0],
            serde_json::to_value(dragon("Atlas", "red")).unwrap()
        );
        let (_, red) = answer(&store, &[("family", "red")]).await;
        assert_eq!(names(&red), ["Atlas", "Cora"]);
        let (_, one) = answer(&store, &[("family", "red"), ("dragonName", "Cora")]).await;
        assert_eq!(names(&one), ["Cora"]);
        let (status, none) = answer(&store, &[("dragonName", "Nobody")]).await;
        assert_eq!((status, none), (StatusCode::OK, json!([])));
    }

    #[tokio::test]
    async fn each_query_error_is_a_400_with_its_reason() {
        let store = store();
        let long = "x".repeat(129);
        let cases: [(&[(&str, &str)], QueryError); 4] = [
            (&[("colour", "red")], QueryError::Unknown("colour".into())),
            (
                &[("family", "red"), ("family", "blue")],
                QueryError::Repeated("family"),
            ),
            (&[("dragonName", "")], QueryError::Empty("dragonName")),
            (&[("family", &long)], QueryError::TooLong("family")),
        ];
        for (query, error) in cases {
            let (status, body) = answer(&store, query).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}");
            assert_eq!(body, json!({ "message": error.to_string() }), "{query:?}");
        }
    }

    #[tokio::test]
    async fn store_failures_are_502_or_503_without_details() {
        let store = store();
        store.fail(Failure::Failed);
        assert_eq!(
            answer(&store, &[]).await,
            (
                StatusCode::BAD_GATEWAY,
                json!({ "message": UPSTREAM_FAILED })
            )
        );
        store.fail(Failure::Unavailable);
        assert_eq!(
            answer(&store, &[("family", "red")]).await,
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "message": UPSTREAM_UNAVAILABLE })
            )
        );
        store.heal();
        assert_eq!(answer(&store, &[]).await.0, StatusCode::OK);
    }

    /// Property tests of how the handler takes the query from the event API
    /// Gateway sends (`PROPTEST_CASES` cases, 256 by default): for random pairs,
    /// repeated names included, the answer is the contract's verdict on every
    /// pair the event carries, sorted (so one query always gets one error): its
    /// 400, or the records it matches.
    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn name() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("dragonName".to_owned()),
                Just("family".to_owned()),
                "[a-zA-Z]{0,6}",
            ]
        }

        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                prop::sample::select(vec!["", "red", "blue", "Atlas", "Cora", "Nobody"])
                    .prop_map(str::to_owned),
                ".{0,50}",
            ]
        }

        proptest! {
            #[test]
            fn the_answer_is_the_contracts_verdict_on_the_events_pairs(
                pairs in prop::collection::vec((name(), value()), 0..4)
            ) {
                let store = store();
                let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
                let borrowed: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let (status, body) = runtime.block_on(answer(&store, &borrowed));
                let mut sorted = borrowed.clone();
                sorted.sort_unstable();
                match DragonQuery::from_pairs(sorted) {
                    Err(error) => {
                        prop_assert_eq!(status, StatusCode::BAD_REQUEST);
                        prop_assert_eq!(body, json!({ "message": error.to_string() }));
                    }
                    Ok(query) => {
                        prop_assert_eq!(status, StatusCode::OK);
                        let expected: Vec<Value> = [("Atlas", "red"), ("Bryn", "blue"), ("Cora", "red")]
                            .into_iter()
                            .filter(|(name, family)| query.matches(name, family))
                            .map(|(name, family)| serde_json::to_value(dragon(name, family)).unwrap())
                            .collect();
                        prop_assert_eq!(body, Value::Array(expected));
                    }
                }
            }
        }
    }
}
