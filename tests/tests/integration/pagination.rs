//! `GET /dragons` a page at a time against moto, on both stores, through the real
//! handler and the proxy event: following the `Link` headers yields every matching
//! record once, pages stay under the response budget, writers adding during a walk
//! lose nothing from it, and tokens that are not the walk's own are refused with 400.

use std::time::{Duration, SystemTime};

use dragons_contract::{
    DataFormat, Dragon, ReportRef,
    data_store::DataStore,
    page::{MAX_PAGE_BODY_BYTES, TOKEN_LIFETIME, escaped_len},
    query_engine::QueryEngine,
    store::{DragonReader, DragonWriter},
};
use dragons_harness::fixtures::{clients, record_names};
use dragons_harness::moto::Moto;
use dragons_ops::sample;
use handlers::api::{error::STALE_TOKEN, list_dragons::list_dragons_at};

use crate::stores::TestStore;
use lambda_http::Body;
use serde_json::{Value, json};

use crate::util::proxy_event;

/// One answer: status, body, and the next page's query (from the `Link` header).
struct Answer {
    status: u16,
    body: Value,
    escaped: usize,
    next: Option<Vec<(String, String)>>,
}

async fn get_at(store: &impl DragonReader, query: &[(String, String)], now: SystemTime) -> Answer {
    let pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = list_dragons_at(store, &proxy_event(&pairs), now).await;
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(
        exposed.split(',').any(|name| name.trim() == "Link"),
        "a browser's script may read the Link header: {exposed}"
    );
    let next = response
        .headers()
        .get("link")
        .map(|link| next_query(link.to_str().unwrap()));
    let Body::Text(text) = response.body() else {
        panic!("a text body, never base64");
    };
    Answer {
        status: response.status().as_u16(),
        body: serde_json::from_str(text).unwrap(),
        escaped: escaped_len(text.as_bytes()),
        next,
    }
}

async fn get(store: &impl DragonReader, query: &[(String, String)]) -> Answer {
    get_at(store, query, SystemTime::now()).await
}

/// The decoded query of `<…/dragons?…>; rel="next"`.
fn next_query(link: &str) -> Vec<(String, String)> {
    let url = link
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix(">; rel=\"next\""))
        .unwrap_or_else(|| panic!("not a next link: {link}"));
    let (path, query) = url.split_once('?').unwrap();
    assert!(path.ends_with("/dragons"), "{path}");
    form_pairs(query)
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            let value = percent_decode(value);
            (name.to_owned(), value)
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Every page of a walk, following the links: the names each page holds.
async fn walk(store: &impl DragonReader, first: &[(&str, &str)]) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(query(first));
    while let Some(query) = next {
        let answer = get(store, &query).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert!(answer.escaped <= MAX_PAGE_BODY_BYTES);
        pages.push(names(&answer.body));
        next = answer.next;
        assert!(pages.len() < 1000, "the walk does not end");
    }
    pages
}

fn names(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|record| record["dragon_name_str"].as_str().unwrap().to_owned())
        .collect()
}

fn sample_set(count: u64, format: DataFormat) -> Vec<u8> {
    match format {
        DataFormat::JsonLines => sample::write_lines(count, 7, Vec::new()).unwrap(),
        DataFormat::JsonArray => sample::write_array(count, 7, Vec::new()).unwrap(),
    }
}

/// The names of `all` as a walk of `kind` can be compared: in the object's order, or
/// sorted (a table has no order of its own to keep).
fn comparable(kind: DataStore, mut all: Vec<String>) -> Vec<String> {
    if kind == DataStore::DynamoDb {
        all.sort();
    }
    all
}

fn dragon_named(name: &str) -> Dragon {
    Dragon {
        dragon_name_str: name.to_owned(),
        family_str: "red".into(),
        description_str: "Arrived during a walk.".into(),
        location_city_str: "c".into(),
        location_country_str: "k".into(),
        location_state_str: String::new(),
        location_neighborhood_str: String::new(),
    }
}

fn the_token(next: &[(String, String)]) -> String {
    next.iter()
        .find(|(name, _)| name == "nextToken")
        .unwrap()
        .1
        .clone()
}

#[tokio::test]
async fn pages_of_a_thousand_yield_every_record_once() {
    let moto = Moto::shared().unwrap();
    let data = sample_set(2_500, DataFormat::JsonLines);
    let all = record_names(&data, DataFormat::JsonLines).unwrap();
    for kind in DataStore::ALL {
        let holder = TestStore::holding(kind, &moto, data.clone()).await;
        let store = holder.store.as_ref();
        let pages = walk(store, &[("limit", "1000")]).await;
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1000, 1000, 500], "{kind}");
        assert_eq!(
            comparable(kind, pages.concat()),
            comparable(kind, all.clone()),
            "{kind}: every record once"
        );
        // The default page is 100 records.
        let first = get(store, &[]).await;
        assert_eq!(first.body.as_array().unwrap().len(), 100, "{kind}");
    }
    // An array document, a page at a time, in its order.
    let array = sample_set(2_500, DataFormat::JsonArray);
    let holder = TestStore::object(&moto, "dragons.json", array, QueryEngine::Scan).await;
    let pages = walk(holder.store.as_ref(), &[("limit", "1000")]).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [1000, 1000, 500]);
    assert_eq!(pages.concat(), all);
}

#[tokio::test]
async fn a_filtered_walk_yields_exactly_the_matches() {
    let moto = Moto::shared().unwrap();
    let data = sample_set(2_500, DataFormat::JsonLines);
    let records: Vec<Value> = data
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect();
    let gold: Vec<String> = records
        .iter()
        .filter(|record| record["family_str"] == "gold")
        .map(|record| record["dragon_name_str"].as_str().unwrap().to_owned())
        .collect();
    assert!(gold.len() > 100, "{}", gold.len());
    for kind in DataStore::ALL {
        let holder = TestStore::holding(kind, &moto, data.clone()).await;
        let store = holder.store.as_ref();
        let pages = walk(store, &[("family", "gold"), ("limit", "37")]).await;
        assert_eq!(
            comparable(kind, pages.concat()),
            comparable(kind, gold.clone()),
            "{kind}"
        );
        assert!(pages.iter().all(|page| !page.is_empty()), "{kind}");
        // A name query ends at its match, and both filters must hold.
        let one = get(store, &query(&[("dragonName", &gold[7])])).await;
        assert_eq!(names(&one.body), [gold[7].clone()], "{kind}");
        assert!(one.next.is_none(), "{kind}");
        let both = get(
            store,
            &query(&[("dragonName", &gold[7]), ("family", "red")]),
        )
        .await;
        assert!(names(&both.body).is_empty(), "{kind}");
        // Names compare by their key, as they are unique by it.
        let upper = gold[7].to_uppercase();
        let other_case = get(store, &query(&[("dragonName", &upper)])).await;
        assert_eq!(
            names(&other_case.body),
            [gold[7].clone()],
            "{kind}: names match by their key"
        );
    }
    // S3 Select on the same data. moto runs the one equality (it ignores ScanRange,
    // which only matters for objects over one 8 MiB window) but truncates values at
    // quotes (LOCAL-AWS.md), so names with one are compared by count only.
    let holder = TestStore::object(&moto, "dragons.jsonl", data, QueryEngine::S3Select).await;
    let pages = walk(
        holder.store.as_ref(),
        &[("family", "gold"), ("limit", "37")],
    )
    .await;
    let selected = pages.concat();
    assert_eq!(selected.len(), gold.len());
    for (found, wanted) in selected.iter().zip(&gold) {
        if !wanted.contains(['\'', '"']) {
            assert_eq!(found, wanted);
        }
    }
}

#[tokio::test]
async fn a_page_ends_before_its_body_passes_five_mebibytes() {
    let moto = Moto::shared().unwrap();
    // Every description is 2,000 quotes: 4,000 bytes stored, 8,000 in the response.
    let quotes = "\"".repeat(2_000);
    let data: Vec<u8> = (0..1_500)
        .map(|n| {
            let dragon = json!({
                "dragon_name_str": format!("Q{n:04}"), "family_str": "red",
                "description_str": quotes, "location_city_str": "c",
                "location_country_str": "k", "location_state_str": "", "location_neighborhood_str": ""
            });
            format!("{dragon}\n")
        })
        .collect::<String>()
        .into_bytes();
    for kind in DataStore::ALL {
        let holder = TestStore::holding(kind, &moto, data.clone()).await;
        let store = holder.store.as_ref();
        let first = get(store, &query(&[("limit", "1000")])).await;
        let count = first.body.as_array().unwrap().len();
        assert!(
            count < 1000,
            "{kind}: the budget, not the limit, ended the page: {count}"
        );
        assert!(
            first.escaped <= MAX_PAGE_BODY_BYTES,
            "{kind}: {}",
            first.escaped
        );
        assert!(
            first.escaped > MAX_PAGE_BODY_BYTES - 20_000,
            "{kind}: {}",
            first.escaped
        );
        let all = walk(store, &[("limit", "1000")]).await.concat();
        assert_eq!(
            comparable(kind, all),
            (0..1_500).map(|n| format!("Q{n:04}")).collect::<Vec<_>>(),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn writers_adding_during_a_walk_lose_nothing_from_it() {
    let moto = Moto::shared().unwrap();
    let data = sample_set(2_500, DataFormat::JsonLines);
    let all = record_names(&data, DataFormat::JsonLines).unwrap();
    for kind in DataStore::ALL {
        let holder = TestStore::holding(kind, &moto, data.clone()).await;
        let store = holder.store.as_ref();
        let first = get(store, &query(&[("limit", "1000")])).await;
        let mut seen = names(&first.body);
        for n in 0..5 {
            let report = ReportRef {
                id: format!("late-{kind}-{n}"),
                submitted_at: "2026-01-01T00:00:00Z".into(),
            };
            let dragon = dragon_named(&format!("Latecomer {n}"));
            store.add(&dragon, &report).await.unwrap();
        }
        let mut next = first.next;
        while let Some(query) = next {
            let answer = get(store, &query).await;
            assert_eq!(answer.status, 200);
            seen.extend(names(&answer.body));
            next = answer.next;
        }
        // Every record the walk started with comes once. The S3 walk reads the version
        // it started on; a table walk may meet records added after its cursor.
        let (late, original): (Vec<String>, Vec<String>) = seen
            .into_iter()
            .partition(|name| name.starts_with("Latecomer"));
        assert_eq!(
            comparable(kind, original),
            comparable(kind, all.clone()),
            "{kind}"
        );
        if kind == DataStore::S3 {
            assert!(
                late.is_empty(),
                "the S3 walk reads the version it started on"
            );
        }
        assert!(late.len() <= 5, "{kind}");
        let fresh = walk(store, &[("limit", "1000")]).await.concat();
        assert_eq!(fresh.len(), 2_505, "{kind}");
    }
}

#[tokio::test]
async fn tokens_not_of_this_walk_are_refused_with_400() {
    let moto = Moto::shared().unwrap();
    let data = sample_set(300, DataFormat::JsonLines);
    let refused = |message: &str| json!({ "message": message });
    for kind in DataStore::ALL {
        let holder = TestStore::holding(kind, &moto, data.clone()).await;
        let store = holder.store.as_ref();
        let first = get(store, &query(&[("limit", "10")])).await;
        let next = first.next.unwrap();
        let token = the_token(&next);
        assert_eq!(get(store, &next).await.status, 200);
        for (case, message) in [
            (
                query(&[("nextToken", &token), ("family", "red")]),
                "`nextToken` belongs to a walk with other filters",
            ),
            (
                query(&[("nextToken", &token[..token.len() - 3])]),
                "`nextToken` is not a token this API issued",
            ),
            (
                query(&[("nextToken", &format!("{token}A"))]),
                "`nextToken` is not a token this API issued",
            ),
            (
                query(&[("nextToken", "not-a-token")]),
                "`nextToken` is not a token this API issued",
            ),
        ] {
            let answer = get(store, &case).await;
            assert_eq!(
                (answer.status, answer.body),
                (400, refused(message)),
                "{kind} {case:?}"
            );
        }
        let later = SystemTime::now() + TOKEN_LIFETIME + Duration::from_secs(5);
        let late = get_at(store, &next, later).await;
        assert_eq!(
            (late.status, late.body),
            (
                400,
                refused("`nextToken` has expired; start the walk again")
            ),
            "{kind}"
        );
        // A token of the other store's kind is a cursor this store does not know.
        let other = match kind {
            DataStore::S3 => TestStore::holding(DataStore::DynamoDb, &moto, data.clone()).await,
            DataStore::DynamoDb => TestStore::holding(DataStore::S3, &moto, data.clone()).await,
        };
        let answer = get(other.store.as_ref(), &next).await;
        assert_eq!(
            (answer.status, answer.body),
            (400, refused(STALE_TOKEN)),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn a_walk_whose_object_version_is_gone_is_told_to_start_again() {
    let moto = Moto::shared().unwrap();
    let data = sample_set(300, DataFormat::JsonLines);
    let holder = TestStore::holding(DataStore::S3, &moto, data).await;
    let store = holder.store.as_ref();
    let next = get(store, &query(&[("limit", "10")])).await.next.unwrap();
    // The version the walk reads is gone (as the lifecycle rule removes old ones).
    let set = holder.data.as_ref().unwrap();
    let clients = clients(&moto.endpoint()).await;
    let versions = clients
        .s3
        .list_object_versions()
        .bucket(&set.location.bucket)
        .prefix(&set.location.key)
        .send()
        .await
        .unwrap();
    for version in versions.versions() {
        clients
            .s3
            .delete_object()
            .bucket(&set.location.bucket)
            .key(&set.location.key)
            .version_id(version.version_id().unwrap())
            .send()
            .await
            .unwrap();
    }
    let gone = get(store, &next).await;
    assert_eq!(
        (gone.status, gone.body),
        (400, json!({ "message": STALE_TOKEN }))
    );
}
