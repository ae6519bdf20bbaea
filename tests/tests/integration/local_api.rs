//! local-api over HTTP on loopback, against its own moto: the authorizer refuses
//! every bad token before any handler runs, hostile requests get clear 4xx answers
//! and write nothing, reports run the workflow, and 2,000 concurrent GETs all
//! succeed.

use std::{
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use bytes::Bytes;
use dragons_contract::names::{DEFAULT_DATA_KEY, STAGE};
use dragons_contract::{data_store::DataStore, query_engine::QueryEngine, report_status};
use handlers::aws::{AwsClients, DataLocation, ParameterNames};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;
use local_api::{
    app::{Settings, app_state},
    routes::{AppState, serve},
    seed::{self, id_token, seed},
};
use serde_json::{Value, json};

use dragons_harness::fixtures::{REGION, sdk_config};
use dragons_harness::moto::Moto;

use crate::util::{object_and_etag, sample_lines, sample_records};

/// local-api serving on a free port, over a moto of its own.
struct LocalApi {
    /// `http://127.0.0.1:PORT`.
    origin: String,
    /// The API's URL: the origin, then the stage (the shape of `ApiUrl` without its
    /// `/dragons`); paths below are the route table's.
    base: String,
    state: Arc<AppState>,
    client: Client<HttpConnector, Full<Bytes>>,
    token: String,
    config: aws_config::SdkConfig,
    clients: AwsClients,
    seeded: local_api::seed::Seeded,
    _server: tokio::task::JoinHandle<std::io::Result<()>>,
    _moto: Moto,
}

/// An answer: status and body text.
type Answer = (u16, String);

/// A `POST /dragons` answer: status, `Location`, body.
struct Posted {
    status: u16,
    location: Option<String>,
    body: String,
}

impl LocalApi {
    /// On the quickstart's default store.
    async fn start() -> Self {
        Self::start_on(DataStore::default()).await
    }

    /// Seeded and serving with its dragons in `store`.
    async fn start_on(store: DataStore) -> Self {
        let moto = Moto::start().unwrap();
        let config = sdk_config(&moto.endpoint()).await;
        let stores = local_api::seed::Stores {
            store,
            parameters: ParameterNames::from_env(),
            table_parameter: "dragon_data_table_name".into(),
        };
        let seeded = seed(&config, &stores, sample_lines()).await.unwrap();
        let token = id_token(
            &config,
            &seeded.client_id,
            &seeded.username,
            &seeded.password,
        )
        .await
        .unwrap();
        let settings = Settings {
            stage: STAGE.to_owned(),
            endpoint: moto.endpoint(),
            region: REGION.to_owned(),
            user_pool_id: seeded.user_pool_id.clone(),
            client_id: seeded.client_id.clone(),
            topic_arn: seeded.topic_arn.clone(),
            store,
            parameters: ParameterNames::default(),
            table_parameter: "dragon_data_table_name".into(),
            engine: QueryEngine::Scan,
            location_ttl: std::time::Duration::ZERO,
        };
        let state = Arc::new(app_state(&config, &settings).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let base = format!("{origin}/{STAGE}");
        let server = tokio::spawn(serve(listener, Arc::clone(&state)));
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self {
            origin,
            base,
            state,
            client,
            token,
            clients: AwsClients::from_config(&config),
            config,
            seeded,
            _server: server,
            _moto: moto,
        }
    }

    /// The URL of `path`: a whole URL, a route's path below the stage (`/dragons`),
    /// or an absolute path reference (`/v1/dragons/reports/…`, a `Location`)
    /// resolved on the origin as a client resolves it.
    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") {
            path.to_owned()
        } else if path.starts_with(&format!("/{STAGE}/")) {
            format!("{}{path}", self.origin)
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn send_full(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, http::HeaderMap, String) {
        let mut request = http::Request::builder().method(method).uri(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .client
            .request(request.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let (status, _, body) = self.send_full(method, path, headers, body).await;
        (status, body)
    }

    /// `POST /dragons` with `headers` and `body`: the answer and its `Location`.
    async fn report_with(&self, headers: &[(&str, &str)], body: &str) -> Posted {
        let (status, answer_headers, body) = self
            .send_full("POST", "/dragons", headers, body.as_bytes().to_vec())
            .await;
        Posted {
            status,
            location: answer_headers
                .get(http::header::LOCATION)
                .map(|value| value.to_str().unwrap().to_owned()),
            body,
        }
    }

    /// An ID token of a second user of the seeded pool, `username`.
    async fn other_user_token(&self, username: &str) -> String {
        let cognito = aws_sdk_cognitoidentityprovider::Client::new(&self.config);
        let password = seed::random_password();
        local_api::local_stack::user(&cognito, &self.seeded.user_pool_id, username, &password)
            .await
            .unwrap();
        id_token(&self.config, &self.seeded.client_id, username, &password)
            .await
            .unwrap()
    }

    /// The seeded user's `sub`, as its token says.
    async fn seeded_sub(&self) -> String {
        decode(&segments(&self.token)[1])["sub"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `POST /dragons` of `body` by the seeded user.
    async fn report(&self, body: &str) -> Posted {
        let headers = [
            ("Authorization", self.token.as_str()),
            ("Content-Type", "application/json"),
        ];
        self.report_with(&headers, body).await
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let headers: Vec<(&str, &str)> = token.map(|t| ("Authorization", t)).into_iter().collect();
        self.send("GET", path, &headers, Vec::new()).await
    }

    async fn post(&self, body: &str) -> Answer {
        let headers = [
            ("Authorization", self.token.as_str()),
            ("Content-Type", "application/json"),
        ];
        self.send("POST", "/dragons", &headers, body.as_bytes().to_vec())
            .await
    }

    /// The status of the report a 202 accepted, followed from its `Location` (as the
    /// reporter) until it is terminal.
    async fn finished(&self, posted: Posted) -> Value {
        assert_eq!(posted.status, 202, "{}", posted.body);
        let accepted: Value = serde_json::from_str(&posted.body).unwrap();
        let id = accepted["reportId"].as_str().unwrap().to_owned();
        assert_eq!(accepted, json!({"reportId": id, "status": "RUNNING"}));
        let location = posted.location.expect("a 202 says where its status is");
        // `$context.path` of the POST, stage included: resolved against the URL
        // posted to, it is on this origin.
        assert_eq!(
            location,
            report_status::location(&format!("/{STAGE}/dragons"), &id)
        );
        for _ in 0..200 {
            let (status, body) = self.get(&location, Some(&self.token)).await;
            assert_eq!(status, 200, "{body}");
            let report: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(report["reportId"], id.as_str());
            if report["status"] != "RUNNING" {
                assert!(report["finishedAt"].is_string(), "{report}");
                return report;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the report did not finish");
    }

    /// The dragons `GET /dragons?dragonName=name` answers.
    async fn by_name(&self, name: &str) -> Value {
        let query = local_api::proxy_event::encode_query(&[("dragonName", name)]);
        let (status, body) = self
            .get(&format!("/dragons?{query}"), Some(&self.token))
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Every dragon `GET /dragons` answers.
    async fn all_dragons(&self) -> Vec<Value> {
        let (status, body) = self.get("/dragons", Some(&self.token)).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    fn invocations(&self) -> usize {
        self.state.invocations.load(Ordering::Relaxed)
    }

    /// The data object's ETag.
    async fn etag(&self) -> String {
        let location = DataLocation {
            bucket: seed::names::BUCKET.to_owned(),
            key: DEFAULT_DATA_KEY.to_owned(),
        };
        object_and_etag(&self.clients.s3, &location).await.1
    }
}

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;

fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

fn decode(segment: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A new app client of `pool`, without a secret: its id.
async fn app_client(
    cognito: &aws_sdk_cognitoidentityprovider::Client,
    pool: &str,
    name: &str,
) -> String {
    cognito
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name(name)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_token_is_401_and_no_handler_runs() {
    let api = LocalApi::start().await;
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&api.config);
    let parts = segments(&api.token);
    let mut payload = decode(&parts[1]);

    // Tampered: the payload names another user; the signature is the original one.
    payload["cognito:username"] = "mallory".into();
    let tampered = format!("{}.{}.{}", parts[0], encode(&payload), parts[2]);
    // alg none, with the real payload and no signature.
    let none = format!(
        "{}.{}.",
        encode(&json!({ "alg": "none", "typ": "JWT" })),
        parts[1]
    );
    // The access token of the same sign-in.
    let access = cognito
        .initiate_auth()
        .client_id(&api.seeded.client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &api.seeded.username)
        .auth_parameters("PASSWORD", &api.seeded.password)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    // Wrong audience: an ID token of another app client of the same pool.
    let other_client = app_client(&cognito, &api.seeded.user_pool_id, "another-client").await;
    let other_audience = id_token(
        &api.config,
        &other_client,
        &api.seeded.username,
        &api.seeded.password,
    )
    .await
    .unwrap();
    assert_ne!(
        decode(&segments(&other_audience)[1])["aud"],
        decode(&parts[1])["aud"]
    );
    // Wrong issuer: an ID token of another pool (moto signs every pool with one key).
    let other_pool = cognito
        .create_user_pool()
        .pool_name("another-pool")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let other_pool_client = app_client(&cognito, &other_pool, "c").await;
    cognito
        .admin_create_user()
        .user_pool_id(&other_pool)
        .username("eve")
        .send()
        .await
        .unwrap();
    cognito
        .admin_set_user_password()
        .user_pool_id(&other_pool)
        .username("eve")
        .password(&api.seeded.password)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let other_issuer = id_token(&api.config, &other_pool_client, "eve", &api.seeded.password)
        .await
        .unwrap();
    assert_ne!(
        decode(&segments(&other_issuer)[1])["iss"],
        decode(&parts[1])["iss"]
    );

    let refused: [(&str, Option<&str>); 8] = [
        ("no header", None),
        ("empty", Some("")),
        ("not a JWT", Some("not-a-jwt")),
        ("tampered payload", Some(&tampered)),
        ("alg none", Some(&none)),
        ("access token", Some(&access)),
        ("another client's token", Some(&other_audience)),
        ("another pool's token", Some(&other_issuer)),
    ];
    for (case, token) in refused {
        assert_eq!(
            api.get("/dragons", token).await,
            (401, UNAUTHORIZED.to_owned()),
            "GET, {case}"
        );
        let headers: Vec<(&str, &str)> = token
            .map(|t| ("Authorization", t))
            .into_iter()
            .chain([("Content-Type", "application/json")])
            .collect();
        let answer = api.send("POST", "/dragons", &headers, b"{}".to_vec()).await;
        assert_eq!(answer, (401, UNAUTHORIZED.to_owned()), "POST, {case}");
    }
    assert_eq!(
        api.invocations(),
        0,
        "no handler may run for a refused token"
    );

    let (status, body) = api.get("/dragons?dragonName=Atlas", Some(&api.token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()[0]["dragon_name_str"],
        "Atlas"
    );
    assert_eq!(api.invocations(), 1);
    // The same token with the `Bearer ` prefix some clients add.
    assert_eq!(
        api.get(
            "/dragons?family=red",
            Some(&format!("Bearer {}", api.token))
        )
        .await
        .0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_clear_4xx_answers_and_write_nothing() {
    let api = LocalApi::start().await;
    let etag = api.etag().await;
    let token = api.token.clone();
    let auth = ("Authorization", token.as_str());
    let json_type = ("Content-Type", "application/json");
    let valid = json!({
        "dragon_name_str": "Quill", "family_str": "copper", "description_str": "d",
        "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
        "location_neighborhood_str": ""
    });
    let mut extra = valid.clone();
    extra["admin"] = true.into();
    let mut overlong = valid.clone();
    overlong["description_str"] = "x".repeat(20_000).into();
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    type Case<'a> = (
        &'a str,
        &'a str,
        Vec<(&'a str, &'a str)>,
        Vec<u8>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/dragons",
            vec![auth, json_type],
            overlong.to_string().into_bytes(),
            400,
            "Invalid request body",
        ),
        (
            "POST",
            "/dragons",
            vec![auth, json_type],
            b"{not json".to_vec(),
            400,
            "Invalid request body",
        ),
        (
            "POST",
            "/dragons",
            vec![auth, json_type],
            Vec::new(),
            400,
            "Invalid request body",
        ),
        (
            "POST",
            "/dragons",
            vec![auth, json_type],
            deep.into_bytes(),
            400,
            "Invalid request body",
        ),
        (
            "POST",
            "/dragons",
            vec![auth, json_type],
            extra.to_string().into_bytes(),
            400,
            "Invalid request body",
        ),
        (
            "POST",
            "/dragons",
            vec![auth, json_type],
            b"[]".to_vec(),
            400,
            "Invalid request body",
        ),
        (
            "POST",
            "/dragons",
            vec![auth, ("Content-Type", "text/plain")],
            valid.to_string().into_bytes(),
            415,
            "Unsupported Media Type",
        ),
        (
            "POST",
            "/dragons",
            vec![auth, ("Content-Type", "application/xml")],
            valid.to_string().into_bytes(),
            415,
            "Unsupported Media Type",
        ),
        (
            "POST",
            "/dragons",
            vec![auth],
            overlong.to_string().into_bytes(),
            400,
            "Invalid request body",
        ),
        (
            "PUT",
            "/dragons",
            vec![auth, json_type],
            valid.to_string().into_bytes(),
            403,
            "Missing Authentication Token",
        ),
        (
            "DELETE",
            "/dragons",
            vec![auth],
            Vec::new(),
            403,
            "Missing Authentication Token",
        ),
        (
            "PATCH",
            "/dragons",
            vec![auth],
            Vec::new(),
            403,
            "Missing Authentication Token",
        ),
        (
            "GET",
            "/dragons/Atlas",
            vec![auth],
            Vec::new(),
            403,
            "Missing Authentication Token",
        ),
        (
            "GET",
            "/admin",
            vec![auth],
            Vec::new(),
            403,
            "Missing Authentication Token",
        ),
    ];
    for (method, path, headers, body, status, message) in cases {
        let answer = api.send(method, path, &headers, body).await;
        assert_eq!(
            answer,
            (status, json!({ "message": message }).to_string()),
            "{method} {path}"
        );
    }
    assert_eq!(
        api.invocations(),
        0,
        "nothing may reach a handler or the workflow"
    );

    // Query strings the handler refuses (it runs, and answers 400).
    let long = "x".repeat(10_000);
    for (query, reason) in [
        (format!("family={long}"), "longer than 40 characters"),
        ("family=red&family=blue".to_owned(), "more than once"),
        ("dragonName=".to_owned(), "is empty"),
        ("colour=red".to_owned(), "unknown query parameter"),
        ("family=%27%20OR%20%271%27%3D%271".to_owned(), ""),
    ] {
        let (status, body) = api.get(&format!("/dragons?{query}"), Some(&token)).await;
        if reason.is_empty() {
            assert_eq!((status, body.as_str()), (200, "[]"), "{query}");
        } else {
            assert_eq!(status, 400, "{query}");
            assert!(
                serde_json::from_str::<Value>(&body).unwrap()["message"]
                    .as_str()
                    .unwrap()
                    .contains(reason),
                "{body}"
            );
        }
    }
    assert_eq!(api.etag().await, etag, "the data object must be unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_runs_the_workflow_and_its_execution_can_be_followed_on_either_store() {
    for store in DataStore::ALL {
        a_report_runs_the_workflow_on(store).await;
    }
}

async fn a_report_runs_the_workflow_on(store: DataStore) {
    let api = LocalApi::start_on(store).await;
    let mut dragon = json!({
        "dragon_name_str": "Quill", "family_str": "copper", "description_str": "It's \"shy\".\nVery.",
        "location_city_str": "Reykjavík", "location_country_str": "iceland", "location_state_str": "",
        "location_neighborhood_str": "grandi"
    });
    let added = api.finished(api.report(&dragon.to_string()).await).await;
    assert_eq!(added["status"], "ADDED", "{store}: {added}");
    assert_eq!(added["dragon"], dragon, "{store}");
    assert!(added.get("reason").is_none(), "{added}");
    assert_eq!(
        api.all_dragons().await.len(),
        sample_records().len() + 1,
        "{store}"
    );
    let (_, body) = api.get("/dragons?dragonName=Quill", Some(&api.token)).await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!([dragon.clone()])
    );
    // The same name again (in other case, or in full-width letters) passes the model
    // but not the workflow: rejected, with the reason.
    for variant in ["QUILL", "Ｑｕｉｌｌ"] {
        dragon["dragon_name_str"] = variant.into();
        let rejected = api.finished(api.report(&dragon.to_string()).await).await;
        assert_eq!(rejected["status"], "REJECTED", "{store}: {rejected}");
        let reason = rejected["reason"].as_str().unwrap();
        assert!(reason.contains("already"), "{store}: {reason}");
    }
    assert_eq!(
        api.all_dragons().await.len(),
        sample_records().len() + 1,
        "{store}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_is_found_by_its_key_as_it_is_refused_by_it_on_either_store() {
    for store in DataStore::ALL {
        let api = LocalApi::start_on(store).await;
        let dragon = json!({
            "dragon_name_str": "Heldout Name", "family_str": "umber", "description_str": "d",
            "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
            "location_neighborhood_str": ""
        });
        let added = api.finished(api.report(&dragon.to_string()).await).await;
        assert_eq!(added["status"], "ADDED", "{store}: {added}");
        for same in [
            "HELDOUT name",
            "heldout name",
            "Heldout Name",
            "ＨＥＬＤＯＵＴ ｎａｍｅ",
        ] {
            assert_eq!(api.by_name(same).await, json!([dragon]), "{store}: {same}");
        }
        for other in ["Heldout Names", "Heldout  Name", "Héldout Name", "Heldout"] {
            assert_eq!(api.by_name(other).await, json!([]), "{store}: {other}");
        }
        // The same key is what refuses a second report of the name.
        let mut again = dragon.clone();
        again["dragon_name_str"] = "HELDOUT name".into();
        let rejected = api.finished(api.report(&again.to_string()).await).await;
        assert_eq!(rejected["status"], "REJECTED", "{store}: {rejected}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_is_under_the_stage_and_a_location_resolves_on_the_origin() {
    let api = LocalApi::start().await;
    let auth = [("Authorization", api.token.as_str())];
    // The execute-api layout: nothing outside the stage (no such stage).
    for path in ["/dragons", "/v2/dragons", "/"] {
        let (status, _, body) = api
            .send_full("GET", &format!("{}{path}", api.origin), &auth, Vec::new())
            .await;
        assert_eq!(
            (status, body.as_str()),
            (403, r#"{"message":"Forbidden"}"#),
            "{path}"
        );
    }
    let (status, _, _) = api
        .send_full(
            "GET",
            &format!("{}/{STAGE}/dragons", api.origin),
            &auth,
            Vec::new(),
        )
        .await;
    assert_eq!(status, 200);
    // Every route of the table answers under the stage (401 without a token, never
    // API Gateway's 403 for a route it does not have).
    for route in dragons_contract::routes::all() {
        let path = format!("/{STAGE}{}", route.path.replace("{reportId}", "x"));
        let (status, _, body) = api
            .send_full(
                route.method,
                &format!("{}{path}", api.origin),
                &[],
                Vec::new(),
            )
            .await;
        assert_eq!(status, 401, "{} {path}: {body}", route.method);
    }
    let dragon = json!({
        "dragon_name_str": "Wayfarer", "family_str": "umber", "description_str": "d",
        "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
        "location_neighborhood_str": ""
    });
    let posted = api.report(&dragon.to_string()).await;
    let location = posted.location.clone().unwrap();
    assert!(
        location.starts_with(&format!("/{STAGE}/dragons/reports/")),
        "{location}"
    );
    // Resolved as a browser resolves it against the URL posted to: the origin.
    let report = api.finished(posted).await;
    assert_eq!(report["status"], "ADDED");
    // Joined onto the API's URL instead, it names the stage twice: not a route.
    let (status, _, body) = api
        .send_full("GET", &format!("{}{location}", api.base), &auth, Vec::new())
        .await;
    assert_eq!(
        (status, body.as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_is_its_reporters_alone_and_unknown_ids_are_not_found() {
    let api = LocalApi::start().await;
    let dragon = json!({
        "dragon_name_str": "Lantern", "family_str": "copper", "description_str": "d",
        "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
        "location_neighborhood_str": ""
    });
    let posted = api.report(&dragon.to_string()).await;
    let location = posted.location.clone().unwrap();
    let report = api.finished(posted).await;
    assert_eq!(report["status"], "ADDED");

    // Another user of the same pool, signed in: the same 404 as for no report at all.
    let other = api.other_user_token("second@example.com").await;
    let not_found = (404, r#"{"message":"No such report"}"#.to_owned());
    assert_eq!(api.get(&location, Some(&other)).await, not_found);
    for path in [
        "/dragons/reports/no-such-report",
        "/dragons/reports/a%2Fb",
        "/dragons/reports/%22%7D",
        &format!("/dragons/reports/{}", "a".repeat(81)),
        "/dragons/reports/..%2F..%2Fdragons",
    ] {
        assert_eq!(api.get(path, Some(&api.token)).await, not_found, "{path}");
    }
    assert_eq!(
        api.get(&location, None).await,
        (401, UNAUTHORIZED.to_owned())
    );
    // A run that broke a rule (started past the request model, as a direct
    // StartExecution could) is rejected with every rule it broke.
    let id = local_api::executions::new_report_id();
    let report = json!({
        "dragon": {"dragon_name_str": "", "family_str": "copper"},
        "reporter": {"sub": api.seeded_sub().await, "username": api.seeded.username},
    });
    assert!(
        api.state
            .executions
            .start(Arc::clone(&api.state.workflow), &id, report)
    );
    let rejected = api
        .finished(Posted {
            status: 202,
            location: Some(report_status::location(&format!("/{STAGE}/dragons"), &id)),
            body: json!({"reportId": id, "status": "RUNNING"}).to_string(),
        })
        .await;
    assert_eq!(rejected["status"], "REJECTED", "{rejected}");
    assert!(
        rejected["reason"]
            .as_str()
            .unwrap()
            .contains("description_str"),
        "{rejected}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_whose_store_is_gone_is_failed_without_details() {
    let api = LocalApi::start().await;
    // The data location's parameter is gone: the validation step cannot read the
    // store, and no retry will help.
    aws_sdk_ssm::Client::new(&api.config)
        .delete_parameter()
        .name(ParameterNames::default().bucket)
        .send()
        .await
        .unwrap();
    let dragon = json!({
        "dragon_name_str": "Ember", "family_str": "red", "description_str": "d",
        "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
        "location_neighborhood_str": ""
    });
    let failed = api.finished(api.report(&dragon.to_string()).await).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert_eq!(
        failed["reason"],
        dragons_contract::report_status::FAILED_REASON
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_concurrent_gets_all_succeed() {
    let api = Arc::new(LocalApi::start().await);
    let (clients, per_client) = (32, 2_000 / 32 + 1);
    let started = Instant::now();
    let runs: Vec<_> = (0..clients)
        .map(|n| {
            let api = Arc::clone(&api);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for i in 0..per_client {
                    let query = if (n + i) % 2 == 0 {
                        "/dragons?family=red"
                    } else {
                        "/dragons?dragonName=Atlas"
                    };
                    let sent = Instant::now();
                    let (status, body) = api.get(query, Some(&api.token)).await;
                    assert_eq!(status, 200, "{body}");
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for run in runs {
        // Bounded: a hung request fails the test instead of stalling it.
        latencies.extend(
            tokio::time::timeout(Duration::from_secs(300), run)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let elapsed = started.elapsed();
    assert!(latencies.len() >= 2_000);
    latencies.sort();
    let p99 = latencies[latencies.len() * 99 / 100];
    println!(
        "{} GETs from {clients} clients in {elapsed:?}: {:.0} requests/s, p50 {:?}, p99 {p99:?}",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        latencies[latencies.len() / 2]
    );
    assert_eq!(api.invocations(), latencies.len());
}

const INVALID_BODY: &str = r#"{"message":"Invalid request body"}"#;

/// Each field of the request model with its `maxLength` (characters), read from
/// the schema API Gateway's model is generated from.
fn field_limits() -> Vec<(String, usize)> {
    let schema = serde_json::to_value(dragons_contract::schema::dragon_schema()).unwrap();
    schema["properties"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(field, property)| {
            let limit = property["maxLength"].as_u64().unwrap();
            (field.clone(), usize::try_from(limit).unwrap())
        })
        .collect()
}

/// A dragon whose fields hold `length` dragons (U+1F409, four bytes in UTF-8) each,
/// written as JSON escapes of its UTF-16 surrogate pair (`\uD83D\uDC09`).
fn escaped_dragon(lengths: &[(String, usize)]) -> String {
    let fields: Vec<String> = lengths
        .iter()
        .map(|(field, length)| format!(r#""{field}":"{}""#, r"\uD83D\uDC09".repeat(*length)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maximal_dragon_in_four_byte_characters_is_added_and_one_more_character_is_400() {
    let api = LocalApi::start().await;
    let limits = field_limits();
    assert_eq!(limits.len(), 7);
    let body = escaped_dragon(&limits);
    let dragon: Value = serde_json::from_str(&body).unwrap();
    // 2,620 characters of four bytes, each written as twelve.
    assert!(body.len() > 31_000, "{} bytes", body.len());
    for (field, limit) in &limits {
        let value = dragon[field].as_str().unwrap();
        assert_eq!(value.chars().count(), *limit, "{field}");
        assert!(value.chars().all(|c| c == '\u{1F409}'), "{field}");
    }

    let report = api.finished(api.report(&body).await).await;
    assert_eq!(report["status"], "ADDED", "{report}");
    assert!(
        api.all_dragons().await.contains(&dragon),
        "the dragon was not added"
    );
    // And it can be asked for by its name and its family, each at its maximum.
    for (parameter, field) in [("dragonName", "dragon_name_str"), ("family", "family_str")] {
        let encoded: String = dragon[field]
            .as_str()
            .unwrap()
            .bytes()
            .map(|byte| format!("%{byte:02X}"))
            .collect();
        let (status, body) = api
            .get(&format!("/dragons?{parameter}={encoded}"), Some(&api.token))
            .await;
        assert_eq!(status, 200, "{parameter}: {body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!([dragon.clone()])
        );
    }

    let invocations = api.invocations();
    for (field, limit) in &limits {
        let mut longer = limits.clone();
        for (name, length) in &mut longer {
            if name == field {
                *length = limit + 1;
            }
        }
        let answer = api.post(&escaped_dragon(&longer)).await;
        assert_eq!(answer, (400, INVALID_BODY.to_owned()), "{field}");
    }
    assert_eq!(api.invocations(), invocations, "nothing may start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_without_content_type_is_taken_as_json() {
    let api = LocalApi::start().await;
    let dragon = |name: &str| {
        json!({
            "dragon_name_str": name, "family_str": "copper", "description_str": "d",
            "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
            "location_neighborhood_str": ""
        })
    };
    let auth = ("Authorization", api.token.as_str());
    for (name, headers) in [
        ("Untyped", vec![auth]),
        (
            "Charset",
            vec![auth, ("Content-Type", "application/json; charset=UTF-8")],
        ),
    ] {
        let posted = api.report_with(&headers, &dragon(name).to_string()).await;
        let report = api.finished(posted).await;
        assert_eq!(report["status"], "ADDED", "{name}: {report}");
        assert!(api.all_dragons().await.contains(&dragon(name)), "{name}");
    }
}

/// Sends `head` and then `body` in pieces on a new connection (stopping if the
/// server closes it) and returns the status line of the answer.
async fn raw_exchange(base: &str, head: String, body: impl Iterator<Item = Vec<u8>>) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    for piece in body {
        if stream.write_all(&piece).await.is_err() {
            break;
        }
    }
    let mut answer = vec![0_u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut answer))
        .await
        .expect("an answer before the body is sent whole")
        .unwrap();
    String::from_utf8_lossy(&answer[..read])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_payload_quota_is_413_and_never_read_whole() {
    use local_api::routes::MAX_BODY_BYTES;
    let api = LocalApi::start().await;
    let etag = api.etag().await;
    let head = |framing: &str| {
        format!(
            "POST /{STAGE}/dragons HTTP/1.1\r\nHost: local\r\nAuthorization: {}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n",
            api.token
        )
    };
    // Announced over the quota: refused on the length alone, with one byte sent of it.
    let status = raw_exchange(
        &api.base,
        head(&format!("Content-Length: {}", MAX_BODY_BYTES + 1)),
        std::iter::once(b"{".to_vec()),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    // Chunked, so no length: refused once the read passes the quota.
    let chunk = vec![b' '; 64 * 1024];
    let chunks = (0..=MAX_BODY_BYTES / chunk.len()).map(|_| {
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(&chunk);
        framed.extend_from_slice(b"\r\n");
        framed
    });
    let status = raw_exchange(&api.base, head("Transfer-Encoding: chunked"), chunks).await;
    assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
    assert_eq!(api.invocations(), 0);
    assert_eq!(api.etag().await, etag, "the data object must be unchanged");

    // At the quota exactly, a dragon padded with white space is a dragon.
    let dragon = json!({
        "dragon_name_str": "Padded", "family_str": "copper", "description_str": "d",
        "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
        "location_neighborhood_str": ""
    });
    let mut body = dragon.to_string();
    body.push_str(&" ".repeat(MAX_BODY_BYTES - body.len()));
    assert_eq!(body.len(), MAX_BODY_BYTES);
    let report = api.finished(api.report(&body).await).await;
    assert_eq!(report["status"], "ADDED", "{report}");
}

/// The committed OpenAPI document.
fn openapi() -> Value {
    let text =
        std::fs::read_to_string(dragons_harness::in_workspace("cfn-out/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Checks one answer of `operation` (`"get /dragons"`) against the document: its status
/// is declared, its body is valid under the declared schema, the declared headers are
/// sent. Returns the body.
fn conforms(document: &Value, operation: &str, answer: &(u16, http::HeaderMap, String)) -> Value {
    let (method, path) = operation.split_once(' ').unwrap();
    let (status, headers, body) = answer;
    let response = &document["paths"][path][method]["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{operation}: {status} is not declared: {body}"
    );
    for name in response["headers"]
        .as_object()
        .into_iter()
        .flat_map(|h| h.keys())
    {
        assert!(
            headers.contains_key(name.as_str()),
            "{operation} {status}: no {name} header"
        );
    }
    let mut schema = response["content"]["application/json"]["schema"].clone();
    schema["components"] = document["components"].clone();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let body: Value = serde_json::from_str(body).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{operation} {status}: {body} does not conform: {errors:?}"
    );
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_one_the_openapi_document_declares() {
    let document = openapi();
    let api = LocalApi::start().await;
    let auth = [("Authorization", api.token.as_str())];
    let json_auth = [
        ("Authorization", api.token.as_str()),
        ("Content-Type", "application/json"),
    ];
    let list = "get /dragons";
    let page = api
        .send_full("GET", "/dragons?limit=2", &auth, Vec::new())
        .await;
    assert_eq!(page.0, 200);
    assert_eq!(
        conforms(&document, list, &page).as_array().unwrap().len(),
        2
    );
    let bad = api
        .send_full("GET", "/dragons?limit=0", &auth, Vec::new())
        .await;
    assert_eq!(bad.0, 400);
    conforms(&document, list, &bad);
    let anonymous = api.send_full("GET", "/dragons", &[], Vec::new()).await;
    assert_eq!(anonymous.0, 401);
    conforms(&document, list, &anonymous);

    let report = "post /dragons";
    let dragon = json!({
        "dragon_name_str": "Conformance", "family_str": "copper", "description_str": "d",
        "location_city_str": "c", "location_country_str": "k", "location_state_str": "",
        "location_neighborhood_str": ""
    });
    let accepted = api
        .send_full(
            "POST",
            "/dragons",
            &json_auth,
            dragon.to_string().into_bytes(),
        )
        .await;
    assert_eq!(accepted.0, 202, "{}", accepted.2);
    conforms(&document, report, &accepted);
    let refused = api
        .send_full(
            "POST",
            "/dragons",
            &json_auth,
            b"{\"dragon_name_str\": 1}".to_vec(),
        )
        .await;
    assert_eq!(refused.0, 400);
    conforms(&document, report, &refused);

    let status = "get /dragons/reports/{reportId}";
    let location = accepted.1[http::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let finished = api
        .finished(Posted {
            status: accepted.0,
            location: Some(location.clone()),
            body: accepted.2.clone(),
        })
        .await;
    assert_eq!(finished["status"], "ADDED");
    let read = api.send_full("GET", &location, &auth, Vec::new()).await;
    assert_eq!(read.0, 200);
    conforms(&document, status, &read);
    let unknown = api
        .send_full("GET", "/dragons/reports/unknown", &auth, Vec::new())
        .await;
    assert_eq!(unknown.0, 404);
    conforms(&document, status, &unknown);

    // The check can fail: an answer the document does not declare is refused.
    let undeclared = std::panic::catch_unwind(|| {
        conforms(
            &document,
            status,
            &(418, http::HeaderMap::new(), "{}".into()),
        )
    });
    assert!(undeclared.is_err());
}
