//! Property tests of the token checks (`PROPTEST_CASES` cases per property, 256
//! by default): random strings and tokens, and mutations of a valid token and of
//! tokens signed by another key, sent through the authorizer against the
//! in-test key set. None may panic, and none may be accepted unless it is the
//! valid token itself, byte for byte.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

use super::keys::{other_key, pool_key};
use super::{CLIENT, Fixture, KID, POOL, REGION, id_claims, sign};
use crate::auth::issuer;

/// A runtime for the authorizer and its key set server, and the fixture on it.
fn fixture() -> (tokio::runtime::Runtime, Fixture) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let fixture = runtime.block_on(Fixture::new());
    (runtime, fixture)
}

/// Runs `strategy`'s cases through the authorizer: each must be refused, unless
/// it equals `accepted`.
fn never_accepted<S: Strategy<Value = String>>(strategy: S, accepted: Option<&str>) -> u32 {
    let (runtime, fixture) = fixture();
    if let Some(token) = accepted {
        // The control: the untouched token is accepted.
        assert!(runtime.block_on(fixture.check(token)).is_ok());
    }
    let config = Config::default();
    let mut runner = TestRunner::new(config.clone());
    let outcome = runner.run(&strategy, |token| {
        let verdict = runtime.block_on(fixture.authorizer.authorize(Some(&token)));
        if let Ok(claims) = verdict {
            prop_assert_eq!(Some(token.as_str()), accepted, "accepted with {:?}", claims);
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    config.cases
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JSON value of any kind, small.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|number| json!(number)),
        ".{0,12}".prop_map(Value::from),
        Just(json!("id")),
        Just(json!("access")),
        Just(json!(CLIENT)),
        Just(json!(issuer(REGION, POOL))),
        Just(json!(jsonwebtoken::get_current_timestamp() + 3_600)),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// An ID token's claims with some claims replaced by anything or removed.
fn claims() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "iss",
        "aud",
        "token_use",
        "exp",
        "iat",
        "nbf",
        "sub",
        "cognito:username",
        "client_id",
        "scope",
    ]);
    prop::collection::vec((names, prop::option::of(json_value())), 0..4).prop_map(|changes| {
        let mut claims = id_claims();
        let object = claims.as_object_mut().unwrap();
        for (name, value) in changes {
            match value {
                Some(value) => object.insert(name.to_owned(), value),
                None => object.remove(name),
            };
        }
        claims
    })
}

/// A JOSE header: RS256 and the pool's kid most of the time, anything else too.
fn header() -> impl Strategy<Value = Value> {
    let alg = prop::sample::select(vec![
        "RS256", "none", "HS256", "RS512", "ES256", "rs256", "",
    ]);
    let kid = prop::sample::select(vec![KID, "other", "", "dummy "]);
    (alg, kid, prop::option::of(json_value())).prop_map(|(alg, kid, extra)| {
        let mut header = Map::new();
        header.insert("alg".into(), alg.into());
        header.insert("kid".into(), kid.into());
        if let Some(extra) = extra {
            header.insert("x5u".into(), extra);
        }
        Value::Object(header)
    })
}

/// A token built from parts: JSON header and payload and random signature bytes.
fn assembled() -> impl Strategy<Value = String> {
    (
        header(),
        claims(),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(header, claims, signature)| {
            format!(
                "{}.{}.{}",
                b64(header.to_string().as_bytes()),
                b64(claims.to_string().as_bytes()),
                b64(&signature)
            )
        })
}

/// `token` with one of its three parts replaced by `part`.
fn with_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    if let Some(slot) = parts.get_mut(index) {
        *slot = part;
    }
    parts.join(".")
}

/// Mutations of `token`: characters replaced, inserted or removed, cuts, and
/// whole parts swapped for forged ones or for the parts of `others`.
fn mutated(token: String, others: Vec<String>) -> impl Strategy<Value = String> {
    let length = token.len();
    let character = prop_oneof![
        prop::sample::select("AZaz09-_.=+/ \t%\u{0}\u{e9}".chars().collect::<Vec<char>>()),
        any::<char>(),
    ];
    let (replace, insert, delete, cut) =
        (token.clone(), token.clone(), token.clone(), token.clone());
    let (payload, head, signature, swap) = (token.clone(), token.clone(), token.clone(), token);
    prop_oneof![
        (0..length, character.clone()).prop_map(move |(at, c)| {
            let mut chars: Vec<char> = replace.chars().collect();
            chars[at] = c;
            chars.into_iter().collect()
        }),
        (0..=length, character).prop_map(move |(at, c)| {
            let mut chars: Vec<char> = insert.chars().collect();
            chars.insert(at, c);
            chars.into_iter().collect()
        }),
        (0..length).prop_map(move |at| {
            let mut chars: Vec<char> = delete.chars().collect();
            chars.remove(at);
            chars.into_iter().collect()
        }),
        (0..length, 0..length).prop_map(move |(a, b)| {
            let (from, to) = (a.min(b), a.max(b));
            format!("{}{}", &cut[..from], &cut[to..])
        }),
        claims().prop_map(move |claims| with_part(
            &payload,
            1,
            &b64(claims.to_string().as_bytes())
        )),
        header().prop_map(move |header| with_part(&head, 0, &b64(header.to_string().as_bytes()))),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(move |bytes| with_part(
            &signature,
            2,
            &b64(&bytes)
        )),
        (prop::sample::select(others), 0..3_usize).prop_map(move |(other, index)| {
            let part = other.split('.').nth(index).unwrap_or_default().to_owned();
            with_part(&swap, index, &part)
        }),
    ]
}

#[test]
fn random_strings_and_assembled_tokens_are_never_accepted() {
    let cases = never_accepted(
        prop_oneof![
            any::<String>(),
            "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,80}",
            "Bearer [ -~]{0,60}",
            assembled(),
        ],
        None,
    );
    assert!(cases > 0);
}

#[test]
fn mutations_of_a_valid_token_are_refused_unless_untouched() {
    let valid = sign(pool_key(), Some(KID), &id_claims());
    let another = sign(
        pool_key(),
        Some(KID),
        &super::with(id_claims(), "cognito:username", json!("mallory")),
    );
    let forged = sign(other_key(), Some(KID), &id_claims());
    let cases = never_accepted(mutated(valid.clone(), vec![another, forged]), Some(&valid));
    assert!(cases > 0);
}

#[test]
fn mutations_of_tokens_signed_by_another_key_are_never_accepted() {
    // Claims no valid token has, so that no swapped part can rebuild one.
    let forged = sign(
        other_key(),
        Some(KID),
        &super::with(id_claims(), "forged", json!(true)),
    );
    let valid = sign(pool_key(), Some(KID), &id_claims());
    let cases = never_accepted(mutated(forged, vec![valid]), None);
    assert!(cases > 0);
}
