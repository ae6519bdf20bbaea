//! `GET /dragons`: the query string checked strictly, the `nextToken` opened, one
//! page asked of the store, and the records answered with a `Link` to the next page,
//! or a JSON error.

use std::time::SystemTime;

use dragons_contract::{
    query::{FAMILY_PARAMETER, LIMIT_PARAMETER, ListRequest, NAME_PARAMETER, NEXT_TOKEN_PARAMETER},
    store::{DragonReader, PageError, PageRequest},
};
use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{HeaderValue, StatusCode, header},
    request::RequestContext,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{error::ApiError, response};
use crate::{domain::page_token, logging::error_chain};

/// What a query string value may hold unescaped: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Answers one `GET /dragons` request from `store`.
pub async fn list_dragons(store: &impl DragonReader, request: &Request) -> Response<Body> {
    list_dragons_at(store, request, SystemTime::now()).await
}

/// Answers one `GET /dragons` request from `store`, with tokens made and checked at
/// `now`.
pub async fn list_dragons_at(
    store: &impl DragonReader,
    request: &Request,
    now: SystemTime,
) -> Response<Body> {
    page(store, request, now)
        .await
        .unwrap_or_else(Response::from)
}

/// The page the request asks for, or why there is none (logged here).
async fn page(
    store: &impl DragonReader,
    request: &Request,
    now: SystemTime,
) -> Result<Response<Body>, ApiError> {
    let mut pairs: Vec<(&str, &str)> = request
        .query_string_parameters_ref()
        .map(|parameters| parameters.iter().collect())
        .unwrap_or_default();
    // The map's order is arbitrary: sort so the same query always gets the same error.
    pairs.sort_unstable();
    let list = ListRequest::from_pairs(pairs).inspect_err(|error| {
        tracing::info!(%error, "refused query string");
    })?;
    let after = list
        .next_token
        .as_deref()
        .map(|token| page_token::decode(token, &list.query, now))
        .transpose()
        .inspect_err(|error| tracing::info!(%error, "refused page token"))?;
    let page = store
        .page(PageRequest {
            query: &list.query,
            limit: list.limit,
            after: after.as_ref(),
        })
        .await
        .map_err(|error| match error {
            PageError::Cursor(why) => {
                tracing::info!(why, "the page token does not fit the data");
                ApiError::StaleToken
            }
            PageError::Store(error) => {
                let transient = error.is_transient();
                tracing::error!(error = %error_chain(&error), transient, "listing dragons failed");
                ApiError::Data { transient }
            }
        })?;
    let mut answer = response::json(StatusCode::OK, page.body);
    if let Some(next) = page.next {
        let token = page_token::encode(&list.query, &next, now);
        if let Ok(link) = HeaderValue::from_str(&next_link(request, &list, &token)) {
            answer.headers_mut().insert(header::LINK, link);
        }
    }
    Ok(answer)
}

/// The `Link` to the page after this one (RFC 8288): a relative reference, this
/// request's path as the client sent it (API Gateway's `$context.path`: the stage, or a
/// custom domain's base path, included) with the same filters and limit and the next
/// token. The client resolves it against the URL it asked, so it stays on that host:
/// behind CloudFront the `Host` API Gateway sees is its own execute-api name, not the
/// site's, and an absolute link built from it would leave the site's origin.
fn next_link(request: &Request, list: &ListRequest, token: &str) -> String {
    let path = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => context.path.clone(),
        _ => None,
    }
    .unwrap_or_else(|| request.uri().path().to_owned());
    let limit = list.limit.to_string();
    let query: Vec<String> = [
        (NAME_PARAMETER, list.query.name.as_deref()),
        (FAMILY_PARAMETER, list.query.family.as_deref()),
        (LIMIT_PARAMETER, Some(limit.as_str())),
        (NEXT_TOKEN_PARAMETER, Some(token)),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.map(|value| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
    })
    .collect();
    format!("<{path}?{}>; rel=\"next\"", query.join("&"))
}

#[cfg(test)]
mod tests {
    use dragons_contract::{
        Dragon, DragonQuery,
        memory::{Failure, MemoryStore},
        query::QueryError,
    };
    use lambda_http::http::header;
    use serde_json::{Value, json};

    use super::*;
    use crate::api::error::{STALE_TOKEN, UPSTREAM_FAILED, UPSTREAM_UNAVAILABLE};

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
        let (status, body, _) = answer_with_link(store, query).await;
        (status, body)
    }

    /// The status, the body and the `Link` header's value.
    async fn answer_with_link(
        store: &MemoryStore,
        query: &[(&str, &str)],
    ) -> (StatusCode, Value, Option<String>) {
        let response = list_dragons(store, &request(query)).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let Body::Text(text) = response.body() else {
            panic!("a text body, never base64: {:?}", response.body());
        };
        let link = response
            .headers()
            .get(header::LINK)
            .map(|value| value.to_str().unwrap().to_owned());
        (response.status(), serde_json::from_str(text).unwrap(), link)
    }

    /// The decoded query of a `Link: <url>; rel="next"` value.
    fn link_query(link: &str) -> Vec<(String, String)> {
        let url = link
            .strip_prefix('<')
            .and_then(|rest| rest.split_once(">; rel=\"next\""))
            .map(|(url, _)| url)
            .unwrap_or_else(|| panic!("not a next link: {link}"));
        let (path, query) = url.split_once('?').unwrap();
        assert_eq!(
            path, "/v1/dragons",
            "a relative reference: the request's own path"
        );
        query
            .split('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap();
                let value = percent_encoding::percent_decode_str(value)
                    .decode_utf8()
                    .unwrap();
                (name.to_owned(), value.into_owned())
            })
            .collect()
    }

    #[tokio::test]
    async fn following_the_links_yields_every_record_once() {
        let store = MemoryStore::with(
            (0..7).map(|n| dragon(&format!("Ré {n}"), if n == 3 { "blue" } else { "red" })),
        );
        let mut query: Vec<(String, String)> = vec![
            ("family".into(), "red".into()),
            ("limit".into(), "2".into()),
        ];
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let pairs: Vec<(&str, &str)> = query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (status, body, link) = answer_with_link(&store, &pairs).await;
            assert_eq!(status, StatusCode::OK);
            pages += 1;
            seen.extend(names(&body).into_iter().map(str::to_owned));
            let Some(link) = link else { break };
            query = link_query(&link);
            assert_eq!(query[0], ("family".to_owned(), "red".to_owned()));
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, ["Ré 0", "Ré 1", "Ré 2", "Ré 4", "Ré 5", "Ré 6"]);
    }

    #[tokio::test]
    async fn tokens_of_other_walks_and_forgeries_are_400s() {
        let store = store();
        let (_, _, link) = answer_with_link(&store, &[("limit", "1")]).await;
        let token = link_query(&link.unwrap())
            .into_iter()
            .find(|(name, _)| name == "nextToken")
            .unwrap()
            .1;
        let (status, _) = answer(&store, &[("nextToken", &token)]).await;
        assert_eq!(status, StatusCode::OK);
        for (query, message) in [
            (
                vec![("nextToken", token.as_str()), ("family", "red")],
                "`nextToken` belongs to a walk with other filters",
            ),
            (
                vec![("nextToken", &token[..token.len() - 2])],
                "`nextToken` is not a token this API issued",
            ),
            (
                vec![("nextToken", "AAAA")],
                "`nextToken` is not a token this API issued",
            ),
        ] {
            assert_eq!(
                answer(&store, &query).await,
                (StatusCode::BAD_REQUEST, json!({ "message": message })),
                "{query:?}"
            );
        }
        // A well-made token for a position the data does not have.
        let beyond = page_token::encode(
            &DragonQuery::default(),
            &dragons_contract::page::Cursor(99_u64.to_be_bytes().to_vec()),
            SystemTime::now(),
        );
        assert_eq!(
            answer(&store, &[("nextToken", &beyond)]).await,
            (StatusCode::BAD_REQUEST, json!({ "message": STALE_TOKEN }))
        );
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
        let cases: [(&[(&str, &str)], QueryError); 6] = [
            (&[("colour", "red")], QueryError::Unknown("colour".into())),
            (
                &[("family", "red"), ("family", "blue")],
                QueryError::Repeated("family"),
            ),
            (&[("dragonName", "")], QueryError::Empty("dragonName")),
            (&[("family", &long)], QueryError::TooLong("family")),
            (&[("limit", "0")], QueryError::Limit),
            (&[("limit", "1001")], QueryError::Limit),
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
                match dragons_contract::query::ListRequest::from_pairs(sorted) {
                    Err(error) => {
                        prop_assert_eq!(status, StatusCode::BAD_REQUEST);
                        prop_assert_eq!(body, json!({ "message": error.to_string() }));
                    }
                    Ok(request) => {
                        prop_assert_eq!(status, StatusCode::OK);
                        let expected: Vec<Value> = [("Atlas", "red"), ("Bryn", "blue"), ("Cora", "red")]
                            .into_iter()
                            .filter(|(name, family)| request.query.matches(name, family))
                            .map(|(name, family)| serde_json::to_value(dragon(name, family)).unwrap())
                            .collect();
                        prop_assert_eq!(body, Value::Array(expected));
                    }
                }
            }
        }
    }
}
