//! `GET /dragons` end to end: the real handler and `S3Store` against moto, with
//! the API Gateway proxy event the REST API sends; `DynamoStore` against a server
//! that is down, and against a stand-in giving DynamoDB's documented error answers.

use dragons_contract::{name::key, query_engine::QueryEngine, store::DragonReader};
use handlers::{
    api::{
        error::{UPSTREAM_FAILED, UPSTREAM_UNAVAILABLE},
        list_dragons::list_dragons,
    },
    aws::{AwsClients, DataLocation, DynamoStore, ParameterNames, S3Store},
};
use lambda_http::{Body, Response};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use dragons_harness::fixtures::{DataSet, clients, unique_name};
use dragons_harness::moto::Moto;

use crate::util::{proxy_event, sample_lines, sample_records};

/// A store over a fresh data set holding `body` at `key`.
async fn store_over(
    moto: &Moto,
    engine: QueryEngine,
    key: &str,
    body: Vec<u8>,
) -> (S3Store, DataSet, AwsClients) {
    let clients = clients(&moto.endpoint()).await;
    let data = DataSet::create(&clients, key, body).await.unwrap();
    let store = S3Store::new(clients.clone(), data.parameters.clone(), engine);
    (store, data, clients)
}

/// `GET /dragons?query`: status and parsed body.
async fn get(store: &impl DragonReader, query: &[(&str, &str)]) -> (u16, Value) {
    let response = list_dragons(store, &proxy_event(query)).await;
    parse(response)
}

fn parse(response: Response<Body>) -> (u16, Value) {
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let Body::Text(text) = response.body() else {
        panic!("the body must be text, not {:?}", response.body());
    };
    (
        response.status().as_u16(),
        serde_json::from_str(text).unwrap(),
    )
}

/// The sample records of the given name (by its key) and family (exactly), computed
/// with serde_json and the contract's key.
fn expected(name: Option<&str>, family: Option<&str>) -> Value {
    Value::Array(
        sample_records()
            .into_iter()
            .filter(|record| {
                name.is_none_or(|name| {
                    key(record["dragon_name_str"].as_str().unwrap()) == key(name)
                })
            })
            .filter(|record| family.is_none_or(|family| record["family_str"] == family))
            .collect(),
    )
}

#[tokio::test]
async fn scan_answers_by_name_family_both_and_neither() {
    let moto = Moto::shared().unwrap();
    let (store, ..) = store_over(&moto, QueryEngine::Scan, "dragons.jsonl", sample_lines()).await;
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, Option<&'a str>);
    let cases: [Case; 9] = [
        (&[], None, None),
        (&[("family", "red")], None, Some("red")),
        (&[("family", "Red")], None, Some("Red")),
        (&[("dragonName", "Atlas")], Some("Atlas"), None),
        (
            &[("dragonName", "Atlas"), ("family", "green")],
            Some("Atlas"),
            Some("green"),
        ),
        (
            &[("dragonName", "Atlas"), ("family", "red")],
            Some("Atlas"),
            Some("red"),
        ),
        (&[("dragonName", "atlas")], Some("atlas"), None),
        (&[("dragonName", "ＡＴＬＡＳ")], Some("atlas"), None),
        (&[("dragonName", "Atlass")], Some("Atlass"), None),
    ];
    for (query, name, family) in cases {
        let (status, body) = get(&store, query).await;
        assert_eq!(status, 200, "{query:?}");
        assert_eq!(body, expected(name, family), "{query:?}");
    }
    // The cases above are not vacuous: some match several, some one, some none.
    assert!(expected(None, Some("red")).as_array().unwrap().len() >= 6);
    assert_eq!(expected(Some("Atlas"), None).as_array().unwrap().len(), 1);
    assert_eq!(expected(Some("atlas"), None), expected(Some("Atlas"), None));
    assert_eq!(expected(Some("Atlass"), None), Value::Array(vec![]));
    assert_ne!(expected(None, Some("Red")), expected(None, Some("red")));
}

#[tokio::test]
async fn scan_round_trips_every_record_from_lines_and_from_an_array_document() {
    let moto = Moto::shared().unwrap();
    let records = sample_records();
    let array = serde_json::to_vec_pretty(&records).unwrap();
    for (key, body) in [("dragons.jsonl", sample_lines()), ("dragons.json", array)] {
        let (store, ..) = store_over(&moto, QueryEngine::Scan, key, body).await;
        let (status, all) = get(&store, &[]).await;
        assert_eq!(
            (status, &all),
            (200, &Value::Array(records.clone())),
            "{key}"
        );
        for record in &records {
            let name = record["dragon_name_str"].as_str().unwrap();
            let (status, one) = get(&store, &[("dragonName", name)]).await;
            assert_eq!(
                (status, one),
                (200, Value::Array(vec![record.clone()])),
                "{key}: {name}"
            );
        }
    }
}

/// The sample lines moto's S3 Select reproduces faithfully: it truncates values at
/// quotes and doubles backslash escapes (`\n` comes back as `\\n`), so only lines
/// with neither take part in the comparison with scan.
fn moto_select_subset() -> Vec<Value> {
    String::from_utf8(sample_lines())
        .unwrap()
        .lines()
        .filter(|line| !line.contains(['\\', '\'']))
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test]
async fn s3_select_matches_scan_on_the_subset_moto_supports() {
    let moto = Moto::shared().unwrap();
    let records = moto_select_subset();
    assert!(records.len() >= 20, "only {} records", records.len());
    let lines: String = records.iter().map(|record| format!("{record}\n")).collect();
    let (select, data, clients) = store_over(
        &moto,
        QueryEngine::S3Select,
        "dragons.jsonl",
        lines.into_bytes(),
    )
    .await;
    let scan = S3Store::new(clients, data.parameters.clone(), QueryEngine::Scan);
    // moto's S3 Select handles one equality: every family, and a miss. A name query's
    // statement (the coarse name-key condition: `LOWER`, `CHAR_LENGTH`, `SUBSTRING`,
    // `OR`) is more than moto's parser reads (it answers 500): it is tested by its
    // text and its superset property in `handlers::domain::select_sql`.
    let mut queries = vec![("family", "no-such-family".to_owned())];
    for record in &records {
        queries.push(("family", record["family_str"].as_str().unwrap().to_owned()));
    }
    queries.sort();
    queries.dedup();
    let mut matched = 0;
    for (parameter, value) in &queries {
        let query = [(*parameter, value.as_str())];
        let from_select = get(&select, &query).await;
        assert_eq!(from_select, get(&scan, &query).await, "{query:?}");
        assert_eq!(from_select.0, 200);
        matched += from_select.1.as_array().unwrap().len();
    }
    // Each record is in exactly one family.
    assert_eq!(matched, records.len());
}

#[tokio::test]
async fn auto_uses_s3_select_where_the_account_has_it() {
    let moto = Moto::shared().unwrap();
    let records = moto_select_subset();
    let lines: String = records.iter().map(|record| format!("{record}\n")).collect();
    let (auto, ..) = store_over(
        &moto,
        QueryEngine::Auto,
        "dragons.jsonl",
        lines.into_bytes(),
    )
    .await;
    let family = records[0]["family_str"].as_str().unwrap();
    let wanted: Vec<Value> = records
        .iter()
        .filter(|record| record["family_str"] == family)
        .cloned()
        .collect();
    assert_eq!(
        get(&auto, &[("family", family)]).await,
        (200, Value::Array(wanted))
    );
}

#[tokio::test]
async fn a_changed_parameter_is_read_on_the_next_request() {
    let moto = Moto::shared().unwrap();
    let (store, data, clients) =
        store_over(&moto, QueryEngine::Scan, "dragons.jsonl", sample_lines()).await;
    assert_eq!(get(&store, &[]).await.1, expected(None, None));

    let moved: Vec<Value> = sample_records().into_iter().take(2).collect();
    let body = moved
        .iter()
        .map(|record| format!("{record}\n"))
        .collect::<String>();
    data.put_object(&clients, "moved/dragons.jsonl", body.into_bytes())
        .await
        .unwrap();
    let moved_to = DataLocation {
        bucket: data.location.bucket.clone(),
        key: "moved/dragons.jsonl".to_owned(),
    };
    data.point_to(&clients, &moved_to).await.unwrap();
    assert_eq!(get(&store, &[]).await, (200, Value::Array(moved)));
}

#[tokio::test]
async fn bad_query_strings_are_400_with_the_reason() {
    let moto = Moto::shared().unwrap();
    let (store, ..) = store_over(&moto, QueryEngine::Scan, "dragons.jsonl", sample_lines()).await;
    let long = "x".repeat(129);
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("colour", "red")], "unknown query parameter `colour`"),
        (
            &[("family", "red"), ("family", "blue")],
            "`family` is given more than once",
        ),
        (&[("dragonName", "")], "`dragonName` is empty"),
        (
            &[("family", &long)],
            "`family` is longer than 40 characters",
        ),
        (
            &[("family", "red"), ("' OR 1=1 --", "x")],
            "unknown query parameter",
        ),
        (
            &[("dragonName", "Atlas"), ("dragonName", "Atlas")],
            "more than once",
        ),
    ];
    for (query, reason) in cases {
        let (status, body) = get(&store, query).await;
        assert_eq!(status, 400, "{query:?}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(reason), "{query:?}: {message}");
    }
    // Exactly 40 characters (160 bytes here) is still fine.
    assert_eq!(
        get(&store, &[("family", &"\u{1F409}".repeat(40))]).await,
        (200, Value::Array(vec![]))
    );
}

/// The error answer: status and message, and nothing else in the body.
fn assert_error(answer: (u16, Value), status: u16, message: &str) {
    assert_eq!(answer, (status, serde_json::json!({ "message": message })));
}

#[tokio::test]
async fn missing_parameters_bucket_or_object_are_502() {
    let moto = Moto::shared().unwrap();
    let (_, data, clients) =
        store_over(&moto, QueryEngine::Scan, "dragons.jsonl", sample_lines()).await;
    let missing_parameter = ParameterNames {
        bucket: data.parameters.bucket.clone(),
        file: unique_name("/no/such/parameter"),
    };
    for engine in [QueryEngine::Scan, QueryEngine::S3Select] {
        let store = S3Store::new(clients.clone(), missing_parameter.clone(), engine);
        assert_error(get(&store, &[]).await, 502, UPSTREAM_FAILED);
    }
    for location in [
        DataLocation {
            bucket: unique_name("no-such-bucket"),
            key: "dragons.jsonl".into(),
        },
        DataLocation {
            bucket: data.location.bucket.clone(),
            key: "no/such/key.jsonl".into(),
        },
    ] {
        data.point_to(&clients, &location).await.unwrap();
        for engine in [QueryEngine::Scan, QueryEngine::S3Select, QueryEngine::Auto] {
            let store = S3Store::new(clients.clone(), data.parameters.clone(), engine);
            assert_error(get(&store, &[]).await, 502, UPSTREAM_FAILED);
        }
    }
}

#[tokio::test]
async fn malformed_data_is_502() {
    let moto = Moto::shared().unwrap();
    let cases: [(&str, &[u8]); 4] = [
        (
            "dragons.jsonl",
            b"{\"dragon_name_str\":\"A\",\"family_str\":\"red\"}\nnot json\n",
        ),
        ("dragons.jsonl", b"{\"dragon_name_str\":\"A\"}\n"),
        (
            "dragons.json",
            b"[{\"dragon_name_str\":\"A\",\"family_str\":\"red\"}",
        ),
        ("dragons.json", b"{\"dragons\":[]}"),
    ];
    for (key, body) in cases {
        let (store, ..) = store_over(&moto, QueryEngine::Scan, key, body.to_vec()).await;
        assert_error(get(&store, &[]).await, 502, UPSTREAM_FAILED);
    }
}

#[tokio::test]
async fn a_server_that_is_down_is_503() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clients = clients(&format!("http://127.0.0.1:{port}")).await;
    for engine in [QueryEngine::Scan, QueryEngine::S3Select, QueryEngine::Auto] {
        let store = S3Store::new(clients.clone(), ParameterNames::default(), engine);
        assert_error(get(&store, &[]).await, 503, UPSTREAM_UNAVAILABLE);
    }
}

#[tokio::test]
async fn a_table_that_is_down_or_throttling_is_503_and_one_that_is_gone_502() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = clients(&format!("http://127.0.0.1:{port}")).await;
    let store = DynamoStore::new(&down, "dragon_data_table_name");
    assert_error(get(&store, &[]).await, 503, UPSTREAM_UNAVAILABLE);

    let cases = [
        (
            400,
            "ProvisionedThroughputExceededException",
            503,
            UPSTREAM_UNAVAILABLE,
        ),
        (400, "ThrottlingException", 503, UPSTREAM_UNAVAILABLE),
        (500, "InternalServerError", 503, UPSTREAM_UNAVAILABLE),
        (400, "ResourceNotFoundException", 502, UPSTREAM_FAILED),
        (400, "AccessDeniedException", 502, UPSTREAM_FAILED),
    ];
    for (status, error, want, message) in cases {
        let endpoint = dynamodb_answering(status, error).await;
        let store = DynamoStore::new(&clients(&endpoint).await, "dragon_data_table_name");
        for query in [&[][..], &[("dragonName", "Atlas")], &[("family", "red")]] {
            assert_eq!(
                get(&store, query).await,
                (want, serde_json::json!({ "message": message })),
                "{error} on {query:?}"
            );
        }
    }
}

/// A loopback stand-in for SSM and DynamoDB: SSM's GetParameter names a table, and
/// every DynamoDB call gets `status` with the error `code`, in the JSON error shape
/// DynamoDB documents (`__type`, `message`).
async fn dynamodb_answering(status: u16, code: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0_u8; 4096];
                // The head, then as many body bytes as it announces.
                let (head, length) = loop {
                    let Ok(read) = socket.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length:"))
                            .and_then(|value| value.trim().parse().ok())
                            .unwrap_or(0);
                        break (head, end + 4 + length);
                    }
                };
                while request.len() < length {
                    let Ok(read) = socket.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        break;
                    }
                    request.extend_from_slice(&buffer[..read]);
                }
                let (answer_status, body) = if head.contains("x-amz-target: amazonssm.getparameter")
                {
                    (
                        200,
                        r#"{"Parameter":{"Name":"dragon_data_table_name","Type":"String","Value":"dragons","Version":1}}"#.to_owned(),
                    )
                } else {
                    (
                        status,
                        format!(
                            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"recorded answer"}}"#
                        ),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {answer_status} X\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    endpoint
}
